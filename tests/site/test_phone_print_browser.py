"""Record pages on a phone and on paper, in headless Chromium.

Phone (390 px): a study page scrolls no wider than the screen, and every outcome's
value, n, status and locator lie on screen (the outcome table becomes cards).
Print (A4): the "not medical advice" notice heads the page and sits in the margin of
every printed sheet (read back from Chromium's PDF), the navigation, sidebars and search
are gone, tables fit the paper, rows do not split, and source links show their address."""
from __future__ import annotations

import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTICE = "Evidence, not medical advice"
PHONE = {"width": 390, "height": 844}
A4_WIDTH = 794  # A4 at 96 px per inch


def _study_pages(kb) -> list[str]:
    """The study with the most outcomes, a randomised trial and a case report."""
    most = max(kb.studies, key=lambda sid: (len(kb.studies[sid].get("outcomes", [])), sid))
    case = min(sid for sid, s in kb.studies.items() if s.get("case") and s.get("outcomes"))
    return [most, "misawa-2016-jpost-thalidomide", case]


def test_study_pages_chosen_exist(kb):
    pages = _study_pages(kb)
    assert all(sid in kb.studies for sid in pages) and len(set(pages)) == 3
    assert len(kb.studies[pages[0]]["outcomes"]) >= 10


OUTCOME_CELLS = """(labels) => [...document.querySelectorAll('#outcomes-table tbody tr')].map(row => labels.map(label => {
  const cell = row.querySelector(`td[data-label="${label}"]`);
  if (!cell) return null;
  const box = cell.getBoundingClientRect();
  return {label, text: cell.textContent.trim(), left: box.left, right: box.right, width: box.width, height: box.height};
}))"""


@pytest.mark.parametrize("which", [0, 1, 2], ids=["most-outcomes", "trial", "case-report"])
def test_a_phone_shows_every_outcome_without_side_scrolling(browser, server, kb, which):
    sid = _study_pages(kb)[which]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        tab = context.new_page()
        tab.goto(server + f"generated/studies/{sid}.html")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        rows = tab.evaluate(OUTCOME_CELLS, ["Value as reported", "n", "Status", "Where in the source"])
        assert len(rows) == len(kb.studies[sid]["outcomes"])
        problems = []
        for i, cells in enumerate(rows):
            for cell in cells:
                if cell is None:
                    problems.append(f"row {i}: a cell is missing")
                elif cell["width"] == 0 or cell["height"] == 0 or not cell["text"]:
                    problems.append(f"row {i}: {cell['label']} not shown")
                elif cell["left"] < 0 or cell["right"] > PHONE["width"]:
                    problems.append(f"row {i}: {cell['label']} off screen ({cell['left']:.0f}-{cell['right']:.0f})")
        assert not problems, problems
        # No cell of any table on the page lies beyond the screen's edge.
        wide = tab.eval_on_selector_all("article td, article tbody th", f"""cells => cells
            .filter(c => c.offsetParent !== null && (c.getBoundingClientRect().right > {PHONE['width']} ||
                                                     c.getBoundingClientRect().left < 0))
            .map(c => c.textContent.trim().slice(0, 40))""")
        assert not wide, wide
        # A value keeps its column name beside it (the card's label).
        label = tab.evaluate("getComputedStyle(document.querySelector(\"#outcomes-table td[data-label='n']\"), '::before').content")
        assert label == '"n"'
    finally:
        context.close()


def test_a_laptop_keeps_the_outcome_table_a_table(page, server, kb):
    sid = _study_pages(kb)[0]
    page.goto(server + f"generated/studies/{sid}.html")
    assert page.locator("#outcomes-table thead").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('#outcomes-table tbody tr')).display") == "table-row"


def _print(browser, server, url):
    context = browser.new_context(viewport={"width": A4_WIDTH, "height": 1123})
    tab = context.new_page()
    tab.goto(server + url)
    tab.emulate_media(media="print")
    return context, tab


@pytest.mark.parametrize("url", ["study", "generated/regimens/asct-hdm.html", "index.html", "generated/all-outcomes.html",
                                 "generated/forest-plots.html"])
def test_a_printed_record_page_carries_the_notice_and_only_the_content(browser, server, kb, url):
    if url == "study":
        url = f"generated/studies/{_study_pages(kb)[0]}.html"
    context, tab = _print(browser, server, url)
    try:
        banner = tab.locator(".md-banner")
        assert banner.is_visible() and banner.inner_text().startswith(NOTICE)
        for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-search", ".md-footer"):
            assert tab.locator(chrome).is_hidden(), chrome
        assert tab.locator("article h1").is_visible()
        # Tables fit the paper: no cell reaches past the page's edge.
        right = tab.eval_on_selector_all("article table td, article table th",
                                         "cells => Math.max(0, ...cells.map(c => c.getBoundingClientRect().right))")
        assert right <= A4_WIDTH, right
        breaks = tab.eval_on_selector_all("article table tbody tr", "rows => [...new Set(rows.map(r => getComputedStyle(r).breakInside))]")
        assert breaks in ([], ["avoid"]), breaks
    finally:
        context.close()


def test_a_printed_study_page_shows_where_its_sources_are(browser, server, kb):
    sid = "misawa-2016-jpost-thalidomide"
    context, tab = _print(browser, server, f"generated/studies/{sid}.html")
    try:
        shown = tab.eval_on_selector_all("article a.poems-external", "links => links.map(a => [a.href, getComputedStyle(a, '::after').content])")
        assert shown
        for href, after in shown:
            assert after == f'" <{href}>"', (href, after)
        doi = "https://doi.org/10.1016/S1474-4422(16)30157-0"
        assert doi in [href for href, _ in shown]
        # Links within the site print as text only.
        internal = tab.evaluate("getComputedStyle(document.querySelector('#overlaps ~ div a:not(.poems-external), "
                                "#cited-by ~ div a:not(.poems-external)'), '::after').content")
        assert internal in ("none", "normal", ""), internal
    finally:
        context.close()


def test_every_printed_sheet_carries_the_notice(browser, server, kb):
    from pypdf import PdfReader

    sid = _study_pages(kb)[0]
    context, tab = _print(browser, server, f"generated/studies/{sid}.html")
    try:
        pdf = tab.pdf(format="A4")
    finally:
        context.close()
    sheets = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(sheets) >= 2, "a record page this long prints on more than one sheet"
    missing = [i + 1 for i, text in enumerate(sheets) if NOTICE not in text]
    assert not missing, f"sheets without the notice: {missing}"
    assert all(f"Page {i + 1} of {len(sheets)}" in text for i, text in enumerate(sheets))
    text = "\n".join(sheets)
    assert kb.studies[sid]["summary"].split()[2] in text
    for heading in ("Outcomes", "What it was checked against"):
        assert heading in text
    assert "Skip to content" not in text and "Data dictionary" not in text  # no navigation


@pytest.mark.parametrize("url", ["generated/studies/misawa-2016-jpost-thalidomide.html", "generated/comparison.html"])
def test_a_cold_visit_loads_nothing_from_another_host(browser, built, url):
    """No web fonts from a CDN, no script or stylesheet from elsewhere: a reader's browser
    asks only this site (measured as the benchmark measures page weight)."""
    import sys

    from sitebuild import ROOT

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pages import cold_visit, serve

    with serve(built.site) as server:
        visit = cold_visit(browser, server, "/" + url)
    assert visit["outside"] == []
    kinds = visit["by_kind_kb"]
    assert kinds.get("html", 0) > 0 and kinds.get("css", 0) > 0 and kinds.get("js", 0) > 0, kinds
    assert "font" not in kinds, visit["files"]
