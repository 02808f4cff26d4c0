"""Output that cannot lie to the reviewer: contributor text (record values, keys, file
names) in the validator's text, github and json output is escaped for where it goes.

The github format is checked by parsing it as GitHub's runner parses workflow commands
(workflow_commands.py).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path

import pytest

from poemskb import cli
from poemskb.escape import EXTRA_INVISIBLE, HIDDEN, describe, has_hidden, json_ascii_safe, visible, workflow_data, workflow_property
from poemskb.kb import load
from poemskb.problems import Problem, Report
from workflow_commands import annotation, parse_workflow_commands

MINIMAL = (Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 22)
SCREEN_CLEAR = "\x1b[2J\x1b[H\x1b[32mall good"
FORGED_LINE = "\n0 error(s), 0 warning(s)"
FORGED_COMMAND = "\n::error file=README.md,line=1::forged"


def test_the_parser_reads_commands_as_github_does():
    """The parser itself, on the runner's documented behaviour (what the old escaping
    got wrong: an unescaped comma in a file name adds a property)."""
    line = "::error file=a%2Cb%3A%25.yaml,line=3,col=1::msg%0Anext%25"
    assert parse_workflow_commands(line) == ([{"command": "error", "file": "a,b:%.yaml", "line": "3", "col": "1", "message": "msg\nnext%"}], [])
    forged = "::error file=x,line=999,col=1::y.yaml,line=2,col=1::m"
    assert parse_workflow_commands(forged)[0][0]["line"] == "999"
    assert parse_workflow_commands("ok\r::warning file=f::w") == ([{"command": "warning", "file": "f", "message": "w"}], ["ok"])


# Escaping functions --------------------------------------------------------------

def test_hidden_characters_are_exactly_the_refused_categories():
    """The hand-written ranges agree with Python's Unicode database: categories Cc,
    Cf, Cs, Zl, Zp, the noncharacters, and the few invisible letters listed."""
    wrong = []
    for code in range(0x110000):
        char = chr(code)
        expected = (unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") or 0xFDD0 <= code <= 0xFDEF
                    or code & 0xFFFE == 0xFFFE or char in EXTRA_INVISIBLE)
        if expected != bool(HIDDEN.fullmatch(char)):
            wrong.append(f"U+{code:04X}")
    assert not wrong, f"escape.HIDDEN disagrees with Unicode {unicodedata.unidata_version} on {wrong[:20]}"


@pytest.mark.parametrize("text, shown", [
    (SCREEN_CLEAR, "\\x1b[2J\\x1b[H\\x1b[32mall good"),
    ("a\nb\rc\td", "a\\nb\\rc\\td"),
    ("\x7f\x85\x9b", "\\x7f\\x85\\x9b"),
    ("\u202eevil\u2066\u2069", "\\u202eevil\\u2066\\u2069"),
    ("zero\u200bwidth\ufeff\u2028\u2029", "zero\\u200bwidth\\ufeff\\u2028\\u2029"),
    ("tag\U000e0041", "tag\\U000e0041"),
    ("plain é ≤ 𝕏 text", "plain é ≤ 𝕏 text"),
])
def test_visible(text, shown):
    assert visible(text) == shown
    assert not HIDDEN.search(visible(text))


def test_describe_names_the_character():
    assert describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe("\x1b") == "U+001B ESCAPE"
    assert describe("\x7f") == "U+007F DELETE"
    assert describe("\x85") == "U+0085 C1 control character"
    assert describe("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert describe("\ufffe") == "U+FFFE noncharacter"


def test_workflow_escapes():
    assert workflow_data("100%\r\n: ,") == "100%25%0D%0A: ,"
    assert workflow_property("a,line=9::b%\n") == "a%2Cline=9%3A%3Ab%25%0A"


def test_json_escapes_keep_the_value():
    text = json.dumps(["\x1b\x85\u202e\u200b \U000e0041 é"], ensure_ascii=False)
    safe = json_ascii_safe(text)
    assert not HIDDEN.search(safe)
    assert json.loads(safe) == json.loads(text)
    assert "é" in safe


# The three formats on hostile problems ----------------------------------------

HOSTILE = [
    Problem("evidence/studies/x,line=999,col=1::y.yaml", 1, 1, "error", "id-mismatch", "x", "id", "a,b::c"),
    Problem("evidence/studies/a\n::error file=README.md,line=1::f.yaml", 2, 3, "error", "schema", "r\u202e", "k\x85ey", "m" + FORGED_COMMAND),
    Problem("evidence/studies/p%0A.yaml", 3, 4, "warning", "unverified", "s", "doi", SCREEN_CLEAR + FORGED_LINE),
]


def test_text_format_is_one_line_per_problem_with_nothing_hidden():
    report = Report(list(HOSTILE))
    lines = report.format("text").split("\n")
    assert len(lines) == len(HOSTILE) + 1
    assert lines[-1] == "2 error(s), 1 warning(s)"
    assert not any(HIDDEN.search(line) for line in lines)
    assert "\\x1b[2J\\x1b[H\\x1b[32mall good\\n0 error(s), 0 warning(s)" in lines[2]


def test_github_format_yields_exactly_the_annotations():
    report = Report(list(HOSTILE))
    output = report.format("github")
    commands, other = parse_workflow_commands(output)
    assert other == []
    assert commands == [annotation(p) for p in report.sorted()]
    assert not HIDDEN.search(output.replace("\n", ""))


def test_json_format_is_exact_and_holds_nothing_hidden():
    report = Report(list(HOSTILE))
    output = report.format("json")
    assert not HIDDEN.search(output.replace("\n", ""))
    assert json.loads(output) == [asdict(p) for p in report.sorted()]


# End to end: hostile records and file names through `poemskb validate` ---------

HOSTILE_NAMES = ["x,line=999,col=1::y.yaml", "a\n::error file=README.md,line=1::forged.yaml", "p%0A::warning file=z::w.yaml",
                 "bidi\u202eevil.yaml", "esc\x1b[2J.yaml"]


def hostile_tree(scratch: Path) -> Path:
    studies = scratch / "evidence" / "studies"
    for name in HOSTILE_NAMES:
        (studies / name).write_text(MINIMAL.replace("id: minimal-study", "id: copied-study"), encoding="utf-8")
    text = (MINIMAL
            .replace('pmid: {value: "12345678", status: verified, check: page}',
                     'pmid: {value: "12345678", status: unverified, reason: "\\e[2J\\e[H\\e[32mall good\\n0 error(s), 0 warning(s)"}')
            .replace("value: 10.1000/test.1", 'value: "10.1000/x\\n::error file=README.md,line=1::forged"')
            .replace("label: Rd", 'label: "R\\u202ed\\x85\\x7f\\u200b"'))
    (studies / "minimal-study.yaml").write_text(text, encoding="utf-8")
    return scratch


def run(capsys, tree: Path, style: str) -> str:
    capsys.readouterr()
    assert cli.main(["--root", str(tree), "validate", "--format", style]) == 1
    return capsys.readouterr().out


def test_validate_github_output_parses_to_the_problems(scratch, capsys):
    tree = hostile_tree(scratch)
    _, report = load(tree)
    ours = [p for p in report.sorted() if p.path.startswith("evidence/studies/") and "minimal" not in p.path]
    assert {p.path for p in ours} >= {f"evidence/studies/{n}" for n in HOSTILE_NAMES}
    assert any(p.code == "unverified" and "\x1b" in p.message for p in report.problems)
    output = run(capsys, tree, "github")
    commands, other = parse_workflow_commands(output)
    assert other == []
    assert commands == [annotation(p) for p in report.sorted()]
    assert not any(c["file"] == "README.md" or c["line"] == "999" for c in commands)
    assert not HIDDEN.search(output.replace("\n", ""))


def test_validate_text_output_shows_hostile_text_visibly(scratch, capsys):
    tree = hostile_tree(scratch)
    _, report = load(tree)
    output = run(capsys, tree, "text")
    lines = output.rstrip("\n").split("\n")
    assert len(lines) == len(report.sorted()) + 1
    assert lines[-1] == f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    assert not HIDDEN.search(output.replace("\n", ""))
    assert any("\\x1b[2J\\x1b[H\\x1b[32mall good\\n0 error(s), 0 warning(s)" in line for line in lines)


def test_validate_json_output_is_exact(scratch, capsys):
    tree = hostile_tree(scratch)
    _, report = load(tree)
    output = run(capsys, tree, "json")
    assert not HIDDEN.search(output.replace("\n", ""))
    assert json.loads(output) == [asdict(p) for p in report.sorted()]


def test_command_line_messages_show_file_names_visibly(scratch, capsys):
    """A file name from a pull request's list of changed files, quoted in an error."""
    outside = scratch.parent / "elsewhere" / "a\x1b]0;pwned\x07\u202e.yaml"
    assert cli.main(["--root", str(scratch), "validate", str(outside)]) == 2
    err = capsys.readouterr().err
    assert err.strip() and not HIDDEN.search(err.replace("\n", ""))
    assert "\\x1b]0;pwned\\x07\\u202e.yaml" in err


def test_mkdocs_serve_log_shows_record_text_visibly(scratch, caplog):
    """Where record text reaches the MkDocs log: `mkdocs serve`'s live-render hook logs
    the validator's report when a record has errors. (A build quotes no record text:
    pages hold it only inside raw HTML, whose links MkDocs does not check, and ids,
    the only record text in file names, are plain by the schema.)"""
    import importlib.util
    import logging
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("live_render_under_test", Path(__file__).resolve().parents[1] / "hooks" / "live_render.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    tree = hostile_tree(scratch)
    hook.on_startup("serve", dirty=False)
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.live_render"):
        hook.on_pre_build(SimpleNamespace(config_file_path=str(tree / "mkdocs.yml"), docs_dir=str(tree / "docs")))
    _, report = load(tree)
    logged = caplog.records[0].getMessage().split("\n")
    assert len(logged) == 1 + len(report.sorted()) + 1
    assert not any(HIDDEN.search(line) for line in logged)
    assert any("\\x1b[2J\\x1b[H\\x1b[32mall good\\n0 error(s), 0 warning(s)" in line for line in logged)
    assert not (tree / "docs").exists()


def test_has_hidden_agrees_with_the_class_on_ascii():
    """The ASCII shortcut (unprintable = hidden) is exact."""
    for code in range(128):
        assert has_hidden(f"a{chr(code)}b") == bool(HIDDEN.search(chr(code))), code
    assert has_hidden("é\u202e") and not has_hidden("é ≤ 𝕏") and has_hidden("é\U000e0041")
