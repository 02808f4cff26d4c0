"""A contributor's whole path, as the contributing guide tells it: start a record with
`poemskb new`, fill it from the source, `poemskb fmt`, `poemskb validate`, read
`poemskb diff`, and build the site strictly. Run on a git copy of the site sources in
which main lacks one real study (the ASH 2011 lenalidomide pilot), so the contributor
adds it again from what its source says."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from poemskb.load import parse_text

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["mkdocs.yml", "docs", "overrides", "hooks", "evidence", "CITATION.cff"]
RID = "blood-2011-ash-lenalidomide-pilot"
REL = f"evidence/studies/{RID}.yaml"


def poemskb(copy: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", "--root", str(copy), *args], capture_output=True, text=True,
                          cwd=copy, timeout=600)


def git(copy: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(copy), "-c", "user.name=t", "-c", "user.email=t@example.org", *args], check=True, capture_output=True)


@pytest.mark.slow
def test_scaffold_fill_fmt_validate_diff_build(tmp_path):
    copy = tmp_path / "kb"
    copy.mkdir()
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, copy / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(src, copy / name)
    facts = parse_text((copy / REL).read_text(encoding="utf-8"))  # what the source says, as curated
    (copy / REL).unlink()
    # main is the newest release as cut: its changelog's "Unreleased" is empty, so the
    # "What changed" page finds the released state in this history (history.py).
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    (copy / "CHANGELOG.md").write_text(re.sub(r"(?ms)^(## Unreleased\n).*?(?=^## )", r"\1\n", changelog, count=1), encoding="utf-8")
    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "-qm", "main without the pilot")
    git(copy, "checkout", "-q", "-b", "add-pilot")

    made = poemskb(copy, "new", "study", "--author", "blood", "--year", "2011", "--topic", "ash lenalidomide pilot")
    assert made.returncode == 0 and made.stdout.startswith(f"wrote {REL}"), made.stderr
    untouched = poemskb(copy, "validate", REL)
    assert untouched.returncode == 1 and "error[placeholder]" in untouched.stdout

    # Fill in: each placeholder replaced by what the source says; comments kept.
    yaml = YAML(typ="rt")
    data = yaml.load((copy / REL).read_text(encoding="utf-8"))
    for key in [k for k in data if k not in facts]:
        del data[key]
    data.update(facts)
    out = io.StringIO()
    yaml.dump(data, out)
    (copy / REL).write_text(out.getvalue(), encoding="utf-8")

    assert poemskb(copy, "fmt", REL).returncode == 0
    assert poemskb(copy, "fmt", "--check", REL).returncode == 0
    checked = poemskb(copy, "validate", REL)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.splitlines()[-1].startswith("0 error(s)")

    diff = poemskb(copy, "diff")
    assert diff.returncode == 0
    assert "Records: 1 added, 0 removed, 0 renamed, 0 changed." in diff.stdout
    assert f"- study `{RID}` (2 outcome(s))" in diff.stdout

    rendered = poemskb(copy, "render")
    assert rendered.returncode == 0, rendered.stderr
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(copy / "mkdocs.yml"),
                            "-d", str(copy / "site")], capture_output=True, text=True, env=env, cwd=copy, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    page = (copy / "site" / "generated" / "studies" / f"{RID}.html").read_text(encoding="utf-8")
    assert "poems-record-actions" in page and "all six patients" in page
    # The reader's "What changed" lists the study as added since the release, linked.
    changes = (copy / "site" / "generated" / "what-changed.html").read_text(encoding="utf-8")
    since = changes.split('id="since-')[1].split('id="release-')[0]
    assert f'href="studies/{RID}.html"' in since.split("Studies added (1)")[1]
