"""Downloadable files (tables, their data package, Parquet, bibliography, FHIR, the whole
knowledge base as JSON) and their page, which lists every table's columns from the data
package itself, so the page and datapackage.json cannot disagree.

The files come from poemskb.export, the one exporter; render only places them in the
site and lists them, so the download and the pages are made from the same load.
"""
from __future__ import annotations

import json
from typing import Iterator

from ..export import FILES, export_files
from ..export.datapackage import SPREADSHEET_NOTE
from ..export.edition import LICENCE_RECORDS_URL
from . import links
from .context import Site
from .html import Cell, Column, Html, el, external, fmt as h, join, link, table
from .page import Page, para

FOLDER = "downloads"
# Shown on the page and run by tests/test_export_parquet.py in a folder of the files.
PARQUET_EXAMPLE = ("import duckdb\n"
                   "duckdb.sql(\"SELECT measure, count(*) AS figures, sum(events) AS events, sum(total) AS evaluable \"\n"
                   "           \"FROM 'outcomes.parquet' WHERE value_type = 'count' GROUP BY measure ORDER BY measure\").show()")


def export_files_for(site: Site) -> Iterator[tuple[str, bytes]]:
    """The files poemskb.export writes, as (downloads/<name>, bytes), one at a time."""
    url = links.absolute(site.site_url, links.DOWNLOADS)
    for name, data in export_files(site.kb, site.edition, site.name, url):
        yield f"{FOLDER}/{name}", data


def render_downloads(site: Site, files: dict[str, int], package: dict | None = None) -> Page:
    """The downloads page; `files` maps downloads/<name> to its size in bytes and
    `package` is the parsed datapackage.json (its columns are listed here)."""
    from . import cite

    path = links.DOWNLOADS
    page = Page(path, "Downloads")
    ld = cite.dataset_ld(site)
    ld["distribution"] = [{"@type": "DataDownload", "name": rel.split("/", 1)[1], "encodingFormat": FILES.get(rel.split("/", 1)[1], ("",))[0]}
                          for rel in sorted(files)]
    page.front["poems_jsonld"] = ld
    ed = site.edition
    page.html(para(f"The knowledge base as files, made from the same records as these pages: version {ed.label}, "
                   f"dated {ed.date}, records SHA-256 {ed.records_sha256}. Every file carries this version and hash. "
                   "Each record's own YAML file in evidence/ is the source."),
              h("<p><strong>Licence:</strong> the records, pages and these files are under {} (CC BY 4.0): reuse them with "
                "attribution. The code is under the MIT licence. Figures come from the cited publications: cite them for "
                "the findings.</p>", external(LICENCE_RECORDS_URL, "Creative Commons Attribution 4.0 International")))
    rows = []
    order = {name: i for i, name in enumerate(FILES)}
    for rel, size in sorted(files.items(), key=lambda kv: (order.get(kv[0].split("/", 1)[1], 99), kv[0])):
        name = rel.split("/", 1)[1]
        kind, what = FILES.get(name, ("File", ""))
        href = links.asset(path, f"{links.GENERATED}/{rel}")
        rows.append([Cell(link(href, name, download=True), header=True), kind, what, Cell(f"{size / 1024:.1f} KB", sort=size)])
    page.html(table(["File", "Format", "What it holds", Column("Size", numeric=True)], rows, caption="Files", search=True))
    page.h(2, "Opening the tables in a spreadsheet", "spreadsheets").html(_spreadsheet_help())
    page.h(2, "Reading the Parquet files", "parquet").html(_parquet_help())
    if package:
        page.h(2, "Columns", "columns").html(_columns(package))
    return page


def _spreadsheet_help() -> Html:
    return join([
        para("The CSV files are UTF-8 with a header row. Counts, percentages, interval ends and p-values each have their own "
             "number column (for example events and total, ci_low and ci_high), so nothing has to be read out of text."),
        para(SPREADSHEET_NOTE),
        para("In Excel, use Data › From Text/CSV (choose UTF-8, 65001) rather than double-clicking the file, and set text "
             "columns such as value_as_reported to Text if your version still converts them; LibreOffice asks on opening "
             "(tick 'Format quoted field as text'). Statistics software (R, Python, Stata) reads the files as they are; "
             "datapackage.json gives every column's type."),
    ])


def _parquet_help() -> Html:
    return join([
        para("The Parquet files hold the same rows with typed columns (each column's description and unit in its field "
             "metadata; the version, hash and licence in the file metadata). DuckDB, pandas, Polars and Spark read them "
             "directly, also many knowledge bases at once (a glob such as '*/outcomes.parquet'). With DuckDB in Python:"),
        el("pre", el("code", PARQUET_EXAMPLE)),
        para("The sum adds figures as printed, across studies and outcomes: it is no pooled estimate and ignores overlapping cohorts."),
    ])


def _columns(package: dict) -> Html:
    parts = []
    for resource in package["resources"]:
        rows = [[Cell(el("code", f["name"]), header=True), f["type"], f.get("unit", ""), f["description"]]
                for f in resource["schema"]["fields"]]
        parts.append(el("h3", f"{resource['path']}: {resource['title']}", id=f"columns-{resource['name']}"))
        parts.append(para(resource["description"].split(" Text cells")[0]))
        parts.append(table(["Column", "Type", "Unit", "Meaning"], rows, caption=f"Columns of {resource['path']}", data_nosort=True))
    return join(parts)


def parse_package(data: bytes) -> dict:
    return json.loads(data)
