"""Build the site once per test session: render the records and run
`mkdocs build --strict` in a temporary copy of the site sources, then serve the result
on localhost and open it in Debian's Chromium. A missing browser fails the browser
tests with a message saying how to install it; it never skips them."""
from __future__ import annotations


import pytest

from browsing import serve_directory  # tests/ is on sys.path
from sitebuild import BuiltSite, build_site  # tests/site is on sys.path


@pytest.fixture(scope="session")
def built(kb, tmp_path_factory) -> BuiltSite:
    return build_site(kb, tmp_path_factory.mktemp("site-build"))


@pytest.fixture(scope="session")
def server(built):
    with serve_directory(built.site) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
