"""Column roles from header text: synonym matching, and cells placed under the header column above them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from normalizers.text import clean_cell, fold
from pipeline.model import Cell
from pipeline.segment.vocabulary import FUNDS_ROLES, FUZZY_MIN, INDICATOR_ROLES, LEVEL_FUNDS_COLUMNS, TASK_ROLES


def role_of(text: str, synonyms: dict[str, list[str]]) -> str | None:
    """The role whose synonym this header text is (exact on folded text, else fuzzy for OCR slips)."""
    return _role_of(text, id(synonyms))


_SYNONYMS: dict[int, dict[str, str]] = {}


@lru_cache(maxsize=65536)
def _role_of(text: str, table: int) -> str | None:
    key = re.sub(r"[:：]$|\((万元|元|%|分)\)$", "", fold(text))
    if not key or len(key) > 16:
        return None
    choices = _SYNONYMS[table]
    if key in choices:
        return choices[key]
    best = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
    return choices[best[0]] if best else None


def _register(*tables: dict[str, list[str]]) -> None:
    for table in tables:
        _SYNONYMS[id(table)] = {fold(name): role for role, names in table.items() for name in names}


_register(INDICATOR_ROLES, FUNDS_ROLES, LEVEL_FUNDS_COLUMNS, TASK_ROLES)

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



def header_columns(rows: list, synonyms: dict[str, list[str]]) -> list[Column]:
    """Columns named by the header cells of one or two rows."""
    columns = []
    for row in rows:
        for cell in row.cells:
            role = role_of(cell.text, synonyms)
            if role:
                x0, x1 = extent(cell)
                columns.append(Column(role, x0, x1, clean_cell(cell.text)))
    return columns

