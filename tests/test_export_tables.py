"""The CSV tables and their Frictionless data package: columns that mean one thing,
typed numbers, every column described, `frictionless validate` passing, and cells
that a spreadsheet can neither run as a formula nor turn into a date."""
from __future__ import annotations

import copy
import csv
import io
import json

import pytest

from exporting import MINIMAL, with_study
from poemskb.export import export_all, export_files
from poemskb.export.spreadsheet import original_text, safe_text
from poemskb.export.tables import TABLES


def _rows(files, name):
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


@pytest.fixture(scope="module")
def files(kb):
    return dict(export_files(kb))


def test_outcome_columns_mean_one_thing(kb, files):
    rows = _rows(files, "outcomes.csv")
    assert len(rows) == sum(len(s.get("outcomes", [])) for s in kb.studies.values())
    gao = next(r for r in rows if r["study"] == "gao-2021-skin-low-dose-rd" and r["subgroup"] == "hyperpigmentation")
    assert (gao["value_as_reported"], gao["events"], gao["total"], gao["percent"], gao["locator"]) == \
        ("26/34 (76.5%)", "26", "34", "76.5", "Abstract, Results")
    assert gao["arm_patients"] != "" and "n" not in gao  # the old ambiguous 'n' column is gone
    diff = next(r for r in rows if r["study"] == "misawa-2016-jpost-thalidomide" and r["outcome"] == "vegf-difference")
    assert (diff["estimate"], diff["ci_low"], diff["ci_high"], diff["p_value"], diff["p_operator"], diff["p_compared_with"]) == \
        ("0.41", "0.02", "0.8", "0.04", "eq", "placebo")
    assert diff["line"] == "unknown" and diff["unit"] == "ratio" and diff["role"] == "treatment"
    brady = next(r for r in rows if r["study"] == "misawa-2016-jpost-thalidomide" and r["subgroup"] == "sinus bradycardia")
    assert brady["status"] == "unverified" and brady["events"] == "" and brady["percent"] == "54"


def test_outcome_rows_carry_role_population_regimen_and_interval(files):
    """The comparison model's columns (from main's export test, in this table's names)."""
    rows = {(r["study"], r["measure"], r["subgroup"]): r for r in _rows(files, "outcomes.csv")}
    # Gao's 26/34: the exact interval, whose bounds test_stats checks against the binomial tails.
    gao = rows[("gao-2021-skin-low-dose-rd", "skin-complete-response", "hyperpigmentation")]
    assert (gao["interval_source"], gao["interval_method"], gao["role"], gao["line"]) == ("computed", "clopper-pearson", "treatment", "newly-diagnosed")
    assert (gao["interval_low"], gao["interval_high"], gao["ci_low"]) == ("58.83", "89.25", "")  # ci_*: only what was printed
    # Leukemia 2017's whole-cohort OS informs ASCT; its PFS by remission is an association.
    os5 = rows[("leukemia-2017-asct-pretransplant", "overall-survival", "")]
    assert (os5["arm"], os5["regimen_informed"], os5["interval_source"], os5["mixed_regimens"]) == ("", "asct-hdm", "reported", "false")
    assert (float(os5["interval_low"]), float(os5["interval_high"])) == (float(os5["ci_low"]), float(os5["ci_high"])) == (87, 97)
    assert rows[("leukemia-2017-asct-pretransplant", "progression-free-survival", "with haematologic remission")]["role"] == "association"
    bare = rows[("leukemia-2017-asct-pretransplant", "haematologic-complete-response", "")]
    assert bare["interval_low"] == "" and "without counts" in bare["interval_note"]
    mixed = rows[("leukemia-2019-asct-mdex-ldex", "overall-survival", "")]
    assert (mixed["regimen_informed"], mixed["mixed_regimens"]) == ("", "true")


def test_studies_carry_follow_up_and_unknowns_stay_empty(kb, files):
    rows = {r["study"]: r for r in _rows(files, "studies.csv")}
    assert rows["huaian-case-rd-asct"]["citation"] == "Authors unknown. [title unknown]. [journal unknown]. [year unknown]."
    assert rows["huaian-case-rd-asct"]["title"] == "" and rows["huaian-case-rd-asct"]["year"] == ""
    assert rows["misawa-2016-jpost-thalidomide"]["doi"] == "10.1016/S1474-4422(16)30157-0"
    with_follow_up = [sid for sid, s in kb.studies.items() if (s.get("follow_up") or {}).get("median_months") is not None]
    assert with_follow_up, "some study records a median follow-up"
    for sid in with_follow_up:
        assert float(rows[sid]["follow_up_median_months"]) == kb.studies[sid]["follow_up"]["median_months"]


def test_certainty_table_holds_every_rating_with_its_reasons(kb, files):
    """A systematic reviewer gets the curators' GRADE judgements as data: one row per
    regimen, population and measure, each domain's decision and reason as recorded."""
    rows = {(r["regimen"], r["population"], r["measure"]): r for r in _rows(files, "certainty.csv")}
    expected = [(rid, rating, o) for rid, r in kb.regimens.items() for rating in r.get("certainty", [])
                for o in rating["outcomes"]]
    assert expected and len(rows) == len(expected)
    for rid, rating, o in expected:
        row = rows[(rid, rating["population"], o["measure"])]
        assert (row["level"], row["start"], row["judged"]) == (o["level"], o["start"], rating["judged"])
        assert row["imprecision"] == o["imprecision"]["decision"]
        assert row["imprecision_reason"] == o["imprecision"]["reason"]
        assert row["studies"].split("; ") == o["studies"]
        assert row["large_effect"] == (o.get("large_effect") or {}).get("decision", "")


def test_every_column_is_described_in_the_data_package(files):
    package = json.loads(files["datapackage.json"])
    for table in TABLES:
        resource = next(r for r in package["resources"] if r["name"] == table.name)
        header = files[f"{table.name}.csv"].decode("utf-8").splitlines()[0].split(",")
        assert [f["name"] for f in resource["schema"]["fields"]] == header == table.columns
        assert all(f["description"] and f["type"] for f in resource["schema"]["fields"])
    status = next(f for f in package["resources"][2]["schema"]["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"] == ["verified", "unverified"] and "'unverified':" in status["description"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_frictionless_validates_the_package(kb, tmp_path):
    from frictionless import Package

    export_all(kb, tmp_path)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
                                  "\t=1", "\r=1", "'quoted", "2/5", "1129-37", "2.3–28.3", "12:30"])
def test_spreadsheet_cells_are_neutralised_and_reversible(text):
    cell = safe_text(text)
    assert cell.startswith("'") and original_text(cell) == text


@pytest.mark.parametrize("text", ["sinus bradycardia", "27496680", "Table 2", "mean -0.02 ratio", "26/34 (76.5%)"])
def test_ordinary_text_is_left_alone(text):
    assert safe_text(text) == text


def test_hostile_record_text_never_reaches_a_csv_as_a_formula(scratch):
    study = copy.deepcopy(MINIMAL)
    study["id"] = "formula-study"
    study["doi"]["value"] = "10.1000/formula.1"
    study["pmid"]["value"] = "12345679"
    study["summary"] = "=cmd|' /C calc'!A0 and a summary long enough to pass"
    study["arms"][0]["label"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    study["arms"][0]["note"] = "+1+1"
    study["outcomes"][0]["subgroup"] = "=HYPERLINK(\"http://evil.example\",\"click\")"
    study["outcomes"][0]["note"] = "-2+3"
    study["outcomes"][0]["value"] = {"type": "count", "n": 2, "of": 5}
    kb = with_study(scratch, study)
    files = dict(export_files(kb))
    starts = ("=", "+", "-", "@", "\t", "\r")
    for name in ("studies.csv", "arms.csv", "outcomes.csv", "regimens.csv"):
        for row in csv.reader(io.StringIO(files[name].decode("utf-8"))):
            for value in row:
                assert not value.startswith(starts) or _is_number(value), (name, value)
    outcome = next(r for r in _rows(files, "outcomes.csv") if r["study"] == "formula-study")
    assert outcome["subgroup"] == "'" + study["outcomes"][0]["subgroup"]
    assert outcome["value_as_reported"] == "'2/5" and (outcome["events"], outcome["total"]) == ("2", "5")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_open_items_table_holds_every_fact_not_known_or_not_confirmed_with_its_reason(kb, files):
    rows = _rows(files, "open-items.csv")
    expected = [(sid, o) for sid, s in kb.studies.items() for o in s.get("outcomes", []) if o.get("status") == "unverified"]
    expected += [(sid, {"id": f}) for sid, s in kb.studies.items() for f in ("title", "authors", "journal", "year", "doi", "pmid")
                 if s.get(f, {}).get("status") in ("unknown", "unverified")]
    keys = {(r["study"], r["fact"]) for r in rows}
    assert len(keys) == len(rows), "study and fact identify a row"
    for sid, fact in expected:
        assert (sid, fact["id"]) in keys, (sid, fact["id"])
    for r in rows:
        record = kb.studies[r["study"]]
        source = record.get(r["fact"]) if r["part"] == "citation" else next(
            (o for o in record.get("outcomes", []) if o["id"] == r["fact"]), None) if r["part"] == "figure" else None
        if source is not None:
            assert r["status"] == source["status"] and r["reason"].lstrip("'") == source.get("reason", r["reason"].lstrip("'")), r
