"""Review-level findings carry the dates that bound them, so the site can say how
current each conclusion is (the Cochrane 'no controlled trials' finding predates J-POST)."""
from __future__ import annotations


def test_cochrane_2012_finding_is_dated_by_its_search(kb):
    finding = kb.findings["cochrane-2012-no-controlled-trials"]
    assert finding["current_to"] == "2012-02-23"
    register = next(s for s in finding["searches"] if s["database"].startswith("Cochrane Neuromuscular"))
    assert register["to"] == "2012-02-23"
    medline = next(s for s in finding["searches"] if s["database"] == "MEDLINE")
    assert (medline["from"], medline["to"]) == ("1966-01", "2012-02")
    assert finding["supersedes"] == "cochrane-2008-no-controlled-trials"


def test_cochrane_2008_finding_searches_end_march_2008(kb):
    finding = kb.findings["cochrane-2008-no-controlled-trials"]
    assert finding["current_to"] == "2008-03"
    assert {s["to"] for s in finding["searches"]} == {"2008-03"}


def test_later_randomised_trial_is_linked_to_the_no_rct_finding(kb):
    finding = kb.findings["cochrane-2012-no-controlled-trials"]
    later = [e["study"] for e in finding["later_evidence"]]
    assert "misawa-2016-jpost-thalidomide" in later
    trial = kb.studies["misawa-2016-jpost-thalidomide"]
    assert trial["design"] == "randomised-controlled-trial" and trial["year"]["value"] > 2012


def test_every_finding_names_an_existing_source_with_a_locator(kb):
    for fid, finding in kb.findings.items():
        assert finding["source"]["study"] in kb.studies, fid
        assert finding["source"]["locator"]["in"], fid


# Guidelines, consensus statements and pooled analyses ------------------------------
def test_a_recommendation_without_its_publication_date_is_refused(scratch):
    from poemskb.kb import load

    path = scratch / "evidence" / "findings" / "efns-pns-2006-poems-good-practice-point.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count('published: "2006"\n') == 1
    path.write_text(text.replace('published: "2006"\n', ""), encoding="utf-8")
    _, report = load(scratch)
    mine = [p for p in report.errors if p.path.endswith(path.name)]
    assert [(p.code, p.record) for p in mine] == [("schema", "efns-pns-2006-poems-good-practice-point")]
    assert mine[0].message == '"published" is a required property'


def test_an_evidence_summary_may_still_omit_its_publication_date(kb):
    # Only recommendations must be dated by publication; the Cochrane 2012 finding is
    # dated by its searches instead.
    finding = kb.findings["cochrane-2012-no-controlled-trials"]
    assert finding["kind"] != "recommendation" and "published" not in finding


def test_the_efns_pns_good_practice_point_is_a_dated_guideline_recommendation(kb):
    finding = kb.findings["efns-pns-2006-poems-good-practice-point"]
    source = kb.studies[finding["source"]["study"]]
    assert finding["kind"] == "recommendation" and finding["published"] == "2006"
    assert source["design"] == "guideline" and source["pmid"]["value"] == "16519778"
    assert "melphalan" in finding["statement"] and "plasmacytoma" in finding["statement"]


def test_the_lenalidomide_pooled_analysis_is_the_same_cohort_as_its_meeting_abstract(kb):
    full, abstract = "leuk-lymphoma-2014-lenalidomide-pooled-analysis", "blood-2013-ash-lenalidomide-systematic-review"
    assert (abstract, "same-cohort") in [(o, r) for o, r, _ in kb.overlaps[full]]
    assert (full, "same-cohort") in [(o, r) for o, r, _ in kb.overlaps[abstract]]
    finding = kb.findings["leuk-lymphoma-2014-lenalidomide-option"]
    assert finding["current_to"] == "2013-04-08" and finding["published"] == "2014-02-17"


def test_pooled_figures_of_a_review_never_count_as_a_regimens_results(kb):
    from poemskb.render.context import Site

    site = Site(kb)
    pooled = "leuk-lymphoma-2014-lenalidomide-pooled-analysis"
    rows = [r for r in site.outcome_rows if r.study == pooled]
    assert len(rows) == len(kb.studies[pooled]["outcomes"]) > 0
    assert {r.regimen for r in rows} == {None}
    for rid in kb.regimens:
        assert pooled not in {r.study for r in site.rows_for_regimen(rid)}, rid


def _finding_html(kb, fid: str) -> str:
    from poemskb.render.context import Site
    from poemskb.render.findings import finding_block

    return str(finding_block(Site(kb), fid, "findings.md"))


def test_findings_page_names_the_kind_of_source_and_its_date(kb):
    html = _finding_html(kb, "efns-pns-2006-poems-good-practice-point")
    assert "<strong>Kind of source:</strong> Guideline." in html
    assert "<strong>Published:</strong> 2006." in html
    # No search dates: the page says so rather than leaving 'current to' blank.
    assert "<strong>Current to:</strong> no search date is given" in html
    expert = _finding_html(kb, "ajh-2023-risk-adapted-therapy")
    assert "<strong>Kind of source:</strong> Narrative review." in expert


def test_findings_page_gives_the_search_date_where_there_is_one(kb):
    html = _finding_html(kb, "leuk-lymphoma-2014-lenalidomide-option")
    assert "<strong>Current to:</strong> 8 April 2013 (its latest search)." in html
    assert "no search date is given" not in html
    assert "<strong>Kind of source:</strong> Systematic review." in html
