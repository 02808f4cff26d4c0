"""The evidence diff: `poemskb diff [BASE [HEAD]]`, what a change does to the evidence.

Not the text diff: records added, removed and renamed; outcomes whose value, n,
locator or status changed (old -> new); identifiers that became verified; patient
overlap declarations; regimen dose changes; and which other fields changed. As
Markdown fit for a pull-request comment (capped, with a pointer to the full diff in the
build's artifact) or as JSON. This is what a reviewer reads first.

Both sides are read from git (`git cat-file --batch`; the work tree when HEAD is not
given) into the guarded parser (load.parse_text): nothing in a record is executed, and
a file that does not parse on one side is reported as such, never crashed on. Only
files that git says changed are read, so the diff costs the same however large the
knowledge base. Record text reaching the Markdown is escaped (md_text): a record
cannot add HTML, headings, links or @mentions to the comment it appears in.
"""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import describe
from .changed import GitError, default_base
from .load import KIND_FOLDERS, LoadError, MAX_BYTES, _check_text, parse_text

OUTCOME_FIELDS = ("value", "locator", "status", "arm", "measure")
IDENTIFIERS = ("doi", "pmid", "pmcid")


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return result.stdout


def _record_path(path: str) -> str | None:
    """The kind of a record file path (evidence/<folder>/<id>.yaml), else None."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == "evidence" and parts[2].endswith(".yaml"):
        return KIND_FOLDERS.get(parts[1])
    return None


def _changed_paths(root: Path, base: str, head: str | None) -> list[str]:
    revs = [base] + ([head] if head else [])
    out = _git(root, "diff", "--name-only", "--no-renames", "-z", *revs, "--", "evidence/").decode("utf-8", "replace")
    paths = set(p for p in out.split("\0") if p)
    if head is None:
        untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", "evidence/").decode("utf-8", "replace")
        paths |= {p for p in untracked.split("\0") if p}
    return sorted(p for p in paths if _record_path(p))


def _parse(raw: bytes) -> tuple[Any, str]:
    """(data, "") or (None, why it could not be read)."""
    if len(raw) > MAX_BYTES:
        return None, f"file is larger than {MAX_BYTES} bytes"
    try:
        data = parse_text(_check_text(raw))
    except LoadError as exc:
        return None, f"line {exc.line}: {exc.message}"
    if not isinstance(data, dict):
        return None, "not a mapping of fields"
    return data, ""


def _read_rev(root: Path, rev: str, paths: list[str]) -> dict[str, tuple[Any, str]]:
    """path -> (data, problem) for the paths that exist at rev, read in one git process."""
    if not paths:
        return {}
    listing = _git(root, "ls-tree", "-z", rev, "--", *paths).decode("utf-8", "replace")
    found: dict[str, tuple[Any, str]] = {}
    blobs: list[tuple[str, str]] = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if mode == "120000" or kind != "blob":
            found[path] = (None, "a symbolic link, not a record file")
        else:
            blobs.append((path, sha))
    out = _git(root, "cat-file", "--batch", data="".join(f"{sha}\n" for _, sha in blobs).encode())
    pos = 0
    for path, _ in blobs:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        found[path] = _parse(out[header_end + 1: header_end + 1 + size])
        pos = header_end + 1 + size + 1
    return found


def _read_tree(root: Path, paths: list[str]) -> dict[str, tuple[Any, str]]:
    found = {}
    for path in paths:
        file = root / path
        if file.is_symlink():
            found[path] = (None, "a symbolic link, not a record file")
        elif file.is_file():
            found[path] = (None, f"file is larger than {MAX_BYTES} bytes") if file.stat().st_size > MAX_BYTES else _parse(file.read_bytes())
    return found


# Comparing --------------------------------------------------------------------------
@dataclass
class RecordChange:
    kind: str
    id: str
    path: str
    old_path: str = ""
    items: list[dict[str, str]] = field(default_factory=list)  # {section, item, what, before, after}
    other_fields: list[str] = field(default_factory=list)
    # The record as it was and as it is (parsed), for readers' wording of the change
    # (history.py, render/whatchanged.py); left out of the JSON.
    sides: tuple[dict, dict] = field(default_factory=lambda: ({}, {}), repr=False, compare=False)

    def add(self, section: str, item: str, what: str, before: Any, after: Any) -> None:
        self.items.append({"section": section, "item": item, "what": what, "before": _show(before), "after": _show(after)})


@dataclass
class EvidenceDiff:
    base: str
    head: str
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)

    def json(self) -> str:
        out = {k: getattr(self, k) for k in ("base", "head", "added", "removed", "renamed", "unreadable")}
        out["changed"] = [{k: v for k, v in c.__dict__.items() if k != "sides"} for c in self.changed]
        return json.dumps(out, ensure_ascii=False, indent=2)

    def markdown(self, max_lines: int = 200) -> str:
        from .changes_md import render_markdown

        return render_markdown(self, max_lines)


def _show(value: Any) -> str:
    """A value in a few words: describe.py's wording where the value has the expected
    shape, else compact JSON (a record that fails its schema still diffs)."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        try:
            if "type" in value:
                return describe.value_text(value)
            if "in" in value:
                return describe.locator(value)
            if "unit" in value:
                return describe.dose(value)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _title(kind: str, data: dict) -> str:
    if kind == "study":
        title = data.get("title")
        if isinstance(title, dict) and isinstance(title.get("value"), str):
            return title["value"]
    for key in ("name", "statement"):
        if isinstance(data.get(key), str):
            return data[key]
    return ""


def _by_id(items: Any) -> dict[str, dict]:
    return {str(i.get("id")): i for i in items if isinstance(i, dict)} if isinstance(items, list) else {}


def _compare(kind: str, old: dict, new: dict, change: RecordChange) -> None:
    touched = set()
    fact = lambda v: isinstance(v, dict) and "status" in v and "value" in v  # noqa: E731
    for key in [k for k in new if k in old or fact(new[k])] + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        if a != b and (fact(a) or fact(b)):
            touched.add(key)
            a, b = a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}
            if a.get("value") != b.get("value"):
                change.add("identifiers" if key in IDENTIFIERS else "citation", key, "value", a.get("value"), b.get("value"))
            if a.get("status") != b.get("status"):
                what = "became verified" if b.get("status") == "verified" else "status"
                change.add("identifiers" if key in IDENTIFIERS else "citation", key, what, a.get("status"), b.get("status"))
    a_pop, b_pop = old.get("population"), new.get("population")
    if isinstance(a_pop, dict) and isinstance(b_pop, dict) and a_pop.get("n") != b_pop.get("n"):
        change.add("population", "population", "n", a_pop.get("n"), b_pop.get("n"))
    for section, fields in (("arms", ("regimen", "n", "locator")), ("outcomes", OUTCOME_FIELDS)):
        a_items, b_items = _by_id(old.get(section)), _by_id(new.get(section))
        for local in sorted(set(a_items) | set(b_items)):
            a, b = a_items.get(local), b_items.get(local)
            if a == b:
                continue
            if a is None or b is None:
                change.add(section, local, "added" if a is None else "removed",
                           None if a is None else a.get("value", a.get("regimen")), None if b is None else b.get("value", b.get("regimen")))
                continue
            for name in fields:
                if a.get(name) != b.get(name):
                    change.add(section, local, name, a.get(name), b.get(name))
            if not any(a.get(n) != b.get(n) for n in fields):
                change.add(section, local, "other details", None, None)
    _compare_overlaps(old, new, change)
    if kind == "regimen":
        _compare_doses(old, new, change)
    covered = touched | {"population", "arms", "outcomes", "overlaps", "phases" if kind == "regimen" else ""}
    change.other_fields = sorted(k for k in set(old) | set(new) if k not in covered and old.get(k) != new.get(k))


def _compare_overlaps(old: dict, new: dict, change: RecordChange) -> None:
    def declared(data: dict) -> dict[str, dict]:
        items = data.get("overlaps")
        return {str(o.get("study")): o for o in items if isinstance(o, dict)} if isinstance(items, list) else {}

    a, b = declared(old), declared(new)
    for other in sorted(set(a) | set(b)):
        if a.get(other) != b.get(other):
            text = lambda o: None if o is None else f"{o.get('relation')}: {o.get('basis')}"  # noqa: E731
            change.add("overlaps", other, "declared" if other not in a else "withdrawn" if other not in b else "changed",
                       text(a.get(other)), text(b.get(other)))


def _compare_doses(old: dict, new: dict, change: RecordChange) -> None:
    def doses(data: dict) -> dict[str, Any]:
        found = {}
        phases = data.get("phases") if isinstance(data.get("phases"), list) else []
        for phase in (p for p in phases if isinstance(p, dict)):
            components = phase.get("components") if isinstance(phase.get("components"), list) else []
            for comp in (c for c in components if isinstance(c, dict)):
                found[f"{phase.get('phase')}: {comp.get('agent')}"] = comp.get("dose")
            for key in ("cycle_length_days", "cycles"):
                if key in phase:
                    found[f"{phase.get('phase')}: {key.replace('_', ' ')}"] = phase[key]
        return found

    a, b = doses(old), doses(new)
    for item in sorted(set(a) | set(b)):
        if a.get(item) != b.get(item):
            change.add("doses", item, "dose", a.get(item), b.get(item))
    if old.get("phases") != new.get("phases") and a == b:
        change.add("doses", "phases", "other details", None, None)


def evidence_diff(root: Path, base: str | None = None, head: str | None = None) -> EvidenceDiff:
    """The evidence diff between base (default: where this branch left main) and head
    (default: the work tree)."""
    base = base or default_base(root)
    if base is None:
        raise GitError("no BASE given and no 'main' branch to compare with; give a revision, e.g. poemskb diff HEAD~1")
    _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if head:
        _git(root, "rev-parse", "--verify", "--quiet", f"{head}^{{commit}}")
    paths = _changed_paths(root, base, head)
    before = _read_rev(root, base, paths)
    after = _read_rev(root, head, paths) if head else _read_tree(root, paths)
    diff = EvidenceDiff(_short(root, base), _short(root, head) if head else "work tree")
    for side, found in (("before", before), ("after", after)):
        for path, (data, problem) in sorted(found.items()):
            if problem:
                diff.unreadable.append({"path": path, "side": side, "problem": problem})
    good_before = {p: d for p, (d, e) in before.items() if not e}
    good_after = {p: d for p, (d, e) in after.items() if not e}
    gone = [p for p in good_before if p not in after]
    new = [p for p in good_after if p not in before]
    pairs = [(p, p) for p in good_before if p in good_after]
    pairs += _renames(gone, new, good_before, good_after, diff)
    for p in gone:
        diff.removed.append(_entry(p, good_before[p]))
    for p in new:
        diff.added.append(_entry(p, good_after[p]))
    for old_path, new_path in pairs:
        kind = _record_path(new_path) or ""
        a, b = good_before[old_path], good_after[new_path]
        change = RecordChange(kind, str(b.get("id", "-")), new_path, "" if old_path == new_path else old_path, sides=(a, b))
        if old_path != new_path:  # the new id is in "Renamed" already
            a, b = {k: v for k, v in a.items() if k != "id"}, {k: v for k, v in b.items() if k != "id"}
        if a != b:
            _compare(kind, a, b, change)
        if change.items or change.other_fields:
            diff.changed.append(change)
    return diff


def _renames(gone: list[str], new: list[str], before: dict, after: dict, diff: EvidenceDiff) -> list[tuple[str, str]]:
    """Pair removed and added files that are one record moved: the same id, or the same
    content under a new id. Paired paths leave `gone` and `new`."""
    pairs = []
    without_id = lambda d: {k: v for k, v in d.items() if k != "id"}  # noqa: E731
    for match in (lambda a, b: a.get("id") == b.get("id"), lambda a, b: without_id(a) == without_id(b)):
        for old in list(gone):
            for candidate in new:
                if _record_path(old) == _record_path(candidate) and match(before[old], after[candidate]):
                    pairs.append((old, candidate))
                    diff.renamed.append({"kind": _record_path(old) or "", "from": str(before[old].get("id", "-")), "to": str(after[candidate].get("id", "-")),
                                         "from_path": old, "to_path": candidate})
                    gone.remove(old)
                    new.remove(candidate)
                    break
    return pairs


def _entry(path: str, data: dict) -> dict[str, str]:
    kind = _record_path(path) or ""
    outcomes = data.get("outcomes")
    return {"kind": kind, "id": str(data.get("id", "-")), "path": path, "title": _title(kind, data),
            "outcomes": str(len(outcomes)) if isinstance(outcomes, list) else ""}


def _short(root: Path, rev: str) -> str:
    try:
        return _git(root, "rev-parse", "--short", rev).decode().strip()
    except GitError:
        return re.sub(r"[^\w./-]", "", rev)[:40]
