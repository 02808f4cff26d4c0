"""What one search costs a reader, measured on a built site in headless Chromium: the
bytes a cold browser downloads for the search (the search scripts and the index files
the query needs) and the results a query returns. Used by scripts/bench.py at each size
and on its own:

    python scripts/bench_search.py SITE_DIR [QUERY ...]    # prints bytes and top results
    python scripts/bench_search.py --clone-to 10000 SITE_DIR [QUERY ...]

--clone-to simulates a larger base quickly (a real MkDocs build of 10,000 studies takes
10-60 minutes here): a copy of a built synthetic site (`poemskb synth`) whose study
pages are copied, in a shuffled order, until it holds N studies, each copy with its
study number, page name and author names changed to the copy's (synth-study-00007 ->
synth-study-01234, "Synthetic study 7" -> "Synthetic study 1234"), then indexed with `poemskb search-index` and measured. The
copies share every other word and figure with their originals, so each word's postings
grow with N as in a real base; words and figures unique to a new study do not appear.

Bytes are counted as a server that compresses text sends them: each file fetched for the
search at its gzip size (level 6), or its own size where gzip saves nothing. A file counts
when it serves search only: under search-index/, and the search page's two scripts
(assets/search.js, assets/search-engine.js). Page HTML, theme CSS and scripts every page
loads are not counted, so the figure is what one search adds to a visit.
"""
from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' Chromium flags and file server

# Paths (relative to the site root) of files that only search uses.
SEARCH_PREFIXES = ("search-index/", "assets/search.js", "assets/search-engine.js")
QUERIES = ["lenalidomide", "lenolidomide", "melfalan", "Revlimid", "ASCT", "来那度胺"]
# On a synthetic base (`poemskb synth`): a word most studies hold (the largest index
# shard and many results), a rarer one, a study's label, a regimen's alias and a prefix
# as typed (the last word typed also finds the words it begins).
SYNTH_QUERIES = ["patients", "remission", "Synthetic study 7", "synthetic-3", "synth"]
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


def _results(tab, query: str) -> list[dict]:
    """Type into the search page's box and read the listed results."""
    tab.locator("#poems-search-q").fill(query)
    tab.wait_for_function("() => ['done', 'error'].includes(document.querySelector('#poems-search')?.dataset.searchState)",
                          timeout=30000)
    return tab.eval_on_selector_all("#poems-search .poems-search__result a.poems-search__title",
                                    "as => as.map(a => ({url: a.getAttribute('href'), title: a.textContent.trim()}))")


def measure_queries(site: Path, queries: list[str]) -> list[dict]:
    """For each query, in a fresh (cold) browser context: the search-only files fetched,
    their bytes on the wire, and the results shown in order (url, title)."""
    from browsing import CHROMIUM, CHROMIUM_ARGS, serve_directory
    from playwright.sync_api import sync_playwright

    out = []
    with serve_directory(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for query in queries:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                tab = context.new_page()
                urls: list[str] = []
                tab.on("request", lambda r: urls.append(r.url))
                tab.goto(base + "search.html")
                results = _results(tab, query)
                tab.wait_for_load_state("networkidle")
                files = search_files(urls, base)
                out.append({"query": query, "files": len(files), "bytes": sum(wire_bytes(site / f) for f in files),
                            "results": results})
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
        lines.append(f"{where}search {m['query']!r}: {m['bytes'] / 1024:.1f} KB in {m['files']} files; "
                     f"{len(m['results'])} results shown, first: {top}")
    if measured:
        worst = max(m["bytes"] for m in measured) / 1024
        ok = "ok  " if worst <= TARGET_KB_PER_QUERY else "MISS"
        lines.append(f"{where}search bytes per cold query: largest {worst:.1f} KB = {worst / TARGET_KB_PER_QUERY:.2f}x "
                     f"the target (<= {TARGET_KB_PER_QUERY} KB) {ok}")
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
    """The search index on disk (every file under search-index/)."""
    return sum(p.stat().st_size for p in (site / "search-index").rglob("*") if p.is_file()) / 1024


def bench_lines(results: list[dict]) -> list[str]:
    """The benchmark's search section: per size, then the growth between sizes."""
    sized = [(r["studies"], r["search"]) for r in results if r.get("search")]
    lines = [line for n, measured in sized for line in report(n, measured)]
    return lines + growth_report(sized)


STUDY = re.compile(r"synth-study-(\d{5})\.html$")


def clone_studies(site: Path, dest: Path, studies: int) -> int:
    """Copy a built synthetic site to dest with its study pages cloned up to `studies`
    (see --clone-to above); returns the number of study pages it then holds."""
    shutil.copytree(site, dest, ignore=shutil.ignore_patterns("search-index"))
    folder = dest / "generated" / "studies"
    originals = sorted((p, int(STUDY.search(p.name).group(1))) for p in folder.glob("synth-study-*.html"))
    if not originals:
        raise SystemExit(f"{site}: no synthetic study pages (generated/studies/synth-study-*.html) to clone")
    count, copy = len(originals), 1
    while count < studies:
        # Each round copies the originals in a shuffled order: copied in order, the
        # scores in a word's postings would repeat with a period gzip finds, and the
        # bytes would come out smaller than a real base's.
        for k, (path, i) in enumerate(random.Random(copy).sample(originals, len(originals))):
            if count >= studies:
                break
            j = k + copy * len(originals)
            html = path.read_text(encoding="utf-8")
            html = html.replace(f"synth-study-{i:05d}", f"synth-study-{j:05d}")
            html = re.sub(rf"\bSynthetic study {i}\b", f"Synthetic study {j}", html)
            html = re.sub(rf"\bAuthor{i}-", f"Author{j}-", html)
            (folder / f"synth-study-{j:05d}.html").write_text(html, encoding="utf-8")
            count += 1
        copy += 1
    return count


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    clone_to = None
    if argv[0] == "--clone-to":
        clone_to, argv = int(argv[1]), argv[2:]
    site, queries = Path(argv[0]), argv[1:] or (SYNTH_QUERIES if clone_to else QUERIES)
    with tempfile.TemporaryDirectory(prefix="poemskb-search-") as work:
        n = None
        if clone_to:
            from poemskb.searchindex import build_index

            n = clone_studies(site, Path(work) / "site", clone_to)
            site = Path(work) / "site"
            build_index(site)
            print(f"cloned to {n} study pages; index {index_kb(site):.0f} KB on disk", file=sys.stderr)
        measured = measure_queries(site, queries)
    print("\n".join(report(n, measured)))
    print(json.dumps(measured, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
