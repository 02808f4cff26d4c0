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


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the schemas and records, to which a test adds or edits files."""
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return tmp_path
