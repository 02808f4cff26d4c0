"""Machine-readable exports, one module per format, all made from one load:

- tables.py: the studies, arms, outcomes and regimens tables (columns and rows);
- datapackage.py: those tables as spreadsheet-safe CSV (spreadsheet.py) with a
  Frictionless datapackage.json describing every column;
- parquet.py: the same tables as Parquet;
- jsondoc.py: the whole knowledge base as JSON;
- bibliography.py: every cited publication as BibTeX, RIS and CSL-JSON;
- fhir.py: an FHIR R5 Bundle of Citation and Evidence resources;
- edition.py: the version, date and content hash every export carries.

Output is sorted and byte-stable (same records, same bytes) so a release can be cited,
re-cut and diffed; files are only rewritten when their content changes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..kb import KnowledgeBase
from ..writer import EXPORT_MARKER, write_tree
from . import bibliography, datapackage, fhir, jsondoc, parquet
from .edition import LICENCE_TEXT, Edition, edition

__all__ = ["export_files", "export_all", "edition", "Edition", "FILES"]

# name -> (format, what it holds), in the order the downloads page lists them.
FILES = {
    "knowledge-base.json": ("JSON", "Every record, with the edition, schema hash and licence."),
    "datapackage.json": ("Frictionless data package (JSON)", "Describes the CSV tables: every column's type, unit and meaning."),
    "studies.csv": ("CSV table", "One row per study."), "arms.csv": ("CSV table", "One row per arm."),
    "outcomes.csv": ("CSV table", "One row per reported figure."), "regimens.csv": ("CSV table", "One row per regimen."),
    "certainty.csv": ("CSV table", "One row per certainty rating (regimen, population, outcome), with each GRADE domain."),
    "open-items.csv": ("CSV table", "One row per fact not known or not confirmed, with why."),
    "studies.parquet": ("Parquet table", "Studies, typed."), "arms.parquet": ("Parquet table", "Arms, typed."),
    "outcomes.parquet": ("Parquet table", "Outcomes, typed."), "regimens.parquet": ("Parquet table", "Regimens, typed."),
    "certainty.parquet": ("Parquet table", "Certainty ratings, typed."),
    "open-items.parquet": ("Parquet table", "Facts not known or not confirmed, typed."),
    "bibliography.bib": ("BibTeX", "Every cited publication, and the knowledge base itself."),
    "bibliography.ris": ("RIS", "The same, for reference managers."),
    "bibliography.json": ("CSL-JSON", "The same, in Citation Style Language JSON."),
    "fhir-bundle.json": ("FHIR R5 Bundle (JSON)", "Citation and Evidence resources for the study outcomes (EBM-on-FHIR)."),
}


def bibliography_items(kb: KnowledgeBase, ed: Edition, name: str, url: str | None = None) -> list[dict]:
    return [bibliography.knowledge_base_item(name, ed, url)] + [bibliography.publication_item(s) for s in kb.studies.values()]


def export_files(kb: KnowledgeBase, ed: Edition | None = None, name: str = "", url: str | None = None) -> Iterator[tuple[str, bytes]]:
    """Every export file as (name, bytes), one at a time: at 10,000 studies each is tens
    of megabytes. `name` is the knowledge base's citable title; `url` its address, if set."""
    ed = ed or edition(kb)
    name = name or str(kb.citation.get("title") or "POEMS syndrome treatment evidence knowledge base")
    yield "knowledge-base.json", jsondoc.knowledge_base_json(kb, ed).encode("utf-8")
    csvs = {fname: text.encode("utf-8") for fname, text in datapackage.csv_files(kb)}
    yield "datapackage.json", datapackage.descriptor(ed, csvs).encode("utf-8")
    yield from csvs.items()
    yield from parquet.parquet_files(kb, ed)
    items = bibliography_items(kb, ed, name, url)
    header = f"{name}, {ed.label} ({ed.date}); records SHA-256 {ed.records_sha256}. {LICENCE_TEXT}"
    yield "bibliography.bib", bibliography.bibtex(items, header).encode("utf-8")
    yield "bibliography.ris", bibliography.ris(items).encode("utf-8")
    yield "bibliography.json", bibliography.csl_json(items).encode("utf-8")
    yield "fhir-bundle.json", fhir.bundle_json(kb, ed, name, url).encode("utf-8")


def export_all(kb: KnowledgeBase, out: Path, ed: Edition | None = None, root: Path | None = None) -> list[Path]:
    """Write every export file into `out`; return the paths that changed. Written as the
    site is (writer.py): under a lock, each file staged then moved into place, files no
    longer exported removed, never into a folder another command owns."""
    written = write_tree(out, export_files(kb, ed), root, marker=EXPORT_MARKER)
    return [Path(out) / name for name in written.changed_files]
