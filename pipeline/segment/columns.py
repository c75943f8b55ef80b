"""Header columns and the cells under them: a data cell takes the role of the narrowest header column above it."""
from __future__ import annotations

from dataclasses import dataclass

from normalizers.text import clean_cell
from pipeline.model import Cell
from pipeline.segment.vocabulary import role_of


@dataclass(frozen=True)
class Column:
    role: str
    x0: float
    x1: float
    text: str = ""


def extent(cell: Cell) -> tuple[float, float]:
    """Horizontal extent of a cell: its upright box (scans), its bbox, or its grid columns for formats
    without geometry."""
    if cell.upright is not None:
        return cell.upright.x0, cell.upright.x1
    if cell.bbox is not None:
        return cell.bbox.x0, cell.bbox.x1
    return float(cell.col), float(cell.col + cell.colspan)


def assign(cells: list[Cell], columns: list[Column]) -> dict[str, list[Cell]]:
    """Give each cell the role of the narrowest header column it sits under (or, if wider, starts in)."""
    by_role: dict[str, list[Cell]] = {}
    for cell in cells:
        x0, x1 = extent(cell)
        best: Column | None = None
        for column in columns:
            overlap = min(x1, column.x1) - max(x0, column.x0)
            inside = overlap >= 0.6 * (x1 - x0)
            starts_here = overlap > 0 and abs(x0 - column.x0) <= 0.1 * (column.x1 - column.x0)
            if not (inside or starts_here):
                continue
            if best is None or column.x1 - column.x0 < best.x1 - best.x0:
                best = column
        if best is not None:
            by_role.setdefault(best.role, []).append(cell)
    return by_role



def header_columns(rows: list, kind: str) -> list[Column]:
    """Columns named by the header cells of one or two rows, roles from `kind`'s role table."""
    columns = []
    for row in rows:
        for cell in row.cells:
            role = role_of(cell.text, kind)
            if role:
                x0, x1 = extent(cell)
                columns.append(Column(role, x0, x1, clean_cell(cell.text)))
    return columns

