"""Write the generated tree: only files whose bytes changed, and remove stale ones.

Rewriting unchanged files would make `mkdocs serve` rebuild for nothing and defeat
build caches. The output folder carries a marker file; a folder without it that is not
empty is refused, so a mistyped --out can never delete someone's files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MARKER = ".poemskb-generated"
MARKER_TEXT = "Written by `poemskb render`; every file here is regenerated from evidence/ and may be deleted.\n"


class RenderError(Exception):
    pass


@dataclass
class RenderResult:
    total: int
    changed: int
    removed: int


def write_tree(out: Path, files: dict[str, str | bytes]) -> RenderResult:
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise RenderError(f"{out} is not empty and was not written by poemskb render (no {MARKER}); refusing to write there")
    out.mkdir(parents=True, exist_ok=True)
    wanted = {MARKER: MARKER_TEXT, **files}
    changed = 0
    for rel, content in wanted.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = out / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # readers (mkdocs serve) never see a half-written page
        if rel != MARKER:
            changed += 1
    removed = _remove_stale(out, set(wanted))
    return RenderResult(total=len(files), changed=changed, removed=removed)


def _remove_stale(out: Path, keep: set[str]) -> int:
    removed = 0
    for path in sorted(out.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        rel = path.relative_to(out).as_posix()
        if path.is_file() or path.is_symlink():
            if rel not in keep:
                path.unlink()
                removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed
