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
from .problems import Problem
from .tree import TreeError, UnsafeFile, read_bytes

KINDS = tuple(KIND_FOLDERS.values())
_MAX_FIELD_DEPTH = 30


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
            path = tuple(error.instance_path)
            kind = type(error.kind).__name__
            if kind == "AdditionalProperties":
                # Reported at the mapping that holds the key; point at the key itself.
                allowed = [] if (found := node_at(self, record.kind, record.data, path)) is None else list(properties(self, *found))
                for key in error.kind.unexpected:
                    yield path + (key,), f"unknown field '{key}'{did_you_mean(str(key), allowed, 'allowed here: ' + ', '.join(allowed))}"
                continue
            message = _message(error)
            if kind == "Enum" and isinstance(error.instance, str):
                message += did_you_mean(error.instance, [str(o) for o in error.kind.options], "")
            yield path, message

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
        check/numbers.py's rule whole-number refuses a decimal point there."""
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


def closest(given: str, choices: list[str], n: int = 3) -> list[str]:
    """The choices nearest to a misspelt text (case ignored): only those about as close
    as the best, so 'hematologic-response' gets 'haematologic-response' alone."""
    import difflib

    lowered = {c.lower(): c for c in choices}
    scored = sorted(((difflib.SequenceMatcher(None, given.lower(), c).ratio(), c) for c in lowered), reverse=True)
    best = scored[0][0] if scored else 0
    return [lowered[c] for score, c in scored[:n] if score >= max(0.6, best - 0.1)]


def did_you_mean(given: str, choices: list[str], otherwise: str) -> str:
    """'; did you mean 'x'?' with the closest choices, else '; ' + otherwise (or nothing)."""
    close = closest(given, choices)
    if close:
        return "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return f"; {otherwise}" if otherwise else ""


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


# Where a field sits in the schemas ----------------------------------------------------
# The formatter's key order, the scaffold's fields and the "did you mean" of a misspelled
# key all read the schemas' own property order: no list of fields is kept in Python.
def parts_of(schemas: Schemas, doc: dict[str, Any], node: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """The node and every node it borrows from ($ref, allOf), each with its document."""
    if not isinstance(node, dict):
        return
    yield doc, node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.split("#", 1)[0]
        target_doc = doc if not name else schemas.common if name == "common.schema.json" else schemas.documents[name[: -len(".schema.json")]]
        target: Any = target_doc
        for part in ref.split("#", 1)[1].strip("/").split("/"):
            target = target[part]
        yield from parts_of(schemas, target_doc, target)
    for branch in node.get("allOf", []):
        yield from parts_of(schemas, doc, branch)


def properties(schemas: Schemas, doc: dict[str, Any], node: Any) -> dict[str, tuple[dict, Any]]:
    """Property name -> (document, schema node), in the schema's order (the node's own
    properties first, then those it borrows)."""
    found: dict[str, tuple[dict, Any]] = {}
    for part_doc, part in parts_of(schemas, doc, node):
        for key, sub in part.get("properties", {}).items():
            found.setdefault(key, (part_doc, sub))
    return found


def required(schemas: Schemas, doc: dict[str, Any], node: Any) -> list[str]:
    return [key for _, part in parts_of(schemas, doc, node) for key in part.get("required", [])]


def item_node(schemas: Schemas, doc: dict[str, Any], node: Any, value: Any) -> tuple[dict, Any] | None:
    for part_doc, part in parts_of(schemas, doc, node):
        items = part.get("items")
        if isinstance(items, dict):
            branches = items.get("oneOf") or items.get("anyOf")
            if branches and isinstance(value, dict):  # the branch that knows the most keys
                return max(((part_doc, b) for b in branches),
                           key=lambda db: len(set(value) & set(properties(schemas, *db))))
            return part_doc, items
    return None


def node_at(schemas: Schemas, kind: str, data: Any, path: tuple) -> tuple[dict, Any] | None:
    """The schema node (with its document) that governs the value at `path` in a record."""
    doc = schemas.documents[kind]
    here: tuple[dict, Any] | None = (doc, doc)
    value = data
    for part in path:
        if here is None:
            return None
        if isinstance(part, int):
            here = item_node(schemas, *here, value[part] if isinstance(value, list) and part < len(value) else None)
        else:
            here = properties(schemas, *here).get(part)
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            value = None
    return here


def description(schemas: Schemas, doc: dict[str, Any], node: Any) -> str:
    """A node's own description, else the one it borrows."""
    for _, part in parts_of(schemas, doc, node):
        if isinstance(part.get("description"), str):
            return part["description"]
    return ""
