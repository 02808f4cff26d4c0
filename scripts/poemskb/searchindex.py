"""The site search's index: written into a built site (MkDocs or Zensical) by
`poemskb search-index SITE_DIR`, read in the reader's browser by
docs/assets/search-engine.js. Plain JSON files, cut so that one search downloads only
what it needs, a few KB whatever the size of the knowledge base (docs/site.md has the
measurements):

    search-index/index.json         the directory: number of pages, the first term of
                                    each term shard, how many pages a metadata chunk
                                    holds, and the stamp naming this build's files
    search-index/<stamp>/t/<i>.json a term shard: the terms of one alphabetical range,
                                    each with its postings [page, score, page, score,
                                    ...], page numbers as gaps from the previous one
    search-index/<stamp>/m/<j>.json a metadata chunk: title, address and summary of pages
                                    j*CHUNK ... j*CHUNK+CHUNK-1

A query fetches index.json, the shard of each of its terms (for the last term typed, the
shards of the terms it begins), and the metadata chunks of the results it shows.

The stamp is a hash of the shards and chunks, so a rebuilt index lives at new addresses:
a browser that revalidates index.json (the script asks it to) never combines a new
directory with shards it cached from an earlier deployment, which would rank and label
results from two different sites; an old directory asks for files that are gone, and the
search says it failed instead of showing wrong results.

Scores are BM25 with field weights, computed here, so the browser only adds them up
weighted by each term's rarity: a page's words count once each (its hidden other names
by their data-search-weight, headings twice), saturating as they repeat, and a term in
the page's result title (a record's label) or its h1 adds a fixed bonus, so a record leads a
search for its own name. The same files come out of the same site, byte for byte.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections import Counter
from pathlib import Path

from .searchhtml import read_page
from .searchtext import index_terms

FOLDER = "search-index"
K1, B = 1.2, 0.75
HEADING_WEIGHT, TITLE_BONUS = 2.0, 2.0
SCALE = 10  # scores are stored as integers: round(score * SCALE)
SHARD_BYTES = 16_000  # a term shard is cut once its JSON passes this (one term may pass it alone)
CHUNK = 16  # pages per metadata chunk
NOT_INDEXED = {"404.html", "search.html"}  # the error page and the search page itself


def site_pages(site: Path) -> list[Path]:
    """The built pages to index, in a fixed order (by address)."""
    pages = [p for p in site.rglob("*.html") if not p.is_symlink() and FOLDER not in p.relative_to(site).parts[:1]]
    return sorted((p for p in pages if p.relative_to(site).as_posix() not in NOT_INDEXED),
                  key=lambda p: p.relative_to(site).as_posix())


def page_terms(page) -> tuple[Counter, float, set[str]]:
    """A page's weighted term counts, its weighted length and its title's terms (its
    result title and its h1: a study's label and its paper's title)."""
    counts: Counter = Counter()
    for text, weight in page.body:
        for term in index_terms(text):
            counts[term] += weight
    for heading in page.headings:
        for term in index_terms(heading):
            counts[term] += HEADING_WEIGHT
    title = set(index_terms(page.title)) | set(index_terms(page.h1))
    for term in title:
        counts[term] += 1
    return counts, sum(counts.values()), title


def scores(pages: list) -> dict[str, list[tuple[int, int]]]:
    """term -> [(page number, stored score)], page numbers ascending."""
    counted = [page_terms(p) for p in pages]
    avgdl = (sum(length for _, length, _ in counted) / len(counted)) if counted else 1.0
    postings: dict[str, list[tuple[int, int]]] = {}
    for number, (counts, length, title) in enumerate(counted):
        norm = K1 * (1 - B + B * length / (avgdl or 1.0))
        for term, tf in counts.items():
            if tf <= 0:
                continue
            score = tf * (K1 + 1) / (tf + norm) + (TITLE_BONUS if term in title else 0.0)
            postings.setdefault(term, []).append((number, max(1, round(score * SCALE))))
    return postings


def encode(posting: list[tuple[int, int]]) -> list[int]:
    """[page gap, score, page gap, score, ...]: small numbers, short in JSON."""
    flat, last = [], 0
    for number, score in posting:
        flat += [number - last, score]
        last = number
    return flat


def js_order(term: str) -> bytes:
    """Sort key matching JavaScript's string comparison (UTF-16 code units)."""
    return term.encode("utf-16-be")


def shards(postings: dict[str, list[tuple[int, int]]]) -> list[dict[str, list[int]]]:
    """The terms in JavaScript's order, cut into shards of about SHARD_BYTES."""
    out: list[dict[str, list[int]]] = []
    current: dict[str, list[int]] = {}
    size = 0
    for term in sorted(postings, key=js_order):
        flat = encode(postings[term])
        cost = len(term.encode()) + 6 + len(",".join(map(str, flat)).encode())
        if current and size + cost > SHARD_BYTES:
            out.append(current)
            current, size = {}, 0
        current[term] = flat
        size += cost
    if current:
        out.append(current)
    return out


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def index_files(site: Path) -> dict[str, str]:
    """Every file of the index: path under search-index/ -> its text."""
    paths = site_pages(site)
    pages = [read_page(p.read_text(encoding="utf-8", errors="replace")) for p in paths]
    urls = [p.relative_to(site).as_posix() for p in paths]
    cut = shards(scores(pages))
    parts = {f"t/{i}.json": dumps(shard) + "\n" for i, shard in enumerate(cut)}
    for j in range(0, len(pages), CHUNK):
        parts[f"m/{j // CHUNK}.json"] = dumps([[urls[k], pages[k].title or urls[k], pages[k].summary]
                                                for k in range(j, min(j + CHUNK, len(pages)))]) + "\n"
    stamp = build_stamp(parts)
    files = {"index.json": dumps({"version": 1, "pages": len(pages), "chunk": CHUNK, "stamp": stamp,
                                  "shards": [next(iter(s)) for s in cut]}) + "\n"}
    files.update({f"{stamp}/{rel}": text for rel, text in parts.items()})
    return files


def build_stamp(parts: dict[str, str]) -> str:
    """A name for one build's shards and chunks, from their content (module docstring)."""
    digest = hashlib.sha256()
    for rel in sorted(parts):
        digest.update(rel.encode() + b"\0" + parts[rel].encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def build_index(site: Path) -> dict[str, str]:
    """Write the index into <site>/search-index/, replacing the one there. Raises when
    the folder holds no built site (a wrong folder must not pass as an empty index)."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site}: no built site here (index.html missing); build the site first")
    target = site / FOLDER
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise RuntimeError(f"{target}: not a folder; refusing to write the search index there")
    files = index_files(site)
    staging = site / f".{FOLDER}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for rel, text in files.items():
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return files


def idf(pages: int, df: int) -> float:
    """A term's rarity, as the browser computes it (BM25's idf, never below zero)."""
    return math.log(1 + (pages - df + 0.5) / (df + 0.5))
