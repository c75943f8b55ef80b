"""The four SCHEMA tables as CSV (UTF-8 with BOM) and Parquet, typed, written a chunk at a time."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import TABLES

NUMERIC = {
    "pages", "fiscal_year", "n_projects", "n_indicators", "seconds", "page_start", "page_end",
    "budget_initial", "budget_full_year", "executed", "execution_rate", "budget_weight",
    "budget_score", "total_weight", "total_score", "received", "weight", "score", "seq", "page",
    "match_score", "target_value", "actual_value", "confidence",
    "review_total_score", "review_score", "level1_weight", "level2_weight",
}
INTEGER = {"pages", "fiscal_year", "n_projects", "n_indicators", "page_start", "page_end", "seq", "page"}


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """Rows → a DataFrame with the contract's columns, in order, typed."""
    columns = TABLES[name]
    data = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column in INTEGER:
            data[column] = pd.to_numeric(data[column], errors="coerce").astype("Int64")
        elif column in NUMERIC:
            data[column] = pd.to_numeric(data[column], errors="coerce").astype("Float64")
        else:
            data[column] = data[column].astype("string").fillna("")
    return data


def atomic_write(path: Path, write) -> None:
    """Call write(tmp_path) then move the file into place, so no half-written file is ever left (user's umask)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def frames_of(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """Row dicts of each table → typed DataFrames in the contract's column order."""
    return {name: frame(name, tables.get(name, [])) for name in TABLES}


class TableWriter:
    """The four tables written as NAME.csv and NAME.parquet under a folder, a chunk of rows at a time.

    Rows are buffered up to CHUNK_ROWS per table, then typed and appended to both files, so memory
    holds one chunk whatever the number of files; the Parquet files get one row group per chunk.
    A chunk is small (a hundred files already fill several), so that the memory it takes is the
    same for a folder of a hundred files as for one of ten thousand.
    """

    CHUNK_ROWS = 2048

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLES}
        self.counts: dict[str, int] = {name: 0 for name in TABLES}
        self.schemas = {name: pa.Schema.from_pandas(frame(name, []), preserve_index=False) for name in TABLES}
        self.parquet = {name: pq.ParquetWriter(folder / f"{name}.parquet", self.schemas[name]) for name in TABLES}
        for name in TABLES:
            frame(name, []).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")

    def add(self, name: str, rows: list[dict]) -> None:
        self.rows[name] += rows
        if len(self.rows[name]) >= self.CHUNK_ROWS:
            self._flush(name)

    def _flush(self, name: str) -> None:
        rows, self.rows[name] = self.rows[name], []
        if not rows:
            return
        data = frame(name, rows)
        self.parquet[name].write_table(pa.Table.from_pandas(data, schema=self.schemas[name], preserve_index=False))
        data.to_csv(self.folder / f"{name}.csv", mode="a", header=False, index=False, encoding="utf-8")
        self.counts[name] += len(rows)

    def close(self) -> dict[str, int]:
        """Write the last chunks and close the files; the row count of each table."""
        for name in TABLES:
            self._flush(name)
            self.parquet[name].close()
        return self.counts
