"""The first screen of the comparison page: a regimen × key-outcome matrix. Each cell
lists its figures with n, study, design level, population and verification status (in
words), and the independent patients behind it per population. Static HTML: every
figure is there without JavaScript; the filter script only hides what a reader
deselects, reading the data-* attributes written here."""
from __future__ import annotations

import json
from collections import defaultdict

from . import links
from .context import OutcomeRow, Site
from .html import Cell, Column, Html, Row, el, join, link, table
from .population import (LINES, MIXED, MIXED_LABEL, TRANSPLANTS, interval_html, line, patients_text, population_label,
                         population_order, population_short, regimen_key, status_key, transplant)
from ..describe import timepoint, value_text

# The outcomes a clinician compares regimens on, in the order she reads them.
KEY_MEASURES = ["haematologic-response", "haematologic-complete-response", "vegf-response", "neurologic-response",
                "progression-free-survival", "overall-survival", "treatment-related-mortality", "engraftment-syndrome"]


def key_measures(site: Site) -> list[str]:
    return [m for m in KEY_MEASURES if m in site.kb.measures]


def row_data(site: Site, row: OutcomeRow) -> dict[str, str]:
    """The data-* attributes the filter script matches, one per filter."""
    return {"data_regimen": regimen_key(row), "data_measure": row.measure, "data_line": line(row),
            "data_transplant": transplant(row), "data_design": site.kb.studies[row.study]["design"],
            "data_status": status_key(row)}


def regimen_order(site: Site, keys: set[str]) -> list[str]:
    named = sorted((k for k in keys if k != MIXED), key=lambda k: (site.regimen_label(k).lower(), k))
    return named + ([MIXED] if MIXED in keys else [])


def facets(site: Site, rows: list[OutcomeRow]) -> str:
    """The filters and their choices (value, words), as JSON for the filter script."""
    regimens = regimen_order(site, {regimen_key(r) for r in rows})
    measures = sorted({r.measure for r in rows}, key=lambda m: (KEY_MEASURES.index(m) if m in KEY_MEASURES else 99,
                                                                site.measure_name(m).lower()))
    designs = [d for d in site.kb.schemas.designs if any(site.kb.studies[r.study]["design"] == d for r in rows)]
    lines = [k for k in LINES if any(line(r) == k for r in rows)]
    transplants = [k for k in TRANSPLANTS if any(transplant(r) == k for r in rows)]
    spec = [
        {"key": "line", "label": "Line of therapy", "open": True, "options": [[k, LINES[k]] for k in lines]},
        {"key": "transplant", "label": "Transplant eligibility", "open": True,
         "options": [[k, TRANSPLANTS[k]] for k in transplants]},
        {"key": "regimen", "label": "Regimen",
         "options": [[k, MIXED_LABEL if k == MIXED else site.regimen_label(k)] for k in regimens]},
        {"key": "measure", "label": "Outcome measure", "options": [[m, site.measure_name(m)] for m in measures]},
        {"key": "design", "label": "Study design", "options": [[d, site.design_label(d)] for d in designs]},
        {"key": "status", "label": "Verification", "open": True,
         "options": [["verified", "Verified"], ["unverified", "Unverified"]]},
    ]
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":"))


def render_matrix(site: Site, rows: list[OutcomeRow], path: str, summary: bool = False) -> Html:
    """The matrix; `summary` (a very large base) gives each cell its count of figures and
    patients with a link to the measure's own page instead of every figure."""
    measures = key_measures(site)
    cells: dict[tuple[str, str], list[OutcomeRow]] = defaultdict(list)
    for row in rows:
        if row.measure in measures:
            cells[(regimen_key(row), row.measure)].append(row)
    columns = [Column("Regimen")] + [
        Column(site.measure_name(m), content=link(links.href(path, links.MEASURES, m), site.measure_name(m)),
               data_measure=m) for m in measures]
    body = []
    for key in regimen_order(site, {k for k, _ in cells}):
        head = (el("span", MIXED_LABEL, class_="poems-mixed") if key == MIXED
                else link(links.href(path, links.regimen_page(key)), site.regimen_label(key)))
        out = [Cell(head, header=True)]
        for m in measures:
            members = cells.get((key, m), [])
            content = _summary(site, members, path, m) if summary else _cell(site, members, path)
            out.append(Cell(content, data_measure=m))
        body.append(Row(out, data_regimen=key))
    return table(columns, body, caption="Key outcomes by regimen: every figure, with its n, study, design level, "
                 "population and verification status", labels=True, id="comparison-matrix", data_nosort=True)


def _cell(site: Site, rows: list[OutcomeRow], path: str) -> Html:
    if not rows:
        return el("span", "No figure", class_="poems-none")
    rows = sorted(rows, key=lambda r: (population_order(r), site.level_rank(r.study), site.study_label(r.study), r.outcome["id"]))
    items = [el("li", _figure(site, r, path), **row_data(site, r)) for r in rows]
    groups: dict[tuple[str, str], list[OutcomeRow]] = defaultdict(list)
    for r in rows:
        groups[(line(r), transplant(r))].append(r)
    patients = []
    for (ln, tp), members in groups.items():
        text = patients_text(site, members)
        if text:
            patients.append(el("li", f"{population_label(members[0])}: {text}", data_line=ln, data_transplant=tp))
    parts = [el("ul", join(items), class_="poems-figures"),
             el("span", "No figure for this selection", class_="poems-none poems-none--filtered", hidden=True)]
    if patients:
        parts.append(el("ul", join(patients), class_="poems-patients", aria_label="Independent patients"))
    return join(parts)


def _summary(site: Site, rows: list[OutcomeRow], path: str, mid: str) -> Html:
    if not rows:
        return el("span", "No figure", class_="poems-none")
    unverified = sum(1 for r in rows if r.unverified)
    text = f"{len(rows)} figure{'s' if len(rows) != 1 else ''}" + (f", {unverified} unverified" if unverified else "")
    patients = patients_text(site, rows)
    return join([link(links.href(path, links.measure_comparison_page(mid)), text),
                 el("span", patients, class_="poems-sub") if patients else ""])


def _figure(site: Site, row: OutcomeRow, path: str) -> Html:
    o = row.outcome
    status = (el("span", "Unverified", class_="poems-badge poems-badge--unverified", title=o.get("reason"))
              if row.unverified else el("span", "Verified", class_="poems-verified"))
    detail = [f"n {row.n}" if row.n is not None else "n not given"]
    study = link(links.href(path, links.study_page(row.study), "outcomes"), site.study_label(row.study))
    extra = "; ".join(x for x in (o.get("subgroup"), timepoint(o.get("timepoint"))) if x)
    ci = interval_html(row, path, short=True)
    return join([
        el("strong", value_text(o["value"]), class_="poems-value"), " ",
        ci, " " if ci else "",
        el("span", join([", ".join(detail), " · ", study, " · ", site.level_label(row.study)]), class_="poems-meta"), " ",
        el("span", population_short(row), class_="poems-pop"), " ",
        el("span", extra, class_="poems-extra") if extra else "", " " if extra else "",
        status,
    ])


def filters_placeholder(site: Site, rows: list[OutcomeRow]) -> Html:
    """Where the filter script builds its controls; without JavaScript it says why
    there are none, and every figure stays on the page."""
    return el("div", el("p", "Filters need JavaScript. Without it, every figure is shown below.", class_="poems-nojs"),
              id="compare-filters", class_="poems-compare-filters", data_facets=facets(site, rows))

