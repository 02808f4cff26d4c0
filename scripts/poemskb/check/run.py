"""Running the rules: the schema first, then every per-record rule on the records that
passed it (and the reference rules on those that did not), then the cross-record rules."""
from __future__ import annotations

import datetime as dt

from ..load import Record
from ..problems import Problem
from ..schema import Schemas
from .base import CROSS_RULES, Context, PLACEHOLDER, RULES, walk
from .references import _other_records, id_matches_file
from .text import no_hidden_characters


def placeholders(record: Record) -> list[tuple[tuple, str]]:
    """(path, text) of every value still holding the scaffold's placeholder."""
    return [(path, value) for path, value in walk(record.data) if isinstance(value, str) and value.startswith(PLACEHOLDER)]


def check_schema(record: Record, schemas: Schemas) -> list[Problem]:
    marked = placeholders(record)
    problems = []
    for path, text in marked:
        where = path[:-1] if path and path[-1] == "reason" else path  # a fact's reason: name the fact
        what = text[len(PLACEHOLDER):].lstrip(": ")
        problems.append(record.problem("placeholder", where, f"still to fill: {what}"))
    # A placeholder where a number or one of a list belongs also fails the schema; that
    # error would only repeat that the field is not filled in yet.
    problems.extend(record.problem("schema", path, message) for path, message in schemas.errors(record)
                    if not any(path[: len(p)] == p for p, _ in marked))
    return problems


# Checks that only read ids and references to other records, and so still run on a
# record that fails its schema: a contributor sees a wrong regimen id in the same run as
# a schema error. Their problems at a field the schema already faults are left out.
CHECKED_WHEN_INVALID = (id_matches_file, _other_records)


def check_records(records: list[Record], schemas: Schemas, today: dt.date | None = None,
                  only: set[str] | None = None, unloadable: dict[tuple[str, str], str] | None = None) -> list[Problem]:
    """Schema and integrity problems for the records (all of them, or only those whose
    relative path is in `only`); cross-record rules always see every record. `unloadable`
    names the record files that failed to load (unloaded_ids), so that records pointing
    at them are not blamed for it."""
    ctx = Context(schemas, records, **({"today": today} if today else {}))
    ctx.unloadable = {key: rel for key, rel in (unloadable or {}).items() if key[1] not in ctx.ids[key[0]]}
    problems: list[Problem] = []
    valid: list[Record] = []
    invalid: list[tuple[Record, set[str]]] = []  # with the fields its schema errors name
    for record in records:
        if only is not None and record.rel not in only:
            valid.append(record)
            continue
        found = check_schema(record, schemas)
        problems.extend(found)
        if found:
            invalid.append((record, {p.field for p in found}))
            # Needs no valid shape, and hidden text is worth knowing about at once.
            problems.extend(no_hidden_characters(record, ctx))
        else:
            valid.append(record)
    # Rules read other records' fields (a measure's value_types, a criteria record's
    # items) only through by_id, so it must hold only records that passed the schema.
    # A reference to an invalid record still resolves (ids); its own errors are reported.
    passed = {id(r) for r in valid}
    ctx.by_id = {key: r for key, r in ctx.by_id.items() if id(r) in passed}
    for record in valid:
        if only is not None and record.rel not in only:
            continue
        for _, func in RULES.values():
            problems.extend(func(record, ctx))
        record._nodes = record._fields = None  # built per record on demand; free them
    for record, faulted in invalid:
        for check in CHECKED_WHEN_INVALID:
            try:
                problems.extend(p for p in check(record, ctx) if p.field not in faulted)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError):
                pass  # malformed where the schema errors already say so
        record._nodes = record._fields = None
    for _, func in CROSS_RULES.values():
        # not-checked stands at the broken file, which is not a record and so never in `only`.
        problems.extend(p for p in func(ctx) if only is None or p.path in only or p.code == "not-checked")
    return problems
