"""Review-level findings, each with the dates of its searches and what came after."""
from __future__ import annotations

from .. import sitenames
from . import fmt, links
from .context import Site
from .html import Cell, el, esc, fmt as h, join, link, table, ul
from .page import Page, para


def current_findings(site: Site, kind: str | None = None) -> list[str]:
    """Findings not superseded by a later one (optionally of one kind)."""
    superseded = {f.get("supersedes") for f in site.kb.findings.values()}
    return [fid for fid, f in site.kb.findings.items()
            if fid not in superseded and (kind is None or f["kind"] == kind)]


def render_findings(site: Site) -> Page:
    path = links.FINDINGS
    page = Page(path, sitenames.FINDINGS_TITLE)
    page.html(para("Conclusions of reviews and expert papers. Each says how current it is: a finding covers only "
                   "the evidence its searches could find."))
    for fid, f in sorted(site.kb.findings.items(), key=lambda kv: kv[1].get("current_to") or kv[1].get("published") or "", reverse=True):
        page.h(2, f"{fmt.label(f['kind'])}: {site.study_label(f['source']['study'])}", fid)
        page.html(finding_block(site, fid, path))
    return page


def _study(site: Site, path: str, sid: str):
    return link(links.href(path, links.study_page(sid)), site.study_label(sid)) if sid in site.kb.studies else esc(sid)


def finding_block(site: Site, fid: str, path: str, brief: bool = False):
    f = site.kb.findings[fid]
    parts = [el("p", f["statement"])]
    sid = f["source"]["study"]
    parts.append(h("<p><strong>Source:</strong> {}, {}.</p>", _study(site, path, sid), fmt.locator(f["source"]["locator"])))
    if sid in site.kb.studies:
        # A recommendation weighs differently from a consensus guideline than from one
        # expert's review: name the kind of source beside it.
        parts.append(h("<p><strong>Kind of source:</strong> {}.</p>", site.design_label(site.kb.studies[sid]["design"])))
    if f.get("current_to"):
        parts.append(h("<p><strong>Current to:</strong> {} (its latest search).</p>", fmt.date(f["current_to"])))
    else:
        # A guideline's or expert's advice often states no search date: say so, so its
        # publication date is not mistaken for the end of a literature search.
        parts.append(el("p", join([el("strong", "Current to:"), esc(" no search date is given; judge it by when it was published.")])))
    if f.get("published"):
        parts.append(h("<p><strong>Published:</strong> {}.</p>", fmt.date(f["published"])))
    if brief:
        return join(parts)
    parts.append(h("<p><strong>Scope:</strong> {}</p>", f["scope"]))
    if f.get("searches"):
        rows = [[Cell(s["database"], header=True), fmt.date(s.get("from")) or "–", fmt.date(s["to"]), s.get("edition", "")] for s in f["searches"]]
        parts.append(table(["Database", "From", "To", "Edition"], rows, caption="Searches", data_nosort=True))
    if f.get("supersedes"):
        parts.append(h("<p>Updates the earlier finding {}.</p>", link(links.href(path, links.FINDINGS, f["supersedes"]), f["supersedes"])))
    if f.get("later_evidence"):
        parts.append(el("p", el("strong", "Evidence published since:")))
        parts.append(ul(join([_study(site, path, l["study"]), esc(f": {l['effect']}")]) for l in f["later_evidence"]))
    return join(parts)
