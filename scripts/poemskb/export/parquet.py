"""The same four tables as Parquet files (typed columns, for DuckDB, pandas, Spark),
each column's description and unit in the field metadata, and the version, content
hash and licence in the file's key-value metadata. No spreadsheet prefixing here:
Parquet is not opened in spreadsheets and its text columns hold the recorded text.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from typing import Iterator

from ..kb import KnowledgeBase
from .edition import LICENCE_TEXT, Edition
from .tables import TABLES, Table


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
            "boolean": pa.bool_(), "date": pa.date32()}[kind]


def table_parquet(kb: KnowledgeBase, table: Table, edition: Edition) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field(f.name, _arrow_type(f.type), metadata={"description": f.description, **({"unit": f.unit} if f.unit else {}),
                                                               **({"values": json.dumps(f.values)} if f.values else {})})
              for f in table.fields]
    columns: dict[str, list] = {f.name: [] for f in table.fields}
    kinds = {f.name: f.type for f in table.fields}
    for row in table.rows(kb):
        for name, values in columns.items():
            value = row.get(name)
            if value is not None and kinds[name] == "date":
                value = dt.date.fromisoformat(str(value))
            elif value is not None and kinds[name] == "number":
                value = float(value)
            values.append(value)
    metadata = {"poemskb": json.dumps(edition.as_dict(), sort_keys=True), "license": LICENCE_TEXT, "description": table.description}
    arrow = pa.table(columns, schema=pa.schema(fields, metadata=metadata))
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer, compression="zstd")
    return buffer.getvalue()


def parquet_files(kb: KnowledgeBase, edition: Edition) -> Iterator[tuple[str, bytes]]:
    for table in TABLES:
        yield f"{table.name}.parquet", table_parquet(kb, table, edition)
