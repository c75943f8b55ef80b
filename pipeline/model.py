"""The models the stages pass along: one Grid for every input kind, and the records segment emits.

Coordinates are PDF points with the origin at the top-left of the page (pdfplumber's convention);
pages are 1-based. Scans use the same frame (pixels scaled back to points).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BBox:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Cell:
    """One cell of a table; a merged cell is one Cell with rowspan/colspan > 1, never holes."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    page: int = 1
    bbox: BBox | None = None
    confidence: float = 1.0
    # scans: the cell in the deskewed page (points), where columns line up; bbox is its envelope on the
    # page as published, which a 2° skew shifts by up to 25 pt between the top and the bottom of a page
    upright: BBox | None = None


@dataclass(frozen=True)
class Table:
    """A ruled table on one page (segment joins tables that continue over pages)."""

    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    page: int
    bbox: BBox | None = None
    method: str = ""
    upright: BBox | None = None  # scans: as Cell.upright

    def rows(self) -> list[list[Cell | None]]:
        """Dense row-major view: each slot holds the cell covering it (spans repeat the same Cell)."""
        dense: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    dense[r][c] = cell
        return dense


@dataclass(frozen=True)
class TextLine:
    """Text outside tables: titles, 年度, 表号, narrative."""

    text: str
    page: int
    bbox: BBox | None = None


@dataclass(frozen=True)
class Grid:
    """Everything an extractor read from one document, in reading order per page."""

    tables: tuple[Table, ...]
    lines: tuple[TextLine, ...]
    pages: int
    page_kinds: tuple[str, ...] = ()  # per page: "text", "scanned", "cid" (junk text layer read by OCR)
    warnings: tuple[str, ...] = ()  # what the reader could not read (the document is then partial)

    def blocks(self) -> list[Table | TextLine]:
        """Tables and text lines interleaved in reading order (page, then top)."""
        def key(block: Table | TextLine) -> tuple[int, float]:
            return (block.page, block.bbox.top if block.bbox else 0.0)

        return sorted([*self.tables, *self.lines], key=key)


@dataclass
class Fund:
    source: str
    label_raw: str = ""
    budget_initial: float | None = None
    budget_full_year: float | None = None
    executed: float | None = None
    execution_rate: float | None = None
    received: float | None = None
    weight: float | None = None
    score: float | None = None


@dataclass
class Indicator:
    seq: int
    page: int
    name_raw: str
    level1_raw: str = ""
    level2_raw: str = ""
    nature_raw: str = ""
    target_raw: str = ""
    actual_raw: str = ""
    unit_raw: str = ""
    weight: float | None = None
    score: float | None = None
    progress_raw: str = ""
    deviation_note: str = ""
    table_role: str = "performance"
    confidence: float = 1.0
    flags: list[str] = field(default_factory=list)


@dataclass
class Project:
    seq: int
    kind: str = "project"
    page_start: int = 0
    page_end: int = 0
    table_label: str = ""
    project_name: str = ""
    competent_dept: str = ""
    implementing_unit: str = ""
    fiscal_year: int | None = None
    project_attribute: str = ""
    project_period: str = ""
    budget_initial: float | None = None
    budget_full_year: float | None = None
    executed: float | None = None
    execution_rate: float | None = None
    budget_weight: float | None = None
    budget_score: float | None = None
    goal_expected: str = ""
    goal_actual: str = ""
    total_weight: float | None = None
    total_score: float | None = None
    grade: str = ""
    funds: list[Fund] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
