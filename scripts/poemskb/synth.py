"""A synthetic knowledge base of N studies, for benchmarks and hostile-input tests.

The records have the shape of the real ones (citation facts with provenance, arms on
shared regimens, outcomes of every value type on shared measures, case reports with
timelines and criteria, reviews citing earlier studies, overlapping cohorts, findings)
and pass every validator rule, but every title, author, number and identifier is made
up and says so: titles start with "Synthetic", DOIs use the 10.5555 test prefix and
PMIDs start at 900000000, far beyond any real one. It is written to a folder of its
own (never into this project's evidence/), with a copy of the schemas and, when asked,
of the site configuration, so `poemskb --root DIR validate|render` and
`mkdocs build -f DIR/mkdocs.yml` work on it.
"""
from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .load import KIND_FOLDERS

CURATED = "2025-06-30"
WORDS = ("response", "neuropathy", "transplant", "plasma", "clone", "VEGF", "skin",
         "oedema", "ascites", "lenalidomide", "dexamethasone", "melphalan", "cohort",
         "relapse", "remission", "survival", "toxicity", "nerve", "conduction", "cycle",
         "dose", "follow-up", "marrow", "lambda", "light", "chain", "platelets", "organ",
         "improvement", "centre", "registry", "patients", "months", "treatment")
AGENTS = ("lenalidomide", "dexamethasone", "melphalan", "thalidomide", "bortezomib",
          "daratumumab", "cyclophosphamide", "prednisone", "bevacizumab", "pomalidomide")
UNITS = ("mg", "mg/m2", "mg/kg")
DOMAINS = ("haematologic", "vegf", "neurologic", "skin", "clinical", "organ", "survival",
           "transplant", "safety", "imaging", "other")
VALUE_TYPE_SETS = (("count", "percentage", "qualitative"), ("median", "percentage", "hazard-ratio", "qualitative"),
                   ("mean", "difference", "qualitative"), ("quantity", "median", "qualitative"),
                   ("count", "percentage", "odds-ratio", "qualitative"))
COUNTRIES = ("CN", "JP", "US", "FR", "GB", "DE", "IN", "KR", "IT", "ES")
SECTIONS = ("Methods", "Results", "Findings", "Discussion")
PRIMARY_DESIGNS = (("randomised-controlled-trial", 4), ("prospective-single-arm", 22), ("prospective-cohort", 8),
                   ("retrospective-cohort", 26), ("registry", 5), ("case-series", 14), ("case-report", 11))
REVIEW_DESIGNS = (("systematic-review", 4), ("narrative-review", 4), ("guideline", 2))


class Flow(dict):
    """A small mapping written on one line, as curators write locators and values."""


class _Dumper(yaml.CSafeDumper):
    pass


_Dumper.add_representer(Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True))


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


@dataclass
class Plan:
    """Ids of everything generated, so references always resolve."""

    studies: int
    regimens: list[str] = field(default_factory=list)
    measures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    criteria: dict[str, list[str]] = field(default_factory=dict)
    designs: list[str] = field(default_factory=list)

    def study_id(self, i: int) -> str:
        return f"synth-study-{i:05d}"


class Writer:
    def __init__(self, studies: int, seed: int):
        self.rng = random.Random(seed)
        self.plan = Plan(studies)
        weights = PRIMARY_DESIGNS + REVIEW_DESIGNS
        self.plan.designs = self.rng.choices([d for d, _ in weights], [w for _, w in weights], k=studies)
        # The first few studies are primary so every pool has a source to point at; the
        # next ones take every design once, so even a small base has every shape.
        for i in range(min(3, studies)):
            self.plan.designs[i] = "retrospective-cohort"
        for i, (design, _) in enumerate(weights[: max(0, studies - 3)], start=3):
            self.plan.designs[i] = design
        n_regimens = max(6, studies // 20)
        n_measures = max(10, studies // 60)
        self.plan.regimens = [f"synth-regimen-{i:04d}" for i in range(n_regimens)]
        self.plan.measures = {f"synth-measure-{i:04d}": VALUE_TYPE_SETS[i % len(VALUE_TYPE_SETS)] for i in range(n_measures)}
        self.plan.criteria = {f"synth-criteria-{i}": [f"item-{j}" for j in range(6)] for i in range(2)}

    # Text -------------------------------------------------------------------------
    def sentence(self, words: int) -> str:
        picked = self.rng.choices(WORDS, k=words)
        return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."

    def text(self, low: int, high: int) -> str:
        out = []
        while sum(len(s) + 1 for s in out) < self.rng.randint(low, high):
            out.append(self.sentence(self.rng.randint(6, 14)))
        return " ".join(out)

    def locator(self, **extra: Any) -> Flow:
        kind = self.rng.choice(("abstract", "abstract", "text", "table"))
        loc = Flow({"in": kind})
        if kind == "table":
            loc["label"] = f"Table {self.rng.randint(1, 4)}"
        elif kind == "text" or self.rng.random() < 0.5:
            loc["section"] = self.rng.choice(SECTIONS)
        loc.update(extra)
        return loc

    def provenance(self, checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        checks = checks or [{"id": "abstract", "against": "abstract", "where": "An imaginary abstract page (synthetic record)", "date": CURATED}]
        return {"checks": checks, "curated": CURATED, "notes": "Synthetic record for benchmarks and tests; nothing in it is real."}

    # Records ----------------------------------------------------------------------
    def regimen(self, index: int, rid: str) -> dict[str, Any]:
        rng = self.rng
        agents = rng.sample(AGENTS, rng.randint(1, 3))
        phases = []
        for phase in rng.sample(("induction", "maintenance", "treatment"), rng.randint(1, 2)):
            components = []
            for agent in agents:
                component = {"agent": agent,
                             "dose": Flow({"value": rng.choice((5, 10, 20, 25, 40, 140, 200)), "unit": rng.choice(UNITS), "per": rng.choice(("day", "week", "cycle"))}),
                             "route": rng.choice(("oral", "intravenous", "subcutaneous"))}
                if rng.random() < 0.6:
                    component["days"] = [Flow({"from": 1, "to": rng.choice((14, 21, 28))})]
                if rng.random() < 0.7:
                    component["source"] = {"study": self.plan.study_id(rng.randrange(min(3, self.plan.studies))), "locator": self.locator()}
                components.append(component)
            phases.append({"phase": phase, "cycle_length_days": rng.choice((21, 28, None)), "cycles": rng.choice((4, 6, 12, None)), "components": components})
        return {
            "id": rid, "name": f"Synthetic regimen {index}: " + " + ".join(agents), "short_name": f"SR{index}",
            "aliases": [f"synthetic-{index}"], "category": rng.choice(("immunomodulatory", "alkylator", "transplant", "other")),
            "summary": self.text(120, 260), "plain_summary": self.text(80, 160), "phases": phases, "provenance": self.provenance(),
        }

    def measure(self, index: int, mid: str) -> dict[str, Any]:
        return {
            "id": mid, "name": f"Synthetic measure {index}", "aliases": [f"SM{index}"], "domain": DOMAINS[index % len(DOMAINS)],
            "definition": self.text(80, 200), "definition_source": {"status": "per-study", "note": "Synthetic."},
            "value_types": list(self.plan.measures[mid]), "higher_is_better": self.rng.choice((True, False, None)),
            "plain_name": f"Synthetic measure {index}", "provenance": self.provenance(),
        }

    def criteria(self, index: int, cid: str) -> dict[str, Any]:
        items = self.plan.criteria[cid]
        return {
            "id": cid, "name": f"Synthetic diagnostic criteria {index}",
            "source": {"study": self.plan.study_id(index), "locator": self.locator()},
            "rule": "Both mandatory criteria and at least one of the others.",
            "groups": [{"name": "mandatory", "required_count": "all", "items": [{"id": i, "text": self.sentence(6)} for i in items[:2]]},
                       {"name": "major", "required_count": 1, "items": [{"id": i, "text": self.sentence(6)} for i in items[2:]]}],
            "provenance": self.provenance(),
        }

    def finding(self, index: int, source: int) -> dict[str, Any]:
        published = f"{2010 + index % 14}-0{1 + index % 9}"
        finding = {
            "id": f"synth-finding-{index:04d}", "statement": self.text(100, 220), "kind": "evidence-summary",
            "source": {"study": self.plan.study_id(source), "locator": self.locator()}, "scope": self.text(40, 90),
            "searches": [{"database": "MEDLINE", "from": "1990-01", "to": published}], "current_to": published, "published": published,
            # A finding read on an unlinked copy must hedge its statement (statement-unconfirmed):
            # synthetic findings link their imaginary review's page instead.
            "provenance": self.provenance([{"id": "abstract", "against": "abstract", "where": "An imaginary review's abstract page (synthetic record)",
                                            "url": f"https://doi.org/10.5555/synthetic-finding-{index:04d}", "date": CURATED}]),
        }
        if index:
            finding["supersedes"] = f"synth-finding-{index - 1:04d}"
        return finding

    def fact(self, value: Any) -> dict[str, Any]:
        if self.rng.random() < 0.05:
            return {"value": value, "status": "unverified", "reason": "Synthetic: seen only in a secondary mention."}
        return {"value": value, "status": "verified", "check": "abstract"}

    def study(self, i: int) -> dict[str, Any]:
        rng, plan = self.rng, self.plan
        design = plan.designs[i]
        year = rng.randint(1998, 2024)
        review = design in ("systematic-review", "narrative-review", "guideline")
        study: dict[str, Any] = {
            "id": plan.study_id(i),
            "title": self.fact(f"Synthetic study {i}: {self.sentence(10)[:-1]}"),
            "authors": {**self.fact([f"Author{i}-{k} {chr(65 + k)}" for k in range(rng.randint(1, 12))]), "complete": rng.random() < 0.8},
            "journal": self.fact(f"Synthetic J {i % 40}"),
            "year": self.fact(year),
            "volume": self.fact(str(rng.randint(1, 140))),
            "pages": self.fact(f"{rng.randint(1, 900)}-{rng.randint(901, 999)}"),
            "doi": self.fact(f"10.5555/synth.{i:05d}"),
            "pmid": self.fact(str(900000000 + i)),
            "pmcid": {"value": None, "status": "unknown", "reason": "Synthetic record without a PMC copy."},
            "publication_type": "review-article" if review else ("case-report-article" if design == "case-report" else "journal-article"),
            "language": ["en"],
            "design": design,
            "summary": self.text(250, 520),
            "plain_summary": self.text(120, 260),
        }
        if review:
            study["population"] = {"status": "not-applicable", "n": None}
            if i:
                earlier = rng.sample(range(i), min(i, rng.randint(3, 25)))
                study["cites"] = [{"study": plan.study_id(j), "locator": self.locator()} for j in sorted(earlier)]
        elif design == "case-report":
            self.case_report(study, i, year)
        else:
            self.primary(study, i, year)
        if i > 3 and rng.random() < 0.1:
            other = rng.randrange(i)
            study["overlaps"] = [{"study": plan.study_id(other), "relation": rng.choice(("same-cohort", "partial", "possible")),
                                  "basis": "Synthetic: same centre and overlapping enrolment years."}]
        study["provenance"] = self.provenance()
        return study

    def primary(self, study: dict[str, Any], i: int, year: int) -> None:
        rng, plan = self.rng, self.plan
        n = rng.randint(8, 400)
        study["population"] = {"status": rng.choice(("newly-diagnosed", "relapsed-refractory", "mixed")), "n": n,
                               "age": Flow({"median": rng.randint(40, 60), "range": [rng.randint(18, 39), rng.randint(61, 80)]}),
                               "sex": Flow({"male": n // 2, "female": n - n // 2}), "locator": self.locator()}
        study["setting"] = {"centres": rng.randint(1, 30), "countries": rng.sample(COUNTRIES, rng.randint(1, 2)), "locator": self.locator()}
        start = rng.randint(1990, year - 1)
        study["enrolment"] = {"start": f"{start}-{rng.randint(1, 12):02d}", "end": f"{rng.randint(start + 1, year)}", "locator": self.locator()}
        study["follow_up"] = {"median_months": rng.randint(6, 120), "locator": self.locator()}
        n_arms = 2 if study["design"] == "randomised-controlled-trial" else rng.choice((1, 1, 1, 2, 3))
        sizes = _split(rng, n, n_arms)
        arms = []
        for k, size in enumerate(sizes):
            regimen = rng.choice(plan.regimens)
            arm = {"id": f"arm-{k + 1}", "label": f"Synthetic arm {k + 1}", "regimen": regimen, "n": size, "locator": self.locator()}
            if rng.random() < 0.2:
                arm["steps"] = [{"regimen": regimen, "role": "induction"}, {"regimen": rng.choice(plan.regimens), "role": "maintenance"}]
            arms.append(arm)
        study["arms"] = arms
        study["outcomes"] = [self.outcome(k, rng.choice(arms), arms) for k in range(rng.randint(2, 12))]
        if rng.random() < 0.3:
            study["registrations"] = [{"registry": "NCT", "value": f"NCT9{i:07d}", "status": "verified", "check": "abstract"}]

    def case_report(self, study: dict[str, Any], i: int, year: int) -> None:
        rng, plan = self.rng, self.plan
        regimen = rng.choice(plan.regimens)
        study["population"] = {"status": "newly-diagnosed", "n": 1, "locator": self.locator()}
        study["arms"] = [{"id": "treatment", "label": "Synthetic treatment", "regimen": regimen, "n": 1, "locator": self.locator()}]
        study["outcomes"] = [{"id": "response", "measure": next(iter(plan.measures)), "arm": "treatment",
                              "value": Flow({"type": "count", "n": 1, "of": 1}), "locator": self.locator()}]
        cid = rng.choice(list(plan.criteria))
        first = year - 2
        study["case"] = {
            "sex": rng.choice(("male", "female")), "age": rng.randint(25, 75), "presentation": self.text(80, 200),
            "findings": [{"name": f"finding {k}", "value": round(rng.uniform(1, 200), 1), "unit": "g/L", "locator": self.locator()} for k in range(rng.randint(1, 8))],
            "criteria_met": {"criteria": cid, "met": [{"criterion": item, "evidence": self.sentence(6)} for item in plan.criteria[cid][:3]], "locator": self.locator()},
            "timeline": [{"date": f"{first + k // 6}-{k % 6 * 2 + 1:02d}", "event": self.sentence(8), "locator": self.locator()} for k in range(rng.randint(1, 10))],
            "locator": self.locator(),
        }
        study["criteria"] = [cid]

    def outcome(self, k: int, arm: dict[str, Any], arms: list[dict[str, Any]]) -> dict[str, Any]:
        rng = self.rng
        measure = rng.choice(list(self.plan.measures))
        kind = rng.choice(self.plan.measures[measure])
        outcome: dict[str, Any] = {"id": f"outcome-{k + 1}", "measure": measure, "arm": arm["id"]}
        if rng.random() < 0.5:
            months = rng.choice((3, 6, 12, 24, 60))
            outcome["timepoint"] = Flow({"label": f"{months} months", "months": months, "from": "start-of-treatment"})
        outcome["value"] = self.value(kind, arm["n"])
        if kind in ("hazard-ratio", "odds-ratio", "difference") and len(arms) > 1:
            other = next(a for a in arms if a is not arm)
            outcome["p"] = Flow({"value": round(rng.uniform(0.001, 0.9), 3), "operator": "=", "compared_with": other["id"]})
        elif kind in ("hazard-ratio", "odds-ratio"):
            outcome["role"] = "association"  # one arm: a ratio compares patients, not treatments (rule ratio-role)
        if rng.random() < 0.03:
            outcome["status"] = "unverified"
            outcome["reason"] = "Synthetic: quoted by a later paper only."
        outcome["locator"] = self.locator()
        return outcome

    def value(self, kind: str, n: int) -> Flow:
        rng = self.rng
        if kind == "count":
            of = rng.randint(1, n)
            hits = rng.randint(0, of)
            return Flow({"type": "count", "n": hits, "of": of, "percent": round(100 * hits / of, 1)})
        if kind == "percentage":
            return Flow({"type": "percentage", "percent": rng.randint(0, 100)})
        if kind == "median":
            value = rng.randint(2, 90)
            return Flow({"type": "median", "value": value, "unit": "months", "range": [rng.randint(0, value), value + rng.randint(0, 60)]})
        if kind == "mean":
            return Flow({"type": "mean", "value": round(rng.uniform(-1, 5), 2), "unit": "ratio", "sd": round(rng.uniform(0.1, 2), 2)})
        if kind == "quantity":
            return Flow({"type": "quantity", "value": rng.randint(1, 500), "unit": "pg/mL"})
        if kind in ("hazard-ratio", "odds-ratio"):
            value = round(rng.uniform(0.2, 3), 2)
            return Flow({"type": kind, "value": value, "ci": [round(value / 2, 2), round(value * 2, 2)]})
        if kind == "difference":
            value = round(rng.uniform(-1, 1), 2)
            return Flow({"type": "difference", "value": value, "ci": [round(value - 0.5, 2), round(value + 0.5, 2)], "unit": "ratio"})
        return Flow({"type": "qualitative", "statement": self.sentence(10)})


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def write_kb(out: Path, studies: int, source_root: Path, seed: int = 0, site: bool = True) -> dict[str, int]:
    """Write a synthetic knowledge base of `studies` studies under out/evidence/.

    The schemas are copied from source_root; with `site`, mkdocs.yml, CITATION.cff,
    overrides/, hooks/ and docs/ (without docs/generated) are copied too so the site
    builds from out/.
    Returns the number of records written per kind."""
    out = out.resolve()
    if (out / "evidence").exists() and any((out / "evidence").iterdir()):
        raise FileExistsError(f"{out / 'evidence'} already holds files; choose an empty folder")
    if out == source_root.resolve() or source_root.resolve() / "evidence" in (out, *out.parents):
        raise ValueError("synthetic records must never be written into the project's own evidence/")
    writer = Writer(studies, seed)
    plan = writer.plan
    shutil.copytree(source_root / "evidence" / "schema", out / "evidence" / "schema")
    for folder in KIND_FOLDERS:
        (out / "evidence" / folder).mkdir(parents=True, exist_ok=True)
    counts = {kind: 0 for kind in KIND_FOLDERS.values()}

    def emit(folder: str, record: dict[str, Any]) -> None:
        text = f"# Synthetic record (poemskb synth); not evidence.\n{dump(record)}"
        (out / "evidence" / folder / f"{record['id']}.yaml").write_text(text, encoding="utf-8")
        counts[KIND_FOLDERS[folder]] += 1

    for i, rid in enumerate(plan.regimens):
        emit("regimens", writer.regimen(i, rid))
    for i, mid in enumerate(plan.measures):
        emit("measures", writer.measure(i, mid))
    for i, cid in enumerate(plan.criteria):
        emit("criteria", writer.criteria(i, cid))
    for i in range(studies):
        emit("studies", writer.study(i))
    reviews = [i for i, d in enumerate(plan.designs) if d in ("systematic-review", "narrative-review", "guideline")]
    for k, i in enumerate(reviews[: max(1, studies // 50)]):
        emit("findings", writer.finding(k, i))
    if site:
        copy_site(source_root, out)
    return counts


def copy_site(source_root: Path, out: Path) -> None:
    """The site configuration and hand-written pages, so the synthetic site builds."""
    for name in ("mkdocs.yml", "CITATION.cff"):
        if (source_root / name).exists():
            shutil.copy2(source_root / name, out / name)
    for folder in ("overrides", "hooks", "docs"):
        if (source_root / folder).is_dir():
            shutil.copytree(source_root / folder, out / folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("generated", "__pycache__"))
