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
    money_unit: str = ""  # the unit the report printed money in (万元 / 元); amounts are always 万元


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
    # extra columns of the shared contract (COMMON.md): empty when not printed
    review_score: float | None = None  # a second score column: 市级评分, 财政审核评分, 复核得分
    scoring_method: str = ""  # 得分计算方法 / 评分标准 / 评分细则 as printed
    indicator_note: str = ""  # 指标解释 / 指标说明
    row_no: str = ""  # 序号 as printed
    is_core: str = ""  # 是否核心指标 as printed
    target_adjusted_raw: str = ""  # 调整指标值 (target_raw is then the 年初指标值)
    score_coefficient_raw: str = ""  # 得分系数 as printed
    level1_weight: float | None = None  # weight printed inside the 一级 label (产出指标(50分))
    level2_weight: float | None = None  # weight printed inside the 二级 label
    measure: str = ""  # satisfaction, rate, count, money, duration, date, qualitative
    subject: str = ""  # the group or object the indicator concerns (学生, 家长, 群众 …)


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
    # extra columns of the shared contract (COMMON.md): empty when not printed
    money_unit: str = ""  # the unit the report printed money in (万元 / 元); amounts are always 万元
    project_code: str = ""  # a project code printed glued to the project name
    dept_code: str = ""  # a budget-unit code printed with 主管部门 / 实施单位 (219 of 219-宁晋县教育局)
    review_total_score: float | None = None  # a second total (财政审核评分, 市级评分 total)
    header_total: float | None = None  # a total printed in the header (自评总分), checked against the 总分 row
    funds: list[Fund] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
