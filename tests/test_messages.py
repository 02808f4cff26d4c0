"""Messages a newcomer can act on: each confusing message a first-time contributor met
(issue 9) is asserted here in its new wording, on a scratch copy of the knowledge base."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from poemskb.kb import load

MINIMAL = (Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8")
PATH = "evidence/studies/minimal-study.yaml"


def lines(scratch: Path, text: str, name: str = "minimal-study.yaml", folder: str = "studies") -> list[str]:
    (scratch / "evidence" / folder / name).write_text(text, encoding="utf-8")
    _, report = load(scratch)
    return [p.text() for p in report.sorted() if p.severity == "error" or p.code == "not-checked"]


def edit(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


def test_colon_in_plain_text_says_to_quote_and_shows_how(scratch):
    found = lines(scratch, edit("    label: Rd\n", "    label: Rd: lenalidomide and dexamethasone\n"))
    assert found == [f'{PATH}:22:14: error[yaml-syntax]: -: -: text containing \': \' must be quoted: '
                     'write label: "Rd: lenalidomide and dexamethasone"']


def test_unknown_regimen_suggests_the_one_whose_names_match(scratch):
    found = lines(scratch, edit("    regimen: rd\n", "    regimen: asct\n"))
    assert found == [f"{PATH}:23:5: error[unresolved-reference]: minimal-study: arms[0].regimen: no regimen record 'asct' "
                     "(expected evidence/regimens/asct.yaml); did you mean 'asct-hdm'?"]


def test_misspelled_measure_id_suggests_the_closest(scratch):
    found = lines(scratch, edit("measure: haematologic-response", "measure: hematologic-response"))
    assert found == [f"{PATH}:28:5: error[unresolved-reference]: minimal-study: outcomes[0].measure: no measure record "
                     "'hematologic-response' (expected evidence/measures/hematologic-response.yaml); did you mean "
                     "'haematologic-response'?"]


def test_unknown_enum_value_suggests_allowed_values(scratch):
    found = lines(scratch, edit("design: prospective-single-arm", "design: single-arm"))
    assert len(found) == 1 and found[0].startswith(f"{PATH}:10:1: error[schema]: minimal-study: design: ")
    assert found[0].endswith("did you mean 'prospective-single-arm'?")


def test_misspelled_key_is_reported_on_its_own_line_with_the_field_it_may_be(scratch):
    found = lines(scratch, edit("  end: \"2018-06\"\n", "  ned: \"2018-06\"\n"))
    assert found == [f"{PATH}:18:3: error[schema]: minimal-study: enrolment.ned: unknown field 'ned'; did you mean 'end'?"]


def test_summary_count_equals_the_problems_printed(scratch):
    # The same problem can be found twice (two schema branches); it is printed once and counted once.
    text = edit("    regimen: rd\n", "    regimen: nope\n").replace("percent: 50.0}", "percent: 55.0}").replace("  n: 20\n  locator", "  n: twenty\n  locator")
    (scratch / "evidence" / "studies" / "minimal-study.yaml").write_text(text, encoding="utf-8")
    _, report = load(scratch)
    out = report.format("text", quiet=lambda p: p.code == "unverified").splitlines()
    printed_errors = [line for line in out if ": error[" in line]
    assert out[-1].startswith(f"{len(printed_errors)} error(s), ")
    assert len(report.errors) == len(printed_errors) == len(set(printed_errors))


def test_a_broken_file_does_not_blame_the_records_pointing_at_it(scratch):
    rd = scratch / "evidence" / "regimens" / "rd.yaml"
    rd.write_text(rd.read_text(encoding="utf-8").replace("\n", "\n\t", 1), encoding="utf-8")
    found = lines(scratch, MINIMAL)
    assert not [line for line in found if "unresolved-reference" in line], found
    assert found[0] == "evidence/regimens/rd.yaml:2:1: error[tab]: -: -: tab character; indent and separate with spaces"
    not_checked = [line for line in found if "not-checked" in line]
    assert len(not_checked) == 1
    assert not_checked[0].startswith("evidence/regimens/rd.yaml:1:1: warning[not-checked]: -: -: ")
    assert "record(s) refer to regimen 'rd' and were not checked against it, because this file did not load" in not_checked[0]
    # Listed up to five, the rest counted: count the records naming 'rd' independently of the
    # loader (it grows whenever a study of lenalidomide-dexamethasone is added).
    naming_rd = [f for f in (scratch / "evidence").rglob("*.yaml")
                 if re.search(r"^\s*(- )?regimen: rd\s*$", f.read_text(encoding="utf-8"), re.MULTILINE)]
    assert len(naming_rd) > 5
    assert f"{len(naming_rd)} record(s) refer to regimen 'rd'" in not_checked[0]
    assert f" and {len(naming_rd) - 5} more" in not_checked[0]


def test_reference_errors_come_in_the_same_run_as_schema_errors(scratch):
    text = edit("    regimen: rd\n", "    regimen: nope\n").replace("  n: 20\n  locator", "  n: twenty\n  locator")
    codes = {line.split("error[")[1].split("]")[0] for line in lines(scratch, text)}
    assert codes == {"schema", "unresolved-reference"}


def test_placeholder_left_by_new_names_the_field(scratch):
    text = edit("summary: A made-up study that exists only to exercise the validator's rules.",
                'summary: "TO FILL: Two to four sentences for clinicians"')
    assert lines(scratch, text) == [f"{PATH}:11:1: error[placeholder]: minimal-study: summary: still to fill: Two to four sentences for clinicians"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_warnings_about_records_not_touched_are_one_line_unless_asked(tmp_path, root):
    import shutil
    shutil.copytree(root / "evidence", tmp_path / "evidence")
    git = lambda *a: subprocess.run(["git", "-C", str(tmp_path), *a], check=True, capture_output=True)  # noqa: E731
    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    git("checkout", "-q", "-b", "topic")
    (tmp_path / "evidence" / "studies" / "minimal-study.yaml").write_text(
        edit("percent: 50.0}", "percent: 55.0}").replace('pmid: {value: "12345678", status: verified, check: page}',
                                                         'pmid: {value: "12345678", status: unverified, reason: seen only in a citation}'),
        encoding="utf-8")
    out = run("--root", str(tmp_path), "validate", cwd=tmp_path).stdout.splitlines()
    assert out[0].startswith(f"{PATH}:30:41: error[percent-mismatch]")  # errors first
    assert f"{PATH}:8:1: warning[unverified]: minimal-study: pmid: seen only in a citation" in out  # the contributor's own
    assert [line for line in out if "warning[unverified]" in line] == [f"{PATH}:8:1: warning[unverified]: minimal-study: pmid: seen only in a citation"]
    assert out[-2].endswith("record(s) you did not change (--all-warnings lists them)")
    every = run("--root", str(tmp_path), "validate", "--all-warnings", cwd=tmp_path).stdout.splitlines()
    assert len([line for line in every if "warning[unverified]" in line]) > 50
    assert every[-1] == out[-1]
