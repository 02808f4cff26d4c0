"""Rules on figures: counts in order, percentages that agree with their counts, ranges,
value types, locators, whole numbers, and ratios that compare patients rather than treatments."""
from __future__ import annotations

from functools import cache
from typing import Iterator

from ..load import Record
from ..problems import Problem
from ..schema import Schemas
from .base import Context, arms_of, decimals, fields, rule


@rule("count-order", "Responders ≤ evaluable ≤ arm n ≤ study n; arm sizes add up to at most the study n.")
def counts_in_order(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    study_n = d.get("population", {}).get("n")
    arms = arms_of(record)
    for i, arm in enumerate(d.get("arms", [])):
        n = arm.get("n")
        if n is not None and study_n is not None and n > study_n:
            yield record.problem("count-order", ("arms", i, "n"), f"arm n {n} exceeds study n {study_n}")
        if n is not None and arm.get("n_analysed") is not None and arm["n_analysed"] > n:
            yield record.problem("count-order", ("arms", i, "n_analysed"), f"n_analysed {arm['n_analysed']} exceeds arm n {n}")
    total = sum(a.get("n") or 0 for a in d.get("arms", []))
    if study_n is not None and total > study_n:
        yield record.problem("count-order", ("arms",), f"arm sizes add up to {total}, more than the study n {study_n}")
    sex = d.get("population", {}).get("sex", {})
    if study_n is not None and sum(sex.values()) > study_n:
        yield record.problem("count-order", ("population", "sex"), f"male + female = {sum(sex.values())} exceeds n {study_n}")
    for i, outcome in enumerate(d.get("outcomes", [])):
        value = outcome.get("value", {})
        if value.get("type") != "count":
            continue
        if value["n"] > value["of"]:
            yield record.problem("count-order", ("outcomes", i, "value", "n"), f"{value['n']} responders/events out of only {value['of']} evaluable")
        arm = arms.get(outcome.get("arm"))
        limit, what = (arm.get("n"), f"arm '{arm['id']}' n") if arm else (study_n, "study n")
        if limit is not None and value["of"] > limit:
            yield record.problem("count-order", ("outcomes", i, "value", "of"), f"{value['of']} evaluable exceeds {what} {limit}")


@rule("percent-mismatch", "A printed percentage must agree with its counts at the precision printed (rounded or truncated).")
def percent_agrees(record: Record, ctx: Context) -> Iterator[Problem]:
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        value = outcome.get("value", {})
        if value.get("type") != "count" or "percent" not in value or value["of"] == 0:
            continue
        exact = 100 * value["n"] / value["of"]
        places = decimals(value["percent"])
        unit = 10 ** -places
        # Papers round (76.47 -> 76.5) or truncate (19.35 -> 19.3); both agree at the
        # printed precision. Anything further off is a transcription error.
        rounded = abs(exact - value["percent"]) <= 0.5 * unit + 1e-9
        truncated = value["percent"] - 1e-9 <= exact < value["percent"] + unit
        if not (rounded or truncated):
            yield record.problem("percent-mismatch", ("outcomes", i, "value", "percent"),
                                 f"{value['percent']}% does not match {value['n']}/{value['of']} = {exact:.{places + 2}f}%")


@rule("range-order", "Every [low, high] range has low ≤ high; a median lies within its range.")
def ranges_ordered(record: Record, ctx: Context) -> Iterator[Problem]:
    grouped = fields(record)
    for path, value in (item for key in ("range", "iqr", "ci", "range_months") for item in grouped.get(key, ())):
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            if value[0] > value[1]:
                yield record.problem("range-order", path, f"range [{value[0]}, {value[1]}] runs backwards")
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        value = outcome.get("value", {})
        centre = value.get("value")
        for key in ("range", "ci", "iqr"):
            bounds = value.get(key)
            if isinstance(centre, (int, float)) and bounds and bounds[0] <= bounds[1] and not bounds[0] <= centre <= bounds[1]:
                yield record.problem("range-order", ("outcomes", i, "value", key), f"value {centre} lies outside its {key} [{bounds[0]}, {bounds[1]}]")


@rule("value-type", "An outcome's value type must be one its measure allows.")
def value_type_matches_measure(record: Record, ctx: Context) -> Iterator[Problem]:
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        measure = ctx.by_id.get(("measure", outcome.get("measure")))
        if measure is None or not isinstance(measure.data.get("value_types"), list):
            continue
        kind = outcome.get("value", {}).get("type")
        if kind not in measure.data["value_types"]:
            yield record.problem("value-type", ("outcomes", i, "value", "type"),
                                 f"measure '{measure.id}' takes {', '.join(measure.data['value_types'])}, not '{kind}'")


@rule("missing-locator", "Every figure carries a locator: population, setting and case figures included.")
def figures_have_locators(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    pop = d.get("population", {})
    if (pop.get("n") is not None or "age" in pop or "sex" in pop) and "locator" not in pop:
        yield record.problem("missing-locator", ("population",), "population figures need a locator (where the source states them)")
    setting = d.get("setting", {})
    if setting.get("centres") is not None and "locator" not in setting:
        yield record.problem("missing-locator", ("setting",), "the number of centres needs a locator")


@cache
def _whole_number_keys(schemas: Schemas, kind: str) -> tuple[frozenset[tuple], frozenset[str]]:
    """The whole-number paths of a kind, and the keys that hold them (a list's key for
    its items), so the rule looks only at those keys."""
    wanted = schemas.whole_number_fields(kind)
    return wanted, frozenset(path[-1] if path[-1] != "[]" else path[-2] for path in wanted)


@rule("whole-number", "A count, year, day or other whole-number field is written without a decimal point (10, not 10.0).")
def whole_numbers(record: Record, ctx: Context) -> Iterator[Problem]:
    # JSON Schema's "integer" accepts 10.0, so the schema alone lets a count be written
    # as a measurement. Which fields are whole numbers is read from the schema.
    wanted, keys = _whole_number_keys(ctx.schemas, record.kind)
    grouped = fields(record)
    for key in keys:
        for path, value in grouped.get(key, ()):
            for where, number in ([(path + (i,), v) for i, v in enumerate(value)] if isinstance(value, list) else [(path, value)]):
                if isinstance(number, float) and tuple("[]" if isinstance(p, int) else p for p in where) in wanted:
                    yield record.problem("whole-number", where, f"{number!r} has a decimal point, but this field takes a whole number: write {int(number)}")


@rule("percent-of-zero", "A count of 0 evaluable patients carries no percentage (0/0 is not a percentage of anything).")
def no_percent_of_zero(record: Record, ctx: Context) -> Iterator[Problem]:
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        value = outcome.get("value", {})
        if value.get("type") == "count" and value.get("of") == 0 and "percent" in value:
            yield record.problem("percent-of-zero", ("outcomes", i, "value", "percent"),
                                 f"{value['percent']}% of 0 evaluable patients means nothing; leave 'percent' out")


_RATIOS = {"hazard-ratio", "odds-ratio"}


@rule("ratio-role", "A hazard or odds ratio in a one-arm study compares patients, not treatments: it must say role: association.")
def ratios_are_associations(record: Record, ctx: Context) -> Iterator[Problem]:
    if len(record.data.get("arms", [])) != 1:
        return
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        if outcome.get("value", {}).get("type") in _RATIOS and outcome.get("role", "treatment") != "association":
            yield record.problem("ratio-role", ("outcomes", i),
                                 f"{'an' if outcome['value']['type'] == 'odds-ratio' else 'a'} {outcome['value']['type']} in a one-arm study is a prognostic factor's effect, not a treatment result; add 'role: association'")
