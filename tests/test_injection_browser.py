"""Markup in record text reaches the reader as inert text: proven in a browser.

A schema-valid study and regimen whose every text field carries script, event-handler
attributes, javascript: links, Markdown that would expand to raw HTML, an attr_list
attribute and a snippet include are added to a copy of a synthetic knowledge base. The
copy is rendered and built with the real site configuration (`poemskb render`,
`mkdocs build --strict`), served on localhost and opened in headless Chromium (Debian's,
via Playwright). On every page that shows the records: no dialog opens, no injected
script sets its flag, the DOM holds no event-handler attribute, javascript: link,
injected script or iframe, hovering and clicking fire nothing, and the payloads are
visible literally. Searching the site for them shows the results without running them.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from browsing import serve_directory
from poemskb.load import KIND_FOLDERS
from poemskb.schema import load_schemas
from poemskb.synth import write_kb

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def payload(tag: str, limit: int | None = None) -> str:
    """One line of every trick, each naming the field it came from when it fires. A field
    whose schema limit is shorter gets as many tricks as fit, the script and the
    Markdown emphasis first (the tests look for those), in the same order."""
    flag = f"window.__xss=(window.__xss||[]).concat('{tag}')"
    tricks = [f"<script>{flag}</script>", f'<img src=x onerror="{flag}">', f'<svg onload="{flag}"></svg>',
              f"[link-{tag}](javascript:{flag})", f'<a href="javascript:{flag}">a-{tag}</a>',
              f'<details open ontoggle="{flag}">d</details>', f'<iframe srcdoc="<script>parent.{flag}</script>"></iframe>',
              f"**bold-{tag}**", f'{{: onclick="{flag}" }}', f'<b onmouseover="{flag}">hover-{tag}</b>']
    if limit is None or len(" ".join(tricks)) <= limit:
        return " ".join(tricks)
    if len(tricks[0]) > limit:  # too short for the script: a bare handler that would open a dialog
        tricks.insert(0, f"<img src=x onerror=alert('{tag}')>")
    chosen: list[str] = []
    for trick in sorted(tricks, key=lambda x: (x != tricks[0], not x.startswith("**bold"))):  # first, bold, the rest
        if len(" ".join(chosen + [trick])) <= limit:
            chosen.append(trick)
    return " ".join(sorted(chosen, key=tricks.index))


def fit_to_limits(data, fields: dict, path: tuple = ()):
    """The same record with every payload cut to the tricks its field's maxLength holds."""
    if isinstance(data, dict):
        return {k: fit_to_limits(v, fields, path + (k,)) for k, v in data.items()}
    if isinstance(data, list):
        return [fit_to_limits(v, fields, path + ("[]",)) for v in data]
    limit = min((n["maxLength"] for n in fields.get(path, []) if "maxLength" in n), default=None)
    if isinstance(data, str) and limit is not None and len(data) > limit:
        match = re.search(r"concat\('([^']+)'\)", data)
        assert match and "\n" not in data, (path, "a text past its limit that is not one payload")
        prefix = data[: data.index("<script>")]
        return prefix + payload(match[1], limit - len(prefix))
    return data


def block(tag: str) -> str:
    """Multi-line text: raw HTML blocks, a reference link and a snippet include on lines of their own."""
    return (f"Plain start {tag}.\n\n<div onmouseover=\"window.__xss=['{tag}-div']\">div-{tag}</div>\n\n"
            f"[ref-{tag}][evil]\n\n[evil]: javascript:window.__xss=['{tag}-ref']\n\n"
            f'--8<-- "about.md"\n\n<style>body {{ display: none }}</style>\n\n' + payload(tag))


def hostile_records() -> dict[str, dict]:
    check = {"status": "verified", "check": "page"}
    def loc():  # a fresh mapping each time: PyYAML would write a shared one as an anchor
        return {"in": "text", "section": payload("locator"), "page": "1<script>window.__xss=['page']</script>"}
    study = {
        "id": "xss-study",
        "title": {"value": payload("title"), **check, "note": payload("title-note")},
        "authors": {"value": [payload("author"), "Plain B"], "complete": False, **check},
        "journal": {"value": payload("journal"), **check},
        "year": {"value": 2020, **check},
        "volume": {"value": payload("volume"), **check},
        "pages": {"value": payload("pages"), **check},
        # Well-formed by the DOI rule (10.<digits>/<no whitespace>), yet full of markup.
        "doi": {"value": '10.5555/x"onmouseover="window.__xss=[\'doi\']"><script>window.__xss=[\'doi-script\']</script>', **check},
        "pmid": {"value": "987650001", **check},
        "publication_type": "journal-article",
        "design": "prospective-single-arm",
        "summary": block("summary"),
        "plain_summary": block("plain-summary"),
        "population": {"status": "newly-diagnosed", "n": 20, "eligibility": payload("eligibility"), "locator": loc()},
        "setting": {"institutions": [payload("institution")], "countries": ["CN"], "locator": {"in": "abstract"}},
        "arms": [{"id": "only", "label": payload("arm-label"), "regimen": "xss-regimen", "n": 20,
                  "note": payload("arm-note"), "locator": loc()}],
        "outcomes": [
            {"id": "count", "measure": "synth-measure-0000", "arm": "only", "subgroup": payload("subgroup"),
             "timepoint": {"label": payload("timepoint")}, "value": {"type": "count", "n": 10, "of": 20, "percent": 50.0},
             "note": payload("outcome-note"), "locator": loc()},
            {"id": "statement", "measure": "synth-measure-0000", "arm": "only",
             "value": {"type": "qualitative", "statement": payload("statement")}, "status": "unverified",
             "reason": payload("reason"), "locator": loc()},
        ],
        "overlaps": [{"study": "synth-study-00001", "relation": "possible", "basis": payload("overlap-basis")}],
        "provenance": {"checks": [{"id": "page", "against": "abstract", "where": payload("where"),
                                   "url": 'https://doi.org/"onmouseover="window.__xss=[\'url\']"><script>window.__xss=[\'url-script\']</script>',
                                   "date": "2025-01-01", "note": payload("check-note")}],
                       "curated": "2025-01-01", "notes": payload("provenance-notes")},
    }
    regimen = {
        "id": "xss-regimen", "name": "XSS " + payload("regimen-name"), "short_name": payload("short-name"),
        "aliases": [payload("alias")],
        "also_known_as": [{"name": payload("aka"), "kind": "translation", "lang": "zh", "of": payload("agent"),
                           "source": {"study": "xss-study", "locator": loc()}}, {"name": payload("brand"), "kind": "brand"}],
        "misspellings": ["<img/src=x/onerror=window.__xss=['misspelling']>"], "category": "other", "summary": block("regimen-summary"),
        "plain_summary": block("regimen-plain"),
        "phases": [{"phase": "treatment", "cycle_length_days": 28, "cycles": None, "cycles_note": payload("cycles-note"),
                    "components": [{"agent": payload("agent"), "dose": {"value": 10, "unit": "mg", "per": "day", "note": payload("dose-note")},
                                    "route": "oral", "frequency": payload("frequency"), "note": payload("component-note"),
                                    "source": {"study": "xss-study", "locator": loc()}}]}],
        "provenance": {"checks": [{"id": "page", "against": "abstract", "where": payload("regimen-where"), "date": "2025-01-01"}],
                       "curated": "2025-01-01"},
    }
    return {"studies/xss-study.yaml": study, "regimens/xss-regimen.yaml": regimen}


def poemskb(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", "--root", str(root), *args], capture_output=True, text=True, env=ENV, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    write_kb(root, 12, source_root=ROOT, seed=0, site=True)
    schemas = load_schemas(root)
    for rel, data in hostile_records().items():
        data = fit_to_limits(data, schemas.fields(KIND_FOLDERS[rel.split("/")[0]]))
        (root / "evidence" / rel).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    checked = poemskb(root, "validate")
    assert checked.returncode == 0, "the hostile records must be schema-valid:\n" + checked.stdout + checked.stderr
    rendered = poemskb(root, "render")
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(root / "mkdocs.yml")],
                           capture_output=True, text=True, env=ENV, timeout=600,
                           cwd=root)  # snippets resolve against the working directory
    assert built.returncode == 0, built.stdout + built.stderr
    assert "__xss" not in built.stdout + built.stderr, "record text reached the build log"
    indexed = poemskb(root, "search-index", str(root / "site"))
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    return root / "site"


@pytest.fixture(scope="module")
def server(site):
    with serve_directory(site) as url:
        yield url


# What the page itself may not contain: found in the live DOM, after scripts ran.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 60)}`);
      if (['href', 'src', 'action', 'formaction'].includes(attr.name) && /^\\s*javascript:/i.test(attr.value))
        found.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 60)}`);
    }
    // JSON-LD is data the browser never runs (its record text is \\u-escaped JSON): checked by test_site_render.
    if (el.tagName === 'SCRIPT' && el.type !== 'application/ld+json' && el.textContent.includes('__xss')) found.push('SCRIPT ' + el.textContent.slice(0, 60));
    if (el.tagName === 'IFRAME') found.push(el.tagName);
    if (el.tagName === 'STYLE' && el.textContent.includes('display: none')) found.push('STYLE');
  }
  return found;
}"""

POKE = """() => {
  for (const el of document.querySelectorAll('article *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle']) el.dispatchEvent(new Event(type, {bubbles: true}));
  }
  for (const a of document.querySelectorAll('article a[href]')) {
    a.addEventListener('click', e => e.preventDefault());
    a.click();
  }
}"""


def hostile_pages(site: Path) -> list[str]:
    """Every built page that shows some of the hostile text."""
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "hover-" in p.read_text(encoding="utf-8"))
    assert "generated/studies/xss-study.html" in pages and "generated/regimens/xss-regimen.html" in pages, pages
    return pages


def open_page(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, dialogs, errors


def test_no_injected_script_runs_on_any_page(browser, server, site):
    pages = hostile_pages(site)
    for rel in pages:
        context, page, dialogs, errors = open_page(browser, server + rel)
        try:
            page.evaluate(POKE)
            page.wait_for_timeout(200)
            assert page.evaluate("() => window.__xss || null") is None, rel
            assert dialogs == [], (rel, dialogs)
            assert page.evaluate(INJECTED) == [], rel
            assert page.locator("body").is_visible(), f"{rel}: an injected style hid the page"
            assert not errors, (rel, errors)
        finally:
            context.close()


def test_the_markup_is_shown_as_text(browser, server):
    context, page, _, _ = open_page(browser, server + "generated/studies/xss-study.html")
    try:
        text = page.locator("body").inner_text()
        for tag in ("title", "summary", "arm-label", "subgroup", "outcome-note", "statement", "where"):
            assert f"<script>window.__xss=(window.__xss||[]).concat('{tag}')</script>" in text, tag
            assert f"**bold-{tag}**" in text, tag  # Markdown emphasis stays literal, too
        assert "<img src=x onerror=" in text and "javascript:" in text
        assert '--8<-- "about.md"' in text
        assert "Evidence, not medical advice" not in page.locator("article").inner_text(), "the snippet line was followed"
        assert page.locator("h1").inner_text().startswith("<script>")
    finally:
        context.close()
    context, page, _, _ = open_page(browser, server + "generated/regimens/xss-regimen.html")
    try:
        assert "<script>window.__xss=(window.__xss||[]).concat('regimen-name')</script>" in page.locator("h1").inner_text()
    finally:
        context.close()


def test_searching_for_the_payload_runs_nothing(browser, server):
    context, page, dialogs, errors = open_page(browser, server)
    try:
        page.goto(server + "search.html")
        page.locator("#poems-search-q").fill("Plain start summary")  # the first words of the hostile study's summary
        page.locator("#poems-search-results a[href*='xss-study']").first.wait_for(state="visible", timeout=15000)
        page.wait_for_timeout(300)
        page.evaluate(POKE.replace("article *", "#poems-search-results *").replace("article a[href]", "#poems-search-results a[href]"))
        assert page.evaluate("() => window.__xss || null") is None
        assert dialogs == []
        assert page.evaluate(INJECTED) == []
        assert not errors
    finally:
        context.close()


def test_a_record_title_with_markup_shows_as_text_in_search_results(browser, server):
    """The regimen's name (its result title) is all markup: the results list shows it as
    text, and neither a title nor a summary holds any element of the record's."""
    context, page, dialogs, errors = open_page(browser, server)
    try:
        page.goto(server + "search.html")
        page.locator("#poems-search-q").fill("hover-regimen-name")  # words of the hostile regimen's name
        link = page.locator("#poems-search-results a[href*='xss-regimen']").first
        link.wait_for(state="visible", timeout=15000)
        assert "<script>window.__xss=(window.__xss||[]).concat('regimen-name')</script>" in link.inner_text()
        assert "<img src=x onerror=" in link.inner_text()
        inside = page.eval_on_selector_all("#poems-search-results a, #poems-search-results p",
                                           "els => els.map(e => e.children.length)")
        assert inside and not any(inside), inside
        assert page.evaluate("() => window.__xss || null") is None and dialogs == [] and not errors
    finally:
        context.close()
