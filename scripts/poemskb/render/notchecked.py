"""The overview of what could not be checked (generated/not-checked.md): every study with
a fact not known or not confirmed, or read from its abstract only, with the counts and
a link to the study page's own list ("What could not be checked"). The items themselves
are describe.open_items, the same words the study pages and the downloads use."""
from __future__ import annotations

from collections import Counter

from ..describe import open_items
from . import links
from .context import Site
from .html import Cell, Column, el, join, link, table
from .page import Page, para

PATH = links.NOT_CHECKED


def render_not_checked(site: Site) -> Page:
    page = Page(PATH, "What we could not check")
    names = {m: r["name"] for m, r in site.kb.measures.items()}
    rows, reasons = [], Counter()
    counts = {"open": 0, "abstract": 0}
    order = sorted(site.kb.studies, key=lambda sid: site.study_label(sid).casefold())
    for sid in order:
        s = site.kb.studies[sid]
        items = open_items(s, names)
        abstract = bool(s.get("outcomes")) and site.abstract_only(sid)
        if not items and not abstract:
            continue
        counts["open"] += bool(items)
        counts["abstract"] += abstract
        reasons.update(i["reason"] for i in items)
        unknown = sum(1 for i in items if i["status"] == "unknown")
        citation = sum(1 for i in items if i["status"] == "unverified" and i["part"] != "figure")
        figures = sum(1 for i in items if i["part"] == "figure")
        rows.append([Cell(link(links.href(PATH, links.study_page(sid), "verification"), site.study_label(sid)),
                          sort=site.study_label(sid).casefold(), header=True),
                     "abstract or a weaker copy" if site.abstract_only(sid) else "full text",
                     Cell(str(unknown), sort=unknown), Cell(str(citation), sort=citation), Cell(str(figures), sort=figures),
                     Cell(str(len(items)), sort=len(items))])
    total = len(site.kb.studies)
    page.html(para("Some facts in the records could not be checked on the publication itself: the curators saw them "
                   "only on a copy (a mirror, an index page, another paper citing it), or did not see them at all. The "
                   "site marks each such fact where it stands (Unverified or Unknown) and says why. This page lists "
                   "every study with such facts, and every study whose figures come from its abstract alone, so a "
                   "reviewer can weigh them; each study's page lists the facts and the reasons."),
              para(f"{counts['open']} of {total} studies have facts that are not known or not confirmed; "
                   f"{counts['abstract']} of {total} report figures read from the abstract (or a weaker copy) only."))
    if not rows:
        page.html(para("Every fact in every study was seen on the source named in its check."))
        return page
    page.html(table(["Study", "What was read", Column("Not known", numeric=True), Column("Citation details not confirmed", numeric=True),
                     Column("Figures not confirmed", numeric=True), Column("All open items", numeric=True)], rows,
                    caption="Studies with facts that could not be checked (select a heading to sort)", labels=True))
    if reasons:
        page.h(2, "The most common reasons", "reasons")
        page.html(el("ul", join(el("li", join([reason, f" ({n} fact{'s' if n != 1 else ''})"])) for reason, n in _top(reasons))))
    return page


def _top(reasons: Counter, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent reasons, ties in alphabetical order (the page is byte-stable)."""
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

