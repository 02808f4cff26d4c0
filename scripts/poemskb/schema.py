"""The JSON Schemas in evidence/schema/: the one source of truth for record shape.

Validation uses jsonschema-rs (a Rust implementation of draft 2020-12) because the
validator must stay within a small factor of the time it takes merely to parse the
YAML; the pure-Python jsonschema package is several times slower on these schemas.
Controlled vocabularies used by the code (designs, evidence levels, value types) are
read from the schemas here, never restated in Python.
"""
from __future__ import annotations

import json
from collections import defaultdict
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Iterator

import jsonschema_rs

from .load import KIND_FOLDERS, Record

KINDS = tuple(KIND_FOLDERS.values())
_MAX_FIELD_DEPTH = 30


class Schemas:
    def __init__(self, folder: Path):
        self.folder = folder
        self.documents: dict[str, dict[str, Any]] = {
            kind: json.loads((folder / f"{kind}.schema.json").read_text(encoding="utf-8")) for kind in KINDS
        }
        self.common = json.loads((folder / "common.schema.json").read_text(encoding="utf-8"))

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

    # Fields ---------------------------------------------------------------------------
    def fields(self, kind: str) -> dict[tuple, list[dict[str, Any]]]:
        """Every place a record of this kind can hold a value, by its path ('[]' stands
        for any list index), with every schema node that applies there: the node, what
        its $ref points to, and each allOf/anyOf/oneOf/then/else branch. Branches are
        merged, so a path is listed when any branch allows it."""
        found: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
        stack: list[tuple[tuple, str, dict]] = [((), kind, self.documents[kind])]
        while stack:
            path, doc, node = stack.pop()
            if len(path) > _MAX_FIELD_DEPTH:  # records nest about ten levels; a $ref cycle would not end
                continue
            for where, part in self._expand(doc, node):
                found[path].append(part)
                for name, sub in part.get("properties", {}).items():
                    stack.append((path + (name,), where, sub))
                if isinstance(part.get("items"), dict):
                    stack.append((path + ("[]",), where, part["items"]))
        return dict(found)

    def _expand(self, doc: str, node: dict) -> list[tuple[str, dict]]:
        out = [(doc, node)]
        if "$ref" in node:
            target, _, pointer = node["$ref"].partition("#")
            where = target.replace(".schema.json", "") if target else doc
            ref = self.common if where == "common" else self.documents[where]
            for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
                ref = ref[part]
            out += self._expand(where, ref)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                out += self._expand(doc, sub)
        for key in ("then", "else"):
            if isinstance(node.get(key), dict):
                out += self._expand(doc, node[key])
        return out

    @cache
    def whole_number_fields(self, kind: str) -> frozenset[tuple]:
        """Paths whose numbers must be whole: typed integer (perhaps also null, text or
        an object) and never 'number'. JSON Schema counts 10.0 as an integer, so
        check.py's rule whole-number refuses a decimal point there."""
        out = set()
        for path, nodes in self.fields(kind).items():
            types: set[str] = set()
            for node in nodes:
                declared = node.get("type")
                types.update(declared if isinstance(declared, list) else [declared] if declared else [])
            if "integer" in types and "number" not in types:
                out.add(path)
        return frozenset(out)

    def describe(self, kind: str, *pointer: str) -> dict[str, str]:
        """Value -> description for an enum that carries enumDescriptions."""
        node = self.documents[kind] if kind in self.documents else self.common
        for part in pointer:
            node = node[part]
        return dict(zip(node["enum"], node.get("enumDescriptions", [""] * len(node["enum"]))))


def _message(error: Any) -> str:
    # A limit's message would quote the whole over-long value: say how long it is instead.
    kind = type(error.kind).__name__
    if kind == "MaxLength":
        return f"text of {len(error.instance)} characters is longer than the limit of {error.kind.limit}"
    if kind == "MaxItems":
        return f"{len(error.instance)} items, more than the limit of {error.kind.limit}"
    message = error.message
    # jsonschema-rs quotes whole sub-documents in some messages; keep lines short.
    if len(message) > 300:
        message = message[:297] + "..."
    return message


def load_schemas(root: Path) -> Schemas:
    return Schemas(root / "evidence" / "schema")
