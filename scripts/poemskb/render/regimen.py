"""A page per regimen (generated/regimens/<id>.md) and the regimens index."""
from __future__ import annotations

from ..sitenames import forest_anchor

from . import fmt, links, names
from .context import SAFETY_DOMAIN, MapCell, OutcomeRow, Site
from .html import Cell, Column, Html, Row, el, esc, fmt as h, join, link, table
from .forest import forest_figure, legend, plot_rows
from .matrix import row_data
from .population import interval_html, is_mixed, population_label, regimen_label
from .page import Page, para
from .sof import sof_link


def render_regimen(site: Site, rid: str) -> Page:
    r = site.kb.regimens[rid]
    path = links.regimen_page(rid)
    title = r["name"] + (f" ({r['short_name']})" if r.get("short_name") else "")
    page = Page(path, title)
    page.search_title = title
    intro = [para(r["summary"]), h("<p><strong>In plain language:</strong> {}</p>", r["plain_summary"])]
    intro += [names.also_known_as(site, r, path), names.regimen_search_words(r)]
    intro.append(para(f"Category: {fmt.words(r['category'])}."))
    page.html(join(intro))
    page.h(2, "Components and doses", "components").html(_components(site, rid, path))
    page.h(2, "Studies that used it", "studies").html(_studies(site, rid, path))
    page.h(2, "How its evidence compares", "evidence").html(_evidence(site, rid, path), sof_link(site, rid, path))
    rows = site.rows_for_regimen(rid)  # treatment results only: associations stay on study pages
    efficacy = [row for row in rows if site.measure_domain(row.measure) != SAFETY_DOMAIN]
    safety = [row for row in rows if site.measure_domain(row.measure) == SAFETY_DOMAIN]
    page.h(2, "Every outcome reported", "outcomes").html(
        outcome_table(site, efficacy, path, "Outcomes reported for this regimen across studies", show_regimen=False)
        if efficacy else para("No study in the knowledge base reports an outcome for this regimen."))
    page.h(2, "Forest plots", "forest-plots").html(_forest_plots(site, rid, rows, path))
    page.h(2, "Adverse events and safety", "adverse-events").html(
        outcome_table(site, safety, path, "Adverse events and safety outcomes reported for this regimen", show_regimen=False)
        if safety else para("No study in the knowledge base reports adverse events for this regimen."))
    _cite_this_record(site, page, rid, path)
    page.html(_actions(site, rid, path))
    return page


def _forest_plots(site: Site, rid: str, rows: list[OutcomeRow], path: str) -> Html:
    """One plot per outcome measure with at least one proportion, in measure order."""
    by_measure: dict[str, list[OutcomeRow]] = {}
    for row in rows:
        by_measure.setdefault(row.measure, []).append(row)
    figures = []
    for mid in sorted(by_measure, key=lambda m: (site.measure_domain(m) == SAFETY_DOMAIN, site.measure_name(m).lower())):
        drawn, left_out = plot_rows(site, by_measure[mid], path, show_regimen=False)
        if drawn:
            figures.append(forest_figure(drawn, left_out, f"{site.measure_name(mid)} with {site.regimen_label(rid)}",
                                         forest_anchor(mid), path, data_measure=mid))
    if not figures:
        return para("No study reports a proportion (a count or a percentage) for this regimen, so there is nothing to plot.")
    return join([legend(path), *figures])


def _actions(site: Site, rid: str, path: str) -> Html:
    from .study import record_actions

    return record_actions(site, "regimen", rid, path)


def _cite_this_record(site: Site, page: Page, rid: str, path: str) -> None:
    """'Cite this record' and the page-head citation metadata (render/cite.py)."""
    from . import cite

    page.front.update(cite.regimen_head(site, rid))
    page.h(2, "Cite this record", "how-to-cite").html(cite.cite_section(site, "regimen", rid, path), search=False)


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
        h("<p>Compare with the other regimens on the {} and in the {}.</p>",
          link(links.href(path, links.COMPARISON, "evidence-map"), "evidence map"),
          link(links.href(path, links.ALL_OUTCOMES), "table of every outcome by regimen")),
    ])


def outcome_table(site: Site, rows: list[OutcomeRow], path: str, caption: str, show_regimen: bool = True, **values) -> Html:
    """The regimen × outcome table: one row per reported outcome (an arm × measure figure).
    The columns a reader compares on come first and stay narrow enough to fit a laptop
    screen; each cell carries its column's name (data-label) for the phone card layout,
    and each row its filter values (data-*) for the comparison page's filters."""
    columns = []
    if show_regimen:
        columns.append(Column("Regimen", filter=True))  # filter: the measure pages' select box (table-filter.js)
    columns += [Column("Measure"), "Value (95% interval)", Column("n", numeric=True), "Population", "Study and group",
                Column("Design level"), "Status", "Where in the source"]
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
        ci = interval_html(row, path)
        status = (fmt.status_badge("unverified", o.get("reason")) if row.unverified
                  else el("span", "Verified", class_="poems-verified"))
        follow = fmt.follow_up(s.get("follow_up"))
        cells = []
        if show_regimen:
            label = regimen_label(site, row)
            regimen = (link(links.href(path, links.regimen_page(row.regimen)), label)
                       if row.regimen in site.kb.regimens and not is_mixed(row) else el("span", label, class_="poems-mixed"))
            cells.append(Cell(regimen, sort=label))
        when = fmt.timepoint(o.get("timepoint"))
        cells += [
            Cell(join([link(links.href(path, links.MEASURES, row.measure), site.measure_name(row.measure)),
                       el("span", when, class_="poems-sub") if when else ""]), sort=site.measure_name(row.measure)),
            Cell(join([el("span", value, class_="poems-value"), el("span", ci, class_="poems-sub") if ci else ""]),
                 sort=fmt.sort_key(o["value"])),
            Cell(fmt.n_text(row.n) if row.n is not None else "–", sort=row.n if row.n is not None else ""),
            population_label(row),
            Cell(join([link(links.href(path, links.study_page(row.study), "outcomes"), site.study_label(row.study)),
                       el("span", group, class_="poems-sub"),
                       el("span", f"Follow-up {follow}", class_="poems-sub") if follow else ""]),
                 sort=site.study_label(row.study)),
            Cell(f"{site.level_label(row.study)}: {site.design_label(s['design'])}", sort=site.level(row.study)),
            status, fmt.locator(o["locator"], checks, site.study_labels),
        ]
        out.append(Row(cells, **row_data(site, row)))
    return table(columns, out, caption=caption, labels=True, **values)


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
