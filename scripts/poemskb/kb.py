"""The knowledge base as one object: load every record, check it, and index it for the
renderers and exporters. Validation, the site and the exports all come through here, so
they can never disagree about what a record says.
"""
from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import yaml

from .check import check_records
from .load import Record, load_records
from .problems import Report
from .schema import Schemas, load_schemas


@dataclass
class KnowledgeBase:
    root: Path
    schemas: Schemas
    records: list[Record]
    by_kind: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_kind = defaultdict(dict)
        for record in sorted(self.records, key=lambda r: (r.kind, r.id)):
            self.by_kind[record.kind][record.id] = record.data

    @property
    def studies(self) -> dict[str, dict[str, Any]]:
        return self.by_kind["study"]

    @property
    def regimens(self) -> dict[str, dict[str, Any]]:
        return self.by_kind["regimen"]

    @property
    def measures(self) -> dict[str, dict[str, Any]]:
        return self.by_kind["measure"]

    @property
    def findings(self) -> dict[str, dict[str, Any]]:
        return self.by_kind["finding"]

    @property
    def criteria(self) -> dict[str, dict[str, Any]]:
        return self.by_kind["criteria"]

    def record(self, kind: str, record_id: str) -> Record:
        return self._records_by_key[(kind, record_id)]

    @cached_property
    def _records_by_key(self) -> dict[tuple[str, str], Record]:
        # Looked up once per page: a scan of every record each time grew with N².
        return {(r.kind, r.id): r for r in self.records}

    # Indexes derived from the records; nothing here is stored twice on disk. ----------
    @cached_property
    def cited_by(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for sid, study in self.studies.items():
            for cite in study.get("cites", []):
                index[cite["study"]].append(sid)
        return index

    @cached_property
    def overlaps(self) -> dict[str, list[tuple[str, str, str]]]:
        """Study id -> (other study, relation seen from this study, basis), both directions."""
        inverse = {"subset-of": "superset-of", "superset-of": "subset-of"}
        index: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for sid, study in self.studies.items():
            for o in study.get("overlaps", []):
                index[sid].append((o["study"], o["relation"], o["basis"]))
                index[o["study"]].append((sid, inverse.get(o["relation"], o["relation"]), o["basis"]))
        return {k: sorted(set(v)) for k, v in index.items()}

    @cached_property
    def arms_by_regimen(self) -> dict[str, list[tuple[str, dict]]]:
        """Regimen id -> (study id, arm) for arms defined by that regimen."""
        index: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for sid, study in self.studies.items():
            for arm in study.get("arms", []):
                index[arm["regimen"]].append((sid, arm))
        return index

    @cached_property
    def steps_by_regimen(self) -> dict[str, list[tuple[str, dict, dict]]]:
        """Regimen id -> (study id, arm, step) where the regimen is a step of a longer arm."""
        index: dict[str, list[tuple[str, dict, dict]]] = defaultdict(list)
        for sid, study in self.studies.items():
            for arm in study.get("arms", []):
                for step in arm.get("steps", []):
                    if step["regimen"] != arm["regimen"]:
                        index[step["regimen"]].append((sid, arm, step))
        return index

    def level(self, study: dict[str, Any]) -> str:
        return self.schemas.evidence_levels[study["design"]]

    @cached_property
    def citation(self) -> dict[str, Any]:
        """CITATION.cff: the one place the release, its date and the citable title live
        (tests/test_release.py keeps the package version and CHANGELOG in step with it).
        A tree without one (a synthetic benchmark base) falls back to the package version."""
        path = self.root / "CITATION.cff"
        if not path.exists():
            from . import __version__
            return {"version": __version__}
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not a CITATION.cff mapping")
        return data

    @property
    def release(self) -> str:
        return str(self.citation["version"])

    @property
    def release_date(self) -> str:
        return str(self.citation.get("date-released", ""))

    @cached_property
    def newest_curation(self) -> str:
        dates = [r.data.get("provenance", {}).get("curated", "") for r in self.records]
        return max(dates, default="")


def resolve_population(study: dict, arm: dict | None, outcome: dict, key: str) -> str:
    """An outcome's line of therapy ('line') or transplant eligibility ('transplant'):
    the outcome's own population, else its arm's, else the study's (for 'line', the
    study's population.status). Unknown stays unknown."""
    for part in (outcome, arm or {}):
        value = part.get("population", {}).get(key)
        if value:
            return value
    population = study.get("population", {})
    return population.get("status" if key == "line" else key) or "unknown"


def figure_regimens(study: dict) -> Iterator[tuple[dict, dict | None, str | None, str | None, bool]]:
    """(outcome, arm, regimen, step_of, mixed) for each of a study's outcomes: the arm it
    belongs to (a one-arm study's whole population is that arm), the regimen the figure
    informs (an 'after' step, else the arm's), the arm's defining regimen when the figure
    follows a step, and whether it is a whole-cohort figure of arms given different
    regimens. A whole-cohort figure informs a regimen only when every arm received it;
    otherwise its regimen is None."""
    arms = {a["id"]: a for a in study.get("arms", [])}
    regimens = {a["regimen"] for a in arms.values()}
    only = next(iter(arms.values())) if len(arms) == 1 else None
    whole = next(iter(regimens)) if len(regimens) == 1 else None
    for outcome in study.get("outcomes", []):
        arm = arms.get(outcome["arm"]) if "arm" in outcome else only
        if arm is None:
            yield outcome, None, whole, None, len(regimens) > 1
        elif outcome.get("after") and outcome["after"] != arm["regimen"]:
            yield outcome, arm, outcome["after"], arm["regimen"], False
        else:
            yield outcome, arm, arm["regimen"], None, False


@contextmanager
def cyclic_gc_paused():
    """Loading makes millions of dicts, lists and strings and keeps them all; Python's
    cyclic collector would rescan that growing heap again and again (a third of the
    time at 10,000 studies). Records are trees with no reference cycles, so pausing the
    collector frees nothing it could have freed; reference counting still frees as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(root: Path, today: dt.date | None = None) -> tuple[KnowledgeBase, Report]:
    """Load and check everything under root/evidence; the report lists every problem.
    (Checking only changed records is changed.validate_changed.)"""
    with cyclic_gc_paused():
        return _load(root, today)


def _load(root: Path, today: dt.date | None) -> tuple[KnowledgeBase, Report]:
    schemas = load_schemas(root)
    records, problems = load_records(root / "evidence")
    report = Report(problems)
    report.extend(check_records(records, schemas, today=today))
    return KnowledgeBase(root, schemas, records), report
