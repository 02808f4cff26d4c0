"""Build the site once per test session: render the records and run
`mkdocs build --strict` in a temporary copy of the site sources, then serve the result
on localhost and open it in Debian's Chromium. A missing browser fails the browser
tests with a message saying how to install it; it never skips them."""
from __future__ import annotations

import functools
import http.server
import os
import socketserver
import threading
from pathlib import Path

import pytest

from sitebuild import CHROMIUM, CHROMIUM_ARGS, BuiltSite, build_site  # tests/site is on sys.path


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
