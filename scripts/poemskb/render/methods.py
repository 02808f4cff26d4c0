"""Generated parts of the methods page (docs/methods.md includes them): the evidence
levels read from the schema's x-evidence-level, the record kinds and the verification
vocabulary, so the prose around them can never disagree with the validator."""
from __future__ import annotations

from . import fmt, links
from .context import Site
from .dictionary import KIND_FOLDERS, KIND_ORDER
from .html import Cell, el, link, table
from .page import Partial

LEVELS = f"{links.GENERATED}/partials/methods-levels.md"
KINDS = f"{links.GENERATED}/partials/methods-kinds.md"
VERIFICATION = f"{links.GENERATED}/partials/methods-verification.md"


def render_methods(site: Site) -> list[Partial]:
    host = links.METHODS
    schemas = site.kb.schemas
    described = schemas.describe("study", "properties", "design")

    levels = Partial(LEVELS, host)
    rows = [[Cell(site.design_label(d), header=True), described.get(d, ""),
             Cell("Review (no level)" if schemas.evidence_levels[d] == "review" else schemas.evidence_levels[d], sort=schemas.evidence_levels[d]),
             Cell(str(site.counts_by_design.get(d, 0)), sort=site.counts_by_design.get(d, 0))] for d in schemas.designs]
    levels.html(table(["Design", "What it means", "Evidence level", "Studies now"], rows,
                      caption="Evidence level of each design (from the study schema)", search=True))

    kinds = Partial(KINDS, host)
    counts = {k: len(site.kb.by_kind.get(k, {})) for k in KIND_ORDER}
    rows = [[Cell(link(links.href(host, links.DICTIONARY, f"kind-{k}"), schemas.documents[k].get("title", k)), header=True),
             el("code", f"evidence/{KIND_FOLDERS[k]}/"), schemas.documents[k].get("description", ""), str(counts[k])] for k in KIND_ORDER]
    kinds.html(table(["Record kind", "Folder", "What it holds", "Records now"], rows, caption="Record kinds", search=True, data_nosort=True))

    verification = Partial(VERIFICATION, host)
    common = schemas.common["$defs"]
    statuses = schemas.describe("common", "$defs", "status")
    checks = dict(zip(common["check"]["properties"]["against"]["enum"], common["check"]["properties"]["against"]["enumDescriptions"]))
    locators = dict(zip(common["locator"]["properties"]["in"]["enum"], common["locator"]["properties"]["in"]["enumDescriptions"]))
    verification.h(3, "Status of a fact", "fact-status")
    verification.html(table(["Status", "Meaning"], [[Cell(s, header=True), d] for s, d in statuses.items()],
                            caption="Verification status", search=True, data_nosort=True))
    verification.h(3, "What a record can be checked against", "check-kinds")
    verification.html(table(["Source read", "Meaning"], [[Cell(fmt.label(s), header=True), d] for s, d in checks.items()],
                            caption="Kinds of check", search=True, data_nosort=True))
    verification.h(3, "Locators", "locators")
    verification.html(table(["Part of the source", "Meaning"], [[Cell(fmt.label(s), header=True), d] for s, d in locators.items()],
                            caption="Where a figure can stand", search=True, data_nosort=True))
    return [levels, kinds, verification]
