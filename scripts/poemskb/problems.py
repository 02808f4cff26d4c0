"""Problems found while loading or checking records, and how they are printed.

Every stage (load, schema, integrity) reports into the same list so that one run shows
every problem, each located as path:line:col with the record id and field path.
Every part of a problem can hold contributor text (a file name, a key, a quoted value),
so each output format escapes it for where it goes (see escape.py).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

from .escape import json_ascii_safe, visible, workflow_data, workflow_property


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    code: str
    record: str  # record id, or "-" when the file has no usable id
    field: str  # dotted field path, "-" for the whole file
    message: str

    def text(self) -> str:
        """One terminal line: hidden characters shown as \\x1b, \\u202e, \\n..."""
        return (f"{visible(self.path)}:{self.line}:{self.col}: {self.severity}[{self.code}]: "
                f"{visible(self.record)}: {visible(self.field)}: {visible(self.message)}")

    def github(self) -> str:
        """One GitHub workflow command. The text is made visible first (the log shows
        the line, and renders ANSI colours), then escaped as the runner unescapes it:
        a file name cannot add properties, nothing can start a second command."""
        msg = f"[{self.code}] {visible(self.record)}: {visible(self.field)}: {visible(self.message)}"
        level = "error" if self.severity == "error" else "warning"
        return f"::{level} file={workflow_property(visible(self.path))},line={self.line},col={self.col}::{workflow_data(msg)}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The same problem found twice (two schema branches, two rules) is one problem:
        # duplicates are dropped here, so the summary counts what is printed.
        given, self.problems, self._seen = self.problems, [], set()
        self.extend(given)

    def add(self, problem: Problem) -> None:
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        # Errors before warnings, then by place, so warnings never hide an error.
        return sorted(self.problems, key=lambda p: (p.severity != "error", p.path, p.line, p.col, p.code, p.field, p.message))

    def format(self, style: str, quiet: Callable[[Problem], bool] | None = None) -> str:
        """The report as text, GitHub annotations or JSON. Warnings for which `quiet`
        says yes (unverified facts in records the contributor did not touch) are counted
        in one line instead of listed, so a contributor's own errors are not buried;
        JSON always lists everything."""
        items = self.sorted()
        if style == "json":
            # The values stay exact (JSON is structural); hidden characters are \\u escapes.
            return json_ascii_safe(json.dumps([asdict(p) for p in items], ensure_ascii=False, indent=2))
        hidden = [p for p in items if quiet and p.severity == "warning" and quiet(p)]
        shown = [p for p in items if p not in set(hidden)] if hidden else items
        if style == "github":
            return "\n".join(p.github() for p in shown)
        lines = [p.text() for p in shown]
        if hidden:
            files = len({p.path for p in hidden})
            lines.append(f"{len(hidden)} more warning(s) about unverified facts in {files} record(s) you did not change "
                         "(--all-warnings lists them)")
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)
