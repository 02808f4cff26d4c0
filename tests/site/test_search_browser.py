"""The site search as a reader meets it: typed into the search page in headless Chromium,
over the chunked index the build writes (poemskb search-index). Names readers type (generic, brand, misspelt,
abbreviated, Chinese, a study's label, a figure in a table) lead to the right records;
results are led by record labels; without JavaScript the page points to the indexes."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bench_search import search_files  # noqa: E402  (the benchmark's own byte counting)
from poemskb.searchquery import search as python_search  # noqa: E402
from poemskb.searchtext import index_terms, query_terms  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HUAIAN = "huaian-case-rd-asct"


def regimens_with(kb, agent: str) -> set[str]:
    """Regimens one of whose components is the agent (from the records, not a list)."""
    return {rid for rid, r in kb.regimens.items()
            if any(c["agent"] == agent for phase in r["phases"] for c in phase["components"])}


def search(page, server, query: str) -> list[dict]:
    page.goto(server + "search.html")
    page.locator("#poems-search-q").fill(query)
    page.wait_for_function("() => ['done', 'error'].includes(document.getElementById('poems-search').dataset.searchState)",
                           timeout=30000)
    assert page.locator("#poems-search").get_attribute("data-search-state") == "done", page.locator("#poems-search-status").inner_text()
    return page.eval_on_selector_all("#poems-search-results a.poems-search__title",
                                     "as => as.map(a => ({href: a.getAttribute('href'), title: a.textContent.trim()}))")


def record_of(href: str) -> str:
    match = re.search(r"/generated/(?:studies|regimens)/([a-z0-9-]+)\.html", href)
    return match.group(1) if match else href


@pytest.mark.parametrize("query, agent", [
    ("lenalidomide", "lenalidomide"),
    ("lenolidomide", "lenalidomide"),  # a misspelling in the records' misspellings
    ("Revlimid", "lenalidomide"),  # a brand name
    ("来那度胺", "lenalidomide"),  # the Chinese name, as the Huai'an case report writes it
    ("melfalan", "melphalan"),
    ("thalidamide", "thalidomide"),
    ("daratumamab", "daratumumab"),
])
def test_a_drug_name_as_readers_type_it_leads_to_its_regimens(page, server, kb, query, agent):
    expected = regimens_with(kb, agent)
    assert expected, agent
    results = search(page, server, query)
    assert results, f"{query!r} found nothing"
    assert record_of(results[0]["href"]) in expected, (query, results[:3])


def test_an_abbreviation_leads_to_its_regimen(page, server, kb):
    [asct] = [rid for rid, r in kb.regimens.items() if r.get("short_name") == "ASCT"]
    results = search(page, server, "ASCT")
    assert record_of(results[0]["href"]) == asct, results[:3]
    assert len(results) == 5 and page.locator("#poems-search-more").is_visible()  # more than one screenful


def test_a_brand_name_also_finds_the_studies_of_its_regimens(page, server, kb):
    """Study pages carry their regimens' other names into the index."""
    lenalidomide = regimens_with(kb, "lenalidomide")
    studies = {sid for sid, s in kb.studies.items() if any(a["regimen"] in lenalidomide for a in s.get("arms", []))}
    results = search(page, server, "Revlimid")
    while page.locator("#poems-search-more").is_visible():
        page.locator("#poems-search-more").click()
        page.wait_for_timeout(300)
        results = page.eval_on_selector_all("#poems-search-results a.poems-search__title", "as => as.map(a => a.getAttribute('href'))")
    found = {record_of(h) for h in results}
    assert len(found & studies) >= min(3, len(studies)), (found, studies)


def test_a_study_label_and_a_figure_in_its_table_find_the_study(page, server, kb):
    label = kb.studies[HUAIAN]["label"]
    results = search(page, server, label)
    assert record_of(results[0]["href"]) == HUAIAN and results[0]["title"] == label, results[:3]
    # A CD34+ yield printed only in the study's outcome table.
    assert any(o["value"].get("value") == 5.97 for o in kb.studies[HUAIAN]["outcomes"])
    results = search(page, server, "5.97")
    assert record_of(results[0]["href"]) == HUAIAN, results[:3]


def test_results_are_led_by_labels_not_unknown_titles(page, server, kb):
    """A study whose title is unknown appears under its label, never 'Title not known'."""
    results = search(page, server, "ASCT")
    while page.locator("#poems-search-more").is_visible():
        page.locator("#poems-search-more").click()
        page.wait_for_timeout(300)
    titles = page.eval_on_selector_all("#poems-search-results a.poems-search__title", "as => as.map(a => a.textContent)")
    assert len(titles) > 5 and not [t for t in titles if "title not known" in t.lower() or "¶" in t], titles
    unknown = [sid for sid, s in kb.studies.items() if not s["title"]["value"] and s.get("label")]
    assert any(kb.studies[sid]["label"] in titles for sid in unknown), titles


def test_a_search_downloads_only_what_the_query_needs(page, server, built):
    """No whole-site index: a cold search fetches the search scripts, the directory, the
    shard of its word and the metadata chunks of the results shown, a small part of the
    index (the byte figures are in the benchmark)."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    search(page, server, "lenalidomide")
    files = search_files(urls, server)
    assert files[:2] == ["assets/search.js", "assets/search-engine.js"], files
    index = [f for f in files if f.startswith("search-index/")]
    assert index[0] == "search-index/index.json" and len([f for f in index if "/t/" in f]) == 1, files
    everything = [p for p in (built.site / "search-index").rglob("*.json")]
    assert len(index) < len(everything) / 3, (index, len(everything))
    assert not [u for u in urls if u.endswith("search_index.json") or "pagefind" in u]


# Strings that exercise every rule of the word cutting: accents, full-width letters,
# ß and final sigma, numbers with decimals, Chinese next to Latin, Japanese kana.
AGREE = ["Waldenström's POEMS", "Ｒｅｖｌｉｍｉｄ 10⁶/kg", "STRAẞE ΟΔΟΣ", "CD34+ 5.97 × 10^6, 1,000",
         "来那度胺和地塞米松Rd方案", "サリドマイド が", "Huai'an case report, Rd then transplant", "naïve élan coöperate"]


def test_the_browser_cuts_words_exactly_as_the_indexer(page, server):
    page.goto(server + "search.html")
    got = page.evaluate("async (texts) => { const e = await import('./assets/search-engine.js');"
                        " return texts.map(t => [e.indexTerms(t), e.queryTerms(t)]); }", AGREE)
    assert got == [[index_terms(t), query_terms(t)] for t in AGREE]


@pytest.mark.parametrize("query", ["lenalidomide", "melfalan", "ASCT", "来那度胺", "Huai'an case", "transpl", "5.97"])
def test_the_browser_ranks_exactly_as_the_python_reference(page, server, built, query):
    """The unit tests check ranking through poemskb/searchquery.py; the site's script
    must give the same pages in the same order."""
    page.goto(server + "search.html")
    got = page.evaluate("async (q) => { const e = await import('./assets/search-engine.js');"
                        " const index = new e.Index(new URL('search-index/', location.href));"
                        " return (await index.search(q)).map(r => [r.page, r.score]); }", query)
    expected = python_search(built.site / "search-index", query).pages
    assert got and [p for p, _ in got] == [p for p, _ in expected], query
    assert [s for _, s in got] == pytest.approx([s for _, s in expected]), query


def test_the_header_form_reaches_the_search_page(page, server):
    page.goto(server + "generated/studies/index.html")
    box = page.get_by_role("searchbox", name="Search the evidence")
    box.fill("Revlimid")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/search\.html\?query=Revlimid$"))
    page.wait_for_function("() => document.getElementById('poems-search').dataset.searchState === 'done'", timeout=30000)
    assert page.locator("#poems-search-results li").count() > 0
    assert page.locator("#poems-search-results").get_attribute("aria-label") == "Search results"


def test_without_javascript_the_search_page_points_to_the_indexes(browser, server):
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(server + "index.html")
        form = tab.locator("form.poems-header-search")
        assert form.is_visible()  # the header's box stays: a plain form
        tab.locator("#poems_header_q").fill("lenalidomide")
        tab.locator("#poems_header_q").press("Enter")
        tab.wait_for_url(re.compile(r".*/search\.html\?query=lenalidomide$"))
        notice = tab.locator(".poems-search-nojs")
        assert notice.is_visible() and "JavaScript" in notice.inner_text()
        for name, href in (("Studies", "generated/studies/index.html"), ("Treatments", "generated/regimens/index.html"),
                           ("Compare treatments", "generated/comparison.html")):
            assert tab.get_by_role("link", name=name, exact=True).last.get_attribute("href").endswith(href), name
    finally:
        context.close()
