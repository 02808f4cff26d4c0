"""Names the site gives its own pages and anchors in the places where record ids name
pages and anchors too: the index page beside the record pages of a folder, and the
headings of the pages that list records under their ids.

A record whose id equalled one of these would replace a page (a regimen 'index' is the
regimens index) or give two elements one id (a measure 'domain-haematologic'), so
check/references.py's rule reserved-id refuses it. The renderers take these names from here, and
tests/site/test_reserved_names.py fails when the built site uses a name beside record
ids that `reserved` does not list.
"""
from __future__ import annotations

import re
from typing import Iterable

INDEX = "index"  # generated/studies/index.md and generated/regimens/index.md
MEASURES_TITLE = "Outcome measures"  # the measures page: measure ids are its anchors
CRITERIA_TITLE = "Diagnostic criteria"  # the criteria page: criteria ids are its anchors
FINDINGS_TITLE = "Review findings"  # the findings page: finding ids are its anchors
SIDE_BY_SIDE = "side-by-side"  # the criteria page's table of every list
PLAIN = "plain-"  # the patients page: plain-<regimen id>, so no regimen id can meet its headings


def forest_anchor(measure: str) -> str:
    """A measure's forest plot on the comparison and regimen pages. Ids never hold '--',
    so 'forest--<id>' (and its parts, 'forest--<id>--table') cannot meet a heading such as
    'forest-plots' or another measure's plot."""
    return f"forest--{measure}"


def part_anchor(anchor: str, part: str) -> str:
    """An element inside an anchored figure: its title, description or table."""
    return f"{anchor}--{part}"

_INDEXED_FOLDERS = {"study": "studies", "regimen": "regimens"}


def domain_anchor(domain: str) -> str:
    """The anchor of a domain's heading on the measures page."""
    return f"domain-{domain}"


def slug(title: str) -> str:
    """The anchor Python-Markdown's toc gives a heading without one (an ASCII title)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def reserved(kind: str, domains: Iterable[str] = ()) -> dict[str, str]:
    """Record id -> what the site already uses that name for, for records of `kind`.
    `domains` are the measure schema's domains (each has a heading)."""
    names: dict[str, str] = {}
    if kind in _INDEXED_FOLDERS:
        names[INDEX] = f"the {_INDEXED_FOLDERS[kind]} index page (generated/{_INDEXED_FOLDERS[kind]}/{INDEX}.md)"
    if kind == "measure":
        names[slug(MEASURES_TITLE)] = "the title of the outcome measures page"
        names.update({domain_anchor(d): f"the heading of the '{d}' domain on the outcome measures page" for d in domains})
    if kind == "criteria":
        names[slug(CRITERIA_TITLE)] = "the title of the diagnostic criteria page"
        names[SIDE_BY_SIDE] = "the side-by-side table on the diagnostic criteria page"
    if kind == "finding":
        names[slug(FINDINGS_TITLE)] = "the title of the review findings page"
    return names
