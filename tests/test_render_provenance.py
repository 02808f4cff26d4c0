"""Study and findings pages say what was read, as the record says it: the page named in
the check, linked to its canonical address when the check gives one, and the kind of copy
read. A third-party copy (a check without an address) is named but never linked."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from poemskb.kb import load
from poemskb.render import render_files
from poemskb.synth import write_kb

ROOT = Path(__file__).resolve().parents[1]


CHECKS = [
    {"id": "pubmed", "against": "abstract", "where": "PubMed record 12345678",
     "url": "https://pubmed.ncbi.nlm.nih.gov/12345678/", "date": "2026-11-26"},
    {"id": "copy", "against": "index-page", "where": "Third-party index page of the article", "date": "2026-11-26"},
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("provenance-render")
    write_kb(folder, 2, source_root=ROOT, seed=5, site=False)
    kb, report = load(folder, today=dt.date(2026, 11, 26))
    assert not report.errors
    sid, study = sorted(kb.studies.items())[0]
    study["provenance"]["checks"] = [dict(c) for c in CHECKS]
    study["title"] = {"value": "A title", "status": "verified", "check": "pubmed"}
    study["journal"] = {"value": "A journal", "status": "verified", "check": "copy"}
    fid = "read-on-finding"  # the small synthetic base has no review, so add one finding
    kb.findings[fid] = {"id": fid, "statement": "A statement.", "kind": "evidence-summary",
                        "source": {"study": sid, "locator": {"in": "abstract"}}, "scope": "A scope.",
                        "published": "2020-01", "provenance": {"checks": [dict(c) for c in CHECKS], "curated": "2026-11-26"}}
    files = render_files(kb)
    path = next(p for p in files if p.startswith("studies/") and sid in p and p.endswith(".md"))
    return files[path], files["findings.md"], fid


@pytest.fixture(scope="module")
def page(rendered):
    return rendered[0]


def _row(page: str, field: str) -> str:
    match = re.search(rf"<tr><th[^>]*>{field}</th>(.*?)</tr>", page, re.S)
    assert match, f"no citation row for {field}"
    return match.group(1)


def test_seen_on_links_the_canonical_address_and_names_the_copy_kind(page):
    row = _row(page, "Title")
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/12345678/"' in row
    assert ">PubMed record 12345678</a> (abstract)" in row


def test_a_third_party_copy_is_named_with_its_kind_but_not_linked(page):
    row = _row(page, "Journal")
    assert "Third-party index page of the article (index page)" in row
    assert "<a " not in row


def test_a_finding_says_what_it_was_read_on(rendered):
    _, findings, fid = rendered
    assert fid in findings and findings.count("<strong>Read on:</strong>") == 1  # the only finding
    read_on = re.search(r"<strong>Read on:</strong>(.*?)</p>", findings, re.S).group(1)
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/12345678/"' in read_on and "(abstract)" in read_on
    assert "Third-party index page of the article (index page)" in read_on
    assert read_on.count("<a ") == 1
