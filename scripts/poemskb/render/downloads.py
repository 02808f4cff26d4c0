"""Downloadable files (CSV tables, the whole knowledge base as JSON) and their page.

The files come from poemskb.export, the one exporter; render only places them in the
site and lists them, so the download and the pages are made from the same load.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..export import export_texts
from . import links
from .context import Site
from .html import Cell, Column, link, table
from .page import Page, para

FOLDER = "downloads"
KINDS = {".csv": "Table (comma-separated values, UTF-8)", ".json": "JSON document", ".yaml": "YAML document"}


def export_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The files poemskb.export writes, as (downloads/<name>, bytes), one at a time."""
    for name, text in export_texts(site.kb, site.release):
        yield f"{FOLDER}/{name}", text.encode("utf-8")


def render_downloads(site: Site, files: dict[str, int]) -> Page:
    """The downloads page; `files` maps downloads/<name> to its size in bytes."""
    path = links.DOWNLOADS
    page = Page(path, "Downloads")
    page.html(para(f"The knowledge base as files, made from the same records as these pages (release {site.release}, "
                   f"newest record curated {site.newest_curation}). Each record's own YAML file in evidence/ is the source."))
    rows = []
    for rel, size in sorted(files.items()):
        name = rel.split("/", 1)[1]
        href = links.asset(path, f"{links.GENERATED}/{rel}")
        rows.append([Cell(link(href, name, download=True), header=True), KINDS.get(Path(name).suffix, "File"),
                     Cell(f"{size / 1024:.1f} KB", sort=size)])
    page.html(table(["File", "Format", Column("Size", numeric=True)], rows, caption="Files", search=True))
    return page
