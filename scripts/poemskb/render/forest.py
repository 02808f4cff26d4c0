"""Forest plots: one outcome measure's proportions, one row per study arm (or cohort),
grouped by population, each with its 95% interval on a common 0–100% axis.

Drawn as static SVG at build time, inlined into the page: text and lines use
`currentColor`, so the plot takes the page's text colour in the light and the dark
scheme alike, and its text stays selectable. Only proportions (counts and percentages)
share the axis; medians, means and ratios are on other scales, so they are left out of
the picture and counted in a note (the table below every plot lists what is drawn, the
page's full table lists everything). Numbers are written with fixed decimals so the
same records give the same bytes.
"""
from __future__ import annotations

from ..sitenames import part_anchor

from dataclasses import dataclass

from . import links
from .context import OutcomeRow, Site
from .html import Cell, Html, Row, el, esc, fmt as h, join, link, table
from .population import interval, population_label, population_order, population_short, regimen_label
from ..describe import follow_up, timepoint, value_text

# Geometry in SVG user units. The plot is narrow on purpose: a row's label sits on its
# own line above its interval, so at a 390 px phone width the 13-unit text still draws
# at about 11 px instead of shrinking with a wide label column.
WIDTH = 440
X0, X1 = 16.0, 424.0  # 0% and 100%
TOP = 8
GROUP_H, ROW_H, AXIS_H = 26, 40, 38
FONT = 13
CHAR_W = 7.2  # a generous average glyph width at FONT, for shortening long labels
# Past this many rows a plot is taller than any screen and no longer read as one
# picture (a synthetic base of thousands of studies); the table stays, the plot goes.
MAX_ROWS = 150


@dataclass(frozen=True)
class PlotRow:
    """One mark: a plain record, so the drawing knows nothing of the knowledge base."""

    label: str
    value: float  # percent, 0–100
    low: float | None
    high: float | None
    interval: str  # "reported" | "computed" | "none"
    n: int | None
    design: str
    line: str
    follow_up: str
    group: str
    unverified: bool = False
    value_text: str = ""
    href: str | None = None


def x_of(percent: float) -> float:
    return X0 + (X1 - X0) * min(max(percent, 0.0), 100.0) / 100.0


def proportion(row: OutcomeRow) -> float | None:
    """Where a figure sits on the 0–100% axis: the printed percentage, else n/of. None
    for figures on another scale (medians, ratios, text)."""
    v = row.outcome["value"]
    if v["type"] == "percentage":
        return float(v["percent"])
    if v["type"] == "count" and v.get("of"):
        return float(v["percent"]) if "percent" in v else 100.0 * v["n"] / v["of"]
    return None


def plot_rows(site: Site, rows: list[OutcomeRow], path: str, show_regimen: bool) -> tuple[list[PlotRow], int]:
    """The rows a plot can draw, grouped by population, and how many it leaves out."""
    drawn, left_out = [], 0
    for row in sorted(rows, key=lambda r: (population_order(r), regimen_label(site, r).lower(), site.level_rank(r.study),
                                           site.study_label(r.study), r.outcome["id"])):
        value = proportion(row)
        if value is None:
            left_out += 1
            continue
        drawn.append(_plot_row(site, row, path, value, show_regimen))
    return drawn, left_out


def _plot_row(site: Site, row: OutcomeRow, path: str, value: float, show_regimen: bool) -> PlotRow:
    o, s = row.outcome, site.kb.studies[row.study]
    parts = [regimen_label(site, row)] if show_regimen else []
    parts.append(site.study_label(row.study))
    multi_arm = len(s.get("arms", [])) > 1
    if row.arm is not None and multi_arm:
        parts.append(row.arm["label"])
    elif row.arm is None:
        parts.append("whole cohort")
    if o.get("subgroup"):
        parts.append(o["subgroup"])
    if o.get("timepoint"):
        parts.append(timepoint(o["timepoint"]))
    ci = interval(row)
    low = high = None
    kind = "none"
    if ci is not None:
        low, high, kind = float(ci.low), float(ci.high), ci.source
    return PlotRow(label=" · ".join(parts), value=value, low=low, high=high, interval=kind, n=row.n,
                   design=f"{site.design_label(s['design'])} ({site.level_label(row.study).lower()})",
                   line=population_short(row), follow_up=follow_up(s.get("follow_up")), group=population_label(row),
                   unverified=row.unverified, value_text=value_text(o["value"]),
                   href=links.href(path, links.study_page(row.study), "outcomes"))


def _f(x: float) -> str:
    return f"{x:.1f}"


def _short(text: str, width: float) -> str:
    chars = max(8, int(width / CHAR_W))
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _pct(x: float) -> str:
    text = f"{x:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def height(rows: list[PlotRow]) -> int:
    groups = len({r.group for r in rows})
    return TOP + GROUP_H * groups + ROW_H * len(rows) + AXIS_H


def forest_svg(rows: list[PlotRow], title: str, ident: str) -> str:
    """The plot as one SVG element (inline in the page). Rows arrive grouped."""
    total_h = height(rows)
    plot_bottom = total_h - AXIS_H
    title_id, desc_id = part_anchor(ident, "title"), part_anchor(ident, "desc")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="poems-forest__svg" viewBox="0 0 {WIDTH} {total_h}" '
           f'width="{WIDTH}" height="{total_h}" role="img" aria-labelledby="{esc(title_id)} {esc(desc_id)}" '
           f'font-family="sans-serif" font-size="{FONT}" fill="currentColor">',
           el("title", title, id=title_id),
           el("desc", "Each row is one study arm or cohort: a square at the figure, a line across its 95% interval. "
                      "The table with the plot gives the same figures.", id=desc_id)]
    for tick in (0, 25, 50, 75, 100):
        x = _f(x_of(tick))
        out.append(f'<line class="poems-forest__grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{plot_bottom}" stroke="currentColor" '
                   f'stroke-opacity="0.25" stroke-dasharray="2 3"/>')
        out.append(f'<text class="poems-forest__tick" data-percent="{tick}" x="{x}" y="{plot_bottom + 18}" '
                   f'text-anchor="middle">{tick}%</text>')
    out.append(f'<line x1="{_f(X0)}" x2="{_f(X1)}" y1="{plot_bottom}" y2="{plot_bottom}" stroke="currentColor"/>')
    out.append(f'<text x="{_f((X0 + X1) / 2)}" y="{plot_bottom + 34}" text-anchor="middle" font-size="12">'
               f'Proportion of patients (%)</text>')
    y, group = TOP, None
    biggest = max((r.n or 0 for r in rows), default=0) or 1
    for row in rows:
        if row.group != group:
            group = row.group
            out.append(f'<text class="poems-forest__group" x="{_f(X0 - 12)}" y="{y + 18}" font-weight="bold">{esc(group)}</text>')
            y += GROUP_H
        out.append(_mark(row, y, biggest))
        y += ROW_H
    out.append("</svg>")
    return "".join(out)


def _mark(row: PlotRow, y: float, biggest: int) -> str:
    value = _pct(row.value)
    suffix = " · unverified" if row.unverified else ""
    label = _short(row.label, X1 - X0 - CHAR_W * (len(value) + len(suffix) + 2)) + suffix
    cy = y + 28
    parts = [f'<g class="poems-forest__row{" poems-forest__row--unverified" if row.unverified else ""}" '
             f'data-label="{esc(row.label)}" data-value="{_f(row.value)}">',
             el("title", f"{row.label}: {row.value_text}; n {row.n if row.n is not None else 'not given'}; {row.design}"
                         f"{'; unverified' if row.unverified else ''}"),
             f'<text x="{_f(X0 - 12)}" y="{y + 13}">{esc(label)}</text>',
             f'<text x="{_f(X1 + 12)}" y="{y + 13}" text-anchor="end" font-weight="bold">{esc(value)}</text>']
    if row.low is not None and row.high is not None:
        dash = ' stroke-dasharray="5 3"' if row.interval == "computed" else ""
        parts.append(f'<line class="poems-forest__ci poems-forest__ci--{esc(row.interval)}" x1="{_f(x_of(row.low))}" '
                     f'x2="{_f(x_of(row.high))}" y1="{cy}" y2="{cy}" stroke="currentColor" stroke-width="2"{dash}/>')
    size = 6 + 8 * ((row.n or 0) / biggest) ** 0.5
    fill = 'fill="none" stroke="currentColor" stroke-width="2"' if row.unverified else 'fill="currentColor"'
    parts.append(f'<rect class="poems-forest__mark" x="{_f(x_of(row.value) - size / 2)}" y="{_f(cy - size / 2)}" '
                 f'width="{_f(size)}" height="{_f(size)}" {fill}/>')
    parts.append("</g>")
    return "".join(parts)


def forest_table(rows: list[PlotRow], caption: str, ident: str) -> Html:
    """The plot's figures as a table, for screen readers and for copying."""
    out = []
    for r in rows:
        ci = "no interval" if r.low is None else f"{_pct(r.low)}–{_pct(r.high)} ({r.interval})"
        label = link(r.href, r.label) if r.href else esc(r.label)
        status = "Unverified" if r.unverified else "Verified"
        out.append(Row([Cell(label, header=True), Cell(r.value_text, sort=r.value), ci,
                        Cell("–" if r.n is None else str(r.n), sort=r.n or 0), r.line, r.design, r.follow_up or "–", status]))
    return table(["Study arm or cohort", "Value as reported", "95% interval", "n", "Population", "Design", "Follow-up",
                  "Status"], out, caption=caption, labels=True, id=part_anchor(ident, "table"), data_nosort=True)


def legend(path: str) -> Html:
    """How to read the plots, said once above them."""
    return h("<p>Squares mark each figure (bigger for more patients; hollow and labelled: unverified). Lines show "
             "95% intervals: solid as the paper reported them, dashed computed here; no line, no interval can be "
             "given. Rows are grouped by population. More in {}.</p>",
             link(links.href(path, links.METHODS, "forest-plots"), "reading a forest plot"))


def forest_figure(rows: list[PlotRow], left_out: int, title: str, ident: str, path: str, **values) -> Html:
    """Plot, legend and table together; a note says what is not drawn and why."""
    if len(rows) > MAX_ROWS:
        return el("p", f"{title}: {len(rows)} figures, too many for one plot; the table lists them all.",
                  class_="poems-forest__note", id=ident)
    note = ""
    if left_out:
        many = left_out != 1
        note = el("p", f"{left_out} figure{'s' if many else ''} for this measure on another scale (medians, ratios, "
                       f"text) {'are' if many else 'is'} not drawn; the full table lists {'them' if many else 'it'}.",
                  class_="poems-forest__note")
    body = el("div", join([el("div", Html(forest_svg(rows, title, ident)), class_="poems-forest__plot"),
                           el("div", forest_table(rows, f"{title}: the plotted figures", ident), class_="poems-forest__data")]),
              class_="poems-forest__body")
    return el("figure", join([el("figcaption", el("strong", title)), body, note]),
              class_="poems-forest", id=ident, data_search_exclude=True, **values)
