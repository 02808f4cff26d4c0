"""Every rule a record must satisfy, in one package: the schema first, then integrity
checks that a schema cannot express (references, arithmetic, identifiers, dates).

Each rule is a small function that yields problems, registered in RULES (per record) or
CROSS_RULES (across records) with its code and a one-line description (shown by
`poemskb rules` and in the contributor docs). All rules run on every record and every
problem is reported, never only the first. The rules are grouped by what they look at,
one module per theme:

    base        the context, the registries, helpers that walk a record
    references  ids, references, identifiers, reserved names
    numbers     counts, percentages, ranges, locators, whole numbers, ratios
    dates       calendar dates and their order
    design      study design, populations, certainty ratings
    provenance  unverified facts, canonical source addresses
    text        hidden characters, what summaries may state
    cross       rules across records
    run         running them all: check_schema, check_records

A new rule goes in the module of its theme, with a fixture in tests/test_rules.py that
asserts its exact message.
"""
from __future__ import annotations

# Importing a theme module registers its rules (pyflakes: used for that effect).
from . import references, numbers, dates, design, provenance, text, cross  # noqa: F401
from .base import CROSS_RULES, LOAD_CODES, PLACEHOLDER, RULES, Context, fields, walk
from .cross import OVERLAP_INVERSE, unloaded_ids
from .provenance import CANONICAL_HOSTS
from .references import IDENTIFIER_PATTERNS, _references
from .run import check_records, check_schema, placeholders
from .text import MULTILINE_FIELDS, _field_name

__all__ = [
    "CANONICAL_HOSTS", "CROSS_RULES", "IDENTIFIER_PATTERNS", "LOAD_CODES", "MULTILINE_FIELDS", "OVERLAP_INVERSE",
    "PLACEHOLDER", "RULES", "Context", "_field_name", "_references", "check_records", "check_schema", "fields",
    "placeholders", "unloaded_ids", "walk",
]
