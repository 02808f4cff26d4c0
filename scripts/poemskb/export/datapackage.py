"""The tables as CSV files, described by a Frictionless data package (datapackage.json):
each column's type, unit and meaning, the meaning of every status value, keys between
the tables, the licence, and the version and content hash of the records.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

from ..kb import KnowledgeBase
from .edition import LICENCE_RECORDS, LICENCE_RECORDS_NAME, LICENCE_RECORDS_URL, Edition
from .spreadsheet import csv_text
from .tables import TABLES, Field, Table

SPREADSHEET_NOTE = ("Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return), "
                    "read as a date or fraction (such as 2/5 or 1129-37), or that start with an apostrophe, are written with "
                    "one leading apostrophe ('). Remove exactly one leading apostrophe from a text cell to get the recorded text. "
                    "Number, integer, boolean and date columns are never prefixed. An empty cell means not given.")
FOREIGN_KEYS = {"arms": [("study", "studies", "study"), ("regimen", "regimens", "regimen")],
                "outcomes": [("study", "studies", "study")], "certainty": [("regimen", "regimens", "regimen")],
                "open-items": [("study", "studies", "study")]}


def table_csv(kb: KnowledgeBase, table: Table) -> str:
    return csv_text(table.rows(kb), [(f.name, f.type) for f in table.fields])


def csv_files(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for table in TABLES:
        yield f"{table.name}.csv", table_csv(kb, table)


def field_descriptor(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": f.type, "description": f.description}
    if f.unit:
        out["unit"] = f.unit  # not a Table Schema keyword; also said in the description
        out["description"] += f" Unit: {f.unit}."
    if f.values:
        out["constraints"] = {"enum": list(f.values)}
        out["description"] += " Values: " + "; ".join(f"'{k}': {v}" for k, v in f.values.items()) + "."
    return out


def descriptor(edition: Edition, files: dict[str, bytes]) -> str:
    """datapackage.json for the CSV files whose bytes are in `files` (name -> bytes)."""
    resources = []
    for table in TABLES:
        data = files[f"{table.name}.csv"]
        schema: dict[str, Any] = {"fields": [field_descriptor(f) for f in table.fields], "primaryKey": table.key,
                                  "missingValues": [""]}
        keys = [{"fields": [own], "reference": {"resource": other, "fields": [theirs]}}
                for own, other, theirs in FOREIGN_KEYS.get(table.name, [])]
        if keys:
            schema["foreignKeys"] = keys
        resources.append({
            "name": table.name, "title": table.title, "description": f"{table.description} {SPREADSHEET_NOTE}",
            "path": f"{table.name}.csv", "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "schema": schema,
        })
    package = {
        "profile": "tabular-data-package", "name": "poems-syndrome-treatment-evidence",
        "title": "POEMS syndrome treatment evidence: tables",
        "description": ("Studies, arms, outcomes, regimens and certainty ratings of the POEMS syndrome treatment evidence knowledge base. "
                        f"Made from the records of {edition.label} (records SHA-256 {edition.records_sha256})."),
        "version": edition.label, "created": f"{edition.date}T00:00:00Z",
        "licenses": [{"name": LICENCE_RECORDS, "title": LICENCE_RECORDS_NAME, "path": LICENCE_RECORDS_URL}],
        "poemskb": edition.as_dict(), "resources": resources,
    }
    return json.dumps(package, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
