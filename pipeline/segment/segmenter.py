"""Find the blocks of 自评表 in a Grid: project header, funds, goals, indicator tables, totals.

The Grid's tables are read as one stream of rows in reading order. Tables that continue on the
next page are joined first (a merged label split by the page break is made whole again, and a
row split by the page break is merged back). Column roles come from header text through
synonyms, never from positions: a data cell takes the role of the narrowest header cell it sits
under, so two-row headers (年度指标值 over 指标性质/指标值/度量单位) resolve naturally.
"""
from __future__ import annotations

import re
from functools import lru_cache

from normalizers.numbers import parse_amount, parse_number, parse_rate
from normalizers.text import clean_cell, fold, is_placeholder
from pipeline.model import Cell, Fund, Grid, Indicator, Project, TextLine
from pipeline.segment.columns import Column, assign, extent, header_columns
from pipeline.segment.stream import Row, build_stream
from pipeline.segment.vocabulary import (
    DEPARTMENT_TITLES, END_LABELS, FUND_SOURCES, FUNDS_BLOCK_WORD, FUNDS_GROUP_TITLES, FUNDS_GROUPS, FUNDS_ORDER, GOAL_LABELS, GRADE_LABELS, GRADES,
    HEADER_FIELDS, HEADER_KEYS, HEADER_LINE, LEVEL_FUNDS_ROWS, ROLES, SCORING_LEVEL1, TOTAL_LABELS, role_of,
)

TITLE = re.compile(r"自评表")
TABLE_LABEL = re.compile(r"(公开\s*\d+(?:\s*-\s*\d+)?\s*表|附件\s*\d+)")
YEAR = re.compile(r"(20\d{2})\s*年度")
ANY_YEAR = re.compile(r"(20\d{2})\s*年")
NARRATIVE_TOTAL = re.compile(r"总得分\s*(?:为|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
GOAL_HEADING = re.compile(r"(项目)?年度(绩效)?目标$")
NARRATIVE_GRADE = re.compile(r"属于\s*[\"“”]?(优秀|良好|合格|不合格|优|良|中|差)")
_NAME = r"(?!本|该|此|各|每|其中)([^，。：:；\s“”\"、（）()]{2,40}(?:、[^，。：:；\s“”\"、（）()]{2,40})*项目)"
NARRATIVE_NAMES = (  # `X项目绩效自评…` after a clause boundary, else a paragraph opening `X项目预算…`
    re.compile(r"(?:^|[，。：:；])" + _NAME + r"(?=绩效)", re.M),
    re.compile(r"^" + _NAME + r"(?=预算|资金)", re.M),
)
NARRATIVE_AMOUNTS = {
    "budget_initial": re.compile(r"年初预算(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "budget_full_year": re.compile(r"全年预算(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "executed": re.compile(r"全年执行(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "execution_rate": re.compile(r"预算执行率\s*(?:为)?\s*(\d+(?:\.\d+)?\s*%)"),
}


class Segmenter:
    """A state machine over the stream: each row either opens a block or belongs to the open one."""

    def __init__(self, grid: Grid):
        self.stream = build_stream(grid)
        self.projects: list[Project] = []
        self.current: Project | None = None
        self.pending_label = ""
        self.state = ""
        self.columns: list[Column] = []
        self.indicator_columns: list[Column] = []
        self.table_role = "performance"
        self.memory: dict[str, str] = {}
        self.doc_year: int | None = None
        self.lines: list[TextLine] = []

    # -- helpers -------------------------------------------------------------------------------
    def text(self, cell: Cell) -> str:
        return _clean(self.stream.cell_text(cell))

    def texts(self, cells: list[Cell]) -> str:
        return clean_cell("\n".join(self.stream.cell_text(c) for c in cells if self.stream.cell_text(c).strip()))

    def roles_of(self, row: Row) -> tuple[dict[str, list[Cell]], dict[str, str]]:
        """The row's cells under the open block's columns, and their text per role."""
        by_role = assign(row.cells, self.columns)
        return by_role, {role: self.texts(cells) for role, cells in by_role.items()}

    def project(self) -> Project:
        if self.current is None:
            self.new_project()
        return self.current

    def new_project(self, kind: str = "project") -> Project:
        self.current = Project(seq=len(self.projects) + 1, kind=kind, fiscal_year=self.doc_year)
        if self.pending_label:
            self.current.table_label, self.pending_label = self.pending_label, ""
        self.projects.append(self.current)
        self.memory = {}
        return self.current

    def has_identity(self) -> bool:
        project = self.current
        return project is not None and bool(
            project.project_name
            or any(ind.table_role == "performance" and ind.level1_raw for ind in project.indicators)
        )

    def touch(self, page: int) -> None:
        project = self.project()
        project.page_start = project.page_start or page
        project.page_end = max(project.page_end, page)

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
        field_line = HEADER_LINE.match(text)
        if field_line and self.current is not None:
            field_name = HEADER_KEYS[fold(field_line.group(1))]
            field_name = "project_name" if field_name == "department_name" else field_name
            if not getattr(self.current, field_name):
                setattr(self.current, field_name, field_line.group(2))
        if TITLE.search(text) and len(text) <= 40:
            if self.current is None or self.has_identity():
                self.new_project("department" if any(word in text for word in DEPARTMENT_TITLES) else "project")
                self.state = ""
            elif any(word in text for word in DEPARTMENT_TITLES):
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
        filled = [cell for cell in row.cells if self.text(cell)]
        if len(filled) == 1 and len(row.cells) == 1 and filled[0].colspan >= 3:
            # A title printed inside the table (附件1.项目支出绩效自评表) reads as a line of text.
            self.on_line(TextLine(text=self.text(filled[0]), page=row.page, bbox=filled[0].bbox))
            return
        labels = [fold(self.text(cell)).rstrip(":：") for cell in row.cells]
        if self.header_field(row, labels):
            return
        if self.total_row(row, labels):
            return
        if any(label in END_LABELS for label in labels):
            self.state = ""
            return
        for opener in (self.funds_header, self.level_funds_header, self.task_header, self.goals_header, self.indicator_header):
            if opener(row, labels):
                return
        handler = {
            "funds": self.funds_row, "level_funds": self.level_funds_row, "tasks": self.task_row,
            "goals": self.goals_row, "group_funds": self.group_funds_row, "indicators": self.indicator_row,
        }.get(self.state)
        if handler:
            handler(row)

    def header_field(self, row: Row, labels: list[str]) -> bool:
        """项目名称 / 主管部门 / 实施单位 … rows: the value is the next cell to the right."""
        found = False
        for index, cell in enumerate(row.cells):
            text = self.text(cell)
            key = labels[index]
            field_name = HEADER_KEYS.get(key)
            value = ""
            if field_name is None:
                prefix = next(
                    ((name, k) for name, keys in HEADER_FIELDS.items() for k in keys if key.startswith(fold(k)) and len(key) > len(fold(k)) + 1),
                    None,
                )
                if prefix is None or self.state == "indicators":
                    continue
                field_name = prefix[0]
                value = clean_cell(re.sub(rf"^\s*{re.escape(prefix[1])}\s*[:：]?\s*", "", text))
            else:
                for neighbour in row.cells[index + 1:]:
                    neighbour_key = fold(self.text(neighbour))
                    if neighbour_key in HEADER_KEYS:
                        break
                    if neighbour_key:
                        value = self.text(neighbour)
                        break
            if field_name in ("project_name", "department_name"):
                if self.current is None or self.current.project_name or (self.has_identity() and self.current.indicators):
                    self.new_project()
                if field_name == "department_name":
                    self.current.kind = "department"
                self.current.project_name = value
            else:
                project = self.project()
                if not getattr(project, field_name):
                    setattr(project, field_name, value)
            found = True
        if found:
            self.touch(row.page)
            self.state = ""
        return found

    def total_row(self, row: Row, labels: list[str]) -> bool:
        if self.current is None:
            return False
        project = self.current
        if any(label in GRADE_LABELS for label in labels):
            for index, label in enumerate(labels):
                if label in GRADES:
                    project.grade = GRADES[label]
            return True
        if not any(label in TOTAL_LABELS for label in labels) or not self.indicator_columns:
            return False
        by_role = assign(row.cells, self.indicator_columns)
        weight = parse_number(self.texts(by_role.get("weight", [])))
        score = parse_number(self.texts(by_role.get("score", [])))
        if weight is None and score is None:
            numbers = [parse_number(self.text(c)) for c in row.cells if parse_number(self.text(c)) is not None]
            if len(numbers) >= 2:
                weight, score = numbers[-2], numbers[-1]
        project.total_weight, project.total_score = weight, score
        for label in labels:
            if label in GRADES:
                project.grade = GRADES[label]
        self.touch(row.page)
        self.state = ""
        return True

    # -- funds ---------------------------------------------------------------------------------
    def funds_header(self, row: Row, labels: list[str]) -> bool:
        columns = header_columns([row], "funds")
        if len({c.role for c in columns} & {"budget_initial", "budget_full_year", "executed"}) < 2:
            if any(label in FUNDS_GROUP_TITLES for label in labels) or (
                self.state != "indicators" and any(label in FUNDS_GROUPS for label in labels)
            ):
                self.state = "group_funds"
                self.group_funds_row(row)
                return True
            return False
        self.columns, self.state = columns, "funds"
        self.touch(row.page)
        return True

    def funds_row(self, row: Row) -> None:
        by_role, values = self.roles_of(row)
        if not any(values.values()):
            return
        assigned = {id(c) for cells in by_role.values() for c in cells}
        label_cells = [c for c in row.cells if id(c) not in assigned and FUNDS_BLOCK_WORD not in fold(self.text(c))]
        label = self.text(label_cells[-1]) if label_cells else ""
        project = self.project()
        source = fund_source(label) or FUNDS_ORDER[min(len(project.funds), len(FUNDS_ORDER) - 1)]
        fund = Fund(
            source=source,
            label_raw=label,
            budget_initial=parse_amount(values.get("budget_initial", "")),
            budget_full_year=parse_amount(values.get("budget_full_year", "")),
            executed=parse_amount(values.get("executed", "")),
            execution_rate=parse_rate(values.get("execution_rate", "")),
            weight=parse_amount(values.get("weight", "")),
            score=parse_amount(values.get("score", "")),
        )
        project.funds.append(fund)
        if source == "total" and project.budget_weight is None:
            project.budget_initial, project.budget_full_year = fund.budget_initial, fund.budget_full_year
            project.executed, project.execution_rate = fund.executed, fund.execution_rate
            project.budget_weight, project.budget_score = fund.weight, fund.score
        self.touch(row.page)

    def group_funds_row(self, row: Row) -> None:
        """晋中's layout: 预算资金 / 实际支出资金 groups, one label and one amount per row."""
        texts = [self.text(c) for c in row.cells]
        keys = [fold(t) for t in texts]
        group = next((k for k in keys if k in FUNDS_GROUPS), None)
        if group:
            self.memory["funds_group"] = group
        amount_index = max((i for i, t in enumerate(texts) if parse_amount(t) is not None and re.search(r"\d", t)), default=None)
        if amount_index is None:
            return
        label_candidates = [t for i, t in enumerate(texts[:amount_index]) if keys[i] and keys[i] not in FUNDS_GROUPS and FUNDS_BLOCK_WORD not in keys[i]]
        label = label_candidates[-1] if label_candidates else ""
        amount = parse_amount(texts[amount_index])
        project = self.project()
        fund = Fund(source=fund_source(label) or "other", label_raw=label)
        if self.memory.get("funds_group") == FUNDS_GROUPS[1]:
            fund.executed = amount
        else:
            fund.budget_full_year = amount
        project.funds.append(fund)
        if fund.source == "total":
            project.budget_full_year = project.budget_full_year if project.budget_full_year is not None else fund.budget_full_year
            project.executed = project.executed if project.executed is not None else fund.executed
        self.touch(row.page)

    def level_funds_header(self, row: Row, labels: list[str]) -> bool:
        columns = header_columns([row], "level_funds_columns")
        if len({c.role for c in columns} & {"central", "provincial", "municipal", "county"}) < 2:
            return False
        above = self.previous_row(row)
        if above is not None:
            columns += [c for c in header_columns([above], "level_funds_columns") if c.role not in {k.role for k in columns}]
        self.columns = columns
        self.state = "level_funds"
        self.touch(row.page)
        return True

    def level_funds_row(self, row: Row) -> None:
        """曲沃's transposed funds table: one column per source, one row per measure."""
        label = fold(self.text(row.cells[0])) if row.cells else ""
        measure = next((m for m, keys in LEVEL_FUNDS_ROWS.items() if any(label.startswith(fold(k)) for k in keys)), None)
        if measure is None:
            return
        by_role = assign(row.cells[1:], self.columns)
        project = self.project()
        funds = {fund.source: fund for fund in project.funds}
        headers = {c.role: c.text for c in self.columns}
        for source in ROLES["level_funds_columns"]:
            if source not in by_role:
                continue
            text = self.texts(by_role[source])
            fund = funds.get(source)
            if fund is None:
                fund = funds[source] = Fund(source=source, label_raw=headers.get(source, ""))
                project.funds.append(fund)
            value = parse_rate(text) if measure == "execution_rate" else parse_amount(text)
            setattr(fund, measure, value)
        total = funds.get("total")
        if total is not None:
            project.budget_initial, project.budget_full_year = total.budget_initial, total.budget_full_year
            project.executed, project.execution_rate = total.executed, total.execution_rate
        self.touch(row.page)

    def task_header(self, row: Row, labels: list[str]) -> bool:
        if not any(role_of(label, "tasks", False) == "label" for label in labels):
            return False
        self.columns, self.state = header_columns([row], "tasks"), "tasks"
        return True

    def task_row(self, row: Row) -> None:
        """部门整体 重点工作任务: an unnamed totals row, then one row per task."""
        by_role, values = self.roles_of(row)
        sub = header_columns([row], "tasks")
        if sub:
            self.columns = [c for c in self.columns if c.role not in {s.role for s in sub}] + sub
            return
        if not any(parse_amount(v) is not None for k, v in values.items() if k != "label"):
            return
        project = self.project()
        label = values.get("label", "")
        if not label:
            rows = [("total", values.get("budget_full_year"), values.get("executed")),
                    ("current_fiscal", values.get("current_fiscal"), None), ("other", values.get("other"), None)]
            for source, budget, executed in rows:
                project.funds.append(Fund(source=source, budget_full_year=parse_amount(budget or ""), executed=parse_amount(executed or "")))
            project.budget_full_year, project.executed = parse_amount(values.get("budget_full_year", "")), parse_amount(values.get("executed", ""))
        else:
            project.funds.append(Fund(
                source="task", label_raw=label,
                budget_full_year=parse_amount(values.get("budget_full_year", "")),
                executed=parse_amount(values.get("executed", "")),
                execution_rate=parse_rate(values.get("execution_rate", "")),
            ))
        self.touch(row.page)

    # -- goals ---------------------------------------------------------------------------------
    def goals_header(self, row: Row, labels: list[str]) -> bool:
        expected = [c for c, l in zip(row.cells, labels) if l in GOAL_LABELS["expected"]]
        actual = [c for c, l in zip(row.cells, labels) if l in GOAL_LABELS["actual"]]
        if not expected or not actual or any(role_of(l, "indicators", False) == "name" for l in labels):
            return False
        self.columns = [Column("goal_expected", *extent(expected[0])), Column("goal_actual", *extent(actual[0]))]
        self.columns += [Column("year", *extent(c)) for c, l in zip(row.cells, labels) if l in GOAL_LABELS["year"]]
        self.state = "goals"
        return True

    def goals_row(self, row: Row) -> None:
        by_role = assign(row.cells, self.columns)
        project = self.project()
        year = parse_number(self.texts(by_role.get("year", [])))
        if year and project.fiscal_year and int(year) != project.fiscal_year:
            return
        for role in ("goal_expected", "goal_actual"):
            text = self.texts(by_role.get(role, []))
            if text and not getattr(project, role):
                setattr(project, role, text)
        self.touch(row.page)

    # -- indicators ----------------------------------------------------------------------------
    def indicator_header(self, row: Row, labels: list[str]) -> bool:
        columns = header_columns([row], "indicators")
        roles = {c.role for c in columns}
        following = self.next_row(row) if columns else None
        if following is not None:
            more = header_columns([following], "indicators")
            if len(more) >= 2 and ("name" in roles or any(c.role == "name" for c in more)):
                columns += more
                roles |= {c.role for c in more}
                self.skip.add(id(following))
        if "name" not in roles or len(roles) < 3:
            return False
        if "level1" not in roles and "level2" in roles:
            # An unnamed column just left of 二级 holds the 一级 labels (晋中's form).
            level2_x0 = min(c.x0 for c in columns if c.role == "level2")
            left = [c for c in row.cells if extent(c)[1] <= level2_x0 + 1 and not role_of(self.text(c), "indicators")]
            if left:
                columns.append(Column("level1", *extent(left[-1])))
        self.indicator_columns = self.columns = columns
        self.table_role = "performance" if roles & {"target", "actual"} else "scoring"
        if self.state != "indicators" or self.current is None or self.current_table != row.table:
            self.memory = {}
        self.current_table = row.table
        self.state = "indicators"
        self.touch(row.page)
        return True

    def indicator_row(self, row: Row) -> None:
        by_role, values = self.roles_of(row)
        if not any(values.values()):
            return
        project = self.project()
        name = values.get("name", "")
        level_text = {level: values.get(level, "") for level in ("level1", "level2")}
        data = [values.get(k, "") for k in ("target", "actual", "weight", "score", "nature", "unit", "progress")]
        if self.table_role == "scoring":
            label = next((t for t in (name, level_text["level2"], level_text["level1"]) if SCORING_LEVEL1.match(fold(t))), None)
            if label:
                self.memory["level1"] = re.sub(r"[:：]$", "", label)
                return
        if not name and not any(data):
            for level, text in level_text.items():
                if text:
                    self.memory[level] = text
            return
        levels = {}
        for level, text in level_text.items():
            if text:
                self.memory.pop(level, None)
                levels[level] = text
            else:
                levels[level] = self.memory.get(level, "")
        name_cells = by_role.get("name") or row.cells
        indicator = Indicator(
            seq=len(project.indicators) + 1,
            page=min(c.page for c in name_cells),
            name_raw=name,
            level1_raw=levels["level1"],
            level2_raw=levels["level2"],
            nature_raw=values.get("nature", ""),
            target_raw=values.get("target", ""),
            actual_raw=values.get("actual", ""),
            unit_raw=values.get("unit", ""),
            weight=parse_number(values.get("weight", "")),
            score=parse_number(values.get("score", "")),
            progress_raw=values.get("progress", ""),
            deviation_note=values.get("deviation", ""),
            table_role=self.table_role,
            confidence=min((c.confidence for c in row.cells), default=1.0),
        )
        if is_placeholder(name):
            indicator.flags.append("placeholder_row")
        project.indicators.append(indicator)
        self.touch(row.page)

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

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> list[Project]:
        self.skip: set[int] = set()
        self.current_table = -1
        self.positions = {id(item): index for index, item in enumerate(self.stream.items)}
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
            project.fiscal_year = project.fiscal_year or self.doc_year or fallback_year
            mark_section_tables(project)
        if len(projects) == 1:
            narrative_facts(projects[0], [clean_cell(line.text) for line in self.lines])
        return projects


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    return clean_cell(text)


def fund_source(label: str) -> str | None:
    key = fold(label)
    if not key:
        return None
    for source, names in FUND_SOURCES:
        if any(fold(name) in key for name in names):
            return source
    return None


def narrative_facts(project: Project, lines: list[str]) -> None:
    """A narrative report (曲沃, 西藏) states its project, budget, score and grade in prose: fill what tables did not.

    The name must sit within one line (a heading glued to the next line would read as a name);
    figures are looked for in the lines joined, since a sentence may wrap anywhere.
    """
    text = clean_cell("\n".join(lines))
    if not project.project_name:
        found = (pattern.search("\n".join(lines)) for pattern in NARRATIVE_NAMES)
        project.project_name = next((match.group(1) for match in found if match), "")
    if not project.goal_expected:
        heading = next((i for i, line in enumerate(lines) if len(line) <= 20 and GOAL_HEADING.search(line)), None)
        if heading is not None and heading + 1 < len(lines):
            project.goal_expected = lines[heading + 1]
    if project.total_score is None:
        total = NARRATIVE_TOTAL.search(text)
        project.total_score = float(total.group(1)) if total else None
    if not project.grade:
        grade = NARRATIVE_GRADE.search(text)
        project.grade = GRADES[grade.group(1)] if grade else ""
    if project.budget_full_year is None and project.executed is None:
        found = {key: pattern.search(text) for key, pattern in NARRATIVE_AMOUNTS.items()}
        values = {
            key: (parse_rate(match.group(1)) if key == "execution_rate" else parse_amount(match.group(1)))
            for key, match in found.items() if match
        }
        if values:
            for key, value in values.items():
                setattr(project, key, value)
            project.funds.append(Fund(source="total", **values))


def mark_section_tables(project: Project) -> None:
    """Tables without a 一级 column whose rows a later full table repeats are `section` tables (曲沃)."""
    full = {fold(i.name_raw) for i in project.indicators if i.table_role == "performance" and i.level1_raw}
    partial = [i for i in project.indicators if i.table_role == "performance" and not i.level1_raw]
    if full and partial and all(fold(i.name_raw) in full for i in partial):
        first_full = min(i.seq for i in project.indicators if i.level1_raw)
        for indicator in partial:
            if indicator.seq < first_full:
                indicator.table_role = "section"


def segment(grid: Grid) -> tuple[list[Project], list[TextLine]]:
    """The projects of a document, and its free text lines (for document-level facts)."""
    segmenter = Segmenter(grid)
    projects = segmenter.run()
    return projects, segmenter.lines
