"""The export package as a whole: every file, stable bytes, only rewritten on change,
each carrying the version, date and content hash of the records; the JSON export loads
back to records equal to the YAML."""
from __future__ import annotations

import json

from poemskb.export import FILES, edition, export_all, export_files


def test_every_listed_file_is_written_and_described(kb, tmp_path):
    changed = export_all(kb, tmp_path)
    assert sorted(p.name for p in changed) == sorted(FILES)
    # Beside the files, only the marker that lists them (what a later export may delete).
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*FILES, ".poemskb-export"])
    assert (tmp_path / ".poemskb-export").read_text(encoding="utf-8").splitlines()[2:] == sorted(FILES)


def test_exports_are_stable_and_only_rewritten_on_change(kb, tmp_path):
    export_all(kb, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in FILES}
    assert export_all(kb, tmp_path) == []
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in FILES} == before
    assert dict(export_files(kb)) == before  # a second run in memory: the same bytes


def test_json_export_loads_back_to_the_records(kb, tmp_path):
    export_all(kb, tmp_path)
    text = (tmp_path / "knowledge-base.json").read_text(encoding="utf-8")
    document = json.loads(text)
    for kind, records in kb.by_kind.items():
        assert document[kind] == records, kind
    assert document["newest_curation"] == kb.newest_curation
    assert document["schema_version"].startswith("sha256:")
    # One line per record, so a changed record is a one-line diff.
    assert sum(1 for line in text.splitlines() if line.startswith('  "')) == len(kb.records)


def test_every_export_names_version_date_hash_and_licence(kb):
    ed = edition(kb)
    files = dict(export_files(kb, ed))
    assert ed.label and ed.date and len(ed.records_sha256) == 64
    for name, data in files.items():
        if name.endswith(".csv"):
            continue  # described by datapackage.json (version, hash, licence, and each CSV's own SHA-256)
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq
            import io

            meta = pq.read_schema(io.BytesIO(data)).metadata
            text = (meta[b"poemskb"] + meta[b"license"]).decode()
        else:
            text = data.decode("utf-8")
        for fact in (ed.label, ed.records_sha256, "CC"):
            assert fact in text, (name, fact)
    package = json.loads(files["datapackage.json"])
    assert {r["path"] for r in package["resources"]} == {n for n in files if n.endswith(".csv")}


def test_the_current_records_are_not_called_a_release(kb):
    """No RELEASE.json state matches these records (they changed after 0.1.0): every
    output says '0.1.0 + changes since 2026-11-22', never plain '0.1.0'."""
    ed = edition(kb)
    assert not ed.is_release
    assert ed.label == f"{kb.release} + changes since {kb.release_date}"
