"""`poemskb fmt`: one canonical key order (the schemas' property order) and style, with
comments kept, values never changed, and the same output when run twice."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from poemskb.fmt import canonical, format_files
from poemskb.load import discover, parse_text, read_text
from poemskb.schema import load_schemas

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = (Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8")
RECORDS = discover(ROOT / "evidence")[0]


@pytest.fixture(scope="module")
def schemas():
    return load_schemas(ROOT)


@pytest.mark.parametrize("kind,path", RECORDS, ids=[p.name for _, p in RECORDS])
def test_formatting_keeps_every_value_passes_the_loader_and_is_idempotent(schemas, kind, path):
    text = read_text(path)
    once = canonical(text, kind, schemas)
    # parse_text is the guarded loader: the output has no tabs, anchors, unquoted dates...
    assert parse_text(once) == parse_text(text)
    assert canonical(once, kind, schemas) == once


def test_every_record_in_main_is_canonical(schemas):
    changed = [o.rel for o in format_files(ROOT, [p for _, p in RECORDS], schemas, write=False) if o.changed or o.error]
    assert not changed, f"not in canonical form: {changed}; fix with: poemskb fmt {' '.join(changed)}"


def shuffled() -> str:
    """The minimal study with its top-level keys out of order and a comment on one."""
    body = MINIMAL.split("\n", 1)[1]
    provenance = body[body.index("provenance:"):]
    rest = body[: body.index("provenance:")]
    return ("# yaml-language-server: $schema=../schema/study.schema.json\n" + provenance
            + "# the design as the abstract states it\n" + rest.replace("id: minimal-study\n", "") + "id: minimal-study\n")


def test_keys_follow_the_schema_order_and_comments_stay(schemas):
    out = canonical(shuffled(), "study", schemas)
    keys = [line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()]
    order = list(schemas.documents["study"]["properties"])
    assert keys == sorted(keys, key=order.index)
    assert keys[0] == "id" and keys[-1] == "provenance"
    assert "# the design as the abstract states it" in out
    assert out.startswith("# yaml-language-server: $schema=../schema/study.schema.json\n")
    assert parse_text(out) == parse_text(MINIMAL)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_check_names_each_file_and_the_command_that_fixes_it(scratch):
    path = scratch / "evidence" / "studies" / "minimal-study.yaml"
    path.write_text(shuffled(), encoding="utf-8")
    result = run("--root", str(scratch), "fmt", "--check", cwd=scratch)
    assert result.returncode == 1
    assert ("evidence/studies/minimal-study.yaml: not in canonical form; "
            "fix it with: poemskb fmt evidence/studies/minimal-study.yaml") in result.stdout.splitlines()
    assert path.read_text(encoding="utf-8") == shuffled()  # --check changes nothing
    fixed = run("--root", str(scratch), "fmt", "evidence/studies/minimal-study.yaml", cwd=scratch)
    assert fixed.returncode == 0 and fixed.stdout.strip() == "formatted evidence/studies/minimal-study.yaml"
    assert "minimal-study" not in run("--root", str(scratch), "fmt", "--check", cwd=scratch).stdout
    assert run("--root", str(scratch), "fmt", cwd=scratch).returncode == 0  # every record
    assert run("--root", str(scratch), "fmt", "--check", cwd=scratch).returncode == 0


def test_a_file_that_does_not_load_is_reported_and_left_alone(scratch):
    path = scratch / "evidence" / "studies" / "minimal-study.yaml"
    broken = MINIMAL.replace("    label: Rd\n", "    label: Rd: lenalidomide\n")
    path.write_text(broken, encoding="utf-8")
    result = run("--root", str(scratch), "fmt", str(path), cwd=scratch)
    assert result.returncode == 1
    assert "22:14: text containing ': ' must be quoted" in result.stderr
    assert path.read_text(encoding="utf-8") == broken
