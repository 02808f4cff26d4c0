"""Summary-of-findings pages (generated/sof/<regimen>.md), one per regimen with curated
certainty ratings, one table per population in the Cochrane layout: outcome; patients
(studies) and independent patients; the effect (pooled where defensible, else each
figure); certainty with its reasons; comments.

The ratings are the curators' judgements from the regimen record; every number comes
from the study records the rating lists (treatment results only, never associations),
through stats.py (independent patients) and pooling.py (pooled proportions)."""
from __future__ import annotations

from .. import pooling
from . import fmt, links
from .context import OutcomeRow, Site
from .html import Cell, Html, el, esc, fmt as h, join, link, table, ul
from .page import Page, para

LEVEL_WORDS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}
LEVEL_SIGNS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very-low": "⊕◯◯◯"}
DOMAIN_WORDS = {"risk_of_bias": "Risk of bias", "inconsistency": "Inconsistency", "indirectness": "Indirectness",
                "imprecision": "Imprecision", "publication_bias": "Publication bias", "large_effect": "Large effect"}
RATED = {"serious": "rated down one level", "very-serious": "rated down two levels",
         "strongly-suspected": "rated down one level", "large": "rated up one level", "very-large": "rated up two levels"}


def sof_regimens(site: Site) -> list[str]:
    return [rid for rid, r in site.kb.regimens.items() if r.get("certainty")]


def render_sof(site: Site, rid: str) -> Page:
    r = site.kb.regimens[rid]
    path = links.sof_page(rid)
    page = Page(path, f"Summary of findings: {site.regimen_label(rid)}")
    page.html(para(h("How certain the evidence is for {} ({}), outcome by outcome. The certainty ratings are the "
                     "knowledge base curators' judgements, made with the GRADE approach and explained on the {}; they "
                     "are not the authors' conclusions and not treatment advice. Figures come from the study records "
                     "listed, as their sources report them.",
                     link(links.href(path, links.regimen_page(rid)), r["name"]), site.regimen_label(rid),
                     link(links.href(path, links.METHODS, "certainty-of-evidence"), "methods page"))))
    for rating in r["certainty"]:
        page.h(2, population_heading(rating["population"]), f"population-{rating['population']}")
        notes = [h("Judged by {} on {}.", rating["judged_by"], fmt.date(rating["judged"]))]
        if rating.get("note"):
            notes.append(esc(rating["note"]))
        page.html(para(join(notes, " ")))
        page.html(_table(site, rid, rating, path))
    return page


def population_heading(population: str) -> str:
    return {"newly-diagnosed": "Newly diagnosed disease", "relapsed-refractory": "Relapsed or refractory disease",
            "mixed": "Newly diagnosed and relapsed disease together", "unknown": "Line of therapy not stated"}[population]


def _table(site: Site, rid: str, rating: dict, path: str) -> Html:
    rows = []
    for outcome in rating["outcomes"]:
        figures = rating_rows(site, rid, outcome)
        patients = site.independent_patients(figures)
        rows.append([
            # A row header cell of its own (an <th> inside a <td> made an empty first cell).
            Cell(link(links.href(path, links.MEASURES, outcome["measure"]), site.measure_name(outcome["measure"])),
                 header=True),
            _patients(site, figures),
            _independent(patients),
            _effect(site, figures, rating["population"], path),
            _certainty(outcome),
            esc(outcome.get("comment", "")) or Html('<span aria-label="none">–</span>'),
        ])
    return table(["Outcome", "Patients (studies)", "Independent patients", "Effect", "Certainty", "Comments"], rows,
                 caption=f"Summary of findings: {site.regimen_label(rid)}, {population_heading(rating['population']).lower()}",
                 search=True, class_="poems-sof")


def rating_rows(site: Site, rid: str, outcome: dict) -> list[OutcomeRow]:
    """The treatment results a rating summarises: this regimen and measure, from the
    studies the rating lists."""
    studies = set(outcome["studies"])
    return [row for row in site.treatment_rows
            if row.regimen == rid and row.measure == outcome["measure"] and row.study in studies]


def _patients(site: Site, rows: list[OutcomeRow]) -> str:
    patients = site.patients_by_study(rows)
    known = sum(n for n in patients.values() if n is not None)
    missing = sum(1 for n in patients.values() if n is None)
    studies = f"{len(patients)} {'study' if len(patients) == 1 else 'studies'}"
    if not known:
        return f"not given ({studies})"
    return f"{'at least ' if missing else ''}{known} ({studies})"


def _independent(patients) -> str:
    if not patients.high:
        return "not given"
    text = str(patients.low) if patients.low == patients.high else f"{patients.low} to {patients.high}"
    return text + (" (some sizes not given)" if patients.unknown else "")


def _effect(site: Site, rows: list[OutcomeRow], line: str, path: str) -> Html:
    figures = [pooling.Figure(row.study, row.outcome["value"], row.outcome.get("subgroup"),
                              row.outcome.get("timepoint", {}).get("months")) for row in rows]
    pooled, why = pooling.pool_if_defensible(figures, line, site.kb.overlaps)
    items = [_figure(site, row, path) for row in rows]
    if pooled is None:
        lead = h("Not pooled: {}.", why)
    else:
        lead = h("Pooled {}% (95% CI {}% to {}%) from {} non-randomised series (binomial-normal model); "
                 "95% prediction interval {}.", _pct(pooled.estimate), _pct(pooled.ci_low), _pct(pooled.ci_high), pooled.k,
                 "not available" if pooled.pi_low is None else f"{_pct(pooled.pi_low)}% to {_pct(pooled.pi_high)}%")
    return join([para(lead), ul(items)])


def _figure(site: Site, row: OutcomeRow, path: str) -> Html:
    o = row.outcome
    parts = [fmt.value_text(o["value"])]
    if row.interval is not None and row.interval.source == "computed":
        parts.append(f"95% CI {fmt.num(round(row.interval.low, 1))}–{fmt.num(round(row.interval.high, 1))}% (exact, computed)")
    if o.get("timepoint"):
        parts.append(fmt.timepoint(o["timepoint"]))
    if o.get("subgroup"):
        parts.append(o["subgroup"])
    marks = fmt.status_badge("unverified") if row.unverified else ""
    return join([esc("; ".join(parts)), " (", link(links.href(path, links.study_page(row.study), "outcomes"), site.study_label(row.study)),
                 ")", " " if marks else "", marks])


def _pct(x: float) -> str:
    return fmt.num(round(100 * x, 1))


def _certainty(outcome: dict) -> Html:
    level = outcome["level"]
    reasons = [h("<strong>{}</strong> ({}): {}", DOMAIN_WORDS[d], RATED[outcome[d]["decision"]], outcome[d]["reason"])
               for d in DOMAIN_WORDS if d in outcome and outcome[d]["decision"] in RATED]
    start = "Randomised trials: starts high." if outcome["start"] == "high" else "Observational studies: starts low."
    return join([el("span", f"{LEVEL_SIGNS[level]} {LEVEL_WORDS[level]}", class_=f"poems-certainty poems-certainty--{level}"),
                 para(start), ul(reasons) if reasons else para("Not rated down or up.")])


def sof_link(site: Site, rid: str, path: str) -> Html:
    """'Summary of findings' link for the regimen page, or nothing when no rating exists."""
    if not site.kb.regimens[rid].get("certainty"):
        return Html("")
    return para(h("How certain the evidence is, outcome by outcome: {} (curators' GRADE ratings).",
                  link(links.href(path, links.sof_page(rid)), "summary of findings")))

