"""Words for the comparison's dimensions (line of therapy, transplant eligibility, the
regimen a figure counts for, its interval), shared by the comparison page, the regimen
pages and the forest plots, so a population reads the same in a filter, a matrix cell,
a table row and a plot group."""
from __future__ import annotations

from . import links
from .context import MIXED_REGIMENS, OutcomeRow, Site
from .html import Html, el, join, link

MIXED = "mixed"  # the filter value of "Mixed regimens (whole cohort)"
MIXED_LABEL = MIXED_REGIMENS

LINES = {
    "newly-diagnosed": "Newly diagnosed",
    "relapsed-refractory": "Relapsed or refractory",
    "mixed": "Mixed lines of therapy",
    "unknown": "Line of therapy not stated",
    "not-applicable": "Line of therapy not applicable",
}
TRANSPLANTS = {
    "eligible": "Transplant-eligible",
    "ineligible": "Transplant-ineligible",
    "mixed": "Mixed transplant eligibility",
    "unknown": "Transplant eligibility not stated",
}
# Short forms for a matrix cell, where every figure carries its population; an unstated
# eligibility is left out there (the filters and the table say "not stated").
SHORT_LINES = {"newly-diagnosed": "newly diagnosed", "relapsed-refractory": "relapsed/refractory",
               "mixed": "mixed lines", "unknown": "line not stated", "not-applicable": "line not applicable"}
SHORT_TRANSPLANTS = {"eligible": "transplant-eligible", "ineligible": "transplant-ineligible",
                     "mixed": "mixed transplant eligibility", "unknown": ""}
METHOD_NAMES = {"clopper-pearson": "Clopper–Pearson exact", "wilson": "Wilson score"}


def line(row: OutcomeRow) -> str:
    return row.line


def transplant(row: OutcomeRow) -> str:
    return row.transplant


def population_label(row: OutcomeRow) -> str:
    """'Newly diagnosed, transplant-eligible'; an unstated eligibility is said so."""
    return f"{LINES.get(line(row), line(row))}; {TRANSPLANTS.get(transplant(row), transplant(row)).lower()}"


def population_short(row: OutcomeRow) -> str:
    """'newly diagnosed, transplant-eligible'; 'line not stated'."""
    parts = [SHORT_LINES.get(line(row), line(row)), SHORT_TRANSPLANTS.get(transplant(row), transplant(row))]
    return ", ".join(p for p in parts if p)


def population_order(row: OutcomeRow) -> tuple[int, int]:
    return (list(LINES).index(line(row)) if line(row) in LINES else 99,
            list(TRANSPLANTS).index(transplant(row)) if transplant(row) in TRANSPLANTS else 99)


def is_mixed(row: OutcomeRow) -> bool:
    return row.mixed or row.regimen is None


def regimen_key(row: OutcomeRow) -> str:
    """The regimen filter value: the regimen id, or 'mixed' for a whole cohort on several."""
    return MIXED if is_mixed(row) else str(row.regimen)


def regimen_label(site: Site, row: OutcomeRow) -> str:
    return MIXED_LABEL if is_mixed(row) else site.regimen_label(row.regimen)


def status_key(row: OutcomeRow) -> str:
    return "unverified" if row.unverified else "verified"


def interval(row: OutcomeRow):
    """The row's 95% interval (stats.Interval) or None."""
    return row.interval


def interval_html(row: OutcomeRow, path: str, short: bool = False) -> Html:
    """How sure the figure is: a computed interval names its method and links to the
    methods page; a reported one says so; a missing one says why, never invents one.
    `short` (a matrix cell): 'computed' links to the method instead of naming it."""
    ci = interval(row)
    if ci is not None:
        level = f"{round(ci.level * 100) if ci.level <= 1 else round(ci.level)}%"
        span = f"{level} CI {_num(ci.low)}–{_num(ci.high)}{'%' if _is_percent(row) else ''}"
        if ci.source == "computed":
            method = METHOD_NAMES.get(ci.method or "", ci.method or "method not named")
            how = link(links.href(path, links.METHODS, "confidence-intervals"), "computed" if short else f"computed here, {method}",
                       title=f"Computed here from the counts: {method} method")
            return el("span", join([span, " (", how, ")"]), class_="poems-ci poems-ci--computed")
        # The value as reported already prints the interval's numbers; say whose it is.
        return el("span", "interval as reported" if short else "interval as reported by the paper",
                  class_="poems-ci poems-ci--reported")
    note = row.interval_note
    if not note:
        return Html("")
    # "percentage without counts: no interval can be computed" -> "No interval: percentage
    # without counts"; "no interval printed by the source" stays as it is.
    if note.lower().startswith("no interval"):
        text = note[:1].upper() + note[1:]
    else:
        text = "No interval: " + note.split(": no interval")[0]
    return el("span", text, class_="poems-ci poems-ci--none")


def _is_percent(row: OutcomeRow) -> bool:
    return row.outcome["value"]["type"] in ("count", "percentage")


def _num(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def patients_text(site: Site, rows: list[OutcomeRow]) -> str:
    """Independent patients behind a set of rows: one number when every overlap is
    declared, a range when overlap is only possible; sizes not given are said so."""
    found = site.independent_patients(rows)
    text = f"{found.low}" if found.low == found.high else f"{found.low}–{found.high}"
    noun = "patient" if found.high == 1 else "patients"
    text = f"{text} independent {noun}"
    if found.unknown:
        text += f" (+ {len(found.unknown)} with n not given)"
    return text

