"""An FHIR R5 Bundle (EBM-on-FHIR) of the study outcomes: one Citation per study and one
for the knowledge base, and one Evidence per reported figure, referring to its study's
Citation. Plain dictionaries here; tests validate them with the fhir.resources models.

Only recorded facts: no codes we have not checked (statistic types are given as text,
never as a guessed code), no counts made from percentages.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from ..describe import locator, raw_value, timepoint, value_text
from ..kb import KnowledgeBase
from .edition import LICENCE_TEXT, Edition

NAMESPACE = uuid.UUID("6f1c3b2e-5d0a-4c55-9a51-2b8f3c7d9e10")  # fixed: same records, same ids
IDENTIFIER_SYSTEMS = {"doi": "https://doi.org", "pmid": "https://pubmed.ncbi.nlm.nih.gov", "pmcid": "https://www.ncbi.nlm.nih.gov/pmc"}
STATISTIC = {"count": "proportion (count)", "percentage": "percentage", "median": "median", "mean": "mean", "quantity": "quantity",
             "hazard-ratio": "hazard ratio", "odds-ratio": "odds ratio", "difference": "difference", "qualitative": "qualitative statement"}


def _urn(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def kb_citation(name: str, ed: Edition, url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Citation", "id": "poemskb", "status": "active", "title": name,
                           "version": ed.label, "copyright": LICENCE_TEXT,
                           "description": f"Records SHA-256 {ed.records_sha256}; dated {ed.date}."}
    if url:
        out["url"] = url
    return out


def study_citation(sid: str, s: dict[str, Any], ed: Edition) -> dict[str, Any]:
    artifact: dict[str, Any] = {}
    idents = [{"system": IDENTIFIER_SYSTEMS[k], "value": str(raw_value(s.get(k)))} for k in ("doi", "pmid", "pmcid") if raw_value(s.get(k))]
    if idents:
        artifact["identifier"] = idents
    if raw_value(s.get("title")):
        artifact["title"] = [{"text": raw_value(s["title"])}]
    form: dict[str, Any] = {}
    if raw_value(s.get("journal")):
        form["publishedIn"] = {"title": raw_value(s["journal"])}
    for key, fhir_key in (("volume", "volume"), ("issue", "issue"), ("pages", "pageString")):
        if raw_value(s.get(key)):
            form[fhir_key] = str(raw_value(s[key]))
    if raw_value(s.get("year")):
        form["articleDate"] = str(raw_value(s["year"]))
    if form:
        artifact["publicationForm"] = [form]
    authors = raw_value(s.get("authors"))
    if authors:
        artifact["contributorship"] = {"complete": bool(s["authors"].get("complete", True)),
                                       "entry": [{"contributor": {"display": a}} for a in authors]}
    # Nothing known about the publication: say so rather than invent a title.
    return {"resourceType": "Citation", "id": sid, "status": "active", "copyright": LICENCE_TEXT, "version": ed.label,
            "citedArtifact": artifact or {"note": [{"text": "Title, authors and identifiers not known."}]}}


def outcome_evidence(sid: str, s: dict[str, Any], o: dict[str, Any], citation_url: str) -> dict[str, Any]:
    arms = {a["id"]: a for a in s.get("arms", [])}
    arm = arms.get(o.get("arm"))
    v = o["value"]
    checks = {c["id"]: c for c in s["provenance"]["checks"]}
    statistic: dict[str, Any] = {"description": value_text(v), "statisticType": {"text": STATISTIC[v["type"]]}}
    if v["type"] == "count":
        statistic["numberOfEvents"] = v["n"]
        statistic["sampleSize"] = {"knownDataCount": v["of"]}
    elif v.get("value") is not None and v["type"] != "qualitative":
        statistic["quantity"] = {"value": v["value"], **({"unit": v["unit"]} if v.get("unit") else {})}
    elif v["type"] == "percentage":
        statistic["quantity"] = {"value": v["percent"], "unit": "%"}
    if v.get("ci"):
        statistic["attributeEstimate"] = [{"type": {"text": "confidence interval"}, "level": 0.95,
                                           "range": {"low": {"value": v["ci"][0]}, "high": {"value": v["ci"][1]}}}]
    notes = [f"Where in the source: {locator(o['locator'], checks)}."]
    if o.get("status") == "unverified":
        notes.append("Not verified on the source: " + o.get("reason", ""))
    if o.get("note"):
        notes.append(o["note"])
    population = arm["label"] if arm else "whole study population"
    if o.get("subgroup"):
        population += f"; {o['subgroup']}"
    measured = o["measure"] + (f" ({timepoint(o['timepoint'])})" if o.get("timepoint") else "")
    return {
        "resourceType": "Evidence", "id": f"{sid}--{o['id']}", "status": "active",
        "citeAsReference": {"reference": citation_url},
        "variableDefinition": [{"variableRole": {"text": "population"}, "description": population},
                               {"variableRole": {"text": "measured variable"}, "description": measured}],
        "statistic": [statistic], "note": [{"text": n} for n in notes if n],
    }


def bundle(kb: KnowledgeBase, ed: Edition, name: str, url: str | None) -> dict[str, Any]:
    entries = [{"fullUrl": _urn("citation", "poemskb"), "resource": kb_citation(name, ed, url)}]
    for sid, s in kb.studies.items():
        citation_url = _urn("citation", sid)
        entries.append({"fullUrl": citation_url, "resource": study_citation(sid, s, ed)})
        for o in s.get("outcomes", []):
            entries.append({"fullUrl": _urn("evidence", sid, o["id"]), "resource": outcome_evidence(sid, s, o, citation_url)})
    return {"resourceType": "Bundle", "id": "poemskb", "type": "collection", "identifier": {"value": f"sha256:{ed.records_sha256}"},
            "entry": entries}


def bundle_json(kb: KnowledgeBase, ed: Edition, name: str, url: str | None) -> str:
    return json.dumps(bundle(kb, ed, name, url), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
