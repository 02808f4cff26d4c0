"""One release, stated in step: CITATION.cff (what readers cite; the site shows it),
.zenodo.json (what a DOI service reads), the package version and the newest CHANGELOG
heading agree; cffconvert accepts CITATION.cff and makes a usable BibTeX entry."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from poemskb import __version__

CFF_VENV = "cffconvert (CITATION.cff checks) is missing: run `make test`, which installs .venv-cff from requirements-cff.txt"


def test_release_is_stated_consistently(root, kb):
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert newest, "CHANGELOG.md needs a '## X.Y.Z — YYYY-MM-DD' release heading"
    fix = "bump all together with `poemskb release`: CITATION.cff, .zenodo.json, scripts/poemskb/__init__.py, CHANGELOG.md"
    assert citation["version"] == __version__ == newest.group(1), fix
    assert str(citation["date-released"]) == newest.group(2), fix
    assert kb.release == __version__


def test_zenodo_and_citation_agree(root):
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((root / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["title"] == cff["title"]
    assert zenodo["version"] == str(cff["version"])
    assert zenodo["publication_date"] == str(cff["date-released"])
    assert zenodo["license"].lower() == cff["license"].lower() == "cc-by-4.0"
    # The repository's public address is not known yet: both leave it out, or both give the same.
    assert cff.get("repository-code") == next((r["identifier"] for r in zenodo.get("related_identifiers", [])
                                               if r.get("relation") == "isSupplementTo"), None)
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]


def _cff_python(root):
    python = root / ".venv-cff" / "bin" / "python"
    if not python.exists():
        pytest.fail(CFF_VENV, pytrace=False)
    return python


def test_cffconvert_validates_citation_cff(root):
    cffconvert = root / ".venv-cff" / "bin" / "cffconvert"
    _cff_python(root)
    result = subprocess.run([str(cffconvert), "--validate", "-i", str(root / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0 and "valid" in result.stdout, result.stdout + result.stderr


def test_cffconvert_bibtex_is_a_usable_entry(root):
    """Through cffconvert's own API with a real key (its command line always writes the
    placeholder key 'YourReferenceHere'); bibtexparser reads the entry back."""
    import bibtexparser

    code = ("import sys; from cffconvert.cli.create_citation import create_citation\n"
            "c = create_citation(sys.argv[1], None)\n"
            "print(c.as_bibtex(reference='poemskb-' + str(c.cffobj['version'])))")
    result = subprocess.run([str(_cff_python(root)), "-c", code, str(root / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    [entry] = bibtexparser.parse_string(result.stdout).entries
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert entry.key == f"poemskb-{cff['version']}" != "YourReferenceHere"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["title"] == cff["title"] and fields["year"] == str(cff["date-released"])[:4]
    assert fields["author"] == cff["authors"][0]["name"]


def test_licence_is_stated_in_licence_and_readme(root):
    for name in ("LICENSE", "README.md"):
        text = (root / name).read_text(encoding="utf-8")
        assert "CC BY 4.0" in text and "MIT" in text, name
