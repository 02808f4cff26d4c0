"""The render step on its own: escaping, writing only what changed, removing stale
files, refusing foreign folders, counting patients across declared overlaps, and a
hostile record that tries to put markup and script on the site."""
from __future__ import annotations

import json

import re
from pathlib import Path

import pytest
import yaml

from sitebuild import build_site
from htmltree import parse
from poemskb.kb import load
from poemskb.render import WriteError, render_files, render_site
from poemskb.render.context import count_patients
from poemskb.render.fmt import value_text
from poemskb.render.html import Html, esc, fmt, md

ROOT = Path(__file__).resolve().parents[2]


def test_esc_escapes_markup_and_keeps_safe_html():
    assert esc('<script>alert("x")</script> & co') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    assert esc(Html("<b>ok</b>")) == "<b>ok</b>"
    assert fmt("<a href='{}'>{}</a>", "x'onclick='y", "<i>") == "<a href='x&#x27;onclick=&#x27;y'>&lt;i&gt;</a>"
    # A blank line would end a raw HTML block early, letting Markdown read the rest.
    assert "\n" not in esc("one\n\ntwo")


def test_md_escapes_markdown_syntax():
    text = md("**bold** _x_ [a](b) <b> & #1 {#id} `c` 1. !x")
    assert "<b>" not in text and "&lt;b" in text and "&amp;" in text
    for raw in ("**", "[a]", "{#", "`c`"):
        assert raw not in text


def test_values_are_shown_as_reported():
    assert value_text({"type": "percentage", "percent": 46.4}) == "46.4%"
    assert value_text({"type": "count", "n": 26, "of": 34, "percent": 76.5}) == "26/34 (76.5%)"
    # No percentage is computed when the source printed none.
    assert value_text({"type": "count", "n": 3, "of": 7}) == "3/7"
    assert value_text({"type": "median", "value": None, "not_reached": True, "unit": "months"}) == "median not reached"


def test_patients_in_a_shared_cohort_are_counted_once_and_possible_overlaps_flagged():
    overlaps = {
        "a": [("b", "same-cohort", "same trial")], "b": [("a", "same-cohort", "same trial")],
        "c": [("d", "possible", "same centre")], "d": [("c", "possible", "same centre")],
    }
    cell = count_patients({"a": 41, "b": 41, "c": 100, "d": 20, "e": None}, overlaps)
    assert cell.patients == 41 + 100 + 20
    assert cell.merged == [("a", "b")]
    assert cell.possible == [("c", "d", "possible")]
    assert cell.unknown_n == ["e"]


def test_render_writes_only_changed_files_and_removes_stale_ones(kb, tmp_path):
    from poemskb.render import iter_files
    from poemskb.writer import write_tree

    out = tmp_path / "generated"
    # A record that has since been removed: its page was written by a render.
    first = write_tree(out, [*iter_files(kb), ("studies/no-longer-a-record.md", "old")])
    assert first.total == first.changed > 50
    stale = out / "studies" / "no-longer-a-record.md"
    assert stale.exists()
    # A file render never wrote is not its to delete, even in its own folder.
    dropped = out / "studies" / "dropped-by-hand.md"
    dropped.write_text("mine", encoding="utf-8")
    page = out / "studies" / "misawa-2016-jpost-thalidomide.md"
    before = page.stat().st_mtime_ns
    second = render_site(kb, out)
    assert second.changed == 0 and second.removed == 1
    assert not stale.exists() and page.stat().st_mtime_ns == before
    assert dropped.read_text(encoding="utf-8") == "mine"


def test_render_refuses_a_folder_it_did_not_write(kb, tmp_path):
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(WriteError):
        render_site(kb, tmp_path)
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"


def test_every_record_page_is_named_by_its_id(kb):
    files = render_files(kb)
    assert {f"studies/{sid}.md" for sid in kb.studies} <= set(files)
    assert {f"regimens/{rid}.md" for rid in kb.regimens} <= set(files)


HOSTILE = '</title><script>alert("pwned")</script><img src=x onerror=alert(1)> **bold** [link](https://example.org) --8<-- "/etc/passwd"'


@pytest.mark.slow
def test_a_record_cannot_inject_markup_or_script(scratch, tmp_path):
    study = scratch / "evidence" / "studies" / "misawa-2016-jpost-thalidomide.yaml"
    data = yaml.safe_load(study.read_text(encoding="utf-8"))
    data["title"]["value"] = HOSTILE
    data["summary"] = HOSTILE
    data["outcomes"][0]["note"] = HOSTILE
    data["arms"][0]["label"] = HOSTILE
    study.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    regimen = scratch / "evidence" / "regimens" / "thal-dex.yaml"
    rdata = yaml.safe_load(regimen.read_text(encoding="utf-8"))
    rdata["name"] = "Thal " + HOSTILE
    regimen.write_text(yaml.safe_dump(rdata, allow_unicode=True, sort_keys=False), encoding="utf-8")

    kb, report = load(scratch)
    assert not report.errors, report.format("text")
    built = build_site(kb, tmp_path / "hostile")
    for path in built.site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        tree = parse(html)
        for script in tree.iter("script"):
            if script.attrs.get("type") == "application/ld+json":
                # Data, never run: record text may appear, but only as JSON strings whose
                # < > & are \u-escaped, so it cannot close the element or add markup.
                data = json.loads(script.text())
                assert "<" not in script.text() and ">" not in script.text(), path
                assert isinstance(data, dict), path
                continue
            assert "pwned" not in script.text(), path
        assert not [n for n in tree.iter() if any(k.startswith("on") for k in n.attrs)], path
        assert "<strong>bold</strong>" not in html, path
        assert "root:" not in html, path  # the snippet line was not followed
    page = built.page("generated/studies/misawa-2016-jpost-thalidomide.html")
    # The text itself is shown, as text.
    assert '<script>alert("pwned")</script>' in page.find("h1").text()
    assert re.search(r"<title>[^<]*&lt;/title&gt;", built.html("generated/studies/misawa-2016-jpost-thalidomide.html"))


def test_a_render_that_fails_half_way_leaves_the_previous_tree_intact(kb, tmp_path):
    """Pages are streamed to staging files and moved into place only at the end."""
    from poemskb.render import iter_files
    from poemskb.writer import write_tree

    out = tmp_path / "generated"
    render_site(kb, out)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def failing():
        for number, (rel, content) in enumerate(iter_files(kb)):
            if number == 5:
                raise RuntimeError("renderer bug")
            yield rel, content + "\nchanged" if isinstance(content, str) else content

    with pytest.raises(RuntimeError, match="renderer bug"):
        write_tree(out, failing())
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_two_files_for_one_path_are_refused(tmp_path):
    from poemskb.writer import write_tree

    with pytest.raises(WriteError, match="two generated files would be written to studies/a.md"):
        write_tree(tmp_path / "out", iter([("studies/a.md", "one"), ("studies/a.md", "two")]))
    assert not (tmp_path / "out" / "studies" / "a.md").exists()


def test_a_study_without_a_known_title_is_described_not_given_a_made_up_title(kb):
    from poemskb.render.context import Site

    site = Site(kb)
    assert kb.studies["li-2011-blood-mdex"]["title"]["value"] is None
    assert site.study_title("li-2011-blood-mdex") == "MDex trial in 31 (Blood) · title not known"
    # Known titles are shown exactly as recorded.
    misawa = kb.studies["misawa-2016-jpost-thalidomide"]["title"]["value"]
    assert misawa and site.study_title("misawa-2016-jpost-thalidomide") == misawa
    page = render_files(kb)["studies/huaian-case-rd-asct.md"]
    assert "\n# Huai'an case report, Rd then transplant · title not known\n" in page
    # Without a curated label the heading is still a description, never the record id.
    del kb.studies["li-2011-blood-mdex"]["label"]
    try:
        assert Site(kb).study_title("li-2011-blood-mdex") == "Title not known · prospective single arm · MDex · Blood 2011"
    finally:
        kb.studies["li-2011-blood-mdex"]["label"] = "MDex trial in 31 (Blood)"


def test_a_large_base_compares_measure_by_measure(kb):
    """Above comparison.MAX_ROWS outcomes the one big table becomes a page per measure;
    forced here with a low limit on the real records."""
    import posixpath
    import re

    from poemskb.render import comparison
    from poemskb.render.context import Site

    site = Site(kb)
    comparison_page, _, pages = comparison.render_comparison(site, max_rows=10)
    main, plots, pages = pages[0], pages[1], pages[2:]
    assert main.path == "generated/all-outcomes.md" and plots.path == "generated/forest-plots.md"
    assert 'id="comparison-table"' not in main.text() and 'id="comparison-measures"' in main.text()
    assert 'id="comparison-table"' not in comparison_page.text() and 'href="all-outcomes.html"' in comparison_page.text()
    treatment = site.treatment_rows
    measures = {row.measure for row in treatment}
    assert {p.path for p in pages} == {f"generated/compare/{mid}.md" for mid in measures}
    # Every treatment outcome appears on exactly one measure page, and each page is linked from the main one.
    rows = sum(len(re.findall(r"<tr[^>]*><td", p.text())) for p in pages)
    assert rows == len(treatment)
    for p in pages:
        assert f'href="compare/{p.path.rsplit("/", 1)[1][:-3]}.html"' in main.text()
    # Relative links from a measure page land on pages that exist.
    existing = {f"generated/{rel}" for rel in render_files(kb)} | {p.path for p in pages}
    existing |= {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    for href in re.findall(r'href="([^"#:]+\.html)', pages[0].text()):
        target = posixpath.normpath(posixpath.join("generated/compare", href))[: -len(".html")] + ".md"
        assert target in existing, href
    # The pages are out of the navigation like the record pages (strict builds warn otherwise).
    assert "/generated/compare/*.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_a_small_base_keeps_one_comparison_table(kb):
    from poemskb.render import comparison
    from poemskb.render.context import Site

    site = Site(kb)
    assert len(site.outcome_rows) <= comparison.MAX_ROWS
    main, _, pages = comparison.render_comparison(site)
    # The table has a page of its own beside the comparison, and the key plots another.
    assert [p.path for p in pages] == ["generated/all-outcomes.md", "generated/forest-plots.md"]
    assert 'id="comparison-table"' not in main.text() and 'id="comparison-table"' in pages[0].text()
    assert 'class="poems-forest"' not in main.text() and 'class="poems-forest"' in pages[1].text()
