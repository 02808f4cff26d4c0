"""The comparison's full table, on a page of its own: every reported treatment outcome,
one row per figure, sortable, with the comparison page's filters. Kept off the
comparison page because parsing and laying out the table was most of that page's load
time on a slow phone (docs/site.md, "Page weight and first render").

Above MAX_ROWS outcomes one table stops being readable (at 10,000 synthetic studies it
was 37 MB), so this page lists the outcome measures and each measure gets a page of its
own: figures are only comparable within one measure anyway."""
from __future__ import annotations

from urllib.parse import urlencode

from . import links
from .context import Site
from .fmt import label as fmt_label
from .html import Cell, Column, fmt as h, link, table
from .matrix import filters_placeholder
from .page import Page, para
from .population import population_order, regimen_label
from .regimen import outcome_table

MAX_ROWS = 2000
TITLE = "Every outcome by regimen"
TABLE_ID = "comparison-table"  # the filter script (compare.js) and the tests find the table by it


def comparison_rows(site: Site) -> list:
    """The treatment outcomes in the order both pages list them: regimen, measure, population, evidence level."""
    return sorted(site.treatment_rows, key=lambda r: (regimen_label(site, r).lower(), site.measure_name(r.measure).lower(),
                                                      population_order(r), site.level_rank(r.study), r.study, r.outcome["id"]))


def is_large(rows: list, max_rows: int = MAX_ROWS) -> bool:
    return len(rows) > max_rows


def render_all_outcomes(site: Site, rows: list, max_rows: int = MAX_ROWS) -> tuple[Page, list[Page]]:
    """The full-table page, and (for a large base) one page per measure."""
    path = links.ALL_OUTCOMES
    page = Page(path, TITLE, hide=["toc", "navigation"])
    back = link(links.href(path, links.COMPARISON), "Compare treatments", data_keep_filters=True)
    if is_large(rows, max_rows):
        page.html(para(h("{} outcomes: too many for one table, so each outcome measure has its own page comparing every "
                         "regimen's figures for it. Values are as the source printed them: percentages stay percentages, "
                         "counts stay counts. The key outcomes side by side, and the evidence map: {}.", len(rows), back)))
        measure_pages = _by_measure(site, page, rows)
        return page, measure_pages
    page.html(para(h("{} outcomes, one row per reported figure (an arm, or a whole study population, and a measure). "
                     "Select a column heading to sort. Values are as the source printed them: percentages stay "
                     "percentages, counts stay counts. The key outcomes side by side, forest plots and the evidence map: "
                     "{}.", len(rows), back)))
    # The filters first, as on the comparison page (a keyboard reaches them in a few Tab
    # presses); a selection made there arrives in the address and applies here.
    page.html(filters_placeholder(site, rows))
    page.html(outcome_table(site, rows, path, "Regimen by outcome: every reported treatment outcome", id=TABLE_ID))
    return page, []


def _by_measure(site: Site, page: Page, rows: list) -> list[Page]:
    by_measure: dict[str, list] = {}
    for row in rows:
        by_measure.setdefault(row.measure, []).append(row)
    order = sorted(by_measure, key=lambda mid: (site.measure_name(mid).lower(), mid))
    listing = []
    for mid in order:
        outcomes, regimens = len(by_measure[mid]), len({regimen_label(site, r) for r in by_measure[mid]})
        listing.append([Cell(link(links.href(page.path, links.measure_comparison_page(mid)), site.measure_name(mid)),
                             sort=site.measure_name(mid), header=True),
                        fmt_label(site.measure_domain(mid)),
                        Cell(str(outcomes), sort=outcomes), Cell(str(regimens), sort=regimens)])
    page.html(table(["Measure", "Domain", Column("Outcomes", numeric=True), Column("Regimens", numeric=True)], listing,
                    caption="Outcome measures and how many figures each has", id="comparison-measures"))
    return [_measure_page(site, mid, by_measure[mid]) for mid in order]


def _measure_page(site: Site, mid: str, rows: list) -> Page:
    path = links.measure_comparison_page(mid)
    page = Page(path, f"Compare treatments: {site.measure_name(mid)}", hide=["toc"])
    page.html(para(h("Every reported figure for this measure, by regimen ({} outcomes). How the measure is defined: {}. "
                     "All measures: {}.", len(rows), link(links.href(path, links.MEASURES, mid), site.measure_name(mid)),
                     link(links.href(path, links.ALL_OUTCOMES), TITLE))))
    page.html(outcome_table(site, rows, path, f"{site.measure_name(mid)}: every reported outcome by regimen",
                            id=TABLE_ID, data_filterable=True))
    return page


def measure_href(site: Site, from_page: str, mid: str) -> str:
    """Where a measure's figures are compared across regimens: the full table filtered to
    the measure (compare.js reads ?measure=), or the measure's own page in a large base."""
    if len(site.treatment_rows) > MAX_ROWS:
        return links.href(from_page, links.measure_comparison_page(mid))
    return links.href(from_page, links.ALL_OUTCOMES) + "?" + urlencode({"measure": mid})
