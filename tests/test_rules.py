"""Every validator rule, proven by a failing fixture whose exact message is asserted.

Each case starts from tests/fixtures/minimal-study.yaml (valid), applies one textual
edit, writes it into a scratch copy of the knowledge base and checks the full problem
line: path, line, column, code, record, field and message.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from poemskb.check import CROSS_RULES, LOAD_CODES, RULES
from poemskb.kb import load

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = (Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 22)
PATH = "evidence/studies/minimal-study.yaml"


def problems_for(scratch: Path, text: str, name: str = "minimal-study.yaml") -> list[str]:
    (scratch / "evidence" / "studies" / name).write_text(text, encoding="utf-8")
    _, report = load(scratch, today=TODAY)
    return [p.text() for p in report.sorted() if p.path.endswith(name)]


def edit(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


def test_minimal_fixture_is_valid(scratch):
    assert problems_for(scratch, MINIMAL) == []


CASES = {
    "schema": (
        edit("  n: 20\n  locator", "  n: twenty\n  locator"),
        f'{PATH}:14:3: error[schema]: minimal-study: population.n: "twenty" is not of types "null", "integer"'),
    "id-mismatch": (
        edit("id: minimal-study", "id: other-study"),
        f"{PATH}:2:1: error[id-mismatch]: other-study: id: id 'other-study' does not match the file name 'minimal-study.yaml'; rename the file to 'other-study.yaml' or fix the id"),
    "duplicate-local-id": (
        edit("  - id: hr\n", "  - id: hr\n    measure: haematologic-response\n    value: {type: count, n: 1, of: 20}\n    locator: {in: abstract}\n  - id: hr\n"),
        f"{PATH}:31:5: error[duplicate-local-id]: minimal-study: outcomes[1].id: id 'hr' is used twice in outcomes"),
    "unresolved-reference": (
        edit("    regimen: rd\n", "    regimen: no-such-regimen\n"),
        f"{PATH}:23:5: error[unresolved-reference]: minimal-study: arms[0].regimen: no regimen record 'no-such-regimen' (expected evidence/regimens/no-such-regimen.yaml)"),
    "count-order": (
        edit("{type: count, n: 10, of: 20, percent: 50.0}", "{type: count, n: 21, of: 20}"),
        f"{PATH}:30:26: error[count-order]: minimal-study: outcomes[0].value.n: 21 responders/events out of only 20 evaluable"),
    "percent-mismatch": (
        edit("percent: 50.0}", "percent: 55.0}"),
        f"{PATH}:30:41: error[percent-mismatch]: minimal-study: outcomes[0].value.percent: 55.0% does not match 10/20 = 50.000%"),
    "identifier": (
        edit("value: 10.1000/test.1", "value: doi:10.1000/test.1"),
        f"{PATH}:7:7: error[identifier]: minimal-study: doi.value: 'doi:10.1000/test.1' is not a well-formed DOI (e.g. 10.1016/S1474-4422(16)30157-0)"),
    "date-invalid": (
        edit('start: "2015-01"', 'start: "2015-02-30"'),
        f"{PATH}:17:3: error[date-invalid]: minimal-study: enrolment.start: '2015-02-30' is not a real date"),
    "date-order": (
        edit('start: "2015-01"', 'start: "2019-01"'),
        f"{PATH}:18:3: error[date-order]: minimal-study: enrolment.end: enrolment ends (2018-06) before it starts (2019-01)"),
    "range-order": (
        edit("{type: count, n: 10, of: 20, percent: 50.0}", "{type: median, value: 5, unit: months, range: [9, 3]}"),
        f"{PATH}:30:51: error[range-order]: minimal-study: outcomes[0].value.range: range [9, 3] runs backwards"),
    "rct-arms": (
        edit("design: prospective-single-arm", "design: randomised-controlled-trial"),
        f"{PATH}:20:1: error[rct-arms]: minimal-study: arms: a randomised controlled trial needs at least two arms"),
    "value-type": (
        edit("{type: count, n: 10, of: 20, percent: 50.0}", "{type: hazard-ratio, value: 2.0}"),
        f"{PATH}:30:13: error[value-type]: minimal-study: outcomes[0].value.type: measure 'haematologic-response' takes count, percentage, qualitative, not 'hazard-ratio'"),
    "missing-locator": (
        edit("  n: 20\n  locator: {in: abstract}\n", "  n: 20\n"),
        f"{PATH}:12:1: error[missing-locator]: minimal-study: population: population figures need a locator (where the source states them)"),
    "review-design": (
        edit("design: prospective-single-arm", "design: narrative-review"),
        f"{PATH}:20:1: error[review-design]: minimal-study: arms: a narrative-review reports other studies; curate their arms in their own records"),
    "overlap-self": (
        MINIMAL.replace("provenance:\n", "overlaps:\n  - {study: minimal-study, relation: same-cohort, basis: 'itself, by mistake'}\nprovenance:\n"),
        f"{PATH}:33:6: error[overlap-self]: minimal-study: overlaps[0].study: a study cannot list itself in overlaps"),
    "forbidden-character": (
        edit("label: Rd", 'label: "R\\u202ed"'),
        f"{PATH}:22:5: error[forbidden-character]: minimal-study: arms[0].label: U+202E RIGHT-TO-LEFT OVERRIDE at character 2: "
        "not allowed in records (control, direction and invisible characters can hide or reorder text, or drive a terminal); remove it"),
    "source-address": (
        edit('      where: An imaginary abstract page\n', '      where: An imaginary abstract page\n      url: https://example.org/doc/1\n'),
        f"{PATH}:37:7: error[source-address]: minimal-study: provenance.checks[0].url: 'example.org' is not a canonical source host; link the publication itself (doi.org, PubMed, PMC, the publisher or the registry) and name a third-party copy in 'where' and 'note' without linking it (see CONTRIBUTING.md, 'Source addresses')"),
    "summary-number": (
        edit("summary: A made-up study that exists only to exercise the validator's rules.", "summary: A made-up study of 20 patients in which 13 responded."),
        f"{PATH}:11:1: warning[summary-number]: minimal-study: summary: states 13, which no field of this record holds; record the figure with its locator, or leave it out"),
    "summary-unverified": (
        edit("summary: A made-up study that exists only to exercise the validator's rules.", "summary: A made-up study in which 10 of 20 patients responded.").replace("{type: count, n: 10, of: 20, percent: 50.0}\n", "{type: count, n: 10, of: 20, percent: 50.0}\n    status: unverified\n    reason: seen only in a news report\n").replace("  n: 20\n  locator", "  n: 21\n  locator").replace("    n: 20\n", "    n: 21\n"),
        f"{PATH}:11:1: error[summary-unverified]: minimal-study: summary: states 10 as certain, but the record holds it only as unverified; say it is not confirmed, or leave it out"),
    "population-conflict": (
        edit("  status: newly-diagnosed\n", "  status: relapsed-refractory\n").replace("    regimen: rd\n", "    regimen: rd\n    population: {line: newly-diagnosed, locator: {in: abstract}}\n"),
        f"{PATH}:24:18: error[population-conflict]: minimal-study: arms[0].population.line: 'newly-diagnosed' contradicts the study's population.status 'relapsed-refractory': these patients are part of that population; give the same value or correct the wider one"),
    "ratio-role": (
        edit("measure: haematologic-response\n    arm: only\n    value: {type: count, n: 10, of: 20, percent: 50.0}",
             "measure: progression-free-survival\n    arm: only\n    value: {type: hazard-ratio, value: 2.0}"),
        f"{PATH}:27:5: error[ratio-role]: minimal-study: outcomes[0]: a hazard-ratio in a one-arm study is a prognostic factor's effect, not a treatment result; add 'role: association'"),
    "unverified": (
        edit("pmid: {value: \"12345678\", status: verified, check: page}", "pmid: {value: \"12345678\", status: unverified, reason: seen only in a citation}"),
        f"{PATH}:8:1: warning[unverified]: minimal-study: pmid: seen only in a citation"),
    "reserved-id": (
        edit("id: minimal-study", "id: index"),
        f"{PATH}:2:1: error[reserved-id]: index: id: id 'index' is the site's own name for the studies index page (generated/studies/index.md); choose another id (and file name)"),
    "whole-number": (
        edit("n: 10, of: 20", "n: 10.0, of: 20"),
        f"{PATH}:30:26: error[whole-number]: minimal-study: outcomes[0].value.n: 10.0 has a decimal point, but this field takes a whole number: write 10"),
    "percent-of-zero": (
        edit("{type: count, n: 10, of: 20, percent: 50.0}", "{type: count, n: 0, of: 0, percent: 0.0}"),
        f"{PATH}:30:39: error[percent-of-zero]: minimal-study: outcomes[0].value.percent: 0.0% of 0 evaluable patients means nothing; leave 'percent' out"),
    "date-plausible": (
        edit("year: {value: 2020,", "year: {value: 2027,"),
        f"{PATH}:6:8: error[date-plausible]: minimal-study: year.value: publication year 2027 is after this year (2026)"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fixture(scratch, code):
    text, expected = CASES[code]
    assert expected in problems_for(scratch, text)


def test_every_rule_has_a_fixture():
    # not-checked and placeholder: tests/test_messages.py asserts their messages; certainty: tests/test_certainty.py.
    covered = set(CASES) | {"duplicate-id", "duplicate-identifier", "duplicate-label", "not-checked", "certainty",
                            "other-name-agent",  # tests/test_other_names.py (a regimen rule)
                            "supersedes-cycle", "overlap-conflict",
                            "statement-unconfirmed"}  # test_finding_read_only_on_a_copy_says_so below
    assert covered >= set(RULES) | set(CROSS_RULES), sorted((set(RULES) | set(CROSS_RULES)) - covered)


def test_duplicate_id_names_both_files(scratch):
    (scratch / "evidence" / "studies" / "minimal-study.yaml").write_text(MINIMAL, encoding="utf-8")
    found = problems_for(scratch, MINIMAL.replace("id: minimal-study", "id: minimal-study", 1), name="copy-study.yaml")
    assert f"evidence/studies/copy-study.yaml:2:1: error[duplicate-id]: minimal-study: id: id 'minimal-study' is also used by {PATH}" in found


def test_duplicate_identifier_across_studies(scratch):
    text = MINIMAL.replace("value: 10.1000/test.1", "value: 10.1038/s41375-019-0391-2")
    found = problems_for(scratch, text)
    assert f"{PATH}:7:7: error[duplicate-identifier]: minimal-study: doi.value: DOI 10.1038/s41375-019-0391-2 is also recorded by leukemia-2019-asct-mdex-ldex" in found


def test_duplicate_label_across_studies(scratch):
    text = MINIMAL.replace("id: minimal-study\n", "id: minimal-study\nlabel: Misawa 2016, J-POST\n")
    found = problems_for(scratch, text)
    assert f"{PATH}:3:1: error[duplicate-label]: minimal-study: label: label 'Misawa 2016, J-POST' is also used by misawa-2016-jpost-thalidomide" in found


def test_truncated_percentage_is_accepted(scratch):
    # 6/31 = 19.35%: papers print 19.4 (rounded) or 19.3 (truncated); both agree.
    for printed in ("19.4", "19.3"):
        text = edit("{type: count, n: 10, of: 20, percent: 50.0}", f"{{type: count, n: 6, of: 20, percent: {printed}}}").replace("of: 20,", "of: 31,").replace("  n: 20\n  locator", "  n: 31\n  locator").replace("    n: 20\n", "    n: 31\n")
        assert problems_for(scratch, text) == []


def test_every_problem_reported_in_one_run(scratch):
    text = edit('start: "2015-01"', 'start: "2015-02-30"').replace("percent: 50.0}", "percent: 55.0}").replace("regimen: rd", "regimen: nope")
    codes = {line.split("error[")[1].split("]")[0] for line in problems_for(scratch, text)}
    assert {"date-invalid", "percent-mismatch", "unresolved-reference"} <= codes


def test_future_check_date_is_rejected(scratch):
    text = MINIMAL.replace('date: "2025-01-01"', 'date: "2027-01-01"')
    assert f"{PATH}:37:7: error[date-invalid]: minimal-study: provenance.checks[0].date: '2027-01-01' is in the future" in problems_for(scratch, text)


def test_check_reference_must_resolve(scratch):
    text = MINIMAL.replace("title: {value: A minimal study used by the rule tests, status: verified, check: page}", "title: {value: A minimal study used by the rule tests, status: verified, check: elsewhere}")
    assert f"{PATH}:3:74: error[unresolved-reference]: minimal-study: title.check: no provenance check 'elsewhere' in provenance.checks (have: page)" in problems_for(scratch, text)


def test_unknown_fact_must_not_carry_a_value(scratch):
    text = MINIMAL.replace('pmid: {value: "12345678", status: verified, check: page}', 'pmid: {value: "12345678", status: unknown, reason: never seen}')
    found = problems_for(scratch, text)
    assert any(":8:" in line and "error[schema]" in line and "pmid.value" in line for line in found), found


def test_load_codes_are_documented():
    # Every code the loader can emit appears in the rule list shown to contributors.
    import poemskb.load as load_module
    import re
    source = Path(load_module.__file__).read_text(encoding="utf-8")
    emitted = set(re.findall(r'(?:LoadError|_mark_error|_reject)\(\s*"([a-z0-9-]+)"', source)) | set(re.findall(r'"error", "([a-z0-9-]+)"', source))
    assert emitted and emitted <= set(LOAD_CODES), emitted - set(LOAD_CODES)


def test_enrolment_before_1900_is_implausible(scratch):
    text = edit('start: "2015-01"', 'start: "1899-12"')
    assert (f"{PATH}:17:3: error[date-plausible]: minimal-study: enrolment.start: '1899-12' is before 1900; "
            "no date in this knowledge base can be that early") in problems_for(scratch, text)


def test_whole_numbers_are_read_from_the_schema(scratch):
    """Every field the schema types as integer refuses 10.0, lists of days included;
    fields typed as number (a median, a percentage) take it."""
    text = (edit("  n: 20\n  locator", "  n: 20.0\n  locator")
            .replace("    n: 20\n", "    n: 20\n    n_analysed: 19.0\n").replace("year: {value: 2020,", "year: {value: 2020.0,"))
    found = [line for line in problems_for(scratch, text) if "whole-number" in line]
    assert [line.split(": ")[3] for line in found] == ["year.value", "population.n", "arms[0].n_analysed"], found
    regimen = (ROOT / "evidence" / "regimens" / "rd.yaml").read_text(encoding="utf-8")
    assert "days: [1, 8, 15, 22]" in regimen
    (scratch / "evidence" / "regimens" / "rd.yaml").write_text(regimen.replace("days: [1, 8, 15, 22]", "days: [1, 8.0, 15, 22]"), encoding="utf-8")
    _, report = load(scratch, today=TODAY)
    assert [p.field for p in report.errors if p.path.endswith("/rd.yaml")] == ["phases[0].components[1].days[1]"], report.format("text")


def _finding(fid: str, supersedes: str) -> str:
    text = (ROOT / "evidence" / "findings" / "cochrane-2012-no-controlled-trials.yaml").read_text(encoding="utf-8")
    assert text.count("id: cochrane-2012-no-controlled-trials\n") == 1 and "supersedes: cochrane-2008-no-controlled-trials" in text
    return (text.replace("id: cochrane-2012-no-controlled-trials\n", f"id: {fid}\n")
            .replace("supersedes: cochrane-2008-no-controlled-trials", f"supersedes: {supersedes}"))


def test_finding_superseding_itself_or_in_a_cycle(scratch):
    folder = scratch / "evidence" / "findings"
    (folder / "loop-a.yaml").write_text(_finding("loop-a", "loop-b"), encoding="utf-8")
    (folder / "loop-b.yaml").write_text(_finding("loop-b", "loop-a"), encoding="utf-8")
    (folder / "self-loop.yaml").write_text(_finding("self-loop", "self-loop"), encoding="utf-8")
    _, report = load(scratch, today=TODAY)
    found = [p.text() for p in report.sorted() if p.code == "supersedes-cycle"]
    line = next(i for i, l in enumerate(_finding("x", "y").splitlines(), 1) if l.startswith("supersedes:"))
    assert found == [
        f"evidence/findings/loop-a.yaml:{line}:1: error[supersedes-cycle]: loop-a: supersedes: findings supersede each other in a cycle: loop-a -> loop-b -> loop-a; 'supersedes' names an earlier finding",
        f"evidence/findings/loop-b.yaml:{line}:1: error[supersedes-cycle]: loop-b: supersedes: findings supersede each other in a cycle: loop-b -> loop-a -> loop-b; 'supersedes' names an earlier finding",
        f"evidence/findings/self-loop.yaml:{line}:1: error[supersedes-cycle]: self-loop: supersedes: finding 'self-loop' supersedes itself; 'supersedes' names an earlier finding",
    ]
    # A chain that ends (the real records: 2012 supersedes 2008) is no cycle.
    assert not [p for p in load(ROOT, today=TODAY)[1].problems if p.code == "supersedes-cycle"]


def test_contradicting_overlaps_name_both_records(scratch):
    partner = "blood-2012-mayo-asct-long-term"
    declared = edit("provenance:\n", f"overlaps:\n  - {{study: {partner}, relation: subset-of, basis: same centre and period}}\nprovenance:\n")
    other = (ROOT / "evidence" / "studies" / f"{partner}.yaml").read_text(encoding="utf-8")
    assert "\noverlaps:\n" in other
    other = other.replace("\noverlaps:\n", "\noverlaps:\n  - {study: minimal-study, relation: subset-of, basis: same centre and period}\n", 1)
    (scratch / "evidence" / "studies" / f"{partner}.yaml").write_text(other, encoding="utf-8")
    found = problems_for(scratch, declared)
    assert (f"{PATH}:33:45: error[overlap-conflict]: minimal-study: overlaps[0].relation: this study is declared 'subset-of' "
            f"{partner}, but {partner} (evidence/studies/{partner}.yaml) says it is 'subset-of' minimal-study, which from this "
            "side reads 'superset-of'; make the declarations agree") in found
    _, report = load(scratch, today=TODAY)
    assert [p.path for p in report.errors if p.code == "overlap-conflict"] == [f"evidence/studies/{partner}.yaml", PATH]
    # The same fact said from both sides (A subset-of B, B superset-of A) agrees.
    (scratch / "evidence" / "studies" / f"{partner}.yaml").write_text(other.replace(
        "{study: minimal-study, relation: subset-of", "{study: minimal-study, relation: superset-of"), encoding="utf-8")
    assert not [line for line in problems_for(scratch, declared) if "overlap-conflict" in line]


def test_duplicate_identifier_however_written(scratch):
    """Case, Unicode form, full-width digits, a zero-width space and percent-encoding do
    not make a DOI or PMID another one."""
    taken = "10.1038/s41375-019-0391-2"
    forms = {"upper": taken.upper(), "percent": taken.replace("/", "%2F"), "zero-width": taken.replace("s4", "s\u200b4"),
             "full-width": "１０.1038/s41375-019-0391-2", "resolver": "https://doi.org/" + taken}
    for name, form in forms.items():
        text = MINIMAL.replace("value: 10.1000/test.1", f"value: {json.dumps(form)}")
        found = [line for line in problems_for(scratch, text) if "duplicate-identifier" in line]
        assert found == [f"{PATH}:7:7: error[duplicate-identifier]: minimal-study: doi.value: DOI {taken} is also recorded by "
                         "leukemia-2019-asct-mdex-ldex (written '10.1038/s41375-019-0391-2')"], (name, found)
    number = "27496680"  # J-POST's PMID
    assert f'pmid:\n  value: "{number}"' in (ROOT / "evidence" / "studies" / "misawa-2016-jpost-thalidomide.yaml").read_text(encoding="utf-8")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
    found = [line for line in problems_for(scratch, MINIMAL.replace('"12345678"', f'"{wide}"')) if "duplicate-identifier" in line]
    assert len(found) == 1 and f"PMID {number} is also recorded by misawa-2016-" in found[0], found


@pytest.mark.parametrize("form", ["10.1000/ABC", "10.1000%2Fabc", "10.1000/a\u200bbc", "１０.１０００/abc", "doi:10.1000/abc",
                                  "https://doi.org/10.1000/abc", " 10.1000/abc", "10.1000/a\u00adbc"])
def test_identifier_forms_share_one_key(form):
    from poemskb.identity import identifier_key
    assert identifier_key("doi", form) == identifier_key("doi", "10.1000/abc") == "10.1000/abc"


def test_identifier_keys_keep_different_identifiers_apart():
    from poemskb.identity import id_key, identifier_key
    assert identifier_key("doi", "10.1000/abc") != identifier_key("doi", "10.1000/abd")
    assert identifier_key("pmid", "９００") == "900" != identifier_key("pmid", "9000")
    assert identifier_key("doi", "10.5555/caf\u00e9") == identifier_key("doi", "10.5555/cafe\u0301")
    assert id_key("ｒｄ") == id_key("RD") == id_key("r\u200bd") == "rd"


def test_hidden_characters_reported_in_a_record_that_fails_its_schema(scratch):
    text = edit("  n: 20\n  locator", "  n: twenty\n  locator").replace("label: Rd", 'label: "R\\ed"')
    found = problems_for(scratch, text)
    assert any("error[schema]" in line for line in found), found
    assert f"{PATH}:22:5: error[forbidden-character]: minimal-study: arms[0].label: U+001B ESCAPE at character 2: " \
           "not allowed in records (control, direction and invisible characters can hide or reorder text, or drive a terminal); remove it" in found


def test_line_breaks_only_in_prose_fields(scratch):
    prose = edit("summary: A made-up study that exists only to exercise the validator's rules.",
                 "summary: |\n  A made-up study that exists only\n  to exercise the validator's rules.")
    assert problems_for(scratch, prose) == []
    title = edit("A minimal study used by the rule tests,", '"A minimal study\\n0 error(s), 0 warning(s)",')
    assert problems_for(scratch, title) == [
        f"{PATH}:3:9: error[forbidden-character]: minimal-study: title.value: U+000A LINE FEED at character 16: "
        "only prose fields such as summary and note may span lines; write title on one line"]


def test_population_conflict_checks_outcomes_against_their_arm(scratch):
    # The arm narrows a mixed study to relapsed patients; its outcome cannot be newly diagnosed.
    text = (edit("  status: newly-diagnosed\n", "  status: mixed\n")
            .replace("    regimen: rd\n", "    regimen: rd\n    population: {line: relapsed-refractory, locator: {in: abstract}}\n")
            .replace("    arm: only\n", "    arm: only\n    population: {line: newly-diagnosed, locator: {in: abstract}}\n"))
    found = problems_for(scratch, text)
    assert found == [f"{PATH}:31:18: error[population-conflict]: minimal-study: outcomes[0].population.line: 'newly-diagnosed' contradicts arm 'only' population.line 'relapsed-refractory': these patients are part of that population; give the same value or correct the wider one"], found


def test_a_newly_diagnosed_cohort_may_report_figures_at_relapse(scratch):
    # A second transplant at progression is relapsed treatment of newly diagnosed patients.
    text = MINIMAL.replace("    arm: only\n", "    arm: only\n    population: {line: relapsed-refractory, locator: {in: abstract}}\n")
    assert problems_for(scratch, text) == []


def test_transplant_eligibility_conflicts_both_ways(scratch):
    text = (edit("  status: newly-diagnosed\n", "  status: newly-diagnosed\n  transplant: eligible\n")
            .replace("    regimen: rd\n", "    regimen: rd\n    population: {transplant: ineligible, locator: {in: abstract}}\n"))
    assert [p for p in problems_for(scratch, text) if "population-conflict" in p] == [
        f"{PATH}:25:18: error[population-conflict]: minimal-study: arms[0].population.transplant: 'ineligible' contradicts the study's population.transplant 'eligible': these patients are part of that population; give the same value or correct the wider one"]


def test_a_mixed_or_unknown_study_leaves_arms_free(scratch):
    text = (edit("  status: newly-diagnosed\n", "  status: mixed\n  transplant: unknown\n")
            .replace("    regimen: rd\n", "    regimen: rd\n    population: {line: relapsed-refractory, transplant: ineligible, locator: {in: abstract}}\n"))
    assert problems_for(scratch, text) == []


def test_a_one_arm_ratio_marked_as_association_passes(scratch):
    text = edit("measure: haematologic-response\n    arm: only\n    value: {type: count, n: 10, of: 20, percent: 50.0}",
                "measure: progression-free-survival\n    role: association\n    arm: only\n    value: {type: hazard-ratio, value: 2.0}")
    assert problems_for(scratch, text) == []


def test_cross_record_rules_read_schema_invalid_overlaps_without_crashing(scratch):
    # Cross-record rules see records that failed their schema too (so ids and references
    # are checked in the same run); malformed overlap items must give schema errors only.
    path = scratch / "evidence" / "studies" / "leukemia-2017-asct-pretransplant.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("overlaps:\n", "overlaps:\n  - 1\n  - [x]\n", 1), encoding="utf-8")
    _, report = load(scratch)
    assert {p.code for p in report.errors} == {"schema"}


@pytest.mark.parametrize("url, host, kind", [
    ("https://mayoclinic.elsevierpure.com/en/publications/x", "mayoclinic.elsevierpure.com", "an institutional research portal"),
    ("https://kyushu-u.pure.elsevier.com/ja/publications/x", "kyushu-u.pure.elsevier.com", "an institutional research portal"),
    ("https://researchinformation.amsterdamumc.org/en/publications/x", "researchinformation.amsterdamumc.org", "an institutional research portal"),
    ("https://doaj.org/article/x", "doaj.org", "an index or aggregator"),
    ("https://ci.nii.ac.jp/naid/1", "ci.nii.ac.jp", "an index or aggregator"),
    ("https://www.medwirenews.com/neurology/x", "www.medwirenews.com", "a news site"),
    ("https://www.scribd.com/document/1", "www.scribd.com", "a document-sharing site"),
    ("https://proxy.weglot.com/wg_1/en/es/pubmed.ncbi.nlm.nih.gov/1", "proxy.weglot.com", "a translation proxy"),
    ("https://47.251.13.51:8081/32009091", "47.251.13.51", "a raw IP address"),
])
def test_a_copy_of_the_publication_is_refused_saying_what_it_is(scratch, url, host, kind):
    text = edit("      where: An imaginary abstract page\n", f"      where: An imaginary abstract page\n      url: {url}\n")
    assert problems_for(scratch, text) == [
        f"{PATH}:37:7: error[source-address]: minimal-study: provenance.checks[0].url: '{host}' is {kind}, not the publication; "
        "link the publication itself (doi.org, PubMed, PMC, the publisher or the registry), name the copy in 'where' and 'note' "
        "without linking it, and mark facts seen only there unverified (see CONTRIBUTING.md, 'Source addresses')"]


@pytest.mark.parametrize("url", ["https://pubmed.ncbi.nlm.nih.gov/12345678/", "https://doi.org/10.1000/test.1",
                                 "https://ashpublications.org/blood/article/1/2/3/4/x", "https://ash.confex.com/ash/2015/webprogram/Paper1.html"])
def test_the_publications_own_page_is_accepted(scratch, url):
    text = edit("      where: An imaginary abstract page\n", f"      where: An imaginary abstract page\n      url: {url}\n")
    assert problems_for(scratch, text) == []


SUMMARY = "summary: A made-up study that exists only to exercise the validator's rules."


def test_summary_dates_and_years_are_not_figures(scratch):
    # A date or a year says when, not how many: no field need hold 8, 2013 or 2016.
    text = edit(SUMMARY, "summary: Searched to 8 April 2013 (or April 8, 2013; or May 2020) and published in 2016.")
    assert problems_for(scratch, text) == []


def test_summary_year_like_count_of_patients_is_still_a_figure(scratch):
    text = edit(SUMMARY, "summary: A made-up study of 2016 patients.")
    assert problems_for(scratch, text) == [
        f"{PATH}:11:1: warning[summary-number]: minimal-study: summary: states 2016, which no field of this record holds; record the figure with its locator, or leave it out"]


def test_summary_proportion_in_words_matches_a_held_percentage(scratch):
    # 10 of 20 responded (50%): "one in two" says the same in plain words.
    assert problems_for(scratch, edit(SUMMARY, "summary: About one in two responded.")) == []
    assert problems_for(scratch, edit(SUMMARY, "summary: About 1 out of 2 responded.")) == []


def test_summary_proportion_in_words_far_from_any_held_percentage_is_flagged(scratch):
    # One in six is 16.7%, nowhere near the 50% the record holds: the words stay figures.
    assert problems_for(scratch, edit(SUMMARY, "summary: About one in six responded.")) == [
        f"{PATH}:11:1: warning[summary-number]: minimal-study: summary: states 6, which no field of this record holds; record the figure with its locator, or leave it out"]


def _write_finding(scratch: Path, name: str, text: str) -> list[str]:
    (scratch / "evidence" / "findings" / f"{name}.yaml").write_text(text, encoding="utf-8")
    _, report = load(scratch, today=TODAY)
    return [p.text() for p in report.sorted() if p.path.endswith(f"/{name}.yaml") and p.code == "statement-unconfirmed"]


def test_finding_read_only_on_a_copy_says_so(scratch):
    # The 2023 expert advice was read only on an unlinked copy of its PubMed record: its
    # statement must say the advice is not confirmed. Unhedged, it is refused.
    real = (ROOT / "evidence" / "findings" / "ajh-2023-risk-adapted-therapy.yaml").read_text(encoding="utf-8")
    assert "not\n  confirmed" in real and "url:" not in real
    bare = real.replace("id: ajh-2023-risk-adapted-therapy", "id: bare-advice").replace(
        "as a copy of the review's PubMed abstract gives it (not\n  confirmed on PubMed or the journal's page)", "as the review gives it")
    assert "confirmed" not in bare.split("kind:")[0]
    line = next(i for i, l in enumerate(bare.splitlines(), 1) if l.startswith("statement:"))
    assert _write_finding(scratch, "bare-advice", bare) == [
        f"evidence/findings/bare-advice.yaml:{line}:1: error[statement-unconfirmed]: bare-advice: statement: the source of this finding "
        "was read only on an unlinked copy (no check it rests on has an address); say in the statement that it is not confirmed, "
        "or read it on the publication's own page and link that"]
    # The hedged original passes, and so does the same text once a check links the publication.
    assert _write_finding(scratch, "ajh-2023-risk-adapted-therapy", real) == []
    linked = bare.replace("id: bare-linked", "").replace("id: bare-advice", "id: bare-linked").replace(
        "      date: \"2026-11-26\"", "      url: https://pubmed.ncbi.nlm.nih.gov/37732822/\n      date: \"2026-11-26\"", 1)
    assert _write_finding(scratch, "bare-linked", linked) == []


def test_finding_source_check_decides_when_it_names_one(scratch):
    # The CLML finding names a linked check (the ASH abstract) as its source: an unlinked
    # second check does not make its statement need a hedge. Pointing its source at the
    # unlinked check does.
    real = (ROOT / "evidence" / "findings" / "clml-2022-few-formal-regimen-studies.yaml").read_text(encoding="utf-8")
    plain = real.replace("id: clml-2022-few-formal-regimen-studies", "id: clml-plain").replace("According to", "In").replace(
        "read\n  only on an unconfirmed copy of its PubMed record,", "")
    assert not any(h in plain.split("kind:")[0].lower() for h in ("not confirmed", "unconfirmed", "according to"))
    assert _write_finding(scratch, "clml-plain", plain) == []
    assert "locator: {in: abstract, check: ash2020}" in plain
    to_copy = plain.replace("id: clml-plain", "id: clml-copy").replace("locator: {in: abstract, check: ash2020}", "locator: {in: abstract, check: pubmed}")
    assert [p.split(": ")[3] for p in _write_finding(scratch, "clml-copy", to_copy)] == ["statement"]
