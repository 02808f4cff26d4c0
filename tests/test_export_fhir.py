"""The FHIR R5 Bundle: validated by the fhir.resources models; one Citation per study
(and one for the knowledge base), one Evidence per reported figure, identifiers intact."""
from __future__ import annotations

import json

from poemskb.export import export_files


def test_the_bundle_validates_and_holds_every_outcome(kb):
    from fhir.resources.bundle import Bundle

    data = json.loads(dict(export_files(kb))["fhir-bundle.json"])
    bundle = Bundle.model_validate(data)
    resources = [e.resource for e in bundle.entry]
    citations = {r.id: r for r in resources if r.get_resource_type() == "Citation"}
    evidence = [r for r in resources if r.get_resource_type() == "Evidence"]
    assert set(citations) == {"poemskb", *kb.studies}
    assert len(evidence) == sum(len(s.get("outcomes", [])) for s in kb.studies.values())
    misawa = citations["misawa-2016-jpost-thalidomide"].citedArtifact
    assert {i.value for i in misawa.identifier} >= {"10.1016/S1474-4422(16)30157-0", "27496680"}
    assert len(misawa.contributorship.entry) == 24
    assert "CC BY 4.0" in citations["poemskb"].copyright
    urls = {e.fullUrl for e in bundle.entry}
    assert all(ev.citeAsReference.reference in urls for ev in evidence)
    gao = next(ev for ev in evidence if ev.id.startswith("gao-2021-skin-low-dose-rd--"))
    stat = gao.statistic[0]
    assert stat.numberOfEvents is not None and stat.sampleSize.knownDataCount is not None
