"""The comparison page and the full table's page as a clinician uses them, in headless
Chromium: filters kept in the address (set, reload, share, carried from one page to the
other), the table's columns on a laptop screen with a sticky header, value/n/status on a phone without side-scrolling, plots and map legible in the
dark scheme, and a print that keeps the notice and fits A4."""
from __future__ import annotations

import contextlib
import re

import pytest

from poemskb.render.context import Site
from poemskb.render.population import line, regimen_key, status_key, transplant

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COMPARISON = "generated/comparison.html"
ALL_OUTCOMES = "generated/all-outcomes.html"  # the full table, on a page of its own
PLOTS = "generated/forest-plots.html"


def _visible_rows(tab) -> list[str]:
    return tab.eval_on_selector_all("#comparison-table tbody tr:not([hidden])",
                                    "rows => rows.map(r => r.textContent.replace(/\\s+/g, ' ').trim())")


def _visible_figures(tab) -> list[str]:
    return tab.eval_on_selector_all("#comparison-matrix tbody tr:not([hidden]) td:not([hidden]) ul.poems-figures > li:not([hidden])",
                                    "items => items.map(i => i.textContent.replace(/\\s+/g, ' ').trim())")


def _choose(tab, facet: str, value: str) -> None:
    box = tab.locator(f"details.poems-facet[data-facet={facet}]")
    if not box.evaluate("d => d.open"):
        box.locator("summary").click()
    box.locator(f"input[value='{value}']").check()


def test_filters_are_kept_in_the_address_and_a_reload_restores_them(page, server, browser, kb):
    site = Site(kb)
    rows = site.treatment_rows
    # A view a clinician would ask for: one regimen and one line of therapy, two outcomes.
    target = next(r for r in rows if r.measure == "overall-survival" and regimen_key(r) == "asct-hdm")
    regimen, ln = regimen_key(target), line(target)
    measures = {"overall-survival", "progression-free-survival"}
    expected = [r for r in rows if regimen_key(r) == regimen and line(r) == ln and r.measure in measures]

    page.goto(server + COMPARISON)
    _choose(page, "regimen", regimen)
    _choose(page, "line", ln)
    for m in sorted(measures):
        _choose(page, "measure", m)
    query = page.evaluate("location.search")
    assert re.search(rf"[?&]regimen={regimen}(&|$)", query) and f"line={ln}" in query
    assert "measure=overall-survival%2Cprogression-free-survival" in query or \
        "measure=progression-free-survival%2Coverall-survival" in query
    figures = _visible_figures(page)
    assert len(figures) == len(expected) > 0  # both outcomes are key outcomes, so the matrix shows each figure
    page.reload()
    assert _visible_figures(page) == figures
    assert page.locator(f"details[data-facet=regimen] input[value='{regimen}']").is_checked()

    # The link to the full table takes the selection along: the table opens filtered.
    page.locator(f"article a[data-keep-filters][href*='{ALL_OUTCOMES.rsplit('/', 1)[1]}']").first.click()
    page.wait_for_url("**/" + ALL_OUTCOMES + "?*")
    assert page.evaluate("location.search") == query
    shown = _visible_rows(page)
    assert len(shown) == len(expected)
    assert f"{len(expected)} of {len(rows)} rows" in page.locator(".poems-filters__status").inner_text()
    page.reload()
    assert _visible_rows(page) == shown

    # A shared link opens the same view in a fresh browser.
    other = browser.new_context()
    try:
        tab = other.new_page()
        tab.goto(server + ALL_OUTCOMES + query)
        assert _visible_rows(tab) == shown
        # Words in the text box all have to match (any order), and are kept too.
        word = site.study_label(target.study).split()[0]
        tab.fill("input[name=q]", f"{word.lower()} {site.regimen_label(regimen)}")
        narrowed = _visible_rows(tab)
        assert 0 < len(narrowed) <= len(shown) and all(word.lower() in r.lower() for r in narrowed)
        assert "q=" in tab.evaluate("location.search")
        # The same words narrow the matrix on the comparison page, reached by its link.
        tab.locator(f"article a[data-keep-filters][href*='{COMPARISON.rsplit('/', 1)[1]}']").first.click()
        tab.wait_for_url("**/" + COMPARISON + "?*")
        words = _visible_figures(tab)
        assert 0 < len(words) <= len(figures) and all(word.lower() in f.lower() for f in words)
        tab.click("button.poems-filters__clear")
        assert len(_visible_figures(tab)) > len(figures) and tab.evaluate("location.search") == ""
        tab.goto(server + ALL_OUTCOMES)
        assert len(_visible_rows(tab)) == len(rows)
    finally:
        other.close()


def test_verification_and_population_filters_hide_figures_in_the_matrix(page, server, kb):
    rows = Site(kb).treatment_rows
    unverified = [r for r in rows if status_key(r) == "unverified"]
    page.goto(server + ALL_OUTCOMES + "?status=unverified")
    assert len(_visible_rows(page)) == len(unverified) > 0
    page.goto(server + COMPARISON + "?status=unverified")
    assert all("Unverified" in f for f in _visible_figures(page))
    # Transplant eligibility narrows too, and a cell left empty says so.
    tp = transplant(rows[0])
    page.goto(server + ALL_OUTCOMES + f"?transplant={tp}&status=unverified")
    assert len(_visible_rows(page)) == sum(1 for r in unverified if transplant(r) == tp)
    page.goto(server + COMPARISON + f"?transplant={tp}&status=unverified")
    assert page.locator("#comparison-matrix .poems-none--filtered:not([hidden])").count() > 0
    # A regimen with nothing left leaves the matrix, and is named, not silently dropped.
    empty = page.eval_on_selector_all("#comparison-matrix tbody tr:not([hidden])",
                                      "rs => rs.filter(r => !r.querySelector('ul.poems-figures > li:not([hidden])')).length")
    assert empty == 0
    hidden = page.eval_on_selector_all("#comparison-matrix tbody tr[hidden] th", "ths => ths.map(t => t.textContent.trim())")
    assert hidden and all(name in page.locator(".poems-filters__status").inner_text() for name in hidden)


def test_the_table_fits_a_laptop_screen_and_its_header_stays_in_view(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        tab = context.new_page()
        tab.goto(server + COMPARISON)
        # The comparison page leads to the table, near its top.
        tab.locator(f"article a[data-keep-filters][href*='{ALL_OUTCOMES.rsplit('/', 1)[1]}']").first.click()
        tab.wait_for_url("**/" + ALL_OUTCOMES)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 1366
        headers = tab.locator("#comparison-table thead th")
        names = [h.strip() for h in headers.all_inner_texts()]
        for name in ("Regimen", "Measure", "Value (95% interval)", "n", "Population", "Study and group", "Design level", "Status"):
            box = headers.nth(names.index(name)).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1366, name
        # Scroll well into the table: the header row stays under Material's header bar.
        tab.evaluate("""() => { const t = document.getElementById('comparison-table');
                                 window.scrollTo(0, t.getBoundingClientRect().top + window.scrollY + t.offsetHeight / 2); }""")
        top = tab.evaluate("document.querySelector('#comparison-table thead th').getBoundingClientRect().top")
        table_top = tab.evaluate("document.getElementById('comparison-table').getBoundingClientRect().top")
        bar = tab.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
        assert table_top < 0 and bar - 2 <= top <= bar + 40
    finally:
        context.close()


def _overflowing(tab, selector: str, width: int) -> list[str]:
    return tab.eval_on_selector_all(selector, f"""els => els.filter(e => e.offsetParent !== null).slice(0, 40)
        .filter(e => {{ const b = e.getBoundingClientRect(); return b.left < 0 || b.right > {width}; }})
        .map(e => e.getAttribute('data-label') + ': ' + e.textContent.trim().slice(0, 40))""")


@contextlib.contextmanager
def _phone_tab(browser, url: str):
    """A 390 px touch phone on `url`, which must not scroll sideways."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        tab = context.new_page()
        tab.goto(url)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        yield tab
    finally:
        context.close()


@pytest.mark.parametrize("url", [ALL_OUTCOMES, COMPARISON, "generated/regimens/asct-hdm.html"])
def test_a_phone_shows_value_n_and_status_without_side_scrolling(browser, server, url):
    with _phone_tab(browser, server + url) as tab:
        table = {ALL_OUTCOMES: "#comparison-table", COMPARISON: "#comparison-matrix"}.get(url, "table:has(td[data-label='Status'])")
        if url == COMPARISON:  # the matrix: each cell's figures under the measure's name
            cells = f"{table} td[data-measure]"
        else:
            cells = f"{table} td[data-label='Value (95% interval)'], {table} td[data-label='n'], {table} td[data-label='Status']"
        assert tab.locator(cells).count() >= 3
        assert not _overflowing(tab, cells, 390)


@pytest.mark.parametrize("url", [PLOTS, COMPARISON, "generated/regimens/asct-hdm.html"])
def test_a_phone_draws_plot_and_map_text_at_a_readable_size(browser, server, url):
    with _phone_tab(browser, server + url) as tab:
        # Text in the plots and the map is drawn at a readable size (not shrunk to 4 px).
        sizes = tab.eval_on_selector_all(".poems-forest__svg text, .poems-map__svg text",
                                         "ts => ts.filter(t => t.getBoundingClientRect().width > 0)"
                                         ".map(t => t.getBoundingClientRect().height)")
        assert sizes and min(sizes) >= 9, min(sizes)


CONTRAST = """
(selector) => {
  const el = document.querySelector(selector);
  const parse = t => { const m = t.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  let bg = null;
  for (let e = el.parentElement; e && !bg; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] >= 1) bg = c; }
  bg = bg || [255, 255, 255, 1];
  const fg = parse(getComputedStyle(el).fill);
  const lum = c => { const s = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2]; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_plots_and_map_are_legible_in_both_colour_schemes(browser, server, scheme):
    context = browser.new_context(color_scheme=scheme)
    try:
        tab = context.new_page()
        expected = "slate" if scheme == "dark" else "default"
        for url, selectors in ((PLOTS, (".poems-forest__svg .poems-forest__row text", ".poems-forest__svg .poems-forest__mark")),
                               (COMPARISON, (".poems-map__svg text",))):
            tab.goto(server + url)
            assert tab.locator("body").get_attribute("data-md-color-scheme") == expected
            for selector in selectors:
                ratio = tab.evaluate(CONTRAST, selector)
                assert ratio >= 4.5, f"{url} {selector}: contrast {ratio:.2f} in the {scheme} scheme"
        # No white block behind the map in the dark scheme: the figure shows the page's background.
        fills = tab.eval_on_selector_all(".poems-map__svg rect", "rs => rs.map(r => getComputedStyle(r).fill)")
        assert "rgb(255, 255, 255)" not in fills
    finally:
        context.close()


def test_print_keeps_the_notice_and_fits_a4(browser, server):
    # A4 at 96 px per inch is 794 px wide; the print stylesheet sets 12 mm margins.
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    try:
        tab = context.new_page()
        for url, table in ((COMPARISON, "#comparison-matrix"), (ALL_OUTCOMES, "#comparison-table")):
            tab.goto(server + url)
            tab.emulate_media(media="print")
            banner = tab.locator(".md-banner")
            assert banner.is_visible() and banner.inner_text().startswith("Evidence, not medical advice.")
            assert tab.locator("#compare-filters").is_hidden()
            right = tab.evaluate(f"document.querySelector('{table}').getBoundingClientRect().right")
            assert right <= 794, (table, right)
            # No column is cut off: every header cell lies inside the page.
            edges = tab.eval_on_selector_all(f"{table} thead th", "ths => ths.map(t => t.getBoundingClientRect().right)")
            assert max(edges) <= 794, (table, max(edges))
            pdf = tab.pdf(format="A4")
            assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
            tab.emulate_media(media="screen")
    finally:
        context.close()
