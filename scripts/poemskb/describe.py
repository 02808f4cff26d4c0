"""Plain-text descriptions of record parts (values, locators, citations, doses).

One place for the wording shared by the website and the exports, so a value reads the
same in a table cell, a CSV row and a citation. Returns plain text: callers escape it
for their medium (HTML, Markdown, CSV).
"""
from __future__ import annotations

from typing import Any

_NUMBER_UNITS = {"months", "days", "weeks", "years"}


def number(x: float | int | None) -> str:
    if x is None:
        return "?"
    if isinstance(x, float) and x.is_integer() and abs(x) >= 1000:
        return f"{int(x):,}"
    return repr(x) if isinstance(x, float) else str(x)


def _bounds(label: str, pair: list | None) -> str:
    return f"{label} {number(pair[0])}–{number(pair[1])}" if pair else ""


def value_text(value: dict[str, Any]) -> str:
    """The value as the source reports it, e.g. '26/34 (76.5%)' or '46.4%' or
    'median 12 months (range 3–15)'."""
    kind = value["type"]
    if kind == "count":
        text = f"{value['n']}/{value['of']}"
        return text + (f" ({number(value['percent'])}%)" if "percent" in value else "")
    if kind == "percentage":
        text = ("about " if value.get("approximate") else "") + f"{number(value['percent'])}%"
        extras = [f"SD {number(value['sd'])}" if "sd" in value else "", _bounds("95% CI", value.get("ci"))]
    elif kind == "median":
        centre = "not reached" if value.get("not_reached") or value["value"] is None else f"{number(value['value'])} {value['unit']}"
        text = f"median {centre}"
        extras = [_bounds("range", value.get("range")), _bounds("IQR", value.get("iqr")), _bounds("95% CI", value.get("ci"))]
    elif kind == "mean":
        unit = "" if value["unit"] == "ratio" else f" {value['unit']}"
        text = f"mean {number(value['value'])}{unit}"
        extras = [f"SD {number(value['sd'])}" if "sd" in value else "", f"SE {number(value['se'])}" if "se" in value else "",
                  _bounds("range", value.get("range")), _bounds("95% CI", value.get("ci"))]
    elif kind == "quantity":
        comparator = value.get("comparator", "")
        return f"{comparator}{number(value['value'])} {value['unit']}".strip()
    elif kind in ("hazard-ratio", "odds-ratio"):
        text = f"{'HR' if kind == 'hazard-ratio' else 'OR'} {number(value['value'])}"
        extras = [_bounds("95% CI", value.get("ci")), value.get("reference", "")]
    elif kind == "difference":
        text = f"{value.get('estimate', 'difference')} {number(value['value'])}" + (f" {value['unit']}" if value.get("unit") and value["unit"] != "ratio" else "")
        extras = [_bounds("95% CI", value.get("ci"))]
    else:  # qualitative
        return value["statement"]
    extras = [e for e in extras if e]
    return text + (f" ({'; '.join(extras)})" if extras else "")


def p_text(p: dict[str, Any] | None) -> str:
    if not p:
        return ""
    return f"p{p.get('operator', '=')}{number(p['value'])}"


def locator_text(locator: dict[str, Any]) -> str:
    """Where a figure stands: 'Table 2, p. 1131' or 'abstract (Findings)'."""
    part = locator["in"]
    if part in ("table", "figure"):
        text = locator["label"]
    elif part == "citation":
        text = f"as cited in {locator['cited_in']}"
    else:
        text = {"text": "text", "registry-record": "registry record", "index-page": "index page"}.get(part, part)
    if locator.get("section"):
        text += f" ({locator['section']})"
    if locator.get("page"):
        text += f", p. {locator['page']}"
    return text


def fact_value(fact: dict[str, Any] | None) -> Any:
    return fact.get("value") if isinstance(fact, dict) else None


def authors_text(study: dict[str, Any], limit: int = 3) -> str:
    authors = fact_value(study.get("authors"))
    if not authors:
        return "Authors unknown"
    shown = authors[:limit]
    more = len(authors) > limit or not study["authors"].get("complete", True)
    return ", ".join(shown) + (", et al." if more else "")


def citation_text(study: dict[str, Any]) -> str:
    """A Vancouver-style citation built only from recorded facts; unknown parts say so."""
    title = fact_value(study.get("title")) or "[title unknown]"
    journal = fact_value(study.get("journal")) or "[journal unknown]"
    year = fact_value(study.get("year"))
    volume, issue, pages = (fact_value(study.get(k)) for k in ("volume", "issue", "pages"))
    where = f"{year}" if year else "[year unknown]"
    if volume:
        where += f";{volume}"
    if issue:
        where += f"({issue})"
    if pages:
        where += f":{pages}"
    text = f"{authors_text(study, 6)}. {title.rstrip('.')}. {journal}. {where}."
    doi, pmid = fact_value(study.get("doi")), fact_value(study.get("pmid"))
    if doi:
        text += f" doi:{doi}."
    if pmid:
        text += f" PMID: {pmid}."
    return text


def short_label(study: dict[str, Any]) -> str:
    """'Misawa 2016' or 'Leukemia 2019' when the author is unknown."""
    authors = fact_value(study.get("authors"))
    year = fact_value(study.get("year"))
    head = authors[0].split()[0] if authors else (fact_value(study.get("journal")) or study["id"])
    return f"{head} {year}" if year else head


def dose_text(dose: dict[str, Any]) -> str:
    if dose.get("value") is None:
        return "dose not reported"
    text = number(dose["value"]) + (f"–{number(dose['max'])}" if dose.get("max") else "") + f" {dose['unit']}"
    if dose.get("per"):
        text += f"/{dose['per']}"
    if dose.get("qualifier") and dose["qualifier"] != "fixed":
        text += f" ({dose['qualifier']})"
    return text


def days_text(days: list | None) -> str:
    if not days:
        return ""
    parts = [f"{d['from']}–{d['to']}" if isinstance(d, dict) else str(d) for d in days]
    return "day" + ("s " if len(parts) > 1 or isinstance(days[0], dict) else " ") + ", ".join(parts)
