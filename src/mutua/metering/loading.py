"""Reading an input batch into DuckDB's temp table ``raw``: a file of CloudEvents (JSON lines, CSV
or Parquet), or the batches acknowledged over HTTP and held in the write-ahead store."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from mutua.metering.domain import decode_data_base64
from mutua.metering.wal import Batch


def load_file(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """Read a JSON lines, CSV or Parquet file of CloudEvents into ``raw``; returns the line offset."""
    name = path.name.lower()
    if name.endswith(".parquet"):  # a view (read as it streams): DuckDB's relation API writes the file name
        parquet = con.read_parquet(str(path), file_row_number=True)
        parquet.select("file_row_number AS idx, * EXCLUDE (file_row_number)").create_view("raw", replace=True)
        return None
    if name.endswith((".csv", ".csv.gz")):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_csv($path, header = true, all_varchar = true)",
            {"path": str(path)},
        )
        con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT rowid AS idx, * FROM raw0")
        con.execute("DROP TABLE raw0")
        if {"data", "data_base64"} <= set(con.table("raw").columns):
            decode_base64_data(con)
        return 2
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_json($path, format = 'newline_delimited', "
        "columns = {'specversion': 'VARCHAR', 'id': 'VARCHAR', 'source': 'VARCHAR', 'type': 'VARCHAR', "
        "'subject': 'VARCHAR', 'time': 'VARCHAR', 'data': 'JSON', 'data_base64': 'VARCHAR'})",
        {"path": str(path)},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT rowid AS idx, * FROM raw0")
    con.execute("DROP TABLE raw0")
    decode_base64_data(con)
    return 1


def decode_base64_data(con: duckdb.DuckDBPyConnection) -> None:
    """Events of ``raw`` with ``data_base64`` (CloudEvents' binary data) and no ``data``: the JSON
    object it holds becomes their ``data`` (by the domain's :func:`decode_data_base64`, the rule of
    the HTTP path too); the others keep their ``data_base64``, and staging refuses them."""
    rows = con.execute("SELECT idx, data_base64 FROM raw WHERE data_base64 IS NOT NULL AND data IS NULL").fetchall()
    decoded = [(idx, data) for idx, text in rows if not isinstance(data := decode_data_base64(text), str)]
    if not decoded:
        return
    con.register(
        "b64_arrow",
        pa.table(
            {"idx": [i for i, _ in decoded], "data": [orjson.dumps(d).decode() for _, d in decoded]},
            schema=pa.schema([("idx", pa.int64()), ("data", pa.string())]),
        ),
    )
    con.execute("UPDATE raw SET data = CAST(b.data AS JSON), data_base64 = NULL FROM b64_arrow b WHERE raw.idx = b.idx")
    con.unregister("b64_arrow")


def load_pending(con: duckdb.DuckDBPyConnection, batches: Sequence[Batch], folder: Path) -> None:
    """Put the batches acknowledged over HTTP (who is charged, the CloudEvents) into ``raw``.

    The batches' JSON arrays (events, and who is charged) are joined into one array each, in
    scratch files that DuckDB's JSON reader streams and joins by position."""
    tag = uuid.uuid4().hex
    events_path, who_path = folder / f"flush-{tag}.events.json", folder / f"flush-{tag}.who.json"
    try:
        _join_arrays(events_path, (b.events for b in batches))
        _join_arrays(who_path, (b.who for b in batches))
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE raw AS
            SELECT row_number() OVER () - 1 AS idx, w.json[1] AS member, w.json[2] AS engagement, r.*
            FROM read_json($events, format = 'array',
                           columns = {'source': 'VARCHAR', 'id': 'VARCHAR', 'type': 'VARCHAR', 'subject': 'VARCHAR',
                                      'time': 'VARCHAR', 'data': 'JSON'}) r
            POSITIONAL JOIN read_json($who, format = 'array', records = 'false', columns = {'json': 'VARCHAR[]'}) w
            """,
            {"events": str(events_path), "who": str(who_path)},
        )
    finally:
        events_path.unlink(missing_ok=True)
        who_path.unlink(missing_ok=True)


def _join_arrays(path: Path, arrays: Iterable[bytes]) -> None:
    """Write JSON arrays (as orjson writes them: ``[`` ... ``]``) as one array, without copying them."""
    with path.open("wb") as f:
        f.write(b"[")
        first = True
        for array in arrays:
            inner = memoryview(array)[1:-1]
            if len(inner):
                if not first:
                    f.write(b",")
                f.write(inner)
                first = False
        f.write(b"]")
