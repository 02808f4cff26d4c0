"""Which state of the records an output was made from: the release it is, or the
release it follows plus changes ("0.1.0 + changes since 2026-11-22").

`poemskb release` (release.py) records, in RELEASE.json at the root, the content hash
of the records it released. A build is "the release" only when the records it is made
from hash to that value and the version agrees with CITATION.cff; anything else is
labelled as changes since the release, so no page or file ever shows a release number
its records do not match.

The hash is over the parsed records and schemas (canonical JSON), not their bytes: a
re-indented YAML file is the same state; a changed figure, record or schema is not.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..kb import KnowledgeBase

STATE_FILE = "RELEASE.json"
LICENCE_RECORDS = "CC-BY-4.0"
LICENCE_RECORDS_NAME = "Creative Commons Attribution 4.0 International"
LICENCE_RECORDS_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_CODE = "MIT"
LICENCE_TEXT = ("Records, pages and downloads: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); "
                "code: MIT. Figures come from the cited publications; cite them for the findings.")


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hashes(kb: KnowledgeBase) -> dict[str, str]:
    """'kind/id' -> SHA-256 of the record's canonical JSON, and 'schema/<file>' for each schema."""
    out = {f"{kind}/{rid}": _sha(canonical(data)) for kind, records in kb.by_kind.items() for rid, data in records.items()}
    for path in sorted((kb.root / "evidence" / "schema").glob("*.json")):
        out[f"schema/{path.name}"] = _sha(canonical(json.loads(path.read_text(encoding="utf-8"))))
    return dict(sorted(out.items()))


def content_hash(hashes: dict[str, str]) -> str:
    """One SHA-256 over every record and schema hash, in id order."""
    return _sha("".join(f"{key}\t{value}\n" for key, value in sorted(hashes.items())))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_state(root: Path) -> dict[str, Any] | None:
    """RELEASE.json as the last `poemskb release` wrote it, or None when there is none."""
    path = root / STATE_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Edition:
    release: str  # the last release's number (CITATION.cff)
    release_date: str  # its date, YYYY-MM-DD ('' when not known)
    is_release: bool  # the records are exactly that release's
    records_sha256: str  # content hash of the records and schemas this was made from
    newest_curation: str

    @property
    def label(self) -> str:
        """'0.1.0', or '0.1.0 + changes since 2026-11-22' for any other state."""
        if self.is_release:
            return self.release
        since = f" since {self.release_date}" if self.release_date else ""
        return f"{self.release} + changes{since}"

    @property
    def date(self) -> str:
        """The release date for a release; otherwise the newest curation date of the
        records (a date the records fix, so the same records give the same bytes)."""
        return self.release_date if self.is_release else (self.newest_curation or self.release_date)

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.label, "release": self.release, "is_release": self.is_release,
                "date": self.date, "records_sha256": self.records_sha256, "license": LICENCE_RECORDS}


def edition(kb: KnowledgeBase) -> Edition:
    hashes = record_hashes(kb)
    digest = content_hash(hashes)
    state = read_state(kb.root) or {}
    is_release = state.get("version") == kb.release and state.get("records_sha256") == digest
    return Edition(kb.release, kb.release_date, is_release, digest, kb.newest_curation)
