"""Safety of the tree: the one place that decides which files the project may read,
where it may write, and which knowledge base a command works on.

Every record, schema and page arrives in a stranger's pull request, and git stores
symbolic links. A link (`docs/env.txt -> /proc/self/environ`) would publish the build's
secrets; a named pipe hangs a reader for ever; `docs/generated -> ..` would let render
delete the checkout. So:

* files are opened without following links and without blocking (`O_NOFOLLOW |
  O_NONBLOCK`, every folder on the way opened the same way), then checked with `fstat`
  to be plain files: nothing can be swapped between the check and the read;
* `scan` lists every link, pipe, device or socket in the tree (CI and every site build
  run it before MkDocs sees the files);
* `claim_output` vets a folder a command writes into (render, export, synth) before
  anything is read from it or deleted in it;
* `find_root` finds the knowledge base the user stands in, as git finds its repository;
* `site_folder_problems` keeps mkdocs.yml's `docs_dir` and `site_dir` inside the
  checkout: MkDocs empties `site_dir` before it builds (`site_dir: ..` would delete the
  checkout's parent) and publishes everything under `docs_dir` (`docs_dir: /` would
  publish the machine).
"""
from __future__ import annotations

import errno
import os
import stat
import subprocess
from pathlib import Path

from .escape import visible
from .problems import Problem

# Folders the project never reads and that hold links by nature (virtual environments)
# or are git's own; they are not walked, but each must itself be a real folder.
NOT_WALKED = frozenset({".git", ".venv", ".venv-zensical", ".venv-cff", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis"})
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
MAX_SHOWN = 200  # characters of a path shown in a message


class UnsafeFile(Exception):
    """A file the project must not read: (code, message), located by the caller."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class TreeError(Exception):
    """Files in the tree that make a command refuse to run; every one is a located problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


class Refused(Exception):
    """A command's target is refused: a one-line message, exit 2, nothing written."""


def shown(path: str | os.PathLike) -> str:
    """A path as it may appear in a message: control characters visible, long ones cut."""
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="backslashreplace")
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN // 2] + f"…({len(text)} characters)…" + text[-MAX_SHOWN // 4:]
    return visible(text)


def kind_of(mode: int) -> str | None:
    """What a non-plain entry is, in words; None for a plain file or a folder."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def _unsafe(name: str, what: str) -> UnsafeFile:
    code = "symlink" if what == "a symbolic link" else "special-file"
    return UnsafeFile(code, f"{name} is {what}, not a plain file; the project reads plain files only")


# Reading -------------------------------------------------------------------------

def _open_dir_chain(root: Path, parts: tuple[str, ...], name: str) -> int:
    """A descriptor for root/parts..., each folder opened without following a link."""
    fd = os.open(root, _DIR_FLAGS & ~os.O_NOFOLLOW)
    try:
        for i, part in enumerate(parts):
            try:
                new = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    where = "/".join(parts[: i + 1])
                    raise UnsafeFile("symlink", f"{where} (on the way to {name}) is not a plain folder; "
                                     "the project reads plain files in plain folders only") from None
                raise
            os.close(fd)
            fd = new
    except BaseException:
        os.close(fd)
        raise
    return fd


class Reader:
    """Reads plain files below root as read_bytes does, keeping each folder open once:
    a knowledge base of 10,000 records lives in five folders, so reading costs one
    open per file, as a plain read does. Use as a context manager (folders are closed)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._folders: dict[tuple[str, ...], int] = {}

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        for fd in self._folders.values():
            os.close(fd)
        self._folders.clear()

    def read(self, path: Path, limit: int) -> bytes:
        rel = Path(path).relative_to(self.root).parts
        name = "/".join(rel)
        folder = self._folders.get(rel[:-1])
        if folder is None:
            folder = self._folders[rel[:-1]] = _open_dir_chain(self.root, rel[:-1], name)
        return _read_at(folder, rel[-1], name, limit)


def read_bytes(path: Path, limit: int, root: Path | None = None) -> bytes:
    """The bytes of a plain file of at most `limit` bytes, read without following a link
    (in the file's name or, below `root`, in any folder on the way) and without blocking
    on a pipe. Raises UnsafeFile for anything else, OSError if it cannot be read."""
    if root is not None:
        with Reader(root) as reader:
            return reader.read(path, limit)
    return _read_at(None, os.fspath(path), shown(path), limit)


def _read_at(folder_fd: int | None, filename: str, name: str, limit: int) -> bytes:
    try:
        fd = os.open(filename, _FILE_FLAGS, dir_fd=folder_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _unsafe(name, "a symbolic link") from None
        if exc.errno == errno.ENXIO:  # a socket
            raise _unsafe(name, "a socket") from None
        raise
    try:
        info = os.fstat(fd)
        what = kind_of(info.st_mode)
        if what or not stat.S_ISREG(info.st_mode):
            raise _unsafe(name, what or "a folder")
        if info.st_size > limit:
            raise UnsafeFile("too-large", f"file is {info.st_size} bytes; the cap is {limit} bytes")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total) if total else max(info.st_size + 1, 1))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise UnsafeFile("too-large", f"file is over {limit} bytes; the cap is {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def lexists(path: Path) -> bool:
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    return True


# The whole tree -------------------------------------------------------------------

def walk(top: Path):
    """(path, lstat result) for every entry under top, never following a link."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while we looked (a concurrent render's staging folder)
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            yield Path(entry.path), info
            if stat.S_ISDIR(info.st_mode) and entry.name not in NOT_WALKED:
                stack.append(Path(entry.path))


def scan(root: Path) -> list[Problem]:
    """Every symbolic link, named pipe, device or socket in the tree, as a located error.
    Git stores links, so a pull request can add one anywhere; MkDocs would follow it.
    Also mkdocs.yml's site folders, which a pull request can point outside the tree."""
    problems = []
    for path, info in walk(root):
        what = kind_of(info.st_mode)
        if what:
            rel = path.relative_to(root).as_posix()
            code = "symlink" if what == "a symbolic link" else "special-file"
            problems.append(Problem(rel, 1, 1, "error", code, "-", "-",
                                    f"{rel} is {what}; the knowledge base and its site are built from plain files "
                                    "only: replace it with the file itself, or remove it"))
    if os.path.lexists(root / MKDOCS_CONFIG):
        problems += site_folder_problems(root)
    return problems


# The site's folders -------------------------------------------------------------

MKDOCS_CONFIG = "mkdocs.yml"
MKDOCS_CONFIG_LIMIT = 1_000_000  # bytes; the real file is a few kilobytes
SITE_FOLDERS = {"docs_dir": "docs", "site_dir": "site"}  # MkDocs' defaults


def mkdocs_config(root: Path) -> dict:
    """mkdocs.yml as data, the one place the site's settings live (site_url, docs_dir...).
    Read as every file of the tree is (no links, no pipes), with a safe loader that
    understands MkDocs' `!ENV [NAME, ..., default]` and ignores `!!python/name` tags; an
    unreadable file gives {} so a page falls back to saying a setting is not made."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def env(loader, node):
        items = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [loader.construct_scalar(node)]
        names, default = (items, None) if len(items) == 1 else (items[:-1], items[-1])
        found = [os.environ[str(n)] for n in names if os.environ.get(str(n))]
        return found[0] if found else default

    Loader.add_constructor("!ENV", env)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: None)
    try:
        text = read_bytes(Path(root) / MKDOCS_CONFIG, MKDOCS_CONFIG_LIMIT, Path(root)).decode("utf-8")
        config = yaml.load(text, Loader=Loader)  # noqa: S506 (SafeLoader subclass)
    except (OSError, UnsafeFile, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def site_folder_problems(root: Path) -> list[Problem]:
    """docs_dir and site_dir must each name a folder strictly inside the checkout, and
    neither may hold the other: a pull request that moves them would otherwise make a
    build delete or publish what lies outside the site."""
    config = mkdocs_config(root)
    lines = _config_lines(root)
    problems, folders = [], {}
    for key, default in SITE_FOLDERS.items():
        value = config.get(key, default)
        target = os.path.normpath(os.path.join(root, str(value))) if isinstance(value, str) and value.strip() else None
        inside = target is not None and target.startswith(os.path.join(os.path.normpath(root), ""))
        if not inside:
            problems.append(_site_problem(lines, key, f"{visible(repr(value))} must name a folder inside the "
                                          f"knowledge base (MkDocs' default is '{default}')"))
        else:
            folders[key] = target
    if len(folders) == 2:
        docs, site = folders["docs_dir"], folders["site_dir"]
        if docs == site or docs.startswith(site + os.sep) or site.startswith(docs + os.sep):
            problems.append(_site_problem(lines, "site_dir", "site_dir and docs_dir must not hold one another: "
                                          "MkDocs empties site_dir before it builds"))
    return problems


def _config_lines(root: Path) -> dict[str, int]:
    """The line of each top-level key in mkdocs.yml, to locate a problem."""
    try:
        text = read_bytes(Path(root) / MKDOCS_CONFIG, MKDOCS_CONFIG_LIMIT, Path(root)).decode("utf-8", "replace")
    except (OSError, UnsafeFile):
        return {}
    return {line.split(":", 1)[0]: number for number, line in enumerate(text.splitlines(), 1)
            if ":" in line and not line[:1].isspace()}


def _site_problem(lines: dict[str, int], key: str, message: str) -> Problem:
    return Problem(MKDOCS_CONFIG, lines.get(key, 1), 1, "error", "site-folder", "-", key, message)


def check_tree(root: Path) -> None:
    problems = scan(root)
    if problems:
        raise TreeError(problems)


# Which tree ---------------------------------------------------------------------

def is_kb(folder: Path) -> bool:
    return (folder / "evidence").is_dir()


def find_root(start: Path) -> Path | None:
    """The nearest folder from start upwards that holds evidence/ (as git finds .git)."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if is_kb(folder)), None)


def check_root(given: str) -> Path:
    """A --root argument as a knowledge base folder, or Refused saying what is wrong."""
    if len(given) > os.pathconf("/", "PC_PATH_MAX"):
        raise Refused(f"poemskb: --root {shown(given)}: the path is too long")
    path = Path(given)
    if not path.exists():
        raise Refused(f"poemskb: --root {shown(given)}: no such folder")
    if not path.is_dir():
        raise Refused(f"poemskb: --root {shown(given)}: not a folder")
    path = path.resolve()
    if not is_kb(path):
        raise Refused(f"poemskb: --root {shown(given)}: not a knowledge base (no evidence/ folder in it)")
    if not (path / "evidence" / "schema").is_dir():
        raise Refused(f"poemskb: --root {shown(given)}: no evidence/schema/ folder, so records cannot be checked")
    return path


# Where commands write -----------------------------------------------------------

def absolute(path: Path) -> Path:
    """An absolute, normalised path whose last part is not resolved (it may be a link)."""
    text = os.path.abspath(os.fspath(path))
    if len(text) > os.pathconf("/", "PC_PATH_MAX"):
        raise Refused(f"poemskb: {shown(path)}: the path is too long")
    head, tail = os.path.split(text)
    return Path(os.path.realpath(head)) / tail if tail else Path(text)


def claim_output(out: Path, root: Path, marker: str, command: str, empty_only: bool = False,
                 contents: bool = True) -> Path:
    """Vet a folder `command` is about to write into; return its absolute path.

    Refused: the folder is a link or not a folder; it is the tree, a folder above it, or
    inside evidence/; a folder on the way inside the tree is a link; it holds files git
    tracks; it is not empty and carries no `marker` (so it was not written by us); it
    holds a link, pipe or device. With empty_only, any existing file is refused.
    contents=False checks the path only; a writer that locks the folder then calls
    check_contents under its lock (another writer may be filling it meanwhile)."""
    out = absolute(out)
    root = root.resolve()
    where = f"poemskb {command}: {shown(out)}"
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise Refused(f"{where} is {kind_of(info.st_mode) or 'a file'}, not a folder; name a folder")
    if out == root or out in root.parents or out.parent == out:
        raise Refused(f"{where} is the knowledge base or a folder above it; name a folder of its own")
    evidence = root / "evidence"
    if out == evidence or evidence in out.parents:
        raise Refused(f"{where} is inside evidence/, which holds only records")
    if root in out.parents:
        _check_folders_on_the_way(root, out, where)
        if info is not None and _tracked_by_git(root, out):
            raise Refused(f"{where} holds files committed to git; only generated files may be written there")
    if info is not None and contents:
        check_contents(out, marker, command, empty_only)
    return out


def check_contents(out: Path, marker: str, command: str, empty_only: bool = False) -> None:
    """Refused unless out is empty or carries marker, and holds no link, pipe or device."""
    where = f"poemskb {command}: {shown(out)}"
    names = os.listdir(out)
    if names and (empty_only or marker not in names):
        raise Refused(f"{where} is not empty and was not written by poemskb {command} (no {marker}); "
                      "name an empty or new folder")
    for path, entry in walk(out):
        what = kind_of(entry.st_mode)
        if what:
            raise Refused(f"{where}: {shown(path.relative_to(out))} is {what}; refusing to write there")


def _check_folders_on_the_way(root: Path, out: Path, where: str) -> None:
    folder = root
    for part in out.relative_to(root).parts[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(mode):
            raise Refused(f"{where}: {shown(folder.relative_to(root))} is {kind_of(mode) or 'a file'}, not a folder")


def _tracked_by_git(root: Path, out: Path) -> bool:
    """Whether git tracks anything in out (a committed marker proves nothing was ours).
    Outside a git work tree, or without git, there is nothing to ask."""
    try:
        result = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", str(out)],
                                capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout)
