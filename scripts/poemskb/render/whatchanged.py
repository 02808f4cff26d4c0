"""The "What changed" page (generated/what-changed.md): for each release and for the changes
since the newest one, what a reader of the evidence would want to know, in words: studies
added and removed, figures added, changed and removed (old → new, with the study and
where in the source), citation facts, findings and certainty ratings, each linked to
the record's page. Made from history.py (releases found in the git history) over the
evidence diff (changes.py). Every piece of record text goes through the HTML builders.
"""
from __future__ import annotations

from typing import Any

from .. import describe
from ..changes import EvidenceDiff, RecordChange
from ..history import History, Step
from . import fmt, links
from .context import Site
from .html import Cell, Html, el, join, link, table, ul
from .page import Page, para

PATH = links.WHAT_CHANGED
KIND_WORDS = {"study": ("study", "studies"), "regimen": ("treatment", "treatments"), "measure": ("outcome measure", "outcome measures"),
              "finding": ("review finding", "review findings"), "criteria": ("set of diagnostic criteria", "sets of diagnostic criteria")}
WHAT_WORDS = {"value": "value", "locator": "where in the source", "status": "confirmation", "arm": "arm",
              "measure": "outcome measure", "other details": "other details (time point, subgroup, note)",
              "added": "figure added", "removed": "figure removed", "became verified": "confirmation", "n": "number of patients",
              "regimen": "treatment", "dose": "dose", "declared": "overlap declared", "withdrawn": "overlap withdrawn", "changed": "overlap changed"}
STATUS_WORDS = {"verified": "confirmed on the source", "unverified": "not confirmed", "unknown": "not known", "—": "—"}
FIELD_WORDS = {"summary": "summary", "plain_summary": "plain-language summary", "provenance": "sources it was checked against",
               "label": "short name", "definition_source": "where the definition comes from", "also_known_as": "other names",
               "misspellings": "search spellings", "setting": "setting", "certainty": "certainty ratings", "scope": "scope",
               "statement": "statement", "definition": "definition", "registrations": "trial registrations", "source": "source",
               "searches": "searches", "case": "case details", "cites": "studies it cites", "enrolment": "enrolment dates",
               "population": "population", "follow_up": "follow-up", "name": "name", "current_to": "date it is current to"}
CITATION_WORDS = {"title": "Title", "authors": "Authors", "journal": "Journal", "year": "Year", "volume": "Volume", "issue": "Issue",
                  "pages": "Pages", "doi": "DOI", "pmid": "PubMed ID", "pmcid": "PubMed Central ID"}


def anchor(step: Step) -> str:
    if step.release is None:
        return f"since-{step.since.version.replace('.', '-')}" if step.since else "since"
    return f"release-{step.release.version.replace('.', '-')}"


def render_what_changed(site: Site, history: History) -> Page:
    page = Page(PATH, "What changed")
    state = ("these pages show exactly that release" if site.edition.is_release
             else f"these pages show “{site.release}”, the changes below included")
    page.html(para("What changed in the evidence from one release of the knowledge base to the next, and since the "
                   "newest release: studies added or removed, figures corrected, facts newly confirmed, findings and "
                   f"certainty ratings. Cite a release by its version and date; {state}."),
              el("p", join(["How records are made and checked is on the ", link(links.href(PATH, links.METHODS), "methods page"),
                            "; what could not be checked in each study is listed on ",
                            link(links.href(PATH, links.NOT_CHECKED), "what we could not check"), "."])))
    if history.unavailable:
        page.html(el("p", join([el("strong", "The history of changes is not available here: "), history.unavailable,
                                ". Earlier releases cannot be compared with these records."]), class_="poems-history-unavailable"))
        return page
    page.html(ul(link(f"#{anchor(s)}", _step_title(s)) for s in history.steps))
    for step in history.steps:
        page.h(2, _step_title(step), anchor(step))
        page.html(_step(site, step))
    return page


def _step_title(step: Step) -> str:
    if step.release is None:
        return f"Since release {step.since.version}" if step.since else "Since the newest release"
    return f"Release {step.release.version} ({fmt.date(step.release.date)})"


def _step(site: Site, step: Step) -> Html:
    rel = step.release or step.since
    where = el("p", join(["State of the records: git commit ", el("code", rel.commit[:12]), f", found as {rel.found_by}."]),
               class_="poems-history-state") if step.release else ""
    if step.diff is None:
        return join([where, _first(site, step.first)])
    return join([where, _diff(site, step.diff)])


def _first(site: Site, records: list[tuple[str, str, str]]) -> Html:
    counts = {k: sum(1 for kind, _, _ in records if kind == k) for k in KIND_WORDS}
    parts = [para("The first release: " + ", ".join(f"{n} {_kind(k, n)}" for k, n in counts.items() if n) + ".")]
    studies = [(rid, title) for kind, rid, title in records if kind == "study"]
    if studies:
        parts.append(el("p", el("strong", "Studies in this release:")))
        parts.append(ul(_record_link(site, "study", rid, title) for rid, title in studies))
    return join(parts)


def _kind(kind: str, n: int) -> str:
    one, many = KIND_WORDS.get(kind, (kind, kind))
    return one if n == 1 else many


def _record_link(site: Site, kind: str, rid: str, fallback: str = "") -> Html:
    """The record's name linked to its page while it exists; its old title otherwise."""
    kb = site.kb
    if kind == "study" and rid in kb.studies:
        return link(links.href(PATH, links.study_page(rid)), site.study_label(rid), title=site.study_title(rid))
    if kind == "regimen" and rid in kb.regimens:
        return link(links.href(PATH, links.regimen_page(rid)), site.regimen_label(rid))
    if kind == "measure" and rid in kb.measures:
        return link(links.href(PATH, links.MEASURES, rid), site.measure_name(rid))
    if kind == "finding" and rid in kb.findings:
        statement = kb.findings[rid]["statement"]
        return link(links.href(PATH, links.FINDINGS, rid), statement if len(statement) <= 90 else statement[:89].rstrip() + "…")
    if kind == "criteria" and rid in kb.criteria:
        return link(links.href(PATH, links.CRITERIA, rid), kb.criteria[rid]["name"])
    return join([fallback or "title not known", " (no longer in the knowledge base)"])


def _diff(site: Site, diff: EvidenceDiff) -> Html:
    if not (diff.added or diff.removed or diff.renamed or diff.changed):
        return para("No record changed.")
    parts = [para(_counts(diff))]
    for title, entries in (("Added", diff.added), ("Removed", diff.removed)):
        for kind in KIND_WORDS:
            chosen = [e for e in entries if e["kind"] == kind]
            if chosen:
                parts.append(el("p", el("strong", f"{_kind(kind, 2).capitalize()} {title.lower()} ({len(chosen)}):")))
                parts.append(ul(_record_link(site, kind, e["id"], e["title"]) for e in chosen))
    if diff.renamed:
        parts.append(el("p", el("strong", f"Records given a new address ({len(diff.renamed)}):")))
        parts.append(ul(_record_link(site, r["kind"], r["to"]) for r in diff.renamed))
    parts += [_figures(site, diff.changed), _citations(site, diff.changed), _treatment_details(site, diff.changed),
              _findings(site, diff.changed), _ratings(site, diff.changed), _other(site, diff.changed)]
    return join(parts)


def _counts(diff: EvidenceDiff) -> str:
    bits = []
    for what, entries in (("added", diff.added), ("removed", diff.removed)):
        for kind in KIND_WORDS:
            n = sum(1 for e in entries if e["kind"] == kind)
            if n:
                bits.append(f"{n} {_kind(kind, n)} {what}")
    n = len(diff.changed)
    if n:
        bits.append(f"{n} record{'s' if n != 1 else ''} changed")
    return "In short: " + "; ".join(bits) + "."


def _items(changes: list[RecordChange], sections: tuple[str, ...]) -> list[tuple[RecordChange, dict[str, str]]]:
    return [(c, i) for c in changes for i in c.items if i["section"] in sections]


def _status(text: str) -> str:
    return STATUS_WORDS.get(text, text)


def _outcome(change: RecordChange, local: str) -> tuple[dict, dict]:
    """The outcome as it was and as it is (empty where it did not exist)."""
    def find(data: dict) -> dict:
        return next((o for o in data.get("outcomes") or [] if isinstance(o, dict) and str(o.get("id")) == local), {})
    return find(change.sides[0]), find(change.sides[1])


def _figure_name(site: Site, change: RecordChange, old: dict, new: dict) -> str:
    o = new or old
    data = change.sides[1] if new else change.sides[0]
    measure = str(o.get("measure", ""))
    arms = {a.get("id"): a.get("label") for a in data.get("arms") or [] if isinstance(a, dict)}
    name = site.measure_name(measure) if measure in site.kb.measures else measure.replace("-", " ")
    extra = [x for x in (arms.get(o.get("arm")), o.get("subgroup"), describe.timepoint(o.get("timepoint")) if isinstance(o.get("timepoint"), dict) else "") if x]
    return name + (f" ({'; '.join(str(x) for x in extra)})" if extra else "")


def _locator(site: Site, data: dict, loc: Any) -> str:
    try:
        checks = {c["id"]: c for c in data.get("provenance", {}).get("checks", [])}
        return describe.locator(loc, checks, site.study_labels) if isinstance(loc, dict) else ""
    except (KeyError, TypeError, AttributeError):
        return ""


def _figures(site: Site, changes: list[RecordChange]) -> Html:
    rows = []
    for change, item in _items(changes, ("outcomes",)):
        old, new = _outcome(change, item["item"])
        before, after = item["before"], item["after"]
        if item["what"] == "status":
            before, after = _status(before), _status(after)
        data, o = (change.sides[1], new) if new else (change.sides[0], old)
        rows.append([Cell(_record_link(site, change.kind, change.id), header=True), _figure_name(site, change, old, new),
                     WHAT_WORDS.get(item["what"], item["what"]), before, after, _locator(site, data, o.get("locator"))])
    if not rows:
        return Html("")
    return join([el("p", el("strong", f"Figures added, changed or removed ({len(rows)}):")),
                 table(["Study", "Figure", "What changed", "Before", "After", "Where in the source"], rows,
                       caption="Figures: old → new", labels=True)])


def _citations(site: Site, changes: list[RecordChange]) -> Html:
    rows = []
    for change, item in _items(changes, ("citation", "identifiers")):
        before, after = item["before"], item["after"]
        if item["what"] in ("status", "became verified"):
            before, after = _status(before), _status(after)
        rows.append([Cell(_record_link(site, change.kind, change.id), header=True), CITATION_WORDS.get(item["item"], item["item"]),
                     WHAT_WORDS.get(item["what"], item["what"]), before, after])
    if not rows:
        return Html("")
    return join([el("p", el("strong", f"Citation details ({len(rows)}):")),
                 table(["Study", "Detail", "What changed", "Before", "After"], rows, caption="Citation details: old → new", labels=True)])


def _treatment_details(site: Site, changes: list[RecordChange]) -> Html:
    rows = []
    for change, item in _items(changes, ("arms", "population", "overlaps", "doses")):
        what, before, after = WHAT_WORDS.get(item["what"], item["what"]), item["before"], item["after"]
        if item["section"] == "overlaps":
            # The relation in words, never the old basis text (earlier curators' notes).
            what_item = join(["shared patients with ", _record_link(site, "study", item["item"])])
            before, after = (_relation(side, item["item"]) for side in change.sides)
            if before == after:
                what = "the stated reason was reworded"
        else:
            what_item = item["item"] if item["section"] == "doses" else {"arms": "arm", "population": "study population"}[item["section"]]
        rows.append([Cell(_record_link(site, change.kind, change.id), header=True), what_item, what, before, after])
    if not rows:
        return Html("")
    return join([el("p", el("strong", f"Patients, arms and doses ({len(rows)}):")),
                 table(["Record", "Item", "What changed", "Before", "After"], rows, caption="Patients, arms and doses: old → new", labels=True)])


RELATIONS = {"same-cohort": "same patients", "subset-of": "its patients are among the other's", "superset-of": "includes the other's patients",
             "partial": "some patients shared", "possible": "may share patients"}


def _relation(data: dict, other: str) -> str:
    for o in data.get("overlaps") or []:
        if isinstance(o, dict) and str(o.get("study")) == other:
            return RELATIONS.get(str(o.get("relation")), str(o.get("relation")))
    return "—"


def _findings(site: Site, changes: list[RecordChange]) -> Html:
    items = []
    for change in (c for c in changes if c.kind == "finding"):
        old, new = change.sides
        bits = [_record_link(site, "finding", change.id)]
        if old.get("statement") != new.get("statement"):
            bits += [": the statement was “", str(old.get("statement", "")), "” and is now “", str(new.get("statement", "")), "”"]
        other = [FIELD_WORDS.get(f, f.replace("_", " ")) for f in change.other_fields if f != "statement"]
        if other:
            bits.append(f" (also changed: {', '.join(other)})")
        items.append(join(bits))
    if not items:
        return Html("")
    return join([el("p", el("strong", f"Review findings changed ({len(items)}):")), ul(items)])


def _ratings(site: Site, changes: list[RecordChange]) -> Html:
    rows = []
    for change in (c for c in changes if c.kind == "regimen" and "certainty" in c.other_fields):
        old, new = (_levels(side) for side in change.sides)
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                population, measure = key
                name = site.measure_name(measure) if measure in site.kb.measures else measure.replace("-", " ")
                rows.append([Cell(_record_link(site, "regimen", change.id), header=True), name, fmt.label(population),
                             fmt.label(old.get(key, "—")), fmt.label(new.get(key, "—"))])
    if not rows:
        return Html("")
    return join([el("p", el("strong", f"Certainty ratings changed ({len(rows)}):")),
                 table(["Treatment", "Outcome measure", "Patients", "Before", "After"], rows, caption="Certainty of the evidence: old → new", labels=True)])


def _levels(regimen: dict) -> dict[tuple[str, str], str]:
    out = {}
    for rating in regimen.get("certainty") or []:
        for o in rating.get("outcomes") or [] if isinstance(rating, dict) else []:
            if isinstance(o, dict):
                out[(str(rating.get("population")), str(o.get("measure")))] = str(o.get("level"))
    return out


def _other(site: Site, changes: list[RecordChange]) -> Html:
    items = []
    for change in changes:
        fields = [f for f in change.other_fields if not (change.kind == "finding" or (change.kind == "regimen" and f == "certainty"))]
        if fields:
            items.append(join([_record_link(site, change.kind, change.id), ": ",
                               ", ".join(FIELD_WORDS.get(f, f.replace("_", " ")) for f in fields)]))
    if not items:
        return Html("")
    return join([el("p", el("strong", f"Text and sources revised ({len(items)}):")), ul(items)])
