"""The comparison model on the real records: which regimen a figure informs, its line of
therapy and transplant eligibility, its role, and the patients behind a set of figures.
"""
from __future__ import annotations

import pytest

from poemskb.kb import resolve_population
from poemskb.render.context import MIXED_REGIMENS, Site
from poemskb.render.regimen import render_regimen

LEUKEMIA_2017 = "leukemia-2017-asct-pretransplant"
LEUKEMIA_2019 = "leukemia-2019-asct-mdex-ldex"


@pytest.fixture(scope="module")
def site(kb):
    return Site(kb)


def _ids(rows, study):
    return {r.outcome["id"] for r in rows if r.study == study}


def test_asct_rows_include_the_leukemia_2017_cohort(site):
    # Both arms of the 138-patient cohort were transplanted, so its whole-cohort 5-year
    # OS and PFS inform ASCT, with the interval the abstract printed.
    rows = {r.outcome["id"]: r for r in site.rows_for_regimen("asct-hdm") if r.study == LEUKEMIA_2017}
    assert {"os5", "pfs5"} <= set(rows)
    assert rows["os5"].arm is None and not rows["os5"].mixed and rows["os5"].n == 138
    assert (rows["pfs5"].interval.low, rows["pfs5"].interval.high, rows["pfs5"].interval.source) == (64, 84, "reported")


def test_the_asct_page_lists_the_leukemia_2017_outcomes(site):
    html = render_regimen(site, "asct-hdm").text()
    assert f"studies/{LEUKEMIA_2017}.html#outcomes" in html
    assert "76% (95% CI 64–84%)" in html and "94% (95% CI 87–97%)" in html


def test_no_association_is_listed_as_a_treatment_result(site):
    assert site.treatment_rows and site.association_rows
    assert not [r for r in site.treatment_rows if r.role != "treatment"]
    assert len(site.treatment_rows) + len(site.association_rows) == len(site.outcome_rows)
    # The prognostic hazard ratios of the Mayo series (IgG-lambda, FDG-avid lesions, age)
    # are kept for its study page but absent from ASCT's results.
    prognostic = {"hr-igg-lambda", "hr-fdg-avid", "hr-age"}
    assert prognostic <= _ids(site.association_rows, "blood-2012-mayo-asct-long-term")
    assert not prognostic & _ids(site.rows_for_regimen("asct-hdm"), "blood-2012-mayo-asct-long-term")
    html = render_regimen(site, "asct-hdm").text()
    assert "IgG-lambda" not in html and "FDG-avid" not in html


def test_single_arm_hazard_ratios_are_never_treatment_rows(site, kb):
    for row in site.treatment_rows:
        if len(kb.studies[row.study].get("arms", [])) == 1:
            assert row.outcome["value"]["type"] not in ("hazard-ratio", "odds-ratio"), (row.study, row.outcome["id"])


def test_mixed_regimen_cohorts_are_flagged_not_dropped(site):
    # Leukemia 2019 compared ASCT, MDex and LDex: its whole-cohort figures belong to no
    # one regimen, and are listed as mixed rather than vanishing.
    whole = [r for r in site.treatment_rows if r.study == LEUKEMIA_2019 and r.arm is None]
    assert whole and all(r.mixed and r.regimen is None for r in whole)
    assert site.regimen_label(None) == MIXED_REGIMENS
    from poemskb.render.comparison import render_comparison

    page, _, _ = render_comparison(site)
    assert MIXED_REGIMENS in page.text()
    # An arm's figure is never mixed; a whole-cohort figure of a one-regimen study never is.
    assert not [r for r in site.outcome_rows if r.mixed and (r.arm is not None or r.regimen is not None)]


def test_population_resolves_outcome_then_arm_then_study():
    study = {"population": {"status": "mixed", "transplant": "eligible", "n": 30}}
    arm = {"id": "relapsed", "population": {"line": "relapsed-refractory", "locator": {"in": "abstract"}}}
    outcome = {"population": {"transplant": "ineligible", "locator": {"in": "abstract"}}}
    assert resolve_population(study, arm, outcome, "line") == "relapsed-refractory"
    assert resolve_population(study, arm, outcome, "transplant") == "ineligible"
    assert resolve_population(study, arm, {}, "transplant") == "eligible"
    assert resolve_population(study, None, {}, "line") == "mixed"
    assert resolve_population({"population": {"status": "unknown", "n": 3}}, None, {}, "transplant") == "unknown"


def test_rows_carry_the_line_of_therapy(site):
    relapsed = [r for r in site.outcome_rows if r.study == "ejh-2015-low-dose-rd-relapsed"]
    assert relapsed and {r.line for r in relapsed} == {"relapsed-refractory"}
    assert {r.line for r in site.outcome_rows if r.study == LEUKEMIA_2017} == {"newly-diagnosed"}


def test_counts_get_intervals_and_bare_percentages_say_why_not(site):
    for row in site.outcome_rows:
        value = row.outcome["value"]
        if value["type"] == "count" and value["of"] > 0:
            assert row.interval.source == "computed" and row.interval.low <= 100 * value["n"] / value["of"] <= row.interval.high
        if value["type"] == "percentage" and "ci" not in value:
            assert row.interval is None and "without counts" in row.interval_note


def test_independent_patients_count_a_shared_cohort_once(site):
    # Leukemia 2017 and the PUMCH 2016 abstract are declared the same 138 patients.
    rows = [r for r in site.rows_for_regimen("asct-hdm") if r.study in (LEUKEMIA_2017, "pumch-2016-ash-asct")]
    assert {r.study for r in rows} == {LEUKEMIA_2017, "pumch-2016-ash-asct"}
    patients = site.independent_patients(rows)
    assert (patients.low, patients.high) == (138, 138)


def test_independent_patients_make_a_range_over_a_possible_overlap(site):
    # Leukemia 2017 possibly overlaps the 165 transplanted patients of Leukemia 2019.
    rows = [r for r in site.rows_for_regimen("asct-hdm") if r.study in (LEUKEMIA_2017, LEUKEMIA_2019)]
    patients = site.independent_patients(rows)
    assert (patients.low, patients.high) == (165, 138 + 165)


def test_independent_patients_within_a_study_add_arms_once(site):
    # Leukemia 2019's arms (165 + 79 + 103) are different patients; the whole-cohort
    # figures cover the same 347.
    rows = [r for r in site.treatment_rows if r.study == LEUKEMIA_2019]
    assert site.independent_patients(rows).high == 347
    arms = [r for r in rows if r.arm is not None and r.arm["id"] in ("asct", "mdex")]
    assert site.independent_patients(arms).high == 165 + 79


def test_curated_populations_resolve(site):
    rows = {(r.study, r.outcome["id"]): r for r in site.outcome_rows}
    # Every patient of the Leukemia 2017 series was transplanted; J-POST enrolled only
    # patients ineligible for transplant; a second transplant at progression is relapsed.
    assert rows[(LEUKEMIA_2017, "os5")].transplant == "eligible"
    assert rows[("misawa-2016-jpost-thalidomide", "vegf-difference")].transplant == "ineligible"
    second = rows[("ann-hematol-2012-hdm-absct", "second-transplant")]
    assert second.line == "relapsed-refractory" and rows[("ann-hematol-2012-hdm-absct", "cr")].line == "unknown"
    # Transplant eligibility is stated for one arm of Leukemia 2019, not for the others.
    assert rows[(LEUKEMIA_2019, "crh-asct")].transplant == "eligible"
    assert rows[(LEUKEMIA_2019, "crh-mdex")].transplant == "unknown"


def test_subgroups_defined_by_response_are_associations(site):
    # PFS by whether remission was reached compares patients, not treatments.
    associations = _ids(site.association_rows, LEUKEMIA_2017)
    assert {"pfs5-haem-yes", "pfs5-haem-no", "pfs5-vegf-yes", "pfs5-vegf-no", "pfs5-both-yes", "pfs5-both-no"} == associations
    assert {"pfs5", "os5", "haem-remission", "vegf-remission"} <= _ids(site.treatment_rows, LEUKEMIA_2017)
