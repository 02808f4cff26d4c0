"""What every rule shares: the context a rule runs in, the rule registries and their
decorators, the codes of loader and schema problems, and small helpers that walk a record."""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..load import Record
from ..problems import Problem
from ..schema import Schemas


@dataclass
class Context:
    """Everything the cross-record rules need: records by kind and id, and the schemas."""

    schemas: Schemas
    records: list[Record]
    today: dt.date = field(default_factory=dt.date.today)
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_id: dict[tuple[str, str], Record] = field(default_factory=dict)
    # (kind, id) -> path of a record file that failed to load: references to it are not
    # errors of the records that make them (see not_checked_against_broken).
    unloadable: dict[tuple[str, str], str] = field(default_factory=dict)
    blocked: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    _names: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.records:
            if record.id != "-":
                self.ids[record.kind].add(record.id)
                self.by_id.setdefault((record.kind, record.id), record)


Rule = Callable[[Record, Context], Iterator[Problem]]


RULES: dict[str, tuple[str, Rule | None]] = {}


CROSS_RULES: dict[str, tuple[str, Callable[[Context], Iterator[Problem]]]] = {}


def rule(code: str, description: str):
    def register(func: Rule) -> Rule:
        RULES[code] = (description, func)
        return func
    return register


def cross_rule(code: str, description: str):
    def register(func):
        CROSS_RULES[code] = (description, func)
        return func
    return register


# Loader and schema problems have codes too, so the rule list documents them.
LOAD_CODES = {
    "yaml-syntax": "The file is not well-formed YAML.",
    "duplicate-key": "A key appears twice in one mapping.",
    "alias": "YAML anchors or aliases are used (they are refused, which also stops alias bombs).",
    "merge-key": "A YAML merge key ('<<') is used.",
    "tag": "An explicit YAML tag (e.g. !!python/object) is used.",
    "key-type": "A mapping key is not text.",
    "yaml11-bool": "A plain yes/no/on/off would be read as a boolean.",
    "yaml11-number": "A number is not plain decimal (octal, sexagesimal, .nan, ...).",
    "unquoted-date": "An unquoted date would be read as a date object.",
    "encoding": "The file is not valid UTF-8.",
    "bom": "The file starts with a byte-order mark.",
    "tab": "The file contains a tab character.",
    "line-ending": "The file contains a carriage return, or a line separator YAML counts as a line break (U+2028, U+2029, U+0085).",
    "too-large": "The file exceeds the size cap.",
    "too-deep": "The file nests collections deeper than the loader allows.",
    "number-size": "A number has more digits than any field takes, or is beyond what a decimal number can hold.",
    "symlink": "A file under evidence/ is a symbolic link.",
    "empty": "The file holds no document.",
    "multi-document": "The file holds more than one YAML document.",
    "root-type": "The document is not a mapping.",
    "stray-file": "A file under evidence/ is not in a record folder or is not .yaml.",
    "unreadable": "The file could not be read.",
    "schema": "The record does not match its JSON Schema.",
    "placeholder": "A field still holds the text `poemskb new` put there to be replaced (checked with the schema).",
}


# What `poemskb new` writes where a contributor must fill something in. A value that
# starts with it fails validation, naming the field, until it is replaced.
PLACEHOLDER = "TO FILL"


def walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) pair in a record, depth first."""
    # An explicit stack rather than recursive generators: several rules walk every
    # record, and nested `yield from` made each value cost as much as its depth.
    stack = [(path, data)]
    pop, push = stack.pop, stack.extend
    while stack:
        path, value = pop()
        yield path, value
        if isinstance(value, dict):
            push([(path + (key,), item) for key, item in reversed(value.items())])
        elif isinstance(value, list):
            push([(path + (index,), value[index]) for index in range(len(value) - 1, -1, -1)])


def fields(record: Record) -> dict[Any, list[tuple[tuple, Any]]]:
    """Every (path, value) pair in a record, grouped by the last key of its path.

    Several rules look for particular keys anywhere in a record; one walk shared by
    all of them, kept only while the record's rules run, is several times faster than
    a walk per rule (the validator must stay close to the time of parsing alone)."""
    if record._fields is None:
        grouped: dict[Any, list[tuple[tuple, Any]]] = defaultdict(list)
        for path, value in walk(record.data):
            if path:
                grouped[path[-1]].append((path, value))
        record._fields = grouped
    return record._fields


def value_at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def parse_partial_date(text: str) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest day a partial date can mean; None when not a real date."""
    parts = [int(p) for p in text.split("-")]
    year, month, day = parts + [None] * (3 - len(parts))
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        exact = dt.date(year, month, day)
        return exact, exact
    except ValueError:
        return None


def decimals(number: float | int) -> int:
    if isinstance(number, int):
        return 0
    text = repr(number)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def arms_of(record: Record) -> dict[str, dict]:
    return {a["id"]: a for a in record.data.get("arms", [])}
