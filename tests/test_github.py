"""The files GitHub reads: workflows, issue forms and pre-commit hooks parse, and every
command they run exists here and answers --help (the files are parsed, not grepped).
`pre-commit run --all-files` passes on a copy of the knowledge base, quietly."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
FORMS = sorted(p for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def commands(script: str) -> list[list[str]]:
    """Each simple command of a `run:` script, as words (first word: the program)."""
    found = []
    for line in script.splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            words = [w for w in shlex.split(part, comments=True) if not re.fullmatch(r"[A-Z_]+=.*", w)]
            if words:
                found.append(words)
    return found


def answers_help(words: list[str]) -> None:
    """The program exists and its --help works; for poemskb and make, the subcommand or
    target named exists too."""
    program = ROOT / words[0] if words[0].startswith(".venv/") else shutil.which(words[0])
    assert program and Path(program).exists(), f"{words[0]}: not found"
    if words[0] == "make":
        result = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"make {' '.join(words[1:])}: {result.stderr}"
        return
    args = [str(program), "--help"]
    if words[0].endswith("/poemskb"):
        rest = words[1:]
        while rest and rest[0].startswith("--"):  # global options such as --root .
            rest = rest[2:] if rest[0] == "--root" else rest[1:]
        args = [str(program), *rest[:1], "--help"]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}: {result.stderr}"


def run_commands() -> list[tuple[str, list[str]]]:
    found = []
    for path in WORKFLOWS:
        for _, _, step in steps(load(path)):
            if "run" in step:
                found += [(path.name, words) for words in commands(step["run"])]
    for hook in load(ROOT / ".pre-commit-config.yaml")["repos"][0]["hooks"]:
        found.append((".pre-commit-config.yaml", shlex.split(hook["entry"])))
    return found


def test_there_are_workflows_for_pull_requests_and_main():
    names = {p.name: triggers(load(p)) for p in WORKFLOWS}
    assert "pull_request" in names["pull-request.yml"]
    assert names["deploy.yml"]["push"]["branches"] == ["main"]
    assert names["evidence-diff-comment.yml"]["workflow_run"]["workflows"] == [load(ROOT / ".github/workflows/pull-request.yml")["name"]]


@pytest.mark.parametrize("where,words", run_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_every_command_run_exists_and_answers_help(where, words):
    answers_help(words)


def test_the_pull_request_checks_run_what_the_issue_asks():
    runs = [" ".join(w) for _, w in run_commands()]
    for needed in (".venv/bin/poemskb validate --format github", ".venv/bin/poemskb fmt --check", "make test", "make build"):
        assert needed in runs, needed
    assert any(r.startswith(".venv/bin/poemskb diff") for r in runs)


def test_actions_are_pinned_by_commit_and_permissions_are_least():
    for path in WORKFLOWS:
        workflow = load(path)
        assert "permissions" in workflow, f"{path.name}: no top-level permissions"
        top = workflow["permissions"]
        assert top == {} or set(top.values()) == {"read"}, f"{path.name}: write rights at the top level"
        for _, _, step in steps(workflow):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"{path.name}: {step['uses']} not pinned"
    pr = load(ROOT / ".github/workflows/pull-request.yml")
    assert all("permissions" not in job for job in pr["jobs"].values())  # fork code runs read-only
    comment = load(ROOT / ".github/workflows/evidence-diff-comment.yml")
    uses = [step.get("uses", "") for _, _, step in steps(comment)]
    assert not any(u.startswith("actions/checkout@") for u in uses)  # never checks out the fork's code
    assert not any("run" in step for _, _, step in steps(comment))  # and runs none of it
    assert comment["jobs"]["comment"]["permissions"] == {"actions": "read", "pull-requests": "write"}


def test_issue_forms_parse_and_the_error_form_takes_a_record_id():
    assert {p.name for p in FORMS} == {"suggest-study.yml", "report-error.yml"}
    for path in FORMS:
        form = load(path)
        assert form["name"] and form["description"] and form["body"], path.name
        ids = [item["id"] for item in form["body"] if item["type"] != "markdown"]
        assert len(ids) == len(set(ids)), path.name
        for item in form["body"]:
            assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
            assert item["type"] == "markdown" or item["attributes"]["label"]
    error = load(ROOT / ".github/ISSUE_TEMPLATE/report-error.yml")
    # The "suggest a correction" links fill this field in with ?record=<id>.
    assert "record" in [item.get("id") for item in error["body"]]
    study = load(ROOT / ".github/ISSUE_TEMPLATE/suggest-study.yml")
    assert {"identifier", "reports"} <= {item.get("id") for item in study["body"]}


def test_codeowners_names_no_person():
    owners = [line.split()[1:] for line in (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    assert owners and all(o and all(name.startswith("@OWNER/") for name in o) for o in owners)


def test_pre_commit_runs_quietly_and_serially_on_a_copy(tmp_path):
    """pre-commit with only local hooks: no network. A copy of the records in a fresh
    git repository, put in canonical form first (tests/test_fmt.py checks main is)."""
    copy = tmp_path / "kb"
    shutil.copytree(ROOT / "evidence", copy / "evidence")
    shutil.copy2(ROOT / ".pre-commit-config.yaml", copy / ".pre-commit-config.yaml")
    (copy / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run([str(ROOT / ".venv/bin/poemskb"), "--root", str(copy), "fmt"], check=True, capture_output=True)
    git = lambda *a: subprocess.run(["git", "-C", str(copy), "-c", "user.name=t", "-c", "user.email=t@example.org", *a],  # noqa: E731
                                    check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "copy")
    env = {"PATH": f"{ROOT / '.venv/bin'}:/usr/bin:/bin", "PRE_COMMIT_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    pre_commit = [str(ROOT / ".venv/bin/pre-commit"), "run", "--all-files", "--color", "never"]
    result = subprocess.run(pre_commit, cwd=copy, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.endswith("Passed") for line in lines), lines  # one line per hook
    # A broken record: the validator's report is printed once (serial), located.
    study = copy / "evidence/studies/blood-2011-ash-lenalidomide-pilot.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("regimen: rd\n", "regimen: asct\n"), encoding="utf-8")
    result = subprocess.run(pre_commit, cwd=copy, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if "error[unresolved-reference]" in line]
    assert len(errors) == 1 and "did you mean 'asct-hdm'?" in errors[0]
