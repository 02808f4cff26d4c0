"""What one search costs a reader, measured on a built site in headless Chromium: the
bytes a cold browser downloads for the search (index, engine, result excerpts) and the
results a query returns. Used by scripts/bench.py at each size and on its own:

    python scripts/bench_search.py SITE_DIR [QUERY ...]    # prints bytes and top results

Bytes are counted as a server that compresses text sends them: each file fetched for the
search at its gzip size (level 6), or its own size where gzip saves nothing (Pagefind's
index chunks are compressed already). A file counts when it serves search only: under
pagefind/, or Material's search/search_index.json, its search worker and lunr files.
Page HTML, theme CSS and scripts every page loads are not counted, so the figure is what
one search adds to a visit, whichever engine the site uses.
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' Chromium flags and file server

# Paths (relative to the site root) of files that only search uses.
SEARCH_PREFIXES = ("pagefind/", "search/", "assets/javascripts/workers/search", "assets/javascripts/lunr/")
QUERIES = ["lenalidomide", "lenolidomide", "melfalan", "Revlimid", "ASCT", "来那度胺"]
# On a synthetic base (`poemskb synth`): a word most studies hold (the largest index
# chunk and many results), a rarer one, a study's label and a regimen's alias.
SYNTH_QUERIES = ["patients", "remission", "Synthetic study 7", "synthetic-3"]
TARGET_KB_PER_QUERY = 100


def wire_bytes(path: Path) -> int:
    """The bytes a compressing server sends for one file."""
    data = path.read_bytes()
    return min(len(data), len(gzip.compress(data, 6, mtime=0)))


def search_files(urls: list[str], base: str) -> list[str]:
    """The fetched site paths that serve search only, in fetch order, each once."""
    seen: list[str] = []
    for url in urls:
        if not url.startswith(base):
            continue
        rel = unquote(urlsplit(url).path)[len(urlsplit(base).path):]
        if rel.startswith(SEARCH_PREFIXES) and rel not in seen:
            seen.append(rel)
    return seen


def engine_of(site: Path) -> str:
    return "pagefind" if (site / "pagefind" / "pagefind.js").is_file() else "material"


def _results_pagefind(tab, query: str) -> list[dict]:
    """Type into the site's search box (Pagefind's UI) and read the listed results."""
    tab.locator("#poems-search-q").fill(query)
    tab.wait_for_function("() => document.querySelector('#poems-search')?.dataset.searchState === 'done'",
                          timeout=30000)
    return tab.eval_on_selector_all("#poems-search .poems-search__result a.poems-search__title",
                                    "as => as.map(a => ({url: a.getAttribute('href'), title: a.textContent.trim()}))")


def _results_material(tab, query: str) -> list[dict]:
    tab.click("input.md-search__input")
    tab.keyboard.type(query)
    tab.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && !/Initializing|Type to start/.test(m.textContent) }", timeout=30000)
    tab.wait_for_timeout(300)  # Material renders results in batches after the count
    return tab.eval_on_selector_all(".md-search-result__item > a",
                                    "as => as.map(a => ({url: a.getAttribute('href'),"
                                    " title: (a.querySelector('h1,h2')||a).textContent.trim()}))")


def measure_queries(site: Path, queries: list[str], engine: str | None = None) -> list[dict]:
    """For each query, in a fresh (cold) browser context: the search-only files fetched,
    their bytes on the wire, and the results in order (url, title)."""
    from browsing import CHROMIUM, CHROMIUM_ARGS, serve_directory
    from playwright.sync_api import sync_playwright

    engine = engine or engine_of(site)
    out = []
    with serve_directory(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for query in queries:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                tab = context.new_page()
                urls: list[str] = []
                tab.on("request", lambda r: urls.append(r.url))
                # Pagefind's box is on the search page; Material's is in every page's header.
                tab.goto(base + ("search.html" if engine == "pagefind" else "index.html"))
                results = (_results_pagefind if engine == "pagefind" else _results_material)(tab, query)
                tab.wait_for_load_state("networkidle")
                files = search_files(urls, base)
                out.append({"query": query, "engine": engine, "files": len(files),
                            "bytes": sum(wire_bytes(site / f) for f in files), "results": results})
                context.close()
        finally:
            browser.close()
    return out


def report(n: int | None, measured: list[dict]) -> list[str]:
    """One line per query and a summary line with the target (no assertion: a report)."""
    where = f"N={n}: " if n is not None else ""
    lines = []
    for m in measured:
        top = m["results"][0]["title"] if m["results"] else "(no result)"
        lines.append(f"{where}search {m['query']!r} ({m['engine']}): {m['bytes'] / 1024:.1f} KB in {m['files']} files; "
                     f"{len(m['results'])} results, first: {top}")
    if measured:
        worst = max(m["bytes"] for m in measured) / 1024
        ok = "ok  " if worst <= TARGET_KB_PER_QUERY else "MISS"
        lines.append(f"{where}search bytes per cold query: largest {worst:.1f} KB "
                     f"(target <= {TARGET_KB_PER_QUERY} KB) {ok}")
    return lines


def growth_report(sizes: list[tuple[int, list[dict]]]) -> list[str]:
    """From each size to the next: how the largest cold query grew (target: flat)."""
    lines = []
    for (a, ma), (b, mb) in zip(sizes, sizes[1:]):
        if not ma or not mb:
            continue
        wa, wb = max(m["bytes"] for m in ma), max(m["bytes"] for m in mb)
        lines.append(f"N {a} -> {b}: search bytes per query x{wb / wa:.2f} (flat: <= 1.5) {'ok  ' if wb <= 1.5 * wa else 'MISS'}")
    return lines


def index_kb(site: Path) -> float:
    """The search index on disk: Pagefind's index chunks, excerpts and metadata (not
    its unused UI files), or Material's search_index.json."""
    material = site / "search" / "search_index.json"
    if material.is_file():
        return material.stat().st_size / 1024
    folder = site / "pagefind"
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and "-ui" not in p.name) / 1024


def bench_lines(results: list[dict]) -> list[str]:
    """The benchmark's search section: per size, then the growth between sizes."""
    sized = [(r["studies"], r["search"]) for r in results if r.get("search")]
    lines = [line for n, measured in sized for line in report(n, measured)]
    return lines + growth_report(sized)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    engine = None
    if argv[0].startswith("--engine="):
        engine, argv = argv[0].split("=", 1)[1], argv[1:]
    site, queries = Path(argv[0]), argv[1:] or QUERIES
    measured = measure_queries(site, queries, engine)
    print("\n".join(report(None, measured)))
    print(json.dumps(measured, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
