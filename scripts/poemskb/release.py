"""`poemskb release`: cut a dated, numbered state of the records.

A release
1. compares the records with the last release's (RELEASE.json keeps a hash of every
   record and the shape of the schemas) and suggests the version (`suggest_bump`);
2. writes that version and date into CITATION.cff, .zenodo.json and the package, turns
   CHANGELOG.md's "Unreleased" section into the release's section (with a summary of
   the records added, changed and removed), and records the new state in RELEASE.json;
3. writes the release archive: every export, the records and schemas, the citation
   files and a SHA-256 checksum manifest, as a zip with fixed order, times and
   permissions, so re-cutting the same release gives the same bytes.

Semantic versions of the records: a schema change that can break readers (a field or an
allowed value removed, a field newly required) or a record removed is MAJOR; a new
record or a backwards-compatible schema addition is MINOR; a changed record (a
corrected figure, a verified identifier) is PATCH. `--version` overrides the suggestion.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .export import export_files
from .export.edition import STATE_FILE, content_hash, edition, read_state, record_hashes
from .kb import KnowledgeBase

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
ROOT_FILES = ["CITATION.cff", ".zenodo.json", "CHANGELOG.md", "LICENSE", "README.md", STATE_FILE]


class ReleaseError(Exception):
    pass


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    schema_added: list[str] = field(default_factory=list)
    schema_removed: list[str] = field(default_factory=list)
    baseline: bool = True  # False: no earlier release state to compare with

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.schema_added or self.schema_removed)


def schema_shape(kb: KnowledgeBase) -> list[str]:
    """Every property path, allowed value and required field of the schemas, as strings:
    what a reader of the data can depend on."""
    shape: set[str] = set()

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name in node.get("required", []) if isinstance(node.get("required"), list) else []:
                shape.add(f"required {where}/{name}")
            for value in node.get("enum", []) if isinstance(node.get("enum"), list) else []:
                shape.add(f"value {where}={value}")
            for key, child in node.items():
                if key == "properties" and isinstance(child, dict):
                    for name, sub in child.items():
                        shape.add(f"field {where}/{name}")
                        walk(sub, f"{where}/{name}")
                elif key not in ("description", "enumDescriptions", "examples"):
                    walk(child, where if key in ("allOf", "anyOf", "oneOf", "then", "else", "if", "items") else f"{where}#{key}")
        elif isinstance(node, list):
            for child in node:
                walk(child, where)

    for path in sorted((kb.root / "evidence" / "schema").glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")), path.name.split(".")[0])
    return sorted(shape)


def diff(state: dict[str, Any] | None, hashes: dict[str, str], shape: list[str]) -> Diff:
    if not state or "records" not in state:
        return Diff(added=sorted(k for k in hashes if not k.startswith("schema/")), baseline=False)
    old = state["records"]
    records = lambda d: {k: v for k, v in d.items() if not k.startswith("schema/")}  # noqa: E731
    new_r, old_r = records(hashes), records(old)
    old_shape, new_shape = set(state.get("schema_shape", [])), set(shape)
    return Diff(added=sorted(set(new_r) - set(old_r)), removed=sorted(set(old_r) - set(new_r)),
                changed=sorted(k for k in new_r if k in old_r and new_r[k] != old_r[k]),
                schema_added=sorted(new_shape - old_shape), schema_removed=sorted(old_shape - new_shape))


def suggest_bump(d: Diff) -> str | None:
    """'major', 'minor', 'patch', or None when nothing changed (see the module docstring)."""
    breaking = d.removed or d.schema_removed or any(s.startswith("required ") for s in d.schema_added)
    if breaking:
        return "major"
    if d.added or d.schema_added or not d.baseline:
        return "minor"
    if d.changed:
        return "patch"
    return None


def bumped(version: str, bump: str) -> str:
    match = SEMVER.match(version)
    if not match:
        raise ReleaseError(f"the current version {version!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(x) for x in match.groups())
    return {"major": f"{major + 1}.0.0", "minor": f"{major}.{minor + 1}.0", "patch": f"{major}.{minor}.{patch + 1}"}[bump]


def changelog_summary(d: Diff) -> list[str]:
    def ids(keys: list[str]) -> str:
        shown = ", ".join(keys[:12])
        return shown + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")

    lines = []
    if not d.baseline:
        lines.append(f"- Records: {len(d.added)} in this release (the first with a recorded state to compare against).")
    else:
        for label, keys in (("Added", d.added), ("Changed", d.changed), ("Removed", d.removed)):
            if keys:
                lines.append(f"- {label} records ({len(keys)}): {ids(keys)}.")
        if d.schema_removed:
            lines.append(f"- Schema: removed or no longer allowed: {ids(d.schema_removed)}.")
        if d.schema_added:
            lines.append(f"- Schema: added: {ids(d.schema_added)}.")
    return lines


# Writing the release --------------------------------------------------------------------
def _sub(path: Path, pattern: str, replacement: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, replacement, text, count=count, flags=re.M)
    if n == 0:
        raise ReleaseError(f"{path.name}: no line matching {pattern!r} to update")
    path.write_text(new, encoding="utf-8")


def update_metadata(root: Path, version: str, date: str) -> None:
    _sub(root / "CITATION.cff", r"^version: .*$", f"version: {version}")
    _sub(root / "CITATION.cff", r"^date-released: .*$", f'date-released: "{date}"')
    zenodo = root / ".zenodo.json"
    if zenodo.exists():
        data = json.loads(zenodo.read_text(encoding="utf-8"))
        data.update(version=version, publication_date=date)
        zenodo.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    package = root / "scripts" / "poemskb" / "__init__.py"
    if package.exists():
        _sub(package, r'^__version__ = ".*"$', f'__version__ = "{version}"')


def update_changelog(root: Path, version: str, date: str, d: Diff) -> None:
    """'## Unreleased' keeps its place (now empty); its lines and the summary of the
    record changes become '## VERSION — DATE'."""
    path = root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^## Unreleased\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    if not match:
        raise ReleaseError("CHANGELOG.md: no '## Unreleased' section")
    notes = match.group(1).strip("\n")
    body = "\n".join(filter(None, [notes, "\n".join(changelog_summary(d))]))
    section = f"## Unreleased\n\n## {version} — {date}\n{body}\n\n"
    path.write_text(text[: match.start()] + section + text[match.end():], encoding="utf-8")


def write_state(root: Path, kb: KnowledgeBase, version: str, date: str) -> dict[str, Any]:
    hashes = record_hashes(kb)
    state = {"version": version, "date": date, "records_sha256": content_hash(hashes),
             "schema_shape": schema_shape(kb), "records": hashes}
    (root / STATE_FILE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return state


def archive_bytes(kb: KnowledgeBase) -> tuple[str, bytes]:
    """(file name, zip bytes) for the current release: only for a state that is one."""
    ed = edition(kb)
    if not ed.is_release:
        raise ReleaseError(f"the records are not release {ed.release}'s ({ed.label}): cut a new release first")
    top = f"poemskb-{ed.release}"
    files: dict[str, bytes] = {f"exports/{name}": data for name, data in export_files(kb, ed)}
    for path in sorted((kb.root / "evidence").rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(kb.root).as_posix()] = path.read_bytes()
    for name in ROOT_FILES:
        if (kb.root / name).is_file():
            files[name] = (kb.root / name).read_bytes()
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode()
    stamp = dt.datetime.fromisoformat(ed.release_date).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine cuts it
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])
    return f"{top}.zip", buffer.getvalue()


@dataclass
class Plan:
    current: str
    version: str
    bump: str | None
    diff: Diff


def plan(kb: KnowledgeBase, version: str | None = None) -> Plan:
    d = diff(read_state(kb.root), record_hashes(kb), schema_shape(kb))
    bump = suggest_bump(d)
    if version is None:
        if bump is None:
            raise ReleaseError(f"nothing changed since release {kb.release}: no release to cut")
        version = bumped(kb.release, bump)
    if not SEMVER.match(version):
        raise ReleaseError(f"version {version!r} is not MAJOR.MINOR.PATCH")
    current = SEMVER.match(kb.release)
    if current and tuple(map(int, version.split("."))) <= tuple(map(int, current.groups())):
        raise ReleaseError(f"version {version} is not after the current release {kb.release}")
    return Plan(kb.release, version, bump, d)


def cut(kb: KnowledgeBase, version: str | None, date: str) -> Plan:
    """Write the release's metadata, changelog section and state (not the archive)."""
    p = plan(kb, version)
    root = kb.root
    update_metadata(root, p.version, date)
    update_changelog(root, p.version, date, p.diff)
    write_state(root, kb, p.version, date)
    return p
