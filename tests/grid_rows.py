"""Tables for segmenter tests written as rows of texts."""
from __future__ import annotations

from pipeline.model import BBox, Cell, Table


def merged_table(rows: list[list[str | None]], page: int = 1, bbox: BBox | None = None) -> Table:
    """One table from rows of texts; None continues the cell above (a merged label)."""
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is None:
                continue
            span = 1
            while r + span < len(rows) and rows[r + span][c] is None:
                span += 1
            cells.append(Cell(row=r, col=c, text=text, rowspan=span))
    return Table(cells=tuple(cells), n_rows=len(rows), n_cols=len(rows[0]), page=page, bbox=bbox)
