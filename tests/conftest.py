"""Shared fixtures: the project root, the loaded knowledge base, and a scratch copy of
the evidence tree for tests that must write bad records without touching the real one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poemskb.kb import load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def loaded():
    return load(ROOT)


@pytest.fixture(scope="session")
def kb(loaded):
    return loaded[0]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: Playwright's sync API allows only one
    instance per thread, so every browser test shares this one. Missing Chromium fails."""
    from browsing import CHROMIUM, CHROMIUM_ARGS, chromium_missing_message

    missing = chromium_missing_message()
    if missing:
        pytest.fail(missing, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the schemas and records, to which a test adds or edits files."""
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return tmp_path
