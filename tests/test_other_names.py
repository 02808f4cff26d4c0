"""Other names of regimens and measures (`also_known_as`, `misspellings`): the rule that a
drug's name names one of the regimen's agents, the schema's demand that a translation say
where it stands, and the "Also known as" list on the page (escaped, grouped by drug)."""
from __future__ import annotations

from pathlib import Path

from poemskb.kb import load
from poemskb.render.context import Site
from poemskb.render.names import also_known_as, search_words, study_search_words

ROOT = Path(__file__).resolve().parents[1]
RD = "evidence/regimens/rd.yaml"


def problems(scratch: Path, old: str, new: str) -> list[str]:
    path = scratch / RD
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    _, report = load(scratch)
    return [p.text() for p in report.errors if p.path.endswith("rd.yaml")]


def test_a_name_of_a_drug_the_regimen_does_not_hold_is_refused(scratch):
    found = problems(scratch, "{name: Revlimid, kind: brand, of: lenalidomide}", "{name: Velcade, kind: brand, of: bortezomib}")
    assert len(found) == 1 and found[0].endswith(
        "error[other-name-agent]: rd: also_known_as[0].of: 'bortezomib' is not an agent of this regimen "
        "(its agents: dexamethasone, lenalidomide); name one of them, or leave 'of' out for a name of the whole regimen"), found
    assert found[0].startswith(f"{RD}:7:")


def test_a_translation_must_say_where_it_stands(scratch):
    found = problems(scratch, "lang: zh, source: {study: huaian-case-rd-asct, locator: {in: text, section: \"1 Case data\"}}}\n  - {name: 地塞米松",
                     "lang: zh}\n  - {name: 地塞米松")
    assert any("error[schema]" in line and "also_known_as[1]" in line and '"source" is a required property' in line for line in found), found


def test_a_translation_source_must_be_a_study_record(scratch):
    found = problems(scratch, "source: {study: huaian-case-rd-asct, locator: {in: text, section: \"1 Case data\"}}}\n  - {name: 地塞米松",
                     "source: {study: no-such-study, locator: {in: text, section: \"1 Case data\"}}}\n  - {name: 地塞米松")
    assert any("error[unresolved-reference]: rd: also_known_as[1].source.study: no study record 'no-such-study'" in line for line in found), found


def test_also_known_as_groups_by_drug_and_escapes(kb):
    site = Site(kb)
    record = {"aliases": ["RD"], "also_known_as": [
        {"name": "<b>Revlimid</b>", "kind": "brand", "of": "lenalidomide"},
        {"name": "来那度胺", "kind": "translation", "lang": "zh", "of": "lenalidomide",
         "source": {"study": "huaian-case-rd-asct", "locator": {"in": "text", "section": "1 Case data"}}}]}
    html = str(also_known_as(site, record, "generated/regimens/rd.md"))
    assert "<li>RD</li>" in html
    assert ("<li><strong>lenalidomide</strong>: &lt;b&gt;Revlimid&lt;/b&gt; (brand name); <span lang=\"zh\">来那度胺</span> "
            "(Chinese, as written in <a href=\"../studies/huaian-case-rd-asct.html\">Huai&#x27;an case report, Rd then transplant</a>, "
            "1 Case data)</li>") in html
    assert str(also_known_as(site, {}, "generated/regimens/rd.md")) == ""


def test_study_pages_carry_their_regimens_names_and_misspellings(kb):
    site = Site(kb)
    words = str(study_search_words(site, "huaian-case-rd-asct"))
    for word in ("Revlimid", "来那度胺", "lenolidomide", "melfalan", "自体造血干细胞移植"):
        assert word in words, word
    assert words.startswith("<div hidden") and "Its treatments are also found by searching: " in words and 'data-search-weight="0.5"' in words
    assert search_words([kb.regimens["rd"], kb.regimens["ldex"]]).count("Revlimid") == 1
