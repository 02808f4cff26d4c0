"""'Cite this record' on study and regimen pages, the citation files behind it, and the
page-head metadata reference managers read (Highwire `citation_*` tags and schema.org
JSON-LD, passed to the theme through the page's front matter; overrides/main.html
writes them into <head>).

Two citations per study page: this record (knowledge base, record, version, address,
access date; formatted by citeproc-py) and the publication itself (the site's Vancouver
citation); each as text and as BibTeX, RIS and CSL-JSON files under generated/cite/. Facts that are unknown are left
out; in the page head, only verified facts are given (a reference manager cannot show
our 'unverified' mark).
"""
from __future__ import annotations

from typing import Any, Iterator

from ..describe import citation_text, raw_value
from ..export import bibliography
from ..export.edition import LICENCE_RECORDS_URL
from . import links
from .context import Site
from .html import Html, el, esc, fmt as h, join, link

FOLDER = f"{links.GENERATED}/cite"
FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}
NO_ADDRESS = ("This build does not know the site's public address (its deployer has not set it), "
              "so the citation gives no web address: cite the record id and version.")


def record_item(site: Site, kind: str, rid: str) -> dict[str, Any]:
    data = site.kb.record(kind, rid).data
    title = site.study_title(rid) if kind == "study" else data["name"]
    page = links.study_page(rid) if kind == "study" else links.regimen_page(rid)
    return bibliography.record_item(site.name, site.edition, kind, rid, title, data["provenance"]["curated"],
                                    links.absolute(site.site_url, page))


def _file_stem(kind: str, rid: str, which: str) -> str:
    return f"{FOLDER}/{kind}-{rid}" + ("-publication" if which == "publication" else "")


def _items(site: Site, kind: str, rid: str) -> dict[str, dict[str, Any]]:
    items = {"record": record_item(site, kind, rid)}
    if kind == "study":
        items["publication"] = bibliography.publication_item(site.kb.studies[rid])
    return items


def citation_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """generated/cite/<kind>-<id>[-publication].{bib,ris,json}, for every study and regimen."""
    for kind, ids in (("study", site.kb.studies), ("regimen", site.kb.regimens)):
        for rid in ids:
            for which, item in _items(site, kind, rid).items():
                stem = _file_stem(kind, rid, which)[len(links.GENERATED) + 1:]
                yield f"{stem}.bib", bibliography.bibtex([item]).encode("utf-8")
                yield f"{stem}.ris", bibliography.ris([item]).encode("utf-8")
                yield f"{stem}.json", bibliography.csl_json([item]).encode("utf-8")


def cite_section(site: Site, kind: str, rid: str, path: str) -> Html:
    """The 'Cite this record' block: formatted text to select or copy, and the files."""
    items = _items(site, kind, rid)
    blocks = [el("p", "When you use figures from this record, cite the original publication for the findings "
                      "and this record for the curation.")]
    if not site.site_url:
        blocks.append(el("p", NO_ADDRESS, class_="poems-cite-no-url"))
    titles = {"record": "This record", "publication": "The publication"}
    for which, item in items.items():
        if which == "record":  # the Harvard style prints no version: add it, then the access date
            text = f"{bibliography.formatted_record(item).rstrip('.')}. Version {site.edition.label}. (Accessed: "
        else:  # the site's own Vancouver citation, as in the Citation section (citeproc: 20 ms a page)
            text = citation_text(site.kb.studies[rid])
        box_id = f"cite-{which}"
        body = [esc(text)]
        if which == "record":
            body += [el("span", "[the date you read it]", class_="poems-today"), ")."]
        stem = _file_stem(kind, rid, which)
        files = join([link(links.asset(path, f"{stem}.{ext}"), name, download=True) for ext, name in FORMATS.items()], " · ")
        blocks.append(join([
            el("p", el("strong", titles[which]), class_="poems-cite-title"),
            el("p", join(body), class_="poems-cite-text", id=box_id),
            h('<p class="poems-cite-actions"><button type="button" class="md-button poems-copy" data-copy="{}" hidden>Copy</button> '
              "Download: {}</p>", box_id, files),
        ]))
    return el("div", join(blocks), class_="poems-cite")


# Page head ------------------------------------------------------------------------------
def _verified(study: dict[str, Any], field: str) -> Any:
    fact = study.get(field)
    return raw_value(fact) if fact and fact.get("status") == "verified" else None


def study_head(site: Site, sid: str) -> dict[str, Any]:
    """Front matter for a study page: Highwire tags for the publication (verified facts
    only) and JSON-LD: the record (MedicalStudy) citing the publication (ScholarlyArticle)."""
    s = site.kb.studies[sid]
    tags: list[list[str]] = []
    title, authors, journal, year = (_verified(s, f) for f in ("title", "authors", "journal", "year"))
    if title:
        tags.append(["citation_title", title])
    for a in authors or []:
        tags.append(["citation_author", a])
    if year:
        tags.append(["citation_publication_date", str(year)])
    if journal:
        tags.append(["citation_journal_title", journal])
    for field, tag in (("volume", "citation_volume"), ("issue", "citation_issue"), ("doi", "citation_doi"), ("pmid", "citation_pmid")):
        if _verified(s, field):
            tags.append([tag, str(_verified(s, field))])
    pages = _verified(s, "pages")
    if pages:
        first, _, last = str(pages).partition("-")
        tags.append(["citation_firstpage", first])
        if last:
            tags.append(["citation_lastpage", last])
    article: dict[str, Any] = {"@type": "ScholarlyArticle"}
    if title:
        article["headline"] = title
    if authors:
        article["author"] = [{"@type": "Person", "name": a} for a in authors]
    if year:
        article["datePublished"] = str(year)
    if journal:
        article["isPartOf"] = {"@type": "Periodical", "name": journal}
    if _verified(s, "doi"):
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": str(_verified(s, "doi"))}
        article["sameAs"] = links.doi_url(str(_verified(s, "doi")))
    record = _record_ld(site, "study", sid, "MedicalStudy", site.study_title(sid))
    record["citation"] = article
    return {"poems_meta": tags + _version_tags(site), "poems_jsonld": record}


def regimen_head(site: Site, rid: str) -> dict[str, Any]:
    name = site.kb.regimens[rid]["name"]
    return {"poems_meta": _version_tags(site), "poems_jsonld": _record_ld(site, "regimen", rid, "CreativeWork", name)}


def _version_tags(site: Site) -> list[list[str]]:
    return [["poemskb_version", site.edition.label], ["poemskb_records_sha256", site.edition.records_sha256]]


def dataset_ld(site: Site) -> dict[str, Any]:
    """The knowledge base as a schema.org Dataset."""
    ld: dict[str, Any] = {"@context": "https://schema.org", "@type": "Dataset", "name": site.name, "version": site.edition.label,
                          "dateModified": site.edition.date, "license": LICENCE_RECORDS_URL,
                          "creator": {"@type": "Organization", "name": bibliography.CORPORATE},
                          "description": "Curated records of the published evidence on treating POEMS syndrome."}
    if site.site_url:
        ld["url"] = site.site_url
    return ld


def _record_ld(site: Site, kind: str, rid: str, type_: str, name: str) -> dict[str, Any]:
    page = links.study_page(rid) if kind == "study" else links.regimen_page(rid)
    ld: dict[str, Any] = {"@context": "https://schema.org", "@type": type_, "name": name, "identifier": f"{kind}/{rid}",
                          "version": site.edition.label, "license": LICENCE_RECORDS_URL,
                          "dateModified": site.kb.record(kind, rid).data["provenance"]["curated"], "isPartOf": dataset_ld(site)}
    ld["isPartOf"].pop("@context")
    url = links.absolute(site.site_url, page)
    if url:
        ld["url"] = url
    return ld
