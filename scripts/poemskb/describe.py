"""Plain-text wording of record parts: values as reported, locators, doses, dates,
citations. One place for the words shared by the website (render/) and the downloads
(export.py), so a figure reads the same in a table cell, a CSV row and a citation.

Nothing here computes a figure the source did not print: a count is shown as n/of with
the percentage only when the source printed one, and a percentage is never turned into
a count. Callers escape the text for their medium (HTML, CSV).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def num(value: Any) -> str:
    # Values come from decimal text in YAML, so str() gives the printed digits back
    # (a trailing zero, as in 76.10, is the only thing lost).
    return str(value)


def date(value: str | None) -> str:
    """A partial date (YYYY, YYYY-MM, YYYY-MM-DD) in words, as precise as it is."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            d = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return value
    return value


def span(r: list | None, sep: str = "–") -> str:
    return f"{num(r[0])}{sep}{num(r[1])}" if r else ""


def words(value: str) -> str:
    """An enum value as words: 'randomised-controlled-trial' -> 'randomised controlled trial'."""
    return str(value).replace("-", " ")


def label(value: str) -> str:
    text = words(value)
    return text[:1].upper() + text[1:]


def value_text(v: dict[str, Any]) -> str:
    """An outcome value as reported, in one line."""
    kind = v["type"]
    if kind == "count":
        text = f"{v['n']}/{v['of']}"
        if "percent" in v:
            text += f" ({num(v['percent'])}%)"
        return text
    if kind == "percentage":
        text = ("about " if v.get("approximate") else "") + f"{num(v['percent'])}%"
        extras = [f"95% CI {span(v['ci'])}%" if v.get("ci") else "", f"SD {num(v['sd'])}" if "sd" in v else ""]
        return _with(text, extras)
    if kind == "median":
        if v.get("not_reached") or v.get("value") is None:
            text = "median not reached"
        else:
            text = f"median {num(v['value'])} {v['unit']}"
        extras = [f"range {span(v.get('range'))}" if v.get("range") else "",
                  f"IQR {span(v.get('iqr'))}" if v.get("iqr") else "",
                  f"95% CI {span(v.get('ci'))}" if v.get("ci") else ""]
        return _with(text, extras)
    if kind == "mean":
        text = f"mean {num(v['value'])}" + ("" if v["unit"] == "ratio" else f" {v['unit']}")
        extras = [f"SD {num(v['sd'])}" if "sd" in v else "", f"SE {num(v['se'])}" if "se" in v else "",
                  f"range {span(v.get('range'))}" if v.get("range") else "",
                  f"95% CI {span(v.get('ci'))}" if v.get("ci") else ""]
        return _with(text, extras)
    if kind == "quantity":
        comparator = v.get("comparator", "=")
        prefix = "" if comparator == "=" else comparator + " "
        return f"{prefix}{num(v['value'])} {v['unit']}"
    if kind in ("hazard-ratio", "odds-ratio"):
        name = "HR" if kind == "hazard-ratio" else "OR"
        text = f"{name} {num(v['value'])}"
        extras = [f"95% CI {span(v.get('ci'))}" if v.get("ci") else "", v.get("reference", "")]
        return _with(text, extras)
    if kind == "difference":
        text = f"{v.get('estimate', 'difference')} {num(v['value'])}"
        if v.get("unit") and v["unit"] != "ratio":
            text += f" {v['unit']}"
        extras = [f"95% CI {span(v.get('ci'))}" if v.get("ci") else ""]
        return _with(text, extras)
    if kind == "qualitative":
        return v["statement"]
    return str(v)


def _with(text: str, extras: list[str]) -> str:
    extras = [e for e in extras if e]
    return f"{text} ({'; '.join(extras)})" if extras else text


def sort_key(v: dict[str, Any]) -> str:
    """A number to sort the value column by (the printed figure); empty for text."""
    kind = v["type"]
    if kind == "count":
        if "percent" in v:
            return num(v["percent"])
        return f"{100 * v['n'] / v['of']:.4g}" if v["of"] else ""
    if kind == "percentage":
        return num(v["percent"])
    if kind in ("median", "mean", "quantity", "hazard-ratio", "odds-ratio", "difference"):
        return "" if v.get("value") is None else num(v["value"])
    return ""


def p_text(p: dict[str, Any] | None, arm_labels: dict[str, str] | None = None) -> str:
    if not p:
        return ""
    op = p.get("operator", "=")
    text = f"p {op} {num(p['value'])}"
    if p.get("compared_with"):
        other = (arm_labels or {}).get(p["compared_with"], p["compared_with"])
        text += f" vs {other}"
    if p.get("note"):
        text += f" ({p['note'].rstrip('.')})"
    return text


def locator(loc: dict[str, Any] | None, checks: dict[str, dict] | None = None,
            names: dict[str, str] | None = None) -> str:
    """Where in the source: 'Abstract, Findings', 'Table 2', 'Text, 1 Case data, p. 3'.
    `names` gives the readers' label of a citing study (never its record id on a page)."""
    if not loc:
        return ""
    where = loc["in"]
    parts = [loc["label"]] if where in ("table", "figure") else [label(where)]
    if where not in ("table", "figure") and loc.get("label"):
        parts.append(loc["label"])
    if loc.get("section"):
        parts.append(loc["section"])
    if loc.get("page"):
        parts.append(f"p. {loc['page']}")
    if loc.get("cited_in"):
        parts.append(f"as cited in {(names or {}).get(loc['cited_in'], loc['cited_in'])}")
    if loc.get("check"):
        check = (checks or {}).get(loc["check"])
        parts.append(f"seen on: {check['where']}" if check else f"check {loc['check']}")
    return ", ".join(parts)


def timepoint(tp: dict[str, Any] | None) -> str:
    if not tp:
        return ""
    text = tp["label"]
    if tp.get("from"):
        text += f" (from {words(tp['from'])})"
    return text


def days(items: list | None) -> str:
    if not items:
        return ""
    parts = []
    for d in items:
        parts.append(f"{d['from']} to {d['to']}" if isinstance(d, dict) else str(d))
    return "day" + ("s " if len(parts) > 1 or isinstance(items[0], dict) else " ") + ", ".join(parts)


def dose(d: dict[str, Any] | None) -> str:
    if not d:
        return ""
    if d.get("value") is None:
        text = f"dose not given ({d['unit']})"
    else:
        text = f"{num(d['value'])}"
        if d.get("max"):
            text += f"–{num(d['max'])}"
        text += f" {d['unit']}"
        if d.get("per"):
            text += f" per {d['per']}"
    if d.get("qualifier"):
        text += f" ({d['qualifier']})"
    return text


def follow_up(f: dict[str, Any] | None) -> str:
    if not f:
        return ""
    parts = []
    if "median_months" in f:
        parts.append(f"median {num(f['median_months'])} months")
    if "mean_months" in f:
        parts.append(f"mean {num(f['mean_months'])} months")
    if "months" in f:
        parts.append(f"{num(f['months'])} months")
    if f.get("range_months"):
        parts.append(f"range {span(f['range_months'])} months")
    if not parts and f.get("description"):
        parts.append(f["description"])
    return "; ".join(parts)


def age(a: dict[str, Any] | None) -> str:
    if not a:
        return ""
    parts = []
    for key in ("value", "median", "mean"):
        if key in a:
            parts.append(f"{'' if key == 'value' else key + ' '}{num(a[key])} years")
    if a.get("range"):
        parts.append(f"range {span(a['range'])}")
    return "; ".join(parts)


def fact_value(fact: dict[str, Any]) -> str:
    value = fact.get("value")
    if value is None:
        return ""
    if isinstance(value, list):
        text = ", ".join(value)
        if fact.get("complete") is False:
            text += ", et al."
        return text
    return str(value)


def n_text(n: Any) -> str:
    return "not given" if n is None else str(n)


def raw_value(fact: dict[str, Any] | None) -> Any:
    return fact.get("value") if isinstance(fact, dict) else None


def authors_text(study: dict[str, Any], limit: int = 3) -> str:
    authors = raw_value(study.get("authors"))
    if not authors:
        return "Authors unknown"
    shown = authors[:limit]
    more = len(authors) > limit or not study["authors"].get("complete", True)
    return ", ".join(shown) + (", et al." if more else "")


def volume_issue_pages(study: dict[str, Any]) -> str:
    """';119(24):5650-5658', with whichever parts are known."""
    volume, issue, pages = (raw_value(study.get(k)) for k in ("volume", "issue", "pages"))
    return (f";{volume}" if volume else "") + (f"({issue})" if issue else "") + (f":{pages}" if pages else "")


def citation_text(study: dict[str, Any]) -> str:
    """A Vancouver-style citation built only from recorded facts; unknown parts say so."""
    title = raw_value(study.get("title")) or "[title unknown]"
    journal = raw_value(study.get("journal")) or "[journal unknown]"
    year = raw_value(study.get("year"))
    where = (f"{year}" if year else "[year unknown]") + volume_issue_pages(study)
    text = f"{authors_text(study, 6)}. {title.rstrip('.')}. {journal}. {where}."
    doi, pmid = raw_value(study.get("doi")), raw_value(study.get("pmid"))
    if doi:
        text += f" doi:{doi}."
    if pmid:
        text += f" PMID: {pmid}."
    return text


def short_label(study: dict[str, Any]) -> str:
    """'Misawa 2016' or 'Leukemia 2019' when the author is unknown."""
    authors = raw_value(study.get("authors"))
    year = raw_value(study.get("year"))
    head = authors[0].split()[0] if authors else (raw_value(study.get("journal")) or study["id"])
    return f"{head} {year}" if year else head


# What could not be checked --------------------------------------------------------------
CITATION_NAMES = {"title": "Title", "authors": "Authors", "journal": "Journal", "year": "Year", "volume": "Volume",
                  "issue": "Issue", "pages": "Pages", "doi": "DOI", "pmid": "PubMed ID", "pmcid": "PubMed Central ID"}
OPEN_STATUS = {"unknown": "Not known", "unverified": "Not confirmed"}
NO_REASON = "The record gives no reason."


def open_items(study: dict[str, Any], measure_names: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Every fact of a study that is not known or not confirmed, in a reader's words:
    {fact (the field, 'registration <number>' or the outcome's id), part: 'citation' |
    'registration' | 'figure', item (what, in words), status ('unknown' or
    'unverified'), status_text, reason (the record's own why)}. Shared by the study page,
    the overview page and the open-items table of the downloads."""
    names = measure_names or {}
    out = []

    def add(key: str, part: str, item: str, fact: dict[str, Any]) -> None:
        status = fact.get("status", "verified")
        if status in OPEN_STATUS:
            out.append({"fact": key, "part": part, "item": item, "status": status, "status_text": OPEN_STATUS[status],
                        "reason": str(fact.get("reason") or NO_REASON)})

    for field, name in CITATION_NAMES.items():
        if isinstance(study.get(field), dict):
            add(field, "citation", name, study[field])
    for reg in study.get("registrations") or []:
        add(f"registration {reg.get('value', '')}", "registration", f"Trial registration {reg.get('value', '')}", reg)
    arms = {a.get("id"): a.get("label") for a in study.get("arms") or []}
    for o in study.get("outcomes") or []:
        what = [names.get(o.get("measure"), str(o.get("measure", "")).replace("-", " "))]
        what += [x for x in (arms.get(o.get("arm")), o.get("subgroup")) if x]
        add(str(o.get("id", "")), "figure", f"{', '.join(what)}: {value_text(o['value'])}" if isinstance(o.get("value"), dict) else ", ".join(what), o)
    return out
