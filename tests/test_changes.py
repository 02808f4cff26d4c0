"""`poemskb diff`: the evidence diff between two states of a git repository, as a
reviewer reads it (Markdown for the pull request, JSON for tools)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from poemskb.changes import evidence_diff
from poemskb.changes_md import md_text

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = (Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8")
PILOT = "evidence/studies/blood-2011-ash-lenalidomide-pilot.yaml"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A knowledge base on 'main', and a branch that changes it in every way the diff knows."""
    repo = tmp_path_factory.mktemp("diff") / "kb"
    shutil.copytree(ROOT / "evidence", repo / "evidence")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-q", "-b", "topic")
    ev = repo / "evidence"
    (ev / "studies" / "minimal-study.yaml").write_text(MINIMAL, encoding="utf-8")  # added
    (ev / "studies" / "yuda-2013-lenalidomide-es.yaml").unlink()  # removed
    # Renamed: the same content under a new id.
    (ev / "regimens" / "thalidomide.yaml").rename(ev / "regimens" / "thalidomide-alone.yaml")
    edit(ev / "regimens" / "thalidomide-alone.yaml", "id: thalidomide\n", "id: thalidomide-alone\n")
    pilot = repo / PILOT
    edit(pilot, "value: {type: count, n: 6, of: 6}", "value: {type: count, n: 5, of: 6}")  # outcome value
    edit(pilot, "  - id: neuro\n    measure: neurologic-response\n    arm: rd\n", "  - id: neuro\n    measure: neurologic-response\n    arm: rd\n    status: unverified\n    reason: Seen in a citation only.\n")
    edit(pilot, "doi:\n  value: null\n  status: unknown\n  reason: Not seen.\n", "doi:\n  value: 10.1000/example.4612\n  status: verified\n  check: ash\n")
    edit(pilot, "provenance:\n", "overlaps:\n  - study: blood-2014-ash-len-dex-phase2\n    relation: possible\n    basis: Same meeting series.\nprovenance:\n")
    edit(ev / "regimens" / "asct-hdm.yaml", "dose: {value: 200, unit: mg/m2", "dose: {value: 140, unit: mg/m2")  # dose
    (ev / "studies" / "trump-2014-ash-asct.yaml").write_text("id: trump-2014-ash-asct\n\ttitle: x\n", encoding="utf-8")  # unreadable
    return repo


@pytest.fixture(scope="module")
def diff(repo):
    return json.loads(evidence_diff(repo).json())  # default: merge-base with main .. work tree


def test_records_added_removed_renamed(diff):
    assert [(a["kind"], a["id"], a["outcomes"]) for a in diff["added"]] == [("study", "minimal-study", "1")]
    assert [(r["kind"], r["id"]) for r in diff["removed"]] == [("study", "yuda-2013-lenalidomide-es")]
    assert [(r["kind"], r["from"], r["to"]) for r in diff["renamed"]] == [("regimen", "thalidomide", "thalidomide-alone")]
    assert diff["head"] == "work tree"


def test_outcome_identifier_overlap_and_dose_changes_old_to_new(diff):
    changed = {c["id"]: c for c in diff["changed"]}
    items = [(i["section"], i["item"], i["what"], i["before"], i["after"]) for i in changed["blood-2011-ash-lenalidomide-pilot"]["items"]]
    assert ("outcomes", "clinical-6c", "value", "6/6", "5/6") in items, items
    assert ("outcomes", "neuro", "status", "—", "unverified") in items
    assert ("identifiers", "doi", "value", "—", "10.1000/example.4612") in items
    assert ("identifiers", "doi", "became verified", "unknown", "verified") in items
    assert ("overlaps", "blood-2014-ash-len-dex-phase2", "declared", "—", "possible: Same meeting series.") in items
    dose = [(i["item"], i["before"], i["after"]) for i in changed["asct-hdm"]["items"]]
    assert len(dose) == 1 and dose[0][0] == "conditioning: melphalan"
    assert dose[0][1].startswith("200 mg/m2 per course") and dose[0][2].startswith("140 mg/m2 per course")
    assert "thalidomide-alone" not in changed  # a pure rename changes no evidence


def test_a_file_that_does_not_parse_is_reported_not_crashed_on(diff):
    assert diff["unreadable"] == [{"path": "evidence/studies/trump-2014-ash-asct.yaml", "side": "after",
                                   "problem": "line 2: tab character; indent and separate with spaces"}]


def test_committed_revisions_give_the_same_diff(repo, diff):
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "topic")
    try:
        committed = json.loads(evidence_diff(repo, "main", "HEAD").json())
        assert {k: v for k, v in committed.items() if k != "head"} == {k: v for k, v in diff.items() if k != "head"}
    finally:
        git(repo, "reset", "-q", "--soft", "HEAD~1")


def test_markdown_for_the_pull_request(repo):
    text = subprocess.run([sys.executable, "-m", "poemskb", "--root", str(repo), "diff"], capture_output=True, text=True,
                          cwd=repo, check=True).stdout
    assert text.startswith("## Evidence diff: ")
    assert "Records: 1 added, 1 removed, 1 renamed, 2 changed; 1 file(s) could not be read." in text
    assert "### Changed: study `blood-2011-ash-lenalidomide-pilot`" in text
    assert "| identifiers | doi | became verified | unknown | verified |" in text
    short = subprocess.run([sys.executable, "-m", "poemskb", "--root", str(repo), "diff", "--max-lines", "12"],
                           capture_output=True, text=True, cwd=repo, check=True).stdout.splitlines()
    assert len(short) == 12
    assert short[-1].endswith("the full diff is in this run's `evidence-diff` artifact (or run `poemskb diff` locally).")


def test_record_text_cannot_forge_markup_in_the_comment(repo):
    hostile = "Rd <script>alert(1)</script> @octocat | `x` \n# Approved ![i](http://x/y.png) [ok](javascript:x)"
    path = repo / "evidence" / "studies" / "minimal-study.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("title: {value: A minimal study used by the rule tests,", f"title: {{value: {json.dumps(hostile)},"), encoding="utf-8")
    try:
        text = evidence_diff(repo).markdown()
    finally:
        path.write_text(original, encoding="utf-8")
    line = next(line for line in text.splitlines() if "minimal-study" in line and line.startswith("- "))
    assert "<script" not in text and "@octocat" not in text and "](" not in text
    assert "\n# Approved" not in text
    assert "\\|" in line and "\\`x\\`" in line  # a table cell or code span cannot be broken


def test_md_text_escapes():
    assert md_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert md_text("see @team") == "see &#64;\u2060team"
    assert md_text("x\n## y") == "x \\#\\# y"
    assert md_text("a|b") == "a\\|b"
    assert md_text("x" * 500).endswith("…") and len(md_text("x" * 500)) == 160
