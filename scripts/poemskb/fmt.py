"""The canonical form of a record file: `poemskb fmt [--check] [FILES]`.

One key order (the order of the properties in the record's JSON Schema, so the schema
stays the one source of truth) and one style, applied with ruamel.yaml's round-trip
mode so comments, quoting, flow mappings and folded text survive. Small diffs follow:
two contributors who write the same facts write the same file.

Formatting never changes a value: the output is read back with the project's guarded
loader (load.parse_text) and must give exactly the data the input gave, or nothing is
written. Files that do not load are reported, never touched.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .load import KIND_FOLDERS, LoadError, parse_text, read_text
from .schema import Schemas, item_node, properties


def modeline(kind: str) -> str:
    """Line 1 of every record: editors that read it complete and check fields as typed."""
    return f"# yaml-language-server: $schema=../schema/{kind}.schema.json"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a line; folded text keeps its own line breaks
    yaml.indent(mapping=2, sequence=4, offset=2)
    # An unknown value is written `null`, never left empty: readers see it was meant.
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def _order(schemas: Schemas, doc: dict, node: Any, value: Any) -> None:
    """Put every mapping's keys in the schema's property order (unknown keys last, as
    they were), depth first. Comments stay attached to their keys."""
    if isinstance(value, CommentedMap):
        known = properties(schemas, doc, node) if node is not None else {}
        wanted = [k for k in known if k in value] + [k for k in value if k not in known]
        if list(value) != wanted:
            for key in wanted:
                value.move_to_end(key)
        for key in value:
            sub = known.get(key)
            _order(schemas, *(sub if sub else ({}, None)), value[key])
    elif isinstance(value, CommentedSeq):
        for item in value:
            sub = item_node(schemas, doc, node, item) if node is not None else None
            _order(schemas, *(sub if sub else ({}, None)), item)


def canonical(text: str, kind: str, schemas: Schemas) -> str:
    """The canonical text of a record; raises LoadError if the text does not load or if
    formatting would change a value (it never should: that is a bug to report)."""
    before = parse_text(text)  # refuses what the validator refuses, with its location
    yaml = _yaml()
    data = yaml.load(text)
    doc = schemas.documents[kind]
    _order(schemas, doc, doc, data)
    out = io.StringIO()
    yaml.dump(data, out)
    result = out.getvalue()
    first, _, rest = result.partition("\n")
    if first.startswith("# yaml-language-server:"):
        result = rest
    result = modeline(kind) + "\n" + result
    if parse_text(result) != before:
        raise LoadError("fmt", "formatting would change a value; file left as it is (please report this)")
    return result


@dataclass
class Outcome:
    rel: str
    changed: bool = False
    error: str = ""


def kind_of(path: Path, root: Path) -> str | None:
    try:
        parts = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    if len(parts) == 3 and parts[0] == "evidence" and parts[2].endswith(".yaml"):
        return KIND_FOLDERS.get(parts[1])
    return None


def format_files(root: Path, paths: list[Path], schemas: Schemas, write: bool) -> list[Outcome]:
    """Format (or, with write=False, only compare) each record file."""
    outcomes = []
    for path in paths:
        rel = os.path.relpath(path, Path.cwd())
        kind = kind_of(path, root)
        if kind is None:
            outcomes.append(Outcome(rel, error="not a record file (evidence/<folder>/<id>.yaml)"))
            continue
        if path.is_symlink() or not path.is_file():
            outcomes.append(Outcome(rel, error="not a plain file"))
            continue
        try:
            text = read_text(path)
            result = canonical(text, kind, schemas)
        except LoadError as exc:
            outcomes.append(Outcome(rel, error=f"{exc.line}:{exc.col}: {exc.message}"))
            continue
        changed = result != text
        if changed and write:
            tmp = path.with_name(f".{path.name}.fmt-tmp")
            tmp.write_text(result, encoding="utf-8")
            os.replace(tmp, path)
        outcomes.append(Outcome(rel, changed))
    return outcomes
