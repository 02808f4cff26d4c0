"""Defence in depth in the renderer: text that validation refuses (control, direction and
invisible characters) must still not break a page if it ever reaches the renderer. The
render functions are called directly on a knowledge base edited in memory, bypassing
validation: front matter stays intact, the evidence map stays well-formed XML, and no
hidden character reaches a page.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mkdocs.utils.meta import get_data

from poemskb.escape import HIDDEN
from poemskb.kb import load
from poemskb.render import render_files
from poemskb.render.html import esc, md
from poemskb.render.page import Page
from poemskb.synth import write_kb

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 22)
# Every class: C0 (not allowed in XML 1.0), DEL and C1 (not allowed raw in YAML), a YAML
# line break (U+0085, U+2028), bidi overrides and isolates, zero-width characters.
HOSTILE = "R\x01d\x1b[31m\x7f\x85\x9b\u2028\u202e\u2066\u200b\ufeff\U000e0041 end"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-render")
    write_kb(folder, 4, source_root=ROOT, seed=3, site=False)
    kb, report = load(folder, today=TODAY)
    assert not report.errors
    for data in kb.regimens.values():
        data["short_name"] = HOSTILE
        data["name"] = HOSTILE
    for data in kb.studies.values():
        data["title"]["value"] = HOSTILE
        data["summary"] = HOSTILE
    return kb, render_files(kb)


@pytest.mark.parametrize("title", [HOSTILE, "A\x7fB", "A\x85B", "\x9bC1 title", 'quote " and \\ backslash', "x\n---\ny: 1"])
def test_front_matter_survives_any_title(title):
    text = Page("generated/x.md", title).text()
    body, meta = get_data(text)  # as MkDocs reads it
    assert meta.get("title"), text
    assert body.startswith("# "), "the front matter leaked into the page"
    assert not HIDDEN.search(meta["title"])


def test_escapers_replace_hidden_characters():
    assert not HIDDEN.search(esc(HOSTILE))
    assert not HIDDEN.search(md(HOSTILE))
    assert "\ufffd" in esc("a\x01b")


def test_evidence_map_is_well_formed(hostile_site):
    _, files = hostile_site
    svg = files["evidence-map.svg"]
    root = ET.fromstring(svg)  # raises on a character XML 1.0 does not allow
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "R\ufffdd" in svg
    assert not HIDDEN.search(svg.replace("\n", ""))


def test_pages_keep_front_matter_and_hold_nothing_hidden(hostile_site):
    kb, files = hostile_site
    study_pages = [p for p in files if p.startswith("studies/") and p.endswith(".md") and not p.endswith("index.md")]
    assert len(study_pages) >= len(kb.studies)
    for path, content in files.items():
        if not path.endswith(".md"):
            continue
        if content.startswith("---\n"):
            _, meta = get_data(content)
            assert meta.get("title"), path
        assert not HIDDEN.search(content.replace("\n", "")), (path, HIDDEN.search(content.replace("\n", "")))


def test_what_changed_page_escapes_record_text_from_either_side(hostile_site):
    """The "What changed" page quotes old and new record text (titles, values, statements):
    markup and hidden characters from either side of a change stay inert."""
    from poemskb.changes import EvidenceDiff, RecordChange
    from poemskb.history import History, Release, Step
    from poemskb.render.context import Site
    from poemskb.render.whatchanged import render_what_changed

    kb, _ = hostile_site
    sid = next(iter(kb.studies))
    markup = '<script>alert(1)</script><img src=x onerror=alert(2)> "q" ' + HOSTILE
    change = RecordChange("study", sid, f"evidence/studies/{sid}.yaml", items=[
        {"section": "outcomes", "item": "o1", "what": "value", "before": markup, "after": markup},
        {"section": "citation", "item": "title", "what": "value", "before": markup, "after": markup}],
        other_fields=[markup], sides=({"outcomes": [{"id": "o1", "measure": markup, "subgroup": markup}]}, {}))
    diff = EvidenceDiff("a", "b", added=[{"kind": "study", "id": markup, "path": "x", "title": markup, "outcomes": ""}],
                        removed=[{"kind": "study", "id": "gone", "path": "y", "title": markup, "outcomes": ""}], changed=[change])
    release = Release("0.1.0", "2026-11-22", "0" * 40, markup)
    text = render_what_changed(Site(kb), History([Step(None, release, diff), Step(release, None, first=[("study", markup, markup)])])).text()
    assert "<script" not in text and "<img" not in text and "onerror=alert(2)>" not in text
    assert "&lt;script&gt;" in text
    assert not HIDDEN.search(text.replace("\n", ""))
