"""Generated parts of the hand-written home page (docs/index.md includes them)."""
from __future__ import annotations

from . import fmt, links
from .context import Site, count_patients
from .findings import current_findings
from .html import Cell, Column, badge, el, fmt as h, join, link, table
from .page import Partial, para

HOME_PARTIAL = f"{links.GENERATED}/partials/home.md"


def render_home(site: Site, downloads: list[str]) -> Partial:
    host = links.HOME
    part = Partial(HOME_PARTIAL, host)
    kb = site.kb
    part.html(el("p", join([
        badge("release", f"Release {site.release} ({fmt.date(site.release_date)})" if site.edition.is_release and site.release_date
              else f"Version {site.release}"), " ",
        badge("date", f"Newest record curated {fmt.date(site.newest_curation)}"),
    ]), class_="poems-badges"), para(
        f"{len(kb.studies)} studies, {len(kb.regimens)} regimens, {len(kb.measures)} outcome measures, "
        f"{len(kb.findings)} review findings and {len(kb.criteria)} lists of diagnostic criteria. "
        "Every page is generated from these records."))
    part.h(2, "Randomised evidence: then and now", "randomised-evidence")
    part.html(_headline(site, host))
    part.h(2, "The evidence at a glance", "at-a-glance")
    part.html(_by_design(site, host))
    part.html(_by_regimen(site, host))
    if downloads:
        part.html(h("<p>Download the data: {}.</p>", link(links.href(host, links.DOWNLOADS), "tables and the whole knowledge base as files")))
    return part


def _headline(site: Site, host: str):
    """The newest 'no trials found' finding beside what was published after its search."""
    blocks = []
    for fid in current_findings(site, "no-trials-found"):
        f = site.kb.findings[fid]
        src = f["source"]["study"]
        when = fmt.date(f.get("current_to")) or "its search"
        then = join([
            el("h3", f"At the search ({when})"),
            el("p", f["statement"]),
            h("<p>Source: {}, searches current to {}. {}</p>",
              link(links.href(host, links.study_page(src)), site.study_label(src)), when,
              link(links.href(host, links.FINDINGS, fid), "Details of the searches")),
        ])
        later = []
        for item in f.get("later_evidence", []):
            sid = item["study"]
            s = site.kb.studies.get(sid)
            if s is None:
                continue
            later.append(join([
                el("p", join([badge("design", site.design_label(s["design"])), " ", badge("level", site.level_label(sid))]), class_="poems-badges"),
                el("p", join([link(links.href(host, links.study_page(sid)), f"{site.study_label(sid)}: {site.study_title(sid)}")])),
                el("p", item["effect"]),
            ]))
        since = join([el("h3", "Published since"), join(later) if later else el("p", "Nothing recorded yet.")])
        blocks.append(el("div", join([el("section", then, class_="poems-then"), el("section", since, class_="poems-since")]),
                         class_="poems-split"))
    return join(blocks) if blocks else para("No review finding about missing trials is recorded.")


def _by_design(site: Site, host: str):
    rows = []
    for design, count in site.counts_by_design.items():
        if not count:
            continue
        sids = [sid for sid, s in site.kb.studies.items() if s["design"] == design]
        level = site.kb.schemas.evidence_levels[design]
        cell = count_patients({sid: site.kb.studies[sid]["population"].get("n") for sid in sids}, site.kb.overlaps)
        patients = "–" if level == "review" else str(cell.patients) + (" (a shared cohort counted once)" if cell.merged else "")
        rows.append([Cell(site.design_label(design), header=True),
                     Cell("Review" if level == "review" else f"Level {level}", sort=level),
                     Cell(str(count), sort=count), Cell(patients, sort=cell.patients)])
    return table(["Design", "Evidence level", Column("Studies", numeric=True), Column("Patients", numeric=True)], rows,
                 caption=h("Studies by design (levels are explained in the {})", link(links.href(host, links.METHODS, "evidence-levels"), "methods")))


def _by_regimen(site: Site, host: str):
    from .regimen import cell_text

    rows = []
    for rid in sorted(site.kb.regimens, key=lambda r: site.regimen_label(r).lower()):
        total = site.evidence_cell(rid)
        designs = [f"{site.design_label(d).lower()}: {len(site.evidence_cell(rid, d).studies)}"
                   for d in site.primary_designs if site.evidence_cell(rid, d).studies]
        rows.append([Cell(link(links.href(host, links.regimen_page(rid)), site.regimen_label(rid)), header=True, sort=site.regimen_label(rid)),
                     site.kb.regimens[rid]["name"], Cell(cell_text(total) or "none yet", sort=len(total.studies)),
                     "; ".join(designs) or "–"])
    return join([
        table(["Regimen", "Name", "Studies and patients", "Studies by design"], rows, caption="Studies by regimen"),
        h("<p>See the {} and the {}.</p>", link(links.href(host, links.COMPARISON, "evidence-map"), "evidence map by regimen and design"),
          link(links.href(host, links.ALL_OUTCOMES), "table of every outcome by regimen")),
    ])
