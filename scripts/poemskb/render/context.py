"""What the pages share: labels for records, the outcome rows (with the regimen, line of
therapy, transplant eligibility, role and interval each figure has), and patient counts
that respect declared overlaps. Derived from the KnowledgeBase on each render, never
stored; the numbers themselves come from stats.py.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from .. import stats
from ..export.edition import Edition, edition
from ..kb import KnowledgeBase, figure_regimens, resolve_population
from ..stats import PatientCount, PatientRange
from . import fmt, links

SAFETY_DOMAIN = "safety"
MIXED_REGIMENS = "Mixed regimens (whole cohort)"
TREATMENT, ASSOCIATION = "treatment", "association"


@dataclass
class OutcomeRow:
    """One reported outcome as the comparison table and regimen pages show it."""

    study: str
    outcome: dict[str, Any]
    arm: dict[str, Any] | None  # None: the whole population of a multi-arm study
    regimen: str | None  # the regimen the figure informs (the 'after' step, else the arm's); None when mixed
    step_of: str | None  # the arm's defining regimen when the figure follows one of its steps
    n: int | None
    mixed: bool = False  # a whole-cohort figure of a study whose arms had different regimens
    line: str = "unknown"  # newly-diagnosed | relapsed-refractory | mixed | unknown | not-applicable
    transplant: str = "unknown"  # eligible | ineligible | mixed | unknown
    interval: stats.Interval | None = None
    interval_note: str | None = None  # why there is no interval, when there is none

    @property
    def measure(self) -> str:
        return self.outcome["measure"]

    @property
    def unverified(self) -> bool:
        return self.outcome.get("status") == "unverified"

    @property
    def role(self) -> str:
        """'treatment' (a result of treatment) or 'association' (a prognostic factor's
        effect, a correlation, a comparison of subgroups defined by a patient feature)."""
        return self.outcome.get("role", TREATMENT)


class MapCell(PatientCount):
    """Studies and patients for one evidence-map cell, with the wording pages show."""

    def patients_text(self) -> str:
        """'25 patients', '1 patient', 'at least 25 patients' (some arm sizes missing), or
        'number of patients not given': never '0 patients' for sizes nobody printed."""
        if self.unknown_n and not self.patients:
            return "number of patients not given"
        noun = "patient" if self.patients == 1 else "patients"
        return f"{'at least ' if self.unknown_n else ''}{self.patients} {noun}"


class Site:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    # Site facts ----------------------------------------------------------------------
    @property
    def citation(self) -> dict[str, Any]:
        return self.kb.citation

    @property
    def release(self) -> str:
        """The version label: the release number only when the records are that release's
        (export/edition.py), else '0.1.0 + changes since <date>'."""
        return self.edition.label

    @cached_property
    def edition(self) -> Edition:
        return edition(self.kb)

    @cached_property
    def site_url(self) -> str | None:
        return links.site_url(self.kb.root)

    @property
    def release_date(self) -> str:
        return self.kb.release_date

    @cached_property
    def name(self) -> str:
        """The title to cite the knowledge base by."""
        if self.citation.get("title"):
            return str(self.citation["title"])
        from .links import mkdocs_config

        return str(mkdocs_config(self.kb.root).get("site_name") or "POEMS syndrome treatment evidence")

    @property
    def newest_curation(self) -> str:
        return self.kb.newest_curation

    # Labels --------------------------------------------------------------------------
    def study_title(self, sid: str) -> str:
        s = self.kb.studies[sid]
        title = s["title"].get("value")
        if title:
            return title
        # Never a made-up title: the study's curated label (unique, from verified facts),
        # saying the title is not known; without a label, a description from its fields.
        if s.get("label"):
            return f"{s['label']} · title not known"
        regimens = ", ".join(sorted({self.regimen_label(a["regimen"]) for a in s.get("arms", [])}))
        source = " ".join(str(x) for x in (s["journal"].get("value"), s["year"].get("value")) if x)
        return " · ".join(x for x in ("Title not known", self.design_label(s["design"]).lower(), regimens, source) if x)

    def study_label(self, sid: str) -> str:
        """A short name a reader recognises, unique across the knowledge base: the record's
        curated 'label', else one built only from verified facts ('Misawa 2016', 'Kuwabara
        2008 · Cochrane review', 'Blood · Rd · 9 patients'). Never the record id."""
        return self.study_labels[sid]

    @cached_property
    def study_labels(self) -> dict[str, str]:
        bases = {sid: s.get("label") or self._label_base(sid) for sid, s in self.kb.studies.items()}
        labels = dict(bases)
        for extra in (self._label_kind, self._label_topic, self._label_size):
            counts = defaultdict(int)
            for label in labels.values():
                counts[label] += 1
            labels = {sid: f"{label} · {extra(sid)}" if counts[label] > 1 and extra(sid)
                      and extra(sid).lower() not in label.lower() else label
                      for sid, label in labels.items()}
        return labels

    def _label_size(self, sid: str) -> str:
        n = self.kb.studies[sid].get("population", {}).get("n")
        return f"{n} patient{'s' if n != 1 else ''}" if isinstance(n, int) else ""

    def _label_base(self, sid: str) -> str:
        s = self.kb.studies[sid]
        def verified(key: str):
            fact = s.get(key) or {}
            return fact.get("value") if fact.get("status") == "verified" else None
        authors, year, journal = verified("authors"), verified("year"), verified("journal")
        who = authors[0].split(" ")[0] if authors else journal
        if who and year:
            return f"{who} {year}"
        return who or f"{self.design_label(s['design'])} (authors and journal not verified)"

    def _label_kind(self, sid: str) -> str:
        s = self.kb.studies[sid]
        kind = s["publication_type"]
        return {"conference-abstract": "meeting abstract", "cochrane-review": "Cochrane review",
                "review-article": "review", "letter": "letter",
                "case-report-article": "case report"}.get(kind, self.design_label(s["design"]).lower())

    def _label_topic(self, sid: str) -> str:
        arms = self.kb.studies[sid].get("arms", [])
        return ", ".join(sorted({self.regimen_label(a["regimen"]) for a in arms}))

    def regimen_label(self, rid: str | None) -> str:
        if rid is None:
            return MIXED_REGIMENS
        r = self.kb.regimens.get(rid)
        if not r:
            return rid
        return r.get("short_name") or r["name"]

    def design_label(self, design: str) -> str:
        return fmt.label(design)

    def level(self, sid: str) -> str:
        return self.kb.level(self.kb.studies[sid])

    def level_rank(self, sid: str) -> int:
        """Sort order by evidence level: 1 strongest, reviews after every primary study."""
        level = self.level(sid)
        return 99 if level == "review" else int(level)

    def level_label(self, sid: str) -> str:
        level = self.level(sid)
        return "Review" if level == "review" else f"Level {level}"

    @cached_property
    def primary_designs(self) -> list[str]:
        """Designs that report patients (not reviews), strongest first, as the schema lists them."""
        levels = self.kb.schemas.evidence_levels
        return [d for d in self.kb.schemas.designs if levels[d] != "review"]

    # Outcomes ------------------------------------------------------------------------
    @cached_property
    def outcome_rows(self) -> list[OutcomeRow]:
        rows = []
        for sid, study in self.kb.studies.items():
            for outcome, arm, regimen, step_of, mixed in figure_regimens(study):
                interval, note = stats.outcome_interval(outcome["value"])
                rows.append(OutcomeRow(sid, outcome, arm, regimen, step_of, outcome_n(outcome, arm, study), mixed=mixed,
                                       line=resolve_population(study, arm, outcome, "line"),
                                       transplant=resolve_population(study, arm, outcome, "transplant"),
                                       interval=interval, interval_note=note))
        return rows

    @cached_property
    def treatment_rows(self) -> list[OutcomeRow]:
        """Results of treatment: the only rows a regimen view or comparison lists."""
        return [r for r in self.outcome_rows if r.role == TREATMENT]

    @cached_property
    def association_rows(self) -> list[OutcomeRow]:
        """Prognostic factors, correlations, subgroup comparisons: study pages only."""
        return [r for r in self.outcome_rows if r.role != TREATMENT]

    def rows_for_regimen(self, rid: str) -> list[OutcomeRow]:
        return [r for r in self.treatment_rows if r.regimen == rid]

    def independent_patients(self, rows: Iterable[OutcomeRow]) -> PatientRange:
        """Independent patients behind rows (one regimen x measure x population): within a
        study, figures on one arm share its patients and different arms add up; across
        studies, declared overlaps merge cohorts or widen the count into a range."""
        return stats.independent_patients(self.patients_by_study(rows), self.kb.overlaps)

    def patients_by_study(self, rows: Iterable[OutcomeRow]) -> dict[str, int | None]:
        """Study id -> patients behind its rows (figures on one arm share its patients,
        different arms add up); None where no row says how many."""
        by_study: dict[str, list[tuple[str | None, int | None]]] = defaultdict(list)
        for row in rows:
            by_study[row.study].append((row.arm["id"] if row.arm and len(self.kb.studies[row.study].get("arms", [])) > 1 else None, row.n))
        return {sid: stats.study_patients(pairs) for sid, pairs in by_study.items()}

    def measure_domain(self, mid: str) -> str:
        m = self.kb.measures.get(mid)
        return m["domain"] if m else "other"

    def measure_name(self, mid: str) -> str:
        m = self.kb.measures.get(mid)
        return m["name"] if m else mid

    # Which studies use a regimen --------------------------------------------------------
    def studies_for_regimen(self, rid: str) -> dict[str, int | None]:
        """Study id -> patients given the regimen (defining arm or as a step); None if unknown."""
        patients: dict[str, int | None] = {}
        seen: set[tuple[str, str]] = set()
        uses = [(sid, arm) for sid, arm in self.kb.arms_by_regimen.get(rid, [])]
        uses += [(sid, arm) for sid, arm, _ in self.kb.steps_by_regimen.get(rid, [])]
        for sid, arm in uses:
            if (sid, arm["id"]) in seen:
                continue
            seen.add((sid, arm["id"]))
            n = arm.get("n")
            if sid not in patients:
                patients[sid] = n
            elif patients[sid] is not None:
                patients[sid] = None if n is None else patients[sid] + n
        return patients

    def evidence_cell(self, rid: str, design: str | None = None) -> MapCell:
        """Studies and patients for a regimen (optionally one design), each declared
        same-cohort or subset overlap counted once; possible overlaps flagged."""
        uses = {sid: n for sid, n in self.studies_for_regimen(rid).items()
                if design is None or self.kb.studies[sid]["design"] == design}
        return count_patients(uses, self.kb.overlaps)

    @cached_property
    def counts_by_design(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for study in self.kb.studies.values():
            counts[study["design"]] += 1
        return {d: counts[d] for d in self.kb.schemas.designs}

    def findings_citing(self, sid: str) -> list[str]:
        out = []
        for fid, f in self.kb.findings.items():
            if f["source"]["study"] == sid or any(l["study"] == sid for l in f.get("later_evidence", [])):
                out.append(fid)
        return out

    def measures_reported(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for row in self.outcome_rows:
            if row.study not in index[row.measure]:
                index[row.measure].append(row.study)
        return index

    def abstract_only(self, sid: str) -> bool:
        """True when no check of the study read its full text, so every figure comes from
        an abstract or a weaker copy (readers weigh such figures lower)."""
        return not any(c["against"] == "full-text" for c in self.kb.studies[sid]["provenance"]["checks"])

    def unverified_facts(self, sid: str) -> list[tuple[str, dict]]:
        """(field, fact) for every citation fact or outcome that is not verified."""
        s = self.kb.studies[sid]
        out = [(f, s[f]) for f in CITATION_FIELDS if f in s and s[f].get("status") != "verified"]
        out += [(f"registration {r['value']}", r) for r in s.get("registrations", []) if r.get("status") != "verified"]
        out += [(f"outcome {o['id']}", o) for o in s.get("outcomes", []) if o.get("status") == "unverified"]
        return out


CITATION_FIELDS = ["title", "authors", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid"]


def outcome_n(outcome: dict, arm: dict | None, study: dict) -> int | None:
    """The patients a figure stands on: a count's denominator, else its arm's (analysed)
    patients, else the study population's. The study page and the regimen tables agree."""
    value = outcome["value"]
    if value["type"] == "count":
        return value["of"]
    if arm is not None:
        return arm.get("n_analysed", arm.get("n"))
    return study.get("population", {}).get("n")


def count_patients(uses: dict[str, int | None], overlaps: dict[str, list[tuple[str, str, str]]]) -> MapCell:
    """stats.count_patients, with the wording the pages need (MapCell.patients_text)."""
    return MapCell(**vars(stats.count_patients(uses, overlaps)))

