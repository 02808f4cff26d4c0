"""Property-based tests (hypothesis): generate valid knowledge bases, mutate their
records structurally and textually, and check that the validator never crashes, that
every problem it reports is located inside a real file with a known code, that valid
records stay valid however they are written, and that whatever validates also renders.

Examples are derandomised so CI sees the same ones every run; set
POEMSKB_HYPOTHESIS_EXAMPLES to explore more (e.g. 2000) locally.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from poemskb.check import CROSS_RULES, LOAD_CODES, RULES, check_records, walk
from poemskb.kb import KnowledgeBase, load
from poemskb.load import load_file, load_records
from poemskb.schema import load_schemas
from poemskb.synth import write_kb

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 22)
CODES = set(LOAD_CODES) | set(RULES) | set(CROSS_RULES)
EXAMPLES = int(os.environ.get("POEMSKB_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Base:
    """A valid synthetic knowledge base on disk, loaded once; one file is swapped per example."""

    def __init__(self, folder: Path):
        write_kb(folder, 14, source_root=ROOT, seed=1, site=False)
        self.root = folder
        self.schemas = load_schemas(folder)
        self.records, problems = load_records(folder / "evidence")
        assert not problems
        assert not [p for p in check_records(self.records, self.schemas, today=TODAY) if p.severity == "error"]
        self.texts = {r.rel: r.text for r in self.records}

    def check_with(self, target, text: bytes):
        """Problems of the whole base with `target`'s file replaced by `text`."""
        target.path.write_bytes(text)
        try:
            record, problem = load_file(target.kind, target.path, self.root)
            records = [r if r is not target else record for r in self.records]
            records = [r for r in records if r is not None]
            problems = ([problem] if problem else []) + check_records(records, self.schemas, today=TODAY)
        finally:
            target.path.write_text(self.texts[target.rel], encoding="utf-8")
            target._nodes = target._fields = None
        return problems


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    return Base(tmp_path_factory.mktemp("property-base"))


def assert_located(problems, files: dict[str, bytes]) -> None:
    for p in problems:
        assert p.code in CODES, p
        assert p.severity in ("error", "warning"), p
        assert p.path in files, p
        lines = files[p.path].split(b"\n")
        assert 1 <= p.line <= len(lines) + 1, p
        width = len(lines[p.line - 1]) if p.line <= len(lines) else 0
        assert 1 <= p.col <= width + 2, p  # columns count characters, lines bytes: bytes bound them
        assert p.text().startswith(f"{p.path}:{p.line}:{p.col}: {p.severity}[{p.code}]: ")


def dump(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=80).encode("utf-8")


# Values a stranger might write, YAML's surprises and markup included.
TRICKY_TEXT = st.sampled_from([
    "", " ", "NO", "yes", "off", "~", "null", "2020-01-01", "2021-02-30", "1:20", "0x1F", "010", ".inf", "1_000",
    "&anchor", "*alias", "!!python/object/apply:os.system", "%TAG", "- - -", "[", "{", "}", "#", "'", '"', "\\",
    "../../etc/passwd", "studies/x", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "[x](javascript:alert(1))", "{{ page }}", "{% raw %}", "\u202e\u2066", "\ufeff", "\x00", "\x1b[31m", "\u2028",
    "𝕏" * 3, "é", "NCT123", "10.1000/x", "PMC0", "synth-study-00000", "synth-regimen-0000", "synth-measure-0000",
])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20) | TRICKY_TEXT
# Text that can validate: no hidden characters (refused by the forbidden-character rule;
# the next test's property is about those).
VISIBLE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=20) | TRICKY_TEXT
SCALARS = st.none() | st.booleans() | st.integers(-(10 ** 20), 10 ** 20) | st.floats(allow_nan=False, width=32) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


@st.composite
def structural_mutation(draw, base: Base):
    target = draw(st.sampled_from(base.records))
    data = copy.deepcopy(target.data)
    paths = [p for p, _ in walk(data) if p]
    path = draw(st.sampled_from(paths))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    action = draw(st.sampled_from(["delete", "replace", "add-key", "duplicate", "retarget"]))
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = draw(VALUES)
    elif action == "add-key" and isinstance(parent, dict):
        parent[draw(TEXT)] = draw(VALUES)
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif action == "retarget" and isinstance(parent[key], str):
        parent[key] = draw(st.sampled_from([r.id for r in base.records] + ["no-such-record"]))
    return target, data


@given(data=st.data())
@SETTINGS
def test_structural_mutations_never_crash_and_are_located(base, data):
    target, mutated = data.draw(structural_mutation(base))
    text = dump(mutated)
    problems = base.check_with(target, text)
    assert_located(problems, {**{k: v.encode("utf-8") for k, v in base.texts.items()}, target.rel: text})


ALPHABET = st.sampled_from(list(":-[]{},&*!%|>#'\"\\ \n\t\r?@`") + ["\x00", "\ufeff", "\u2028", "é", "𝕏", "- ", ": ", "\n  ", "---\n", "...\n"])


@st.composite
def text_mutation(draw, base: Base):
    target = draw(st.sampled_from(base.records))
    raw = bytearray(base.texts[target.rel].encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "invalid-byte", "duplicate-line"]))
        if action == "insert":
            raw[at:at] = draw(ALPHABET).encode("utf-8")
        elif action == "delete":
            del raw[at:at + draw(st.integers(1, 40))]
        elif action == "invalid-byte":
            raw[at:at] = bytes([draw(st.integers(0x80, 0xFF))])
        else:
            start = raw.rfind(b"\n", 0, at) + 1
            end = raw.find(b"\n", at)
            end = len(raw) if end < 0 else end + 1
            raw[end:end] = raw[start:end]
    return target, bytes(raw)


@given(data=st.data())
@SETTINGS
def test_text_mutations_never_crash_and_are_located(base, data):
    target, text = data.draw(text_mutation(base))
    problems = base.check_with(target, text)
    assert_located(problems, {**{k: v.encode("utf-8") for k, v in base.texts.items()}, target.rel: text})


@given(data=st.data())
@SETTINGS
def test_required_field_removed_is_reported_at_its_record(base, data):
    """An oracle: dropping a required top-level field is a schema error on that record."""
    target = data.draw(st.sampled_from(base.records))
    required = base.schemas.documents[target.kind]["required"]
    field = data.draw(st.sampled_from([f for f in required if f != "id"]))
    mutated = {k: v for k, v in target.data.items() if k != field}
    problems = base.check_with(target, dump(mutated))
    assert any(p.path == target.rel and p.code == "schema" and f'"{field}" is a required property' in p.message
               and (p.line, p.col) == (1, 1) for p in problems), problems


@given(data=st.data())
@SETTINGS
def test_dangling_reference_is_reported_where_it_stands(base, data):
    """An oracle: pointing any regimen/measure/study reference at a missing record is an
    unresolved-reference error at exactly that field's line and column."""
    candidates = [(r, p) for r in base.records for p, v in walk(r.data)
                  if p and p[-1] in ("regimen", "measure", "study") and isinstance(v, str) and len(p) > 1]
    target, path = data.draw(st.sampled_from(candidates))
    mutated = copy.deepcopy(target.data)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = "no-such-record"
    text = dump(mutated)
    problems = base.check_with(target, text)
    node = yaml.compose(text.decode("utf-8"), Loader=yaml.CSafeLoader)
    for part in path:
        key_node, node = next(((k, v) for k, v in node.value if k.value == part), (None, None)) if isinstance(part, str) else (node.value[part], node.value[part])
    where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    assert any(p.path == target.rel and p.code == "unresolved-reference" and p.field == dotted and (p.line, p.col) == where
               for p in problems), (where, dotted, [p.text() for p in problems if p.path == target.rel])


def _restyle(value, draw):
    """The same data written differently: keys reordered, flow or block, quoted or not."""
    if isinstance(value, dict):
        items = list(value.items())
        order = draw(st.permutations(range(len(items)))) if len(items) < 8 else range(len(items))
        return {items[i][0]: _restyle(items[i][1], draw) for i in order}
    if isinstance(value, list):
        return [_restyle(v, draw) for v in value]
    return value


@given(seed=st.integers(0, 10 ** 6), studies=st.integers(3, 8), data=st.data())
@settings(max_examples=max(10, EXAMPLES // 10), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_valid_stays_valid_and_renders(tmp_path_factory, seed, studies, data):
    """Any synthetic knowledge base validates without errors, still does when every
    record is rewritten with its keys reordered in another YAML style, and renders."""
    from poemskb.render import render_files

    folder = tmp_path_factory.mktemp("valid")
    write_kb(folder, studies, source_root=ROOT, seed=seed, site=False)
    kb, report = load(folder, today=TODAY)
    assert not report.errors, [p.text() for p in report.errors]
    style = data.draw(st.sampled_from([{"default_flow_style": True}, {"default_flow_style": False}, {"default_style": '"'}]))
    for record in kb.records:
        restyled = _restyle(record.data, data.draw)
        record.path.write_text(yaml.safe_dump(restyled, allow_unicode=True, sort_keys=False, width=60, **style), encoding="utf-8")
    kb2, report2 = load(folder, today=TODAY)
    assert not report2.errors, [p.text() for p in report2.errors]
    assert {(r.kind, r.id): r.data for r in kb2.records} == {(r.kind, r.id): r.data for r in kb.records}
    assert [(p.code, p.record, p.field, p.message) for p in report2.sorted()] == \
        [(p.code, p.record, p.field, p.message) for p in report.sorted()]
    files = render_files(kb2)
    assert any(path.startswith("studies/") for path in files)
    shutil.rmtree(folder)


@given(data=st.data())
@settings(SETTINGS, max_examples=max(10, EXAMPLES // 3),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
def test_text_that_validates_also_renders(base, data):
    """Replace any text field of a valid record with arbitrary (tricky) text: if the
    result still validates, the site renders it without an exception."""
    from poemskb.render import render_files

    target = data.draw(st.sampled_from([r for r in base.records if r.kind in ("study", "regimen")]))
    paths = [p for p, v in walk(target.data) if isinstance(v, str) and p and p[-1] not in ("id",)]
    path = data.draw(st.sampled_from(paths))
    mutated = copy.deepcopy(target.data)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = data.draw(VISIBLE_TEXT)
    text = dump(mutated)
    problems = base.check_with(target, text)
    assume(not [p for p in problems if p.severity == "error"])
    target.path.write_bytes(text)
    try:
        record, problem = load_file(target.kind, target.path, base.root)
        records = [record if r is target else r for r in base.records]
        render_files(KnowledgeBase(base.root, base.schemas, records))
    finally:
        target.path.write_text(base.texts[target.rel], encoding="utf-8")


# Hostile text in every text field: no output format carries it raw ----------------

class _Quoted(yaml.SafeDumper):
    """Every string double-quoted, so YAML escapes ("\\e", "\\x85", "\\u202e") carry the
    characters an attacker would deliver that way, past the loader's scan of the text."""


_Quoted.add_representer(str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))
HOSTILE_PIECES = st.sampled_from([
    "\x1b[2J\x1b[H\x1b[32mall good", "\x1b]0;pwned\x07", "\x1b]8;;http://x\x1b\\", "\x9b31m", "\x00", "\x08\x08\x08", "\x7f",
    "\x85", "\r", "\n", "\n0 error(s), 0 warning(s)", "\n::error file=README.md,line=1::forged", "::warning::x",
    "%0A", "%25", ",line=999,col=1::", "\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u00ad",
    "\u2028", "\u2029", "\U000e0041", "\ufffe", "##[error]x", "é", "𝕏", " ", "plain",
])
HOSTILE_TEXT = st.lists(HOSTILE_PIECES | st.text(st.characters(blacklist_categories=("Cs",)), max_size=4), min_size=1, max_size=6).map("".join)


@given(data=st.data())
@SETTINGS
def test_hostile_text_in_any_field_reaches_no_output_raw(base, data):
    """Any text field (or key) of any record set to hostile text: the forbidden-character
    rule names it at that field, and the text, github and json outputs carry no hidden
    character raw (github parsed as GitHub's runner parses it)."""
    import json
    from dataclasses import asdict

    from poemskb.check import MULTILINE_FIELDS, _field_name
    from poemskb.escape import HIDDEN
    from poemskb.load import dotted
    from poemskb.problems import Report
    from workflow_commands import annotation, parse_workflow_commands

    target = data.draw(st.sampled_from(base.records))
    paths = [p for p, v in walk(target.data) if p and isinstance(v, str)]
    path = data.draw(st.sampled_from(paths))
    hostile = data.draw(HOSTILE_TEXT)
    mutated = copy.deepcopy(target.data)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    as_key = isinstance(path[-1], str) and data.draw(st.booleans())
    if as_key:
        parent[hostile] = parent.pop(path[-1])
        path = path[:-1] + (hostile,)
    else:
        parent[path[-1]] = hostile
    text = yaml.dump(mutated, Dumper=_Quoted, allow_unicode=True, sort_keys=False, width=10 ** 6).encode("utf-8")
    problems = base.check_with(target, text)
    assert not [p for p in problems if p.path == target.rel and p.code not in CODES]
    allowed_break = not as_key and _field_name(path) in MULTILINE_FIELDS
    if any(c != "\n" or not allowed_break for c in HIDDEN.findall(hostile)):
        assert any(p.path == target.rel and p.code == "forbidden-character" and p.field == dotted(path) for p in problems), \
            [p.text() for p in problems if p.path == target.rel]
    report = Report(problems)
    lines = report.format("text").split("\n")
    assert len(lines) == len(report.sorted()) + 1 and not any(HIDDEN.search(line) for line in lines)
    github = report.format("github")
    commands, other = parse_workflow_commands(github)
    assert other == [] and commands == [annotation(p) for p in report.sorted()]
    assert not HIDDEN.search(github.replace("\n", ""))
    out = report.format("json")
    assert not HIDDEN.search(out.replace("\n", "")) and json.loads(out) == [asdict(p) for p in report.sorted()]
