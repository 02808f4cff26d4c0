"""The build is reproducible, and a failed validation leaves the previous site intact.

The project (records, site sources) is copied to two different folders and each is
rendered and built as `make build` does (`poemskb render`, `mkdocs build
--strict`, then `poemskb search-index`). Every built file must be byte-identical between the two, except the
sitemaps, which carry the build date and must agree once it is taken out. The second
copy is built without hooks/release_memory.py, so the same comparison also proves that
the hook which frees page text during the build changes no output. Rendering
again changes nothing. Then a broken record is added: render refuses, and neither
docs/generated/ nor site/ changes.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["mkdocs.yml", "CITATION.cff", "docs", "overrides", "hooks", "evidence"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
DATED = {"sitemap.xml", "sitemap.xml.gz"}

pytestmark = pytest.mark.slow


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def render(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", "--root", str(tree), "render"], capture_output=True, text=True,
                          env=ENV, timeout=600)


def build(tree: Path) -> None:
    rendered = render(tree)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(tree / "mkdocs.yml")],
                           capture_output=True, text=True, env=ENV, timeout=900, cwd=tree)
    assert built.returncode == 0, built.stdout + built.stderr
    # make build's last step: the search index must be byte-identical too.
    indexed = subprocess.run([sys.executable, "-m", "poemskb", "search-index", str(tree / "site")], capture_output=True,
                             text=True, env=ENV, timeout=600)
    assert indexed.returncode == 0 and (tree / "site" / "search-index" / "index.json").is_file(), indexed.stderr


def digests(folder: Path, with_times: bool = False) -> dict[str, tuple]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            entry = (hashlib.sha256(path.read_bytes()).hexdigest(),)
            out[path.relative_to(folder).as_posix()] = entry + ((path.stat().st_mtime_ns,) if with_times else ())
    return out


def undated(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return re.sub(rb"<lastmod>[^<]*</lastmod>", b"", data)


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("reproducible")
    first, second = copy_project(base / "first"), copy_project(base / "second-copy-elsewhere")
    config = second / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - hooks/release_memory.py\n" in text
    config.write_text(text.replace("  - hooks/release_memory.py\n", ""), encoding="utf-8")
    build(first)
    build(second)
    return first, second


def test_two_builds_give_identical_files(builds):
    first, second = builds
    for folder in ("docs/generated", "site"):
        a, b = digests(first / folder), digests(second / folder)
        assert a.keys() == b.keys(), (folder, sorted(a.keys() ^ b.keys())[:10])
        differ = sorted(name for name in a if a[name] != b[name])
        assert set(differ) <= DATED, (folder, differ[:10])
    for name in DATED:
        assert undated(first / "site" / name) == undated(second / "site" / name), name


def test_no_absolute_path_of_the_build_folder_leaks_into_the_site(builds):
    first, _ = builds
    needle = str(first).encode("utf-8")
    leaked = [p.relative_to(first).as_posix() for p in (first / "site").rglob("*") if p.is_file() and needle in p.read_bytes()]
    assert not leaked, leaked[:10]


def test_rendering_again_rewrites_nothing(builds):
    first, _ = builds
    before = digests(first / "docs" / "generated", with_times=True)
    rendered = render(first)
    assert rendered.returncode == 0, rendered.stderr
    assert digests(first / "docs" / "generated", with_times=True) == before


def test_failed_validation_leaves_the_previous_site_intact(builds):
    first, _ = builds
    before = {folder: digests(first / folder, with_times=True) for folder in ("docs/generated", "site")}
    bad = first / "evidence" / "studies" / "broken-study.yaml"
    bad.write_text("id: broken-study\nid: twice\n", encoding="utf-8")
    try:
        rendered = render(first)
        assert rendered.returncode == 1
        assert "duplicate key 'id'" in rendered.stderr and "nothing written until validation passes" in rendered.stderr
        assert "Traceback" not in rendered.stderr
        for folder, state in before.items():
            assert digests(first / folder, with_times=True) == state, f"{folder} changed after a failed validation"
    finally:
        bad.unlink()
