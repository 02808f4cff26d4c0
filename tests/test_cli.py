"""The command line as a contributor and CI use it: exit codes, output formats, and
validating only some files while cross-record checks still see everything."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from poemskb.cli import main

MINIMAL = (Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", *args], capture_output=True, text=True, timeout=120)


def test_clean_knowledge_base_exits_zero(root):
    result = run("--root", str(root), "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("0 error(s)")


def test_errors_exit_one_with_located_lines(scratch):
    (scratch / "evidence" / "studies" / "minimal-study.yaml").write_text(MINIMAL.replace("regimen: rd", "regimen: nope"), encoding="utf-8")
    result = run("--root", str(scratch), "validate")
    assert result.returncode == 1
    assert "evidence/studies/minimal-study.yaml:23:5: error[unresolved-reference]: minimal-study: arms[0].regimen:" in result.stdout
    assert "Traceback" not in result.stderr


def test_usage_error_exits_two():
    assert main(["validate", "--format", "xml"]) == 2
    assert main(["no-such-command"]) == 2


def test_json_and_github_formats(scratch):
    (scratch / "evidence" / "studies" / "minimal-study.yaml").write_text(MINIMAL.replace("percent: 50.0}", "percent: 51.0}"), encoding="utf-8")
    items = json.loads(run("--root", str(scratch), "validate", "--format", "json").stdout)
    mine = [i for i in items if i["path"] == "evidence/studies/minimal-study.yaml"]
    assert mine == [{"path": "evidence/studies/minimal-study.yaml", "line": 30, "col": 41, "severity": "error",
                     "code": "percent-mismatch", "record": "minimal-study", "field": "outcomes[0].value.percent",
                     "message": "51.0% does not match 10/20 = 50.000%"}]
    github = run("--root", str(scratch), "validate", "--format", "github").stdout
    assert "::error file=evidence/studies/minimal-study.yaml,line=30,col=41::[percent-mismatch] minimal-study: outcomes[0].value.percent: 51.0%25 does not match 10/20 = 50.000%25" in github.splitlines()


def test_strict_fails_on_warnings(root):
    assert run("--root", str(root), "validate", "--strict").returncode == 1  # the base has unverified facts


def test_validating_one_file_still_checks_references(scratch):
    path = scratch / "evidence" / "studies" / "minimal-study.yaml"
    path.write_text(MINIMAL.replace("measure: haematologic-response", "measure: nope"), encoding="utf-8")
    result = run("--root", str(scratch), "validate", str(path))
    assert result.returncode == 1
    assert "no measure record 'nope'" in result.stdout
    # Problems in files that were not asked for are not reported.
    assert all(line.startswith("evidence/studies/minimal-study.yaml") for line in result.stdout.splitlines()[:-1])


def test_file_outside_root_is_a_usage_error(root, tmp_path):
    assert main(["--root", str(root), "validate", str(tmp_path / "x.yaml")]) == 2


def test_rules_lists_every_code():
    result = run("rules")
    assert result.returncode == 0
    for code in ("percent-mismatch", "unresolved-reference", "alias", "yaml11-bool", "schema"):
        assert code in result.stdout
