"""The Parquet tables: typed, described, and DuckDB reading them agrees with the CSV;
the DuckDB example printed on the downloads page runs as printed."""
from __future__ import annotations

import contextlib
import io
import os

import pytest

from poemskb.export import export_all
from poemskb.export.tables import TABLES


@pytest.fixture(scope="module")
def exported(kb, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    export_all(kb, out)
    return out


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_duckdb_reads_the_parquet_and_agrees_with_the_csv(exported, table):
    import duckdb

    con = duckdb.connect()
    parquet = con.execute(f"SELECT * FROM read_parquet('{exported / (table.name + '.parquet')}')")
    columns = [d[0] for d in parquet.description]
    assert columns == table.columns
    from_parquet = parquet.fetchall()
    types = {f.name: f.type for f in table.fields}
    csv_cols = ", ".join(f'"{c}"::VARCHAR' for c in columns)
    from_csv = con.execute(f"SELECT {csv_cols} FROM read_csv('{exported / (table.name + '.csv')}', all_varchar=true, header=true)").fetchall()
    assert len(from_parquet) == len(from_csv) > 0
    for prow, crow in zip(from_parquet, from_csv):
        for name, pval, cval in zip(columns, prow, crow):
            kind = types[name]
            if pval is None:
                assert cval in (None, ""), (table.name, name, cval)
            elif kind == "number":
                assert float(cval) == pval, (name, cval, pval)
            elif kind == "integer":
                assert int(cval) == pval, (name, cval, pval)
            elif kind == "boolean":
                assert cval == ("true" if pval else "false")
            elif kind == "date":
                assert cval == pval.isoformat()
            else:  # text: the CSV may carry the documented leading apostrophe
                assert cval in (pval, "'" + pval), (name, cval, pval)


def test_parquet_fields_carry_their_description(exported):
    import pyarrow.parquet as pq

    schema = pq.read_schema(exported / "outcomes.parquet")
    assert schema.field("events").metadata[b"unit"] == b"patients"
    assert b"numerator" in schema.field("events").metadata[b"description"]
    assert str(schema.field("events").type) == "int64" and str(schema.field("p_value").type) == "double"


def test_the_documented_duckdb_example_runs(exported, kb):
    """The example shown on the downloads page, run as printed in the folder of the files."""
    from poemskb.render.downloads import PARQUET_EXAMPLE

    import duckdb

    here = os.getcwd()
    out = io.StringIO()
    try:
        os.chdir(exported)
        with contextlib.redirect_stdout(out):
            exec(PARQUET_EXAMPLE, {})
    finally:
        os.chdir(here)
    printed = out.getvalue()
    counts = duckdb.sql(f"SELECT measure, sum(events) FROM '{exported / 'outcomes.parquet'}' WHERE value_type = 'count' "
                        "GROUP BY measure").fetchall()
    assert counts and all(measure in printed for measure, _ in counts)
    total = sum(o["value"]["n"] for s in kb.studies.values() for o in s.get("outcomes", []) if o["value"]["type"] == "count")
    assert sum(n for _, n in counts) == total
