"""Files a pull request can commit (links, pipes, markers), renders that collide or are
killed, a command line that cannot hurt, and which tree a command works on.

Each attack from the 'Untrusted pull requests' issue is reproduced here on a copy of a
small synthetic knowledge base with the real site configuration, and must end in a
one-line or located message, with nothing read that should not be, nothing written and
nothing deleted. Every child process has a timeout, so a regression that hangs (a named
pipe read) fails instead of stalling the suite.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from poemskb.writer import LOCK_WAIT, MARKER, STAGED
from poemskb.synth import write_kb
from test_hostile import snapshot

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_MKDOCS_2_WARNING": "1"}

pytestmark = pytest.mark.slow


def poemskb(cwd: Path, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """The command as a contributor runs it: from inside the tree, no --root."""
    return subprocess.run([sys.executable, "-m", "poemskb", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def mkdocs_build(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=tree, env=ENV,
                          capture_output=True, text=True, timeout=300)


def one_line(result: subprocess.CompletedProcess) -> str:
    """A usage refusal: exit 2, no traceback, one line on stderr; that line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = [line for line in result.stderr.splitlines() if not line.startswith("poemskb: knowledge base ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="session")
def base_site(tmp_path_factory) -> Path:
    """A valid synthetic knowledge base with mkdocs.yml, docs/, overrides/ and hooks/."""
    base = tmp_path_factory.mktemp("tree-base")
    write_kb(base, 12, source_root=ROOT, seed=0, site=True)
    return base


@pytest.fixture
def tree(base_site, tmp_path) -> Path:
    dest = tmp_path / "kb"
    shutil.copytree(base_site, dest, symlinks=True)
    return dest


# Links, pipes and devices the project must not read --------------------------------

SECRET = "do-not-publish-this-secret"


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


LINKS = {
    "docs/env.txt": "/proc/self/environ",
    "docs/leak.txt": "/etc/hostname",
    "docs/secret.md": "SECRET",
    "overrides/partials/footer.html": "SECRET",
    "hooks/leak.py": "SECRET",
    "docs/assets": "SECRET-FOLDER",  # a whole folder elsewhere
}


@pytest.mark.parametrize("name", LINKS)
def test_a_link_in_the_site_sources_stops_render_check_tree_and_mkdocs(name, tree, secret):
    target = {"SECRET": str(secret), "SECRET-FOLDER": str(secret.parent)}.get(LINKS[name], LINKS[name])
    path = tree / name
    if path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.symlink(target, path)
    before = snapshot(tree)

    rendered = poemskb(tree, "render")
    assert rendered.returncode == 1 and "Traceback" not in rendered.stderr, rendered.stderr
    assert f"{name}:1:1: error[symlink]" in rendered.stderr
    assert "is a symbolic link" in rendered.stderr and "nothing written" in rendered.stderr
    assert snapshot(tree) == before, "render wrote or deleted something in a refused tree"

    checked = poemskb(tree, "check-tree")
    assert checked.returncode == 1 and f"{name}:1:1: error[symlink]" in checked.stdout

    built = mkdocs_build(tree)  # a bare MkDocs build refuses too (hooks/tree_check.py)
    assert built.returncode != 0
    assert f"{name} is a symbolic link" in built.stdout + built.stderr
    assert not (tree / "site").exists() or SECRET not in "".join(
        p.read_text(errors="replace") for p in (tree / "site").rglob("*") if p.is_file())


SITE_FOLDER_EDITS = {
    "site_dir: ..": ("site_dir", "'..' must name a folder inside the knowledge base"),
    "site_dir: ../published": ("site_dir", "'../published' must name a folder inside the knowledge base"),
    "docs_dir: ..": ("docs_dir", "'..' must name a folder inside the knowledge base"),
    "site_dir: docs/site": ("site_dir", "site_dir and docs_dir must not hold one another"),
    "docs_dir: .": ("docs_dir", "'.' must name a folder inside the knowledge base"),
}


@pytest.mark.parametrize("edit", SITE_FOLDER_EDITS)
def test_mkdocs_site_folders_outside_the_tree_stop_render_check_tree_and_mkdocs(edit, tree):
    """MkDocs empties site_dir before building and publishes all of docs_dir: a pull
    request that points either outside the checkout could delete or publish anything."""
    key, message = SITE_FOLDER_EDITS[edit]
    config = tree / "mkdocs.yml"
    lines = [line for line in config.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{key}:")]
    config.write_text("\n".join(lines + [edit]) + "\n", encoding="utf-8")
    line = len(lines) + 1
    neighbour = tree.parent / "neighbour.txt"  # what `site_dir: ..` would empty
    neighbour.write_text("keep me\n", encoding="utf-8")
    before = snapshot(tree)

    checked = poemskb(tree, "check-tree")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"mkdocs.yml:{line}:1: error[site-folder]: -: {key}: {message}" in checked.stdout, checked.stdout

    rendered = poemskb(tree, "render")
    assert rendered.returncode == 1 and "Traceback" not in rendered.stderr, rendered.stderr
    assert "error[site-folder]" in rendered.stderr
    assert snapshot(tree) == before, "render wrote or deleted something in a refused tree"

    # A bare MkDocs build refuses too: its own config check catches some of these, our
    # hook (hooks/tree_check.py) the rest.
    built = mkdocs_build(tree)
    said = built.stdout + built.stderr
    assert built.returncode != 0 and (message in said or "Config value" in said), said
    if edit == "site_dir: ../published":  # MkDocs itself would build (and clean) there
        assert message in said and not (tree.parent / "published").exists(), said
    assert neighbour.read_text(encoding="utf-8") == "keep me\n"


def test_citation_cff_that_is_a_link_is_refused_with_its_location(tree):
    (tree / "CITATION.cff").unlink()
    os.symlink("/etc/passwd", tree / "CITATION.cff")
    exported = poemskb(tree, "export", "--out", str(tree.parent / "downloads"))
    assert exported.returncode == 1 and "Traceback" not in exported.stderr, exported.stderr
    assert "CITATION.cff:1:1: error[symlink]" in exported.stderr
    assert "root:" not in exported.stdout + exported.stderr


def test_a_named_pipe_in_docs_fails_check_tree_and_the_build_without_hanging(tree):
    os.mkfifo(tree / "docs" / "pipe.md")
    checked = poemskb(tree, "check-tree")
    assert checked.returncode == 1
    assert "docs/pipe.md:1:1: error[special-file]" in checked.stdout and "named pipe" in checked.stdout
    built = mkdocs_build(tree)
    assert built.returncode != 0 and "docs/pipe.md is a named pipe" in built.stdout + built.stderr


SCHEMAS = {
    "zero": lambda path: os.symlink("/dev/zero", path),
    "passwd": lambda path: os.symlink("/etc/passwd", path),
    "fifo": os.mkfifo,
}


@pytest.mark.parametrize("kind", SCHEMAS)
def test_a_schema_that_is_a_link_or_a_pipe_gives_a_located_error(kind, tree):
    path = tree / "evidence" / "schema" / "study.schema.json"
    path.unlink()
    SCHEMAS[kind](path)
    for args in (["validate"], ["validate", "evidence/studies/synth-study-00001.yaml"], ["render"]):
        result = poemskb(tree, *args, timeout=30)
        out = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in out, out
        code = "special-file" if kind == "fifo" else "symlink"
        assert f"evidence/schema/study.schema.json:1:1: error[{code}]" in out, out
        assert "root:" not in out


def test_a_linked_schema_folder_is_refused(tree, tmp_path):
    shutil.move(tree / "evidence" / "schema", tmp_path / "schema-elsewhere")
    os.symlink(tmp_path / "schema-elsewhere", tree / "evidence" / "schema")
    result = poemskb(tree, "validate", timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "evidence/schema (on the way to evidence/schema/" in result.stdout


def test_a_record_pipe_beside_a_named_file_does_not_hang(tree):
    os.mkfifo(tree / "evidence" / "studies" / "pipe.yaml")
    named = poemskb(tree, "validate", "evidence/studies/synth-study-00001.yaml", timeout=30)
    assert "Traceback" not in named.stderr and named.returncode == 0, named.stdout + named.stderr
    full = poemskb(tree, "validate", timeout=30)
    assert full.returncode == 1 and "evidence/studies/pipe.yaml:1:1: error[special-file]" in full.stdout


def test_a_linked_evidence_folder_is_not_walked(tree, tmp_path):
    shutil.move(tree / "evidence", tmp_path / "evidence-elsewhere")
    os.symlink(tmp_path / "evidence-elsewhere", tree / "evidence")
    result = poemskb(tree, "--root", str(tree), "validate", timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "evidence (on the way to evidence/schema/study.schema.json) is not a plain folder" in result.stdout
    assert "evidence-elsewhere" not in result.stdout


# Render: markers, links, locks, staging files ---------------------------------------

@pytest.mark.parametrize("target", ["..", "../evidence", "OUTSIDE"])
def test_a_committed_marker_and_a_linked_output_folder_delete_nothing(target, tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep", encoding="utf-8")
    for folder in (tree, tree / "evidence", outside):
        (folder / MARKER).write_text("Written by `poemskb render`\n", encoding="utf-8")
    shutil.rmtree(tree / "docs" / "generated", ignore_errors=True)
    os.symlink(str(outside) if target == "OUTSIDE" else target, tree / "docs" / "generated")
    before, before_outside = snapshot(tree), snapshot(outside)
    for args in (["render"], ["render", "--out", "docs/generated"]):
        result = poemskb(tree, *args)
        assert result.returncode in (1, 2) and "Traceback" not in result.stderr, result.stderr
        assert "docs/generated" in result.stderr
        assert snapshot(tree) == before and snapshot(outside) == before_outside


def test_render_into_a_folder_git_tracks_is_refused(tree):
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    generated = tree / "docs" / "generated"
    generated.mkdir(exist_ok=True)
    (generated / MARKER).write_text(f"x\nFiles written (only these are ever deleted by render):\nindex.md\n", encoding="utf-8")
    (generated / "index.md").write_text("committed", encoding="utf-8")
    subprocess.run(["git", "-C", str(tree), "add", "-f", "docs/generated"], check=True)
    result = poemskb(tree, "render")
    assert "holds files committed to git" in one_line(result)
    assert (generated / "index.md").read_text(encoding="utf-8") == "committed"


def test_a_forged_manifest_cannot_point_outside_the_output_folder(tree):
    generated = tree / "docs" / "generated"
    generated.mkdir(exist_ok=True)
    forged = ["../../evidence/studies/synth-study-00001.yaml", "/etc/hostname", "../index.md", "./../../mkdocs.yml"]
    (generated / MARKER).write_text("x\nFiles written (only these are ever deleted by render):\n" + "\n".join(forged) + "\n",
                                    encoding="utf-8")
    before = {p: p.read_bytes() for p in (tree / "evidence" / "studies" / "synth-study-00001.yaml", tree / "docs" / "index.md",
                                          tree / "mkdocs.yml")}
    result = poemskb(tree, "render")
    assert result.returncode == 0, result.stderr
    assert all(path.read_bytes() == data for path, data in before.items())


def test_a_second_render_waits_then_says_it_is_busy(tree):
    assert poemskb(tree, "render").returncode == 0
    out = tree / "docs" / "generated"
    before = snapshot(out)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a first render, still writing
        start = time.monotonic()
        result = poemskb(tree, "render")
        waited = time.monotonic() - start
    finally:
        os.close(fd)
    assert "another render is writing to" in one_line(result)
    assert waited >= LOCK_WAIT * 0.9
    assert snapshot(out) == before


def test_two_renders_at_once_both_end_cleanly(tree):
    shutil.rmtree(tree / "docs" / "generated", ignore_errors=True)
    procs = [subprocess.Popen([sys.executable, "-m", "poemskb", "render"], cwd=tree, env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=TIMEOUT), *p.communicate()) for p in procs]
    for code, stdout, stderr in results:
        assert "Traceback" not in stderr, stderr
        assert code == 0 or (code == 2 and "another render is writing" in stderr), stderr
    assert any(code == 0 for code, _, _ in results)
    out = tree / "docs" / "generated"
    assert not [p for p in out.rglob("*" + STAGED)]
    alone = tree.parent / "alone"
    shutil.copytree(tree, alone, symlinks=True, ignore=shutil.ignore_patterns("generated"))
    assert poemskb(alone, "render").returncode == 0
    assert snapshot(out) == snapshot(alone / "docs" / "generated")


def test_staging_files_of_a_killed_render_are_never_published(tree):
    assert poemskb(tree, "render").returncode == 0
    page = tree / "docs" / "generated" / "studies" / "synth-study-00001.md"
    staged = page.with_name(page.name + STAGED)
    staged.write_text("# Half-written page a killed render left\n", encoding="utf-8")
    built = mkdocs_build(tree)  # MkDocs run on its own, without render first
    assert built.returncode == 0, built.stdout + built.stderr
    assert not [p for p in (tree / "site").rglob("*") if STAGED in p.name]
    assert poemskb(tree, "render").returncode == 0  # and the next render removes them
    assert not staged.exists() and page.exists()


# A command line that cannot hurt -----------------------------------------------------

def _long(n: int) -> str:
    return "a" * n


CLI = {
    "typo": (["validate", "evidence/studies/no-such-study.yaml"], "no such file"),
    "readme": (["validate", "README.md"], "is not a record"),
    "folder": (["validate", "evidence/studies"], "is a folder"),
    "stdin": (["validate", "-"], "standard input"),
    "long-file": (["validate", _long(100_000)], "too long"),
    "root-missing": (["--root", "no-such-folder", "validate"], "no such folder"),
    "root-file": (["--root", "mkdocs.yml", "validate"], "not a folder"),
    "root-no-evidence": (["--root", "docs", "validate"], "not a knowledge base"),
    "root-no-schema": (["--root", "NOSCHEMA", "validate"], "no evidence/schema/"),
    "render-slash": (["render", "--out", "/"], "folder above it"),
    "render-evidence": (["render", "--out", "evidence"], "inside evidence/"),
    "render-docs": (["render", "--out", "docs"], "not empty and was not written by poemskb render"),
    "render-long": (["render", "--out", "/".join([_long(200)] * 500)], "too long"),
    "export-file": (["export", "--out", "mkdocs.yml"], "not a folder"),
    "export-foreign": (["export", "--out", "FOREIGN"], "not empty and was not written by poemskb export"),
    "export-evidence": (["export", "--out", "evidence/downloads"], "inside evidence/"),
    "synth-slash": (["synth", "--studies", "2", "--out", "/"], "folder above it"),
    "synth-full": (["synth", "--studies", "2", "--out", "FOREIGN"], "not empty"),
    "synth-evidence": (["synth", "--studies", "2", "--out", "evidence/synth"], "inside evidence/"),
    "synth-huge": (["synth", "--studies", str(10**12), "--out", "NEW"], "give a number from 0 to 100,000"),
}


@pytest.mark.parametrize("case", CLI)
def test_a_bad_command_line_gets_one_line_and_writes_nothing(case, tree, tmp_path):
    args, message = CLI[case]
    (tree / "README.md").write_text("# readme\n", encoding="utf-8")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "outcomes.csv").write_text("someone else's data\n", encoding="utf-8")
    noschema = tmp_path / "noschema"
    (noschema / "evidence").mkdir(parents=True)
    places = {"FOREIGN": str(foreign), "NEW": str(tmp_path / "new"), "NOSCHEMA": str(noschema)}
    args = [places.get(a, a) for a in args]
    before, before_foreign = snapshot(tree), snapshot(foreign)
    line = one_line(poemskb(tree, *args))
    assert message in line
    assert len(line) < 1000
    assert snapshot(tree) == before and snapshot(foreign) == before_foreign
    assert not (tmp_path / "new").exists()


def test_a_deleted_record_git_knows_is_not_a_typo(tree):
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    subprocess.run(["git", "-C", str(tree), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base"],
                   check=True)
    (tree / "evidence" / "studies" / "synth-study-00001.yaml").unlink()
    result = poemskb(tree, "validate", "evidence/studies/synth-study-00001.yaml")
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert "1 changed file(s)" in result.stderr
    typo = poemskb(tree, "validate", "evidence/studies/synth-study-0001.yaml")
    assert "git does not know it" in one_line(typo)


def test_control_characters_in_a_named_path_are_shown_escaped(tree):
    result = poemskb(tree, "validate", "evidence/studies/\x1b[2Jfake\n0 error(s).yaml")
    line = one_line(result)
    assert "\x1b" not in line and "\\x1b[2J" in line and "\\n0 error(s)" in line


def test_export_writes_into_its_own_folder_again(tree, tmp_path):
    out = tmp_path / "downloads"
    assert poemskb(tree, "export", "--out", str(out)).returncode == 0
    assert (out / ".poemskb-export").is_file() and (out / "outcomes.csv").is_file()
    again = poemskb(tree, "export", "--out", str(out))
    assert again.returncode == 0 and "0 file(s) changed" in again.stdout


def test_a_second_export_waits_then_says_it_is_busy_and_a_planted_link_is_replaced_not_followed(tree, tmp_path, secret):
    """Export writes as render does (writer.py): one at a time, each file staged and
    moved into place, so a link planted where a file will go is replaced, never written
    through."""
    out = tmp_path / "downloads"
    assert poemskb(tree, "export", "--out", str(out)).returncode == 0
    before = snapshot(out)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a first export, still writing
        result = poemskb(tree, "export", "--out", str(out))
    finally:
        os.close(fd)
    assert "another export is writing to" in one_line(result)
    assert snapshot(out) == before

    (out / "outcomes.csv").unlink()
    os.symlink(secret, out / "outcomes.csv")
    refused = poemskb(tree, "export", "--out", str(out))
    assert refused.returncode == 2 and "is a symbolic link" in refused.stderr, refused.stderr
    assert secret.read_text(encoding="utf-8") == SECRET + "\n"


def test_export_and_render_never_write_into_each_others_folders(tree, tmp_path):
    assert poemskb(tree, "render").returncode == 0
    into_site = poemskb(tree, "export", "--out", "docs/generated")
    assert "was not written by poemskb export" in one_line(into_site)
    out = tmp_path / "downloads"
    assert poemskb(tree, "export", "--out", str(out)).returncode == 0
    into_export = poemskb(tree, "render", "--out", str(out))
    assert "was not written by poemskb render" in one_line(into_export)


def test_an_os_error_is_one_line_not_a_traceback(tree, tmp_path):
    """What the machine refuses (here a file name longer than the file system allows)
    is one line from the top-level guard, not a traceback."""
    line = one_line(poemskb(tree, "export", "--out", str(tmp_path / ("a" * 300) / "downloads")))
    assert "File name too long" in line


# Which tree a command works on --------------------------------------------------------

def _break(tree: Path) -> None:
    study = tree / "evidence" / "studies" / "synth-study-00001.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("design: ", "design: not-a-design-", 1), encoding="utf-8")


def test_two_clones_each_command_works_on_the_one_it_stands_in(base_site, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(base_site, first)
    shutil.copytree(base_site, second)
    _break(second)
    assert poemskb(first, "validate").returncode == 0
    broken = poemskb(second, "validate")
    assert broken.returncode == 1 and "synth-study-00001.yaml" in broken.stdout
    assert "knowledge base" not in broken.stderr  # standing in it: nothing to say
    refused = poemskb(second, "render")
    assert refused.returncode == 1
    assert not (second / "docs" / "generated").exists() and not (first / "docs" / "generated").exists()
    assert poemskb(first, "render").returncode == 0
    assert (first / "docs" / "generated" / "studies").is_dir() and not (second / "docs" / "generated").exists()


def test_from_a_subfolder_the_tree_above_is_used_and_named(base_site, tmp_path):
    tree = tmp_path / "kb"
    shutil.copytree(base_site, tree)
    _break(tree)
    result = poemskb(tree / "docs", "validate")
    assert result.returncode == 1 and "synth-study-00001.yaml" in result.stdout
    assert f"poemskb: knowledge base {tree}" in result.stderr


def test_outside_any_tree_exit_two_with_one_line(tmp_path):
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    line = one_line(poemskb(nowhere, "validate"))
    assert "no knowledge base here" in line and "--root" in line


def test_root_overrides_the_current_folder(base_site, tmp_path):
    tree = tmp_path / "kb"
    shutil.copytree(base_site, tree)
    _break(tree)
    result = poemskb(ROOT / "docs", "--root", str(tree), "validate")
    assert result.returncode == 1 and "synth-study-00001.yaml" in result.stdout
    assert f"poemskb: knowledge base {tree}" in result.stderr


def test_a_non_editable_install_works_on_the_tree_it_stands_in(base_site, tmp_path):
    """`pip install .` into a fresh venv: nothing may depend on where the package was
    installed from (it once looked for evidence/ next to its own files)."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copytree(ROOT / "scripts" / "poemskb", source / "scripts" / "poemskb",
                    ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # Runtime dependencies come from the test environment's site-packages, added as a plain
    # path: its .pth files (the editable install of this checkout) are not processed.
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "yaml").is_dir())
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "test-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                              str(source)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    tree = tmp_path / "kb"
    shutil.copytree(base_site, tree)
    _break(tree)
    env = {k: v for k, v in ENV.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import poemskb; print(poemskb.__file__)"],
                           capture_output=True, text=True, env=env, timeout=TIMEOUT)
    assert str(site) in where.stdout, where.stdout + where.stderr  # the installed copy, not this checkout
    result = subprocess.run([str(venv / "bin" / "poemskb"), "validate"], cwd=tree, capture_output=True, text=True,
                            env=env, timeout=TIMEOUT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1 and "synth-study-00001.yaml" in result.stdout
    rendered = subprocess.run([str(venv / "bin" / "poemskb"), "render"], cwd=tree / "docs", capture_output=True,
                              text=True, env=env, timeout=TIMEOUT)
    assert rendered.returncode == 1 and not (tree / "docs" / "generated").exists()
