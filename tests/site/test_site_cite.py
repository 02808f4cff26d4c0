"""Citing, as a reference manager and a reader meet it in the built HTML: Highwire
citation_* tags and schema.org JSON-LD in each record page's head (parsed, naming the
version), 'Cite this record' with its files, the licence in every footer, the downloads
page listing the data package's columns; and, with the public address set
(POEMSKB_SITE_URL, a test address), canonical links, a full sitemap, absolute citation
URLs and a 404 page whose links work under a sub-path."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from poemskb.export import edition
from sitebuild import build_site

SID = "misawa-2016-jpost-thalidomide"
TEST_URL = "https://test.invalid/kb/"  # .invalid: a name that can never resolve (RFC 2606)


def _meta(tree) -> list[tuple[str, str]]:
    return [(m.attrs.get("name"), m.attrs.get("content")) for m in tree.find_all("meta") if m.attrs.get("name")]


def _jsonld(tree) -> dict:
    [script] = [s for s in tree.find_all("script") if s.attrs.get("type") == "application/ld+json"]
    return json.loads(script.text())


def test_study_page_head_names_the_publication_and_the_version(built, kb):
    # A record whose whole citation was read on PubMed Central (all 17 authors verified).
    sid = "ohwada-2018-chiba-asct"
    tree = built.page(f"generated/studies/{sid}.html")
    meta = _meta(tree)
    study = kb.studies[sid]
    assert ("citation_title", study["title"]["value"]) in meta
    assert [v for k, v in meta if k == "citation_author"] == study["authors"]["value"]  # all 17, in order
    assert ("citation_doi", "10.1182/blood-2017-07-795385") in meta and ("citation_pmid", "29599110") in meta
    assert ("citation_firstpage", "2173") in meta and ("citation_publication_date", "2018") in meta
    ed = edition(kb)
    assert ("poemskb_version", ed.label) in meta
    ld = _jsonld(tree)
    assert ld["@type"] == "MedicalStudy" and ld["version"] == ed.label and ld["isPartOf"]["@type"] == "Dataset"
    assert ld["citation"]["@type"] == "ScholarlyArticle" and len(ld["citation"]["author"]) == 17
    assert "url" not in ld  # no public address set in this build: no absolute URL invented


def test_unverified_facts_never_reach_the_head(built, kb):
    for sid, study in kb.studies.items():
        meta = dict(_meta(built.page(f"generated/studies/{sid}.html")))
        for field, tag in (("title", "citation_title"), ("journal", "citation_journal_title"), ("doi", "citation_doi")):
            fact = study.get(field) or {}
            if fact.get("status") != "verified" or fact.get("value") is None:
                assert tag not in meta, (sid, field)
        if (study.get("authors") or {}).get("status") != "verified":
            assert "citation_author" not in meta, sid  # e.g. an author list seen only on a research portal


def test_cite_this_record_box_and_its_files(built, kb):
    tree = built.page(f"generated/studies/{SID}.html")
    record = tree.by_id("cite-record").text()
    ed = edition(kb)
    assert f"study record {SID}" in record and f"Version {ed.label}" in record and "Accessed" in record
    assert "10.1016/S1474-4422(16)30157-0" in tree.by_id("cite-publication").text()
    assert "public address" in tree.find("p", class_="poems-cite-no-url").text()
    links = [a.attrs["href"] for a in tree.by_id("how-to-cite").parent.find_all("a") if "download" in a.attrs]
    assert {h.rsplit(".", 1)[1] for h in links} == {"bib", "ris", "json"} and len(links) == 6
    for href in links:
        assert (built.site / "generated" / "studies" / href).resolve().is_file(), href
    buttons = list(tree.find_all("button", class_="poems-copy"))
    assert len(buttons) == 2 and all("hidden" in b.attrs for b in buttons)  # shown by JavaScript only
    regimen = built.page("generated/regimens/thal-dex.html")
    assert "regimen record thal-dex" in regimen.by_id("cite-record").text() and _jsonld(regimen)["@type"] == "CreativeWork"


def test_every_page_footer_states_the_licence(built):
    for rel, tree in built.trees().items():
        footer = tree.find("div", class_="md-copyright")
        assert footer is not None and "CC BY 4.0" in footer.text() and "MIT" in footer.text(), rel


def test_downloads_page_lists_every_column_from_the_data_package(built):
    package = json.loads((built.site / "generated/downloads/datapackage.json").read_text(encoding="utf-8"))
    tree = built.page("generated/downloads.html")
    text = tree.text()
    assert "CC BY 4.0" in text and "apostrophe" in text and package["poemskb"]["records_sha256"] in text
    for resource in package["resources"]:
        section = tree.by_id(f"columns-{resource['name']}")
        assert section is not None, resource["name"]
        listed = [c.text() for c in section.parent.find_all("code")]
        for field in resource["schema"]["fields"]:
            assert field["name"] in listed, (resource["name"], field["name"])
    assert _jsonld(tree)["@type"] == "Dataset"


@pytest.fixture(scope="module")
def addressed(kb, tmp_path_factory):
    """The site built with its public address set (a test address)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("POEMSKB_SITE_URL", TEST_URL)
    try:
        yield build_site(kb, tmp_path_factory.mktemp("addressed"))
    finally:
        mp.undo()


@pytest.mark.slow
def test_with_an_address_canonical_sitemap_and_absolute_citations(addressed):
    pages = sorted(p.relative_to(addressed.site).as_posix() for p in addressed.site.rglob("*.html") if p.name != "404.html")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(addressed.site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    assert {TEST_URL + p for p in pages} <= locs | {TEST_URL}, sorted({TEST_URL + p for p in pages} - locs)[:5]
    tree = addressed.page(f"generated/studies/{SID}.html")
    canonical = [l.attrs["href"] for l in tree.find_all("link") if l.attrs.get("rel") == "canonical"]
    assert canonical == [f"{TEST_URL}generated/studies/{SID}.html"]
    assert _jsonld(tree)["url"] == canonical[0]
    assert f"Available at: {canonical[0]}" in tree.by_id("cite-record").text()
    assert tree.find("p", class_="poems-cite-no-url") is None
    csl = json.loads((addressed.site / f"generated/cite/study-{SID}.json").read_text(encoding="utf-8"))
    assert csl[0]["URL"] == canonical[0]


@pytest.mark.slow
def test_the_404_page_works_under_a_sub_path(addressed):
    """Served for any missing address, so its links must not be relative to it."""
    tree = addressed.page("404.html")
    refs = [n.attrs.get("href") or n.attrs.get("src") for n in tree.iter() if n.tag in ("a", "link", "script", "img")]
    refs = [r for r in refs if r and not r.startswith(("#", "data:", "mailto:"))]
    assert refs
    for ref in refs:
        assert ref.startswith(("/kb/", TEST_URL, "https://creativecommons.org/", "https://squidfunk")), ref


@pytest.mark.browser
@pytest.mark.slow
def test_copy_button_copies_and_degrades_to_selectable_text(browser, server):
    url = server + f"generated/studies/{SID}.html"
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        tab = context.new_page()
        tab.goto(url)
        button = tab.locator("button.poems-copy[data-copy='cite-record']")
        assert button.is_visible()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", tab.locator("#cite-record .poems-today").inner_text())
        button.click()
        tab.wait_for_function("document.querySelector(\"button[data-copy='cite-record']\").textContent === 'Copied'")
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert f"study record {SID}" in copied and "Accessed" in copied
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(url)
        assert tab.locator("button.poems-copy").first.is_hidden()
        text = tab.locator("#cite-record")
        assert text.is_visible() and "[the date you read it]" in text.inner_text()
        assert text.evaluate("e => getComputedStyle(e).userSelect") != "none"
    finally:
        context.close()
