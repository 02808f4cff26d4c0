"""Escaping and small HTML builders shared by every page renderer.

Record text reaches the site in two ways, and each has its own escaper:

* `esc` for HTML: every renderer builds tables, lists and paragraphs as raw HTML
  blocks, which Markdown passes through untouched, so HTML-escaping is all they need.
* `md` for the few places that must stay Markdown (headings, so the table of contents
  and the search index see them): HTML-escape plus backslash-escape of Markdown syntax.

`Html` marks text that is already safe; builders escape anything that is not, so a
renderer cannot forget to escape a value it passes in.

Both replace hidden characters (controls, bidi and invisible characters: see escape.py)
with U+FFFD. Validation refuses them in records; this is the second line of defence, so
text that slips through shows as a visible mark and cannot make the evidence map's SVG
ill-formed (XML 1.0 allows no C0 controls) or reorder what a reader sees.
"""
from __future__ import annotations

import html
import re
from typing import Any, Iterable

from ..escape import HIDDEN, has_hidden

# Characters Python-Markdown turns back into themselves after a backslash.
_MD_ESCAPED = set("\\`*_{}[]()>#+-.!")
_SPACE = re.compile(r"\s+")
_REPLACEMENT = "\ufffd"


def _plain(value: Any) -> str:
    """Whitespace runs as one space (a blank line inside a raw HTML block would end it;
    line breaks are whitespace too), then any hidden character left as U+FFFD."""
    text = _SPACE.sub(" ", str(value))
    return HIDDEN.sub(_REPLACEMENT, text) if has_hidden(text) else text


class Html(str):
    """A string that is already HTML: builders insert it without escaping again."""

    __slots__ = ()


def esc(value: Any) -> Html:
    if isinstance(value, Html):
        return value
    # Collapse line breaks: a blank line inside a raw HTML block would end it. (Not
    # stripped: separators such as ". " are escaped through here too.)
    return Html(html.escape(_plain(value), quote=True))


def md(value: Any) -> str:
    """Record text for a Markdown context (a heading): nothing in it is read as syntax."""
    out = []
    for char in _plain(value).strip():
        if char in _MD_ESCAPED:
            out.append("\\" + char)
        elif char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        else:
            out.append(char)
    return "".join(out)


def fmt(template: str, *args: Any, **kwargs: Any) -> Html:
    """str.format with every argument escaped unless it is Html already."""
    return Html(template.format(*(esc(a) for a in args), **{k: esc(v) for k, v in kwargs.items()}))


def join(parts: Iterable[Any], sep: str = "") -> Html:
    return Html(esc(sep).join(esc(p) for p in parts))


def attrs(**values: Any) -> str:
    """HTML attributes; True gives a bare attribute, None or False leaves it out.
    Python names map to HTML ones: data_sort -> data-sort, class_ -> class."""
    out = []
    for key, value in values.items():
        name = key.rstrip("_").replace("_", "-")
        if value is None or value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(out)


def el(tag: str, content: Any = "", **values: Any) -> Html:
    return Html(f"<{tag}{attrs(**values)}>{esc(content)}</{tag}>")


def link(href: str, text: Any, **values: Any) -> Html:
    return el("a", text, href=href, **values)


def external(href: str, text: Any) -> Html:
    # Marked so the stylesheet can show an outward arrow; the text names the target.
    return el("a", text, href=href, rel="noopener", class_="poems-external")


def ul(items: Iterable[Any], **values: Any) -> Html:
    items = list(items)
    if not items:
        return Html("")
    return el("ul", join(el("li", i) for i in items), **values)


class Cell:
    """A table cell with an optional sort key (tablesort reads data-sort)."""

    def __init__(self, content: Any, sort: Any = None, header: bool = False, **values: Any):
        self.content, self.sort, self.header, self.values = content, sort, header, values

    def render(self) -> Html:
        if self.header:
            return el("th", self.content, scope="row", data_sort=self.sort, **self.values)
        return el("td", self.content, data_sort=self.sort, **self.values)


class Column:
    def __init__(self, title: str, numeric: bool = False, nosort: bool = False, filter: bool = False):
        self.title, self.numeric, self.nosort, self.filter = title, numeric, nosort, filter

    def render(self) -> Html:
        values: dict[str, Any] = {"scope": "col"}
        if self.numeric:
            values["data_sort_method"] = "number"
        if self.nosort:
            values["data_sort_method"] = "none"
        if self.filter:
            values["data_filter"] = True
        return el("th", self.title, **values)


def table(columns: list[Column | str], rows: Iterable[list[Any]], caption: Any = None,
          search: bool = False, **values: Any) -> Html:
    """A header-row table without a class attribute, so Material styles it and the
    documented tablesort recipe (tables without a class) makes it sortable.
    Tables are left out of the search index unless `search` is set."""
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    head = el("thead", el("tr", join(c.render() for c in cols)))
    body_rows = []
    for row in rows:
        cells = [c if isinstance(c, Cell) else Cell(c) for c in row]
        body_rows.append(el("tr", join(c.render() for c in cells)))
    cap = el("caption", caption) if caption is not None else ""
    extra = {"data_search_exclude": True} if not search else {}
    # One join over every piece: nesting el() calls would copy a big table once per level.
    return Html("".join([f"<table{attrs(**extra, **values)}>", cap, head, "<tbody>", *body_rows, "</tbody></table>"]))


def badge(kind: str, text: str, title: str | None = None) -> Html:
    """A labelled badge: its words carry the meaning, colour only repeats it."""
    return el("span", text, class_=f"poems-badge poems-badge--{kind}", title=title)


def block(*parts: Any) -> str:
    """A raw HTML block for a Markdown page: blank lines around it, none inside."""
    return "".join(["\n", *(esc(p) for p in parts if p), "\n"])
