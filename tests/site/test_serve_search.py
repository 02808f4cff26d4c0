"""Search under `make serve` (MkDocs' live server): hooks/serve_search.py writes the
search index after each build of the live site, so the served search page finds
records, as the built site's does. Run on a copy of the rendered site sources, served on
a free localhost port, and searched in headless Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SOURCES = ["mkdocs.yml", "docs", "overrides", "hooks", "evidence"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mkdocs serve stopped ({proc.returncode}):\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise AssertionError(f"{url} not served within {seconds:.0f} s")


@pytest.fixture(scope="module")
def served(built, tmp_path_factory):
    """`mkdocs serve` on a copy of the site sources the session rendered."""
    root = tmp_path_factory.mktemp("serve")
    for name in SOURCES:
        src = built.root / name
        if src.is_dir():
            shutil.copytree(src, root / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / name)
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}",
                             "-f", str(root / "mkdocs.yml")], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        yield base, wait_for(base + "search-index/index.json", proc, 600)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_served_site_has_a_search_index_and_a_query_finds_records(served, page, kb):
    base, directory = served
    assert b'"shards"' in directory
    page.goto(base + "search.html")
    page.locator("#poems-search-q").fill("lenalidomide")
    page.wait_for_function("() => ['done', 'error'].includes(document.getElementById('poems-search').dataset.searchState)",
                           timeout=30000)
    assert page.locator("#poems-search").get_attribute("data-search-state") == "done", page.locator("#poems-search-status").inner_text()
    hrefs = page.eval_on_selector_all("#poems-search-results a.poems-search__title", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs and any("/generated/regimens/" in h for h in hrefs), hrefs
