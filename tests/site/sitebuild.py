"""Building the site for the tests: copy the site sources to a temporary folder, render
the records into it and run `mkdocs build --strict`. Shared by the fixtures in
conftest.py and by tests that build a variant (a hostile record)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from poemskb.render import render_site
from poemskb.searchindex import build_index
from poemskb.tree import scan

from htmltree import Node, parse  # tests/site is on sys.path (pytest rootdir-relative import)

ROOT = Path(__file__).resolve().parents[2]
SITE_SOURCES = ["mkdocs.yml", "docs", "overrides", "hooks", "evidence"]  # evidence: mkdocs.yml watches it
ARTIFACTS = ROOT / "tests" / "artifacts"


@dataclass
class BuiltSite:
    root: Path  # the copy of the site sources
    site: Path  # the built HTML
    seconds: float
    log: str
    _trees: dict[str, Node] = field(default_factory=dict, repr=False)

    def trees(self) -> dict[str, Node]:
        """Every built page, parsed once per session: site path -> tree."""
        if not self._trees:
            self._trees = {p.relative_to(self.site).as_posix(): parse(p.read_text(encoding="utf-8"))
                           for p in self.site.rglob("*.html")}
        return self._trees

    def page(self, url_path: str) -> Node:
        """The parsed page for a site path such as 'generated/studies/<id>.html'."""
        return parse(self.html(url_path))

    def html(self, url_path: str) -> str:
        path = self.site / url_path
        if url_path.endswith("/") or url_path == "":
            path = path / "index.html"
        return path.read_text(encoding="utf-8")


def build_site(kb, dest: Path) -> BuiltSite:
    """Copy the site sources (not the generated pages), render, build strictly."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SITE_SOURCES:
        src = ROOT / name
        if src.is_dir():
            # Links stay links, so the check below sees them (copying would follow them).
            shutil.copytree(src, dest / name, symlinks=True, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(src, dest / name, follow_symlinks=False)
    render_site(kb, dest / "docs" / "generated")
    # As `make build` does: no symbolic link, pipe or device reaches MkDocs.
    problems = scan(dest)
    assert not problems, "\n".join(p.text() for p in problems)
    start = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(dest / "mkdocs.yml"),
                             "-d", str(dest / "site")], capture_output=True, text=True, env=env,
                            # pymdownx.snippets resolves base_path against the working
                            # directory, so build from the copy, never from the checkout.
                            cwd=dest)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    build_index(dest / "site")  # as `make build` does: the search index after MkDocs
    return BuiltSite(dest, dest / "site", seconds, result.stdout + result.stderr)


