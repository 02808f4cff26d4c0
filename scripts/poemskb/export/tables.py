"""The tables (studies, arms, outcomes, regimens, certainty ratings): each column's name, type, unit
and meaning, and the rows. One definition feeds the CSV files, their Frictionless
data package, the Parquet files and the downloads page, so they cannot disagree.

Columns mean one thing each: counts are integers (`events` of `total`), numbers are
numbers (a p-value, each end of an interval), and text is text. An empty cell means
the source did not give that fact (or it does not apply to the value's type); nothing
is filled in or computed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..describe import OPEN_STATUS, citation_text, open_items, follow_up, locator, raw_value, short_label, timepoint, value_text
from ..kb import KnowledgeBase, figure_regimens, resolve_population
from ..stats import outcome_interval


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless type: string, integer, number, boolean, date
    description: str
    unit: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # allowed values and what each means


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    key: list[str]
    fields: list[Field]
    rows: Callable[[KnowledgeBase], Iterator[dict[str, Any]]]

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


STATUS = {"verified": "seen on the source named in the record's check",
          "unverified": "taken from a secondary source or not seen on the primary source; treat with care",
          "unknown": "not known; the record says why"}
OUTCOME_STATUS = {k: STATUS[k] for k in ("verified", "unverified")}
POPULATION = {"newly-diagnosed": "treated at diagnosis (first line)", "relapsed-refractory": "treated after relapse or for refractory disease",
              "mixed": "both newly diagnosed and relapsed or refractory patients", "unknown": "the source does not say",
              "not-applicable": "not a study of patients (a review)"}
# Relations as words, not '=' or '<' (a cell starting with '=' is a formula to a spreadsheet).
RELATION = {"=": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
P_OPERATOR = {"eq": "p equals p_value (printed 'p = ...')", "lt": "p is below p_value ('p < ...')",
              "le": "p is at most p_value ('p ≤ ...')", "gt": "p is above p_value ('p > ...')"}
COMPARATOR = {"eq": "the value as printed", "lt": "below the value", "le": "at most the value", "gt": "above the value",
              "ge": "at least the value"}
ROLE = {"treatment": "a result of treatment in an arm or cohort",
        "association": "a prognostic factor's effect, a correlation or a comparison of subgroups defined by a patient "
                       "feature or by response: never a treatment's result"}
TRANSPLANT = {"eligible": "eligible for autologous transplant", "ineligible": "not eligible", "mixed": "both",
              "unknown": "the source does not say"}
INTERVAL_SOURCE = {"reported": "printed by the source", "computed": "computed here from the printed counts"}
VALUE_TYPES = {"count": "events of total patients (percent if printed)", "percentage": "a percentage printed without counts",
               "median": "a median (estimate) with range, IQR or CI if printed", "mean": "a mean (estimate) with SD, SE or CI",
               "quantity": "one measured quantity (estimate) with its unit", "hazard-ratio": "a hazard ratio (estimate) with CI",
               "odds-ratio": "an odds ratio (estimate) with CI", "difference": "a difference between arms (estimate) with CI",
               "qualitative": "a statement without a number (value_as_reported)"}
STUDY_KEY = Field("study", "string", "Study record id (evidence/studies/<id>.yaml); joins the tables.")


def _s(name: str, description: str, **kw: Any) -> Field:
    return Field(name, "string", description, **kw)


def _n(name: str, description: str, unit: str | None = None, kind: str = "number") -> Field:
    return Field(name, kind, description, unit)


# Studies --------------------------------------------------------------------------------
STUDY_FIELDS = [
    STUDY_KEY,
    _s("label", "Short name a reader recognises (first author and year)."),
    _s("citation", "Vancouver-style citation from the recorded facts; unknown parts say '[... unknown]'."),
    _s("title", "Title of the publication; empty when not known."),
    _s("authors", "Authors, separated by '; ', as recorded; empty when not known."),
    _n("authors_complete", "False when the recorded author list is known to be incomplete.", kind="boolean"),
    _s("journal", "Journal abbreviation; empty when not known."),
    _n("year", "Year of publication.", kind="integer"),
    _s("volume", "Volume."), _s("issue", "Issue."), _s("pages", "Pages."),
    _s("doi", "Digital Object Identifier, as recorded."),
    _s("doi_status", "How the DOI was checked.", values=STATUS),
    _s("pmid", "PubMed identifier."),
    _s("pmid_status", "How the PubMed id was checked.", values=STATUS),
    _s("pmcid", "PubMed Central identifier."),
    _s("registrations", "Trial registrations as REGISTRY:ID, separated by '; '."),
    _s("publication_type", "Kind of publication (journal-article, conference-abstract, ...)."),
    _s("design", "Study design (schema: study.schema.json, 'design')."),
    _s("evidence_level", "Evidence level of the design: 1 strongest; 'review' for reviews (see Methods)."),
    _s("population_status", "Line of therapy of the study population.", values=POPULATION),
    _n("patients", "Number of patients (enrolled or analysed, as the record describes); empty when not given.", "patients", "integer"),
    _n("follow_up_median_months", "Median follow-up.", "months"),
    _n("follow_up_mean_months", "Mean follow-up.", "months"),
    _n("follow_up_low_months", "Shortest follow-up (range low).", "months"),
    _n("follow_up_high_months", "Longest follow-up (range high).", "months"),
    _s("follow_up", "Follow-up in words, as recorded."),
    _s("regimens", "Regimen ids of the study's arms, separated by '; '."),
    _s("checked_against", "What the record was checked against (abstract, full-text, ...), separated by '; '."),
    Field("curated", "date", "Date the record was last curated."),
    _s("overlaps", "Declared patient overlaps as OTHER-STUDY:relation, separated by '; '."),
]


def study_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for sid, s in kb.studies.items():
        follow = s.get("follow_up") or {}
        range_months = follow.get("range_months") or [None, None]
        authors = s.get("authors") or {}
        yield {
            "study": sid, "label": short_label(s), "citation": citation_text(s),
            "title": raw_value(s.get("title")), "authors": "; ".join(raw_value(authors) or []) or None,
            "authors_complete": authors.get("complete") if raw_value(authors) else None,
            **{k: raw_value(s.get(k)) for k in ("journal", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid")},
            "doi_status": (s.get("doi") or {}).get("status"), "pmid_status": (s.get("pmid") or {}).get("status"),
            "registrations": "; ".join(f"{r['registry']}:{r['value']}" for r in s.get("registrations", [])) or None,
            "publication_type": s["publication_type"], "design": s["design"], "evidence_level": kb.level(s),
            "population_status": s["population"]["status"], "patients": s["population"].get("n"),
            "follow_up_median_months": follow.get("median_months"), "follow_up_mean_months": follow.get("mean_months", follow.get("months")),
            "follow_up_low_months": range_months[0], "follow_up_high_months": range_months[1],
            "follow_up": follow_up(follow) or None,
            "regimens": "; ".join(sorted({a["regimen"] for a in s.get("arms", [])})) or None,
            "checked_against": "; ".join(sorted({c["against"] for c in s["provenance"]["checks"]})),
            "curated": s["provenance"]["curated"],
            "overlaps": "; ".join(f"{o}:{rel}" for o, rel, _ in kb.overlaps.get(sid, [])) or None,
        }


# Arms -----------------------------------------------------------------------------------
ARM_FIELDS = [
    STUDY_KEY, _s("arm", "Arm id, unique within the study."), _s("label", "The arm as a reader would name it."),
    _s("regimen", "Regimen record id that defines the arm (evidence/regimens/<id>.yaml)."),
    _s("steps", "For a sequence (e.g. induction then transplant): regimen ids in order, separated by ' > '."),
    _n("patients", "Patients in the arm (allocated or treated, as the source counts them).", "patients", "integer"),
    _n("patients_analysed", "Patients analysed, when fewer than 'patients'.", "patients", "integer"),
    _s("note", "Anything else about the arm, as recorded."),
    _s("locator", "Where the arm and its size stand in the source."),
]


def arm_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for sid, s in kb.studies.items():
        checks = {c["id"]: c for c in s["provenance"]["checks"]}
        for arm in s.get("arms", []):
            yield {"study": sid, "arm": arm["id"], "label": arm["label"], "regimen": arm["regimen"],
                   "steps": " > ".join(step["regimen"] for step in arm.get("steps", [])) or None,
                   "patients": arm.get("n"), "patients_analysed": arm.get("n_analysed"), "note": arm.get("note"),
                   "locator": locator(arm.get("locator"), checks) or None}


# Outcomes -------------------------------------------------------------------------------
OUTCOME_FIELDS = [
    STUDY_KEY, _s("outcome", "Outcome id, unique within the study."),
    _s("arm", "Arm id; empty when the figure is for the whole study population."),
    _s("arm_label", "The arm as a reader would name it, or 'whole study population'."),
    _s("regimen", "Regimen id of the arm; empty for the whole population of a study with several arms."),
    _s("after", "For an arm that is a sequence: the step (regimen id) after which the outcome was measured."),
    _s("regimen_informed", "The regimen the figure informs: the 'after' step, else the arm's regimen; for a whole cohort, "
                           "the regimen every arm received; empty when the arms had different regimens (see mixed_regimens)."),
    _n("mixed_regimens", "True for a whole-cohort figure whose arms had different regimens (it informs no single regimen).", kind="boolean"),
    _n("arm_patients", "Patients in the arm (or the study, for a whole-population figure). Not the denominator of the figure: see 'total'.", "patients", "integer"),
    _s("role", "What the figure is.", values=ROLE),
    _s("line", "Line of therapy of the patients the figure covers: the outcome's own population, else its arm's, else the study's.",
       values={k: v for k, v in POPULATION.items()}),
    _s("transplant", "Transplant eligibility of the patients the figure covers, resolved like 'line'; 'unknown' unless the source states it.",
       values=TRANSPLANT),
    _s("measure", "Outcome measure record id (evidence/measures/<id>.yaml)."),
    _s("subgroup", "The subgroup or feature the value applies to (e.g. an adverse event's name)."),
    _s("timepoint", "When the outcome was assessed, as recorded."),
    _s("value_type", "The form of the value; decides which number columns are filled.", values=VALUE_TYPES),
    _s("value_as_reported", "The value in one line as the pages show it (text; use the number columns for numbers)."),
    _n("events", "For a count: patients with the outcome (numerator).", "patients", "integer"),
    _n("total", "For a count: patients evaluable for it (denominator).", "patients", "integer"),
    _n("percent", "The percentage as printed (a count's percent only when the source printed one).", "percent"),
    _n("approximate", "True when the source gives the percentage as approximate.", kind="boolean"),
    _n("estimate", "The median, mean, quantity, ratio or difference as printed; empty when not reached or not a number.", "see 'unit'"),
    _s("estimate_label", "For a difference: what the estimate is (e.g. 'adjusted mean difference')."),
    _s("unit", "Unit of estimate, sd, se, range, IQR and CI ('ratio' for unitless rates; 'percent' for percentages)."),
    _s("comparator", "For a quantity given as a bound.", values=COMPARATOR),
    _n("not_reached", "True when a median was not reached.", kind="boolean"),
    _n("ci_low", "Lower end of the 95% confidence interval as printed (see interval_low for one computed from counts).", "see 'unit'"),
    _n("ci_high", "Upper end of the 95% confidence interval as printed.", "see 'unit'"),
    _n("range_low", "Lowest value of the range as printed.", "see 'unit'"),
    _n("range_high", "Highest value of the range as printed.", "see 'unit'"),
    _n("iqr_low", "Lower quartile as printed.", "see 'unit'"), _n("iqr_high", "Upper quartile as printed.", "see 'unit'"),
    _n("interval_low", "Lower end of the 95% interval to use: as printed (interval_source 'reported'), or computed from the "
                       "counts (exact Clopper–Pearson, percent, rounded to 2 decimals).", "see 'unit'; percent for counts"),
    _n("interval_high", "Upper end of the same interval.", "see 'unit'; percent for counts"),
    _s("interval_source", "Where the interval comes from.", values=INTERVAL_SOURCE),
    _s("interval_method", "How a computed interval was computed ('clopper-pearson': exact binomial, SciPy)."),
    _s("interval_note", "Why there is no interval (e.g. a percentage without counts)."),
    _n("sd", "Standard deviation as printed.", "see 'unit'"), _n("se", "Standard error as printed.", "see 'unit'"),
    _s("reference", "For a hazard or odds ratio: the reference group, as recorded."),
    _n("p_value", "The p-value as printed (read with p_operator).", kind="number"),
    _s("p_operator", "How p relates to p_value.", values=P_OPERATOR),
    _s("p_compared_with", "The arm id this outcome's arm is compared with."),
    _s("p_note", "What the test compared, when not simply two arms."),
    _s("grade", "For adverse events: the grades counted (e.g. '3-4')."),
    _s("status", "Whether the figure was seen on the source.", values=OUTCOME_STATUS),
    _s("locator", "Where the figure stands in the source (table, figure, section, page)."),
    _s("doi", "The study's DOI."), _s("pmid", "The study's PubMed id."),
    _s("note", "What a reader needs to read the value correctly, as recorded."),
]


def outcome_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for sid, s in kb.studies.items():
        arms = {a["id"]: a for a in s.get("arms", [])}
        checks = {c["id"]: c for c in s["provenance"]["checks"]}
        for o, resolved, informed, _, mixed in figure_regimens(s):
            arm = arms.get(o.get("arm")) if o.get("arm") else None
            v, p = o["value"], o.get("p") or {}
            yield {
                "study": sid, "outcome": o["id"], "arm": o.get("arm"),
                "arm_label": arm["label"] if arm else "whole study population",
                "regimen": resolved["regimen"] if resolved else None, "after": o.get("after"),
                "regimen_informed": informed, "mixed_regimens": mixed,
                "arm_patients": arm.get("n") if arm else s["population"].get("n"), "role": o.get("role", "treatment"),
                "line": resolve_population(s, resolved, o, "line"), "transplant": resolve_population(s, resolved, o, "transplant"),
                "measure": o["measure"], **_interval(v),
                "subgroup": o.get("subgroup"), "timepoint": timepoint(o.get("timepoint")) or None,
                "value_type": v["type"], "value_as_reported": value_text(v), **_numbers(v),
                "p_value": p.get("value"), "p_operator": RELATION[p.get("operator", "=")] if p else None,
                "p_compared_with": p.get("compared_with"), "p_note": p.get("note"), "grade": o.get("grade"),
                "status": o.get("status", "verified"), "locator": locator(o["locator"], checks),
                "doi": raw_value(s.get("doi")), "pmid": raw_value(s.get("pmid")), "note": o.get("note"),
            }


def _interval(v: dict[str, Any]) -> dict[str, Any]:
    interval, note = outcome_interval(v)
    if interval is None:
        return {"interval_note": note}
    rounded = (lambda x: round(x, 2)) if interval.source == "computed" else (lambda x: x)
    return {"interval_low": rounded(interval.low), "interval_high": rounded(interval.high),
            "interval_source": interval.source, "interval_method": interval.method}


def _numbers(v: dict[str, Any]) -> dict[str, Any]:
    kind = v["type"]
    count = kind == "count"
    ci, rng, iqr = (v.get(k) or [None, None] for k in ("ci", "range", "iqr"))
    has_estimate = kind not in ("count", "percentage", "qualitative")
    return {
        "events": v["n"] if count else None, "total": v["of"] if count else None, "percent": v.get("percent"),
        "approximate": v.get("approximate"), "estimate": v.get("value") if has_estimate else None,
        "estimate_label": v.get("estimate"), "unit": "percent" if kind == "percentage" else v.get("unit"),
        "comparator": RELATION.get(v.get("comparator", "")), "not_reached": v.get("not_reached"),
        "ci_low": ci[0], "ci_high": ci[1], "range_low": rng[0], "range_high": rng[1],
        "iqr_low": iqr[0], "iqr_high": iqr[1], "sd": v.get("sd"), "se": v.get("se"), "reference": v.get("reference"),
    }


# Regimens -------------------------------------------------------------------------------
REGIMEN_FIELDS = [
    _s("regimen", "Regimen record id (evidence/regimens/<id>.yaml)."), _s("name", "Full name."),
    _s("short_name", "The abbreviation readers know it by."), _s("aliases", "Other names, separated by '; '."),
    _s("category", "The regimen's main class."), _s("agents", "Agents given in any phase, separated by '; '."),
    _n("studies", "Studies with an arm defined by this regimen.", "studies", "integer"),
    _s("summary", "What the regimen is, in the contributors' words."),
    Field("curated", "date", "Date the record was last curated."),
]


def regimen_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for rid, r in kb.regimens.items():
        agents = sorted({c["agent"] for ph in r.get("phases", []) for c in ph.get("components", []) if c.get("agent")})
        yield {"regimen": rid, "name": r["name"], "short_name": r.get("short_name"), "aliases": "; ".join(r.get("aliases", [])) or None,
               "category": r.get("category"), "agents": "; ".join(agents) or None,
               "studies": len({sid for sid, _ in kb.arms_by_regimen.get(rid, [])}), "summary": r.get("summary"),
               "curated": r["provenance"]["curated"]}


# Certainty ratings ----------------------------------------------------------------------
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias", "large_effect")
DECISIONS = {"not-serious": "no reason to rate down", "serious": "rated down one level",
             "very-serious": "rated down two levels", "undetected": "no reason to rate down",
             "strongly-suspected": "rated down one level", "none": "no reason to rate up",
             "large": "rated up one level", "very-large": "rated up two levels"}
LEVELS = {"high": "further research is very unlikely to change confidence in the effect",
          "moderate": "further research is likely to have an important impact on confidence in the effect",
          "low": "further research is very likely to have an important impact on confidence in the effect",
          "very-low": "any estimate of effect is very uncertain"}
CERTAINTY_FIELDS = [
    _s("regimen", "Regimen record id (evidence/regimens/<id>.yaml) whose record holds the rating."),
    _s("population", "The line of therapy the rating applies to.", values={k: v for k, v in POPULATION.items() if k != "not-applicable"}),
    _s("measure", "Outcome measure record id (evidence/measures/<id>.yaml)."),
    _s("level", "The certainty of the evidence (GRADE): the curators' judgement, not the papers'.", values=LEVELS),
    _s("start", "Starting level, from the designs of the studies.",
       values={"high": "randomised trials among the studies", "low": "observational studies only"}),
    *[f for d in DOMAINS for f in (
        _s(d, f"The decision for the domain '{d.replace('_', ' ')}'; empty when not judged (large effect only).",
           values={k: v for k, v in DECISIONS.items()}),
        _s(f"{d}_reason", f"Why, for '{d.replace('_', ' ')}', in words a reader can check against the records."))],
    _s("studies", "The study record ids the rating rests on, separated by '; '."),
    _s("judged_by", "Who made the judgement."), Field("judged", "date", "When the judgement was made."),
    _s("comment", "What a reader needs to read the rating."),
]


def certainty_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for rid, r in kb.regimens.items():
        for rating in r.get("certainty", []):
            for o in rating["outcomes"]:
                domains = {}
                for d in DOMAINS:
                    judged = o.get(d) or {}
                    domains[d], domains[f"{d}_reason"] = judged.get("decision"), judged.get("reason")
                yield {"regimen": rid, "population": rating["population"], "measure": o["measure"], "level": o["level"],
                       "start": o["start"], **domains, "studies": "; ".join(o["studies"]),
                       "judged_by": rating["judged_by"], "judged": rating["judged"], "comment": o.get("comment")}


# What could not be checked --------------------------------------------------------------
OPEN_ITEM_FIELDS = [
    STUDY_KEY,
    _s("fact", "Which fact: a citation field (title, doi...), 'registration <number>', or an outcome id (joins outcomes.csv)."),
    _s("part", "The part of the record.", values={"citation": "a citation detail", "registration": "a trial registration",
                                                   "figure": "a reported figure (an outcome)"}),
    _s("item", "The fact in words, as the study page's 'What could not be checked' names it."),
    _s("status", "Not known, or not confirmed on the publication itself.", values={k: STATUS[k] for k in OPEN_STATUS}),
    _s("reason", "Why, as the record says."),
]


def open_item_rows(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    names = {mid: m["name"] for mid, m in kb.measures.items()}
    for sid, s in kb.studies.items():
        for item in open_items(s, names):
            yield {"study": sid, **{k: item[k] for k in ("fact", "part", "item", "status", "reason")}}


TABLES = [
    Table("studies", "Studies", "One row per study record: citation, identifiers and how they were checked, design, population, follow-up.",
          ["study"], STUDY_FIELDS, study_rows),
    Table("arms", "Arms", "One row per arm of a study: its regimen and size.", ["study", "arm"], ARM_FIELDS, arm_rows),
    Table("outcomes", "Outcomes", "One row per reported figure, with its numbers in typed columns, its locator and whether it was verified.",
          ["study", "outcome"], OUTCOME_FIELDS, outcome_rows),
    Table("regimens", "Regimens", "One row per regimen record.", ["regimen"], REGIMEN_FIELDS, regimen_rows),
    Table("certainty", "Certainty of the evidence",
          "One row per rating in a regimen record's summary of findings: the curators' GRADE judgement for one "
          "regimen, population and outcome measure, with each domain's decision and reason.",
          ["regimen", "population", "measure"], CERTAINTY_FIELDS, certainty_rows),
    Table("open-items", "What could not be checked",
          "One row per fact of a study that is not known or not confirmed on the publication itself, with the record's reason.",
          ["study", "fact"], OPEN_ITEM_FIELDS, open_item_rows),
]
