"""Rules on text: no hidden characters anywhere, summaries that state only numbers the
record holds, hedging those it holds only as unverified, and findings read only on copies
that say so."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..escape import HIDDEN, HIDDEN_BUT_LINE_FEED, describe
from ..load import Record
from ..problems import Problem
from .base import Context, fields, rule


# Prose fields, the only ones whose text may span lines (a YAML block scalar: `|`, or
# `>` which keeps a final line break). Every other field is one line: a break in a
# title, a name or an identifier has no meaning and could forge a line of output.
MULTILINE_FIELDS = frozenset({"summary", "plain_summary", "note", "notes", "comment", "definition", "description", "statement",
                              "interpretation", "presentation", "eligibility", "basis", "reason", "effect", "differences"})


def _field_name(path: tuple) -> str | None:
    """The field a text belongs to: the last key of its path, looking through 'value'
    (a fact's value) and list positions."""
    return next((p for p in reversed(path) if isinstance(p, str) and p != "value"), None)


@rule("forbidden-character", "Record text holds no control characters (C0, DEL, C1), bidirectional controls, "
      "zero-width or other invisible characters, in values or keys; line breaks only in prose fields.")
def no_hidden_characters(record: Record, ctx: Context) -> Iterator[Problem]:
    # YAML's double-quoted escapes ("\\e", "\\u202e", "\\x85") deliver characters that
    # the loader's scan of the file's text never sees, so the parsed values are checked.
    # Only an escape (a backslash) or the character itself in the file can put one in a
    # value, line feeds aside (block scalars, blank lines in quoted text); most files
    # hold neither, and then only values with a line feed need a closer look.
    anywhere = "\\" in record.text or HIDDEN_BUT_LINE_FEED.search(record.text) is not None
    for key, items in fields(record).items():
        bad_key = anywhere and isinstance(key, str) and HIDDEN.search(key) is not None
        for path, value in items:
            if bad_key:
                yield record.problem("forbidden-character", path, _forbidden_message(key, "key", False, _field_name(path)))
            if type(value) is str and ("\n" in value or (anywhere and HIDDEN_BUT_LINE_FEED.search(value))):
                name = _field_name(path)
                multiline = name in MULTILINE_FIELDS
                if not multiline or HIDDEN_BUT_LINE_FEED.search(value):
                    yield record.problem("forbidden-character", path, _forbidden_message(value, "text", multiline, name))


def _forbidden_message(text: str, what: str, multiline: bool, name: str | None) -> str:
    """Every hidden character of the text, each named once with where it stands."""
    places: dict[str, list[int]] = {}
    for match in HIDDEN.finditer(text):
        if not (multiline and match.group() == "\n"):
            places.setdefault(match.group(), []).append(match.start() + 1)
    found = ", ".join(f"{describe(char)} at character{'s' if len(at) > 1 else ''} {', '.join(map(str, at[:5]))}"
                      f"{'...' if len(at) > 5 else ''}" for char, at in places.items()) + (" of the key" if what == "key" else "")
    if list(places) == ["\n"]:
        return f"{found}: only prose fields such as summary and note may span lines; write {name or 'this'} on one line"
    return (f"{found}: not allowed in records (control, direction and invisible characters can hide or reorder "
            "text, or drive a terminal); remove it")


# Numbers a summary may state: those the record holds elsewhere (values, counts and
# their percentages, and numbers written in its other texts), within rounding.
_NUMBER = re.compile(r"(?<![A-Za-z0-9.^])([0-9]+(?:\.[0-9]+)?)(?![0-9A-Za-z])")


_WORDS = dict(zip("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), range(2, 20)))


_TENS = dict(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10)))


_WORD_NUMBER = re.compile(r"\b(%s)(?:-(%s))?\b|\b(%s)\b" % ("|".join(_TENS), "|".join(list(_WORDS)[:8]) + "|one", "|".join(_WORDS)), re.IGNORECASE)


SUMMARY_KEYS = ("summary", "plain_summary")


IDENTIFIER_KEYS = ("doi", "pmid", "pmcid", "registrations")


HEDGES = ("unverified", "not confirmed", "unconfirmed", "reportedly", "news report", "according to")


def summary_numbers(text: str) -> list[float]:
    out = [float(n) for n in _NUMBER.findall(text)]
    for tens, unit, word in _WORD_NUMBER.findall(text):
        if word:
            out.append(float(_WORDS[word.lower()]))
        else:
            out.append(float(_TENS[tens.lower()] + (1 if unit.lower() == "one" else _WORDS.get(unit.lower(), 0))))
    return out


_ISO_DATE = re.compile(r"(?:19|20)[0-9]{2}(?:-[0-9]{2}){0,2}")


def _held_numbers(record: Record) -> tuple[set[float], set[float]]:
    """(numbers held by verified or unmarked fields, numbers held only under 'unverified')."""
    held: dict[float, bool] = {}  # number -> held by a field that is not unverified

    def add(number: float, sure: bool) -> None:
        for n in {number, round(number), round(number, 1)}:
            held[n] = held.get(n, False) or sure
    for path, value, sure in _walk_trusted(record.data):
        if path and (path[0] in SUMMARY_KEYS or path[0] in IDENTIFIER_KEYS or path[-1] == "url"):
            continue  # identifiers and addresses hold digits, not figures
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            add(float(value), sure)
        elif isinstance(value, str) and not _ISO_DATE.fullmatch(value):
            for n in summary_numbers(value):  # a date field's month and day hold no figure
                add(n, sure)
        elif isinstance(value, dict) and isinstance(value.get("n"), int) and isinstance(value.get("of"), int) and value["of"]:
            add(100 * value["n"] / value["of"], sure)
    return {n for n, s in held.items() if s}, {n for n, s in held.items() if not s}


def _walk_trusted(data: Any) -> Iterator[tuple[tuple, Any, bool]]:
    """Every (path, value, sure) in a record, depth first; `sure` is False below a fact
    marked unverified. One walk that carries the mark down: looking the mark up from the
    root for every value made these rules the slowest part of validation."""
    stack = [((), data, True)]
    while stack:
        path, value, sure = stack.pop()
        yield path, value, sure
        inner = sure and not (isinstance(value, dict) and value.get("status") == "unverified")
        if isinstance(value, dict):
            stack.extend((path + (key,), item, inner) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((path + (index,), value[index], inner) for index in range(len(value) - 1, -1, -1))


@rule("summary-unverified", "A summary or plain summary may not state as certain a number the record holds only as unverified: it says 'not confirmed' or leaves it out.")
def summaries_hedge_unverified(record: Record, ctx: Context) -> Iterator[Problem]:
    yield from (p for p in _summary_checked(record) if p.code == "summary-unverified")


@rule("summary-number", "Warning: a summary or plain summary states a number that no other field of the record holds (a figure without a locator). Dates, years, and a held percentage put in words ('one in six') are not figures.")
def summaries_hold_their_numbers(record: Record, ctx: Context) -> Iterator[Problem]:
    yield from (p for p in _summary_checked(record) if p.code == "summary-number")


# The two summary rules share one reading of the record. Rules run record by record, so
# the last record's problems are remembered, keyed by its shared walk (base.fields), which
# is built afresh for every run of the rules: a record checked again is read again.
_LAST: list = [None, []]


def _summary_checked(record: Record) -> list[Problem]:
    walked = fields(record)
    if _LAST[0] is not walked:
        _LAST[:] = [walked, list(_summary_problems(record))]
    return _LAST[1]


# Words that say when, not how many: a date ("8 April 2013", "April 8, 2013", "May
# 2020") or a year on its own (1900-2099, unless it counts people). Month names are
# matched capitalised only, so the verb "may" stays a word.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:[0-9]{{1,2}}\s+(?:{_MONTHS})(?:,?\s+[0-9]{{4}})?|(?:{_MONTHS})(?:\s+[0-9]{{1,2}},)?\s+[0-9]{{4}})\b")
_YEAR = re.compile(r"(?<![0-9.,])(?:19|20)[0-9]{2}(?![0-9%]|[.,][0-9])(?!\s*(?:patients?|people|persons?|cases|participants|subjects)\b)")
# A proportion in words, "one in six", "3 in 4", "two out of three": plain language for a
# percentage the record holds, to within 3 points (16.2% is "about one in six").
_SMALL = "one|" + "|".join(_WORDS)
_FRACTION = re.compile(rf"\b({_SMALL}|[0-9]{{1,2}})\s+(?:in|out\s+of)\s+({_SMALL}|[0-9]{{1,3}})\b", re.IGNORECASE)
FRACTION_TOLERANCE = 3.0


def _count(word: str) -> int:
    return int(word) if word.isdigit() else 1 if word.lower() == "one" else _WORDS[word.lower()]


_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")


def _held_percentages(record: Record) -> set[float]:
    """Percentages the record holds outside unverified facts: printed ones, those of
    counts, and those written in its texts ('38 (26%)')."""
    held: set[float] = set()
    for path, value, sure in _walk_trusted(record.data):
        if (path and path[0] in SUMMARY_KEYS) or not sure:
            continue
        if isinstance(value, dict) and isinstance(value.get("percent"), (int, float)) and not isinstance(value["percent"], bool):
            held.add(float(value["percent"]))
        if isinstance(value, dict) and isinstance(value.get("n"), int) and isinstance(value.get("of"), int) and value["of"]:
            held.add(100 * value["n"] / value["of"])
        elif isinstance(value, str):
            held.update(float(n) for n in _PERCENT.findall(value))
    return held


def _figures_only(sentence: str, percentages: set[float]) -> str:
    """The sentence without its dates, years and proportions in words that match a
    percentage the record holds: what is left are the figures to check."""
    def proportion(m: re.Match) -> str:
        part, whole = _count(m.group(1)), _count(m.group(2))
        share = 100 * part / whole if 0 < part < whole else None
        return " " if share is not None and any(abs(share - p) <= FRACTION_TOLERANCE for p in percentages) else m.group()
    return _YEAR.sub(" ", _DATE.sub(" ", _FRACTION.sub(proportion, sentence)))


def _summary_problems(record: Record) -> Iterator[Problem]:
    texts = [(key, record.data.get(key)) for key in SUMMARY_KEYS if isinstance(record.data.get(key), str)]
    if not texts:
        return
    sure, unsure = _held_numbers(record)
    percentages = _held_percentages(record)
    for key, text in texts:
        for sentence in re.split(r"(?<=[.;])\s+", text):
            for number in summary_numbers(_figures_only(sentence, percentages)):
                shown = f"{number:g}"
                if number in sure:
                    continue
                if number in unsure:
                    if not any(h in sentence.lower() for h in HEDGES):
                        yield record.problem("summary-unverified", (key,), f"states {shown} as certain, but the record holds it only as unverified; say it is not confirmed, or leave it out")
                else:
                    yield record.problem("summary-number", (key,), f"states {shown}, which no field of this record holds; record the figure with its locator, or leave it out", severity="warning")


@rule("statement-unconfirmed", "A finding read only on unlinked copies (its source's check, or every check when the source names none, has no address) says so in its statement: 'not confirmed' or 'according to'.")
def statements_hedge_unlinked_sources(record: Record, ctx: Context) -> Iterator[Problem]:
    # A finding comes from a review or guideline, which always has a public page; a check
    # without an address is a third-party copy (a proxy, mirror or upload) that is not
    # linked. A reader of the statement must learn that the advice is not confirmed.
    statement = record.data.get("statement")
    if record.kind != "finding" or not isinstance(statement, str):
        return
    checks = [c for c in _provenance_checks(record.data) if isinstance(c, dict)]
    source = record.data.get("source")
    locator = source.get("locator") if isinstance(source, dict) else None
    named = locator.get("check") if isinstance(locator, dict) else None
    relevant = [c for c in checks if c.get("id") == named] if isinstance(named, str) else checks
    if relevant and not any(isinstance(c.get("url"), str) and c["url"] for c in relevant):
        if not any(h in statement.lower() for h in HEDGES):
            yield record.problem("statement-unconfirmed", ("statement",),
                                 "the source of this finding was read only on an unlinked copy (no check it rests on has an address); "
                                 "say in the statement that it is not confirmed, or read it on the publication's own page and link that")


def _provenance_checks(data: dict) -> list:
    provenance = data.get("provenance")
    checks = provenance.get("checks") if isinstance(provenance, dict) else None
    return checks if isinstance(checks, list) else []
