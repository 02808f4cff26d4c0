"""Accessibility as a reader meets it, in headless Chromium: axe-core (vendored from npm)
on every kind of page at a laptop and a phone width in the light and dark schemes, with
no serious or critical violation allowed; what axe cannot see, by hand: the comparison
filters a few Tab presses from the top, a visible focus ring on what the keyboard
reaches, and no sideways scrolling of the page at 320 px (WCAG 1.4.10).

Each test walks every page kind and collects every failure before asserting, so one run
lists everything to fix (see docs/site.md, "Accessibility")."""
from __future__ import annotations

import base64
import re

import pytest

import axecore  # tests/site is on sys.path
from browsing import serve_directory
from poemskb.render import comparison, links
from poemskb.render.context import Site
from poemskb.render.sof import sof_regimens
from sitebuild import BuiltSite, build_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP, PHONE, NARROWEST = 1366, 390, 320
SEARCH = "search results open"
BY_MEASURE = "comparison for one measure"
# Every element of every page is checked at the laptop width in the light scheme. At the
# other three width and scheme pairs, where only layout and colours differ, long generated
# tables and repeated plots (one renderer's pattern over and over) are sampled: rows past
# the 15th of a table, plots past the second, the matrix past its third regimen. This
# keeps the run to about a quarter of checking everything four times.
SAMPLED = ("article table tbody tr:nth-child(n+16)", "#comparison-matrix tbody tr:nth-child(n+4)",
           "figure.poems-forest:nth-of-type(n+3)", ".poems-forest__svg")


def _url(page: str) -> str:
    return links.url(page)


def page_kinds(kb) -> dict[str, str]:
    """One page of every kind a reader can open, by kind: site path. Chosen from the
    records, so the list follows the knowledge base as it grows."""
    site = Site(kb)
    with_outcomes = sorted(sid for sid, s in kb.studies.items() if s.get("outcomes"))
    full_text = next(sid for sid in with_outcomes if not site.abstract_only(sid))
    abstract = next(sid for sid in with_outcomes if site.abstract_only(sid))
    by_rows: dict[str, int] = {}
    for row in (r for r in site.treatment_rows if r.regimen in kb.regimens):
        by_rows[row.regimen] = by_rows.get(row.regimen, 0) + 1
    regimen = max(sorted(by_rows), key=by_rows.get)  # the most figures: the most forest plots
    rated = sorted(sof_regimens(site))
    assert rated, "no regimen has a summary of findings: the page kind cannot be checked"
    return {
        "home": "index.html",
        "study (full text read)": _url(links.study_page(full_text)),
        "study (abstract only)": _url(links.study_page(abstract)),
        "studies index": _url(links.STUDIES_INDEX),
        "regimen": _url(links.regimen_page(regimen)),
        "regimens index": _url(links.REGIMENS_INDEX),
        "measures": _url(links.MEASURES),
        "comparison": _url(links.COMPARISON),
        "comparison, every outcome": _url(links.ALL_OUTCOMES),
        "comparison, forest plots": _url(links.KEY_PLOTS),
        "findings": _url(links.FINDINGS),
        "summary of findings": _url(links.sof_page(rated[0])),
        "criteria": _url(links.CRITERIA),
        "patients": _url(links.PATIENTS),
        "methods": _url(links.METHODS),
        "downloads": _url(links.DOWNLOADS),
        "what changed": _url(links.WHAT_CHANGED),
        "what we could not check": _url(links.NOT_CHECKED),
        "data dictionary": _url(links.DICTIONARY),
        "contributing": "contributing.html",
        "how the site is built": "site.html",
        "about": "about.html",
        "not found (404)": "404.html",
    }


@pytest.fixture(scope="module")
def kinds(kb) -> dict[str, str]:
    return page_kinds(kb)


@pytest.fixture(scope="module")
def by_measure_server(kb, tmp_path_factory):
    """A build in which the comparison is split into one page per measure (as it is past
    comparison.MAX_ROWS outcomes), so that page kind is checked at today's size too."""
    original = comparison.render_comparison
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(comparison, "render_comparison", lambda site: original(site, max_rows=10))
        built: BuiltSite = build_site(kb, tmp_path_factory.mktemp("site-by-measure"))
    pages = sorted((built.site / links.GENERATED / "compare").glob("*.html"))
    assert pages, "the split build wrote no per-measure comparison page"
    with serve_directory(built.site) as url:
        yield url + pages[0].relative_to(built.site).as_posix()


def _context(browser, width: int, scheme: str):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, tab, errors


def _open(tab, url: str, scheme: str) -> None:
    tab.goto(url)
    expected = "slate" if scheme == "dark" else "default"
    actual = tab.locator("body").get_attribute("data-md-color-scheme")
    assert actual == expected, f"{url}: the {scheme} scheme did not apply (data-md-color-scheme={actual})"
    axecore.settle(tab)


# The site search: the header's plain form goes to the search page (our chunked index), whose
# results list is awaited. The query is typed as a reader would and sent with Enter.
SEARCH_OPENERS = "#poems_header_q"
SEARCH_RESULTS = "#poems-search-results li a"


def _search_word(kb) -> str:
    words = re.findall(r"[A-Za-z]{6,}", " ".join(s["title"].get("value") or "" for s in kb.studies.values()))
    counts: dict[str, int] = {}
    for w in words:
        counts[w.lower()] = counts.get(w.lower(), 0) + 1
    return max(sorted(counts), key=counts.get)  # the commonest long word: many results


def open_search(tab, word: str) -> None:
    opener = tab.locator(SEARCH_OPENERS).locator("visible=true")
    assert opener.count(), f"no search box found on the page (looked for {SEARCH_OPENERS})"
    opener.first.click()
    tab.keyboard.type(word)
    tab.keyboard.press("Enter")
    tab.locator(SEARCH_RESULTS).first.wait_for(state="visible", timeout=15000)


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_kind_of_page(browser, server, by_measure_server, kb,
                                                                       kinds, width, scheme):
    sample = () if (width, scheme) == (LAPTOP, "light") else SAMPLED
    context, tab, errors = _context(browser, width, scheme)
    problems: list[str] = []
    try:
        targets = {**{kind: server + path for kind, path in kinds.items()}, BY_MEASURE: by_measure_server}
        for kind, url in targets.items():
            _open(tab, url, scheme)
            problems += axecore.describe(f"{kind} ({url.removeprefix(server)}) at {width} px, {scheme}",
                                         axecore.violations(tab, sample))
        _open(tab, server, scheme)
        open_search(tab, _search_word(kb))
        problems += axecore.describe(f"{SEARCH} at {width} px, {scheme}", axecore.violations(tab, sample))
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not problems, (f"axe-core {axecore.version()} found serious or critical violations:\n" + "\n".join(problems))


def test_axe_is_loaded_and_reports_what_it_finds(browser):
    """The check above can fail: on a page with an unnamed image and button axe reports both."""
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.set_content("<!doctype html><html lang='en'><title>t</title><main><img src='x.png'>"
                        "<button></button></main></html>")
        found = {v["id"] for v in axecore.violations(tab)}
        assert {"image-alt", "button-name"} <= found, found
        lines = axecore.describe("probe", axecore.violations(tab))
        assert any("critical image-alt" in line for line in lines) and any("img" in line for line in lines)
    finally:
        context.close()


# --- Keyboard: the comparison filters -------------------------------------------------------
MAX_TABS = 10
FILTER_BOX = "#compare-filters input[name='q']"
ACTIVE = """() => { const e = document.activeElement; if (!e || e === document.body) return '(nothing)';
  const text = (e.getAttribute('aria-label') || e.textContent || e.getAttribute('name') || '').replace(/\\s+/g, ' ').trim();
  return e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '')
    + (text ? ' "' + text.slice(0, 40) + '"' : ''); }"""


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
@pytest.mark.parametrize("target", [links.COMPARISON, links.ALL_OUTCOMES])
def test_the_comparison_filter_box_is_a_few_tab_presses_from_the_top_and_shows_focus(browser, server, width, target):
    for scheme in ("light", "dark"):
        context, tab, errors = _context(browser, width, scheme)
        try:
            _open(tab, server + _url(target), scheme)
            visited = []
            for _ in range(MAX_TABS):
                tab.keyboard.press("Tab")
                visited.append(tab.evaluate(ACTIVE))
                if tab.evaluate(f"() => document.activeElement.matches({FILTER_BOX!r})"):
                    break
            else:
                pytest.fail(f"the filter box on {target} is not reached in {MAX_TABS} Tab presses at {width} px; "
                            f"the keyboard visited: {visited}")
            changed, needed = _focus_change(tab)
            assert changed >= needed, (f"the focused filter box looks the same as the unfocused one at {width} px, "
                                       f"{scheme}: {changed} pixels change, {needed} needed")
        finally:
            context.close()
        assert not errors, f"JavaScript errors: {errors}"


# --- Visible focus ----------------------------------------------------------------------------
_BOX = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  // A visually hidden input shows its focus on a label: its own, or (Material's
  // colour-scheme switch) the label right after it.
  const next = e.tagName === 'INPUT' && e.nextElementSibling && e.nextElementSibling.tagName === 'LABEL'
    ? [e.nextElementSibling] : [];
  const rects = [e, ...Array.from(e.labels || []), ...next].map(x => x.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  const region = e.closest('header, .md-sidebar--primary, .md-sidebar--secondary, article, footer, .md-banner');
  const kind = (region ? (region.tagName.toLowerCase() + '.' + (region.className.split(' ')[0] || '')) : 'page') + ' '
    + e.tagName.toLowerCase() + (e.type ? '[' + e.type + ']' : '') + (e.getAttribute('role') ? '[' + e.getAttribute('role') + ']' : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '');
  const text = (e.getAttribute('aria-label') || e.textContent || e.getAttribute('href') || '').replace(/\\s+/g, ' ').trim().slice(0, 40);
  if (!rects.length) return {kind, text, empty: true};
  const pad = 6;
  const x0 = Math.max(0, Math.min(...rects.map(r => r.left)) - pad), y0 = Math.max(0, Math.min(...rects.map(r => r.top)) - pad);
  const x1 = Math.min(innerWidth, Math.max(...rects.map(r => r.right)) + pad);
  const y1 = Math.min(innerHeight, Math.max(...rects.map(r => r.bottom)) + pad);
  if (x1 - x0 < 1 || y1 - y0 < 1) return {kind, text, empty: true};
  // The size an indicator is measured against: the element itself (or the label that
  // stands for it), as much of it as is on the screen.
  const r = rects[0];
  const w = Math.min(r.right, innerWidth) - Math.max(r.left, 0), h = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
  return {kind, text, empty: false, clip: {x: x0, y: y0, width: x1 - x0, height: y1 - y0}, w, h};
}"""

_DIFF = """async ([a, b]) => {
  const load = async s => createImageBitmap(await (await fetch('data:image/png;base64,' + s)).blob());
  const [ia, ib] = await Promise.all([load(a), load(b)]);
  const canvas = new OffscreenCanvas(ia.width, ia.height), g = canvas.getContext('2d', {willReadFrequently: true});
  g.drawImage(ia, 0, 0); const da = g.getImageData(0, 0, ia.width, ia.height).data;
  g.clearRect(0, 0, ia.width, ia.height); g.drawImage(ib, 0, 0); const db = g.getImageData(0, 0, ia.width, ia.height).data;
  let n = 0;
  for (let i = 0; i < da.length; i += 4)
    if (Math.abs(da[i] - db[i]) + Math.abs(da[i + 1] - db[i + 1]) + Math.abs(da[i + 2] - db[i + 2]) > 60) n++;
  return n;
}"""


def _focus_change(tab, box: dict | None = None) -> tuple[int, int]:
    """(pixels that change when the focused element loses focus, the pixels a visible
    indicator needs: half its box's perimeter, as a 1 px line round half of it)."""
    box = box or tab.evaluate(_BOX)
    assert box and not box["empty"], f"focus is on something with no visible box: {box}"
    shot = dict(clip=box["clip"], animations="disabled", caret="hide")
    focused = tab.screenshot(**shot)
    tab.evaluate("() => { window.__poemsFocused = document.activeElement; document.activeElement.blur(); }")
    plain = tab.screenshot(**shot)
    tab.evaluate("() => window.__poemsFocused.focus()")
    changed = tab.evaluate(_DIFF, [base64.b64encode(focused).decode(), base64.b64encode(plain).decode()])
    return changed, max(12, round(box["w"] + box["h"]))


FOCUS_PAGES = [("home", LAPTOP, "light"), ("study (full text read)", LAPTOP, "dark"), ("comparison", LAPTOP, "light"),
               ("comparison, every outcome", PHONE, "dark"),
               ("regimen", PHONE, "dark"), ("study (abstract only)", PHONE, "light")]
MAX_STOPS = 70


@pytest.mark.parametrize("kind,width,scheme", FOCUS_PAGES)
def test_every_kind_of_control_shows_where_the_keyboard_is(browser, server, kinds, kind, width, scheme):
    """Tab through the page; the first control of each kind (by region, element and class)
    must look different focused and unfocused."""
    context, tab, errors = _context(browser, width, scheme)
    problems, seen = [], set()
    try:
        _open(tab, server + kinds[kind], scheme)
        for _ in range(MAX_STOPS):
            tab.keyboard.press("Tab")
            box = tab.evaluate(_BOX)
            if box is None:
                break  # focus left the page: every stop was visited
            if box["kind"] in seen:
                continue
            seen.add(box["kind"])
            if box["empty"]:
                problems.append(f"{box['kind']} \"{box['text']}\": takes focus but has no visible box")
                continue
            changed, needed = _focus_change(tab, box)
            if changed < needed:
                problems.append(f"{box['kind']} \"{box['text']}\": {changed} pixels change on focus, {needed} needed")
    finally:
        context.close()
    assert len(seen) >= 5, f"only {len(seen)} kinds of control reached on {kind}: {sorted(seen)}"
    assert not errors, f"JavaScript errors: {errors}"
    assert not problems, f"no visible focus on {kind} at {width} px, {scheme}:\n" + "\n".join(problems)


# --- Reflow -----------------------------------------------------------------------------------
_WIDEST = """(w) => [...document.querySelectorAll('body *')].filter(e => {
    const b = e.getBoundingClientRect(); if (b.width === 0 || b.right <= w + 0.5) return false;
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; }
    return true; })
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '')
    + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ' px)')"""


def test_no_page_scrolls_sideways_at_320_px(browser, server, by_measure_server, kinds):
    """WCAG 1.4.10: at 320 CSS px the page itself never scrolls sideways; a wide table may
    scroll inside its own box, which must then take keyboard focus (axe checks that)."""
    context, tab, errors = _context(browser, NARROWEST, "light")
    problems = []
    try:
        for kind, url in {**{k: server + p for k, p in kinds.items()}, BY_MEASURE: by_measure_server}.items():
            _open(tab, url, "light")
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > NARROWEST:
                problems.append(f"{kind} ({url}): {width} px wide; too wide: {tab.evaluate(_WIDEST, NARROWEST)}")
        # A summary-of-findings table is wider than a 320 px screen: it scrolls in its own
        # box, which takes focus (accessibility.js) so a keyboard can scroll it.
        _open(tab, server + kinds["summary of findings"], "light")
        boxes = tab.evaluate("""() => [...document.querySelectorAll('article *')].filter(e => {
            const o = getComputedStyle(e).overflowX;
            return (o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth + 1; })
          .map(e => ({name: e.tagName + '.' + e.className, focusable: e.tabIndex >= 0 || !!e.closest('[tabindex="0"]')}))""")
        assert boxes, "no box scrolls sideways on the summary of findings at 320 px: the check below checks nothing"
        assert all(b["focusable"] for b in boxes), f"boxes that scroll sideways but cannot take focus: {boxes}"
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not problems, f"pages that scroll sideways at {NARROWEST} px:\n" + "\n".join(problems)


# --- The navigation drawer on a phone -----------------------------------------------------------
DRAWER_BUTTON = 'label.md-header__button[for="__drawer"]'
IN_DRAWER = "() => !!document.activeElement.closest('.md-sidebar--primary')"
DRAWER_OPEN = "() => document.getElementById('__drawer').checked"
# The focused element is what a reader sees there: the topmost thing at its centre.
SEEN = """() => { const e = document.activeElement, r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return r.width > 0 && r.height > 0 && !!hit && (hit === e || e.contains(hit)); }"""


@pytest.mark.parametrize("kind", ["home", "comparison", "regimen"])
def test_the_phone_navigation_drawer_takes_focus_and_gives_it_back(browser, server, kinds, kind):
    """At 390 px the header's navigation button opens the drawer from the keyboard, focus
    moves to a control visible in the drawer, Tab stays in it, and Escape closes it and
    returns focus to the button (WCAG 2.4.3, 2.1.2)."""
    context, tab, errors = _context(browser, PHONE, "light")
    problems = []
    try:
        _open(tab, server + kinds[kind], "light")
        button = tab.locator(DRAWER_BUTTON)
        for key in ("Enter", " "):
            button.focus()
            tab.keyboard.press(key)
            tab.wait_for_function(DRAWER_OPEN, timeout=5000)
            try:
                tab.wait_for_function(IN_DRAWER, timeout=5000)
            except Exception:  # noqa: BLE001 (reported below with where focus went)
                problems.append(f"{key!r} opened the drawer but focus stayed on {tab.evaluate(ACTIVE)}")
                continue
            if not tab.evaluate(SEEN):
                problems.append(f"{key!r}: focus went to {tab.evaluate(ACTIVE)}, hidden under another part of the drawer")
            tab.keyboard.press("Tab")
            if not tab.evaluate(IN_DRAWER):
                problems.append(f"{key!r}: the next Tab left the open drawer for {tab.evaluate(ACTIVE)}")
            tab.keyboard.press("Escape")
            tab.wait_for_function("() => !document.getElementById('__drawer').checked", timeout=5000)
            if not tab.evaluate(f"() => document.activeElement.matches({DRAWER_BUTTON!r})"):
                problems.append(f"{key!r}: after Escape focus is on {tab.evaluate(ACTIVE)}, not the navigation button")
            if tab.locator(DRAWER_BUTTON).get_attribute("aria-expanded") != "false":
                problems.append(f"{key!r}: the closed drawer's button says it is expanded")
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not problems, f"the navigation drawer on {kind} at {PHONE} px:\n" + "\n".join(problems)
