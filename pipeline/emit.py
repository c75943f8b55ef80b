"""Write the four SCHEMA tables as CSV (UTF-8 with BOM) and Parquet, atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

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
    """Call write(tmp_path) then move the file into place, so no half-written file is ever left."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def frames_of(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """Row dicts of each table → typed DataFrames in the contract's column order."""
    return {name: frame(name, tables.get(name, [])) for name in TABLES}


def write_frames(out_dir: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Write each table as NAME.csv and NAME.parquet under out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in frames.items():
        atomic_write(out_dir / f"{name}.csv", lambda tmp, data=data: data.to_csv(tmp, index=False, encoding="utf-8-sig"))
        atomic_write(out_dir / f"{name}.parquet", lambda tmp, data=data: data.to_parquet(tmp, index=False))
