"""Build the site once per test session: render the records and run
`mkdocs build --strict` in a temporary copy of the site sources, then serve the result
on localhost and open it in Debian's Chromium. A missing browser fails the browser
tests with a message saying how to install it; it never skips them."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from poemskb.render import render_site

from htmltree import Node, parse  # tests/site is on sys.path (pytest rootdir-relative import)

ROOT = Path(__file__).resolve().parents[2]
SITE_SOURCES = ["mkdocs.yml", "docs", "overrides", "hooks", "evidence"]  # evidence: mkdocs.yml watches it
CHROMIUM = os.environ.get("POEMSKB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
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
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    render_site(kb, dest / "docs" / "generated")
    start = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(dest / "mkdocs.yml"),
                             "-d", str(dest / "site")], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return BuiltSite(dest, dest / "site", seconds, result.stdout + result.stderr)


@pytest.fixture(scope="session")
def built(kb, tmp_path_factory) -> BuiltSite:
    return build_site(kb, tmp_path_factory.mktemp("site-build"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(built):
    handler = functools.partial(_QuietHandler, directory=str(built.site))
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"the browser tests need Debian's Chromium at {CHROMIUM}, which is missing: run "
                    "'make browser' (scripts/ensure-chromium.sh) or 'apt-get install chromium', "
                    "or point POEMSKB_CHROMIUM at a Chromium binary", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
