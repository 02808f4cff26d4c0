"""Rules on study design and the populations and certainty ratings built on it."""
from __future__ import annotations

from typing import Iterator

from ..load import Record
from ..problems import Problem
from .base import Context, rule


REVIEW_DESIGNS = {"systematic-review", "narrative-review", "guideline"}


@rule("rct-arms", "A randomised trial has at least two arms.")
def randomised_has_arms(record: Record, ctx: Context) -> Iterator[Problem]:
    if record.data.get("design") == "randomised-controlled-trial" and len(record.data.get("arms", [])) < 2:
        yield record.problem("rct-arms", ("arms",), "a randomised controlled trial needs at least two arms")


@rule("review-design", "Reviews and guidelines have no arms; primary studies have at least one.")
def review_shape(record: Record, ctx: Context) -> Iterator[Problem]:
    design = record.data.get("design")
    if design in REVIEW_DESIGNS and record.data.get("arms"):
        yield record.problem("review-design", ("arms",), f"a {design} reports other studies; curate their arms in their own records")
    if design not in REVIEW_DESIGNS and record.kind == "study" and not record.data.get("arms"):
        yield record.problem("review-design", ("arms",), "a primary study needs at least one arm")


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
