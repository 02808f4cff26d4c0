"""Write generated files (the site's pages, the exports): only files whose bytes changed,
and remove stale ones.

Rewriting unchanged files would make `mkdocs serve` rebuild for nothing and defeat
build caches. The output folder is vetted first (tree.claim_output): never a link, the
tree itself, evidence/, a folder git tracks files in, or a non-empty folder without our
marker, so a mistyped --out or a committed `docs/generated -> ..` can never delete
anyone's files. The marker lists every file render wrote (its manifest), and only files
on that list, plain files inside the real output folder, are ever deleted.

Files arrive one at a time (the renderer streams them). A changed file is first written
beside its target as `<name>.poemskb-new`; only when every file has been rendered are
they moved into place and stale files removed. A renderer that fails half-way therefore
leaves the previous site exactly as it was, while memory holds one page at a time. A
render that is killed leaves staged files, which the next render removes and which
mkdocs.yml excludes from the site (exclude_docs). One command at a time writes to a
folder: a second waits up to LOCK_WAIT seconds for the lock, then says it is busy.

`poemskb render` and `poemskb export` both write through here, each with its own marker
(MARKER, EXPORT_MARKER), so neither can write into or delete from the other's folder.
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from .tree import Refused, UnsafeFile, absolute, check_contents, claim_output, read_bytes, shown, walk

MARKER = ".poemskb-generated"  # poemskb render's
EXPORT_MARKER = ".poemskb-export"  # poemskb export's
COMMANDS = {MARKER: "render", EXPORT_MARKER: "export"}
MARKER_TEXT = "Written by `poemskb {command}`; every file here is regenerated from evidence/ and may be deleted.\n"
MANIFEST_HEADER = "Files written (only these are ever deleted by {command}):\n"
STAGED = ".poemskb-new"
LOCK_WAIT = 5.0  # seconds a second render waits for the first
MAX_MANIFEST = 256 * 1024 * 1024


class WriteError(Refused):
    pass


@dataclass
class Written:
    total: int
    changed: int
    removed: int
    changed_files: tuple[str, ...] = ()  # relative names, in the order they were written


def write_tree(out: Path, files: Iterable[tuple[str, str | bytes]], root: Path | None = None,
               marker: str = MARKER) -> Written:
    """Write `files` into out. `root` is the knowledge base: out may not be it, lie
    above it or inside its evidence/ (default: out's parent, so only out itself is vetted).
    `marker` says which command owns the folder (MARKER for render, EXPORT_MARKER for export)."""
    command = COMMANDS[marker]
    try:
        out = absolute(Path(out))
        out = claim_output(out, Path(root) if root else out.parent, marker, command, contents=False)
        out.mkdir(parents=True, exist_ok=True)
        with _locked(out, command):
            check_contents(out, marker, command)
            return _write_locked(out, files, marker)
    except WriteError:
        raise
    except Refused as exc:
        raise WriteError(str(exc)) from None


def _write_locked(out: Path, files: Iterable[tuple[str, str | bytes]], marker: str) -> Written:
    _remove_staged(out)  # left by a run that was killed before it finished
    previous = _manifest(out, marker)
    # Mark a new folder as ours before anything else is written into it: a render
    # killed now leaves a folder the next one may still write to.
    _write_marker(out, marker, previous)
    wanted, staged = _stage(out, files)
    changed = sum(1 for new in staged)
    # The marker lists old and new files until the stale ones are gone: a render
    # killed in between still knows every file it may delete.
    _write_marker(out, marker, previous | wanted)
    for new in staged:
        # os.replace is atomic: readers (mkdocs serve) never see a half-written page.
        os.replace(new, new.with_name(new.name[: -len(STAGED)]))
    removed = _remove_stale(out, previous - wanted)
    _write_marker(out, marker, wanted)
    names = tuple(new.relative_to(out).as_posix()[: -len(STAGED)] for new in staged)
    return Written(total=len(wanted), changed=changed, removed=removed, changed_files=names)


@contextmanager
def _locked(out: Path, command: str) -> Iterator[None]:
    """An exclusive lock on the output folder itself (no lock file to leave behind)."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriteError(f"poemskb {command}: another {command} is writing to {shown(out)}; "
                                      "try again when it has finished") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # releases the lock


def _stage(out: Path, files: Iterable[tuple[str, str | bytes]]) -> tuple[set[str], list[Path]]:
    wanted: set[str] = set()
    staged: list[Path] = []
    try:
        for rel, content in files:
            if rel in wanted:
                raise WriteError(f"two generated files would be written to {rel}")
            if not _is_plain_relative(rel) or rel in COMMANDS:
                raise WriteError(f"a generated file has an unsafe name: {shown(rel)}")
            wanted.add(rel)
            data = content.encode("utf-8") if isinstance(content, str) else content
            target = out / rel
            if _current(out, target) == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            new = target.with_name(target.name + STAGED)
            _write_new(new, data)
            staged.append(new)
    except BaseException:
        for new in staged:
            new.unlink(missing_ok=True)
        raise
    return wanted, staged


def _current(out: Path, target: Path) -> bytes | None:
    try:
        return read_bytes(target, MAX_MANIFEST, root=out)
    except (UnsafeFile, FileNotFoundError, NotADirectoryError):
        return None


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _is_plain_relative(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return bool(parts) and not rel.startswith("/") and all(p not in ("", ".", "..") for p in parts) and "\\" not in rel


def _manifest(out: Path, marker: str) -> set[str]:
    """The files a previous run wrote, as its marker lists them (no marker: none)."""
    command = COMMANDS[marker]
    try:
        text = read_bytes(out / marker, MAX_MANIFEST, root=out).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    except UnsafeFile as exc:
        raise WriteError(f"poemskb {command}: {shown(out / marker)}: {exc.message}") from None
    _, _, listed = text.partition(MANIFEST_HEADER.format(command=command))
    return {line for line in listed.splitlines() if _is_plain_relative(line)}


def _write_marker(out: Path, marker: str, files: set[str]) -> None:
    command = COMMANDS[marker]
    text = (MARKER_TEXT + MANIFEST_HEADER).format(command=command) + "".join(f"{rel}\n" for rel in sorted(files))
    if _current(out, out / marker) == text.encode("utf-8"):
        return
    new = out / (marker + STAGED)
    new.unlink(missing_ok=True)
    _write_new(new, text.encode("utf-8"))
    os.replace(new, out / marker)


def _remove_staged(out: Path) -> None:
    for path, info in list(walk(out)):
        if stat.S_ISREG(info.st_mode) and path.name.endswith(STAGED):
            path.unlink()


def _remove_stale(out: Path, stale: set[str]) -> int:
    """Delete the listed files that are still plain files in plain folders under out,
    then the folders this leaves empty."""
    removed = 0
    folders: set[Path] = set()
    for rel in sorted(stale):
        path = out / rel
        if not _plain_file_under(out, path):
            continue
        path.unlink()
        removed += 1
        folders.update(p for p in path.parents if out in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                raise
    return removed


def _plain_file_under(out: Path, path: Path) -> bool:
    folder = out
    for part in path.relative_to(out).parts[:-1]:
        folder = folder / part
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return False
        except FileNotFoundError:
            return False
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False
