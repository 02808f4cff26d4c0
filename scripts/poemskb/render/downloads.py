"""Downloadable files (CSV tables, the whole knowledge base as JSON) and their page.

The files come from poemskb.export, the one exporter; render only places them in the
site and lists them, so the download and the pages are made from the same load.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..export import export_all
from . import links
from .context import Site
from .html import Cell, Column, link, table
from .page import Page, para

FOLDER = "downloads"
KINDS = {".csv": "Table (comma-separated values, UTF-8)", ".json": "JSON document", ".yaml": "YAML document"}


def export_files(site: Site) -> dict[str, bytes]:
    """Files written by poemskb.export.export_all, keyed downloads/<name>."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = export_all(site.kb, Path(tmp), site.release)
        return {f"{FOLDER}/{Path(p).relative_to(tmp).as_posix()}": Path(p).read_bytes() for p in paths}


def render_downloads(site: Site, files: dict[str, bytes]) -> Page:
    path = links.DOWNLOADS
    page = Page(path, "Downloads")
    page.html(para(f"The knowledge base as files, made from the same records as these pages (release {site.release}, "
                   f"newest record curated {site.newest_curation}). Each record's own YAML file in evidence/ is the source."))
    rows = []
    for rel, data in sorted(files.items()):
        name = rel.split("/", 1)[1]
        href = links.asset(path, f"{links.GENERATED}/{rel}")
        rows.append([Cell(link(href, name, download=True), header=True), KINDS.get(Path(name).suffix, "File"),
                     Cell(f"{len(data) / 1024:.1f} KB", sort=len(data))])
    page.html(table(["File", "Format", Column("Size", numeric=True)], rows, caption="Files", search=True))
    return page
