"""Assembling a Markdown page from headings (Markdown, for the table of contents and
search) and raw HTML blocks (everything else, escaped by construction)."""
from __future__ import annotations

import json
from typing import Any

from ..escape import HIDDEN_BUT_LINE_FEED, has_hidden, json_ascii_safe
from .html import Html, block, el, esc, join, md


class Page:
    def __init__(self, path: str, title: str, search: bool = True, hide: list[str] | None = None):
        self.path, self.title = path, title
        # Material inserts page.meta.title into <title> and the header without escaping
        # it (and would unescape a title taken from the heading), so the page title is
        # given here, already escaped.
        self.front: dict[str, Any] = {"title": str(esc(title))}
        if not search:
            self.front["search"] = {"exclude": True}
        # The search result's title (render/names.py's search index reads it from the page
        # head): a record's short label where the heading is a long or unknown title.
        self.search_title: str | None = None
        if hide:
            self.front["hide"] = hide  # Material's front matter: e.g. ["toc"] for a wide table page
        self.parts: list[str] = []

    def h(self, level: int, text: str, anchor: str | None = None) -> "Page":
        suffix = f" {{#{anchor}}}" if anchor else ""
        self.parts.append(f"\n{'#' * level} {md(text)}{suffix}\n")
        return self

    def html(self, *parts: Any, search: bool = True) -> "Page":
        """Raw HTML; `search=False` keeps it out of the search index (the search index
        skips data-search-exclude), for text readers do not search for."""
        if not search:
            parts = (el("div", join(parts), data_search_exclude=True),)
        content = block(*parts)
        if content.strip():
            self.parts.append(content)
        return self

    def text(self) -> str:
        head = ""
        if self.search_title:
            self.front["poems_search_title"] = self.search_title
        if self.front:
            # JSON is valid YAML and quotes every string, so record text cannot break out;
            # characters YAML refuses raw (DEL, C1) or reads as line breaks (U+0085,
            # U+2028) would make MkDocs drop the front matter: they become \u escapes.
            # Page metadata (citation tags, JSON-LD) carries record text too: hidden
            # characters become U+FFFD there as on the page (YAML cannot even read some).
            lines = [f"{key}: {json_ascii_safe(json.dumps(_scrubbed(value), ensure_ascii=False))}" for key, value in self.front.items()]
            head = "---\n" + "\n".join(lines) + "\n---\n"
        return "".join([head, f"# {md(self.title)}\n", *self.parts])


def _scrubbed(value: Any) -> Any:
    """Front matter with every string's hidden characters replaced, at any depth."""
    if isinstance(value, str):
        # A line feed is harmless in JSON; everything else hidden is replaced.
        return HIDDEN_BUT_LINE_FEED.sub("\ufffd", value) if has_hidden(value) else value
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v) for v in value]
    return value


def para(text: Any) -> Html:
    return el("p", text)


class Partial(Page):
    """A block of generated Markdown included into a hand-written page with the snippets
    extension. `host` is the including page, so links are computed from where the text
    ends up; `path` is the partial's own file."""

    def __init__(self, path: str, host: str):
        super().__init__(path, "")
        self.host = host
        self.front = {}

    def text(self) -> str:
        return "".join(self.parts).lstrip("\n") + "\n"
