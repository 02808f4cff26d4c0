"""The JSON Schemas are the one source of truth: every field is described, every
object is closed, every record file points editors at its schema, and the vocabularies
the code uses are read from the schemas (these tests fail when they drift)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest

from poemskb.load import KIND_FOLDERS
from poemskb.schema import KINDS

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "evidence" / "schema"
SCHEMAS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMA_DIR.glob("*.schema.json"))}


def _resolve(ref: str, here: str) -> dict:
    file, _, pointer = ref.partition("#")
    node = SCHEMAS[file or here]
    for part in pointer.strip("/").split("/") if pointer else []:
        node = node[part]
    return node


def _walk(node, here, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, here, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, here, f"{path}/{i}")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12(name):
    assert SCHEMAS[name]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert jsonschema_rs.meta.is_valid(SCHEMAS[name]), name


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_property_has_a_description(name):
    missing = []
    for path, node in _walk(SCHEMAS[name], name):
        for prop, sub in node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else []:
            if path.endswith("/properties") or "/if" in path:
                continue  # 'if' conditions test values; they are not fields
            target = sub
            if "description" not in target and "$ref" in target:
                target = _resolve(target["$ref"], name)
            if "description" not in target:
                missing.append(f"{path}/properties/{prop}")
    assert not missing, f"{name}: properties without a description: {missing}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_object_is_closed(name):
    open_objects = [path for path, node in _walk(SCHEMAS[name], name)
                    if isinstance(node.get("properties"), dict) and not path.endswith("/properties")
                    and node.get("additionalProperties") is not False
                    and "/allOf/" not in path and "/if" not in path and not path.endswith("fact_meta")
                    and not path.endswith("/value") and "/$defs/value" not in path]
    assert not open_objects, f"{name}: objects without additionalProperties: false: {open_objects}"


def test_every_kind_has_a_schema_and_a_folder():
    assert sorted(KINDS) == sorted(f"{n}" for n in (p.removesuffix(".schema.json") for p in SCHEMAS) if n != "common")
    assert set(KIND_FOLDERS.values()) == set(KINDS)


def test_evidence_levels_cover_every_design():
    design = SCHEMAS["study.schema.json"]["properties"]["design"]
    assert set(design["x-evidence-level"]) == set(design["enum"])
    assert len(design["enumDescriptions"]) == len(design["enum"])


def test_every_enum_description_list_matches_its_enum():
    for name, schema in SCHEMAS.items():
        for path, node in _walk(schema, name):
            if "enumDescriptions" in node:
                assert len(node["enumDescriptions"]) == len(node["enum"]), f"{name}{path}"


def test_every_record_names_its_schema(root):
    wrong = []
    for folder, kind in KIND_FOLDERS.items():
        for path in sorted((root / "evidence" / folder).glob("*.yaml")):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            if first != f"# yaml-language-server: $schema=../schema/{kind}.schema.json":
                wrong.append(str(path.relative_to(root)))
    assert not wrong, f"first line must be the yaml-language-server modeline: {wrong}"


def test_all_records_are_valid(loaded):
    _, report = loaded
    assert not report.errors, "\n" + report.format("text")


def _limits_missing(name: str) -> list[str]:
    """Every string a schema allows has a maxLength (or a fixed set of values), and every
    list a maxItems: a stranger's record cannot be unboundedly long anywhere."""
    missing = []
    for path, node in _walk(SCHEMAS[name], name):
        kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if "/if/" in path or "enum" in node or "const" in node:
            continue  # conditions test values; a fixed set of values is bounded
        if "string" in kinds and "maxLength" not in node:
            missing.append(f"{path} (a string without maxLength)")
        if "array" in kinds and "maxItems" not in node:
            missing.append(f"{path} (a list without maxItems)")
    return missing


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_string_and_list_has_a_limit(name):
    assert not _limits_missing(name), f"{name}: add a limit no real record reaches: {_limits_missing(name)}"


def test_limit_walk_finds_a_missing_limit():
    SCHEMAS["probe.schema.json"] = {"properties": {"a": {"type": "string"}, "b": {"type": ["array", "null"], "maxItems": 3},
                                                   "c": {"enum": ["x"]}, "d": {"type": "array"}}}
    try:
        assert _limits_missing("probe.schema.json") == ["/properties/a (a string without maxLength)",
                                                        "/properties/d (a list without maxItems)"]
    finally:
        del SCHEMAS["probe.schema.json"]


def test_every_record_is_within_the_limits(loaded):
    """The limits are generous: every current record is well inside them (no schema
    error, and no free-text field past three quarters of its limit)."""
    from poemskb.check import walk

    kb, report = loaded
    assert not [p for p in report.errors if p.code == "schema"], report.format("text")
    near = []
    for record in kb.records:
        fields = kb.schemas.fields(record.kind)
        for path, value in walk(record.data):
            if isinstance(value, str):
                pattern = tuple("[]" if isinstance(p, int) else p for p in path)
                nodes = fields.get(pattern, [])
                limit = min((n["maxLength"] for n in nodes if "maxLength" in n), default=None)
                assert limit is not None or any("enum" in n or "const" in n for n in nodes), (record.rel, path)
                free = not any("pattern" in n for n in nodes)  # dates and codes fill their limit by design
                if free and limit is not None and len(value) > 0.75 * limit:
                    near.append(f"{record.rel}: {'.'.join(map(str, path))}: {len(value)} of {limit}")
    assert not near, near
