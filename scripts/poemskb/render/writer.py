"""Write the generated tree: only files whose bytes changed, and remove stale ones.

Rewriting unchanged files would make `mkdocs serve` rebuild for nothing and defeat
build caches. The output folder carries a marker file; a folder without it that is not
empty is refused, so a mistyped --out can never delete someone's files.

Files arrive one at a time (the renderer streams them). A changed file is first written
beside its target as `<name>.poemskb-new`; only when every file has been rendered are
they moved into place and stale files removed. A renderer that fails half-way therefore
leaves the previous site exactly as it was, while memory holds one page at a time.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

MARKER = ".poemskb-generated"
MARKER_TEXT = "Written by `poemskb render`; every file here is regenerated from evidence/ and may be deleted.\n"
STAGED = ".poemskb-new"


class RenderError(Exception):
    pass


@dataclass
class RenderResult:
    total: int
    changed: int
    removed: int


def write_tree(out: Path, files: Iterable[tuple[str, str | bytes]]) -> RenderResult:
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise RenderError(f"{out} is not empty and was not written by poemskb render (no {MARKER}); refusing to write there")
    out.mkdir(parents=True, exist_ok=True)
    _remove_staged(out)  # left by a run that was killed before it finished
    wanted: set[str] = set()
    staged: list[Path] = []
    try:
        for rel, content in _with_marker(files):
            if rel in wanted:
                raise RenderError(f"two generated files would be written to {rel}")
            wanted.add(rel)
            data = content.encode("utf-8") if isinstance(content, str) else content
            target = out / rel
            if target.is_file() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            new = target.with_name(target.name + STAGED)
            new.write_bytes(data)
            staged.append(new)
    except BaseException:
        for new in staged:
            new.unlink(missing_ok=True)
        raise
    for new in staged:
        # os.replace is atomic: readers (mkdocs serve) never see a half-written page.
        os.replace(new, new.with_name(new.name[: -len(STAGED)]))
    changed = sum(1 for new in staged if new.name != MARKER + STAGED)
    removed = _remove_stale(out, wanted)
    return RenderResult(total=len(wanted) - 1, changed=changed, removed=removed)


def _with_marker(files: Iterable[tuple[str, str | bytes]]) -> Iterable[tuple[str, str | bytes]]:
    yield MARKER, MARKER_TEXT
    yield from files


def _remove_staged(out: Path) -> None:
    for path in out.rglob("*" + STAGED):
        path.unlink()


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
