"""Releases and what changed in the evidence between them, from what the repository holds.

A release is a section '## VERSION — DATE' of CHANGELOG.md; the newest must be the one
CITATION.cff names. Clones carry no tags, so the state each release published is found
in the git history:

1. the first commit whose RELEASE.json names that version (what `poemskb release` writes
   in the commit that cuts a release);
2. for a release cut before RELEASE.json existed, the newest commit changing CHANGELOG.md
   in which that release is the newest section and 'Unreleased' holds nothing: the
   commit that closed the release, before any later change was logged.

When a release's state cannot be found (rewritten history) or the changelog and
CITATION.cff disagree, `HistoryError` says which and why: the "What changed" page is
never made from a guessed state. A copy that holds no history (an unpacked archive, a
synthetic base in the tests, or a shallow clone, which is what a CI checkout makes by
default) has none to show: `History` says why (`unavailable`), the page says so to its
readers, and `poemskb render` warns, or with `--require-history` (the deployment) refuses
to render.

What changed is changes.py's evidence diff between consecutive released states, and
between the newest release and the records as they are now.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .changed import GitError
from .changes import EvidenceDiff, _git, _read_rev, _record_path, evidence_diff

RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})[ \t]*$", re.M)
UNRELEASED = re.compile(r"^## Unreleased[ \t]*\n(.*?)(?=^## |\Z)", re.M | re.S)
CHANGELOG = "CHANGELOG.md"
STATE_FILE = "RELEASE.json"  # export/edition.py's name; not imported (export sits above)


class HistoryError(Exception):
    pass


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    commit: str  # the full commit id of the released state
    found_by: str  # how the commit was found, in words


@dataclass
class Step:
    """The changes one release made (to the one before it), or those since the newest
    release (`release` None). The first release has no diff: `first` lists its records
    as (kind, id, title)."""
    release: Release | None
    since: Release | None
    diff: EvidenceDiff | None = None
    first: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class History:
    steps: list[Step] = field(default_factory=list)  # newest first: since the last release, then each release
    unavailable: str = ""  # why there is no history (not a git work tree), else ""


def releases_in(changelog: str) -> list[tuple[str, str]]:
    """(version, date) of every release section, newest first, as the changelog lists them."""
    return RELEASE_HEADING.findall(changelog)


def _closed(changelog: str, version: str) -> bool:
    """Is `version` the newest release and 'Unreleased' empty (or absent)?"""
    found = releases_in(changelog)
    unreleased = UNRELEASED.search(changelog)
    return bool(found) and found[0][0] == version and not (unreleased and unreleased.group(1).strip())


def _blobs(root: Path, names: list[str]) -> list[bytes | None]:
    """The contents of 'commit:path' names, read in one git process (None where missing)."""
    if not names:
        return []
    out = _git(root, "cat-file", "--batch", data="".join(f"{n}\n" for n in names).encode())
    found: list[bytes | None] = []
    pos = 0
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if header[-1] == b"missing":
            found.append(None)
            pos = end + 1
            continue
        size = int(header[2])
        found.append(out[end + 1: end + 1 + size])
        pos = end + 1 + size + 1
    return found


def _commits(root: Path, path: str, oldest_first: bool) -> list[str]:
    order = ["--reverse"] if oldest_first else []
    return _git(root, "log", "--format=%H", *order, "--", path).decode().split()


def release_commit(root: Path, version: str) -> tuple[str, str]:
    """(commit, how it was found) of the state released as `version`, or HistoryError."""
    commits = _commits(root, STATE_FILE, oldest_first=True)
    for commit, raw in zip(commits, _blobs(root, [f"{c}:{STATE_FILE}" for c in commits])):
        try:
            state = json.loads(raw or b"null")
        except ValueError:
            continue
        if isinstance(state, dict) and state.get("version") == version:
            return commit, f"the commit whose {STATE_FILE} first records release {version}"
    commits = _commits(root, CHANGELOG, oldest_first=False)
    for commit, raw in zip(commits, _blobs(root, [f"{c}:{CHANGELOG}" for c in commits])):
        if raw is not None and _closed(raw.decode("utf-8", "replace"), version):
            return commit, f"the last commit in which {CHANGELOG} closes release {version} with nothing unreleased"
    raise HistoryError(f"cannot find the state released as {version}: no commit's {STATE_FILE} records it and no "
                       f"commit's {CHANGELOG} closes it. Its history does not reach that release.")


def _is_work_tree_top(root: Path) -> bool:
    try:
        top = _git(root, "rev-parse", "--show-toplevel").decode().strip()
    except GitError:
        return False
    return Path(top).resolve() == Path(root).resolve()


def _first_records(root: Path, commit: str) -> list[tuple[str, str, str]]:
    """(kind, id, title) of every record at a commit, read through the guarded parser."""
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", "evidence/").decode("utf-8", "replace")
    paths = sorted(p for p in listing.split("\0") if p and _record_path(p))
    out = []
    for path, (data, problem) in sorted(_read_rev(root, commit, paths).items()):
        if problem:
            raise HistoryError(f"{path} at {commit[:12]} cannot be read: {problem}")
        title = data.get("title") if isinstance(data.get("title"), dict) else {}
        text = title.get("value") if isinstance(title.get("value"), str) else data.get("name") if isinstance(data.get("name"), str) else ""
        out.append((_record_path(path) or "", str(data.get("id", "-")), text or ""))
    return out


def read_history(root: Path, citation_version: str) -> History:
    """Every release's changes and those since the newest, newest first (module docstring)."""
    root = Path(root)
    if not _is_work_tree_top(root):
        return History(unavailable="this copy of the knowledge base is not a git clone, so it holds no earlier states of its records")
    if _git(root, "rev-parse", "--is-shallow-repository").decode().strip() == "true":
        return History(unavailable="this copy is a shallow git clone, which holds only the newest state of its records "
                                   "(git fetch --unshallow fetches the rest)")
    path = root / CHANGELOG
    if not path.is_file():
        raise HistoryError(f"{CHANGELOG} is missing: it lists the releases")
    listed = releases_in(path.read_text(encoding="utf-8"))
    if not listed:
        raise HistoryError(f"{CHANGELOG} has no release section ('## VERSION — YYYY-MM-DD')")
    if listed[0][0] != citation_version:
        raise HistoryError(f"CITATION.cff names release {citation_version} but the newest release in {CHANGELOG} is {listed[0][0]}")
    releases = [Release(v, d, *release_commit(root, v)) for v, d in listed]
    steps = [Step(None, releases[0], evidence_diff(root, releases[0].commit, None))]
    for newer, older in zip(releases, releases[1:]):
        steps.append(Step(newer, older, evidence_diff(root, older.commit, newer.commit)))
    steps.append(Step(releases[-1], None, first=_first_records(root, releases[-1].commit)))
    return History(steps)
