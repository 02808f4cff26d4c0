"""The built site, read as HTML: a page for every record, the comparison table, the
verification marks, links, search index, accessibility basics and the notice."""
from __future__ import annotations

import json
import re

import pytest

from htmltree import broken_links, parse
from poemskb.describe import open_items
from poemskb.render.context import Site

pytestmark = pytest.mark.slow




def test_every_study_and_regimen_has_a_page_at_its_record_id(built, kb):
    for sid in kb.studies:
        page = built.page(f"generated/studies/{sid}.html")
        assert page.find("h1") is not None, sid
    for rid in kb.regimens:
        page = built.page(f"generated/regimens/{rid}.html")
        assert kb.regimens[rid]["name"] in page.find("h1").text(), rid


def test_index_pages_link_every_record_and_the_nav_does_not(built, kb):
    studies_index = built.html("generated/studies/index.html")
    regimens_index = built.html("generated/regimens/index.html")
    for sid in kb.studies:
        assert f'href="{sid}.html"' in studies_index, sid
    for rid in kb.regimens:
        assert f'href="{rid}.html"' in regimens_index, rid
    # The navigation on the home page lists index pages, not records.
    nav = built.page("index.html").find("nav", class_="md-nav md-nav--primary")
    nav_links = [a.attrs.get("href", "") for a in nav.iter("a")]
    assert nav_links and not [h for h in nav_links if re.search(r"/(studies|regimens)/(?!index\.html)", h)]


def test_comparison_table_has_one_row_per_treatment_outcome(built, kb):
    page = built.page("generated/all-outcomes.html")
    table = page.by_id("comparison-table")
    rows = list(table.find("tbody").iter("tr"))
    site = Site(kb)
    treatment = site.treatment_rows
    roles = [o.get("role", "treatment") for s in kb.studies.values() for o in s.get("outcomes", [])]
    assert len(rows) == len(treatment) == roles.count("treatment")
    # Every treatment outcome is there: the study link and measure agree.
    seen = set()
    for row in rows:
        cells = {c.attrs.get("data-label"): c for c in row.iter("td")}
        study = next(a.attrs["href"] for a in cells["Study and group"].iter("a"))
        seen.add((study.split("/")[-1].split(".html")[0], row.attrs["data-measure"]))
    for o in treatment:
        assert (o.study, o.measure) in seen


def test_comparison_rows_link_to_their_study_and_show_the_value_as_reported(built, kb):
    page = built.page("generated/all-outcomes.html")
    text = " ".join(r.text() for r in page.by_id("comparison-table").iter("tr"))
    # J-POST's primary result: an adjusted mean difference, not a count.
    assert "adjusted mean difference 0.41 (95% CI 0.02–0.8)" in text
    # Counts stay counts with the printed percentage.
    assert "26/34 (76.5%)" in text


def test_unverified_and_unknown_facts_are_marked_with_words(built, kb):
    """Each study's "What could not be checked" names every open fact once, under a
    labelled badge, with the record's reason; facts sharing a reason share one item."""
    names = {m: r["name"] for m, r in kb.measures.items()}
    for sid in kb.studies:
        page = built.page(f"generated/studies/{sid}.html")
        items = open_items(kb.studies[sid], names)
        listed = page.find("ul", class_="poems-open-facts")
        if not items:
            assert listed is None
            continue
        groups = list(listed.iter("li"))
        assert len(groups) == len({(i["status"], i["reason"]) for i in items}), sid
        for item in items:
            holders = [g for g in groups if g.find("strong") is not None and item["item"].split(":")[0] in g.find("strong").text()
                       and item["reason"].split()[0] in g.text()]
            assert holders, (sid, item)
            badges = [n.text() for g in holders for n in g.iter("span") if n.has_class("poems-badge")]
            assert ("Not known" if item["status"] == "unknown" else "Not confirmed") in badges, (sid, item)


def test_not_checked_overview_lists_every_study_with_open_items_and_its_counts(built, kb):
    site = Site(kb)
    names = {m: r["name"] for m, r in kb.measures.items()}
    rows = {r.find("a").attrs["href"]: r for r in built.page("generated/not-checked.html").find("tbody").iter("tr")}
    for sid, s in kb.studies.items():
        items = open_items(s, names)
        row = rows.get(f"studies/{sid}.html#verification")
        if not items and not (s.get("outcomes") and site.abstract_only(sid)):
            assert row is None, sid
            continue
        assert row is not None, sid
        cells = [c.text().strip() for c in row.iter("td")]
        assert cells[-1] == str(len(items)), (sid, cells)
        assert cells[-2] == str(sum(1 for i in items if i["part"] == "figure")), (sid, cells)
        assert cells[1] == str(sum(1 for i in items if i["status"] == "unknown")), (sid, cells)


def test_what_changed_page_is_linked_where_a_reviewer_looks(built):
    for page in ("index.html", "about.html", "methods.html"):
        hrefs = [a.attrs.get("href", "") for a in built.page(page).iter("a")]
        assert any(h.endswith("generated/what-changed.html") for h in hrefs), page
    text = built.page("generated/what-changed.html").text()
    assert "Since release" in text and "Release 0.1.0" in text


def test_unverified_outcome_is_flagged_in_its_row(built):
    page = built.page("generated/studies/misawa-2016-jpost-thalidomide.html")
    rows = list(page.by_id("outcomes-table").find("tbody").iter("tr"))
    brady = next(r for r in rows if "sinus bradycardia" in r.text())
    assert "Unverified" in brady.text() and "news report" in brady.text()
    vegf = next(r for r in rows if "mean 0.39" in r.text())
    assert "Unverified" not in vegf.text()


def test_study_page_shows_citation_identifiers_provenance_and_how_to_cite(built, kb):
    sid = "misawa-2016-jpost-thalidomide"
    html = built.html(f"generated/studies/{sid}.html")
    page = parse(html)
    citation = page.find("p", class_="poems-citation").text()
    assert kb.studies[sid]["title"]["value"] in citation and "Lancet Neurol" in citation
    assert 'href="https://doi.org/10.1016/S1474-4422(16)30157-0"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/27496680/"' in html
    assert "UMIN000004179" in html
    for section in ("design", "population", "arms", "outcomes", "overlaps", "cited-by", "provenance", "verification", "how-to-cite"):
        assert page.by_id(section) is not None, section
    assert "PubMed record 27496680" in page.by_id("provenance").parent.text()
    assert f"study record {sid}" in page.by_id("cite-record").text()


def test_cited_by_lists_the_citing_records(built, kb):
    for cited, citing in kb.cited_by.items():
        html = built.html(f"generated/studies/{cited}.html")
        for sid in citing:
            assert f'href="{sid}.html"' in html, (cited, sid)


def test_home_page_shows_currency_counts_and_the_trials_headline(built, kb):
    home = built.page("index.html")
    text = home.text()
    site = Site(kb)
    # The records are not exactly a release's: the home page says so, never "Release 0.1.0".
    assert f"Version {site.release}" in text and "+ changes since" in site.release
    assert f"Release {site.kb.release} " not in text
    newest = kb.newest_curation
    year, month, day = newest.split("-")
    assert f"Newest record curated {int(day)} " in text and year in text
    split = home.find("div", class_="poems-split")
    assert "23 February 2012" in split.text()
    since = split.find("section", class_="poems-since")
    assert "misawa-2016-jpost-thalidomide" in str([a.attrs for a in since.iter("a")])
    # Counts by design: one row per design present, with the right number of studies.
    table = next(t for t in home.iter("table") if "by design" in t.find("caption").text())
    counts = {r.find("th").text(): r.iter("td") for r in table.find("tbody").iter("tr")}
    for design, n in site.counts_by_design.items():
        if n:
            cells = list(counts[site.design_label(design)])
            assert cells[1].text() == str(n), design


def test_regimen_page_lists_studies_components_and_every_outcome(built, kb):
    site = Site(kb)
    for rid in kb.regimens:
        page = built.page(f"generated/regimens/{rid}.html")
        rows = site.rows_for_regimen(rid)
        assert all(r.role == "treatment" for r in rows), rid
        tables = [t for t in page.iter("table") if t.find("caption") is not None]
        outcome_rows = sum(len(list(t.find("tbody").iter("tr"))) for t in tables
                           if t.find("caption").text().startswith(("Outcomes reported", "Adverse events and safety")))
        assert outcome_rows == len(rows), rid
        for sid, _ in kb.arms_by_regimen.get(rid, []):
            assert f'href="../studies/{sid}.html"' in built.html(f"generated/regimens/{rid}.html"), (rid, sid)


def test_no_broken_internal_links_or_anchors(built):
    checked, broken = broken_links(built.site, built.trees())
    assert checked > 1000  # the crawl did reach the record pages
    assert not broken, "\n".join(broken[:40])


def test_search_indexes_study_tables_but_not_the_tables_that_grow_with_the_base(built, kb):
    """The search index (poemskb/searchindex.py, searchhtml.py) leaves out what carries
    data-search-exclude: the comparison, index and regimen outcome tables, which grow
    with the knowledge base. A study page's own tables (a figure, an arm) are indexed."""
    from poemskb.searchquery import search

    assert (built.site / "search-index" / "index.json").is_file() and not (built.site / "search" / "search_index.json").exists()
    assert not (built.site / "pagefind").exists()
    for url in ("generated/comparison.html", "generated/all-outcomes.html", "generated/forest-plots.html"):
        tables = list(built.page(url).find_all("table"))
        assert tables and all("data-search-exclude" in t.attrs for t in tables), url
    study = built.page("generated/studies/misawa-2016-jpost-thalidomide.html")
    outcomes = [t for t in study.find_all("table") if "mean 0.39" in t.text()]
    assert outcomes and all("data-search-exclude" not in t.attrs for t in outcomes)
    # Every study page names its search title (its label) for the results list.
    html = built.html("generated/studies/huaian-case-rd-asct.html")
    assert '<meta name="poems-search-title" content="Huai&#39;an case report, Rd then transplant">' in html
    # What the index holds: a figure of the study's table finds it; a cell of the
    # comparison table alone finds no comparison page.
    index = built.site / "search-index"
    found = search(index, "0.39")
    assert "generated/studies/misawa-2016-jpost-thalidomide.html" in [found.meta(index, p)[0] for p, _ in found.pages]
    assert not [p for p, _ in found.pages if found.meta(index, p)[0] == "generated/comparison.html"]


def test_every_page_carries_the_not_medical_advice_notice(built):
    for rel, tree in built.trees().items():
        if rel == "404.html":
            continue
        banner = tree.find("aside", class_="md-banner")
        assert banner is not None and "Evidence, not medical advice." in banner.text(), rel


def test_headings_are_in_order_and_tables_have_headers(built):
    for rel, tree in built.trees().items():
        article = tree.find("article")
        if article is None:
            continue
        levels = [int(n.tag[1]) for n in article.iter() if re.fullmatch(r"h[1-6]", n.tag)]
        assert levels and levels[0] == 1, rel
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{rel}: h{before} followed by h{after}"
        for table in article.iter("table"):
            head = table.find("thead")
            assert head is not None and head.find("th") is not None, f"{rel}: a table without a header row"
            body = table.find("tbody")
            row_heads = list(body.iter("th")) if body is not None else []
            assert all(h.attrs.get("scope") == "row" for h in row_heads), f"{rel}: a row header without scope"


def test_link_text_says_where_it_goes(built):
    vague = {"here", "click here", "link", "more", "this"}
    for rel, tree in built.trees().items():
        article = tree.find("article")
        if article is None:
            continue
        for a in article.iter("a"):
            if a.has_class("headerlink"):
                continue
            text = a.text().strip().lower()
            assert text and text not in vague, f"{rel}: link to {a.attrs.get('href')} says {text!r}"


def test_no_external_requests_for_scripts_styles_or_fonts(built):
    for rel, tree in built.trees().items():
        for node in list(tree.iter("script")) + list(tree.iter("link")) + list(tree.iter("img")):
            url = node.attrs.get("src") or (node.attrs.get("href") if node.tag == "link" and node.attrs.get("rel") in ("stylesheet", "preconnect") else None)
            assert not url or not url.startswith(("http://", "https://", "//")), f"{rel}: {url}"


def test_evidence_map_counts_a_shared_cohort_once(built, kb):
    """Where two studies in one regimen × design cell are declared the same cohort, the
    map shows fewer patients than their arms add up to, and says so."""
    site = Site(kb)
    table = built.page("generated/comparison.html").by_id("evidence-map-table")
    rows = {r.find("th").text().strip(): list(r.iter("td")) for r in table.find("tbody").iter("tr")}
    checked = 0
    for rid in kb.regimens:
        for j, design in enumerate(site.primary_designs):
            uses = {sid: n for sid, n in site.studies_for_regimen(rid).items() if kb.studies[sid]["design"] == design}
            pairs = [(a, b) for a in uses for b, rel, _ in kb.overlaps.get(a, []) if b in uses and a < b and rel == "same-cohort"]
            if not pairs:
                continue
            text = rows[site.regimen_label(rid)][j].text()
            shown = int(re.search(r"(\d+) patients", text).group(1))
            assert shown < sum(n for n in uses.values() if n), (rid, design, text)
            assert "shared cohort counted once" in text
            checked += 1
    assert checked, "no cell holds a declared same-cohort pair; the records changed, so pick another check"
