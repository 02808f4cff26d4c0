"""A page per regimen (generated/regimens/<id>.md) and the regimens index."""
from __future__ import annotations

from . import fmt, links
from .context import SAFETY_DOMAIN, MapCell, OutcomeRow, Site
from .html import Cell, Column, Html, el, esc, fmt as h, join, link, table
from .page import Page, para
from .sof import sof_link


def render_regimen(site: Site, rid: str) -> Page:
    r = site.kb.regimens[rid]
    path = links.regimen_page(rid)
    title = r["name"] + (f" ({r['short_name']})" if r.get("short_name") else "")
    page = Page(path, title)
    intro = [para(r["summary"]), h("<p><strong>In plain language:</strong> {}</p>", r["plain_summary"])]
    if r.get("aliases"):
        intro.append(para("Also called: " + ", ".join(r["aliases"]) + "."))
    intro.append(para(f"Category: {fmt.words(r['category'])}."))
    page.html(join(intro))
    page.h(2, "Components and doses", "components").html(_components(site, rid, path))
    page.h(2, "Studies that used it", "studies").html(_studies(site, rid, path))
    page.h(2, "How its evidence compares", "evidence").html(_evidence(site, rid, path), sof_link(site, rid, path))
    rows = site.rows_for_regimen(rid)
    efficacy = [row for row in rows if site.measure_domain(row.measure) != SAFETY_DOMAIN]
    safety = [row for row in rows if site.measure_domain(row.measure) == SAFETY_DOMAIN]
    page.h(2, "Every outcome reported", "outcomes").html(
        outcome_table(site, efficacy, path, "Outcomes reported for this regimen across studies", show_regimen=False)
        if efficacy else para("No study in the knowledge base reports an outcome for this regimen."))
    page.h(2, "Adverse events and safety", "adverse-events").html(
        outcome_table(site, safety, path, "Adverse events and safety outcomes reported for this regimen", show_regimen=False)
        if safety else para("No study in the knowledge base reports adverse events for this regimen."))
    page.h(2, "How to cite this record", "how-to-cite").html(
        el("p", _cite(site, rid), class_="poems-cite-record"))
    return page


def _cite(site: Site, rid: str) -> str:
    from .study import how_to_cite_text

    return how_to_cite_text(site, "regimen", rid, "regimens")


def _source(site: Site, path: str, source: dict | None) -> Html:
    if not source:
        return el("span", "No source study named", class_="poems-missing")
    sid = source["study"]
    target = link(links.href(path, links.study_page(sid)), site.study_label(sid)) if sid in site.kb.studies else esc(sid)
    return join([target, esc(f", {fmt.locator(source['locator'])}")])


def _components(site: Site, rid: str, path: str) -> Html:
    rows = []
    for phase in site.kb.regimens[rid]["phases"]:
        cycle = []
        if phase.get("cycle_length_days"):
            cycle.append(f"{phase['cycle_length_days']}-day cycles")
        if phase.get("cycles"):
            cycle.append(f"{phase['cycles']} cycles")
        if phase.get("cycles_note"):
            cycle.append(phase["cycles_note"])
        for comp in phase["components"]:
            dose = fmt.dose(comp["dose"])
            if comp["dose"].get("note"):
                dose += f". {comp['dose']['note']}"
            schedule = "; ".join(x for x in (fmt.days(comp.get("days")), comp.get("frequency", ""), comp.get("note", "")) if x)
            rows.append([Cell(fmt.label(phase["phase"]), header=True), comp["agent"], dose,
                         fmt.words(comp.get("route", "")), schedule, "; ".join(cycle),
                         _source(site, path, comp.get("source") or phase.get("source"))])
    return join([
        table(["Phase", "Agent", "Dose", "Route", "Days or schedule", "Cycles", "Source of the dose"], rows,
              caption="Components, with the study each dose is taken from", data_nosort=True),
        para("Studies that changed these doses record their own doses on their arms; see each study's page."),
    ])


def _studies(site: Site, rid: str, path: str) -> Html:
    rows = []
    for sid, arm in site.kb.arms_by_regimen.get(rid, []):
        rows.append(_study_row(site, path, sid, arm, "Defining regimen of the arm"))
    for sid, arm, step in site.kb.steps_by_regimen.get(rid, []):
        rows.append(_study_row(site, path, sid, arm, f"A step ({step['role']}) of the arm"))
    if not rows:
        return para("No study in the knowledge base has an arm with this regimen.")
    return table(["Study", "Design", "Evidence level", "Arm", Column("Patients in arm", numeric=True), "How it was used"],
                 rows, caption="Studies with an arm that used this regimen")


def _study_row(site: Site, path: str, sid: str, arm: dict, use: str) -> list:
    s = site.kb.studies[sid]
    return [Cell(link(links.href(path, links.study_page(sid)), site.study_label(sid)), sort=site.study_label(sid), header=True),
            site.design_label(s["design"]), Cell(site.level_label(sid), sort=site.level(sid)), arm["label"],
            Cell(fmt.n_text(arm.get("n")), sort=arm.get("n") or 0), use]


def cell_text(cell: MapCell) -> str:
    if not cell.studies:
        return ""
    n = len(cell.studies)
    text = f"{n} stud{'y' if n == 1 else 'ies'}, {cell.patients_text()}"
    notes = []
    if cell.merged:
        notes.append(f"{len(cell.merged)} shared cohort counted once")
    if cell.possible:
        notes.append(f"{len(cell.possible)} possible overlap not subtracted")
    if cell.unknown_n:
        notes.append(f"{len(cell.unknown_n)} arm size not given")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _evidence(site: Site, rid: str, path: str) -> Html:
    rows = []
    for design in site.primary_designs:
        cell = site.evidence_cell(rid, design)
        if cell.studies:
            rows.append([Cell(site.design_label(design), header=True), f"Level {site.kb.schemas.evidence_levels[design]}", cell_text(cell)])
    total = site.evidence_cell(rid)
    if not rows:
        return para("No primary study in the knowledge base used this regimen.")
    rows.append([Cell("All designs", header=True), "", cell_text(total)])
    return join([
        table(["Design", "Evidence level", "Studies and patients"], rows, caption="Evidence for this regimen by design", data_nosort=True),
        h("<p>Compare with the other regimens on the {}.</p>", link(links.href(path, links.COMPARISON, "evidence-map"), "evidence map")),
    ])


def outcome_table(site: Site, rows: list[OutcomeRow], path: str, caption: str, show_regimen: bool = True, **values) -> Html:
    """The regimen × outcome table: one row per reported outcome (an arm × measure figure)."""
    columns = []
    if show_regimen:
        columns.append(Column("Regimen", filter=True))
    columns += [Column("Measure", filter=True), "Value as reported", Column("n", numeric=True), "Arm or group",
                "Time point", "Study", "Design", "Follow-up", "Where in the source", "Status"]
    out = []
    for row in rows:
        o, s = row.outcome, site.kb.studies[row.study]
        checks = {c["id"]: c for c in s["provenance"]["checks"]}
        group = row.arm["label"] if row.arm else "Whole study population (all arms)"
        if row.step_of:
            group += f" (after the {site.regimen_label(row.regimen)} step of a {site.regimen_label(row.step_of)} arm)"
        detail = "; ".join(x for x in (o.get("subgroup"), f"grade {o['grade']}" if o.get("grade") else "") if x)
        if detail:
            group += f"; {detail}"
        value = fmt.value_text(o["value"])
        p = fmt.p_text(o.get("p"), {a["id"]: a["label"] for a in s.get("arms", [])})
        if p:
            value += f"; {p}"
        status = (fmt.status_badge("unverified", o.get("reason")) if row.unverified
                  else el("span", "Verified", class_="poems-verified"))
        cells = []
        if show_regimen:
            regimen = (link(links.href(path, links.regimen_page(row.regimen)), site.regimen_label(row.regimen))
                       if row.regimen in site.kb.regimens else esc(site.regimen_label(row.regimen)))
            cells.append(Cell(regimen, sort=site.regimen_label(row.regimen), data_value=site.regimen_label(row.regimen)))
        cells += [
            Cell(link(links.href(path, links.MEASURES, row.measure), site.measure_name(row.measure)),
                 sort=site.measure_name(row.measure), data_value=site.measure_name(row.measure)),
            Cell(value, sort=fmt.sort_key(o["value"])),
            Cell(fmt.n_text(row.n) if row.n is not None else "–", sort=row.n if row.n is not None else ""),
            group, fmt.timepoint(o.get("timepoint")),
            Cell(link(links.href(path, links.study_page(row.study), "outcomes"), site.study_label(row.study)), sort=site.study_label(row.study)),
            Cell(site.design_label(s["design"]), sort=site.level(row.study)),
            fmt.follow_up(s.get("follow_up")), fmt.locator(o["locator"], checks, site.study_labels), status,
        ]
        out.append(cells)
    return table(columns, out, caption=caption, **values)


def render_index(site: Site) -> Page:
    path = links.REGIMENS_INDEX
    page = Page(path, "Treatments")
    page.html(para("Each regimen has a page with its components and doses, the studies that used it, every outcome "
                   "reported for it and its adverse events."))
    rows = []
    for rid, r in sorted(site.kb.regimens.items(), key=lambda kv: kv[1]["name"].lower()):
        total = site.evidence_cell(rid)
        levels = sorted({site.level_rank(sid) for sid in total.studies})
        best = f"Level {levels[0]}" if levels and levels[0] < 99 else "–"
        rows.append([
            Cell(link(links.href(path, links.regimen_page(rid)), r["name"]), sort=r["name"], header=True),
            r.get("short_name", ""), fmt.words(r["category"]),
            Cell(str(len(total.studies)), sort=len(total.studies)),
            Cell(str(total.patients), sort=total.patients),
            Cell(best, sort=levels[0] if levels else 99),
        ])
    page.html(table(["Regimen", "Short name", "Category", Column("Studies", numeric=True),
                     Column("Patients", numeric=True), "Strongest design"], rows, caption="Regimens", search=True))
    page.html(para("Patients count each declared same-cohort or subset overlap once; possible overlaps are not subtracted. "
                   "A study is counted for a regimen when an arm is defined by it or uses it as one step."))
    return page
