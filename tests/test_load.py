"""The guarded loader: every YAML surprise becomes a located error, and the one
loader serves validation, rendering and export alike."""
from __future__ import annotations

from pathlib import Path

import pytest

from poemskb import load as loader
from poemskb.load import LoadError, parse_text, read_text


@pytest.mark.parametrize("text, code, line, col, message", [
    ("a: 1\na: 2\n", "duplicate-key", 2, 1, "duplicate key 'a'"),
    ("a: &x 1\nb: *x\n", "alias", 1, 4, "anchors and aliases are not allowed; write the value out"),
    ("a: &x unused\n", "alias", 1, 4, "anchors and aliases are not allowed; write the value out"),
    ("a: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "tag", 1, 4, "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in records (only plain YAML values)"),
    ("a: !custom x\n", "tag", 1, 4, "the tag '!custom' is not allowed in records (only plain YAML values)"),
    ("a: !!binary aGk=\n", "tag", 1, 4, "the tag !!binary is not allowed in records"),
    ("countries: [NO]\n", "yaml11-bool", 1, 13, "'NO' would be read as a YAML 1.1 boolean; write true or false, or quote it ('NO') if it is text"),
    ("flag: on\n", "yaml11-bool", 1, 7, "'on' would be read as a YAML 1.1 boolean; write true or false, or quote it ('on') if it is text"),
    ("start: 2022-05-17\n", "unquoted-date", 1, 8, "'2022-05-17' would be read as a date object; quote it (\"2022-05-17\")"),
    ("n: 017\n", "yaml11-number", 1, 4, "'017' would be read as a YAML 1.1 number; write a plain decimal number, or quote it if it is text"),
    ("t: 1:30\n", "yaml11-number", 1, 4, "'1:30' would be read as a YAML 1.1 number; write a plain decimal number, or quote it if it is text"),
    ("x: .nan\n", "yaml11-number", 1, 4, "'.nan' is not a plain decimal number (no .inf, .nan, sexagesimal or underscores); quote it if it is text"),
    ("<<: {a: 1}\n", "merge-key", 1, 1, "merge keys ('<<') are not allowed; write the fields out"),
    ("1: x\n", "key-type", 1, 1, "keys must be text; '1' is read as int (quote it)"),
    ("a: 1\n---\nb: 2\n", "multi-document", 3, 1, "a record file holds exactly one YAML document; remove the '---' and what follows"),
    ("# only a comment\n", "empty", 1, 1, "the file holds no YAML document"),
    ("a: [1, 2\n", "yaml-syntax", 2, 1, "while parsing a flow sequence did not find expected ',' or ']'"),
])
def test_guard(text, code, line, col, message):
    with pytest.raises(LoadError) as caught:
        parse_text(text)
    assert (caught.value.code, caught.value.line, caught.value.col, caught.value.message) == (code, line, col, message)


def test_python_tag_runs_nothing(tmp_path):
    target = tmp_path / "pwned"
    with pytest.raises(LoadError):
        parse_text(f"a: !!python/object/apply:os.system ['touch {target}']\n")
    assert not target.exists()


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    with pytest.raises(LoadError) as caught:
        parse_text("\n".join(lines) + "\n")
    assert caught.value.code == "alias"


def test_ampersand_in_text_is_not_an_anchor():
    assert parse_text("title: Smith & Jones *et al.*\nb: 'R&D'\n") == {"title": "Smith & Jones *et al.*", "b": "R&D"}


def test_quoted_values_keep_their_text():
    assert parse_text('country: "NO"\nstart: "2022-05-17"\nn: 12\nx: 1.5\nok: true\n') == {
        "country": "NO", "start": "2022-05-17", "n": 12, "x": 1.5, "ok": True}


@pytest.mark.parametrize("raw, code, line, col, message", [
    (b"\xef\xbb\xbfa: 1\n", "bom", 1, 1, "the file starts with a byte-order mark; save it as UTF-8 without BOM"),
    (b"a: 1\nb: caf\xe9\n", "encoding", 2, 7, "not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
    (b"a:\n\tb: 1\n", "tab", 2, 1, "tab character; indent and separate with spaces"),
    (b"a: 1\r\n", "line-ending", 1, 5, "carriage return; use LF line endings"),
    (b"", "empty", 1, 1, "the file is empty"),
])
def test_file_guards(tmp_path, raw, code, line, col, message):
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    with pytest.raises(LoadError) as caught:
        read_text(path)
    assert (caught.value.code, caught.value.line, caught.value.col, caught.value.message) == (code, line, col, message)


def test_oversized_file_is_refused_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(loader.MAX_BYTES + 1)  # sparse: no need to write the bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("an oversized file must not be read"))
    with pytest.raises(LoadError) as caught:
        read_text(path)
    assert caught.value.code == "too-large"
    assert caught.value.message == f"file is {loader.MAX_BYTES + 1} bytes; records are capped at {loader.MAX_BYTES} bytes"


def test_stray_files_are_reported(scratch):
    (scratch / "evidence" / "studies" / "notes.txt").write_text("x", encoding="utf-8")
    (scratch / "evidence" / "study.yaml").write_text("id: x\n", encoding="utf-8")
    _, problems = loader.discover(scratch / "evidence")
    messages = sorted(p.text() for p in problems)
    assert messages == [
        "evidence/studies/notes.txt:1:1: error[stray-file]: -: -: evidence/studies/notes.txt is not a record file: records live in evidence/<studies|regimens|measures|findings|criteria>/<id>.yaml",
        "evidence/study.yaml:1:1: error[stray-file]: -: -: evidence/study.yaml is not a record file: records live in evidence/<studies|regimens|measures|findings|criteria>/<id>.yaml",
    ]


def test_locate_points_at_the_field(kb):
    record = kb.record("study", "gao-2021-skin-low-dose-rd")
    line, col = record.locate(("outcomes", 0, "value", "n"))
    text_line = record.text.splitlines()[line - 1]
    assert text_line[col - 1:].startswith("n: 26")
