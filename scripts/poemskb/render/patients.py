"""Generated part of the plain-language page for patients and carers (docs/patients.md)."""
from __future__ import annotations

from . import fmt, links
from .context import Site
from .html import el, esc, join, link
from .page import Partial, para

PATIENTS_PARTIAL = f"{links.GENERATED}/partials/patients.md"

# How each design is said in plain words; a design added to the schema later falls
# back to its own name.
PLAIN_DESIGN = {
    "randomised-controlled-trial": ("randomised trial", "randomised trials"),
    "prospective-single-arm": ("trial without a comparison group", "trials without a comparison group"),
    "prospective-cohort": ("planned follow-up study", "planned follow-up studies"),
    "retrospective-cohort": ("look back at past patients' records", "looks back at past patients' records"),
    "registry": ("registry study", "registry studies"),
    "case-series": ("small group of patient descriptions", "small groups of patient descriptions"),
    "case-report": ("case report (one or two patients described)", "case reports (one or two patients each)"),
    "systematic-review": ("systematic review", "systematic reviews"),
    "narrative-review": ("expert review", "expert reviews"),
    "guideline": ("guideline", "guidelines"),
}


def plain_design(design: str, count: int = 1) -> str:
    one, many = PLAIN_DESIGN.get(design, (fmt.words(design), fmt.words(design)))
    return one if count == 1 else many


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def evidence_order(site: Site) -> list[str]:
    """Regimens by the evidence behind them: the strongest design that studied them, then
    the number of patients; those no study reports on come last, alphabetically."""
    def key(rid: str):
        cell = site.evidence_cell(rid)
        strongest = min((site.level_rank(sid) for sid in cell.studies), default=100)
        return (strongest, -cell.patients, site.regimen_label(rid).lower())
    return sorted(site.kb.regimens, key=key)


def render_patients(site: Site) -> Partial:
    host = links.PATIENTS
    part = Partial(PATIENTS_PARTIAL, host)
    if site.newest_curation:
        part.html(para(f"Last reviewed: {fmt.date(site.newest_curation)}, the date of the newest change to the "
                       "evidence behind this page."))
    rcts = [sid for sid, s in site.kb.studies.items() if s["design"] == "randomised-controlled-trial"]
    studies = join([link(links.href(host, links.study_page(sid)), site.study_label(sid)) for sid in sorted(rcts)], ", ")
    part.html(el("p", join([f"Randomised trials in this collection: {len(rcts)}",
                            join([" (", studies, ")"]) if rcts else "", "."])))
    part.h(2, "The treatments", "treatments")
    part.html(para("The treatments are listed by how much evidence there is about them: first those studied in the "
                   "strongest kind of study, then by how many patients were studied. This order says nothing about "
                   "how well a treatment works, or which is right for you."))
    for rid in evidence_order(site):
        r = site.kb.regimens[rid]
        part.h(3, r["name"], f"plain-{rid}")
        cell = site.evidence_cell(rid)
        by_design: dict[str, int] = {}
        for sid in cell.studies:
            d = site.kb.studies[sid]["design"]
            by_design[d] = by_design.get(d, 0) + 1
        if by_design:
            parts = [f"{n} {plain_design(d, n)}" for d, n in sorted(by_design.items(), key=lambda kv: site.primary_designs.index(kv[0]))]
            evidence = f"It was studied in {_and(parts)}. In all: {cell.patients_text()}."
        else:
            evidence = "No study in this collection has reported on it yet."
        part.html(join([para(r["plain_summary"]), para(evidence),
                        el("p", link(links.href(host, links.regimen_page(rid)), f"The detailed page on {r['name']}"))]))
    part.h(2, "What each study found, in plain words", "studies")
    items = []
    for sid in sorted(site.kb.studies, key=lambda s: (site.level_rank(s), s)):
        s = site.kb.studies[sid]
        if not s.get("plain_summary"):
            continue
        items.append(el("li", join([
            el("strong", link(links.href(host, links.study_page(sid)), site.study_label(sid))),
            esc(f" ({plain_design(s['design'])}): {s['plain_summary']}"),
        ])))
    part.html(el("ul", join(items)))
    return part
