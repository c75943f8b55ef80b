"""Find the blocks of 自评表 in a Grid: project header, funds, goals, indicator tables, totals.

The Grid's tables are read as one stream of rows in reading order (stream.py joins tables that
continue over page breaks). Column roles come from header text through the synonyms of
vocabulary.toml, never from positions: a data cell takes the role of the narrowest header cell it
sits under, so two-row headers (年度指标值 over 指标性质/指标值/度量单位) resolve naturally. The
Segmenter is a thin dispatcher: text lines open projects (titles, 表号, 年度); each table row goes to
the block recognizers of blocks/ (the first that opens on it handles it, else the open block takes it).
"""
from __future__ import annotations

import re
from functools import lru_cache

from normalizers.text import clean_cell, fold
from normalizers.traditional import simplified
from pipeline.model import Cell, Grid, Project, TextLine
from pipeline.segment.blocks import Recognizer
from pipeline.segment.blocks.funds import Funds, GroupFunds, LevelFunds, Tasks, settle_money_unit
from pipeline.segment.blocks.goals import Goals
from pipeline.segment.blocks.header import HeaderFields, apply_field
from pipeline.segment.blocks.indicators import Indicators
from pipeline.segment.blocks.totals import EndOfBlock, Totals
from pipeline.segment.columns import Column, assign
from pipeline.segment.narrative import mark_section_tables, narrative_facts
from pipeline.segment.stream import Row, build_stream
from pipeline.segment.vocabulary import DEPARTMENT_TITLES, TABLE_TITLES, line_fields

# The order a row is offered to the recognizers: one-row blocks first, then block headers; the end of
# a block last, so that an indicator header with a 备注 column opens its table.
RECOGNIZERS: tuple[type[Recognizer], ...] = (
    HeaderFields, Totals, Funds, GroupFunds, LevelFunds, Tasks, Goals, Indicators, EndOfBlock,
)
TITLE = re.compile("|".join(map(re.escape, TABLE_TITLES)))
TABLE_LABEL = re.compile(r"(公开\s*\d+(?:\s*-\s*\d+)?\s*表|附件\s*\d+)")
YEAR = re.compile(r"(20\d{2})\s*年度")
ANY_YEAR = re.compile(r"(20\d{2})\s*年")
TEXT_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年(?!\s*[-—至~～])")  # `2021年较好地完成`, not a span's start
TOTAL_LINE = re.compile(r"^(?:自评总分|总分|自评得分|自評得分|自評總分)\s*[:：]\s*(\d+(?:\.\d+)?)\s*分?")


class Segmenter:
    """Reads the stream: lines open projects, rows go to the recognizers or to the open block."""

    def __init__(self, grid: Grid):
        self.stream = build_stream(grid)
        self.projects: list[Project] = []
        self.current: Project | None = None
        self.pending_label = ""
        self.pending_fields: list[tuple[str, str]] = []  # header field lines read before any project was open
        self.state = ""  # name of the open block's recognizer, "" when none is open
        self.memory: dict[str, str] = {}  # what a block carries from row to row (一级/二级 labels …)
        self.doc_year: int | None = None
        self.lines: list[TextLine] = []
        self.skip: set[int] = set()  # rows a recognizer already read (a second header row)
        self.positions = {id(item): index for index, item in enumerate(self.stream.items)}
        self.recognizers = [cls(self) for cls in RECOGNIZERS]
        self.blocks = {recognizer.name: recognizer for recognizer in self.recognizers}

    # -- helpers for recognizers ----------------------------------------------------------------
    def block(self, name: str) -> Recognizer:
        return self.blocks[name]

    def text(self, cell: Cell) -> str:
        return _clean(self.stream.cell_text(cell))

    def texts(self, cells: list[Cell]) -> str:
        return clean_cell("\n".join(self.stream.cell_text(c) for c in cells if self.stream.cell_text(c).strip()))

    def roles_of(self, row: Row, columns: list[Column]) -> tuple[dict[str, list[Cell]], dict[str, str]]:
        """The row's cells under these header columns, and their text per role."""
        by_role = assign(row.cells, columns)
        return by_role, {role: self.texts(cells) for role, cells in by_role.items()}

    def project(self) -> Project:
        if self.current is None:
            self.new_project()
        return self.current

    def new_project(self, kind: str = "project") -> Project:
        # a project's 年度 is the one printed with it (a title, a `(2022年度)` line); the document's
        # first 年度 is only the fallback run() gives a project that prints none
        self.current = Project(seq=len(self.projects) + 1, kind=kind)
        if self.pending_label:
            self.current.table_label, self.pending_label = self.pending_label, ""
        self.projects.append(self.current)
        self.memory = {}
        pending, self.pending_fields = self.pending_fields, []
        for field_name, value in pending:
            apply_field(self, field_name, value, line=True)
        return self.current

    def has_identity(self) -> bool:
        project = self.current
        return project is not None and bool(
            project.project_name
            or any(ind.table_role in ("performance", "scoring") and ind.level1_raw for ind in project.indicators)
        )

    def touch(self, page: int) -> None:
        project = self.project()
        project.page_start = project.page_start or page
        project.page_end = max(project.page_end, page)

    def next_row(self, row: Row) -> Row | None:
        return self.neighbour(row, +1)

    def previous_row(self, row: Row) -> Row | None:
        return self.neighbour(row, -1)

    def neighbour(self, row: Row, step: int) -> Row | None:
        """The adjacent row of the same table, if the stream has one there."""
        index = self.positions.get(id(row), -1) + step
        if 0 <= index < len(self.stream.items):
            item = self.stream.items[index]
            if isinstance(item, Row) and item.table == row.table:
                return item
        return None

    # -- text lines ----------------------------------------------------------------------------
    def on_line(self, line: TextLine) -> None:
        text = clean_cell(line.text)
        self.lines.append(line)
        year = YEAR.search(text)
        if year and self.doc_year is None:
            self.doc_year = int(year.group(1))
        if year and self.current is not None and self.current.fiscal_year is None:
            self.current.fiscal_year = int(year.group(1))
        label = TABLE_LABEL.search(text)
        for field_name, value in line_fields(line.text.strip()) or line_fields(text):
            if self.current is not None:
                apply_field(self, field_name, value, line=True)
            else:  # a form's head printed as lines above its table (`项目名称:…`, `评价单位:… 评价项目:…`)
                self.pending_fields.append((field_name, value))
        total_line = TOTAL_LINE.search(text)
        if total_line and self.current is not None:
            apply_field(self, "header_total", total_line.group(1))
        if TITLE.search(simplified(text)) and len(text) <= 40:
            department = any(word in text for word in DEPARTMENT_TITLES)
            if self.current is None or self.has_identity():
                self.new_project("department" if department else "project")
                self.state = ""
            elif department:
                self.current.kind = "department"
            if year:
                self.current.fiscal_year = int(year.group(1))
        if label:
            value = re.sub(r"\s+", "", label.group(1))
            if self.current is not None and not self.current.table_label:
                self.current.table_label = value
            else:
                self.pending_label = value

    # -- rows ----------------------------------------------------------------------------------
    def on_row(self, row: Row) -> None:
        self.pending_label = ""  # a label still pending at a table row belonged to no 自评表
        if self.current is None and self.pending_fields:
            self.new_project()  # the head printed above the table names the project the table opens
        filled = [cell for cell in row.cells if self.text(cell)]
        if len(filled) == 1 and filled[0].colspan >= max(3, 0.75 * sum(cell.colspan for cell in row.cells)):
            # A title printed inside the table (附件1.项目支出绩效自评表) reads as a line of text, also
            # where the table pads the row with empty cells.
            self.on_line(TextLine(text=self.text(filled[0]), page=row.page, bbox=filled[0].bbox))
            return
        labels = [simplified(fold(self.text(cell))).rstrip(":：") for cell in row.cells]
        for recognizer in self.recognizers:
            if recognizer.opens(row, labels):
                return
        if self.state:
            self.blocks[self.state].take(row)

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> list[Project]:
        for item in self.stream.items:
            if isinstance(item, TextLine):
                self.on_line(item)
            elif id(item) not in self.skip:
                self.on_row(item)
        projects = [p for p in self.projects if p.indicators or p.funds or p.project_name]
        years = [int(y) for line in self.lines for y in ANY_YEAR.findall(line.text)]
        fallback_year = max(set(years), key=years.count) if years else None
        for seq, project in enumerate(projects, start=1):
            project.seq = seq
            project.fiscal_year = (
                project.fiscal_year or self.doc_year or period_year(project.project_period) or fallback_year
                or goal_year(project)
            )
            mark_section_tables(project)
        if len(projects) == 1:
            narrative_facts(projects[0], [clean_cell(line.text) for line in self.lines])
        for project in projects:
            settle_money_unit(project)
        return projects


def period_year(period: str) -> int | None:
    """The one year a 项目期 / 项目起止时间 spans (`2021年1月起至2021年12月止`), else None."""
    years = set(ANY_YEAR.findall(period)) | set(re.findall(r"(?<!\d)(20\d{2})-\d{1,2}-\d{1,2}", period))
    return int(years.pop()) if len(years) == 1 else None


def goal_year(project: Project) -> int | None:
    """The year a project's goal texts tell of (`中心2021年较好地完成了履职任务`), when they name one only."""
    years = set(TEXT_YEAR.findall(project.goal_actual)) or set(TEXT_YEAR.findall(project.goal_expected))
    return int(years.pop()) if len(years) == 1 else None


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    return clean_cell(text)


def segment(grid: Grid) -> tuple[list[Project], list[TextLine]]:
    """The projects of a document, and its free text lines (for document-level facts)."""
    segmenter = Segmenter(grid)
    projects = segmenter.run()
    return projects, segmenter.lines
