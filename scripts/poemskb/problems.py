"""Problems found while loading or checking records, and how they are printed.

Every stage (load, schema, integrity) reports into the same list so that one run shows
every problem, each located as path:line:col with the record id and field path.
Every part of a problem can hold contributor text (a file name, a key, a quoted value),
so each output format escapes it for where it goes (see escape.py).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable

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

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        # Errors before warnings, then by place, so warnings never hide an error.
        return sorted(set(self.problems), key=lambda p: (p.severity != "error", p.path, p.line, p.col, p.code, p.field, p.message))

    def format(self, style: str) -> str:
        items = self.sorted()
        if style == "json":
            # The values stay exact (JSON is structural); hidden characters are \\u escapes.
            return json_ascii_safe(json.dumps([asdict(p) for p in items], ensure_ascii=False, indent=2))
        if style == "github":
            return "\n".join(p.github() for p in items)
        lines = [p.text() for p in items]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)
