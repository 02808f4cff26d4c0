"""Public pages speak to readers: no curation jargon, no private notes, no mirror hosts.

The built site (every HTML page, generated and hand-written) must not contain phrases
that only make sense to the curators, or addresses of copies a reader cannot reuse."""
from __future__ import annotations

JARGON = (
    "worklist", "stored page", "stored cop", "stored abstract", "stored excerpt", "dossier", "shared/",
    "colleague", "verification notes", "from memory", "do not add", "scratch notes", "seed",
    "lausr.org", "proxy.weglot.com", "47.251.13.51", "scribd.com/document", "docslib.org/doc",
    "bibliotecabuap", "suppr.wilddata",
)


def test_no_page_carries_curation_jargon(built):
    found = []
    for page in sorted(built.site.rglob("*.html")):
        text = page.read_text(encoding="utf-8").lower()
        found += [f"{page.relative_to(built.site)}: {phrase}" for phrase in JARGON if phrase in text]
    assert not found, "\n".join(found)


def test_abstract_only_studies_say_so_where_figures_are_weighed(kb):
    from poemskb.render import render_files

    files = render_files(kb)
    abstract_only = [sid for sid, s in kb.studies.items() if s.get("outcomes")
                     and not any(c["against"] == "full-text" for c in s["provenance"]["checks"])]
    full_text = [sid for sid, s in kb.studies.items() if s.get("outcomes")
                 and any(c["against"] == "full-text" for c in s["provenance"]["checks"])]
    assert "li-2011-blood-mdex" in abstract_only and "huaian-case-rd-asct" in full_text
    for sid in abstract_only:
        assert "From the abstract only" in files[f"studies/{sid}.md"], sid
    for sid in full_text:
        assert "From the abstract only" not in files[f"studies/{sid}.md"], sid


def test_pages_name_citing_studies_by_label_not_id(kb):
    from poemskb.render import render_files

    page = render_files(kb)["studies/leukemia-2019-asct-mdex-ldex.md"]
    assert "as cited in Huai&#x27;an case report, Rd then transplant" in page
    assert "as cited in huaian-case-rd-asct" not in page
