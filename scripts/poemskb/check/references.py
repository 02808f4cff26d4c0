"""Rules on ids and references: a record's id and file name, unique local ids, references
that resolve (with a "did you mean"), well-formed identifiers, reserved ids."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache
from typing import Iterator

from .. import sitenames
from ..load import KIND_FOLDERS, Record
from ..problems import Problem
from ..schema import Schemas, closest
from .base import Context, PLACEHOLDER, arms_of, fields, rule


IDENTIFIER_PATTERNS = {
    "doi": re.compile(r"10\.[0-9]{4,9}/[!-~]+"),  # printable ASCII only: nothing invisible
    "pmid": re.compile(r"[1-9][0-9]{0,8}"),
    "pmcid": re.compile(r"PMC[1-9][0-9]{0,8}"),
    "NCT": re.compile(r"NCT[0-9]{8}"),
    "UMIN": re.compile(r"UMIN[0-9]{9}"),
    "ChiCTR": re.compile(r"ChiCTR[-0-9A-Za-z]{6,20}"),
    "jRCT": re.compile(r"jRCT[0-9]{10}"),
    "EudraCT": re.compile(r"[0-9]{4}-[0-9]{6}-[0-9]{2}"),
    "ISRCTN": re.compile(r"ISRCTN[0-9]{8}"),
}


IDENTIFIER_EXAMPLES = {
    "doi": "10.1016/S1474-4422(16)30157-0", "pmid": "27496680", "pmcid": "PMC7389818",
    "NCT": "NCT01816620", "UMIN": "UMIN000004179", "ChiCTR": "ChiCTR2000029999",
    "jRCT": "jRCT2031200001", "EudraCT": "2010-012345-12", "ISRCTN": "ISRCTN12345678",
}


@rule("id-mismatch", "A record's id must equal its file name.")
def id_matches_file(record: Record, ctx: Context) -> Iterator[Problem]:
    if record.id != record.stem:
        yield record.problem("id-mismatch", ("id",), f"id '{record.id}' does not match the file name '{record.path.name}'; rename the file to '{record.id}.yaml' or fix the id")


@rule("duplicate-local-id", "Arm, outcome, check and criterion ids must be unique within a record.")
def local_ids_unique(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    groups = {
        ("arms",): d.get("arms", []),
        ("outcomes",): d.get("outcomes", []),
        ("provenance", "checks"): d.get("provenance", {}).get("checks", []),
    }
    for gi, group in enumerate(d.get("groups", [])):
        groups[("groups", gi, "items")] = group.get("items", [])
    if record.kind == "criteria":  # criterion ids are unique across the whole record
        groups = {k: v for k, v in groups.items() if k[0] != "groups"}
        groups[("groups",)] = [item for g in d.get("groups", []) for item in g.get("items", [])]
    for base, items in groups.items():
        seen: set[str] = set()
        for index, item in enumerate(items):
            local = item.get("id")
            if local in seen:
                path = base + (index, "id") if base != ("groups",) else ("groups",)
                yield record.problem("duplicate-local-id", path, f"id '{local}' is used twice in {'.'.join(map(str, base))}")
            seen.add(local)


def _references(record: Record) -> Iterator[tuple[tuple, str, str]]:
    """(path, target kind, id) for every cross-record reference in a record."""
    grouped = fields(record)
    for key, kind in _REFERENCE_KEYS:
        for path, value in grouped.get(key, ()):
            if not isinstance(value, str):
                continue
            if ((key == "measure" and len(path) < 2) or (key == "record" and "checks" not in path)
                    or (key == "criteria" and path[:2] != ("case", "criteria_met"))):
                continue
            yield path, kind, value
    listed = record.data.get("criteria")  # a study's list of the criteria it applies
    if isinstance(listed, list):
        for index, value in enumerate(listed):
            if isinstance(value, str):
                yield ("criteria", index), "criteria", value


# Keys whose text value names another record, and that record's kind (a top-level
# 'measure' is a measure record's own field, 'record' counts only inside checks, and
# 'criteria' only as case.criteria_met.criteria).
_REFERENCE_KEYS = (("regimen", "regimen"), ("measure", "measure"), ("study", "study"), ("cited_in", "study"),
                   ("record", "study"), ("criteria", "criteria"), ("supersedes", "finding"))


@rule("unresolved-reference", "Every reference (regimen, measure, study, criteria, arm, step, provenance check) must resolve.")
def references_resolve(record: Record, ctx: Context) -> Iterator[Problem]:
    yield from _other_records(record, ctx)
    yield from _local_references(record, ctx)


def _other_records(record: Record, ctx: Context) -> Iterator[Problem]:
    """References to other records; also run on records that fail their schema."""
    for path, kind, target in _references(record):
        if target in ctx.ids[kind] or target.startswith(PLACEHOLDER):
            continue
        if (kind, target) in ctx.unloadable:
            ctx.blocked[(kind, target)].add(record.rel)  # said once, by the broken file
            continue
        yield record.problem("unresolved-reference", path, f"no {kind} record '{target}' (expected evidence/{_folder(kind)}/{target}.yaml)"
                             + _closest(ctx, kind, target))


def _closest(ctx: Context, kind: str, given: str) -> str:
    """'; did you mean ...?' naming the ids of the closest records of a kind, matching
    the text against their ids, names, short names and aliases ('asct' -> 'asct-hdm')."""
    if kind not in ctx._names:
        names: dict[str, set[str]] = defaultdict(set)
        for rid in ctx.ids[kind]:
            names[rid].add(rid)
        for (k, rid), other in ctx.by_id.items():
            if k == kind:
                d = other.data
                for name in [d.get("name"), d.get("short_name"), *(d.get("aliases") or [])]:
                    if isinstance(name, str):
                        names[name.lower()].add(rid)
        ctx._names[kind] = names
    names = ctx._names[kind]
    close = [given.lower()] if given.lower() in names else closest(given, list(names))
    ids = list(dict.fromkeys(rid for name in close for rid in sorted(names[name])))[:3]
    return "; did you mean " + " or ".join(f"'{rid}'" for rid in ids) + "?" if ids else ""


def _folder(kind: str) -> str:
    return next(f for f, k in KIND_FOLDERS.items() if k == kind)


def _local_references(record: Record, ctx: Context) -> Iterator[Problem]:
    d = record.data
    checks = {c["id"] for c in d.get("provenance", {}).get("checks", [])}
    for path, value in fields(record).get("check", ()):
        if isinstance(value, str) and value not in checks:
            yield record.problem("unresolved-reference", path, f"no provenance check '{value}' in provenance.checks (have: {', '.join(sorted(checks)) or 'none'})")
    arms = arms_of(record)
    for i, outcome in enumerate(d.get("outcomes", [])):
        arm = outcome.get("arm")
        if arm is not None and arm not in arms:
            yield record.problem("unresolved-reference", ("outcomes", i, "arm"), f"no arm '{arm}' in this study (have: {', '.join(arms) or 'none'})")
        compared = outcome.get("p", {}).get("compared_with")
        if compared is not None and compared not in arms:
            yield record.problem("unresolved-reference", ("outcomes", i, "p", "compared_with"), f"no arm '{compared}' in this study")
        after = outcome.get("after")
        if after is not None:
            steps = {s["regimen"] for s in arms.get(arm, {}).get("steps", [])} | ({arms[arm]["regimen"]} if arm in arms else set())
            if after not in steps:
                yield record.problem("unresolved-reference", ("outcomes", i, "after"), f"'{after}' is not a step of arm '{arm}'" if arm else "'after' needs an 'arm' whose steps include it")
    case = d.get("case", {})
    if "criteria_met" in case and case["criteria_met"].get("criteria"):
        target = case["criteria_met"]["criteria"]
        items = _criterion_ids(ctx, target)
        if items is not None:
            for j, met in enumerate(case["criteria_met"].get("met", [])):
                if met["criterion"] not in items:
                    yield record.problem("unresolved-reference", ("case", "criteria_met", "met", j, "criterion"), f"criteria record '{target}' has no criterion '{met['criterion']}'")


def _criterion_ids(ctx: Context, target: str) -> set[str] | None:
    other = ctx.by_id.get(("criteria", target))
    if other is None:
        return None
    return {item.get("id") for g in other.data.get("groups", []) for item in g.get("items", [])}


@rule("identifier", "DOI, PMID, PMCID and trial registration numbers must be well formed.")
def identifiers_well_formed(record: Record, ctx: Context) -> Iterator[Problem]:
    for key in ("doi", "pmid", "pmcid"):
        value = record.data.get(key, {}).get("value") if isinstance(record.data.get(key), dict) else None
        if isinstance(value, str) and not IDENTIFIER_PATTERNS[key].fullmatch(value):
            yield record.problem("identifier", (key, "value"), f"'{value}' is not a well-formed {key.upper()} (e.g. {IDENTIFIER_EXAMPLES[key]}){_not_ascii(value)}")
    for i, reg in enumerate(record.data.get("registrations", [])):
        pattern = IDENTIFIER_PATTERNS[reg["registry"]]
        if not pattern.fullmatch(reg["value"]):
            yield record.problem("identifier", ("registrations", i, "value"), f"'{reg['value']}' is not a well-formed {reg['registry']} number (e.g. {IDENTIFIER_EXAMPLES[reg['registry']]}){_not_ascii(reg['value'])}")


def _not_ascii(value: str) -> str:
    """Names the first character an identifier cannot hold (they are printable ASCII),
    since an invisible one cannot be seen in the message itself."""
    odd = next((c for c in value if not " " < c <= "~"), None)
    if odd is None:
        return ""
    name = unicodedata.name(odd, "a control character" if unicodedata.category(odd) == "Cc" else "an unnamed character")
    return f"; it contains U+{ord(odd):04X} ({name}), and identifiers are plain ASCII"


@rule("overlap-self", "A study cannot overlap with or cite itself.")
def no_self_reference(record: Record, ctx: Context) -> Iterator[Problem]:
    for key in ("overlaps", "cites"):
        for i, item in enumerate(record.data.get(key, [])):
            if item.get("study") == record.id:
                yield record.problem("overlap-self", (key, i, "study"), f"a study cannot list itself in {key}")


@rule("reserved-id", "A record id must not be a name the site gives its own pages or anchors beside record ids (an index page, a heading).")
def id_not_reserved(record: Record, ctx: Context) -> Iterator[Problem]:
    uses = _reserved(ctx.schemas, record.kind)
    if record.id in uses:
        yield record.problem("reserved-id", ("id",), f"id '{record.id}' is the site's own name for {uses[record.id]}; choose another id (and file name)")


@cache
def _reserved(schemas: Schemas, kind: str) -> dict[str, str]:
    return sitenames.reserved(kind, schemas.enum("measure", "properties", "domain"))


@rule("other-name-agent", "A regimen's other name that names one drug ('of') names an agent of its components.")
def other_names_name_agents(record: Record, ctx: Context) -> Iterator[Problem]:
    if record.kind != "regimen":
        return  # a measure has no drugs: its names are of the measure itself
    d = record.data
    agents = sorted({c.get("agent") for p in d.get("phases", []) if isinstance(p, dict)
                     for c in p.get("components", []) if isinstance(c, dict) and isinstance(c.get("agent"), str)})
    for i, other in enumerate(d.get("also_known_as") or []):
        of = other.get("of") if isinstance(other, dict) else None
        if isinstance(of, str) and of not in agents:
            yield record.problem("other-name-agent", ("also_known_as", i, "of"),
                                 f"'{of}' is not an agent of this regimen (its agents: {', '.join(agents) or 'none'}); "
                                 "name one of them, or leave 'of' out for a name of the whole regimen")
