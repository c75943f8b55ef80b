"""The four tables are assembled a chunk of rows at a time, whatever the number of files."""
import pandas as pd
import pyarrow.parquet as pq

from pipeline.emit import TableWriter, frame


def test_tables_are_written_a_chunk_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(TableWriter, "CHUNK_ROWS", 10)
    writer = TableWriter(tmp_path)
    rows = [{"project_id": f"d{doc}-1", "doc_id": f"d{doc}", "seq": seq, "name_raw": f"指标 {doc}.{seq}", "weight": "5"}
            for doc in range(7) for seq in range(1, 5)]
    held = []
    for doc in range(7):
        writer.add("indicators", rows[4 * doc:4 * doc + 4])
        held.append(len(writer.rows["indicators"]))
    assert writer.close()["indicators"] == 28
    assert max(held) < 10  # rows wait in memory until a chunk is full, then go to disk
    parquet = pq.ParquetFile(tmp_path / "indicators.parquet")
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [12, 12, 4]
    expected = frame("indicators", rows)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "indicators.parquet"), expected)
    csv = pd.read_csv(tmp_path / "indicators.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(csv.columns) == list(expected.columns) and csv["name_raw"].tolist() == expected["name_raw"].tolist()
