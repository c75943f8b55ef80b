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


def spanned_table(rows: list[list], page: int = 1) -> Table:
    """One table from rows of texts or (text, rowspan, colspan), placed left to right in the slots not
    covered by a span from above (HTML/DOCX: no geometry)."""
    cells, covered = [], set()
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            text, rowspan, colspan = (item, 1, 1) if isinstance(item, str) else item
            while (r, c) in covered:
                c += 1
            cells.append(Cell(row=r, col=c, text=text, rowspan=rowspan, colspan=colspan))
            covered |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    n_cols = max(col for _, col in covered) + 1
    return Table(cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, page=page)
