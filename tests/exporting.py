"""Helpers shared by the export tests: the exports of the real knowledge base (made once
per session) and a knowledge base with one hostile study added (in a scratch copy)."""
from __future__ import annotations

from pathlib import Path

import yaml

from poemskb.kb import load

MINIMAL = yaml.safe_load((Path(__file__).parent / "fixtures" / "minimal-study.yaml").read_text(encoding="utf-8"))


def with_study(scratch: Path, study: dict):
    """Load the scratch knowledge base after adding `study` (must validate)."""
    path = scratch / "evidence" / "studies" / f"{study['id']}.yaml"
    path.write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8")
    kb, report = load(scratch)
    assert not report.errors, report.format("text")
    return kb
