"""Hostile input: every file a stranger could put under evidence/ is rejected with its
located error, in a child process with bounded memory and time, without a traceback
and without writing anything; `poemskb render` then refuses and leaves the previous
pages intact.

The committed cases live in tests/hostile/<case>/ (see its README); cases too large or
too odd for git (a 50 MB file, 100,000-level nesting, symbolic links, a named pipe) are
made here. Each run's duration is recorded in tests/artifacts/hostile-timings.json and
shown with `pytest -rA`; only a 20-second timeout, which catches a hang, is asserted.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from poemskb.load import MAX_BYTES
from poemskb.synth import write_kb

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(p.parent.name for p in CORPUS.glob("*/case.toml"))
MEMORY_LIMIT = 1 << 30  # bytes of address space for the child
TIMEOUT = 20  # seconds; a hang fails, a slow run is only recorded
TIMINGS: dict[str, float] = {}

pytestmark = pytest.mark.slow


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def poemskb(tree: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI on `tree` as a contributor would, from inside the tree."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "poemskb", "--root", str(tree), *args], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limit_memory)


def snapshot(tree: Path) -> dict[str, str]:
    """Every file, folder and link under tree with a digest of its content."""
    state = {}
    for folder, dirs, files in os.walk(tree):
        base = Path(folder)
        state[str(base.relative_to(tree))] = "dir"
        for name in files + [d for d in dirs if (base / d).is_symlink()]:
            path = base / name
            rel = str(path.relative_to(tree))
            if path.is_symlink():
                state[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                state[rel] = digest.hexdigest()
            else:
                state[rel] = "special"
    return state


@pytest.fixture(scope="session")
def base_kb(tmp_path_factory) -> Path:
    """A valid synthetic knowledge base with its pages rendered, copied by every case."""
    base = tmp_path_factory.mktemp("hostile-base")
    write_kb(base, 12, source_root=ROOT, seed=0, site=False)
    result = poemskb(base, "render")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (base / "docs" / "generated" / "studies").is_dir()
    return base


@pytest.fixture(scope="module", autouse=True)
def record_timings():
    yield
    out = ROOT / "tests" / "artifacts"
    out.mkdir(parents=True, exist_ok=True)
    ordered = dict(sorted(TIMINGS.items(), key=lambda item: -item[1]))
    (out / "hostile-timings.json").write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")


def copy_base(base: Path, tmp_path: Path) -> Path:
    tree = tmp_path / "kb"
    shutil.copytree(base, tree, symlinks=True)
    return tree


def overlay(tree: Path, case: str) -> None:
    source = CORPUS / case
    for path in source.rglob("*"):
        if path.is_file() and path.name != "case.toml":
            dest = tree / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


def assert_rejected(tree: Path, name: str, expected: list[dict], record_property) -> None:
    """Validate and render the tree: both refuse, report exactly `expected`, change nothing."""
    before = snapshot(tree)
    start = time.perf_counter()
    result = poemskb(tree, "validate", "--format", "json")
    TIMINGS[name] = round(time.perf_counter() - start, 3)
    record_property("validate_seconds", TIMINGS[name])
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    errors = [p for p in json.loads(result.stdout) if p["severity"] == "error"]
    assert_same_errors(errors, expected)
    assert snapshot(tree) == before, "validation changed files in the tree"

    rendered = poemskb(tree, "render")
    assert "Traceback" not in rendered.stderr, rendered.stderr
    assert rendered.returncode == 1
    assert "nothing written until validation passes" in rendered.stderr
    assert snapshot(tree) == before, "a refused render changed files (docs/generated must stay as it was)"


def assert_same_errors(errors: list[dict], expected: list[dict]) -> None:
    shown = "\n".join(f"  {e['path']}:{e['line']}:{e['col']}: [{e['code']}] {e['record']}: {e['field']}: {e['message']}" for e in errors)
    assert len(errors) == len(expected), f"expected {len(expected)} error(s), got {len(errors)}:\n{shown}"
    unmatched = list(errors)
    for want in expected:
        match = next((e for e in unmatched if all(e[k] == want[k] for k in ("code", "path", "line", "col"))
                      and all(e[k] == want[k] for k in ("record", "field") if k in want)
                      and want["message"] in e["message"]), None)
        assert match is not None, f"no error matches {want}; got:\n{shown}"
        unmatched.remove(match)


def test_corpus_is_complete():
    """The issue's list of hostile inputs, each present as a case."""
    required = {"malformed-yaml", "duplicate-key", "anchor-alias", "alias-bomb", "python-object-apply", "wrong-types",
                "missing-fields", "unknown-keys", "id-path-traversal", "id-with-slash", "id-file-mismatch", "duplicate-id",
                "unresolved-references", "numerator-over-denominator", "percent-disagrees", "impossible-dates",
                "malformed-identifiers", "invalid-utf8", "byte-order-mark", "tabs", "empty-file", "multi-document",
                "yaml11-booleans", "unquoted-dates",
                # issue 15: untrusted pull requests
                "text-too-long", "reserved-ids", "identifier-forms", "implausible-numbers", "contradicting-relations"}
    assert required <= set(CASES), sorted(required - set(CASES))
    for case in CASES:
        spec = tomllib.loads((CORPUS / case / "case.toml").read_text(encoding="utf-8"))
        assert spec["description"] and spec["expect"], case


def test_corpus_has_hidden_text_cases():
    """Text that deceives the reader or the reviewer's terminal (issue 15)."""
    assert {"bidi-and-invisible-characters", "escaped-control-characters", "line-break-in-one-line-field"} <= set(CASES)


def test_base_is_valid(base_kb):
    result = poemskb(base_kb, "validate", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [p for p in json.loads(result.stdout) if p["severity"] == "error"]


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case, base_kb, tmp_path, record_property):
    spec = tomllib.loads((CORPUS / case / "case.toml").read_text(encoding="utf-8"))
    tree = copy_base(base_kb, tmp_path)
    overlay(tree, case)
    assert_rejected(tree, case, spec["expect"], record_property)
    for name in spec.get("would_create", []):
        assert not list(tmp_path.rglob(name)), f"{name} was created: the record's code ran"


@pytest.mark.parametrize("case", [c for c in CASES if "would_create" in tomllib.loads((CORPUS / c / "case.toml").read_text(encoding="utf-8"))])
def test_python_tags_are_real_exploits(case, tmp_path):
    """The code-running cases are not toothless: PyYAML's unsafe loader, in a scratch
    folder, really creates the file the payload names. The validator (above) does not."""
    spec = tomllib.loads((CORPUS / case / "case.toml").read_text(encoding="utf-8"))
    script = ("import sys, yaml\n"
              "for name in sys.argv[1:]:\n"
              "    try:\n        yaml.unsafe_load(open(name, encoding='utf-8'))\n    except Exception:\n        pass\n")
    payloads = [str(p) for p in (CORPUS / case).rglob("*.yaml")]
    subprocess.run([sys.executable, "-c", script, *payloads], cwd=tmp_path, timeout=TIMEOUT, capture_output=True)
    for name in spec["would_create"]:
        assert (tmp_path / name).exists(), f"unsafe loading did not create {name}: the case no longer tests anything"


# Cases made at test time --------------------------------------------------------

def _error(path: str, code: str, message: str, line: int = 1, col: int = 1) -> dict:
    return {"code": code, "path": path, "line": line, "col": col, "record": "-", "field": "-", "message": message}


def test_fifty_megabyte_file(base_kb, tmp_path, record_property):
    tree = copy_base(base_kb, tmp_path)
    path = tree / "evidence" / "studies" / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id: huge\nsummary: >-\n")
        line = "  " + "All work and no play makes a very long summary. " * 20 + "\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line)
    size = path.stat().st_size
    assert_rejected(tree, "generated: 50 MB file", [_error("evidence/studies/huge.yaml", "too-large", f"file is {size} bytes")], record_property)


def test_file_just_over_the_cap(base_kb, tmp_path, record_property):
    tree = copy_base(base_kb, tmp_path)
    path = tree / "evidence" / "studies" / "hostile-study.yaml"
    text = (CORPUS / "percent-disagrees" / "evidence" / "studies" / "hostile-study.yaml").read_text(encoding="utf-8")
    path.write_text(text + "#" * (MAX_BYTES + 1 - len(text.encode("utf-8"))), encoding="utf-8")
    assert_rejected(tree, "generated: file one byte over the cap",
                    [_error("evidence/studies/hostile-study.yaml", "too-large", f"records are capped at {MAX_BYTES} bytes")], record_property)


DEEP = {
    # Each of these once crashed the interpreter (libyaml's recursive composer) or
    # ended in a jsonschema-rs traceback.
    "flow-sequences": ("x: " + "[" * 100_000 + "]" * 100_000 + "\n", 1, 4 + 63),
    "flow-mappings": ("x: " + "{a: " * 60_000 + "1" + "}" * 60_000 + "\n", 1, 4 + 63 * 4),
    "block-sequences": ("x:\n" + "- " * 100_000 + "1\n", 2, 1 + 63 * 2),
    "complex-keys": ("? " * 100_000 + "a\n", 1, 1 + 64 * 2),
    "indentation": ("".join(" " * i + f"k{i}:\n" for i in range(100)) + " " * 100 + "v: 1\n", 65, 65),
    "just-past-jsonschema": ("x: " + "[" * 300 + "]" * 300 + "\n", 1, 4 + 63),
}


@pytest.mark.parametrize("shape", DEEP)
def test_deep_nesting(shape, base_kb, tmp_path, record_property):
    text, line, col = DEEP[shape]
    assert len(text.encode("utf-8")) < MAX_BYTES
    tree = copy_base(base_kb, tmp_path)
    (tree / "evidence" / "studies" / "deep.yaml").write_text(text, encoding="utf-8")
    assert_rejected(tree, f"generated: deep nesting ({shape})",
                    [_error("evidence/studies/deep.yaml", "too-deep", "nesting is deeper than 64 levels", line, col)], record_property)


def test_symbolic_links(base_kb, tmp_path, record_property):
    """A link could make the validator read, and echo, any file on the machine."""
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("id: secret\ntoken: do-not-print-me\n", encoding="utf-8")
    tree = copy_base(base_kb, tmp_path)
    os.symlink("/etc/passwd", tree / "evidence" / "studies" / "passwd.yaml")
    os.symlink("/dev/zero", tree / "evidence" / "studies" / "zero.yaml")
    os.symlink(secret, tree / "evidence" / "measures" / "secret.yaml")
    os.symlink(secret.parent, tree / "evidence" / "regimens" / "linked-folder")
    expected = [_error(f"evidence/{rel}", "symlink", "is a symbolic link; records must be plain files")
                for rel in ("studies/passwd.yaml", "studies/zero.yaml", "measures/secret.yaml", "regimens/linked-folder")]
    assert_rejected(tree, "generated: symbolic links", expected, record_property)
    result = poemskb(tree, "validate")
    assert "do-not-print-me" not in result.stdout + result.stderr
    assert "root:" not in result.stdout + result.stderr


def test_named_pipe_does_not_hang(base_kb, tmp_path, record_property):
    """Reading a FIFO would block for ever: files are opened without blocking, then
    checked to be plain files (tree.read_bytes)."""
    tree = copy_base(base_kb, tmp_path)
    os.mkfifo(tree / "evidence" / "studies" / "pipe.yaml")
    assert_rejected(tree, "generated: named pipe",
                    [_error("evidence/studies/pipe.yaml", "special-file", "evidence/studies/pipe.yaml is a named pipe (FIFO), not a plain file")],
                    record_property)


def test_unix_socket_is_not_read(base_kb, tmp_path, record_property):
    import socket

    tree = copy_base(base_kb, tmp_path)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tree / "evidence" / "studies" / "socket.yaml"))
        assert_rejected(tree, "generated: socket",
                        [_error("evidence/studies/socket.yaml", "special-file", "evidence/studies/socket.yaml is a socket, not a plain file")],
                        record_property)
    finally:
        server.close()
