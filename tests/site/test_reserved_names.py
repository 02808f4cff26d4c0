"""Names the site uses beside record ids are refused as record ids (rule reserved-id).

Found in the built site, not listed here. On every page, element ids of the form
<prefix><record id> show where one kind's ids become anchors (two records or more with
one prefix); every other id there with that prefix is a name a record of that kind
could collide with. Likewise every page beside record pages in their folder (the
index). Each such name must be refused by the rule reserved-id (check/references.py) for that kind, so
a renderer that adds a heading or a page beside record ids fails here until the name is
taken from poemskb/sitenames.py.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from poemskb.check import RULES, Context
from poemskb.load import Record

pytestmark = pytest.mark.slow

ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def refused(kb, kind: str, name: str) -> bool:
    """Does the validator's rule refuse a record of this kind with this id?"""
    record = Record(kind, Path(f"{name}.yaml"), f"evidence/x/{name}.yaml", f"id: {name}\n", {"id": name})
    return any(p.code == "reserved-id" for p in RULES["reserved-id"][1](record, Context(kb.schemas, [])))


def anchor_hosts(built, kb) -> dict[tuple[str, str, str], list[str]]:
    """(page, kind, prefix) -> every element id on a page where that kind's ids are anchors."""
    hosts = {}
    for page, tree in built.trees().items():
        ids = [n.attrs["id"] for n in tree.iter() if n.attrs.get("id")]
        for kind, records in kb.by_kind.items():
            prefixes = Counter(e[: -len(rid)] for e in ids for rid in records if e.endswith(rid))
            for prefix, count in prefixes.items():
                if count >= 2:
                    hosts[(page, kind, prefix)] = ids
    return hosts


def folder_hosts(built, kb) -> dict[tuple[str, str], list[str]]:
    """(folder, kind) -> every page name in a folder of that kind's record pages."""
    hosts = {}
    for folder in {p.parent for p in built.site.rglob("*.html")}:
        names = [p.stem for p in folder.glob("*.html")]
        for kind, records in kb.by_kind.items():
            if sum(name in records for name in names) >= 2:
                hosts[(folder.relative_to(built.site).as_posix(), kind)] = names
    return hosts


def test_the_search_finds_where_record_ids_become_names(built, kb):
    anchors = {(page, kind, prefix) for page, kind, prefix in anchor_hosts(built, kb)}
    assert {("generated/measures.html", "measure", ""), ("generated/criteria.html", "criteria", ""),
            ("generated/findings.html", "finding", ""), ("patients.html", "regimen", "plain-")} <= anchors, anchors
    assert {("generated/studies", "study"), ("generated/regimens", "regimen")} <= set(folder_hosts(built, kb))


def test_every_name_beside_record_ids_is_refused(built, kb):
    unrefused = []
    for (page, kind, prefix), ids in anchor_hosts(built, kb).items():
        for element in ids:
            name = element[len(prefix):]
            if element.startswith(prefix) and ID.fullmatch(name) and name not in kb.by_kind[kind] and not refused(kb, kind, name):
                unrefused.append(f"{page}: anchor '{element}' (a {kind} id '{name}' would collide)")
    for (folder, kind), names in folder_hosts(built, kb).items():
        for name in names:
            if ID.fullmatch(name) and name not in kb.by_kind[kind] and not refused(kb, kind, name):
                unrefused.append(f"{folder}/{name}.html (a {kind} id '{name}' would replace it)")
    assert not unrefused, "reserve these in poemskb/sitenames.py (rule reserved-id):\n" + "\n".join(unrefused)


def test_refusal_check_is_not_toothless(kb):
    assert refused(kb, "regimen", "index") and refused(kb, "measure", "domain-vegf")
    assert not refused(kb, "measure", "index") and not refused(kb, "regimen", "domain-vegf")
