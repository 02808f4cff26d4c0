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
