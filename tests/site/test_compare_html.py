"""The comparison page and regimen pages read as HTML: the key-outcome matrix (every figure
with n, study, level and status in words; independent patients), associations kept out
of treatment views, whole cohorts counted for their regimen or shown as mixed, and each
interval said to be reported, computed (with its method) or impossible."""
from __future__ import annotations

import re

import pytest

from poemskb.render.context import Site
from poemskb.render.matrix import key_measures
from poemskb.render.population import MIXED_LABEL, is_mixed, regimen_key

pytestmark = pytest.mark.slow

COMPARISON = "generated/comparison.html"
ALL_OUTCOMES = "generated/all-outcomes.html"
PLOTS = "generated/forest-plots.html"
LEUKEMIA_2017 = "leukemia-2017-asct-pretransplant"


def _rows_by_study(tree, table_caption: str, sid: str):
    for table in tree.iter("table"):
        caption = table.find("caption")
        if caption is None or not caption.text().startswith(table_caption):
            continue
        for row in table.find("tbody").iter("tr"):
            if any(a.attrs.get("href", "").endswith(f"studies/{sid}.html#outcomes") for a in row.iter("a")):
                yield row


def test_the_asct_page_lists_the_leukemia_2017_cohort(built, kb):
    """Both arms of the 138-patient series had ASCT, so its whole-cohort 5-year OS and PFS
    are ASCT results: on the regimen page, in its table and in its plots."""
    study = kb.studies[LEUKEMIA_2017]
    assert {a["regimen"] for a in study["arms"]} == {"asct-hdm"} and len(study["arms"]) > 1
    page = built.page("generated/regimens/asct-hdm.html")
    rows = list(_rows_by_study(page, "Outcomes reported", LEUKEMIA_2017))
    measures = {r.attrs["data-measure"]: r.text() for r in rows}
    assert "94%" in measures["overall-survival"] and "76%" in measures["progression-free-survival"]
    label = Site(kb).study_label(LEUKEMIA_2017)  # the study's short label, as every page names it
    plot = page.by_id("forest--overall-survival--table")
    assert any(label in th.text() for th in plot.iter("th"))
    # And in the comparison's ASCT row, not under mixed regimens.
    matrix = built.page(COMPARISON).by_id("comparison-matrix")
    asct = next(r for r in matrix.find("tbody").iter("tr") if r.attrs.get("data-regimen") == "asct-hdm")
    assert label in next(td for td in asct.iter("td") if td.attrs.get("data-measure") == "overall-survival").text()


def test_associations_are_absent_from_treatment_views(built, kb):
    site = Site(kb)
    associations = site.association_rows
    ratios = [r for r in associations if r.outcome["value"]["type"] in ("hazard-ratio", "odds-ratio")]
    assert ratios, "the records hold prognostic hazard ratios; this test needs one"
    from poemskb.describe import value_text

    pages = [COMPARISON, ALL_OUTCOMES, PLOTS] + [f"generated/regimens/{rid}.html" for rid in kb.regimens]
    for url in pages:
        tree = built.page(url)
        shown = " ".join(t.text() for t in tree.iter("table") if t.attrs.get("id") != "evidence-map-table")
        for row in ratios:
            assert value_text(row.outcome["value"]) not in shown, (url, row.study, row.outcome["id"])
    # Still on the study page that reports them.
    row = ratios[0]
    assert value_text(row.outcome["value"]).split(" (")[0] in built.page(f"generated/studies/{row.study}.html").text()


def test_every_matrix_figure_has_its_n_study_level_and_status_in_words(built, kb):
    site = Site(kb)
    matrix = built.page(COMPARISON).by_id("comparison-matrix")
    heads = [th.attrs.get("data-measure") for th in matrix.find("thead").iter("th")][1:]
    assert heads == key_measures(site)
    items = [li for ul in matrix.find_all("ul", class_="poems-figures") for li in ul.iter("li")]
    expected = [r for r in site.treatment_rows if r.measure in heads]
    assert len(items) == len(expected)
    for li in items:
        text = li.text()
        assert re.search(r"\bn (\d+|not given)\b", text), text
        assert any(a.attrs.get("href", "").startswith("studies/") for a in li.iter("a")), text
        assert re.search(r"Level \d|Review", text), text
        status = "Unverified" if li.attrs["data-status"] == "unverified" else "Verified"
        assert status in text
    # Whole cohorts on mixed regimens are shown, under their own visible label.
    mixed = [r for r in expected if is_mixed(r)]
    if mixed:
        row = next(r for r in matrix.find("tbody").iter("tr") if r.attrs.get("data-regimen") == "mixed")
        assert row.find("th").text().strip() == MIXED_LABEL
        assert len([li for li in row.iter("li") if li.attrs.get("data-status")]) == len(mixed)


def test_each_cell_gives_its_independent_patients_per_population(built, kb):
    site = Site(kb)
    matrix = built.page(COMPARISON).by_id("comparison-matrix")
    checked = 0
    for tr in matrix.find("tbody").iter("tr"):
        for td in tr.iter("td"):
            for li in (li for ul in td.find_all("ul", class_="poems-patients") for li in ul.iter("li")):
                rows = [r for r in site.treatment_rows if regimen_key(r) == tr.attrs["data-regimen"]
                        and r.measure == td.attrs["data-measure"] and r.line == li.attrs["data-line"]
                        and r.transplant == li.attrs["data-transplant"]]
                found = site.independent_patients(rows)
                number = str(found.low) if found.low == found.high else f"{found.low}–{found.high}"
                assert f": {number} independent patient" in li.text(), li.text()
                checked += 1
    assert checked > 10


def test_intervals_say_whether_they_are_reported_computed_or_impossible(built, kb):
    from scipy.stats import binomtest

    site = Site(kb)
    table = built.page(ALL_OUTCOMES).by_id("comparison-table")
    rows = list(table.find("tbody").iter("tr"))
    texts = [r.text() for r in rows]
    # A count: the exact interval, computed here, with the method named and linked.
    count = next(r for r in site.treatment_rows if r.outcome["value"]["type"] == "count" and r.outcome["value"]["of"] >= 10)
    v = count.outcome["value"]
    ci = binomtest(v["n"], v["of"]).proportion_ci(confidence_level=0.95, method="exact")
    low, high = (f"{100 * x:.1f}".removesuffix(".0") for x in (ci.low, ci.high))
    assert any(f"95% CI {low}–{high}% (computed here, Clopper–Pearson exact)" in t for t in texts), (low, high)
    links = [a.attrs["href"] for r in rows for a in r.iter("a") if "computed here" in a.text()]
    assert links and set(links) == {"../methods.html#confidence-intervals"}
    # A percentage printed without counts: no invented interval, and the page says why.
    assert any("No interval: percentage without counts" in t for t in texts)
    # A printed interval is marked as the paper's.
    assert any("95% CI 87–97" in t and "interval as reported by the paper" in t for t in texts)


def test_every_link_into_the_full_table_and_the_plots_resolves(built, kb):
    """The full table and the key outcomes' plots left the comparison page for pages of
    their own: every link to them (or to the comparison headings that used to hold them)
    reaches a page and an element that exist, a filter carried in a link names choices the
    page offers (an unknown one would silently show everything), and the pages a reader
    starts from (home, comparison, every regimen, every compared measure) link there."""
    import json
    from urllib.parse import parse_qs, urlsplit

    from htmltree import _resolve  # tests/site is on sys.path

    targets = {"generated/all-outcomes.html", "generated/forest-plots.html"}
    old = {("generated/comparison.html", "outcomes"), ("generated/comparison.html", "forest-plots")}
    trees = built.trees()
    ids = {rel: {n.attrs["id"] for n in tree.iter() if n.attrs.get("id")} for rel, tree in trees.items()}

    def offered(rel: str) -> dict[str, set[str]]:
        box = trees[rel].by_id("compare-filters")
        return {f["key"]: {o[0] for o in f["options"]} for f in json.loads(box.attrs["data-facets"])} if box else {}

    problems, linking = [], {}
    for rel, tree in trees.items():
        if rel == "404.html":
            continue
        for a in tree.iter("a"):
            href = a.attrs.get("href") or ""
            resolved = _resolve(built.site, rel, href)
            if not resolved or (resolved[0] not in targets and resolved not in old):
                continue
            file, fragment = resolved
            linking.setdefault(file, set()).add(rel)
            if file not in trees:
                problems.append(f"{rel}: {href} (no such page)")
            elif fragment and fragment not in ids[file]:
                problems.append(f"{rel}: {href} (no element with id {fragment!r})")
            choices = offered(file)
            for key, values in parse_qs(urlsplit(href).query).items():
                unknown = [v for value in values for v in value.split(",") if v not in choices.get(key, set())]
                if unknown:
                    problems.append(f"{rel}: {href} (filter {key}={unknown} is not offered on {file})")
    assert not problems, "\n".join(problems)
    site = Site(kb)
    into_table = linking.get("generated/all-outcomes.html", set())
    starts = {"index.html", COMPARISON, "generated/measures.html"} | {f"generated/regimens/{rid}.html" for rid in kb.regimens}
    assert starts <= into_table, sorted(starts - into_table)
    assert COMPARISON in linking.get("generated/forest-plots.html", set())
    # The old addresses still lead on: the comparison's headings link to the new pages.
    comparison = trees[COMPARISON]
    for anchor, page in (("outcomes", "all-outcomes.html"), ("forest-plots", "forest-plots.html")):
        heading = comparison.by_id(anchor)
        siblings = [c for c in heading.parent.children if not isinstance(c, str)]
        following = siblings[siblings.index(heading) + 1]
        assert any(a.attrs.get("href") == page for a in following.iter("a")), anchor
    # Each compared measure's entry on the measures page opens the table filtered to it.
    measures = trees["generated/measures.html"]
    filtered = {parse_qs(urlsplit(a.attrs["href"]).query)["measure"][0] for a in measures.iter("a")
                if a.attrs.get("href", "").startswith("all-outcomes.html?")}
    assert filtered == {row.measure for row in site.treatment_rows}
