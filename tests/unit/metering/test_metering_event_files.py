"""How an event file is written (``segments.EVENT_FILE_OPTIONS``): a sender's ``source``, of few
values, is a dictionary column; an ``id``, unique per event, is not (its dictionary would be built
and dropped for each row group); the file is Parquet 2 and reads back as written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from mutua.metering import segments

EVENTS = 20_000


def _encodings(path: Path, column: str) -> set[str]:
    meta = pq.ParquetFile(path).metadata
    at = meta.schema.names.index(column)
    return {e for g in range(meta.num_row_groups) for e in meta.row_group(g).column(at).encodings}


def test_sources_are_a_dictionary_ids_are_not_and_the_rows_read_back(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        f"""CREATE TABLE m AS
        SELECT i AS idx, '/gateway/' || (i % 7) AS source, 'e' || i AS id, 'M' || (i % 3) AS member,
               'E' || (i % 3) AS engagement, 'api' AS meter, 'count' AS agg, '' AS dims,
               1740787200000000 + i AS time_us, CAST(i AS BIGINT) AS value_micro, 202503 AS period,
               202503 AS origin_period, CAST(0 AS TINYINT) AS family, true AS counted
        FROM range({EVENTS}) r(i)"""
    )
    con.execute("CREATE TABLE skip AS SELECT 5 AS idx")
    path = tmp_path / "events.parquet"
    written = con.execute(segments.COPY_EVENTS[0], {"period": 202503, "path": str(path)}).fetchone()
    assert written is not None and written[0] == EVENTS - 1
    assert "RLE_DICTIONARY" in _encodings(path, "source")
    assert "RLE_DICTIONARY" not in _encodings(path, "id")
    assert pq.ParquetFile(path).metadata.format_version == "2.6"
    back = pq.read_table(path).to_pydict()
    assert back["id"][:6] == ["e0", "e1", "e2", "e3", "e4", "e6"]  # the skipped event is left out
    assert sorted(set(back["source"])) == [f"/gateway/{k}" for k in range(7)]
    assert sum(back["value_micro"]) == sum(range(EVENTS)) - 5
