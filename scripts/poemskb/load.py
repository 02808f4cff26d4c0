"""Safe loading of record files: the one reader every tool (validate, render, export) uses.

PyYAML's libyaml-backed CSafeLoader does the parsing; the guards below turn YAML's
surprises into located errors instead of silently accepted values:

* no tags beyond the core scalar/collection types, so nothing can construct objects;
* no anchors or aliases (which also defuses "billion laughs" alias bombs);
* no duplicate keys, no merge keys, string keys only;
* YAML 1.1 booleans (yes/no/on/off) and unquoted dates/times are rejected, as are
  sexagesimal, octal, hexadecimal and binary integers and .inf/.nan;
* numbers that a float or a JSON reader cannot hold (more than 15 digits, overflow,
  underflow to zero) are refused rather than silently changed;
* UTF-8 only, no byte-order mark, no tabs or carriage returns, one document per file,
  a size cap checked before the file is read, and a nesting-depth cap checked before
  the text is composed (deep nesting crashes libyaml's recursive composer);
* record files are plain files, never symbolic links, pipes or devices, and are read
  through plain folders only (tree.read_bytes: no link followed, no read that blocks).

Line and column of a field are found lazily (only when a problem needs them) by
re-composing the text, so the common, valid path stays as fast as plain parsing.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem
from .tree import Reader, UnsafeFile, read_bytes

MAX_BYTES = 512 * 1024  # a study with hundreds of outcomes stays far below this
KIND_FOLDERS = {
    "studies": "study",
    "regimens": "regimen",
    "measures": "measure",
    "findings": "finding",
    "criteria": "criteria",
}
SCHEMA_FOLDER = "schema"

_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
# Cheap pre-filter: only files that might hold an anchor (&a) or alias (*a) get the
# slower event-level scan that tells a real anchor from an ampersand in text. A node
# (and so an anchor or alias) starts a line or follows a space, '[', '{', ',' or, in
# flow style after a quoted key, ':'.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:])[&*][^\s,\[\]{}]", re.MULTILINE)
# Records nest about ten levels deep. Far deeper nesting is an attack: libyaml's composer
# recurses in C and crashes the interpreter (segfault) at tens of thousands of levels,
# and jsonschema-rs gives up at 255. MAX_DEPTH refuses it first, with a located error.
MAX_DEPTH = 64
# No count, year or day needs more digits; 15 also keeps every whole number exact for
# JSON readers that hold numbers as doubles (JavaScript's safe integers end at 16).
MAX_DIGITS = 15
# Each nesting level needs a '[', '{', a '- ' or '? ' indicator, or one more space of
# indentation, so text with few of these cannot nest past 150 + 40 levels and skips the
# event scan (an extra parse) that finds the exact depth. What nests between 64 and 190
# levels still fails the schema, which allows nothing that deep, without crashing.
_DEEP_INDENT = "\n" + " " * 40
_NESTING_BUDGET = 150


class LoadError(Exception):
    """A located problem with a file's text."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col


def _mark_error(code: str, message: str, mark: Any) -> LoadError:
    if mark is None:
        return LoadError(code, message)
    return LoadError(code, message, mark.line + 1, mark.column + 1)


_STR = "tag:yaml.org,2002:str"


class GuardedLoader(yaml.CSafeLoader):
    """CSafeLoader with the guards listed in the module docstring."""

    def construct_object(self, node, deep=False):
        # Most nodes are plain text: return it directly rather than through PyYAML's
        # general constructor machinery (this keeps loading below CSafeLoader's time).
        if node.tag == _STR and node.__class__ is yaml.ScalarNode:
            return node.value
        # A node met twice is an alias: refuse it before it can be expanded.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _mark_error("alias", "anchors and aliases are not allowed; write the value out", node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise _mark_error("yaml-syntax", f"expected a mapping, found {node.id}", node.start_mark)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _mark_error("merge-key", "merge keys ('<<') are not allowed; write the fields out", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                shown = repr(key_node.value) if isinstance(key_node, yaml.ScalarNode) else f"this {key_node.id}"
                raise _mark_error("key-type", f"keys must be text; {shown} is read as {type(key).__name__} (quote it)", key_node.start_mark)
            if key in mapping:
                raise _mark_error("duplicate-key", f"duplicate key '{key}'", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _reject(code: str, why: str):
    def constructor(loader: GuardedLoader, node: yaml.Node):
        raise _mark_error(code, why.format(value=node.value if isinstance(node, yaml.ScalarNode) else node.tag), node.start_mark)
    return constructor


def _bool(loader: GuardedLoader, node: yaml.ScalarNode) -> bool:
    if node.value == "true":
        return True
    if node.value == "false":
        return False
    raise _mark_error("yaml11-bool", f"'{node.value}' would be read as a YAML 1.1 boolean; write true or false, or quote it ('{node.value}') if it is text", node.start_mark)


def _int(loader: GuardedLoader, node: yaml.ScalarNode) -> int:
    if not _DECIMAL_INT.fullmatch(node.value):
        raise _mark_error("yaml11-number", f"'{node.value}' would be read as a YAML 1.1 number; write a plain decimal number, or quote it if it is text", node.start_mark)
    digits = len(node.value.lstrip("+-"))
    if digits > MAX_DIGITS:  # also keeps int() below Python's 4,300-digit limit (a ValueError)
        raise _mark_error("number-size", f"a whole number of {digits} digits; no field takes more than {MAX_DIGITS} (quote it if it is text)", node.start_mark)
    return int(node.value)


def _float(loader: GuardedLoader, node: yaml.ScalarNode) -> float:
    if not _DECIMAL_FLOAT.fullmatch(node.value):
        raise _mark_error("yaml11-number", f"'{node.value}' is not a plain decimal number (no .inf, .nan, sexagesimal or underscores); quote it if it is text", node.start_mark)
    number = float(node.value)
    mantissa = node.value.lower().partition("e")[0]
    if not math.isfinite(number) or (number == 0 and any(d in mantissa for d in "123456789")):
        shown = f"'{node.value}'" if len(node.value) <= 40 else f"a number of {len(node.value)} characters"
        raise _mark_error("number-size", f"{shown} is beyond what a decimal number can hold (it would be read as {number}); check the value", node.start_mark)
    return number


GuardedLoader.add_constructor("tag:yaml.org,2002:bool", _bool)
GuardedLoader.add_constructor("tag:yaml.org,2002:int", _int)
GuardedLoader.add_constructor("tag:yaml.org,2002:float", _float)
GuardedLoader.add_constructor("tag:yaml.org,2002:timestamp", _reject("unquoted-date", "'{value}' would be read as a date object; quote it (\"{value}\")"))
for _tag in ("binary", "set", "omap", "pairs", "value", "yaml"):
    GuardedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _reject("tag", "the tag !!" + _tag + " is not allowed in records"))
GuardedLoader.add_constructor(None, _reject("tag", "the tag '{value}' is not allowed in records (only plain YAML values)"))
GuardedLoader.add_multi_constructor("", lambda loader, suffix, node: _reject("tag", f"the tag '{node.tag}' is not allowed in records (only plain YAML values)")(loader, node))


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _check_text(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise LoadError("bom", "the file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")  # valid up to the bad byte; columns count characters
        line, col = _position(before, len(before))
        raise LoadError("encoding", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line, col) from None
    for char, code, why in (("\t", "tab", "tab character; indent and separate with spaces"),
                            ("\r", "line-ending", "carriage return; use LF line endings"),
                            # YAML counts these as line breaks too, so every line number
                            # after one would disagree with the editor's.
                            ("\u2028", "line-ending", "line separator (U+2028); YAML reads it as a line break: remove it"),
                            ("\u2029", "line-ending", "paragraph separator (U+2029); YAML reads it as a line break: remove it"),
                            ("\x85", "line-ending", "next-line character (U+0085); YAML reads it as a line break: remove it")):
        index = text.find(char)
        if index >= 0:
            raise LoadError(code, why, *_position(text, index))
    return text


def _check_anchors(text: str) -> None:
    if ("&" not in text and "*" not in text) or not _MAYBE_ANCHOR.search(text):
        return
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _mark_error("alias", "anchors and aliases are not allowed; write the value out", event.start_mark)
    except yaml.YAMLError:
        return  # malformed YAML (an '&' with no name, say): parse_text reports it with its location


def _check_depth(text: str) -> None:
    openers = (text.count("[") + text.count("{") + text.count("- ") + text.count("-\n")
               + text.count("? ") + text.count("?\n"))
    if openers <= _NESTING_BUDGET and _DEEP_INDENT not in text and not text.startswith(_DEEP_INDENT[1:]):
        return  # cannot nest deeper than _NESTING_BUDGET + 40 levels: safe to compose
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _mark_error("too-deep", f"nesting is deeper than {MAX_DEPTH} levels; records need far fewer", event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # malformed YAML: parse_text reports it with its location


def parse_text(text: str) -> Any:
    """Parse one record's text with every guard; raise LoadError on the first problem."""
    _check_depth(text)
    _check_anchors(text)
    loader = GuardedLoader(text)
    try:
        if not loader.check_node():
            raise LoadError("empty", "the file holds no YAML document")
        node = loader.get_node()
        if loader.check_node():
            extra = loader.get_node()
            raise _mark_error("multi-document", "a record file holds exactly one YAML document; remove the '---' and what follows", extra.start_mark)
        data = loader.construct_document(node)
    except LoadError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if "mapping values are not allowed" in message and mark is not None:
            message = _colon_advice(text, mark.line)
        raise _mark_error("yaml-syntax", message or "malformed YAML", mark) from None
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        raise LoadError("yaml-syntax", f"control character U+{exc.character:04X} is not allowed in YAML; remove it",
                        *_position(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise LoadError("yaml-syntax", str(exc).replace("\n", " ")) from None
    except RecursionError:
        raise LoadError("yaml-syntax", "nesting too deep") from None
    finally:
        loader.dispose()
    if data is None:
        raise LoadError("empty", "the file holds no YAML document")
    return data


def _colon_advice(text: str, line: int) -> str:
    """What to do about YAML's 'mapping values are not allowed here': plain text that
    holds ': ' ends the value there. Show the line quoted, when it is short and plain."""
    advice = "text containing ': ' must be quoted"
    source = text.split("\n")[line] if line < len(text.split("\n")) else ""
    match = re.fullmatch(r"(\s*(?:- )?[A-Za-z_][\w-]*: )(.+)", source)
    if match and len(source) <= 120 and source.isprintable() and '"' not in match.group(2) and "\\" not in match.group(2):
        return f"{advice}: write {match.group(1).strip()} \"{match.group(2).strip()}\""
    return f'{advice}: put the whole value in double quotes, e.g. note: "Response: 5 of 8"'


def read_text(path: Path, root: Path | None = None, reader: Reader | None = None) -> str:
    """A record's text, read as tree.read_bytes reads (no links, no pipes, no devices,
    below `root` no linked folder on the way) and capped at MAX_BYTES."""
    try:
        raw = reader.read(path, MAX_BYTES) if reader else read_bytes(path, MAX_BYTES, root)
    except UnsafeFile as exc:
        if exc.code == "too-large":
            raise LoadError("too-large", f"{exc.message.split(';')[0]}; records are capped at {MAX_BYTES} bytes") from None
        raise LoadError(exc.code, exc.message) from None
    if not raw:
        raise LoadError("empty", "the file is empty")
    return _check_text(raw)


class _PositionLoader(yaml.CSafeLoader):
    """Composes nodes for their positions only: skipping tag resolution makes it faster."""

    def resolve(self, kind, value, implicit):
        return ""

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


@dataclass
class Record:
    """One loaded record: its kind, file, parsed data and (lazily) node positions."""

    kind: str
    path: Path
    rel: str  # path as printed in problems (relative to the project root)
    text: str
    data: dict[str, Any]
    _nodes: Any = field(default=None, repr=False)
    _fields: Any = field(default=None, repr=False)  # check.fields(), while rules run

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else "-"

    @property
    def stem(self) -> str:
        return self.path.name[: -len(".yaml")]

    def locate(self, path: tuple) -> tuple[int, int]:
        """Line and column (1-based) of the deepest existing node along a field path."""
        if self._nodes is None:
            self._nodes = yaml.compose(self.text, Loader=_PositionLoader)
        node, mark = self._nodes, self._nodes.start_mark
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next(((k, v) for k, v in node.value if k.value == part), None)
                if found is None:
                    break
                mark, node = found[0].start_mark, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1

    def problem(self, code: str, path: tuple, message: str, severity: str = "error") -> Problem:
        line, col = self.locate(path)
        return Problem(self.rel, line, col, severity, code, self.id, dotted(path), message)


def dotted(path: tuple) -> str:
    if not path:
        return "-"
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def discover(evidence: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Every record file under evidence/, with its kind; stray files are problems."""
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    root = evidence.parent
    if evidence.is_symlink() or not evidence.is_dir():
        # rglob would walk wherever a linked evidence/ points (the whole machine).
        return found, [Problem("evidence", 1, 1, "error", "symlink", "-", "-",
                               "evidence is not a plain folder (a symbolic link?); records live in a real evidence/ folder")]
    for path in sorted(evidence.rglob("*")):
        rel = path.relative_to(evidence).parts
        if path.is_symlink():
            # A link could point anywhere on the machine that runs the validator (a
            # secret, a device); its content would then be parsed and echoed in errors.
            problems.append(Problem(str(path.relative_to(root)), 1, 1, "error", "symlink", "-", "-",
                                    f"{'/'.join(('evidence',) + rel)} is a symbolic link; records must be plain files"))
            continue
        if path.is_dir() or path.name.startswith(".") or path.name == "README.md":
            continue
        if rel[0] == SCHEMA_FOLDER:
            continue
        kind = KIND_FOLDERS.get(rel[0]) if len(rel) == 2 else None
        if kind is None or not path.name.endswith(".yaml"):
            where = "/".join(("evidence",) + rel)
            problems.append(Problem(str(path.relative_to(root)), 1, 1, "error", "stray-file", "-", "-",
                                    f"{where} is not a record file: records live in evidence/<{'|'.join(KIND_FOLDERS)}>/<id>.yaml"))
            continue
        found.append((kind, path))
    return found, problems


def load_file(kind: str, path: Path, root: Path, reader: Reader | None = None) -> tuple[Record | None, Problem | None]:
    rel = str(path.relative_to(root))
    try:
        text = read_text(path, root, reader)
        data = parse_text(text)
    except LoadError as exc:
        return None, Problem(rel, exc.line, exc.col, "error", exc.code, "-", "-", exc.message)
    except OSError as exc:
        return None, Problem(rel, 1, 1, "error", "unreadable", "-", "-", exc.strerror or str(exc))
    if not isinstance(data, dict):
        return None, Problem(rel, 1, 1, "error", "root-type", "-", "-", f"a record is a mapping of fields, not a {type(data).__name__}")
    return Record(kind, path, rel, text, data), None


def load_records(evidence: Path) -> tuple[list[Record], list[Problem]]:
    files, problems = discover(evidence)
    records = []
    with Reader(evidence.parent) as reader:
        for kind, path in files:
            record, problem = load_file(kind, path, evidence.parent, reader)
            if problem:
                problems.append(problem)
            else:
                records.append(record)
    return records, problems
