"""`poemskb new`: a record started from the schema. Untouched, it fails validation naming
every field still to fill; filled with what a source says, it validates."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from poemskb.kb import load
from poemskb.load import parse_text
from poemskb.scaffold import scaffold, suggest_id
from poemskb.schema import load_schemas

ROOT = Path(__file__).resolve().parents[1]
# One real record of each kind, whose facts fill the scaffold in the round trip below.
REAL = {"study": "blood-2011-ash-lenalidomide-pilot", "regimen": "asct-hdm", "measure": "vegf-reduction",
        "finding": "cochrane-2012-no-controlled-trials", "criteria": "dispenzieri-2012-table-1"}
FOLDER = {"study": "studies", "regimen": "regimens", "measure": "measures", "finding": "findings", "criteria": "criteria"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poemskb", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def problems(root: Path, rel: str) -> list:
    _, report = load(root)
    return [p for p in report.sorted() if p.path == rel and p.severity == "error"]


def test_untouched_study_scaffold_fails_naming_each_field_to_fill(scratch):
    result = run("--root", str(scratch), "new", "study", "nozza-2099-lenalidomide", cwd=scratch)
    assert result.returncode == 0, result.stderr
    rel = "evidence/studies/nozza-2099-lenalidomide.yaml"
    text = (scratch / rel).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/study.schema.json\n")
    assert "\n# pmcid (optional): PubMed Central identifier, 'PMC' followed by digits.\n" in text
    assert "title:\n  value: null\n  status: unknown\n  reason: \"TO FILL: Title exactly as published." in text
    found = problems(scratch, rel)
    assert {p.code for p in found} == {"placeholder"}  # nothing but what is left to fill
    assert [p.field for p in found] == [
        "title", "authors", "journal", "year", "doi", "pmid", "publication_type", "design", "summary",
        "population.status", "population.n", "arms[0].id", "arms[0].label", "arms[0].regimen", "arms[0].n",
        "arms[0].locator.in", "outcomes[0].id", "outcomes[0].measure", "outcomes[0].value.type", "outcomes[0].locator.in",
        "provenance.checks[0].id", "provenance.checks[0].against",
        "provenance.checks[0].where", "provenance.checks[0].date"]
    design = next(p for p in found if p.field == "design")
    assert design.message.startswith("still to fill: Study design.") and "one of: randomised-controlled-trial, " in design.message


@pytest.mark.parametrize("kind", sorted(REAL))
def test_untouched_scaffold_of_every_kind_fails_on_each_required_field(scratch, kind):
    schemas = load_schemas(ROOT)
    rel = f"evidence/{FOLDER[kind]}/new-{kind}.yaml"
    (scratch / rel).write_text(scaffold(schemas, kind, f"new-{kind}"), encoding="utf-8")
    found = problems(scratch, rel)
    assert found and {p.code for p in found} == {"placeholder"}
    required = [k for k in schemas.documents[kind]["required"] if k not in ("id", "provenance")]
    named = {p.field.split(".")[0].split("[")[0] for p in found}
    assert set(required) <= named, set(required) - named


def fill(text: str, facts: dict) -> str:
    """What a contributor does: put the source's facts in place of each placeholder,
    keep the comments, drop the placeholders the source has no value for."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    data = yaml.load(text)
    for key in list(data):
        if key not in facts:
            del data[key]
    for key, value in facts.items():
        data[key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(REAL))
def test_scaffold_filled_with_a_real_records_facts_validates(scratch, kind):
    rid = REAL[kind]
    rel = f"evidence/{FOLDER[kind]}/{rid}.yaml"
    facts = parse_text((scratch / rel).read_text(encoding="utf-8"))
    (scratch / rel).unlink()
    assert run("--root", str(scratch), "new", kind, rid, cwd=scratch).returncode == 0
    path = scratch / rel
    path.write_text(fill(path.read_text(encoding="utf-8"), facts), encoding="utf-8")
    assert run("--root", str(scratch), "fmt", rel, cwd=scratch).returncode == 0
    assert problems(scratch, rel) == []
    assert parse_text(path.read_text(encoding="utf-8")) == facts


def test_new_refuses_to_overwrite(scratch):
    path = scratch / "evidence" / "regimens" / "rd.yaml"
    before = path.read_text(encoding="utf-8")
    result = run("--root", str(scratch), "new", "regimen", "rd", cwd=scratch)
    assert result.returncode == 1
    assert result.stderr.strip() == "poemskb new: evidence/regimens/rd.yaml already exists; edit it, or choose another id"
    assert path.read_text(encoding="utf-8") == before
    # One id, one record: a study cannot take a regimen's id either.
    assert run("--root", str(scratch), "new", "study", "rd", cwd=scratch).returncode == 1


def test_new_checks_the_id_and_suggests_one(scratch):
    result = run("--root", str(scratch), "new", "study", "Nozza_2024 Lenalidomide", cwd=scratch)
    assert result.returncode == 1
    assert result.stderr.strip() == ("poemskb new: 'Nozza_2024 Lenalidomide' is not a valid id: use lower-case letters, "
                                     "digits and single hyphens; try 'nozza-2024-lenalidomide'")
    assert not list((scratch / "evidence" / "studies").glob("Nozza*"))


def test_id_made_from_author_year_and_topic(scratch):
    assert suggest_id("Nozza", "2024", "Lenalidomide + dexamethasone") == "nozza-2024-lenalidomide-dexamethasone"
    assert suggest_id("Kurt Müller", "2019", "ASCT") == "kurt-muller-2019-asct"
    result = run("--root", str(scratch), "new", "study", "--author", "Nozza", "--year", "2099", "--topic", "lenalidomide", cwd=scratch)
    assert result.returncode == 0
    assert result.stdout.startswith("wrote evidence/studies/nozza-2099-lenalidomide.yaml: replace every 'TO FILL'")
    assert run("--root", str(scratch), "new", "study", cwd=scratch).returncode == 2
