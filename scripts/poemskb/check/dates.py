"""Rules on dates: real calendar dates, events in order, plausible years."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterator

from ..load import Record
from ..problems import Problem
from .base import Context, fields, parse_partial_date, rule


EARLIEST_YEAR = 1900  # no date in a record of this knowledge base can be earlier


_DATE_KEYS = {"start", "end", "date", "from", "to", "current_to", "published", "curated", "judged"}


@rule("date-invalid", "Dates must be real calendar dates, and checks cannot be dated in the future.")
def dates_real(record: Record, ctx: Context) -> Iterator[Problem]:
    grouped = fields(record)
    for path, value in (item for key in _DATE_KEYS for item in grouped.get(key, ())):
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
            span = parse_partial_date(value)
            if span is None:
                yield record.problem("date-invalid", path, f"'{value}' is not a real date")
            elif span[0] > ctx.today:
                yield record.problem("date-invalid", path, f"'{value}' is in the future")


def _span(value: Any) -> tuple[dt.date, dt.date] | None:
    return parse_partial_date(value) if isinstance(value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value) else None


@rule("date-order", "Enrolment starts before it ends and before publication; searches precede publication; a case timeline runs forward.")
def dates_in_order(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    year = d.get("year", {}).get("value") if isinstance(d.get("year"), dict) else None
    enrol = d.get("enrolment", {})
    start, end = _span(enrol.get("start")), _span(enrol.get("end"))
    if start and end and start[0] > end[1]:
        yield record.problem("date-order", ("enrolment", "end"), f"enrolment ends ({enrol['end']}) before it starts ({enrol['start']})")
    for key, span in (("end", end), ("start", start)):
        if span and year and span[0].year > year:
            yield record.problem("date-order", ("enrolment", key), f"enrolment {key} {enrol[key]} is after the publication year {year}")
            break
    timeline = d.get("case", {}).get("timeline", [])
    for i in range(1, len(timeline)):
        before, after = _span(timeline[i - 1]["date"]), _span(timeline[i]["date"])
        if before and after and after[1] < before[0]:
            yield record.problem("date-order", ("case", "timeline", i, "date"), f"{timeline[i]['date']} comes before the previous event ({timeline[i - 1]['date']})")
    published = _span(d.get("published"))
    latest = None
    for i, search in enumerate(d.get("searches", [])):
        to, frm = _span(search.get("to")), _span(search.get("from"))
        if frm and to and frm[0] > to[1]:
            yield record.problem("date-order", ("searches", i, "from"), f"search period starts ({search['from']}) after it ends ({search['to']})")
        if to and published and to[0] > published[1]:
            yield record.problem("date-order", ("searches", i, "to"), f"search date {search['to']} is after publication {d['published']}")
        if to and (latest is None or to[0] > latest[0]):
            latest = to
    current = _span(d.get("current_to"))
    if current and latest and current[1] < latest[0]:
        yield record.problem("date-order", ("current_to",), f"current_to {d['current_to']} is earlier than the latest search ({latest[0].isoformat()})")


@rule("date-plausible", f"A publication year is not after this year, and no date is before {EARLIEST_YEAR}.")
def dates_plausible(record: Record, ctx: Context) -> Iterator[Problem]:
    year = record.data.get("year", {}).get("value") if isinstance(record.data.get("year"), dict) else None
    if isinstance(year, int) and year > ctx.today.year:
        yield record.problem("date-plausible", ("year", "value"), f"publication year {year} is after this year ({ctx.today.year})")
    grouped = fields(record)
    for path, value in (item for key in _DATE_KEYS for item in grouped.get(key, ())):
        # The year alone decides (date-invalid judges the rest of the date).
        if isinstance(value, str) and value[:4].isdigit() and int(value[:4]) < EARLIEST_YEAR:
            yield record.problem("date-plausible", path, f"'{value}' is before {EARLIEST_YEAR}; no date in this knowledge base can be that early")
