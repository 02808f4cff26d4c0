"""GRADE-style certainty ratings in regimen records: the `certainty` rule, each failure
with its exact located message, on a scratch copy of the knowledge base."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from poemskb.kb import load

TODAY = dt.date(2026, 11, 26)
PATH = "evidence/regimens/mdex.yaml"
RATING = """certainty:
  - population: newly-diagnosed
    judged_by: Test curators
    judged: "2026-11-20"
    outcomes:
      - measure: haematologic-complete-response
        studies: [li-2011-blood-mdex, leukemia-2019-asct-mdex-ldex]
        start: low
        risk_of_bias: {decision: serious, reason: No control group in either series.}
        inconsistency: {decision: not-serious, reason: The two series point the same way.}
        indirectness: {decision: not-serious, reason: Newly diagnosed patients as intended.}
        imprecision: {decision: serious, reason: Few patients and few deaths.}
        publication_bias: {decision: undetected, reason: No sign of missing series.}
        level: very-low
"""


def problems(scratch: Path, rating: str) -> list[str]:
    path = scratch / PATH
    text = path.read_text(encoding="utf-8")
    head, tail = text.split("provenance:\n", 1)
    head = head.split("certainty:\n", 1)[0]  # replace the record's own ratings
    path.write_text(head + rating + "provenance:\n" + tail, encoding="utf-8")
    _, report = load(scratch, today=TODAY)
    return [p.text() for p in report.sorted() if p.path == PATH and p.severity == "error"]


def line_of(scratch: Path, needle: str) -> int:
    lines = (scratch / PATH).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_valid_rating_passes(scratch):
    assert problems(scratch, RATING) == []


def test_level_must_follow_from_the_domains(scratch):
    found = problems(scratch, RATING.replace("level: very-low", "level: low"))
    line = line_of(scratch, "level: low")
    assert found == [f"{PATH}:{line}:9: error[certainty]: mdex: certainty[0].outcomes[0].level: level 'low' does not follow "
                     "from the domains: start low, risk of bias serious, imprecision serious gives 'very-low'"]


def test_start_follows_the_designs(scratch):
    found = problems(scratch, RATING.replace("start: low", "start: high").replace("level: very-low", "level: low"))
    line = line_of(scratch, "start: high")
    assert f"{PATH}:{line}:9: error[certainty]: mdex: certainty[0].outcomes[0].start: start 'high' should be 'low': " \
           "none of its studies is a randomised trial" in found


def test_large_effect_only_rates_up_observational_evidence(scratch):
    rating = RATING.replace("start: low", "start: high").replace(
        "        level: very-low", "        large_effect: {decision: large, reason: A made-up large effect.}\n        level: moderate")
    found = problems(scratch, rating)
    line = line_of(scratch, "large_effect:")
    assert f"{PATH}:{line}:24: error[certainty]: mdex: certainty[0].outcomes[0].large_effect.decision: rating up for a large " \
           "effect applies to observational evidence only (start low)" in found


def test_listed_studies_must_report_the_measure_for_the_regimen(scratch):
    found = problems(scratch, RATING.replace("[li-2011-blood-mdex, leukemia-2019", "[li-2011-blood-mdex, humeniuk-2013-radiation, leukemia-2019"))
    line = line_of(scratch, "humeniuk-2013-radiation, leukemia")
    col = (scratch / PATH).read_text(encoding="utf-8").splitlines()[line - 1].index("humeniuk") + 1
    assert found == [f"{PATH}:{line}:{col}: error[certainty]: mdex: certainty[0].outcomes[0].studies[1]: study "
                     "'humeniuk-2013-radiation' does not report haematologic-complete-response for mdex; list only the studies the rating rests on"]


def test_unknown_study_is_named(scratch):
    found = problems(scratch, RATING.replace("[li-2011-blood-mdex,", "[no-such-study,"))
    assert any("certainty[0].outcomes[0].studies[0]: no study record 'no-such-study'" in f for f in found)


def test_every_domain_needs_a_reason(scratch):
    found = problems(scratch, RATING.replace("{decision: serious, reason: Few patients and few deaths.}", "{decision: serious}"))
    assert any("error[schema]" in f and "imprecision" in f and "reason" in f for f in found), found


def test_judgement_date_cannot_be_in_the_future(scratch):
    found = problems(scratch, RATING.replace('judged: "2026-11-20"', 'judged: "2027-01-01"'))
    assert any("error[date-invalid]" in f and "'2027-01-01' is in the future" in f for f in found), found


def test_a_whole_cohort_on_several_regimens_does_not_count_for_one(scratch):
    # The 2019 comparison prints 3-year survival for its ASCT, MDex and LDex groups
    # together: that figure is not MDex's, so a rating cannot rest on it.
    found = problems(scratch, RATING.replace("measure: haematologic-complete-response", "measure: overall-survival")
                     .replace("[li-2011-blood-mdex, leukemia-2019-asct-mdex-ldex]", "[leukemia-2019-asct-mdex-ldex]"))
    assert any("studies[0]: study 'leukemia-2019-asct-mdex-ldex' does not report overall-survival for mdex" in f for f in found), found
