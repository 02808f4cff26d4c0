"""The evidence diff as Markdown for a pull-request comment (see changes.py).

Everything taken from a record goes through md_text: the comment is posted with write
rights on the pull request, so a record's text must not become HTML, a heading, a link,
an image, a table break or an @mention there. Long diffs are cut at a line cap with a
pointer to the full diff, which the workflow keeps as a build artifact.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .escape import HIDDEN

if TYPE_CHECKING:
    from .changes import EvidenceDiff

CELL_LIMIT = 160
# Every character the validator refuses in records as hidden (controls, direction and
# invisible characters), from the one list in escape.py.
_CONTROL = HIDDEN
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:>])")


def md_text(value: object, limit: int = CELL_LIMIT) -> str:
    """Record text made inert in GitHub Markdown, on one line, at most `limit` characters.

    HTML is written as entities; Markdown punctuation (including backticks and pipes, so
    a table cell cannot be split) is backslash-escaped; '@' is written as an entity
    followed by a word joiner, so no one is pinged; line breaks and control or
    direction characters become spaces, so no heading or list can be forged."""
    text = _CONTROL.sub(" ", str(value))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("@", "&#64;\u2060")


def _code(value: object) -> str:
    """An id in code style (a code span shows its text literally: no HTML, link or
    mention). Ids are checked by the schema, but a file failing it is still shown, so
    text that could end the span or a table cell is escaped instead."""
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", str(value))).strip()[:100]
    return md_text(text, 100) if not text or "`" in text or "|" in text else f"`{text}`"


def render_markdown(diff: "EvidenceDiff", max_lines: int = 200) -> str:
    lines = [f"## Evidence diff: {md_text(diff.base, 40)} → {md_text(diff.head, 40)}", ""]
    counts = [f"{len(diff.added)} added", f"{len(diff.removed)} removed", f"{len(diff.renamed)} renamed",
              f"{len(diff.changed)} changed"]
    lines.append("Records: " + ", ".join(counts) + (f"; {len(diff.unreadable)} file(s) could not be read" if diff.unreadable else "") + ".")
    if not (diff.added or diff.removed or diff.renamed or diff.changed or diff.unreadable):
        lines += ["", "No record under `evidence/` changed."]
    if diff.unreadable:
        lines += ["", "### Files that could not be read", ""]
        lines += [f"- {_code(u['path'])} ({u['side']} the change): {md_text(u['problem'])}" for u in diff.unreadable]
    for title, entries in (("Added", diff.added), ("Removed", diff.removed)):
        if entries:
            lines += ["", f"### {title}", ""]
            for e in entries:
                extra = f" — {md_text(e['title'])}" if e["title"] else ""
                outcomes = f" ({e['outcomes']} outcome(s))" if e["outcomes"] else ""
                lines.append(f"- {e['kind']} {_code(e['id'])}{extra}{outcomes}")
    if diff.renamed:
        lines += ["", "### Renamed", ""]
        lines += [f"- {r['kind']} {_code(r['from'])} → {_code(r['to'])}" for r in diff.renamed]
    for change in diff.changed:
        moved = f" (was {_code(change.old_path)})" if change.old_path else ""
        lines += ["", f"### Changed: {change.kind} {_code(change.id)}{moved}"]
        if change.items:
            lines += ["", "| Part | Item | What | Before | After |", "| --- | --- | --- | --- | --- |"]
            lines += [f"| {md_text(i['section'])} | {md_text(i['item'], 60)} | {md_text(i['what'])} | {md_text(i['before'])} | {md_text(i['after'])} |"
                      for i in change.items]
        if change.other_fields:
            lines += ["", "Other fields changed: " + ", ".join(md_text(f, 40) for f in change.other_fields) + "."]
    if len(lines) > max_lines:
        cut = len(lines) - max_lines + 2
        lines = lines[: max_lines - 2] + ["", f"… {cut} more line(s) not shown: the full diff is in this run's "
                                              "`evidence-diff` artifact (or run `poemskb diff` locally)."]
    return "\n".join(lines)
