"""Every rule a record must satisfy, in one place: the schema first, then integrity
checks that a schema cannot express (references, arithmetic, identifiers, dates).

Each rule is a small function that yields problems; RULES maps its code to it and to a
one-line description (shown by `poemskb rules` and in the contributor docs). All rules
run on every record and every problem is reported, never only the first.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable, Iterator

from . import sitenames
from .identity import id_key, identifier_key
from .escape import HIDDEN, HIDDEN_BUT_LINE_FEED, describe
from .load import KIND_FOLDERS, Record
from .problems import Problem
from .schema import Schemas, closest

IDENTIFIER_PATTERNS = {
    "doi": re.compile(r"10\.[0-9]{4,9}/[!-~]+"),  # printable ASCII only: nothing invisible
    "pmid": re.compile(r"[1-9][0-9]{0,8}"),
    "pmcid": re.compile(r"PMC[1-9][0-9]{0,8}"),
    "NCT": re.compile(r"NCT[0-9]{8}"),
    "UMIN": re.compile(r"UMIN[0-9]{9}"),
    "ChiCTR": re.compile(r"ChiCTR[-0-9A-Za-z]{6,20}"),
    "jRCT": re.compile(r"jRCT[0-9]{10}"),
    "EudraCT": re.compile(r"[0-9]{4}-[0-9]{6}-[0-9]{2}"),
    "ISRCTN": re.compile(r"ISRCTN[0-9]{8}"),
}
IDENTIFIER_EXAMPLES = {
    "doi": "10.1016/S1474-4422(16)30157-0", "pmid": "27496680", "pmcid": "PMC7389818",
    "NCT": "NCT01816620", "UMIN": "UMIN000004179", "ChiCTR": "ChiCTR2000029999",
    "jRCT": "jRCT2031200001", "EudraCT": "2010-012345-12", "ISRCTN": "ISRCTN12345678",
}
REVIEW_DESIGNS = {"systematic-review", "narrative-review", "guideline"}
# How an overlap reads from the other study's side (kb.overlaps shows both sides with it).
OVERLAP_INVERSE = {"subset-of": "superset-of", "superset-of": "subset-of"}
EARLIEST_YEAR = 1900  # no date in a record of this knowledge base can be earlier


@dataclass
class Context:
    """Everything the cross-record rules need: records by kind and id, and the schemas."""

    schemas: Schemas
    records: list[Record]
    today: dt.date = field(default_factory=dt.date.today)
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_id: dict[tuple[str, str], Record] = field(default_factory=dict)
    # (kind, id) -> path of a record file that failed to load: references to it are not
    # errors of the records that make them (see not_checked_against_broken).
    unloadable: dict[tuple[str, str], str] = field(default_factory=dict)
    blocked: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    _names: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.records:
            if record.id != "-":
                self.ids[record.kind].add(record.id)
                self.by_id.setdefault((record.kind, record.id), record)


Rule = Callable[[Record, Context], Iterator[Problem]]
RULES: dict[str, tuple[str, Rule | None]] = {}
CROSS_RULES: dict[str, tuple[str, Callable[[Context], Iterator[Problem]]]] = {}


def rule(code: str, description: str):
    def register(func: Rule) -> Rule:
        RULES[code] = (description, func)
        return func
    return register


def cross_rule(code: str, description: str):
    def register(func):
        CROSS_RULES[code] = (description, func)
        return func
    return register


# Loader and schema problems have codes too, so the rule list documents them.
LOAD_CODES = {
    "yaml-syntax": "The file is not well-formed YAML.",
    "duplicate-key": "A key appears twice in one mapping.",
    "alias": "YAML anchors or aliases are used (they are refused, which also stops alias bombs).",
    "merge-key": "A YAML merge key ('<<') is used.",
    "tag": "An explicit YAML tag (e.g. !!python/object) is used.",
    "key-type": "A mapping key is not text.",
    "yaml11-bool": "A plain yes/no/on/off would be read as a boolean.",
    "yaml11-number": "A number is not plain decimal (octal, sexagesimal, .nan, ...).",
    "unquoted-date": "An unquoted date would be read as a date object.",
    "encoding": "The file is not valid UTF-8.",
    "bom": "The file starts with a byte-order mark.",
    "tab": "The file contains a tab character.",
    "line-ending": "The file contains a carriage return, or a line separator YAML counts as a line break (U+2028, U+2029, U+0085).",
    "too-large": "The file exceeds the size cap.",
    "too-deep": "The file nests collections deeper than the loader allows.",
    "number-size": "A number has more digits than any field takes, or is beyond what a decimal number can hold.",
    "symlink": "A file under evidence/ is a symbolic link.",
    "empty": "The file holds no document.",
    "multi-document": "The file holds more than one YAML document.",
    "root-type": "The document is not a mapping.",
    "stray-file": "A file under evidence/ is not in a record folder or is not .yaml.",
    "unreadable": "The file could not be read.",
    "schema": "The record does not match its JSON Schema.",
    "placeholder": "A field still holds the text `poemskb new` put there to be replaced (checked with the schema).",
}

# What `poemskb new` writes where a contributor must fill something in. A value that
# starts with it fails validation, naming the field, until it is replaced.
PLACEHOLDER = "TO FILL"


# ---------------------------------------------------------------------------------
# Helpers

def walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) pair in a record, depth first."""
    # An explicit stack rather than recursive generators: several rules walk every
    # record, and nested `yield from` made each value cost as much as its depth.
    stack = [(path, data)]
    pop, push = stack.pop, stack.extend
    while stack:
        path, value = pop()
        yield path, value
        if isinstance(value, dict):
            push([(path + (key,), item) for key, item in reversed(value.items())])
        elif isinstance(value, list):
            push([(path + (index,), value[index]) for index in range(len(value) - 1, -1, -1)])


def fields(record: Record) -> dict[Any, list[tuple[tuple, Any]]]:
    """Every (path, value) pair in a record, grouped by the last key of its path.

    Several rules look for particular keys anywhere in a record; one walk shared by
    all of them, kept only while the record's rules run, is several times faster than
    a walk per rule (the validator must stay close to the time of parsing alone)."""
    if record._fields is None:
        grouped: dict[Any, list[tuple[tuple, Any]]] = defaultdict(list)
        for path, value in walk(record.data):
            if path:
                grouped[path[-1]].append((path, value))
        record._fields = grouped
    return record._fields


def value_at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def parse_partial_date(text: str) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest day a partial date can mean; None when not a real date."""
    parts = [int(p) for p in text.split("-")]
    year, month, day = parts + [None] * (3 - len(parts))
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        exact = dt.date(year, month, day)
        return exact, exact
    except ValueError:
        return None


def decimals(number: float | int) -> int:
    if isinstance(number, int):
        return 0
    text = repr(number)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def arms_of(record: Record) -> dict[str, dict]:
    return {a["id"]: a for a in record.data.get("arms", [])}


# ---------------------------------------------------------------------------------
# Per-record rules

@rule("id-mismatch", "A record's id must equal its file name.")
def id_matches_file(record: Record, ctx: Context) -> Iterator[Problem]:
    if record.id != record.stem:
        yield record.problem("id-mismatch", ("id",), f"id '{record.id}' does not match the file name '{record.path.name}'; rename the file to '{record.id}.yaml' or fix the id")


@rule("duplicate-local-id", "Arm, outcome, check and criterion ids must be unique within a record.")
def local_ids_unique(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    groups = {
        ("arms",): d.get("arms", []),
        ("outcomes",): d.get("outcomes", []),
        ("provenance", "checks"): d.get("provenance", {}).get("checks", []),
    }
    for gi, group in enumerate(d.get("groups", [])):
        groups[("groups", gi, "items")] = group.get("items", [])
    if record.kind == "criteria":  # criterion ids are unique across the whole record
        groups = {k: v for k, v in groups.items() if k[0] != "groups"}
        groups[("groups",)] = [item for g in d.get("groups", []) for item in g.get("items", [])]
    for base, items in groups.items():
        seen: set[str] = set()
        for index, item in enumerate(items):
            local = item.get("id")
            if local in seen:
                path = base + (index, "id") if base != ("groups",) else ("groups",)
                yield record.problem("duplicate-local-id", path, f"id '{local}' is used twice in {'.'.join(map(str, base))}")
            seen.add(local)


def _references(record: Record) -> Iterator[tuple[tuple, str, str]]:
    """(path, target kind, id) for every cross-record reference in a record."""
    grouped = fields(record)
    for key, kind in _REFERENCE_KEYS:
        for path, value in grouped.get(key, ()):
            if not isinstance(value, str):
                continue
            if ((key == "measure" and len(path) < 2) or (key == "record" and "checks" not in path)
                    or (key == "criteria" and path[:2] != ("case", "criteria_met"))):
                continue
            yield path, kind, value
    listed = record.data.get("criteria")  # a study's list of the criteria it applies
    if isinstance(listed, list):
        for index, value in enumerate(listed):
            if isinstance(value, str):
                yield ("criteria", index), "criteria", value


# Keys whose text value names another record, and that record's kind (a top-level
# 'measure' is a measure record's own field, 'record' counts only inside checks, and
# 'criteria' only as case.criteria_met.criteria).
_REFERENCE_KEYS = (("regimen", "regimen"), ("measure", "measure"), ("study", "study"), ("cited_in", "study"),
                   ("record", "study"), ("criteria", "criteria"), ("supersedes", "finding"))


@rule("unresolved-reference", "Every reference (regimen, measure, study, criteria, arm, step, provenance check) must resolve.")
def references_resolve(record: Record, ctx: Context) -> Iterator[Problem]:
    yield from _other_records(record, ctx)
    yield from _local_references(record, ctx)


def _other_records(record: Record, ctx: Context) -> Iterator[Problem]:
    """References to other records; also run on records that fail their schema."""
    for path, kind, target in _references(record):
        if target in ctx.ids[kind] or target.startswith(PLACEHOLDER):
            continue
        if (kind, target) in ctx.unloadable:
            ctx.blocked[(kind, target)].add(record.rel)  # said once, by the broken file
            continue
        yield record.problem("unresolved-reference", path, f"no {kind} record '{target}' (expected evidence/{_folder(kind)}/{target}.yaml)"
                             + _closest(ctx, kind, target))


def _closest(ctx: Context, kind: str, given: str) -> str:
    """'; did you mean ...?' naming the ids of the closest records of a kind, matching
    the text against their ids, names, short names and aliases ('asct' -> 'asct-hdm')."""
    if kind not in ctx._names:
        names: dict[str, set[str]] = defaultdict(set)
        for rid in ctx.ids[kind]:
            names[rid].add(rid)
        for (k, rid), other in ctx.by_id.items():
            if k == kind:
                d = other.data
                for name in [d.get("name"), d.get("short_name"), *(d.get("aliases") or [])]:
                    if isinstance(name, str):
                        names[name.lower()].add(rid)
        ctx._names[kind] = names
    names = ctx._names[kind]
    close = [given.lower()] if given.lower() in names else closest(given, list(names))
    ids = list(dict.fromkeys(rid for name in close for rid in sorted(names[name])))[:3]
    return "; did you mean " + " or ".join(f"'{rid}'" for rid in ids) + "?" if ids else ""


def _folder(kind: str) -> str:
    return next(f for f, k in KIND_FOLDERS.items() if k == kind)


def _local_references(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    checks = {c["id"] for c in d.get("provenance", {}).get("checks", [])}
    for path, value in fields(record).get("check", ()):
        if isinstance(value, str) and value not in checks:
            yield record.problem("unresolved-reference", path, f"no provenance check '{value}' in provenance.checks (have: {', '.join(sorted(checks)) or 'none'})")
    arms = arms_of(record)
    for i, outcome in enumerate(d.get("outcomes", [])):
        arm = outcome.get("arm")
        if arm is not None and arm not in arms:
            yield record.problem("unresolved-reference", ("outcomes", i, "arm"), f"no arm '{arm}' in this study (have: {', '.join(arms) or 'none'})")
        compared = outcome.get("p", {}).get("compared_with")
        if compared is not None and compared not in arms:
            yield record.problem("unresolved-reference", ("outcomes", i, "p", "compared_with"), f"no arm '{compared}' in this study")
        after = outcome.get("after")
        if after is not None:
            steps = {s["regimen"] for s in arms.get(arm, {}).get("steps", [])} | ({arms[arm]["regimen"]} if arm in arms else set())
            if after not in steps:
                yield record.problem("unresolved-reference", ("outcomes", i, "after"), f"'{after}' is not a step of arm '{arm}'" if arm else "'after' needs an 'arm' whose steps include it")
    case = d.get("case", {})
    if "criteria_met" in case and case["criteria_met"].get("criteria"):
        target = case["criteria_met"]["criteria"]
        items = _criterion_ids(ctx, target)
        if items is not None:
            for j, met in enumerate(case["criteria_met"].get("met", [])):
                if met["criterion"] not in items:
                    yield record.problem("unresolved-reference", ("case", "criteria_met", "met", j, "criterion"), f"criteria record '{target}' has no criterion '{met['criterion']}'")


def _criterion_ids(ctx: Context, target: str) -> set[str] | None:
    other = ctx.by_id.get(("criteria", target))
    if other is None:
        return None
    return {item.get("id") for g in other.data.get("groups", []) for item in g.get("items", [])}


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


@rule("identifier", "DOI, PMID, PMCID and trial registration numbers must be well formed.")
def identifiers_well_formed(record: Record, ctx: Context) -> Iterator[Problem]:
    for key in ("doi", "pmid", "pmcid"):
        value = record.data.get(key, {}).get("value") if isinstance(record.data.get(key), dict) else None
        if isinstance(value, str) and not IDENTIFIER_PATTERNS[key].fullmatch(value):
            yield record.problem("identifier", (key, "value"), f"'{value}' is not a well-formed {key.upper()} (e.g. {IDENTIFIER_EXAMPLES[key]}){_not_ascii(value)}")
    for i, reg in enumerate(record.data.get("registrations", [])):
        pattern = IDENTIFIER_PATTERNS[reg["registry"]]
        if not pattern.fullmatch(reg["value"]):
            yield record.problem("identifier", ("registrations", i, "value"), f"'{reg['value']}' is not a well-formed {reg['registry']} number (e.g. {IDENTIFIER_EXAMPLES[reg['registry']]}){_not_ascii(reg['value'])}")


def _not_ascii(value: str) -> str:
    """Names the first character an identifier cannot hold (they are printable ASCII),
    since an invisible one cannot be seen in the message itself."""
    odd = next((c for c in value if not " " < c <= "~"), None)
    if odd is None:
        return ""
    name = unicodedata.name(odd, "a control character" if unicodedata.category(odd) == "Cc" else "an unnamed character")
    return f"; it contains U+{ord(odd):04X} ({name}), and identifiers are plain ASCII"


_DATE_KEYS = {"start", "end", "date", "from", "to", "current_to", "published", "curated", "judged"}


@rule("date-invalid", "Dates must be real calendar dates, and checks cannot be dated in the future.")
def dates_real(record: Record, ctx: Context) -> Iterator[Problem]:
    grouped = fields(record)
    for path, value in (item for key in _DATE_KEYS for item in grouped.get(key, ())):
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
            span = parse_partial_date(value)
            if span is None:
                yield record.problem("date-invalid", path, f"'{value}' is not a real date")
            elif span[0] > ctx.today:
                yield record.problem("date-invalid", path, f"'{value}' is in the future")


def _span(value: Any) -> tuple[dt.date, dt.date] | None:
    return parse_partial_date(value) if isinstance(value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value) else None


@rule("date-order", "Enrolment starts before it ends and before publication; searches precede publication; a case timeline runs forward.")
def dates_in_order(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    year = d.get("year", {}).get("value") if isinstance(d.get("year"), dict) else None
    enrol = d.get("enrolment", {})
    start, end = _span(enrol.get("start")), _span(enrol.get("end"))
    if start and end and start[0] > end[1]:
        yield record.problem("date-order", ("enrolment", "end"), f"enrolment ends ({enrol['end']}) before it starts ({enrol['start']})")
    for key, span in (("end", end), ("start", start)):
        if span and year and span[0].year > year:
            yield record.problem("date-order", ("enrolment", key), f"enrolment {key} {enrol[key]} is after the publication year {year}")
            break
    timeline = d.get("case", {}).get("timeline", [])
    for i in range(1, len(timeline)):
        before, after = _span(timeline[i - 1]["date"]), _span(timeline[i]["date"])
        if before and after and after[1] < before[0]:
            yield record.problem("date-order", ("case", "timeline", i, "date"), f"{timeline[i]['date']} comes before the previous event ({timeline[i - 1]['date']})")
    published = _span(d.get("published"))
    latest = None
    for i, search in enumerate(d.get("searches", [])):
        to, frm = _span(search.get("to")), _span(search.get("from"))
        if frm and to and frm[0] > to[1]:
            yield record.problem("date-order", ("searches", i, "from"), f"search period starts ({search['from']}) after it ends ({search['to']})")
        if to and published and to[0] > published[1]:
            yield record.problem("date-order", ("searches", i, "to"), f"search date {search['to']} is after publication {d['published']}")
        if to and (latest is None or to[0] > latest[0]):
            latest = to
    current = _span(d.get("current_to"))
    if current and latest and current[1] < latest[0]:
        yield record.problem("date-order", ("current_to",), f"current_to {d['current_to']} is earlier than the latest search ({latest[0].isoformat()})")


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


@rule("rct-arms", "A randomised trial has at least two arms.")
def randomised_has_arms(record: Record, ctx: Context) -> Iterator[Problem]:
    if record.data.get("design") == "randomised-controlled-trial" and len(record.data.get("arms", [])) < 2:
        yield record.problem("rct-arms", ("arms",), "a randomised controlled trial needs at least two arms")


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


@rule("review-design", "Reviews and guidelines have no arms; primary studies have at least one.")
def review_shape(record: Record, ctx: Context) -> Iterator[Problem]:
    design = record.data.get("design")
    if design in REVIEW_DESIGNS and record.data.get("arms"):
        yield record.problem("review-design", ("arms",), f"a {design} reports other studies; curate their arms in their own records")
    if design not in REVIEW_DESIGNS and record.kind == "study" and not record.data.get("arms"):
        yield record.problem("review-design", ("arms",), "a primary study needs at least one arm")


@rule("overlap-self", "A study cannot overlap with or cite itself.")
def no_self_reference(record: Record, ctx: Context) -> Iterator[Problem]:
    for key in ("overlaps", "cites"):
        for i, item in enumerate(record.data.get(key, [])):
            if item.get("study") == record.id:
                yield record.problem("overlap-self", (key, i, "study"), f"a study cannot list itself in {key}")


@rule("unverified", "Warning: a fact or figure is recorded as unverified (shown flagged on the site).")
def unverified_facts(record: Record, ctx: Context) -> Iterator[Problem]:
    for path, status in fields(record).get("status", ()):
        if status == "unverified":
            fact = value_at(record.data, path[:-1])
            yield record.problem("unverified", path[:-1], fact.get("reason", "unverified"), severity="warning")


@rule("reserved-id", "A record id must not be a name the site gives its own pages or anchors beside record ids (an index page, a heading).")
def id_not_reserved(record: Record, ctx: Context) -> Iterator[Problem]:
    uses = _reserved(ctx.schemas, record.kind)
    if record.id in uses:
        yield record.problem("reserved-id", ("id",), f"id '{record.id}' is the site's own name for {uses[record.id]}; choose another id (and file name)")


@cache
def _reserved(schemas: Schemas, kind: str) -> dict[str, str]:
    return sitenames.reserved(kind, schemas.enum("measure", "properties", "domain"))


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


@rule("date-plausible", f"A publication year is not after this year, and no date is before {EARLIEST_YEAR}.")
def dates_plausible(record: Record, ctx: Context) -> Iterator[Problem]:
    year = record.data.get("year", {}).get("value") if isinstance(record.data.get("year"), dict) else None
    if isinstance(year, int) and year > ctx.today.year:
        yield record.problem("date-plausible", ("year", "value"), f"publication year {year} is after this year ({ctx.today.year})")
    grouped = fields(record)
    for path, value in (item for key in _DATE_KEYS for item in grouped.get(key, ())):
        # The year alone decides (date-invalid judges the rest of the date).
        if isinstance(value, str) and value[:4].isdigit() and int(value[:4]) < EARLIEST_YEAR:
            yield record.problem("date-plausible", path, f"'{value}' is before {EARLIEST_YEAR}; no date in this knowledge base can be that early")


_LEVELS = ["very-low", "low", "moderate", "high"]
_DOWN = {"not-serious": 0, "serious": 1, "very-serious": 2, "undetected": 0, "strongly-suspected": 1}
_UP = {"none": 0, "large": 1, "very-large": 2}
_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")


@rule("certainty", "A certainty rating's level follows from its starting level and domains; its start follows from its studies' designs, each of which reports the measure for the regimen.")
def certainty_follows(record: Record, ctx: Context) -> Iterator[Problem]:
    if record.kind != "regimen":
        return
    for i, rating in enumerate(record.data.get("certainty", [])):
        for j, outcome in enumerate(rating["outcomes"]):
            where = ("certainty", i, "outcomes", j)
            yield from _certainty_studies(record, ctx, outcome, where)
            yield from _certainty_level(record, outcome, where)


def _certainty_studies(record: Record, ctx: Context, outcome: dict, where: tuple) -> Iterator[Problem]:
    randomised = []
    for k, sid in enumerate(outcome["studies"]):
        study = ctx.by_id.get(("study", sid))
        if study is None:
            if sid not in ctx.ids["study"]:
                yield record.problem("certainty", where + ("studies", k), f"no study record '{sid}' (expected evidence/studies/{sid}.yaml)")
            continue
        if study.data.get("design") == "randomised-controlled-trial":
            randomised.append(sid)
        if not _reports_for(study.data, record.id, outcome["measure"]):
            yield record.problem("certainty", where + ("studies", k), f"study '{sid}' does not report {outcome['measure']} for {record.id}; list only the studies the rating rests on")
    start = "high" if randomised else "low"
    if outcome["start"] != start:
        why = f"{', '.join(randomised)} is a randomised trial" if randomised else "none of its studies is a randomised trial"
        yield record.problem("certainty", where + ("start",), f"start '{outcome['start']}' should be '{start}': {why}")


def _reports_for(study: dict, regimen: str, measure: str) -> bool:
    """Whether a study reports a treatment result for this measure that counts for this
    regimen: from an arm it defines or is a step of, or from the whole cohort when every
    arm received it (the comparison's attribution; associations never count)."""
    arms = {a["id"]: a for a in study.get("arms", [])}
    every_arm = {a["regimen"] for a in arms.values()} == {regimen}
    for o in study.get("outcomes", []):
        if o.get("measure") != measure or o.get("role") == "association":
            continue
        arm = arms.get(o.get("arm"))
        if arm is None and every_arm:
            return True
        if arm is not None and (o.get("after") or arm["regimen"]) == regimen:
            return True
        if arm is not None and not o.get("after") and regimen in {s["regimen"] for s in arm.get("steps", [])}:
            return True
    return False


def _certainty_level(record: Record, outcome: dict, where: tuple) -> Iterator[Problem]:
    down = [(d, outcome[d]["decision"]) for d in _DOMAINS if _DOWN[outcome[d]["decision"]]]
    up = _UP[outcome.get("large_effect", {}).get("decision", "none")]
    if up and outcome["start"] == "high":
        yield record.problem("certainty", where + ("large_effect", "decision"), "rating up for a large effect applies to observational evidence only (start low)")
    steps = _LEVELS.index(outcome["start"]) - sum(_DOWN[decision] for _, decision in down) + up
    expected = _LEVELS[max(0, min(len(_LEVELS) - 1, steps))]
    if outcome["level"] != expected:
        because = ", ".join(f"{d.replace('_', ' ')} {decision}" for d, decision in down) or "no domain rated down"
        yield record.problem("certainty", where + ("level",),
                             f"level '{outcome['level']}' does not follow from the domains: start {outcome['start']}, {because}"
                             f"{f', rated up {up} for a large effect' if up else ''} gives '{expected}'")
# Values a narrower population (an arm, an outcome) cannot take inside a wider one. The
# line of therapy only moves forward: patients relapsed at entry are never newly diagnosed
# later, but a newly diagnosed cohort can report what happened at relapse (a second
# transplant at progression), so 'relapsed-refractory' inside 'newly-diagnosed' is allowed.
# 'unknown' says less, never something else, and is always allowed.
_CONFLICTS = {
    "line": {"relapsed-refractory": {"newly-diagnosed", "mixed"}},
    "transplant": {"eligible": {"ineligible", "mixed"}, "ineligible": {"eligible", "mixed"}},
}


@rule("population-conflict", "An arm's or outcome's population cannot contradict the study's or its arm's: no newly-diagnosed patients in a relapsed-refractory study, no transplant-ineligible ones among eligible patients (or the reverse).")
def populations_agree(record: Record, ctx: Context) -> Iterator[Problem]:
    study = record.data.get("population", {})
    wider = {"line": ("the study's population.status", study.get("status")),
             "transplant": ("the study's population.transplant", study.get("transplant"))}
    arms = {}
    for i, arm in enumerate(record.data.get("arms", [])):
        mine = arm.get("population", {})
        yield from _population_conflicts(record, ("arms", i, "population"), mine, wider)
        arms[arm.get("id")] = {key: (f"arm '{arm.get('id')}' population.{key}", mine[key]) if key in mine else wider[key]
                               for key in _CONFLICTS}
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        parent = arms.get(outcome.get("arm"), wider)
        yield from _population_conflicts(record, ("outcomes", i, "population"), outcome.get("population", {}), parent)


def _population_conflicts(record: Record, path: tuple, mine: dict, wider: dict) -> Iterator[Problem]:
    for key, conflicts in _CONFLICTS.items():
        where, theirs = wider[key]
        if key in mine and mine[key] in conflicts.get(theirs, ()):
            yield record.problem("population-conflict", path + (key,),
                                 f"'{mine[key]}' contradicts {where} '{theirs}': these patients are part of that population; give the same value or correct the wider one")


_RATIOS = {"hazard-ratio", "odds-ratio"}


@rule("ratio-role", "A hazard or odds ratio in a one-arm study compares patients, not treatments: it must say role: association.")
def ratios_are_associations(record: Record, ctx: Context) -> Iterator[Problem]:
    if len(record.data.get("arms", [])) != 1:
        return
    for i, outcome in enumerate(record.data.get("outcomes", [])):
        if outcome.get("value", {}).get("type") in _RATIOS and outcome.get("role", "treatment") != "association":
            yield record.problem("ratio-role", ("outcomes", i),
                                 f"{'an' if outcome['value']['type'] == 'odds-ratio' else 'a'} {outcome['value']['type']} in a one-arm study is a prognostic factor's effect, not a treatment result; add 'role: association'")


# Prose fields, the only ones whose text may span lines (a YAML block scalar: `|`, or
# `>` which keeps a final line break). Every other field is one line: a break in a
# title, a name or an identifier has no meaning and could forge a line of output.
MULTILINE_FIELDS = frozenset({"summary", "plain_summary", "note", "notes", "comment", "definition", "description", "statement",
                              "interpretation", "presentation", "eligibility", "basis", "reason", "effect", "differences"})


def _field_name(path: tuple) -> str | None:
    """The field a text belongs to: the last key of its path, looking through 'value'
    (a fact's value) and list positions."""
    return next((p for p in reversed(path) if isinstance(p, str) and p != "value"), None)


@rule("forbidden-character", "Record text holds no control characters (C0, DEL, C1), bidirectional controls, "
      "zero-width or other invisible characters, in values or keys; line breaks only in prose fields.")
def no_hidden_characters(record: Record, ctx: Context) -> Iterator[Problem]:
    # YAML's double-quoted escapes ("\\e", "\\u202e", "\\x85") deliver characters that
    # the loader's scan of the file's text never sees, so the parsed values are checked.
    # Only an escape (a backslash) or the character itself in the file can put one in a
    # value, line feeds aside (block scalars, blank lines in quoted text); most files
    # hold neither, and then only values with a line feed need a closer look.
    anywhere = "\\" in record.text or HIDDEN_BUT_LINE_FEED.search(record.text) is not None
    for key, items in fields(record).items():
        bad_key = anywhere and isinstance(key, str) and HIDDEN.search(key) is not None
        for path, value in items:
            if bad_key:
                yield record.problem("forbidden-character", path, _forbidden_message(key, "key", False, _field_name(path)))
            if type(value) is str and ("\n" in value or (anywhere and HIDDEN_BUT_LINE_FEED.search(value))):
                name = _field_name(path)
                multiline = name in MULTILINE_FIELDS
                if not multiline or HIDDEN_BUT_LINE_FEED.search(value):
                    yield record.problem("forbidden-character", path, _forbidden_message(value, "text", multiline, name))


def _forbidden_message(text: str, what: str, multiline: bool, name: str | None) -> str:
    """Every hidden character of the text, each named once with where it stands."""
    places: dict[str, list[int]] = {}
    for match in HIDDEN.finditer(text):
        if not (multiline and match.group() == "\n"):
            places.setdefault(match.group(), []).append(match.start() + 1)
    found = ", ".join(f"{describe(char)} at character{'s' if len(at) > 1 else ''} {', '.join(map(str, at[:5]))}"
                      f"{'...' if len(at) > 5 else ''}" for char, at in places.items()) + (" of the key" if what == "key" else "")
    if list(places) == ["\n"]:
        return f"{found}: only prose fields such as summary and note may span lines; write {name or 'this'} on one line"
    return (f"{found}: not allowed in records (control, direction and invisible characters can hide or reorder "
            "text, or drive a terminal); remove it")


# Provenance addresses: a reader must be able to follow every link to the publication
# itself. Hosts are allowed by name (documented in CONTRIBUTING.md); anything else is a
# mirror, proxy, upload or aggregator until a curator shows it is the canonical address.
CANONICAL_HOSTS = frozenset({
    # identifiers and bibliographic databases
    "doi.org", "pubmed.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ci.nii.ac.jp", "doaj.org",
    # trial registries
    "clinicaltrials.gov", "center6.umin.ac.jp", "www.umin.ac.jp", "www.chictr.org.cn", "jrct.niph.go.jp",
    "www.clinicaltrialsregister.eu", "www.isrctn.com",
    # publishers, journals and meeting-abstract sites
    "ashpublications.org", "ash.confex.com", "bmt.confex.com", "www.nature.com", "link.springer.com",
    "jnnp.bmj.com", "journals.lww.com", "onlinelibrary.wiley.com", "www.cochranelibrary.com",
    "www.bloodresearch.or.kr", "www.jstage.jst.go.jp", "www.sciencedirect.com", "academic.oup.com",
    "haematologica.org", "www.tandfonline.com", "www.thelancet.com", "n.neurology.org",
    # authors' institutions' research portals, and news publishers (secondary reports)
    "mayoclinic.elsevierpure.com", "kyushu-u.pure.elsevier.com", "researchinformation.amsterdamumc.org",
    "www.medwirenews.com",
})
_URL = re.compile(r"(?P<scheme>[a-z]+)://(?P<host>[^/:?#\s]+)(?::(?P<port>[0-9]+))?", re.IGNORECASE)


@rule("source-address", "A provenance address is https on a canonical host (doi.org, PubMed, PMC, the publisher, the registry): never a mirror, proxy, upload site or raw IP.")
def source_addresses(record: Record, ctx: Context) -> Iterator[Problem]:
    for path, url in fields(record).get("url", ()):
        if not isinstance(url, str):
            continue
        m = _URL.match(url)
        host = (m.group("host") if m else "").lower()
        if not m or m.group("scheme").lower() != "https":
            yield record.problem("source-address", path, f"'{url}' is not an https address; link the publication's canonical https page (see CONTRIBUTING.md, 'Source addresses')")
        elif host not in CANONICAL_HOSTS or m.group("port"):
            yield record.problem("source-address", path, f"'{host}' is not a canonical source host; link the publication itself (doi.org, PubMed, PMC, the publisher or the registry) and name a third-party copy in 'where' and 'note' without linking it (see CONTRIBUTING.md, 'Source addresses')")


# Numbers a summary may state: those the record holds elsewhere (values, counts and
# their percentages, and numbers written in its other texts), within rounding.
_NUMBER = re.compile(r"(?<![A-Za-z0-9.^])([0-9]+(?:\.[0-9]+)?)(?![0-9A-Za-z])")
_WORDS = dict(zip("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), range(2, 20)))
_TENS = dict(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10)))
_WORD_NUMBER = re.compile(r"\b(%s)(?:-(%s))?\b|\b(%s)\b" % ("|".join(_TENS), "|".join(list(_WORDS)[:8]) + "|one", "|".join(_WORDS)), re.IGNORECASE)
SUMMARY_KEYS = ("summary", "plain_summary")
IDENTIFIER_KEYS = ("doi", "pmid", "pmcid", "registrations")
HEDGES = ("unverified", "not confirmed", "unconfirmed", "reportedly", "news report", "according to")


def summary_numbers(text: str) -> list[float]:
    out = [float(n) for n in _NUMBER.findall(text)]
    for tens, unit, word in _WORD_NUMBER.findall(text):
        if word:
            out.append(float(_WORDS[word.lower()]))
        else:
            out.append(float(_TENS[tens.lower()] + (1 if unit.lower() == "one" else _WORDS.get(unit.lower(), 0))))
    return out


def _held_numbers(record: Record) -> tuple[set[float], set[float]]:
    """(numbers held by verified or unmarked fields, numbers held only under 'unverified')."""
    held: dict[float, bool] = {}  # number -> held by a field that is not unverified

    def add(number: float, sure: bool) -> None:
        for n in {number, round(number), round(number, 1)}:
            held[n] = held.get(n, False) or sure
    for path, value in walk(record.data):
        if path and (path[0] in SUMMARY_KEYS or path[0] in IDENTIFIER_KEYS or path[-1] == "url"):
            continue  # identifiers and addresses hold digits, not figures
        sure = not _under_unverified(record.data, path)
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            add(float(value), sure)
        elif isinstance(value, str):
            for n in summary_numbers(value):
                add(n, sure)
        elif isinstance(value, dict) and isinstance(value.get("n"), int) and isinstance(value.get("of"), int) and value["of"]:
            add(100 * value["n"] / value["of"], sure)
    return {n for n, s in held.items() if s}, {n for n, s in held.items() if not s}


def _under_unverified(data: Any, path: tuple) -> bool:
    for depth in range(len(path)):
        node = value_at(data, path[:depth])
        if isinstance(node, dict) and node.get("status") == "unverified":
            return True
    return False


@rule("summary-unverified", "A summary or plain summary may not state as certain a number the record holds only as unverified: it says 'not confirmed' or leaves it out.")
def summaries_hedge_unverified(record: Record, ctx: Context) -> Iterator[Problem]:
    yield from (p for p in _summary_problems(record) if p.code == "summary-unverified")


@rule("summary-number", "Warning: a summary or plain summary states a number that no other field of the record holds (a figure without a locator).")
def summaries_hold_their_numbers(record: Record, ctx: Context) -> Iterator[Problem]:
    yield from (p for p in _summary_problems(record) if p.code == "summary-number")


def _summary_problems(record: Record) -> Iterator[Problem]:
    texts = [(key, record.data.get(key)) for key in SUMMARY_KEYS if isinstance(record.data.get(key), str)]
    if not texts:
        return
    sure, unsure = _held_numbers(record)
    for key, text in texts:
        for sentence in re.split(r"(?<=[.;])\s+", text):
            for number in summary_numbers(sentence):
                shown = f"{number:g}"
                if number in sure:
                    continue
                if number in unsure:
                    if not any(h in sentence.lower() for h in HEDGES):
                        yield record.problem("summary-unverified", (key,), f"states {shown} as certain, but the record holds it only as unverified; say it is not confirmed, or leave it out")
                else:
                    yield record.problem("summary-number", (key,), f"states {shown}, which no field of this record holds; record the figure with its locator, or leave it out", severity="warning")


# ---------------------------------------------------------------------------------
# Cross-record rules

@cross_rule("duplicate-id", "Two records of one kind must not share an id.")
def ids_unique(ctx: Context) -> Iterator[Problem]:
    counts = Counter((r.kind, id_key(r.id)) for r in ctx.records if r.id != "-")
    for record in ctx.records:
        if record.id != "-" and counts[(record.kind, id_key(record.id))] > 1:
            others = [r.rel for r in ctx.records if (r.kind, id_key(r.id)) == (record.kind, id_key(record.id)) and r is not record]
            yield record.problem("duplicate-id", ("id",), f"id '{record.id}' is also used by {', '.join(others)}")


@cross_rule("duplicate-identifier", "A DOI, PMID or PMCID belongs to one study record only, however it is written (case, Unicode form, percent-encoding, invisible characters).")
def identifiers_unique(ctx: Context) -> Iterator[Problem]:
    owners: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in ctx.records:
        if record.kind != "study":
            continue
        for key in ("doi", "pmid", "pmcid"):
            fact = record.data.get(key)
            if isinstance(fact, dict) and isinstance(fact.get("value"), str):
                owners[(key, identifier_key(key, fact["value"]))].append(record)
    for (key, value), records in owners.items():
        if len(records) > 1:
            for record in records:
                mine = record.data[key]["value"]
                others = ", ".join(r.id if r.data[key]["value"] == mine else f"{r.id} (written '{r.data[key]['value']}')"
                                   for r in sorted(records, key=lambda r: r.rel) if r is not record)
                yield record.problem("duplicate-identifier", (key, "value"), f"{key.upper()} {value} is also recorded by {others}")


@cross_rule("supersedes-cycle", "A finding cannot supersede itself, nor can findings supersede each other in a cycle.")
def supersedes_acyclic(ctx: Context) -> Iterator[Problem]:
    successor = {r.id: r.data["supersedes"] for r in ctx.records if r.kind == "finding" and isinstance(r.data.get("supersedes"), str)}
    records = {r.id: r for r in ctx.records if r.kind == "finding"}
    state: dict[str, int] = {}  # 1 on the path being followed, 2 finished
    for start in successor:
        path: list[str] = []
        node = start
        while node in successor and node not in state:  # each finding names one other: a chain
            state[node] = 1
            path.append(node)
            node = successor[node]
        if state.get(node) == 1:  # the chain came back to itself: node..end is a cycle
            cycle = path[path.index(node):]
            for k, fid in enumerate(cycle):
                order = cycle[k:] + cycle[:k] + [fid]
                message = (f"finding '{fid}' supersedes itself" if len(cycle) == 1 else
                           f"findings supersede each other in a cycle: {' -> '.join(order)}")
                yield records[fid].problem("supersedes-cycle", ("supersedes",), message + "; 'supersedes' names an earlier finding")
        for fid in path:
            state[fid] = 2


@cross_rule("overlap-conflict", "Two overlap declarations about one pair of studies must agree (A same-cohort B contradicts B superset-of A).")
def overlaps_agree(ctx: Context) -> Iterator[Problem]:
    # Every declaration, read from the study with the smaller id: A subset-of B and
    # B superset-of A say the same; A subset-of B and B subset-of A do not.
    by_pair: dict[tuple[str, str], list[tuple[Record, int, str, str]]] = defaultdict(list)
    for record in ctx.records:
        if record.kind != "study":
            continue
        declared = record.data.get("overlaps")
        # Cross-record rules also see records that failed their schema: read defensively.
        for i, item in enumerate(declared if isinstance(declared, list) else []):
            other, relation = (item.get("study"), item.get("relation")) if isinstance(item, dict) else (None, None)
            if isinstance(other, str) and isinstance(relation, str) and other != record.id:
                read = relation if record.id < other else OVERLAP_INVERSE.get(relation, relation)
                by_pair[tuple(sorted((record.id, other)))].append((record, i, relation, read))
    for declarations in by_pair.values():
        if len({read for *_, read in declarations}) < 2:
            continue
        for record, i, relation, read in declarations:
            other = record.data["overlaps"][i]["study"]
            for r2, j, relation2, read2 in declarations:
                if read2 == read:
                    continue
                if r2 is record:
                    said = f"overlaps[{j}] says '{relation2}' for the same study"
                else:
                    said = (f"{other} ({r2.rel}) says it is '{relation2}' {record.id}, which from this side reads "
                            f"'{OVERLAP_INVERSE.get(relation2, relation2)}'")
                yield record.problem("overlap-conflict", ("overlaps", i, "relation"),
                                     f"this study is declared '{relation}' {other}, but {said}; make the declarations agree")


@cross_rule("not-checked", "Warning: records that refer to a record file that failed to load were not checked against it.")
def not_checked_against_broken(ctx: Context) -> Iterator[Problem]:
    for (kind, target), users in sorted(ctx.blocked.items()):
        where = ctx.unloadable[(kind, target)]
        listed = ", ".join(sorted(users)[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
        yield Problem(where, 1, 1, "warning", "not-checked", "-", "-",
                      f"{len(users)} record(s) refer to {kind} '{target}' and were not checked against it, because this "
                      f"file did not load (its error is reported above): {listed}")


def unloaded_ids(problems: list[Problem]) -> dict[tuple[str, str], str]:
    """(kind, id) -> path for every record file that failed to load (its id taken from
    its file name, which is all that is known of it)."""
    found = {}
    for problem in problems:
        parts = problem.path.split("/")
        if len(parts) == 3 and parts[0] == "evidence" and parts[1] in KIND_FOLDERS and parts[2].endswith(".yaml"):
            found[(KIND_FOLDERS[parts[1]], parts[2][: -len(".yaml")])] = problem.path
    return found


def placeholders(record: Record) -> list[tuple[tuple, str]]:
    """(path, text) of every value still holding the scaffold's placeholder."""
    return [(path, value) for path, value in walk(record.data) if isinstance(value, str) and value.startswith(PLACEHOLDER)]


@cross_rule("duplicate-label", "Two studies must not share a label: pages name each study by it.")
def labels_unique(ctx: Context) -> Iterator[Problem]:
    owners: dict[str, list[Record]] = defaultdict(list)
    for record in ctx.records:
        label = record.data.get("label") if record.kind == "study" else None
        if isinstance(label, str):
            owners[label.casefold()].append(record)
    for records in owners.values():
        for record in records if len(records) > 1 else ():
            others = ", ".join(r.id for r in records if r is not record)
            yield record.problem("duplicate-label", ("label",), f"label '{record.data['label']}' is also used by {others}")


def check_schema(record: Record, schemas: Schemas) -> list[Problem]:
    marked = placeholders(record)
    problems = []
    for path, text in marked:
        where = path[:-1] if path and path[-1] == "reason" else path  # a fact's reason: name the fact
        what = text[len(PLACEHOLDER):].lstrip(": ")
        problems.append(record.problem("placeholder", where, f"still to fill: {what}"))
    # A placeholder where a number or one of a list belongs also fails the schema; that
    # error would only repeat that the field is not filled in yet.
    problems.extend(record.problem("schema", path, message) for path, message in schemas.errors(record)
                    if not any(path[: len(p)] == p for p, _ in marked))
    return problems


# Checks that only read ids and references to other records, and so still run on a
# record that fails its schema: a contributor sees a wrong regimen id in the same run as
# a schema error. Their problems at a field the schema already faults are left out.
CHECKED_WHEN_INVALID = (id_matches_file, _other_records)


def check_records(records: list[Record], schemas: Schemas, today: dt.date | None = None,
                  only: set[str] | None = None, unloadable: dict[tuple[str, str], str] | None = None) -> list[Problem]:
    """Schema and integrity problems for the records (all of them, or only those whose
    relative path is in `only`); cross-record rules always see every record. `unloadable`
    names the record files that failed to load (unloaded_ids), so that records pointing
    at them are not blamed for it."""
    ctx = Context(schemas, records, **({"today": today} if today else {}))
    ctx.unloadable = {key: rel for key, rel in (unloadable or {}).items() if key[1] not in ctx.ids[key[0]]}
    problems: list[Problem] = []
    valid: list[Record] = []
    invalid: list[tuple[Record, set[str]]] = []  # with the fields its schema errors name
    for record in records:
        if only is not None and record.rel not in only:
            valid.append(record)
            continue
        found = check_schema(record, schemas)
        problems.extend(found)
        if found:
            invalid.append((record, {p.field for p in found}))
            # Needs no valid shape, and hidden text is worth knowing about at once.
            problems.extend(no_hidden_characters(record, ctx))
        else:
            valid.append(record)
    # Rules read other records' fields (a measure's value_types, a criteria record's
    # items) only through by_id, so it must hold only records that passed the schema.
    # A reference to an invalid record still resolves (ids); its own errors are reported.
    passed = {id(r) for r in valid}
    ctx.by_id = {key: r for key, r in ctx.by_id.items() if id(r) in passed}
    for record in valid:
        if only is not None and record.rel not in only:
            continue
        for _, func in RULES.values():
            problems.extend(func(record, ctx))
        record._nodes = record._fields = None  # built per record on demand; free them
    for record, faulted in invalid:
        for check in CHECKED_WHEN_INVALID:
            try:
                problems.extend(p for p in check(record, ctx) if p.field not in faulted)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError):
                pass  # malformed where the schema errors already say so
        record._nodes = record._fields = None
    for _, func in CROSS_RULES.values():
        # not-checked stands at the broken file, which is not a record and so never in `only`.
        problems.extend(p for p in func(ctx) if only is None or p.path in only or p.code == "not-checked")
    return problems
