"""The comparison page, in the order a clinician reads it: filters (built by
docs/assets/compare.js from the choices listed here), the regimen × key-outcome matrix
(matrix.py), links to a forest plot per key outcome (forest.py) and to the full
sortable table (all_outcomes.py), each on a page of its own, and an evidence map
(regimen × design: studies and patients) drawn as inline SVG with an HTML table
carrying the same numbers for screen readers and readers without images."""
from __future__ import annotations

from ..sitenames import forest_anchor

import math

from . import links
from .all_outcomes import MAX_ROWS, TITLE, comparison_rows, is_large, render_all_outcomes
from .context import Site
from .forest import forest_figure, legend, plot_rows
from .html import Cell, Html, el, esc, fmt as h, join, link, table
from .matrix import filters_placeholder, key_measures, render_matrix
from .page import Page, para
from .regimen import cell_text

SVG_PATH = f"{links.GENERATED}/evidence-map.svg"


def map_regimens(site: Site) -> list[str]:
    return [rid for rid in sorted(site.kb.regimens, key=lambda r: site.regimen_label(r).lower())
            if site.evidence_cell(rid).studies]


def render_comparison(site: Site, max_rows: int = MAX_ROWS) -> tuple[Page, str, list[Page]]:
    """The comparison page, the evidence map SVG, and the pages of the full table (its
    own page, and for a large base one page per measure)."""
    path = links.COMPARISON
    # No side navigation or table of contents: the matrix needs the width.
    page = Page(path, "Compare treatments", hide=["toc", "navigation"])
    rows = comparison_rows(site)
    large = is_large(rows, max_rows)
    page.html(para("Choose a population, then read each regimen's figures for the outcomes that matter most. Most "
                   "come from studies without random allocation: differences may reflect who was treated rather "
                   "than the treatment."))
    # The filters come before the jump links, so a keyboard reaches them in a few Tab
    # presses (tests/site/test_accessibility_browser.py sets the bound).
    page.html(filters_placeholder(site, rows))
    page.html(para(h("Jump to: {} · {}. On pages of their own: {} and {}.",
                     link("#key-outcomes", "key outcomes"), link("#evidence-map", "evidence map"),
                     _table_link(path), link(links.href(path, links.KEY_PLOTS), "forest plots of the key outcomes"))))
    page.html(_certainty_links(site, path))
    page.h(2, "Key outcomes by regimen", "key-outcomes")
    page.html(para("Each cell lists every figure for that regimen and outcome: the value as reported with its 95% "
                   "interval, n, the study, its evidence level, the population and whether the figure is verified. "
                   "Below the figures, the independent patients behind them for each population: studies declared to "
                   "report the same patients count once, and a range means an overlap is possible but not known."),
              render_matrix(site, rows, path, summary=large))
    _associations_note(page, len(site.association_rows))
    # The plots and the full table have pages of their own (docs/site.md: this page loads in
    # under half the time); these headings keep their old addresses (comparison.html#outcomes,
    # #forest-plots) leading to them.
    page.h(2, "Forest plots", "forest-plots")
    page.html(para(h("One plot per key outcome, every proportion on the same 0–100% axis: {}.",
                     link(links.href(path, links.KEY_PLOTS), "forest plots of the key outcomes"))))
    page.h(2, TITLE, "outcomes")
    what = "listed measure by measure" if large else "one row per reported figure, sortable by any column"
    page.html(para(h("{} treatment outcomes, {}: {}. The filters chosen here go with the link.",
                     len(rows), what, _table_link(path))))
    page.h(2, "Evidence map", "evidence-map")
    page.html(para("Studies and patients for each regimen by study design, strongest design on the left. A study "
                   "counts for a regimen when an arm is defined by it or uses it as one step. Studies declared to "
                   "report the same cohort count their patients once; possible overlaps are noted, not subtracted."))
    width, height = _svg_size(site)
    page.html(h('<figure class="poems-map" data-search-exclude><div class="poems-map__scroll">{}</div>'
                '<figcaption>Evidence map: circle area shows patients; the number is studies. The table below gives '
                'the same numbers. {}.</figcaption></figure>',
                Html(evidence_map_svg(site, inline=True)),
                link(links.asset(path, SVG_PATH), f"The map as an SVG file ({width} × {height})")))
    page.html(_map_table(site, path))
    table_page, measure_pages = render_all_outcomes(site, rows, max_rows)
    return page, evidence_map_svg(site), [table_page, _plots_page(site, rows, large), *measure_pages]


def _plots_page(site: Site, rows: list, large: bool) -> Page:
    path = links.KEY_PLOTS
    page = Page(path, "Forest plots of the key outcomes", hide=["toc"])
    back = link(links.href(path, links.COMPARISON), "Compare treatments")
    if large:
        page.html(para(h("Too many figures for a plot per outcome here: each regimen's page has its own plots. The key "
                         "outcomes side by side: {}.", back)))
        return page
    page.html(para(h("One plot per key outcome: every proportion on the same 0–100% axis, regimen by regimen. Every "
                     "figure with its n, study and status, and filters: {}.", back)), legend(path),
              _forest_plots(site, rows, path))
    return page


def _table_link(path: str) -> Html:
    """The link to the full table; the filter script adds the reader's selection to it."""
    return link(links.href(path, links.ALL_OUTCOMES), TITLE.lower(), data_keep_filters=True)


def _certainty_links(site: Site, path: str):
    """Links to the summary-of-findings pages: how certain each rated regimen's evidence is."""
    from .sof import sof_regimens

    rated = sof_regimens(site)
    if not rated:
        return ""
    return para(h("How certain the evidence is, outcome by outcome (the curators' GRADE ratings, with pooled figures "
                  "where pooling is defensible): {}.",
                  join([link(links.href(path, links.sof_page(rid)), site.regimen_label(rid)) for rid in rated], ", ")))


def _associations_note(page: Page, count: int) -> None:
    if count:
        page.html(para(f"Not listed here: {count} association{'s' if count != 1 else ''} (a prognostic factor's hazard "
                       "ratio, a correlation, a comparison of patients grouped by their response). They describe who did "
                       "well, not what a treatment did, and are shown on each study's page."))


def _forest_plots(site: Site, rows: list, path: str) -> Html:
    figures = []
    for mid in key_measures(site):
        drawn, left_out = plot_rows(site, [r for r in rows if r.measure == mid], path, show_regimen=True)
        if drawn:
            figures.append(forest_figure(drawn, left_out, site.measure_name(mid), forest_anchor(mid), path, data_measure=mid))
    return join(figures) if figures else para("No key outcome has a proportion to plot yet.")


def _map_table(site: Site, path: str):
    designs = site.primary_designs
    rows = []
    for rid in map_regimens(site):
        cells = [Cell(link(links.href(path, links.regimen_page(rid)), site.regimen_label(rid)), header=True)]
        for design in designs:
            cell = site.evidence_cell(rid, design)
            cells.append(Cell(cell_text(cell) or "–", sort=cell.patients))
        cells.append(Cell(cell_text(site.evidence_cell(rid)), sort=site.evidence_cell(rid).patients))
        rows.append(cells)
    columns = ["Regimen"] + [f"{site.design_label(d)} (level {site.kb.schemas.evidence_levels[d]})" for d in designs] + ["All designs"]
    return table(columns, rows, caption="Evidence map: studies and patients by regimen and design", id="evidence-map-table")


# SVG ------------------------------------------------------------------------------------
LABEL_W, COL_W, ROW_H, HEAD_H = 170, 118, 70, 92


def _svg_size(site: Site) -> tuple[int, int]:
    return LABEL_W + COL_W * len(site.primary_designs) + 10, HEAD_H + ROW_H * len(map_regimens(site)) + 10


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:3]


def _patients(cell) -> str:
    if cell.unknown_n and not cell.patients:
        return "n not given"
    return f"{cell.patients}{'+' if cell.unknown_n else ''} pts"


def evidence_map_svg(site: Site, inline: bool = False) -> str:
    """The map as SVG. Inline in the page it has no background and draws in
    `currentColor` (the page's text colour) with the circles in the site's accent
    colour from the stylesheet, so it reads in the light and the dark scheme; the
    standalone file carries its own white background and dark text."""
    designs, regimens = site.primary_designs, map_regimens(site)
    width, height = _svg_size(site)
    cells = {(rid, d): site.evidence_cell(rid, d) for rid in regimens for d in designs}
    biggest = max((c.patients for c in cells.values()), default=1) or 1
    ids = ("map-title-inline", "map-desc-inline") if inline else ("map-title", "map-desc")
    standalone_colour = "" if inline else ' color="#1a1a1a"'
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img" aria-labelledby="{ids[0]} {ids[1]}" font-family="sans-serif" font-size="14" fill="currentColor" '
           f'class="poems-map__svg"{standalone_colour}>',
           el("title", "Evidence map of POEMS syndrome treatments", id=ids[0]),
           el("desc", "Studies and patients for each regimen (rows) by study design (columns).", id=ids[1])]
    if not inline:
        out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    for j, design in enumerate(designs):
        x = LABEL_W + COL_W * j + COL_W / 2
        for k, line in enumerate(_wrap(site.design_label(design), 12)):
            out.append(f'<text x="{x:.0f}" y="{20 + 17 * k}" text-anchor="middle">{esc(line)}</text>')
        out.append(f'<text x="{x:.0f}" y="{76}" text-anchor="middle" fill-opacity="0.8">level {esc(site.kb.schemas.evidence_levels[design])}</text>')
    for i, rid in enumerate(regimens):
        y = HEAD_H + ROW_H * i + ROW_H / 2
        out.append(f'<line x1="0" x2="{width}" y1="{y - ROW_H / 2:.0f}" y2="{y - ROW_H / 2:.0f}" stroke="currentColor" stroke-opacity="0.25"/>')
        out.append(f'<text x="8" y="{y + 4:.0f}" font-weight="bold">{esc(site.regimen_label(rid))}</text>')
        for j, design in enumerate(designs):
            cell = cells[(rid, design)]
            if not cell.studies:
                continue
            x = LABEL_W + COL_W * j + COL_W / 2
            r = 8 + 20 * math.sqrt(cell.patients / biggest)
            note = cell_text(cell)
            out.append(f'<g><title>{esc(site.regimen_label(rid))}, {esc(site.design_label(design))}: {esc(note)}</title>'
                       f'<circle class="poems-map__dot" cx="{x:.0f}" cy="{y - 6:.0f}" r="{r:.1f}" fill="#3f51b5" '
                       f'fill-opacity="0.35" stroke="#283593"/>'
                       f'<text x="{x:.0f}" y="{y - 2:.0f}" text-anchor="middle" font-weight="bold">{len(cell.studies)}</text>'
                       f'<text x="{x:.0f}" y="{y + 28:.0f}" text-anchor="middle">{esc(_patients(cell))}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
