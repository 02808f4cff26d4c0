"""A page per study (generated/studies/<id>.md) and the studies index."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..describe import OPEN_STATUS, open_items, volume_issue_pages
from . import fmt, links, names
from .context import CITATION_FIELDS, Site, outcome_n
from .html import Cell, Column, Html, badge, el, esc, external, fmt as h, join, link, ul
from .html import table as _table
from .page import Page, para

FIELD_NAMES = {"title": "Title", "authors": "Authors", "journal": "Journal", "year": "Year",
               "volume": "Volume", "issue": "Issue", "pages": "Pages", "doi": "DOI",
               "pmid": "PubMed ID", "pmcid": "PubMed Central ID"}



def table(*args: Any, **values: Any) -> Html:
    """A study page's tables are searchable (a reader looks for a figure or an arm): the
    page does not grow with the knowledge base, so its search excerpt stays small. The
    index and the sections marked search=False stay out."""
    values.setdefault("search", True)
    return _table(*args, **values)


REGISTRIES = {"NCT": "ClinicalTrials.gov", "UMIN": "UMIN Clinical Trials Registry", "ChiCTR": "Chinese Clinical Trial Registry",
              "jRCT": "Japan Registry of Clinical Trials", "EudraCT": "EU Clinical Trials Register", "ISRCTN": "ISRCTN registry"}


ABSTRACT_ONLY = ("From the abstract only: only the abstract (or a weaker copy) was read for this record, so its "
                 "figures may lack the detail, denominators and caveats of the full paper.")


def render_study(site: Site, sid: str) -> Page:
    s = site.kb.studies[sid]
    path = links.study_page(sid)
    checks = {c["id"]: c for c in s["provenance"]["checks"]}
    page = Page(path, site.study_title(sid))
    page.search_title = site.study_label(sid)
    page.html(_overview(site, sid, path), names.study_search_words(site, sid))
    page.h(2, "Citation", "citation").html(_citation(site, sid, path, checks))
    page.h(2, "Design and evidence level", "design").html(_design(site, sid, path))
    page.h(2, "Population and setting", "population").html(_population(s, checks, site.study_labels))
    if s.get("arms"):
        page.h(2, "Arms", "arms").html(_arms(site, sid, path, checks))
    if s.get("outcomes"):
        page.h(2, "Outcomes", "outcomes").html(join([para(ABSTRACT_ONLY) if site.abstract_only(sid) else "",
                                                     _outcomes(site, sid, path, checks)]))
    if s.get("case"):
        page.h(2, "The case", "case").html(_case(site, s, path, checks))
    if s.get("criteria"):
        page.h(2, "Diagnostic criteria", "criteria").html(ul(
            link(links.href(path, links.CRITERIA, cid), site.kb.criteria[cid]["name"]) for cid in s["criteria"]))
    # Only the title, summaries and citation are indexed for search; the rest of the
    # page is for reading once a reader has found the study.
    page.h(2, "Patient overlap with other studies", "overlaps").html(_overlaps(site, sid, path), search=False)
    page.h(2, "Citations", "cited-by").html(_citations(site, sid, path), search=False)
    page.h(2, "What it was checked against", "provenance").html(_provenance(s, checks), search=False)
    page.h(2, "What could not be checked", "verification").html(_verification(site, sid, path), search=False)
    _cite_this_record(site, page, sid, path)
    page.html(record_actions(site, "study", sid, path), search=False)
    return page


def _cite_this_record(site: Site, page: Page, sid: str, path: str) -> None:
    """'Cite this record' and the page-head citation metadata (render/cite.py)."""
    from . import cite

    page.front.update(cite.study_head(site, sid))
    page.h(2, "Cite this record", "how-to-cite").html(cite.cite_section(site, "study", sid, path), search=False)


def _overview(site: Site, sid: str, path: str) -> Html:
    s = site.kb.studies[sid]
    open_facts = site.unverified_facts(sid)
    unverified = sum(1 for _, f in open_facts if f.get("status") == "unverified")
    unknown = sum(1 for _, f in open_facts if f.get("status") == "unknown")
    marks = [badge("design", site.design_label(s["design"])), badge("level", site.level_label(sid))]
    if s.get("outcomes") and site.abstract_only(sid):
        marks.append(badge("abstract-only", "From the abstract only", title=ABSTRACT_ONLY))
    if unverified:
        marks.append(badge("unverified", f"{unverified} unverified"))
    if unknown:
        marks.append(badge("unknown", f"{unknown} unknown"))
    status_line = h('<p class="poems-badges" data-search-exclude>{} <a href="#verification">What could not be checked</a></p>',
                    join(marks, " ")) if open_facts else el("p", join(marks, " "), class_="poems-badges", data_search_exclude=True)
    return join([
        status_line,
        para(s["summary"]),
        h('<p><strong>In plain language:</strong> {}</p>', s["plain_summary"]) if s.get("plain_summary") else "",
    ])


# Citation -------------------------------------------------------------------------------
def citation_line(site: Site, sid: str) -> Html:
    """Authors. Title. Journal. Year;Volume(Issue):Pages. Unknown parts say so."""
    s = site.kb.studies[sid]

    def part(field: str, missing: str) -> Html:
        fact = s.get(field)
        if not fact or fact.get("value") is None:
            return el("span", missing, class_="poems-missing")
        text = fmt.fact_value(fact)
        if fact.get("status") == "unverified":
            return join([esc(text), " ", fmt.status_badge("unverified")])
        return esc(text)

    tail = volume_issue_pages(s)
    return join([
        part("authors", "[authors not known]"), ". ",
        part("title", "[title not known]"), ". ",
        part("journal", "[journal not known]"), ". ",
        part("year", "[year not known]"), esc(tail), ".",
    ])


def identifier_links(s: dict[str, Any]) -> list[Html]:
    items = []
    for field, name, url in (("doi", "DOI", links.doi_url), ("pmid", "PubMed", links.pubmed_url), ("pmcid", "PubMed Central", links.pmc_url)):
        fact = s.get(field)
        if fact and fact.get("value"):
            target = external(url(str(fact["value"])), f"{name} {fact['value']}")
            items.append(join([target, " ", fmt.status_badge(fact.get("status"), fact.get("reason"))]))
    for reg in s.get("registrations", []):
        url = links.registry_url(reg["registry"], reg["value"])
        text = f"Trial registration {reg['value']} ({REGISTRIES.get(reg['registry'], reg['registry'])})"
        shown = external(url, text) if url else esc(text + " (no direct link for this registry)")
        items.append(join([shown, " ", fmt.status_badge(reg.get("status"), reg.get("reason"))]))
    return items


def _citation(site: Site, sid: str, path: str, checks: dict) -> Html:
    s = site.kb.studies[sid]
    idents = identifier_links(s)
    rows = []
    for field in CITATION_FIELDS:
        fact = s.get(field)
        if not fact:
            continue
        rows.append([Cell(FIELD_NAMES[field], header=True), fmt.esc_or_dash(fmt.fact_value(fact)),
                     _status_cell(fact), _seen_on(fact, checks), fact.get("reason") or fact.get("note") or ""])
    for reg in s.get("registrations", []):
        rows.append([Cell(f"Registration ({reg['registry']})", header=True), reg["value"], _status_cell(reg),
                     _seen_on(reg, checks), reg.get("reason") or reg.get("note") or ""])
    return join([
        el("p", citation_line(site, sid), class_="poems-citation"),
        ul(idents, class_="poems-identifiers") if idents else para("No DOI, PubMed or registry identifier is known for this record."),
        table(["Field", "Value", "Status", "Seen on", "Reason or note"], rows,
              caption="Each citation fact and how it was verified", data_nosort=True, labels=True),
    ])


def _status_cell(fact: dict) -> Html:
    status = fact.get("status", "verified")
    if status == "verified":
        return el("span", "Verified", class_="poems-verified")
    return fmt.status_badge(status)


def _seen_on(fact: dict, checks: dict) -> Html | str:
    check = checks.get(fact.get("check", ""))
    return fmt.seen_on(check) if check else ""


# Design, population --------------------------------------------------------------------
def _design(site: Site, sid: str, path: str) -> Html:
    s = site.kb.studies[sid]
    described = site.kb.schemas.describe("study", "properties", "design")
    level = site.level(sid)
    level_text = "a review (no evidence level of its own)" if level == "review" else f"level {level}"
    rows = [
        [Cell("Design", header=True), join([esc(site.design_label(s["design"])), ": ", esc(described.get(s["design"], ""))])],
        [Cell("Evidence level", header=True), join([esc(level_text), " (",
            link(links.href(path, links.METHODS, "evidence-levels"), "how levels are assigned"), ")"])],
        [Cell("Publication type", header=True), fmt.label(s["publication_type"])],
    ]
    if s.get("phase"):
        rows.append([Cell("Trial phase", header=True), s["phase"]])
    if s.get("language"):
        rows.append([Cell("Language of the text read", header=True), ", ".join(s["language"])])
    return table(["Item", "Value"], rows, caption="Design", data_nosort=True)


def _population(s: dict, checks: dict, names: dict[str, str]) -> Html:
    pop = s["population"]
    rows = [[Cell("Disease stage", header=True), fmt.label(pop["status"]), ""],
            [Cell("Patients", header=True), fmt.n_text(pop.get("n")), fmt.locator(pop.get("locator"), checks, names)]]
    if pop.get("age"):
        rows.append([Cell("Age", header=True), fmt.age(pop["age"]), ""])
    if pop.get("sex"):
        sex = pop["sex"]
        rows.append([Cell("Sex", header=True), f"{sex.get('male', 'not given')} male, {sex.get('female', 'not given')} female", ""])
    for key, name in (("eligibility", "Eligibility"), ("description", "Description")):
        if pop.get(key):
            rows.append([Cell(name, header=True), pop[key], ""])
    setting = s.get("setting")
    if setting:
        parts = []
        if setting.get("centres") is not None:
            parts.append(f"{setting['centres']} centre{'s' if setting['centres'] != 1 else ''}")
        if setting.get("institutions"):
            parts.append("; ".join(setting["institutions"]))
        if setting.get("countries"):
            parts.append("countries: " + ", ".join(setting["countries"]))
        rows.append([Cell("Setting", header=True), "; ".join(parts) or "not given", fmt.locator(setting.get("locator"), checks, names)])
    enrol = s.get("enrolment")
    if enrol:
        text = " to ".join(x for x in (fmt.date(enrol.get("start")), fmt.date(enrol.get("end"))) if x)
        rows.append([Cell("Enrolment or treatment", header=True), text or "not given", fmt.locator(enrol.get("locator"), checks)])
    follow = s.get("follow_up")
    if follow:
        text = fmt.follow_up(follow)
        if follow.get("description") and follow.get("description") != text:
            text = f"{text}. {follow['description']}" if text else follow["description"]
        rows.append([Cell("Follow-up", header=True), text, fmt.locator(follow.get("locator"), checks)])
    return table(["Item", "As reported", "Where in the source"], rows, caption="Population and setting", data_nosort=True, labels=True)


# Arms and outcomes ---------------------------------------------------------------------
def _regimen_link(site: Site, path: str, rid: str) -> Html:
    if rid in site.kb.regimens:
        return link(links.href(path, links.regimen_page(rid)), site.regimen_label(rid))
    return esc(rid)


def _modification(m: dict) -> str:
    parts = [m.get("description") or f"{m['agent']}: {fmt.words(m['change'])}"]
    if m.get("dose") and not m.get("description"):
        parts.append(fmt.dose(m["dose"]))
    return " ".join(parts)


def _arms(site: Site, sid: str, path: str, checks: dict) -> Html:
    rows = []
    for arm in site.kb.studies[sid]["arms"]:
        steps = []
        for step in arm.get("steps", []):
            bits = [_regimen_link(site, path, step["regimen"]), esc(f" ({step['role']}")]
            if step.get("cycles"):
                bits.append(esc(f", {step['cycles']} cycles"))
            if step.get("start"):
                bits.append(esc(f", from {fmt.date(step['start'])}"))
            bits.append(esc(")"))
            detail = [_modification(m) for m in step.get("modifications", [])]
            if step.get("note"):
                detail.append(step["note"])
            if detail:
                bits.append(ul(detail))
            steps.append(join(bits))
        n = fmt.n_text(arm.get("n"))
        if arm.get("n_analysed") is not None:
            n += f" ({arm['n_analysed']} analysed)"
        rows.append([Cell(arm["label"], header=True), _regimen_link(site, path, arm["regimen"]),
                     Cell(n, sort=arm.get("n")),
                     el("ol", join(el("li", st) for st in steps)) if steps else "",
                     ul(_modification(m) for m in arm.get("modifications", [])),
                     arm.get("note", ""), fmt.locator(arm.get("locator"), checks, site.study_labels)])
    return table(["Arm", "Defining regimen", Column("Patients", numeric=True), "Treatment steps",
                  "Changes to the regimen", "Note", "Where stated"], rows, caption="Treatment arms", labels=True)


def _outcomes(site: Site, sid: str, path: str, checks: dict) -> Html:
    s = site.kb.studies[sid]
    arm_labels = {a["id"]: a["label"] for a in s.get("arms", [])}
    arms = {a["id"]: a for a in s.get("arms", [])}
    rows = []
    for o in s["outcomes"]:
        n = outcome_n(o, arms.get(o.get("arm")), s)
        arm = arm_labels.get(o.get("arm"), "Whole study population") if o.get("arm") else "Whole study population"
        if o.get("after"):
            arm += f", after {site.regimen_label(o['after'])}"
        detail = [x for x in (o.get("subgroup"), f"grade {o['grade']}" if o.get("grade") else "") if x]
        status = fmt.status_badge(o.get("status"), o.get("reason")) if o.get("status") == "unverified" else el("span", "Verified", class_="poems-verified")
        rows.append([
            Cell(link(links.href(path, links.MEASURES, o["measure"]), site.measure_name(o["measure"])), sort=site.measure_name(o["measure"])),
            arm, "; ".join(detail), fmt.timepoint(o.get("timepoint")),
            Cell(fmt.value_text(o["value"]), sort=fmt.sort_key(o["value"])),
            Cell(fmt.n_text(n) if n is not None else "–", sort=n if n is not None else ""),
            fmt.p_text(o.get("p"), arm_labels), o.get("note", ""),
            fmt.locator(o["locator"], checks, site.study_labels), status,
        ])
    # labels: on a phone each outcome becomes a card of labelled values (poems.css).
    return table(["Measure", "Arm", "Subgroup or grade", "Time point", Column("Value as reported", numeric=True),
                  Column("n", numeric=True), "p", "Note", "Where in the source", "Status"], rows,
                 caption="Every outcome the source reports, with where it stands", id="outcomes-table", labels=True)


def _case(site: Site, s: dict, path: str, checks: dict) -> Html:
    case = s["case"]
    parts = [para(f"{fmt.label(case['sex'])}, {case['age']} years. {case['presentation']}")]
    if case.get("findings"):
        rows = []
        for f in case["findings"]:
            value = f.get("value", "")
            value = f"{f.get('comparator', '')}{fmt.num(value)}" if value != "" else ""
            if f.get("unit"):
                value += f" {f['unit']}"
            rows.append([Cell(f["name"], header=True), value, f.get("reference_range", ""),
                         f.get("interpretation", ""), fmt.locator(f["locator"], checks)])
        parts.append(table(["Finding", "Value", "Reference range", "Interpretation", "Where"], rows,
                           caption="Findings at diagnosis", labels=True))
    met = case.get("criteria_met")
    if met:
        crit = site.kb.criteria.get(met["criteria"], {})
        texts = {i["id"]: i["text"] for g in crit.get("groups", []) for i in g["items"]}
        parts.append(h("<p>Diagnostic criteria applied: {} ({}).</p>",
                       link(links.href(path, links.CRITERIA, met["criteria"]), crit.get("name", met["criteria"])),
                       fmt.locator(met["locator"], checks)))
        parts.append(table(["Criterion", "The patient's finding"],
                           [[Cell(texts.get(m["criterion"], m["criterion"]), header=True), m["evidence"]] for m in met["met"]],
                           caption="Criteria the patient met"))
    if case.get("timeline"):
        parts.append(table(["Date", "Event", "Where"],
                           [[Cell(fmt.date(t["date"]), sort=t["date"]), t["event"], fmt.locator(t["locator"], checks)] for t in case["timeline"]],
                           caption="Timeline", labels=True))
    return join(parts)


# Relations ------------------------------------------------------------------------------
RELATION_WORDS = {
    "same-cohort": "Same patients as",
    "subset-of": "Its patients are among those of",
    "superset-of": "Includes the patients of",
    "partial": "Shares some patients with",
    "possible": "May share patients with",
}


def _overlaps(site: Site, sid: str, path: str) -> Html:
    items = site.kb.overlaps.get(sid, [])
    if not items:
        return para("No overlap with another study in the knowledge base is declared.")
    return join([
        para("Patient counts elsewhere on this site count same-cohort and subset overlaps once and flag possible ones."),
        ul(h("{} {}: {}", RELATION_WORDS.get(rel, rel), _study_link(site, path, other), basis) for other, rel, basis in items),
    ])


def _study_link(site: Site, path: str, sid: str) -> Html:
    if sid not in site.kb.studies:
        return esc(sid)
    return link(links.href(path, links.study_page(sid)), site.study_label(sid), title=site.study_title(sid))


def _citations(site: Site, sid: str, path: str) -> Html:
    s = site.kb.studies[sid]
    cites = []
    for c in s.get("cites", []):
        bits = [_study_link(site, path, c["study"])]
        if c.get("reference"):
            bits.append(esc(f", reference {c['reference']}"))
        bits.append(esc(f" ({fmt.locator(c['locator'])})"))
        if c.get("identified_by"):
            bits.append(esc(f". Matched: {c['identified_by']}"))
        cites.append(join(bits))
    cited_by = [_study_link(site, path, other) for other in sorted(site.kb.cited_by.get(sid, []))]
    findings = [link(links.href(path, links.FINDINGS, fid), f"Finding: {site.kb.findings[fid]['statement'][:90].rstrip()}…"
                     if len(site.kb.findings[fid]["statement"]) > 90 else f"Finding: {site.kb.findings[fid]['statement']}")
                for fid in site.findings_citing(sid)]
    return join([
        el("p", el("strong", "This study cites:")),
        ul(cites) if cites else para("No study in the knowledge base."),
        el("p", el("strong", "Cited by:")),
        ul(cited_by + findings) if cited_by or findings else para("No record in the knowledge base cites it."),
    ])


def _provenance(s: dict, checks: dict) -> Html:
    rows = []
    for c in s["provenance"]["checks"]:
        where = external(c["url"], c["where"]) if c.get("url") else esc(c["where"])
        rows.append([Cell(c["id"], header=True), fmt.label(c["against"]), where, Cell(fmt.date(c["date"]), sort=c["date"]), c.get("note", "")])
    parts = [table(["Check", "What was read", "Where", "Date", "Note"], rows, caption="Sources this record was checked against",
                   labels=True),
             para(f"Last curated: {fmt.date(s['provenance']['curated'])}.")]
    if s["provenance"].get("notes"):
        parts.append(h("<p><strong>Curator's notes:</strong> {}</p>", s["provenance"]["notes"]))
    return join(parts)


def _verification(site: Site, sid: str, path: str) -> Html:
    """What could not be checked and why, grouped by the record's reason so a reason
    shared by many figures is said once. Facts marked Unverified elsewhere on the page
    are 'not confirmed' here; Unknown ones 'not known'."""
    s = site.kb.studies[sid]
    items = open_items(s, {m: r["name"] for m, r in site.kb.measures.items()})
    parts = []
    if s.get("outcomes") and site.abstract_only(sid):
        parts.append(para("Only the abstract (or a weaker copy of it) was read for this record, not the full paper: its "
                          "figures may lack the detail, denominators and caveats the full text gives."))
    if not items:
        parts.append(para("Every citation fact and every figure in this record was seen on the source named in its check."))
        return join(parts)
    groups: dict[tuple[str, str], list[str]] = {}
    for item in items:
        groups.setdefault((item["status"], item["reason"]), []).append(item["item"])
    rows = [join([badge(status, OPEN_STATUS[status]), " ", el("strong", "; ".join(what)), ". ",
                  el("span", join(["Why: ", reason]), class_="poems-reason")])
            for (status, reason), what in groups.items()]
    unknown = sum(1 for i in items if i["status"] == "unknown")
    parts.append(para(f"{len(items) - unknown} fact{'s' if len(items) - unknown != 1 else ''} could not be confirmed on the "
                      f"publication itself (marked Unverified on this page) and {unknown} "
                      f"{'is' if unknown == 1 else 'are'} not known (marked Unknown):"))
    parts.append(el("ul", join(el("li", r) for r in rows), class_="poems-open-facts"))
    parts.append(el("p", join(["Every study's open items: ", link(links.href(path, links.NOT_CHECKED), "what we could not check"), "."])))
    return join(parts)


# Corrections ----------------------------------------------------------------------------
def repository(root: Path) -> tuple[str, str] | None:
    """(repo_url, edit path prefix) from mkdocs.yml, the one place a fork sets its own
    repository: edit_uri 'edit/main/docs/' gives 'edit/main/' (records live beside docs/,
    not in it). None while repo_url is not set."""
    config = links.mkdocs_config(root)
    repo = config.get("repo_url")
    if not isinstance(repo, str) or not repo.startswith("https://"):
        return None
    edit = config.get("edit_uri") if isinstance(config.get("edit_uri"), str) else "edit/main/docs/"
    edit = edit.strip("/")
    edit = edit[: -len("docs")] if edit.endswith("docs") else edit + "/"
    return repo.rstrip("/"), edit.strip("/")


def record_actions(site: Site, kind: str, rid: str, path: str) -> Html:
    """'Suggest a correction' (the error form with the record id filled in) and 'Edit
    this record' links; while mkdocs.yml names no repository, a pointer to the
    contributing page instead."""
    folder = {"study": "studies", "regimen": "regimens"}[kind]
    repo = repository(site.kb.root)
    if repo is None:
        return el("p", join(["Found an error in this record? ",
                             link(links.href(path, "contributing.md", "reporting-an-error"), "How to report it"), "."]),
                  class_="poems-record-actions")
    base, edit = repo
    form = f"{base}/issues/new?" + urlencode({"template": "report-error.yml", "record": rid, "title": f"Correction: {rid}"})
    return el("p", join([external(form, "Suggest a correction"), " · ",
                         external(f"{base}/{edit}/evidence/{folder}/{rid}.yaml", "Edit this record")]),
              class_="poems-record-actions")


# Index ----------------------------------------------------------------------------------
def render_index(site: Site) -> Page:
    path = links.STUDIES_INDEX
    page = Page(path, "Studies")
    page.html(para(f"All {len(site.kb.studies)} studies in the knowledge base, strongest design first. "
                   "Select a column heading to sort; each study has its own page with every figure and its source."))
    rows = []
    order = sorted(site.kb.studies, key=lambda sid: (site.level_rank(sid), -(site.kb.studies[sid]["year"].get("value") or 0), sid))
    for sid in order:
        s = site.kb.studies[sid]
        regimens = sorted({a["regimen"] for a in s.get("arms", [])})
        open_facts = site.unverified_facts(sid)
        year = s["year"].get("value")
        rows.append([
            Cell(link(links.href(path, links.study_page(sid)), site.study_label(sid)), sort=site.study_label(sid), header=True),
            site.study_title(sid),
            Cell(site.design_label(s["design"]), sort=s["design"]),
            Cell(site.level_label(sid), sort=site.level(sid)),
            Cell(fmt.n_text(s["population"].get("n")) if s["population"].get("n") is not None else "–", sort=s["population"].get("n") or 0),
            Cell(f"{year}" if year else "not known", sort=year or 0),
            join([_regimen_link(site, path, r) for r in regimens], ", ") if regimens else "–",
            Cell(f"{len(open_facts)}" if open_facts else "0", sort=len(open_facts)),
        ])
    page.html(table(["Study", "Title", "Design", "Evidence level", Column("Patients", numeric=True), Column("Year", numeric=True),
                     "Regimens", Column("Facts not verified", numeric=True)], rows, caption="Studies", search=False))
    return page
