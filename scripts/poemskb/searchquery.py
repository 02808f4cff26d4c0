"""A query over the written search index, as docs/assets/search-engine.js runs it in the
reader's browser, step for step: the same files fetched, the same scores, the same
order. The tests use it to check ranking and bytes per query on bases of any size
without a browser; a browser test checks that the two give the same results.

    search(folder, "lenolidomide") -> Found(pages=[(page, score), ...], files=[...])
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .searchindex import idf, js_order
from .searchtext import is_cjk, query_terms

PREFIX_MIN, PREFIX_SHARDS, PREFIX_FACTOR = 3, 2, 0.5  # as in search-engine.js


@dataclass
class Found:
    pages: list[tuple[int, float]] = field(default_factory=list)  # best first
    files: list[str] = field(default_factory=list)  # fetched, in order, each once

    def meta(self, folder: Path, page: int) -> list[str]:
        """[url, title, summary] of one page, fetching its metadata chunk."""
        directory = _read(folder, "index.json")
        path = f"{directory['stamp']}/m/{page // directory['chunk']}.json"
        if path not in self.files:
            self.files.append(path)
        return _read(folder, path)[page % directory['chunk']]


def _read(folder: Path, path: str):
    return json.loads((folder / path).read_text(encoding="utf-8"))


def shard_of(firsts: list[str], term: str) -> int:
    """The last shard whose first term is <= term, in JavaScript's string order."""
    key = js_order(term)
    found = 0
    for i, first in enumerate(firsts):
        if js_order(first) <= key:
            found = i
        else:
            break
    return found


def prefixable(term: str) -> bool:
    return len(term) >= PREFIX_MIN and not is_cjk(term)


def decode(flat: list[int]) -> dict[int, int]:
    pages, page = {}, 0
    for i in range(0, len(flat), 2):
        page += flat[i]
        pages[page] = flat[i + 1]
    return pages


def search(folder: Path, query: str) -> Found:
    found = Found()
    terms = query_terms(query)
    if not terms:
        return found
    found.files.append("index.json")
    directory = _read(folder, "index.json")
    firsts, last = directory["shards"], len(terms) - 1
    per_term: list[dict[int, float]] = []
    for i, term in enumerate(terms):
        first = shard_of(firsts, term)
        wanted = [first]
        if i == last and prefixable(term):
            s = first + 1
            while s < len(firsts) and len(wanted) < PREFIX_SHARDS and firsts[s].startswith(term):
                wanted.append(s)
                s += 1
        hits: dict[int, float] = {}
        for s in wanted:
            path = f"{directory['stamp']}/t/{s}.json"
            if path not in found.files:
                found.files.append(path)
            for key, flat in _read(folder, path).items():
                exact = key == term
                if not exact and not (i == last and prefixable(term) and key.startswith(term)):
                    continue
                weight = idf(directory["pages"], len(flat) // 2) * (1 if exact else PREFIX_FACTOR)
                for page, score in decode(flat).items():
                    hits[page] = max(hits.get(page, 0), score * weight)
        per_term.append(hits)
    per_term.sort(key=len)
    for page, score in per_term[0].items():
        total, every = score, True
        for hits in per_term[1:]:
            if page not in hits:
                every = False
                break
            total += hits[page]
        if every:
            found.pages.append((page, round(total * 1e6) / 1e6))
    found.pages.sort(key=lambda p: (-p[1], p[0]))
    return found
