"""Exports a systematic reviewer downloads: one CSV row per outcome with its locator and
status, one per study, and the whole base as JSON; stable bytes between runs."""
from __future__ import annotations

import csv
import json

from poemskb import __version__
from poemskb.export import OUTCOME_COLUMNS, export_all


def test_every_outcome_is_a_row_with_locator_and_status(kb, tmp_path):
    export_all(kb, tmp_path, __version__)
    rows = list(csv.DictReader((tmp_path / "outcomes.csv").open(encoding="utf-8")))
    total = sum(len(s.get("outcomes", [])) for s in kb.studies.values())
    assert len(rows) == total
    assert list(rows[0]) == OUTCOME_COLUMNS
    assert all(r["locator"] and r["status"] in ("verified", "unverified") for r in rows)
    gao = next(r for r in rows if r["study"] == "gao-2021-skin-low-dose-rd" and r["subgroup"] == "hyperpigmentation")
    assert (gao["value_as_reported"], gao["n"], gao["of"], gao["percent"], gao["locator"]) == ("26/34 (76.5%)", "26", "34", "76.5", "Abstract, Results")
    brady = next(r for r in rows if r["study"] == "misawa-2016-jpost-thalidomide" and r["subgroup"] == "sinus bradycardia")
    assert brady["status"] == "unverified"


def test_outcome_rows_carry_role_population_regimen_and_interval(kb, tmp_path):
    export_all(kb, tmp_path, __version__)
    rows = {(r["study"], r["measure"], r["subgroup"]): r for r in csv.DictReader((tmp_path / "outcomes.csv").open(encoding="utf-8"))}
    # Gao's 26/34: the exact interval, whose bounds test_stats checks against the binomial tails.
    gao = rows[("gao-2021-skin-low-dose-rd", "skin-complete-response", "hyperpigmentation")]
    assert (gao["ci_source"], gao["ci_method"], gao["role"], gao["line"]) == ("computed", "clopper-pearson", "treatment", "newly-diagnosed")
    assert (gao["ci_low"], gao["ci_high"]) == ("58.83", "89.25")
    # Leukemia 2017's whole-cohort OS informs ASCT; its PFS by remission is an association.
    os5 = rows[("leukemia-2017-asct-pretransplant", "overall-survival", "")]
    assert (os5["arm"], os5["regimen"], os5["regimen_informed"], os5["ci_low"], os5["ci_high"], os5["ci_source"]) == ("all", "", "asct-hdm", "87", "97", "reported")
    assert rows[("leukemia-2017-asct-pretransplant", "progression-free-survival", "with haematologic remission")]["role"] == "association"
    bare = rows[("leukemia-2017-asct-pretransplant", "haematologic-complete-response", "")]
    assert bare["ci_low"] == "" and "without counts" in bare["ci_note"]
    mixed = rows[("leukemia-2019-asct-mdex-ldex", "overall-survival", "")]
    assert (mixed["regimen_informed"], mixed["mixed_regimens"]) == ("", "yes")


def test_unknown_citation_parts_say_so(kb, tmp_path):
    export_all(kb, tmp_path)
    rows = {r["study"]: r for r in csv.DictReader((tmp_path / "studies.csv").open(encoding="utf-8"))}
    assert rows["huaian-case-rd-asct"]["citation"] == "Authors unknown. [title unknown]. [journal unknown]. [year unknown]."
    assert rows["misawa-2016-jpost-thalidomide"]["doi_status"] == "verified"


def test_exports_are_stable_and_only_rewritten_on_change(kb, tmp_path):
    first = export_all(kb, tmp_path, "1.0")
    assert len(first) == 3
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert export_all(kb, tmp_path, "1.0") == []
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    document = json.loads((tmp_path / "knowledge-base.json").read_text(encoding="utf-8"))
    assert document["version"] == "1.0" and set(document) >= {"study", "regimen", "measure", "finding", "criteria"}


def test_knowledge_base_json_holds_every_record_one_per_line(kb, tmp_path):
    export_all(kb, tmp_path, "1.0")
    text = (tmp_path / "knowledge-base.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["version"] == "1.0" and document["newest_curation"] == kb.newest_curation
    for kind, records in kb.by_kind.items():
        assert document[kind] == records, kind
    # One line per record, so a changed record is a one-line diff.
    lines = text.splitlines()
    assert sum(1 for line in lines if line.startswith('  "')) == len(kb.records)
    assert any(line.startswith('  "misawa-2016-jpost-thalidomide": {') for line in lines)
