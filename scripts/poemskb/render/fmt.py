"""HTML pieces for record values: verification badges and empty-cell marks. The words
themselves come from poemskb.describe, shared with the exports."""
from __future__ import annotations


from ..describe import (  # noqa: F401  (re-exported for the renderers)
    MONTHS, num, date, span, words, label, value_text, sort_key, p_text, locator, timepoint, days, dose, follow_up, age, fact_value, n_text,
)
from .html import Html, badge, esc, external, fmt, join


def status_badge(status: str | None, reason: str | None = None) -> Html:
    """The verification mark for a fact: a badge with words, then the reason in text."""
    if status in (None, "verified"):
        return Html("")
    name = "Unverified" if status == "unverified" else "Unknown"
    mark = badge(status, name)
    if reason:
        return join([mark, " ", fmt('<span class="poems-reason">{}</span>', reason)])
    return mark


def esc_or_dash(text: str) -> Html:
    return esc(text) if text else Html('<span aria-label="none">–</span>')


def seen_on(check: dict) -> Html:
    """What a fact was read on, as the record says: the page named in `where`, linked to the
    publication's canonical address when the check gives one (a third-party copy is named
    but never linked), and the kind of copy read (abstract, full text, index page...), so a
    reader can weigh an abstract-only or index-page reading."""
    where = external(check["url"], check["where"]) if check.get("url") else esc(check["where"])
    return join([where, " (", esc(words(check["against"])), ")"])
