"""`poemskb validate --since REV`: only the changed records and those the change can
affect are checked, yet every error a full validation finds is reported.

A synthetic knowledge base is committed to a scratch git repository; each scenario
changes it the way a pull request would (edit, delete, rename, add, leave untracked)
and compares `validate --since HEAD`, and `validate FILES...` given the changed files
(deleted ones included), with a full `validate`: the same errors, and the same warnings
for the changed files.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poemskb.synth import write_kb

ROOT = Path(__file__).resolve().parents[1]
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]

pytestmark = pytest.mark.slow


def run(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", "--root", str(tree), *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def problems(tree: Path, *args: str) -> tuple[int, list[dict], str]:
    result = run(tree, "validate", "--format", "json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout or "[]"), result.stderr


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("since")
    write_kb(tree, 40, source_root=ROOT, seed=3, site=False)
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    subprocess.run(GIT + ["-C", str(tree), "add", "-A"], check=True)
    subprocess.run(GIT + ["-C", str(tree), "commit", "-q", "-m", "base"], check=True)
    code, found, _ = problems(tree)
    assert code == 0 and not [p for p in found if p["severity"] == "error"]
    return tree


@pytest.fixture
def tree(repo):
    yield repo
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard"], check=True)
    subprocess.run(["git", "-C", str(repo), "clean", "-q", "-fd"], check=True)


def compare(tree: Path) -> tuple[list[dict], str]:
    """Run both ways, and with the changed files listed instead of --since; assert each
    reports what a full validation reports."""
    full_code, full, _ = problems(tree)
    status = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--no-renames", "-uall"], capture_output=True,
                            text=True, check=True).stdout.split("\n")
    changed = {line[3:] for line in status if line}
    key = lambda p: (p["path"], p["line"], p["col"], p["code"], p["field"], p["message"])  # noqa: E731
    errors = lambda ps: sorted(key(p) for p in ps if p["severity"] == "error")  # noqa: E731
    warnings = lambda ps: sorted(key(p) for p in ps if p["severity"] == "warning" and p["path"] in changed)  # noqa: E731
    since_code, since, note = problems(tree, "--since", "HEAD")
    runs = [("--since", since_code, since, note)]
    if changed:  # with no files listed, validate checks everything: nothing to compare
        runs.append(("FILES", *problems(tree, *sorted(str(tree / name) for name in changed))))
    for how, code, found, how_note in runs:
        assert errors(found) == errors(full), (how, how_note)
        assert code == full_code, how
        assert warnings(found) == warnings(full), how
    return since, note


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def users_of(tree: Path, record_id: str) -> list[Path]:
    pattern = re.compile(rf"(?<![\w-]){re.escape(record_id)}(?![\w-])")
    return [p for p in (tree / "evidence").rglob("*.yaml") if p.stem != record_id and pattern.search(p.read_text(encoding="utf-8"))]


def checked(note: str) -> tuple[int, int]:
    match = re.search(r"checked (\d+) of (\d+) record", note)
    assert match, note
    return int(match[1]), int(match[2])


def test_nothing_changed(tree):
    since, note = compare(tree)
    assert since == [] and checked(note)[0] == 0


def test_valid_edit_checks_one_record(tree):
    study = tree / "evidence" / "studies" / "synth-study-00005.yaml"
    edit(study, "summary: ", "summary: Rewritten. ")
    since, note = compare(tree)
    assert {p["path"] for p in since} <= {"evidence/studies/synth-study-00005.yaml"}
    assert checked(note)[0] < checked(note)[1] // 2


def test_broken_record(tree):
    study = tree / "evidence" / "studies" / "synth-study-00005.yaml"
    edit(study, "design: ", "design: not-a-design-")
    since, _ = compare(tree)
    assert any(p["code"] == "schema" and p["path"].endswith("synth-study-00005.yaml") for p in since)


def test_deleted_regimen_breaks_the_studies_that_use_it(tree):
    regimen = tree / "evidence" / "regimens" / "synth-regimen-0001.yaml"
    users = users_of(tree, "synth-regimen-0001")
    assert users, "the scenario needs a regimen in use"
    regimen.unlink()
    since, _ = compare(tree)
    assert {p["path"] for p in since if p["code"] == "unresolved-reference"} == {str(u.relative_to(tree)) for u in users}


def test_renamed_study_breaks_citations_and_overlaps(tree):
    cited = next(sid for sid in (f"synth-study-{i:05d}" for i in range(40)) if users_of(tree, sid))
    old = tree / "evidence" / "studies" / f"{cited}.yaml"
    edit(old, f"id: {cited}", "id: renamed-study")
    old.rename(old.with_name("renamed-study.yaml"))
    since, _ = compare(tree)
    assert any(p["code"] == "unresolved-reference" for p in since)


def test_new_study_with_a_taken_doi_and_id(tree):
    source = tree / "evidence" / "studies" / "synth-study-00007.yaml"
    copy = source.with_name("copied-study.yaml")
    shutil.copyfile(source, copy)  # untracked: never added to git
    since, _ = compare(tree)
    codes = {(p["path"], p["code"]) for p in since}
    assert ("evidence/studies/synth-study-00007.yaml", "duplicate-id") in codes
    assert ("evidence/studies/synth-study-00007.yaml", "duplicate-identifier") in codes
    assert ("evidence/studies/copied-study.yaml", "id-mismatch") in codes


def test_measure_narrowed(tree):
    measure = tree / "evidence" / "measures" / "synth-measure-0000.yaml"
    edit(measure, "value_types:\n- count\n- percentage\n", "value_types:\n")
    since, _ = compare(tree)
    assert any(p["code"] == "value-type" for p in since)


def test_criteria_item_removed(tree):
    criteria = tree / "evidence" / "criteria" / "synth-criteria-0.yaml"
    users = users_of(tree, "synth-criteria-0")
    text = criteria.read_text(encoding="utf-8")
    criteria.write_text(re.sub(r"  - id: item-0\n    text: [^\n]*\n", "", text), encoding="utf-8")
    since, _ = compare(tree)
    if any("criteria_met" in u.read_text(encoding="utf-8") for u in users):
        assert any(p["code"] == "unresolved-reference" for p in since)


def test_unparseable_record_breaks_its_users(tree):
    regimen = tree / "evidence" / "regimens" / "synth-regimen-0002.yaml"
    regimen.write_text("id: [synth-regimen-0002\n", encoding="utf-8")
    since, _ = compare(tree)
    assert any(p["code"] == "yaml-syntax" for p in since)


def test_stray_file(tree):
    (tree / "evidence" / "studies" / "notes.txt").write_text("todo\n", encoding="utf-8")
    since, _ = compare(tree)
    assert [p["code"] for p in since] == ["stray-file"]


def test_schema_change_checks_everything(tree):
    edit(tree / "evidence" / "schema" / "study.schema.json", '"minLength": 20', '"minLength": 21')
    _, note = compare(tree)
    assert "checking every record" in note


def test_bad_revision(tree):
    result = run(tree, "validate", "--since", "no-such-revision")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no-such-revision" in result.stderr


def test_since_and_files_together_is_a_usage_error(tree):
    result = run(tree, "validate", "--since", "HEAD", str(tree / "evidence" / "studies" / "synth-study-00001.yaml"))
    assert result.returncode == 2


@given(data=st.data())
@settings(max_examples=int(os.environ.get("POEMSKB_SINCE_EXAMPLES", "12")), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_random_changes_agree_with_full_validation(repo, data):
    """Random pull requests: delete, rename or retarget records, in any combination."""
    try:
        files = sorted((repo / "evidence").glob("[!s]*/*.yaml")) + sorted((repo / "evidence" / "studies").glob("*.yaml"))
        ids = [p.stem for p in files]
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from([p for p in files if p.exists()]))
            action = data.draw(st.sampled_from(["delete", "rename", "retarget", "duplicate"]))
            text = path.read_text(encoding="utf-8")
            if action == "delete":
                path.unlink()
            elif action == "rename":
                new = path.with_name(f"renamed-{path.stem}.yaml")
                new.write_text(text.replace(f"id: {path.stem}\n", f"id: renamed-{path.stem}\n"), encoding="utf-8")
                path.unlink()
            elif action == "retarget":
                target = data.draw(st.sampled_from(ids + ["missing-record"]))
                path.write_text(re.sub(r"(regimen|measure|study): \S+", rf"\1: {target}", text, count=1), encoding="utf-8")
            else:
                path.with_name(f"copy-{path.stem}.yaml").write_text(text, encoding="utf-8")
        compare(repo)
    finally:
        subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard"], check=True)
        subprocess.run(["git", "-C", str(repo), "clean", "-q", "-fd"], check=True)


def test_new_study_with_a_taken_doi_written_differently(tree):
    """The fast path finds a duplicate however the DOI is written (case, percent-encoding):
    the duplicate rule compares normalised identifiers, so must the text search."""
    source = tree / "evidence" / "studies" / "synth-study-00007.yaml"
    doi = re.search(r"doi:\n  value: (\S+)\n", source.read_text(encoding="utf-8"))[1]
    for name, form in (("upper", doi.upper()), ("encoded", doi.replace("/", "%2F").replace(".", "%2E"))):
        new = source.with_name(f"{name}-study.yaml")
        text = source.read_text(encoding="utf-8").replace("id: synth-study-00007\n", f"id: {name}-study\n")
        text = re.sub(r"(pmid|pmcid):\n  value: \S+\n", r"\1:\n  value: null\n", text)  # only the DOI is shared
        text = re.sub(r"(pmid|pmcid):\n  value: null\n  status: verified\n  check: \S+\n", r"\1:\n  value: null\n  status: unknown\n  reason: not given\n", text)
        new.write_text(text.replace(f"value: {doi}\n", f"value: '{form}'\n"), encoding="utf-8")
    since, _ = compare(tree)
    assert ("evidence/studies/synth-study-00007.yaml", "duplicate-identifier") in {(p["path"], p["code"]) for p in since}


def test_overlap_contradicted_from_the_other_side(tree):
    """A change to one study's overlap can contradict an unchanged study's declaration."""
    studies = sorted((tree / "evidence" / "studies").glob("*.yaml"))
    declaring = next(p for p in studies if "\noverlaps:\n" in p.read_text(encoding="utf-8"))
    item = re.search(r"\noverlaps:\n- study: (\S+)\n  relation: (\S+)\n", declaring.read_text(encoding="utf-8"))
    other = tree / "evidence" / "studies" / f"{item[1]}.yaml"
    contradiction = "subset-of" if item[2] != "subset-of" else "same-cohort"
    text = other.read_text(encoding="utf-8")
    entry = f"- study: {declaring.stem}\n  relation: {contradiction}\n  basis: a change that contradicts the other record\n"
    text = text.replace("\noverlaps:\n", f"\noverlaps:\n{entry}", 1) if "\noverlaps:\n" in text else \
        text.replace("\nprovenance:\n", f"\noverlaps:\n{entry}provenance:\n", 1)
    other.write_text(text, encoding="utf-8")
    since, _ = compare(tree)
    assert {(p["path"], p["code"]) for p in since if p["code"] == "overlap-conflict"} == {
        (f"evidence/studies/{declaring.name}", "overlap-conflict"), (f"evidence/studies/{other.name}", "overlap-conflict")}
