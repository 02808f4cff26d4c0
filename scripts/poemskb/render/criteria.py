"""The diagnostic criteria page: each source's list side by side, attributed.

Sources disagree (which items are minor criteria, which are grouped), so nothing is
merged: each column is one record's list in its source's order."""
from __future__ import annotations

from .. import sitenames
from . import fmt, links
from .context import Site
from .html import Cell, el, esc, fmt as h, join, link, table
from .page import Page, para


def render_criteria(site: Site) -> Page:
    path = links.CRITERIA
    page = Page(path, sitenames.CRITERIA_TITLE)
    records = sorted(site.kb.criteria)
    page.html(para(f"{len(records)} lists of diagnostic criteria for POEMS syndrome, each exactly as one source gives it. "
                   "They differ; the table shows them side by side and each list's notes say how."))
    page.h(2, "Side by side", sitenames.SIDE_BY_SIDE)
    groups = []
    for cid in records:
        for g in site.kb.criteria[cid]["groups"]:
            if g["name"] not in groups:
                groups.append(g["name"])
    order = site.kb.schemas.documents["criteria"]["properties"]["groups"]["items"]["properties"]["name"]["enum"]
    groups.sort(key=order.index)
    rows = []
    for name in groups:
        cells = [Cell(fmt.label(name), header=True)]
        for cid in records:
            group = next((g for g in site.kb.criteria[cid]["groups"] if g["name"] == name), None)
            if group is None:
                cells.append(el("span", "No such group in this list", class_="poems-missing"))
                continue
            need = "all" if group["required_count"] == "all" else f"at least {group['required_count']}"
            items = el("ol", join(el("li", i["text"]) for i in group["items"]))
            cells.append(join([el("p", f"Required: {need}"), items]))
        rows.append(cells)
    columns = ["Group"] + [site.kb.criteria[cid]["name"] for cid in records]
    page.html(table(columns, rows, caption="Diagnostic criteria by source", data_nosort=True))
    for cid in records:
        c = site.kb.criteria[cid]
        page.h(2, c["name"], cid)
        sid = c["source"]["study"]
        source = link(links.href(path, links.study_page(sid)), site.study_label(sid)) if sid in site.kb.studies else esc(sid)
        parts = [h("<p><strong>Source:</strong> {}, {}.</p>", source, fmt.locator(c["source"]["locator"]))]
        if c.get("attributed_to"):
            parts.append(h("<p><strong>Attributed to:</strong> {}</p>", c["attributed_to"]))
        parts.append(h("<p><strong>Rule:</strong> {}</p>", c["rule"]))
        if c.get("differences"):
            parts.append(h("<p><strong>How it differs:</strong> {}</p>", c["differences"]))
        notes = [(i["text"], i["note"]) for g in c["groups"] for i in g["items"] if i.get("note")]
        if notes:
            parts.append(el("ul", join(h("<li>{}: {}</li>", text, note) for text, note in notes)))
        page.html(join(parts))
    return page
