"""Bibliographic formats from the records: CSL-JSON (the source for the others),
BibTeX (bibtexparser), RIS (rispy) and formatted references (citeproc-py).

Only recorded facts go in: a field whose value is unknown is left out, never filled.
A fact recorded as 'unverified' is included and named in the entry's note, so a
reference manager shows it. Identifiers travel unchanged (a DOI such as
10.1016/S1474-4422(16)30157-0 keeps its parentheses in every format).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable

from ..describe import raw_value
from .edition import LICENCE_RECORDS_URL, LICENCE_TEXT, Edition

CSL_TYPES = {"journal-article": "article-journal", "review-article": "article-journal", "cochrane-review": "article-journal",
             "case-report-article": "article-journal", "letter": "article-journal", "conference-abstract": "paper-conference"}
BIBTEX_TYPES = {"article-journal": "article", "paper-conference": "inproceedings", "dataset": "misc"}
RIS_TYPES = {"article-journal": "JOUR", "paper-conference": "CPAPER", "dataset": "DATA"}
INITIALS = re.compile(r"^[A-Z][A-Za-z]{0,3}$")
CORPORATE = "POEMS evidence knowledge base contributors"


def csl_name(name: str) -> dict[str, str]:
    """'Misawa S' -> family Misawa, given S (Vancouver style); anything else stays literal."""
    family, _, initials = name.rpartition(" ")
    if family and INITIALS.match(initials) and initials[:1].isupper():
        return {"family": family, "given": initials}
    return {"literal": name}


def publication_item(study: dict[str, Any]) -> dict[str, Any]:
    """The publication a study record describes, as a CSL-JSON item (recorded facts only)."""
    item: dict[str, Any] = {"id": study["id"], "type": CSL_TYPES.get(study["publication_type"], "article-journal")}
    facts = {"title": "title", "journal": "container-title", "volume": "volume", "issue": "issue",
             "pages": "page", "doi": "DOI", "pmid": "PMID", "pmcid": "PMCID"}
    unverified = []
    for field, key in facts.items():
        value = raw_value(study.get(field))
        if value not in (None, ""):
            item[key] = str(value)
            if study[field].get("status") == "unverified":
                unverified.append(field)
    authors = raw_value(study.get("authors"))
    if authors:
        item["author"] = [csl_name(a) for a in authors]
        if study["authors"].get("status") == "unverified":
            unverified.append("authors")
    year = raw_value(study.get("year"))
    if year:
        item["issued"] = {"date-parts": [[int(year)]]}
        if study["year"].get("status") == "unverified":
            unverified.append("year")
    notes = []
    if authors and study["authors"].get("complete") is False:
        notes.append("Author list incomplete in the record.")
    if unverified:
        notes.append("Not verified on the source: " + ", ".join(unverified) + ".")
    if notes:
        item["note"] = " ".join(notes)
    return item


def knowledge_base_item(name: str, edition: Edition, url: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": "poemskb", "type": "dataset", "title": name, "author": [{"literal": CORPORATE}],
                            "version": edition.label, "issued": _date_parts(edition.date), "license": LICENCE_RECORDS_URL,
                            "note": f"{LICENCE_TEXT} Records SHA-256 {edition.records_sha256}."}
    if url:
        item["URL"] = url
    return item


def record_item(name: str, edition: Edition, kind: str, rid: str, title: str, curated: str, url: str | None) -> dict[str, Any]:
    """'Cite this record': one record of the knowledge base, at this version."""
    item: dict[str, Any] = {"id": f"poemskb-{kind}-{rid}", "type": "dataset", "title": f"{title} ({kind} record {rid})",
                            "author": [{"literal": CORPORATE}], "container-title": name, "version": edition.label,
                            "issued": _date_parts(curated), "license": LICENCE_RECORDS_URL}
    if url:
        item["URL"] = url
    return item


def _date_parts(date: str) -> dict[str, Any]:
    return {"date-parts": [[int(p) for p in date.split("-")]]} if date else {}


# Writers --------------------------------------------------------------------------------
def csl_json(items: Iterable[dict[str, Any]]) -> str:
    return json.dumps([{k: v for k, v in item.items() if v} for item in items], ensure_ascii=False, indent=1) + "\n"


def bibtex(items: Iterable[dict[str, Any]], header: str = "") -> str:
    """BibTeX through bibtexparser: braces protect case; values are escaped for TeX."""
    import bibtexparser
    from bibtexparser import model

    library = bibtexparser.Library()
    if header:
        library.add(model.ExplicitComment(header))
    for item in items:
        fields = [model.Field(k, v) for k, v in _bibtex_fields(item)]  # the writer adds the enclosing braces
        library.add(model.Entry(BIBTEX_TYPES.get(item["type"], "misc"), _bibtex_key(item["id"]), fields))
    return bibtexparser.write_string(library)


def _bibtex_fields(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, value escaped for TeX)."""
    out = []
    if item.get("author"):
        out.append(("author", " and ".join(_bibtex_name(a) for a in item["author"])))
    mapping = [("title", "title"), ("container-title", "journal" if item["type"] == "article-journal" else "booktitle" if item["type"] == "paper-conference" else "howpublished"),
               ("volume", "volume"), ("issue", "number"), ("page", "pages"), ("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid"),
               ("version", "version"), ("URL", "url"), ("license", "license"), ("note", "note")]
    for key, name in mapping:
        if item.get(key):
            out.append((name, _tex(str(item[key]))))
    parts = (item.get("issued") or {}).get("date-parts")
    if parts:
        out.append(("year", str(parts[0][0])))
    return out


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _tex(name["literal"]) + "}"  # a corporate or unsplit name stays whole
    return f"{_tex(name['family'])}, {_tex(name['given'])}"


def _bibtex_key(rid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]", "", rid)


def _tex(value: str) -> str:
    """Escape what TeX treats specially; braces stay balanced by escaping them."""
    out = []
    for ch in value:
        if ch in "{}":
            out.append("\\" + ch)
        elif ch in "&%$#_":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def untex(value: str) -> str:
    """Inverse of _tex for reading our own BibTeX back (tests, round trips)."""
    return re.sub(r"\\([{}&%$#_])", r"\1", value)


def ris(items: Iterable[dict[str, Any]]) -> str:
    entries = []
    for item in items:
        entry: dict[str, Any] = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "id": item["id"]}
        if item.get("author"):
            entry["authors"] = [a.get("literal") or f"{a['family']}, {a['given']}" for a in item["author"]]
        for key, tag in (("title", "title"), ("container-title", "secondary_title"), ("volume", "volume"), ("issue", "number"),
                         ("DOI", "doi"), ("version", "edition")):
            if item.get(key):
                entry[tag] = str(item[key])
        if item.get("URL"):
            entry["urls"] = [item["URL"]]
        if item.get("page"):
            start, _, end = str(item["page"]).partition("-")
            entry["start_page"] = start
            if end:
                entry["end_page"] = end
        parts = (item.get("issued") or {}).get("date-parts")
        if parts:
            entry["year"] = str(parts[0][0])
        notes = [f"PMID: {item['PMID']}" if item.get("PMID") else "", f"PMCID: {item['PMCID']}" if item.get("PMCID") else "",
                 f"License: {item['license']}" if item.get("license") else "", item.get("note", "")]
        if any(notes):
            entry["notes"] = [n for n in notes if n]
        entries.append(entry)
    import rispy

    return rispy.dumps(entries, implementation=_ris_writer())


def _ris_writer():
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:  # no '1.' counter line before each entry
            return ""

    return Writer


@lru_cache(maxsize=1)
def _style():
    from citeproc import CitationStylesStyle

    return CitationStylesStyle("harvard-cite-them-right", validate=False)  # parsed once: about 10 ms


def formatted(items: list[dict[str, Any]]) -> list[str]:
    """Plain-text references (Harvard "Cite Them Right", the style citeproc-py ships), in
    the items' order. About 20 ms per reference: fine for a file, too slow for every page
    of a large knowledge base (see formatted_record)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    cleaned = [{k: v for k, v in item.items() if v and k not in ("PMID", "PMCID", "license")} for item in items]
    source = CiteProcJSON(cleaned)
    style = _style()
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for item in cleaned:
        bib.register(Citation([CitationItem(item["id"].lower())]))
    order = {item["id"].lower(): i for i, item in enumerate(cleaned)}
    refs = sorted(zip(bib.keys, bib.bibliography()), key=lambda kv: order[kv[0]])
    return [str(text) for _, text in refs]


TITLE_TOKEN, URL_TOKEN = "QQPOEMSKBTITLEQQ", "QQPOEMSKBURLQQ"


def formatted_record(item: dict[str, Any]) -> str:
    """A 'Cite this record' item formatted by citeproc-py. Every record citation has the
    same shape (same author, container, version; only the title, date and address vary),
    so citeproc formats one item per shape with placeholders and the title and address
    are put in: one citeproc call per render instead of one per page (a test checks the
    result equals formatting each item in full)."""
    shape = {k: v for k, v in item.items() if k not in ("id", "title", "URL")}
    template = _record_template(json.dumps(shape, sort_keys=True), bool(item.get("URL")))
    return template.replace(TITLE_TOKEN, item["title"]).replace(URL_TOKEN, item.get("URL", ""))


@lru_cache(maxsize=256)
def _record_template(shape_json: str, has_url: bool) -> str:
    item = {"id": "template", **json.loads(shape_json), "title": TITLE_TOKEN}
    if has_url:
        item["URL"] = URL_TOKEN
    return formatted([item])[0]
