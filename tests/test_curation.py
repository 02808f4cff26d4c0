"""Curation-wide guarantees (issue 5), asserted over the real records rather than left
to the schema alone: identifiers well formed and unique, a locator on every outcome,
provenance on every study, and every verified fact tied to a check that exists."""
from __future__ import annotations

from collections import Counter

from poemskb.check import IDENTIFIER_PATTERNS


def _identifiers(kb, key):
    for sid, study in kb.studies.items():
        value = (study.get(key) or {}).get("value")
        if value is not None:
            yield sid, value


def test_identifiers_are_well_formed(kb):
    bad = [(sid, key, value) for key in ("doi", "pmid", "pmcid") for sid, value in _identifiers(kb, key)
           if not IDENTIFIER_PATTERNS[key].fullmatch(value)]
    assert not bad


def test_identifiers_are_unique_across_records(kb):
    for key in ("doi", "pmid", "pmcid"):
        counts = Counter(value.lower() for _, value in _identifiers(kb, key))
        assert [v for v, n in counts.items() if n > 1] == [], key


def test_registrations_are_well_formed(kb):
    for sid, study in kb.studies.items():
        for reg in study.get("registrations", []):
            assert IDENTIFIER_PATTERNS[reg["registry"]].fullmatch(reg["value"]), (sid, reg)


def test_every_outcome_has_a_locator(kb):
    missing = [(sid, o["id"]) for sid, s in kb.studies.items() for o in s.get("outcomes", []) if not o.get("locator", {}).get("in")]
    assert not missing


def test_every_record_has_provenance_with_a_dated_check(kb):
    for kind, records in kb.by_kind.items():
        for rid, record in records.items():
            checks = record["provenance"]["checks"]
            assert checks and all(c["date"] and c["where"] for c in checks), (kind, rid)


def test_verified_facts_name_an_existing_check(kb):
    for sid, study in kb.studies.items():
        checks = {c["id"] for c in study["provenance"]["checks"]}
        for key in CITATION_FACTS:
            fact = study.get(key)
            if fact and fact["status"] == "verified":
                assert fact.get("check") in checks, (sid, key)


CITATION_FACTS = ("title", "authors", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid")


def test_unknown_facts_carry_no_value_and_a_reason(kb):
    for sid, study in kb.studies.items():
        for key in CITATION_FACTS:
            fact = study.get(key)
            if fact and fact["status"] == "unknown":
                assert fact["value"] is None and fact.get("reason"), (sid, key)


def test_the_dossiers_main_studies_are_curated(kb):
    # One record per study the case report cites and per headline trial or review.
    for sid in ("leukemia-2019-asct-mdex-ldex", "gao-2021-skin-low-dose-rd", "intern-med-2020-lenalidomide-thal-refractory",
                "misawa-2016-jpost-thalidomide", "cochrane-2012-cd006828", "cochrane-2008-cd006828", "humeniuk-2013-radiation",
                "li-2011-blood-mdex", "cook-2017-ebmt-asct", "dispenzieri-2012-how-i-treat"):
        assert sid in kb.studies, sid
    assert {c["study"] for c in kb.studies["huaian-case-rd-asct"]["cites"]} == {
        "leukemia-2019-asct-mdex-ldex", "gao-2021-skin-low-dose-rd", "intern-med-2020-lenalidomide-thal-refractory"}


def test_same_centre_series_declare_overlap(kb):
    # Peking Union transplant reports describe one cohort; EBMT's abstract and paper too.
    assert any(o[0] == "pumch-2016-ash-asct" and o[1] == "same-cohort" for o in kb.overlaps["leukemia-2017-asct-pretransplant"])
    assert any(o[0] == "cook-2017-ebmt-asct" for o in kb.overlaps["ebmt-2013-ash-asct"])
    assert any(o[0] == "li-2015-ash-low-dose-rd-phase2" and o[1] == "same-cohort" for o in kb.overlaps["gao-2021-skin-low-dose-rd"])


def test_every_study_has_its_own_label(kb):
    # Pages name studies by label; a missing label falls back to a derived one, but every
    # curated study should carry a label a curator chose from verified facts.
    labels = {sid: s.get("label") for sid, s in kb.studies.items()}
    assert [sid for sid, label in labels.items() if not label] == []
    assert len(set(l.casefold() for l in labels.values())) == len(labels)
