"""One release, stated in step: CITATION.cff (what readers cite; the site shows it),
the package version and the newest CHANGELOG heading must agree."""
from __future__ import annotations

import re

import yaml

from poemskb import __version__


def test_release_is_stated_consistently(root, kb):
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert newest, "CHANGELOG.md needs a '## X.Y.Z — YYYY-MM-DD' release heading"
    fix = "bump all three together: CITATION.cff (version, date-released), scripts/poemskb/__init__.py (__version__), CHANGELOG.md"
    assert citation["version"] == __version__ == newest.group(1), fix
    assert str(citation["date-released"]) == newest.group(2), fix
    assert kb.release == __version__
