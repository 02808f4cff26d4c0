"""The organ, relapse-monitoring measures reach readers as the records say: each is listed
on the measures page under its domain with its definition and the studies that report it;
treatment results appear in the comparison table, and associations (odds ratios, survival
by organ involvement, test accuracy) only on the study's own page."""
from __future__ import annotations

import pytest

from poemskb.sitenames import domain_anchor

pytestmark = pytest.mark.slow

ORGAN_AND_MONITORING = ("renal-response", "pulmonary-hypertension-response", "vegf-relapse-prediction")


def _reporters(kb, mid: str) -> set[str]:
    return {sid for sid, s in kb.studies.items() if any(o["measure"] == mid for o in s.get("outcomes", []))}


@pytest.mark.parametrize("mid", ORGAN_AND_MONITORING)
def test_measure_is_listed_under_its_domain_with_definition_and_reporting_studies(built, kb, mid):
    measure = kb.measures[mid]
    page = built.page("generated/measures.html")
    heading_domain = None
    for node in page.iter():
        if node.tag == "h2" and node.attrs.get("id", "").startswith("domain-"):
            heading_domain = node.attrs["id"]
        if node.tag == "h3" and node.attrs.get("id") == mid:
            break
    else:
        pytest.fail(f"no heading for measure {mid} on the measures page")
    assert heading_domain == domain_anchor(measure["domain"])
    details = next((t for t in page.iter("table")
                    if (c := t.find("caption")) is not None and c.text().strip() == f"{measure['name']}: details"), None)
    assert details is not None, f"no details table for {mid}"
    rows = {r.iter("th").__next__().text().strip(): r for r in details.find("tbody").iter("tr")}
    assert " ".join(measure["definition"].split()) in " ".join(rows["Definition"].text().split())
    linked = {a.attrs["href"].rsplit("/", 1)[-1].removesuffix(".html") for a in rows["Reported by"].iter("a")}
    reporters = _reporters(kb, mid)
    assert reporters and linked == reporters


def test_renal_recovery_is_a_treatment_row_and_its_odds_ratios_stay_on_the_study_page(built, kb):
    study = kb.studies["renal-impairment-299"]
    table = built.page("generated/all-outcomes.html").by_id("comparison-table")
    renal_rows = [r for r in table.find("tbody").iter("tr") if r.attrs.get("data-measure") == "renal-response"]
    treatment = [o for s in kb.studies.values() for o in s.get("outcomes", [])
                 if o["measure"] == "renal-response" and o.get("role", "treatment") == "treatment"]
    assert len(renal_rows) == len(treatment) >= 1
    assert any("66" in r.text() for r in renal_rows)
    assert not any("15.958" in r.text() for r in renal_rows)
    ratios = [o["value"]["value"] for o in study["outcomes"] if o["value"]["type"] == "odds-ratio"]
    study_page = built.html("generated/studies/renal-impairment-299.html")
    assert ratios and all(f"{r:g}" in study_page for r in ratios)


def test_vegf_monitoring_accuracy_never_shows_as_a_treatment_result(built, kb):
    table = built.page("generated/all-outcomes.html").by_id("comparison-table")
    assert not [r for r in table.find("tbody").iter("tr") if r.attrs.get("data-measure") == "vegf-relapse-prediction"]
    assert all(o.get("role") == "association" for s in kb.studies.values() for o in s.get("outcomes", [])
               if o["measure"] == "vegf-relapse-prediction")
