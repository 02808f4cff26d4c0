"""The data dictionary, generated from the JSON Schemas so it cannot drift from them.

Each record kind gets a table of its fields; every shared part ($defs: a locator, a
verified fact, an arm, an outcome value...) gets its own table once, and fields that
use it link there instead of repeating it."""
from __future__ import annotations

from typing import Iterator

from . import links
from .context import Site
from .html import Cell, Html, el, esc, join, link, table, ul
from .page import Page, para

KIND_ORDER = ["study", "regimen", "measure", "finding", "criteria"]
KIND_FOLDERS = {"study": "studies", "regimen": "regimens", "measure": "measures", "finding": "findings", "criteria": "criteria"}


def def_anchor(schema: str, name: str) -> str:
    return f"def-{schema}-{name}".replace("_", "-")


def render_dictionary(site: Site) -> Page:
    path = links.DICTIONARY
    docs = dict(site.kb.schemas.documents)
    docs["common"] = site.kb.schemas.common
    page = Page(path, "Data dictionary")
    page.html(para("Every field of every record kind, generated from the JSON Schemas in evidence/schema/ "
                   "(the validator's source of truth). Required fields are marked; fields that use a shared part link to it."))
    for kind in KIND_ORDER:
        doc = docs[kind]
        page.h(2, f"{doc.get('title', kind)} record", f"kind-{kind}")
        page.html(join([para(doc.get("description", "")),
                        para(f"Checked against evidence/schema/{kind}.schema.json."),
                        _fields_table(kind, doc, path, f"Fields of a {kind} record")]))
    page.h(2, "Shared parts", "shared-parts")
    page.html(para("Parts used by more than one field or record kind."))
    for schema in ["common"] + KIND_ORDER:
        for name, node in docs[schema].get("$defs", {}).items():
            page.h(3, f"{name.replace('_', ' ')} ({schema})", def_anchor(schema, name))
            page.html(_def_block(schema, name, node, path))
    return page


def _def_block(schema: str, name: str, node: dict, path: str) -> Html:
    parts = [para(node.get("description", ""))]
    if "$ref" in node and "properties" in node:
        parts.append(join([esc("Also follows the rules of "), _ref_link(node["$ref"], schema, path), esc(".")]))
    if "properties" in node or "allOf" in node:
        parts.append(_fields_table(schema, node, path, f"Fields of {name.replace('_', ' ')}"))
    else:
        parts.append(table(["Type", "Allowed values or format"], [[_type(schema, node, path), _allowed(node)]],
                           caption=f"{name.replace('_', ' ')}", data_nosort=True))
    rules = list(_conditions(node))
    if rules:
        parts.append(el("p", el("strong", "Conditions:")))
        parts.append(ul(rules))
    return join(parts)


def _fields_table(schema: str, node: dict, path: str, caption: str) -> Html:
    rows = [[Cell(el("code", name), header=True, sort=name), _type(schema, prop, path), "yes" if required else "",
             prop.get("description", ""), _allowed(prop)]
            for name, prop, required in _fields(node)]
    return table(["Field", "Type", "Required", "Description", "Allowed values or format"], rows, caption=caption, data_nosort=True)


def _fields(node: dict, prefix: str = "") -> Iterator[tuple[str, dict, bool]]:
    required = set(node.get("required", []))
    for name, prop in node.get("properties", {}).items():
        full = f"{prefix}{name}"
        yield full, prop, name in required
        # Inline objects (no $ref) are spelled out here; shared parts have their own table.
        if "$ref" not in prop:
            if "properties" in prop:
                yield from _fields(prop, full + ".")
            items = prop.get("items")
            if isinstance(items, dict) and "properties" in items and "$ref" not in items:
                yield from _fields(items, full + "[].")
    for branch in node.get("allOf", []):
        then = branch.get("then", {})
        condition = _condition_text(branch.get("if", {}))
        if "properties" in then and condition:
            for name, prop, req in _fields(then, prefix):
                if name.split(".")[-1] == "type":
                    continue
                yield f"{name} ({condition})", prop, req


def _ref_link(ref: str, schema: str, path: str) -> Html:
    target, _, pointer = ref.partition("#")
    target_schema = target.replace(".schema.json", "") if target else schema
    name = pointer.rsplit("/", 1)[-1]
    return link(links.href(path, path, def_anchor(target_schema, name)), name.replace("_", " "))


def _type(schema: str, node: dict, path: str) -> Html:
    if "$ref" in node:
        return _ref_link(node["$ref"], schema, path)
    if "const" in node:
        return esc(f"always '{node['const']}'")
    if "enum" in node:
        return esc("one of the listed values")
    if "oneOf" in node:
        return join([_type(schema, n, path) for n in node["oneOf"]], " or ")
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    text = " or ".join(k for k in kinds)
    if "array" in kinds and isinstance(node.get("items"), dict):
        return join([esc("list of "), _type(schema, node["items"], path)] + ([esc(" (or null)")] if "null" in kinds else []))
    return esc(text or "see description")


def _allowed(node: dict) -> Html:
    if "enum" in node:
        descriptions = node.get("enumDescriptions")
        if descriptions:
            return ul(join([el("code", v), esc(f": {d}")]) for v, d in zip(node["enum"], descriptions))
        return join([el("code", v) for v in node["enum"]], ", ")
    rules = []
    for key, words in (("pattern", "pattern"), ("minimum", "at least"), ("maximum", "at most"),
                       ("exclusiveMinimum", "more than"), ("minLength", "at least this many characters:"),
                       ("maxLength", "at most this many characters:"), ("minItems", "at least this many items:"),
                       ("maxItems", "at most this many items:")):
        if key in node:
            rules.append(f"{words} {node[key]}")
    if rules:
        return join([el("code", r) if r.startswith("pattern") else esc(r) for r in rules], "; ")
    return esc("")


def _condition_text(cond: dict) -> str:
    parts = []
    for name, prop in cond.get("properties", {}).items():
        if "const" in prop:
            parts.append(f"when {name} is '{prop['const']}'")
        elif "enum" in prop:
            parts.append(f"when {name} is " + " or ".join(f"'{v}'" for v in prop["enum"]))
    return " and ".join(parts)


def _conditions(node: dict) -> Iterator[str]:
    for branch in node.get("allOf", []):
        condition = _condition_text(branch.get("if", {}))
        then = branch.get("then", {})
        if condition and then.get("required") and "properties" not in then:
            yield f"{condition[:1].upper()}{condition[1:]}: {', '.join(then['required'])} required."
        for name, prop in then.get("properties", {}).items() if "required" not in then else []:
            if prop.get("type") == "null":
                yield f"{condition[:1].upper()}{condition[1:]}: {name} must be null."
