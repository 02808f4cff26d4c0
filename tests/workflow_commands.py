"""GitHub's workflow commands, parsed as GitHub's runner parses them, for tests of the
validator's `--format github` output.

As ActionCommand.TryParseV2 in actions/runner: a line (the runner reads a step's output
with .NET's ReadLine, which ends a line at CR, LF or CRLF), leading whitespace trimmed,
that starts with '::' is a command: its name and comma-separated key=value properties run
up to the next '::', the rest is its data. Properties unescape %0D %0A %3A %2C %25, data
%0D %0A %25 (github.com/actions/toolkit, docs/commands.md).
"""
from __future__ import annotations

import re

from poemskb.escape import visible
from poemskb.problems import Problem


def _unescape(text: str, tokens: tuple[tuple[str, str], ...]) -> str:
    for token, replacement in tokens:
        text = text.replace(replacement, token)
    return text


_DATA = (("\r", "%0D"), ("\n", "%0A"), ("%", "%25"))
_PROPERTY = (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25"))
COMMANDS = {"error", "warning", "notice", "debug", "group", "endgroup", "add-mask", "stop-commands", "echo",
            "set-output", "save-state", "add-path", "set-env"}


def parse_workflow_commands(output: str) -> tuple[list[dict], list[str]]:
    """(commands, other lines) as GitHub's runner sees a step's output."""
    commands, other = [], []
    for line in re.split(r"\r\n|\r|\n", output):
        message = line.lstrip()
        end = message.find("::", 2) if message.startswith("::") else -1
        name, _, properties = message[2:end].partition(" ") if end >= 0 else ("", "", "")
        if name not in COMMANDS:
            if line:
                other.append(line)
            continue
        command = {"command": name}
        for item in properties.strip().split(","):
            key, equals, value = item.partition("=")
            if item and key and equals and value:
                command[key] = _unescape(value, _PROPERTY)
        command["message"] = _unescape(message[end + 2:], _DATA)
        commands.append(command)
    return commands, other


def annotation(p: Problem) -> dict:
    """The annotation a problem describes: its place, and its words made visible."""
    return {"command": "error" if p.severity == "error" else "warning", "file": visible(p.path),
            "line": str(p.line), "col": str(p.col),
            "message": f"[{p.code}] {visible(p.record)}: {visible(p.field)}: {visible(p.message)}"}
