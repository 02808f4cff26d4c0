"""What the site search reads from one built page: its result title, its text by field
(title, headings, body, each with a weight) and a short summary for the results list.
Read from the HTML MkDocs or Zensical wrote, with the standard library's parser, so the
index is the same whichever generator built the site.

Left out, as a reader would not search for it: the theme's chrome (header, navigation,
footer, the notice bar, heading anchors), scripts and styles, drawings, forms, and
whatever a renderer marked data-search-exclude (the tables that grow with the knowledge
base, provenance sections). An element's data-search-weight multiplies the weight of
the words inside it (the hidden other names of a regimen, render/names.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose content is never indexed.
SKIP_TAGS = {"script", "style", "svg", "noscript", "template", "form", "button", "head", "title", "select", "nav"}
# Classes of theme chrome (Material, and Zensical's theme, which keeps its class names).
SKIP_CLASSES = {"md-header", "md-banner", "md-sidebar", "md-footer", "md-nav", "md-skip", "md-top",
                "md-source-file", "headerlink", "md-tabs", "md-search", "md-dialog", "md-consent"}
SKIP_IDS = {"poems-search"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param"}
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
# Tags after which text is a new phrase (a space is put between them).
BREAKS = {"p", "div", "li", "td", "th", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "section",
          "article", "table", "caption", "figcaption", "blockquote", "pre", "ul", "ol", "details", "summary"}
SUMMARY_CHARS = 160


@dataclass
class PageText:
    title: str = ""  # the page's search title (a record's label), else its h1
    h1: str = ""
    headings: list[str] = field(default_factory=list)
    # (text, weight) pieces of the body, in page order
    body: list[tuple[str, float]] = field(default_factory=list)
    summary: str = ""  # the first visible text after the h1


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageText()
        self.stack: list[tuple[str, bool, float, bool]] = []  # (tag, skipped, weight, hidden)
        self.open: dict[str, int] = {}  # how many of each tag the stack holds
        self.heading: list[str] | None = None
        self.heading_tag = ""
        self.after_h1 = False
        self.summary: list[str] = []

    @property
    def skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @property
    def weight(self) -> float:
        return self.stack[-1][2] if self.stack else 1.0

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][3]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "poems-search-title" and not self.page.title:
            self.page.title = (a.get("content") or "").strip()
        if tag in VOID:
            return
        classes = set((a.get("class") or "").split())
        skipped = (self.skipped or tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or a.get("id") in SKIP_IDS
                   or "data-search-exclude" in a)
        weight = self.weight
        try:
            weight *= float(a.get("data-search-weight") or 1)
        except ValueError:
            pass
        self.stack.append((tag, skipped, weight, self.hidden or "hidden" in a))
        self.open[tag] = self.open.get(tag, 0) + 1
        if skipped:
            return
        if tag == "h1" or tag in HEADINGS:
            self.heading, self.heading_tag = [], tag
        if tag in BREAKS:
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.open.get(tag):
            return  # a stray end tag: ignored, as a browser does
        while self.stack:  # elements left open inside it close with it
            top, skipped, _, _ = self.stack.pop()
            self.open[top] -= 1
            if top == tag:
                break
        if skipped or self.skipped:
            return
        if tag == self.heading_tag and self.heading is not None:
            text = " ".join("".join(self.heading).split())
            if tag == "h1" and not self.page.h1:
                self.page.h1 = text
                self.after_h1 = True
            elif tag != "h1":
                self.page.headings.append(text)
            self.heading = None
        if tag in BREAKS:
            self._text(" ")

    def handle_data(self, data: str) -> None:
        if self.skipped:
            return
        if self.heading is not None:
            self.heading.append(data)
            return
        self._text(data)

    def _text(self, data: str) -> None:
        body = self.page.body
        if body and body[-1][1] == self.weight:
            body[-1] = (body[-1][0] + data, self.weight)
        else:
            body.append((data, self.weight))
        if self.after_h1 and not self.hidden and sum(map(len, self.summary)) < SUMMARY_CHARS * 2:
            self.summary.append(data)


def read_page(html: str) -> PageText:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.title = " ".join(page.title.split()) or page.h1
    page.body = [(" ".join(text.split()), w) for text, w in page.body if text.strip()]
    page.summary = shorten(" ".join("".join(reader.summary).split()), SUMMARY_CHARS)
    return page


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"
