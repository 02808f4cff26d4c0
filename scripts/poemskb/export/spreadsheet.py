"""CSV that is safe to open in a spreadsheet. Every CSV the project writes goes through
`csv_text`, so no record text can become a formula or be turned into a date.

The rule (stated on the downloads page and in datapackage.json): a text cell gets one
leading apostrophe (') when
- it starts with = + - @, a tab or a carriage return: a spreadsheet would run it as a
  formula (OWASP, "CSV Injection");
- a spreadsheet would read it as a date, a time or a fraction ("2/5", "1129-37", "2.3");
- it already starts with an apostrophe (so removing exactly one apostrophe always gives
  the recorded text back).
Number, integer, boolean and date columns are written as plain numbers and never
prefixed: they hold only values we format ourselves.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
# Digits joined by separators a spreadsheet reads as a date, time, fraction or range.
DATE_LIKE = re.compile(r"^\s*\d+(?:\s*[/:.,–—-]\s*\d+)+\s*%?\s*$")
PLAIN_NUMBER = re.compile(r"^\s*\d+\s*$")  # an integer (a PubMed id, a volume) reads back the same


def safe_text(text: str) -> str:
    """The cell as written: `text`, or `'text` where a spreadsheet would misread it."""
    if text.startswith(FORMULA_START) or (DATE_LIKE.match(text) and not PLAIN_NUMBER.match(text)):
        return "'" + text
    return text


def original_text(cell: str) -> str:
    """The recorded text back from a CSV text cell (inverse of safe_text)."""
    return cell[1:] if cell.startswith("'") else cell


def cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "number"):
        return str(value)
    return safe_text(str(value)) if kind == "string" else str(value)


def csv_text(rows: Iterable[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    """Rows as CSV (UTF-8, header first, '\\n' line ends); `columns` is (name, type)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_text(name) for name, _ in columns])
    for row in rows:
        writer.writerow([cell(row.get(name), kind) for name, kind in columns])
    return buffer.getvalue()
