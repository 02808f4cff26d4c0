"""Machine-readable exports for systematic reviewers: every outcome as a CSV row with its
locator and verification status, every study as a CSV row, and the whole knowledge base
as one JSON document. Output is sorted and byte-stable so a release can be cited and
diffed; files are only rewritten when their content changes.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator

from .describe import citation_text, locator, p_text, raw_value, short_label, timepoint, value_text
from .kb import KnowledgeBase, figure_regimens, resolve_population
from .stats import outcome_interval

OUTCOME_COLUMNS = [
    "study", "study_label", "design", "evidence_level", "arm", "arm_label", "regimen", "arm_n",
    "measure", "subgroup", "timepoint", "value_type", "value_as_reported", "n", "of", "percent",
    "estimate", "p", "grade", "status", "locator", "doi", "pmid", "note",
    # The comparison model (issue 11): what the figure is, who it covers, the regimen it
    # informs (empty when a whole cohort had mixed regimens) and its 95% interval.
    "role", "line", "transplant", "regimen_informed", "mixed_regimens",
    "ci_low", "ci_high", "ci_source", "ci_method", "ci_note",
]
STUDY_COLUMNS = [
    "study", "citation", "design", "evidence_level", "publication_type", "population_status", "n",
    "regimens", "doi", "doi_status", "pmid", "pmid_status", "pmcid", "registrations",
    "checked_against", "curated", "overlaps",
]


def outcome_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for sid, study in kb.studies.items():
        arms = {a["id"]: a for a in study.get("arms", [])}
        for outcome, resolved, regimen, _, mixed in figure_regimens(study):
            arm = arms.get(outcome.get("arm"), {})
            value = outcome["value"]
            yield {
                "study": sid, "study_label": short_label(study), "design": study["design"],
                "evidence_level": kb.level(study), "arm": outcome.get("arm", "all"),
                "arm_label": arm.get("label", "whole study population"), "regimen": arm.get("regimen", ""),
                "arm_n": arm.get("n", study["population"].get("n")), "measure": outcome["measure"],
                "subgroup": outcome.get("subgroup", ""), "timepoint": timepoint(outcome.get("timepoint")),
                "value_type": value["type"], "value_as_reported": value_text(value),
                "n": value.get("n", ""), "of": value.get("of", ""), "percent": value.get("percent", ""),
                "estimate": value.get("value", "") if value["type"] not in ("count", "percentage", "qualitative") else "",
                "p": p_text(outcome.get("p")), "grade": outcome.get("grade", ""),
                "status": outcome.get("status", "verified"), "locator": locator(outcome["locator"], {c["id"]: c for c in study["provenance"]["checks"]}),
                "doi": raw_value(study.get("doi")) or "", "pmid": raw_value(study.get("pmid")) or "",
                "note": outcome.get("note", ""), **_model_columns(study, outcome, resolved, regimen, mixed),
            }


def _model_columns(study: dict[str, Any], outcome: dict[str, Any], arm: dict | None, regimen: str | None,
                   mixed: bool) -> dict[str, Any]:
    interval, note = outcome_interval(outcome["value"])
    return {
        "role": outcome.get("role", "treatment"), "line": resolve_population(study, arm, outcome, "line"),
        "transplant": resolve_population(study, arm, outcome, "transplant"), "regimen_informed": regimen or "",
        "mixed_regimens": "yes" if mixed else "",
        "ci_low": f"{interval.low:.4g}" if interval else "", "ci_high": f"{interval.high:.4g}" if interval else "",
        "ci_source": interval.source if interval else "", "ci_method": (interval.method or "") if interval else "",
        "ci_note": note or "",
    }


def study_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for sid, study in kb.studies.items():
        checks = study["provenance"]["checks"]
        yield {
            "study": sid, "citation": citation_text(study), "design": study["design"],
            "evidence_level": kb.level(study), "publication_type": study["publication_type"],
            "population_status": study["population"]["status"], "n": study["population"].get("n") or "",
            "regimens": ";".join(sorted({a["regimen"] for a in study.get("arms", [])})),
            **{f"{key}{suffix}": (study.get(key) or {}).get(field) or ""
               for key in ("doi", "pmid") for suffix, field in (("", "value"), ("_status", "status"))},
            "pmcid": raw_value(study.get("pmcid")) or "",
            "registrations": ";".join(r["value"] for r in study.get("registrations", [])),
            "checked_against": ";".join(sorted({c["against"] for c in checks})),
            "curated": study["provenance"]["curated"],
            "overlaps": ";".join(f"{o}:{rel}" for o, rel, _ in kb.overlaps.get(sid, [])),
        }


def _csv(rows: Iterator[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def knowledge_base_json(kb: KnowledgeBase, version: str) -> str:
    """Every record as one JSON document, one record per line: a changed record changes
    one line of a diff, and each line comes from json's C encoder (an indented dump goes
    through the pure-Python encoder, about ten times slower and far larger in memory)."""
    def encode(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    lines = ["{", f' "newest_curation": {encode(kb.newest_curation)},']
    for kind, records in sorted(kb.by_kind.items()):
        entries = [f"  {encode(rid)}: {encode(records[rid])}" for rid in sorted(records)]
        lines += [f" {encode(kind)}: {{", ",\n".join(entries), " },"]
    lines += [f' "version": {encode(version)}', "}"]
    return "\n".join(line for line in lines if line) + "\n"


def write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def export_texts(kb: KnowledgeBase, version: str = "") -> Iterator[tuple[str, str]]:
    """The three export files as (name, text), made one at a time: at 10,000 studies
    each is tens of megabytes."""
    yield "outcomes.csv", _csv(outcome_rows(kb), OUTCOME_COLUMNS)
    yield "studies.csv", _csv(study_rows(kb), STUDY_COLUMNS)
    yield "knowledge-base.json", knowledge_base_json(kb, version)


def export_all(kb: KnowledgeBase, out: Path, version: str = "") -> list[Path]:
    """Write the three export files into `out`; return the paths that changed."""
    return [out / name for name, text in export_texts(kb, version) if write_if_changed(out / name, text)]
