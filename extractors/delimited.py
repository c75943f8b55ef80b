"""Delimited text tables (CSV, or tab-separated text a government system exports under a .xls name) → Grid."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from extractors.html import decode
from pipeline.model import BBox, Cell, Grid, Table

MAX_ROWS, MAX_COLS = 100_000, 500


def extract_delimited(path: Path) -> Grid:
    """One Table, a cell per field; the delimiter (tab or comma) is the one the first lines share."""
    text = decode(path.read_bytes())
    sample = "\n".join(text.splitlines()[:20])
    delimiter = "\t" if sample.count("\t") >= sample.count(",") else ","
    rows = [row[:MAX_COLS] for row, _ in zip(csv.reader(io.StringIO(text), delimiter=delimiter), range(MAX_ROWS))]
    rows = [row for row in rows if any(field.strip() for field in row)]
    if not rows:
        raise ValueError(f"{path.name}: empty table")
    n_cols = max(len(row) for row in rows)
    cells = tuple(Cell(r, c, row[c].strip() if c < len(row) else "") for r, row in enumerate(rows) for c in range(n_cols))
    table = Table(cells=cells, n_rows=len(rows), n_cols=n_cols, page=1, bbox=BBox(0.0, 0.0, 0.0, 1.0), method="delimited")
    return Grid(tables=(table,), lines=(), pages=1, page_kinds=("text",))
