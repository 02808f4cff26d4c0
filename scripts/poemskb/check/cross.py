"""Rules across records: unique ids, identifiers and labels; findings that do not
supersede each other in a cycle; overlap declarations that agree; records not checked
against a file that failed to load."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator

from ..identity import id_key, identifier_key
from ..load import KIND_FOLDERS, Record
from ..problems import Problem
from .base import Context, cross_rule


# How an overlap reads from the other study's side (kb.overlaps shows both sides with it).
OVERLAP_INVERSE = {"subset-of": "superset-of", "superset-of": "subset-of"}


@cross_rule("duplicate-id", "Two records of one kind must not share an id.")
def ids_unique(ctx: Context) -> Iterator[Problem]:
    counts = Counter((r.kind, id_key(r.id)) for r in ctx.records if r.id != "-")
    for record in ctx.records:
        if record.id != "-" and counts[(record.kind, id_key(record.id))] > 1:
            others = [r.rel for r in ctx.records if (r.kind, id_key(r.id)) == (record.kind, id_key(record.id)) and r is not record]
            yield record.problem("duplicate-id", ("id",), f"id '{record.id}' is also used by {', '.join(others)}")


@cross_rule("duplicate-identifier", "A DOI, PMID or PMCID belongs to one study record only, however it is written (case, Unicode form, percent-encoding, invisible characters).")
def identifiers_unique(ctx: Context) -> Iterator[Problem]:
    owners: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in ctx.records:
        if record.kind != "study":
            continue
        for key in ("doi", "pmid", "pmcid"):
            fact = record.data.get(key)
            if isinstance(fact, dict) and isinstance(fact.get("value"), str):
                owners[(key, identifier_key(key, fact["value"]))].append(record)
    for (key, value), records in owners.items():
        if len(records) > 1:
            for record in records:
                mine = record.data[key]["value"]
                others = ", ".join(r.id if r.data[key]["value"] == mine else f"{r.id} (written '{r.data[key]['value']}')"
                                   for r in sorted(records, key=lambda r: r.rel) if r is not record)
                yield record.problem("duplicate-identifier", (key, "value"), f"{key.upper()} {value} is also recorded by {others}")


@cross_rule("supersedes-cycle", "A finding cannot supersede itself, nor can findings supersede each other in a cycle.")
def supersedes_acyclic(ctx: Context) -> Iterator[Problem]:
    successor = {r.id: r.data["supersedes"] for r in ctx.records if r.kind == "finding" and isinstance(r.data.get("supersedes"), str)}
    records = {r.id: r for r in ctx.records if r.kind == "finding"}
    state: dict[str, int] = {}  # 1 on the path being followed, 2 finished
    for start in successor:
        path: list[str] = []
        node = start
        while node in successor and node not in state:  # each finding names one other: a chain
            state[node] = 1
            path.append(node)
            node = successor[node]
        if state.get(node) == 1:  # the chain came back to itself: node..end is a cycle
            cycle = path[path.index(node):]
            for k, fid in enumerate(cycle):
                order = cycle[k:] + cycle[:k] + [fid]
                message = (f"finding '{fid}' supersedes itself" if len(cycle) == 1 else
                           f"findings supersede each other in a cycle: {' -> '.join(order)}")
                yield records[fid].problem("supersedes-cycle", ("supersedes",), message + "; 'supersedes' names an earlier finding")
        for fid in path:
            state[fid] = 2


@cross_rule("overlap-conflict", "Two overlap declarations about one pair of studies must agree (A same-cohort B contradicts B superset-of A).")
def overlaps_agree(ctx: Context) -> Iterator[Problem]:
    # Every declaration, read from the study with the smaller id: A subset-of B and
    # B superset-of A say the same; A subset-of B and B subset-of A do not.
    by_pair: dict[tuple[str, str], list[tuple[Record, int, str, str]]] = defaultdict(list)
    for record in ctx.records:
        if record.kind != "study":
            continue
        declared = record.data.get("overlaps")
        # Cross-record rules also see records that failed their schema: read defensively.
        for i, item in enumerate(declared if isinstance(declared, list) else []):
            other, relation = (item.get("study"), item.get("relation")) if isinstance(item, dict) else (None, None)
            if isinstance(other, str) and isinstance(relation, str) and other != record.id:
                read = relation if record.id < other else OVERLAP_INVERSE.get(relation, relation)
                by_pair[tuple(sorted((record.id, other)))].append((record, i, relation, read))
    for declarations in by_pair.values():
        if len({read for *_, read in declarations}) < 2:
            continue
        for record, i, relation, read in declarations:
            other = record.data["overlaps"][i]["study"]
            for r2, j, relation2, read2 in declarations:
                if read2 == read:
                    continue
                if r2 is record:
                    said = f"overlaps[{j}] says '{relation2}' for the same study"
                else:
                    said = (f"{other} ({r2.rel}) says it is '{relation2}' {record.id}, which from this side reads "
                            f"'{OVERLAP_INVERSE.get(relation2, relation2)}'")
                yield record.problem("overlap-conflict", ("overlaps", i, "relation"),
                                     f"this study is declared '{relation}' {other}, but {said}; make the declarations agree")


@cross_rule("not-checked", "Warning: records that refer to a record file that failed to load were not checked against it.")
def not_checked_against_broken(ctx: Context) -> Iterator[Problem]:
    for (kind, target), users in sorted(ctx.blocked.items()):
        where = ctx.unloadable[(kind, target)]
        listed = ", ".join(sorted(users)[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
        yield Problem(where, 1, 1, "warning", "not-checked", "-", "-",
                      f"{len(users)} record(s) refer to {kind} '{target}' and were not checked against it, because this "
                      f"file did not load (its error is reported above): {listed}")


def unloaded_ids(problems: list[Problem]) -> dict[tuple[str, str], str]:
    """(kind, id) -> path for every record file that failed to load (its id taken from
    its file name, which is all that is known of it)."""
    found = {}
    for problem in problems:
        parts = problem.path.split("/")
        if len(parts) == 3 and parts[0] == "evidence" and parts[1] in KIND_FOLDERS and parts[2].endswith(".yaml"):
            found[(KIND_FOLDERS[parts[1]], parts[2][: -len(".yaml")])] = problem.path
    return found


@cross_rule("duplicate-label", "Two studies must not share a label: pages name each study by it.")
def labels_unique(ctx: Context) -> Iterator[Problem]:
    owners: dict[str, list[Record]] = defaultdict(list)
    for record in ctx.records:
        label = record.data.get("label") if record.kind == "study" else None
        if isinstance(label, str):
            owners[label.casefold()].append(record)
    for records in owners.values():
        for record in records if len(records) > 1 else ():
            others = ", ".join(r.id for r in records if r is not record)
            yield record.problem("duplicate-label", ("label",), f"label '{record.data['label']}' is also used by {others}")
