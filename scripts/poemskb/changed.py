"""Validate only what a change can affect: `poemskb validate --since REV`.

Fast pull-request feedback without giving up the cross-record checks. The files changed
since a git revision (committed, staged, unstaged or untracked) are checked in full;
so is every record the change can affect, found by a text search of the others:

* records that mention an id a changed file had or has (a regimen an arm uses, a
  study an overlap names, a second record with the same id), since deleting or
  renaming a record breaks them;
* records that mention a changed study's DOI, PMID or PMCID in any form the duplicate
  rule counts as the same (other case, percent-encoded: identity.identifier_key);
* records that any of these refer to, whose fields the rules read (a measure's value
  types, a criteria record's items).

Every other record is known only by its file name, which equals its id in any record
that passed validation at REV: main is kept valid, so the unchanged records were.
Parsing only the affected files makes a one-study change take about a second however
large the knowledge base; a change to the schemas or to the validator itself checks
everything. The reported problems are those of a full validation restricted to the
affected files (warnings only for the changed ones), which the tests compare.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

from .check import _references, check_records, unloaded_ids
from .identity import identifier_key
from .load import KIND_FOLDERS, MAX_BYTES, Record, discover, load_file
from .problems import Report
from .schema import load_schemas
from .tree import Reader, UnsafeFile

# Changes here can alter the verdict on any record: validate everything.
EVERYTHING = ("evidence/schema/", "scripts/poemskb/", "pyproject.toml", "requirements.txt")
_IDENTIFIERS = ("doi", "pmid", "pmcid")


class GitError(Exception):
    pass


def changed_since(root: Path, rev: str) -> tuple[set[str], set[str]]:
    """Paths under root (relative to it) changed since rev: (present now, deleted)."""
    def git(*args: str) -> list[str]:
        try:
            result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise GitError("git is not installed") from None
        if result.returncode != 0:
            raise GitError(result.stderr.strip() or f"git {' '.join(args)} failed")
        return [p for p in result.stdout.split("\0") if p]

    git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    paths = set(git("diff", "--name-only", "--no-renames", "--relative", "-z", rev, "--"))
    paths |= set(git("ls-files", "--others", "--exclude-standard", "-z"))
    present = {p for p in paths if (root / p).exists() or (root / p).is_symlink()}
    return present, paths - present


def needs_everything(paths: set[str]) -> bool:
    return any(p.startswith(EVERYTHING) or p in EVERYTHING for p in paths)


def validate_changed(root: Path, present: set[str], deleted: set[str]) -> tuple[Report, int, int]:
    """Check the changed record files and every record they can affect.

    Returns the report and the numbers of records checked and on disk."""
    schemas = load_schemas(root)
    files, stray = discover(root / "evidence")
    rel = {str(path.relative_to(root)): (kind, path) for kind, path in files}
    report = Report([p for p in stray if p.path in present])

    loaded: dict[str, Record] = {}

    def parse(name: str) -> None:
        if name in loaded or name not in rel:
            return
        record, problem = load_file(*rel[name], root)
        if problem:
            report.add(problem)
        else:
            loaded[name] = record

    changed = sorted(p for p in present if p in rel)
    for name in changed:
        parse(name)
    tokens = {Path(p).name[: -len(".yaml")] for p in list(present) + list(deleted) if p.endswith(".yaml")}
    identifiers: set[str] = set()
    for record in list(loaded.values()):
        tokens.add(record.id)
        for key in _IDENTIFIERS:
            fact = record.data.get(key)
            if isinstance(fact, dict) and isinstance(fact.get("value"), str):
                tokens.add(fact["value"])
                identifiers.add(identifier_key(key, fact["value"]))
    tokens.discard("-")
    if tokens:
        # Whole tokens only, so the id 'rd' does not match 'standard'.
        mention = re.compile("|".join(rf"(?<![\w.-]){re.escape(t)}(?![\w-])" for t in sorted(tokens, key=len, reverse=True)))
        with Reader(root) as reader:
            for name, (kind, path) in rel.items():
                if name in loaded:
                    continue
                try:  # never path.read_text: a record that is a named pipe would hang here
                    text = reader.read(path, MAX_BYTES).decode("utf-8", errors="replace")
                except (UnsafeFile, OSError):
                    continue
                if (any(t in text for t in tokens) and mention.search(text)) or _mentions(text, identifiers):
                    parse(name)
    # The rules read the records that the checked ones refer to (a measure's value
    # types, a criteria record's items), so those are loaded too, not stood in for;
    # they are context, not checked themselves.
    checked = set(loaded)
    for name in sorted(checked):
        for _, kind, target in _references(loaded[name]):
            parse(f"evidence/{_folder(kind)}/{target}.yaml")

    # Every other record is represented by its id, which is its file name. (A file
    # that failed to load is no record at all, as in a full validation.)
    unloadable = {p.path for p in report.problems}
    stand_ins = [Record(kind, path, name, "", {"id": path.name[: -len(".yaml")]})
                 for name, (kind, path) in rel.items() if name not in loaded and name not in unloadable]
    problems = check_records(list(loaded.values()) + stand_ins, schemas, only=checked, unloadable=unloaded_ids(report.problems))
    report.extend(p for p in problems if p.path in present or p.severity == "error")
    return report, len(checked), len(rel)


def _mentions(text: str, identifiers: set[str]) -> bool:
    """Does a record's text hold one of these identifier keys in another case or
    percent-encoded? (Unchanged records passed validation, so theirs are plain ASCII.)
    Over-matching only checks a record more."""
    if not identifiers:
        return False
    folded = text.lower()
    if "%" in folded:
        folded += "\n" + unquote(folded)
    return any(key in folded for key in identifiers)


def _folder(kind: str) -> str:
    return next(f for f, k in KIND_FOLDERS.items() if k == kind)


def default_base(root: Path) -> str | None:
    """Where this branch left main: the merge-base with main (or origin/main), or None
    when there is no such branch."""
    for branch in ("main", "origin/main"):
        try:
            result = subprocess.run(["git", "-C", str(root), "merge-base", "HEAD", branch], capture_output=True, text=True, check=False)
        except FileNotFoundError:
            return None
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return None
