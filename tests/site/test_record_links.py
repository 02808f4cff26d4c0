"""'Suggest a correction' and 'Edit this record' on study and regimen pages, from the
repository set once in mkdocs.yml; while it is unset, a pointer to the contributing page."""
from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlparse

from htmltree import parse  # tests/site is on sys.path

from poemskb.kb import KnowledgeBase
from poemskb.render.context import Site
from poemskb.render.regimen import render_regimen
from poemskb.render.study import render_study


def site_at(kb, root, config: str | None) -> Site:
    shutil.copy2(kb.root / "mkdocs.yml", root / "mkdocs.yml")
    if config is not None:
        (root / "mkdocs.yml").write_text(config + (kb.root / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    return Site(KnowledgeBase(root, kb.schemas, kb.records))


def actions(text: str):
    tree = parse(text)
    found = [n for n in tree.iter() if n.tag == "p" and "poems-record-actions" in n.attrs.get("class", "")]
    assert len(found) == 1
    return found[0]


def test_unset_repository_links_to_the_contributing_page(kb, tmp_path):
    site = site_at(kb, tmp_path, None)
    for page in (render_study(site, "blood-2011-ash-lenalidomide-pilot"), render_regimen(site, "asct-hdm")):
        box = actions(page.text())
        assert [a.attrs["href"] for a in box.iter() if a.tag == "a"] == ["../../contributing.html#reporting-an-error"]
        assert "Found an error in this record?" in box.text()


def test_a_forks_repository_gives_both_links(kb, tmp_path):
    site = site_at(kb, tmp_path, "repo_url: https://github.com/example-fork/poems-kb\nedit_uri: edit/trunk/docs/\n")
    box = actions(render_study(site, "blood-2011-ash-lenalidomide-pilot").text())
    hrefs = {a.text(): a.attrs["href"] for a in box.iter() if a.tag == "a"}
    form = urlparse(hrefs["Suggest a correction"])
    assert (form.netloc, form.path) == ("github.com", "/example-fork/poems-kb/issues/new")
    assert parse_qs(form.query) == {"template": ["report-error.yml"], "record": ["blood-2011-ash-lenalidomide-pilot"],
                                    "title": ["Correction: blood-2011-ash-lenalidomide-pilot"]}
    assert hrefs["Edit this record"] == "https://github.com/example-fork/poems-kb/edit/trunk/evidence/studies/blood-2011-ash-lenalidomide-pilot.yaml"
    box = actions(render_regimen(site, "asct-hdm").text())
    assert "https://github.com/example-fork/poems-kb/edit/trunk/evidence/regimens/asct-hdm.yaml" in [a.attrs["href"] for a in box.iter() if a.tag == "a"]
