"""The key figures of each curated source, written down independently of the records
(tests/key_figures/*.yaml), must be present in the records exactly. A curator who
mistypes a number in a record, or edits one without a source, fails this test."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FIGURES = sorted((Path(__file__).parent / "key_figures").glob("*.yaml"))


def _cases():
    for path in FIGURES:
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            yield pytest.param(case, id=f"{path.stem}[{i}]:{case['study']}:{case.get('outcome') or case.get('field')}")


def _field(data, dotted: str):
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_key_figure_files_exist():
    assert FIGURES, "tests/key_figures/ holds no figure lists"


@pytest.mark.parametrize("case", list(_cases()))
def test_key_figure(kb, case):
    study = kb.studies.get(case["study"])
    assert study is not None, f"no study record {case['study']}"
    if "outcome" in case:
        outcome = next((o for o in study.get("outcomes", []) if o["id"] == case["outcome"]), None)
        assert outcome is not None, f"{case['study']} has no outcome {case['outcome']}"
        for key, expected in case["expect"].items():
            assert outcome["value"].get(key) == expected, f"{case['study']}/{case['outcome']}: value.{key} is {outcome['value'].get(key)!r}, source says {expected!r}"
        if "locator" in case:
            assert outcome["locator"]["in"] == case["locator"]
    else:
        assert _field(study, case["field"]) == case["expect"]
