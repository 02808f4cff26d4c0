"""The whole knowledge base as one JSON document: every record as loaded from its YAML
(so it loads back to equal records), the schema version, the edition (version, date,
content hash) and the licence."""
from __future__ import annotations

import json
from typing import Any

from ..kb import KnowledgeBase
from .edition import LICENCE_TEXT, Edition, content_hash, record_hashes


def knowledge_base_json(kb: KnowledgeBase, edition: Edition) -> str:
    """One record per line: a changed record changes one line of a diff, and each line
    comes from json's C encoder (an indented dump goes through the pure-Python encoder,
    about ten times slower and far larger in memory)."""
    def encode(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    lines = ["{", f' "edition": {encode(edition.as_dict())},', f' "license": {encode(LICENCE_TEXT)},',
             f' "newest_curation": {encode(kb.newest_curation)},', f' "schema_version": {encode(schema_version(kb))},']
    for kind, records in sorted(kb.by_kind.items()):
        entries = [f"  {encode(rid)}: {encode(records[rid])}" for rid in sorted(records)]
        lines += [f" {encode(kind)}: {{", ",\n".join(entries), " },"]
    lines += [f' "version": {encode(edition.label)}', "}"]
    return "\n".join(line for line in lines if line) + "\n"


def schema_version(kb: KnowledgeBase) -> str:
    """The schemas carry no version number of their own: their content hash names them
    (the same schemas, the same hash; evidence/schema/ in the release archive has them)."""
    return "sha256:" + content_hash({k: v for k, v in record_hashes(kb).items() if k.startswith("schema/")})
