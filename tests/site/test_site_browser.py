"""The built site as a reader uses it: served on localhost and opened in headless
Chromium (Debian's, via Playwright). Sorting, filtering, reading without
JavaScript, contrast in both colour schemes, and a screenshot of the home page (search: test_search_browser.py)."""
from __future__ import annotations

import re

import pytest

from sitebuild import ARTIFACTS
from poemskb.render.context import Site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STUDY = "misawa-2016-jpost-thalidomide"


def _column_values(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"{table} tbody tr:not([hidden])",
        "(rows, i) => rows.map(r => r.cells[i].getAttribute('data-sort') ?? r.cells[i].textContent.trim())", index)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0  # tablesort's number sorter treats non-numbers as 0


def test_clicking_a_comparison_header_sorts_the_table(page, server):
    page.goto(server + "generated/all-outcomes.html")  # the comparison's full table
    table = "#comparison-table"
    headers = page.locator(f"{table} thead th")
    names = [h.strip() for h in headers.all_inner_texts()]
    n_index = names.index("n")
    before = _column_values(page, table, n_index)
    header = headers.nth(n_index)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = [_number(v) for v in _column_values(page, table, n_index)]
    assert ascending == sorted(ascending)
    assert sorted(map(_number, before)) == ascending  # same rows, new order
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    descending = [_number(v) for v in _column_values(page, table, n_index)]
    assert descending == sorted(descending, reverse=True)
    # A text column sorts too.
    study = headers.nth(names.index("Study and group"))
    study.click()
    labels = [v.lower() for v in _column_values(page, table, names.index("Study and group"))]
    assert labels == sorted(labels)


def test_study_page_shows_its_citation(page, server, kb):
    page.goto(server + f"generated/studies/{STUDY}.html")
    citation = page.locator("p.poems-citation")
    assert citation.is_visible()
    text = citation.inner_text()
    assert kb.studies[STUDY]["title"]["value"] in text
    assert "Lancet Neurol" in text and "2016" in text and "1129-37" in text
    doi = page.get_by_role("link", name="DOI 10.1016/S1474-4422(16)30157-0")
    assert doi.get_attribute("href") == "https://doi.org/10.1016/S1474-4422(16)30157-0"
    assert page.locator(".md-banner").inner_text().startswith("Evidence, not medical advice.")


def test_home_page_screenshot(page, server, kb):
    page.goto(server)
    assert page.locator(".poems-split").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "home.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000


def test_pages_read_without_javascript(browser, server, kb):
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(server + "generated/comparison.html")
        assert tab.locator("#comparison-matrix ul.poems-figures > li").last.is_visible()
        assert tab.locator("form.poems-filters").count() == 0  # only added by the script
        assert "Filters need JavaScript" in tab.locator("#compare-filters").inner_text()
        assert tab.locator("figure.poems-map svg").is_visible()
        tab.goto(server + "generated/all-outcomes.html")
        rows = tab.locator("#comparison-table tbody tr")
        assert rows.count() == len(Site(kb).treatment_rows)
        assert rows.last.is_visible()
        assert "Filters need JavaScript" in tab.locator("#compare-filters").inner_text()
        tab.goto(server + "generated/forest-plots.html")
        assert tab.locator("figure.poems-forest svg").first.is_visible()
        tab.goto(server + f"generated/studies/{STUDY}.html")
        assert tab.locator("#outcomes-table").is_visible()
    finally:
        context.close()


CONTRAST_JS = """
(selectors) => {
  function rgba(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    if (!layers.length || layers[layers.length - 1][3] < 1) out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return out;
  }
  function lum(c) {
    const s = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
  }
  const out = {};
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) { out[sel] = null; continue; }
    const bg = background(el);
    const fg = rgba(getComputedStyle(el).color);
    const blended = bg.map((v, i) => v * (1 - fg[3]) + fg[i] * fg[3]);
    const [a, b] = [lum(blended), lum(bg)].sort((x, y) => y - x);
    out[sel] = (a + 0.05) / (b + 0.05);
  }
  return out;
}
"""

CHECKED = [
    "article p",  # body text
    "article a[href]:not(.headerlink)",  # links
    ".poems-badge--unverified",
    ".poems-badge--unknown",
    ".poems-badge--design",
    "article table th",
    ".md-banner .poems-announce",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_in_both_colour_schemes(browser, server, scheme):
    context = browser.new_context(color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(server + "generated/studies/leukemia-2019-asct-mdex-ldex.html")
        expected = "slate" if scheme == "dark" else "default"
        assert tab.locator("body").get_attribute("data-md-color-scheme") == expected
        ratios = tab.evaluate(CONTRAST_JS, CHECKED)
        missing = [sel for sel, ratio in ratios.items() if ratio is None]
        assert not missing, f"nothing matched {missing}"
        low = {sel: round(ratio, 2) for sel, ratio in ratios.items() if ratio < 4.5}
        assert not low, f"contrast below 4.5:1 in the {scheme} scheme: {low}"
    finally:
        context.close()
