"""The "What changed" page and the release history it stands on (history.py,
render/whatchanged.py): releases found in a git history without tags, in a fresh clone,
and a loud error when a release's state cannot be found; what a reader sees for each
release and since the newest one."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from poemskb.history import HistoryError, read_history
from poemskb.kb import load
from poemskb.render.context import Site
from poemskb.render.whatchanged import render_what_changed

ROOT = Path(__file__).resolve().parents[1]
PILOT = "evidence/studies/blood-2011-ash-lenalidomide-pilot.yaml"
YUDA = "evidence/studies/yuda-2013-lenalidomide-es.yaml"
HEAD = "# Changelog\n\n## Unreleased\n{unreleased}\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def changelog(repo: Path, unreleased: str, *releases: str) -> None:
    sections = "".join(f"\n## {r}\n- Notes.\n" for r in releases)
    (repo / "CHANGELOG.md").write_text(HEAD.format(unreleased=unreleased) + sections, encoding="utf-8")


def set_version(repo: Path, version: str) -> None:
    path = repo / "CITATION.cff"
    text = "\n".join(f"version: {version}" if line.startswith("version:") else line for line in path.read_text().splitlines())
    path.write_text(text + "\n", encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, str]:
    """Release 0.1.0 without Yuda's study, a later logged change, then (uncommitted) a
    corrected figure, Yuda's study added and a regimen's dose changed."""
    repo = tmp_path_factory.mktemp("history") / "kb"
    shutil.copytree(ROOT / "evidence", repo / "evidence")
    shutil.copy2(ROOT / "CITATION.cff", repo / "CITATION.cff")
    set_version(repo, "0.1.0")
    yuda = (repo / YUDA).read_text(encoding="utf-8")
    (repo / YUDA).unlink()
    changelog(repo, "", "0.1.0 — 2026-11-22")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "release 0.1.0")
    released = git(repo, "rev-parse", "HEAD")
    changelog(repo, "- A tool changed.\n", "0.1.0 — 2026-11-22")
    git(repo, "commit", "-qam", "a logged change after the release")
    edit(repo / PILOT, "value: {type: count, n: 6, of: 6}", "value: {type: count, n: 5, of: 6}")
    (repo / YUDA).write_text(yuda, encoding="utf-8")
    return repo, released


def page_text(repo: Path, history) -> str:
    kb, _ = load(repo)
    return render_what_changed(Site(kb), history).text()


def test_the_released_state_is_the_commit_that_closed_the_release(repo):
    root, released = repo
    history = read_history(root, "0.1.0")
    assert [s.release.version if s.release else None for s in history.steps] == [None, "0.1.0"]
    assert history.steps[0].since.commit == released
    assert "closes release 0.1.0" in history.steps[0].since.found_by
    assert [(a["kind"], a["id"]) for a in history.steps[0].diff.added] == [("study", "yuda-2013-lenalidomide-es")]
    assert ("study", "blood-2011-ash-lenalidomide-pilot") in {(kind, rid) for kind, rid, _ in history.steps[1].first}


def test_the_page_says_old_and_new_with_the_study_and_where_in_the_source(repo):
    root, released = repo
    text = page_text(root, read_history(root, "0.1.0"))
    assert "## Since release 0\\.1\\.0 {#since-0-1-0}" in text and "## Release 0\\.1\\.0 \\(22 November 2026\\) {#release-0-1-0}" in text
    since = text.split("{#since-0-1-0}")[1].split("{#release-0-1-0}")[0]
    row = next(r for r in since.split("<tr>") if "blood-2011-ash-lenalidomide-pilot.html" in r and "6/6" in r)
    cells = row.split("<td")
    assert any(">6/6<" in c for c in cells) and any(">5/6<" in c for c in cells), row
    assert "Abstract" in row  # the figure's locator
    assert 'href="studies/yuda-2013-lenalidomide-es.html"' in since.split("Studies added")[1].split("</ul>")[0]
    assert released[:12] in text.split("{#release-0-1-0}")[1]
    assert 'href="studies/yuda' not in text.split("{#release-0-1-0}")[1]  # not in the first release


def test_a_release_cut_with_release_json_is_found_by_it(repo, tmp_path):
    root, first = repo
    clone = tmp_path / "clone"
    shutil.copytree(root, clone)
    (clone / "RELEASE.json").write_text(json.dumps({"version": "0.2.0", "date": "2026-12-01"}), encoding="utf-8")
    set_version(clone, "0.2.0")
    changelog(clone, "", "0.2.0 — 2026-12-01", "0.1.0 — 2026-11-22")
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "release 0.2.0")
    cut = git(clone, "rev-parse", "HEAD")
    history = read_history(clone, "0.2.0")
    since, second, first_release = history.steps
    assert since.since.commit == cut and not (since.diff.added or since.diff.changed)
    assert second.release.commit == cut and "RELEASE.json" in second.release.found_by and second.since.commit == first
    assert [e["id"] for e in second.diff.added] == ["yuda-2013-lenalidomide-es"]
    assert any(c.id == "blood-2011-ash-lenalidomide-pilot" for c in second.diff.changed)
    assert first_release.release.version == "0.1.0" and first_release.first
    text = page_text(clone, history)
    assert "No record changed." in text.split("{#since-0-2-0}")[1].split("{#release-0-2-0}")[0]


def test_a_fresh_clone_without_tags_finds_the_same_state_and_a_shallow_one_says_it_has_none(repo, tmp_path):
    root, released = repo
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", "--no-local", "--no-tags", str(root), str(fresh)], check=True)
    assert read_history(fresh, "0.1.0").steps[0].since.commit == released
    # A CI checkout is shallow by default: no guessed state, the page and render say why.
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(shallow)], check=True)
    history = read_history(shallow, "0.1.0")
    assert not history.steps and "shallow git clone" in history.unavailable and "git fetch --unshallow" in history.unavailable


def test_history_that_does_not_reach_a_release_fails(repo, tmp_path):
    root, _ = repo
    # A changelog naming a release no commit closed: the state is never guessed.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(root), str(clone)], check=True)
    changelog = clone / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace("## 0.1.0", "## 0.0.9 — 2026-01-01\n- never cut\n\n## 0.1.0", 1)
                         .replace("## 0.0.9", "## 0.2.0", 1), encoding="utf-8")
    with pytest.raises(HistoryError, match="cannot find the state released as 0.2.0.*does not reach that release"):
        read_history(clone, "0.2.0")


def test_a_changelog_that_disagrees_with_the_citation_file_fails(repo):
    root, _ = repo
    with pytest.raises(HistoryError, match="CITATION.cff names release 0.3.0 but the newest release in CHANGELOG.md is 0.1.0"):
        read_history(root, "0.3.0")


def test_a_copy_without_history_says_so_on_the_page(tmp_path):
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    shutil.copy2(ROOT / "CITATION.cff", tmp_path / "CITATION.cff")
    history = read_history(tmp_path, "0.1.0")
    assert history.unavailable and not history.steps
    assert "The history of changes is not available here" in page_text(tmp_path, history)


def test_this_repository_history_holds_its_releases(kb):
    """What CI meets in its fresh clone: every release the changelog lists is found, and
    the state found for it names that release in its CITATION.cff."""
    history = read_history(ROOT, kb.release)
    releases = [s.release for s in history.steps if s.release]
    assert releases and releases[0].version == kb.release
    for release in releases:
        cff = git(ROOT, "show", f"{release.commit}:CITATION.cff")
        assert f"version: {release.version}" in cff, release


def test_render_of_a_shallow_clone_warns_and_with_require_history_stops_before_writing(repo, tmp_path):
    import sys

    root, _ = repo
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(shallow)], check=True)
    shutil.copy2(ROOT / YUDA, shallow / YUDA)  # the records are valid: only the history is missing
    render = [sys.executable, "-m", "poemskb", "--root", str(shallow), "render"]
    strict = subprocess.run([*render, "--require-history"], capture_output=True, text=True)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "shallow git clone" in strict.stderr and "git fetch --unshallow" in strict.stderr
    generated = shallow / "docs" / "generated"
    assert not generated.exists() or not any(generated.iterdir())
    lenient = subprocess.run(render, capture_output=True, text=True)
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "warning: the 'What changed' page says no history is available" in lenient.stderr
    assert "shallow git clone" in (generated / "what-changed.md").read_text(encoding="utf-8")
