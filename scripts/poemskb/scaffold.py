"""New records from the JSON Schemas: `poemskb new study|regimen|measure|finding|criteria ID`.

Everything is read from the schemas (the one source of truth): which fields are
required, their order, what goes in each (the schema's descriptions) and the allowed
values. The file it writes has the editor modeline, every required field present and
every optional one as a comment saying what goes there. What only a source can say is
pre-filled as an explicit unknown or a 'TO FILL' placeholder; the validator rejects
every placeholder left in place, naming its field (check.PLACEHOLDER), so an untouched
scaffold can never pass for a record.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from .check import PLACEHOLDER
from .fmt import modeline
from .load import KIND_FOLDERS
from .schema import Schemas, description, item_node, parts_of, properties, required

FOLDERS = {kind: folder for folder, kind in KIND_FOLDERS.items()}
INDENT = "  "


def slug(text: str) -> str:
    """Lower-case ASCII words joined by single hyphens ('Nozza Ä. 2024' -> 'nozza-a-2024')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def suggest_id(author: str | None, year: str | None, topic: str | None) -> str:
    """<first-author>-<year>-<topic>, the convention the study schema describes. Use an
    author only when you have seen the author list."""
    return slug(" ".join(part for part in (author, year, topic) if part))


def id_problem(schemas: Schemas, rid: str) -> str | None:
    """Why an id is not acceptable (from the common schema's id definition), or None."""
    rule = schemas.common["$defs"]["id"]
    if len(rid) > rule["maxLength"]:
        return f"'{rid}' is longer than {rule['maxLength']} characters"
    if not re.fullmatch(rule["pattern"], rid):
        better = slug(rid)
        hint = f"; try '{better}'" if better and re.fullmatch(rule["pattern"], better) else ""
        return f"'{rid}' is not a valid id: use lower-case letters, digits and single hyphens{hint}"
    return None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fill(what: str) -> str:
    return _quote(f"{PLACEHOLDER}: {what}")


def _enum(schemas: Schemas, doc: dict, node: Any) -> list[str] | None:
    for _, part in parts_of(schemas, doc, node):
        if isinstance(part.get("enum"), list):
            return [str(v) for v in part["enum"]]
    return None


def _types(schemas: Schemas, doc: dict, node: Any) -> set[str]:
    found: set[str] = set()
    for _, part in parts_of(schemas, doc, node):
        kind = part.get("type")
        found |= set(kind) if isinstance(kind, list) else {kind} if kind else set()
    return found


def _is_fact(schemas: Schemas, doc: dict, node: Any) -> bool:
    return {"value", "status"} <= set(required(schemas, doc, node))


def _what(desc: str) -> str:
    return desc.rstrip(".") if desc else "what the source says"


def _conditions(node: Any) -> dict[str, str]:
    """Fields a record's if/then/else makes required, with when ('arms': 'required
    unless design is systematic-review, ...'), so the scaffold includes them."""
    found = {}
    for branch in node.get("allOf", []) if isinstance(node, dict) else []:
        condition = branch.get("if", {}).get("properties", {})
        if len(condition) != 1:
            continue
        (prop, rule), = condition.items()
        values = " or ".join(str(v) for v in rule.get("enum", [rule.get("const")]))
        for key in branch.get("then", {}).get("required", []):
            found[key] = f"required when {prop} is {values}; delete it otherwise"
        for key in branch.get("else", {}).get("required", []):
            found[key] = f"required unless {prop} is {values} (then delete it)"
    return found


class _Writer:
    def __init__(self, schemas: Schemas, rid: str, today: dt.date):
        self.schemas, self.rid, self.today = schemas, rid, today
        self.lines: list[str] = []

    def mapping(self, doc: dict, node: Any, depth: int, top: bool = False) -> None:
        must = set(required(self.schemas, doc, node))
        conditional = _conditions(node) if top else {}
        for key, (sub_doc, sub) in properties(self.schemas, doc, node).items():
            desc = description(self.schemas, sub_doc, sub)
            if key in conditional:
                self.lines.append(f"{INDENT * depth}# {key}: {conditional[key]}")
            if key in must or key in conditional:
                self.field(key, sub_doc, sub, desc, depth, top)
            else:
                self.lines.append(f"{INDENT * depth}# {key} (optional): {desc or 'see the data dictionary'}")

    def field(self, key: str, doc: dict, node: Any, desc: str, depth: int, top: bool) -> None:
        pad = INDENT * depth
        schemas = self.schemas
        if top and key == "id":
            self.lines.append(f"{pad}id: {self.rid}")
        elif key == "curated":
            self.lines.append(f'{pad}curated: "{self.today.isoformat()}"  # the day you curated the record')
        elif _is_fact(schemas, doc, node):
            self.lines += [f"{pad}{key}:", f"{pad}{INDENT}value: null", f"{pad}{INDENT}status: unknown",
                           f"{pad}{INDENT}reason: " + _fill(
                               f"{_what(desc)}. Put it in 'value' with status: verified and check: <id of the "
                               "provenance check where you read it>, or keep value null and write here why it is unknown")]
        elif (choices := _enum(schemas, doc, node)) is not None:
            self.lines.append(f"{pad}{key}: " + _fill(f"{_what(desc)}; one of: {', '.join(choices)}"))
        elif "object" in _types(schemas, doc, node) or properties(schemas, doc, node):
            self.lines.append(f"{pad}{key}:")
            self.mapping(doc, node, depth + 1)
        elif "array" in _types(schemas, doc, node):
            self.array(key, doc, node, desc, depth)
        else:
            self.lines.append(f"{pad}{key}: " + _fill(_what(desc)))

    def array(self, key: str, doc: dict, node: Any, desc: str, depth: int) -> None:
        pad = INDENT * depth
        item = item_node(self.schemas, doc, node, None)
        if item is None or not properties(self.schemas, *item):
            choices = _enum(self.schemas, *item) if item else None
            what = f"one or more of: {', '.join(choices)}" if choices else _what(desc)
            self.lines.append(f"{pad}{key}: [{_fill(what)}]")
            return
        self.lines.append(f"{pad}{key}:")
        start = len(self.lines)
        self.mapping(*item, depth + 2)
        for index in range(start, len(self.lines)):  # the first field opens the list item
            if not self.lines[index].lstrip().startswith("#"):
                self.lines[index] = f"{pad}{INDENT}- " + self.lines[index].lstrip()
                break


def scaffold(schemas: Schemas, kind: str, rid: str, today: dt.date | None = None) -> str:
    """The text of a new record of a kind, with the given id."""
    writer = _Writer(schemas, rid, today or dt.date.today())
    doc = schemas.documents[kind]
    writer.lines += [
        modeline(kind),
        f"# A new {kind} record, written by `poemskb new`. Replace every '{PLACEHOLDER}' with what",
        "# the source says; `poemskb validate` names each one still left. Optional fields are",
        "# comments: uncomment the ones the source reports, delete the rest.",
    ]
    writer.mapping(doc, doc, 0, top=True)
    return "\n".join(writer.lines) + "\n"


def write_new(root: Path, schemas: Schemas, kind: str, rid: str) -> Path:
    """Write the scaffold to evidence/<folder>/<id>.yaml; never over an existing file."""
    problem = id_problem(schemas, rid)
    if problem:
        raise ValueError(problem)
    path = root / "evidence" / FOLDERS[kind] / f"{rid}.yaml"
    for folder in FOLDERS.values():  # one id, one record, whatever its kind
        other = root / "evidence" / folder / f"{rid}.yaml"
        if other.exists() or other.is_symlink():
            raise FileExistsError(f"{other.relative_to(root)} already exists; edit it, or choose another id")
    text = scaffold(schemas, kind, rid)
    with open(path, "x", encoding="utf-8") as out:  # "x": fails rather than overwrite
        out.write(text)
    return path
