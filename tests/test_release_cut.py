"""`poemskb release` on a scratch copy: the suggested version follows the records diff
(new record minor, corrected figure patch, removed field major), the metadata and the
CHANGELOG move together, the state becomes 'the release', and re-cutting the archive
gives the same bytes."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml


from poemskb import release
from poemskb.cli import main
from poemskb.export import edition
from poemskb.kb import load

ROOT = Path(__file__).resolve().parents[1]
FILES = ["CITATION.cff", ".zenodo.json", "CHANGELOG.md", "LICENSE", "README.md"]


@pytest.fixture
def tree(scratch):
    for name in FILES:
        shutil.copy2(ROOT / name, scratch / name)
    return scratch


def _load(root):
    kb, report = load(root)
    assert not report.errors, report.format("text")
    return kb


def test_cut_release_updates_everything_and_recuts_identically(tree, tmp_path, capsys):
    assert main(["--root", str(tree), "release", "--date", "2026-12-01", "--out", str(tmp_path / "a")]) == 0
    cff = yaml.safe_load((tree / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((tree / ".zenodo.json").read_text(encoding="utf-8"))
    assert cff["version"] == zenodo["version"] == "0.2.0"  # first recorded state: minor
    assert str(cff["date-released"]) == zenodo["publication_date"] == "2026-12-01"
    changelog = (tree / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## Unreleased\n\n## 0.2.0 — 2026-12-01\n") < changelog.index("## 0.1.0")
    kb = _load(tree)
    ed = edition(kb)
    assert ed.is_release and ed.label == "0.2.0" and ed.date == "2026-12-01"
    first = (tmp_path / "a" / "poemskb-0.2.0.zip").read_bytes()
    # Re-cut later, elsewhere: the same bytes.
    assert main(["--root", str(tree), "release", "--archive-only", "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b" / "poemskb-0.2.0.zip").read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        sums = dict(line.split("  ")[::-1] for line in zf.read("poemskb-0.2.0/SHA256SUMS").decode().splitlines())
        for name in names:
            if not name.endswith("SHA256SUMS"):
                assert hashlib.sha256(zf.read(name)).hexdigest() == sums[name.split("/", 1)[1]], name
        assert "poemskb-0.2.0/exports/outcomes.csv" in names and "poemskb-0.2.0/evidence/studies/misawa-2016-jpost-thalidomide.yaml" in names
        assert {i.date_time for i in zf.infolist()} == {(2026, 12, 1, 0, 0, 0)}
        document = json.loads(zf.read("poemskb-0.2.0/exports/knowledge-base.json"))
        assert document["version"] == "0.2.0" and document["edition"]["records_sha256"] == ed.records_sha256
    # Nothing changed since: nothing to release.
    assert main(["--root", str(tree), "release", "--dry-run"]) == 2


def _cut(tree):
    kb = _load(tree)
    release.cut(kb, None, "2026-12-01")
    return _load(tree)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_corrected_figure_is_a_patch_and_not_the_release(tree):
    kb = _cut(tree)
    _edit(tree / "evidence/studies/misawa-2016-jpost-thalidomide.yaml", "value: {type: mean, value: 0.39", "value: {type: mean, value: 0.38")
    kb = _load(tree)
    ed = edition(kb)
    assert not ed.is_release and ed.label == "0.2.0 + changes since 2026-12-01"
    p = release.plan(kb)
    assert (p.bump, p.version, p.diff.changed) == ("patch", "0.2.1", ["study/misawa-2016-jpost-thalidomide"])
    with pytest.raises(release.ReleaseError, match="not release 0.2.0"):
        release.archive_bytes(kb)


def test_a_reformatted_record_is_still_the_release(tree):
    kb = _cut(tree)
    path = tree / "evidence/studies/misawa-2016-jpost-thalidomide.yaml"
    path.write_text(yaml.safe_dump(yaml.safe_load(path.read_text(encoding="utf-8")), allow_unicode=True, width=60), encoding="utf-8")
    assert edition(_load(tree)).is_release


def test_a_new_record_is_minor_and_a_removed_field_major(tree):
    _cut(tree)
    shutil.copy(ROOT / "tests/fixtures/minimal-study.yaml", tree / "evidence/studies/minimal-study.yaml")
    p = release.plan(_load(tree))
    assert (p.bump, p.version, p.diff.added) == ("minor", "0.3.0", ["study/minimal-study"])
    # A schema field removed (what readers may depend on): major. Records using it would
    # fail validation, so the diff is taken on the schema's shape directly.
    kb = _load(tree)
    shape = release.schema_shape(kb)
    assert "field study/follow_up" in shape
    d = release.diff(release.read_state(tree), release.record_hashes(kb), [s for s in shape if "follow_up" not in s])
    assert release.suggest_bump(d) == "major" and "field study/follow_up" in d.schema_removed
    assert release.bumped("0.3.0", "major") == "1.0.0"


def test_a_version_that_does_not_move_forward_is_refused(tree, capsys):
    assert main(["--root", str(tree), "release", "--version", "0.1.0", "--dry-run"]) == 2
    assert "not after the current release 0.1.0" in capsys.readouterr().err
