"""The bibliography in three formats, each read back by its own parser: bibtexparser
re-reads the BibTeX, rispy the RIS, and the CSL-JSON uses only the item types and
variables of the CSL schema (as citeproc-py ships it) and formats with citeproc-py.
A record with 24 authors and a DOI with parentheses round-trips through each; unknown
facts stay out."""
from __future__ import annotations

import json
import re
from pathlib import Path

import citeproc
import pytest

from poemskb.export import bibliography as bib, export_files

SID = "misawa-2016-jpost-thalidomide"  # 24 authors; DOI 10.1016/S1474-4422(16)30157-0
CSL_SCHEMA = Path(citeproc.SCHEMA_PATH).parent


def _rnc_values(name: str) -> set[str]:
    return set(re.findall(r'"([A-Za-z-]+)"', (CSL_SCHEMA / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def files(kb):
    return {k: v.decode("utf-8") for k, v in export_files(kb) if k.startswith("bibliography")}


def test_the_24_author_record_is_complete_in_csl(kb):
    item = bib.publication_item(kb.studies[SID])
    authors = kb.studies[SID]["authors"]["value"]
    assert len(authors) == 24 and len(item["author"]) == 24
    assert [f"{a['family']} {a['given']}" for a in item["author"]] == authors
    assert item["DOI"] == "10.1016/S1474-4422(16)30157-0"


def test_bibtex_round_trips_through_bibtexparser(kb, files):
    import bibtexparser

    library = bibtexparser.parse_string(files["bibliography.bib"])
    assert not library.failed_blocks
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert set(entries) == {"poemskb", *kb.studies}
    misawa = entries[SID]
    assert misawa["doi"] == "10.1016/S1474-4422(16)30157-0"
    assert misawa["author"].split(" and ") == [f"{n.split()[0]}, {n.split()[1]}" for n in kb.studies[SID]["authors"]["value"]]
    assert bib.untex(misawa["title"]) == kb.studies[SID]["title"]["value"]
    assert "title" not in entries["huaian-case-rd-asct"] and "year" not in entries["huaian-case-rd-asct"]  # unknown stays out
    assert "CC BY 4.0" in library.comments[0].comment


def test_bibtex_escapes_braces_and_tex_characters():
    import bibtexparser

    item = {"id": "x", "type": "article-journal", "title": "A {brace} & 50% of c_d #1 (10.1/x{y})"}
    entry = bibtexparser.parse_string(bib.bibtex([item])).entries[0]
    assert bib.untex(entry.fields_dict["title"].value) == item["title"]


def test_ris_round_trips_through_rispy(kb, files):
    import rispy

    entries = {e["id"]: e for e in rispy.loads(files["bibliography.ris"])}
    assert set(entries) == {"poemskb", *kb.studies}
    misawa = entries[SID]
    assert misawa["doi"] == "10.1016/S1474-4422(16)30157-0" and len(misawa["authors"]) == 24
    assert (misawa["type_of_reference"], misawa["start_page"], misawa["end_page"], misawa["year"]) == ("JOUR", "1129", "37", "2016")
    assert "title" not in entries["huaian-case-rd-asct"]


def test_csl_json_uses_only_csl_types_and_variables(kb, files):
    items = json.loads(files["bibliography.json"])
    types, variables = _rnc_values("csl-types.rnc"), _rnc_values("csl-variables.rnc")
    assert "article-journal" in types and "DOI" in variables  # the schema files were read
    for item in items:
        assert item["type"] in types, item["id"]
        for key, value in item.items():
            assert key in ("id", "type") or key in variables, (item["id"], key)
            if key == "author":
                assert all(set(n) <= {"family", "given", "literal"} for n in value)
            if key == "issued":
                assert all(isinstance(p, int) for p in value["date-parts"][0])
    assert len(items) == len(kb.studies) + 1


def test_citeproc_formats_the_doi_with_its_parentheses(kb):
    [text] = bib.formatted([bib.publication_item(kb.studies[SID])])
    assert "Misawa, S." in text and "10.1016/S1474-4422(16)30157-0" in text and "2016" in text


def test_unverified_facts_are_named_and_unknown_ones_left_out(kb):
    for sid, study in kb.studies.items():
        item = bib.publication_item(study)
        for field, key in (("title", "title"), ("journal", "container-title"), ("doi", "DOI")):
            if (study.get(field) or {}).get("value") is None:
                assert key not in item, (sid, key)
            elif study[field].get("status") == "unverified":
                assert field in item.get("note", ""), (sid, field)


def test_record_citations_from_the_template_equal_citeproc_in_full(kb):
    from poemskb.export.edition import edition

    ed = edition(kb)
    for sid in list(kb.studies)[:8]:
        for url in (None, f"https://test.invalid/kb/generated/studies/{sid}.html"):
            item = bib.record_item("POEMS KB", ed, "study", sid, kb.studies[sid]["title"].get("value") or sid,
                                   kb.studies[sid]["provenance"]["curated"], url)
            assert bib.formatted_record(item) == bib.formatted([item])[0], sid
