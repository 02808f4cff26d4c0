"""The outcome measures page: the vocabulary, each term's definition and its source."""
from __future__ import annotations

from .. import sitenames
from . import fmt, links, names
from .all_outcomes import measure_href
from .context import Site
from .html import Cell, el, esc, join, link, table
from .page import Page, para


def render_measures(site: Site) -> Page:
    path = links.MEASURES
    page = Page(path, sitenames.MEASURES_TITLE)
    page.html(para("The outcomes studies report, grouped by what they concern. Studies often define a response in "
                   "their own way; each definition says where it comes from, and 'not seen' means no definition was "
                   "found on any page read."))
    reported = site.measures_reported()
    compared = {row.measure for row in site.treatment_rows}
    domains = site.kb.schemas.enum("measure", "properties", "domain")
    for domain in domains:
        members = sorted((mid for mid, m in site.kb.measures.items() if m["domain"] == domain),
                         key=lambda mid: site.kb.measures[mid]["name"].lower())
        if not members:
            continue
        page.h(2, fmt.label(domain), sitenames.domain_anchor(domain))
        for mid in members:
            m = site.kb.measures[mid]
            page.h(3, m["name"], mid)
            page.html(_measure(site, mid, path, reported.get(mid, []), mid in compared))
    return page


def _measure(site: Site, mid: str, path: str, studies: list[str], compared: bool = False):
    m = site.kb.measures[mid]
    src = m["definition_source"]
    if src["status"] == "stated":
        sid = src["study"]
        source = join([link(links.href(path, links.study_page(sid)), site.study_label(sid)) if sid in site.kb.studies else esc(sid),
                       esc(f", {fmt.locator(src.get('locator'))}")])
    elif src["status"] == "per-study":
        source = esc("Each study uses its own definition.")
    else:
        source = join([el("span", "Not seen", class_="poems-badge poems-badge--unknown"), esc(" No definition was seen on any page read.")])
    if src.get("note"):
        source = join([source, esc(f" {src['note']}")])
    better = {True: "Higher is better", False: "Lower is better", None: "Neither"}[m.get("higher_is_better")]
    rows = [[Cell("Definition", header=True), m["definition"]],
            [Cell("Definition source", header=True), source]]
    if m.get("plain_name"):
        rows.append([Cell("In plain language", header=True), m["plain_name"]])
    rows.append([Cell("Reported as", header=True), ", ".join(fmt.words(t) for t in m["value_types"])])
    rows.append([Cell("Direction", header=True), better])
    reported = join([link(links.href(path, links.study_page(s)), site.study_label(s)) for s in studies], ", ") if studies else esc("No study yet")
    rows.append([Cell("Reported by", header=True), reported])
    if compared:  # a treatment result somewhere: its figures side by side, regimen by regimen
        rows.append([Cell("Compare regimens", header=True),
                     link(measure_href(site, path, mid), f"Every {m['name']} figure by regimen")])
    return join([para(m["definition"]), names.also_known_as(site, m, path), names.measure_search_words(m), table(["Item", "Value"], rows, caption=f"{m['name']}: details", data_nosort=True)])
