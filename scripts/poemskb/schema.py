"""The JSON Schemas in evidence/schema/: the one source of truth for record shape.

Validation uses jsonschema-rs (a Rust implementation of draft 2020-12) because the
validator must stay within a small factor of the time it takes merely to parse the
YAML; the pure-Python jsonschema package is several times slower on these schemas.
Controlled vocabularies used by the code (designs, evidence levels, value types) are
read from the schemas here, never restated in Python.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import jsonschema_rs

from .load import KIND_FOLDERS, Record
from .problems import Problem
from .tree import TreeError, UnsafeFile, read_bytes

KINDS = tuple(KIND_FOLDERS.values())


MAX_SCHEMA_BYTES = 4 * 1024 * 1024  # ours are tens of kilobytes


class Schemas:
    def __init__(self, folder: Path, root: Path | None = None):
        self.folder = folder
        documents, problems = {}, []
        for kind in (*KINDS, "common"):
            try:
                documents[kind] = read_schema(folder / f"{kind}.schema.json", root or folder.parent.parent)
            except TreeError as exc:
                problems += exc.problems
        if problems:
            raise TreeError(problems)
        self.common = documents.pop("common")
        self.documents: dict[str, dict[str, Any]] = documents

    @cached_property
    def validators(self) -> dict[str, Any]:
        # One registry of every schema document: without it each validator fetches and
        # compiles common.schema.json again (about 20 ms per kind, most of the fixed
        # cost of a validation run; with it, about 12 ms for all five).
        uri = {kind: (self.folder / f"{kind}.schema.json").resolve().as_uri() for kind in (*KINDS, "common")}
        registry = jsonschema_rs.Registry([(uri[kind], doc) for kind, doc in self.documents.items()] + [(uri["common"], self.common)])
        return {
            kind: jsonschema_rs.Draft202012Validator(doc, validate_formats=True, registry=registry, base_uri=uri[kind])
            for kind, doc in self.documents.items()
        }

    def errors(self, record: Record) -> Iterator[tuple[tuple, str]]:
        """(field path, message) for every schema violation in a record."""
        for error in self.validators[record.kind].iter_errors(record.data):
            yield tuple(error.instance_path), _message(error)

    # Vocabularies -----------------------------------------------------------------
    def enum(self, kind: str, *pointer: str) -> list[str]:
        node = self.documents[kind]
        for part in pointer:
            node = node[part]
        return list(node["enum"])

    @cached_property
    def designs(self) -> list[str]:
        return self.enum("study", "properties", "design")

    @cached_property
    def evidence_levels(self) -> dict[str, str]:
        return dict(self.documents["study"]["properties"]["design"]["x-evidence-level"])

    def describe(self, kind: str, *pointer: str) -> dict[str, str]:
        """Value -> description for an enum that carries enumDescriptions."""
        node = self.documents[kind] if kind in self.documents else self.common
        for part in pointer:
            node = node[part]
        return dict(zip(node["enum"], node.get("enumDescriptions", [""] * len(node["enum"]))))


def _message(error: Any) -> str:
    message = error.message
    # jsonschema-rs quotes whole sub-documents in some messages; keep lines short.
    if len(message) > 300:
        message = message[:297] + "..."
    return message


def read_schema(path: Path, root: Path) -> dict[str, Any]:
    """One schema document, read as records are (no links, pipes or devices): a located
    TreeError, never a traceback or a hang, for anything that is not a JSON object."""
    rel = path.relative_to(root).as_posix()

    def refuse(code: str, message: str, line: int = 1, col: int = 1) -> TreeError:
        return TreeError([Problem(rel, line, col, "error", code, "-", "-", message)])

    try:
        raw = read_bytes(path, MAX_SCHEMA_BYTES, root)
    except UnsafeFile as exc:
        raise refuse(exc.code, exc.message) from None
    except FileNotFoundError:
        raise refuse("schema-missing", f"{rel} is missing; every record kind needs its schema") from None
    except OSError as exc:
        raise refuse("unreadable", exc.strerror or str(exc)) from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise refuse("schema-invalid", "not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise refuse("schema-invalid", f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise refuse("schema-invalid", "nesting too deep") from None
    if not isinstance(document, dict):
        raise refuse("schema-invalid", "a schema is a JSON object")
    return document


def load_schemas(root: Path) -> Schemas:
    return Schemas(root / "evidence" / "schema", root)
