"""Funds blocks: the standard 年初预算数/全年预算数/全年执行数 table, 晋中's 预算资金/实际支出资金 groups,
曲沃's transposed table by government level, and the 部门整体 重点工作任务 table."""
from __future__ import annotations

import re

from normalizers.numbers import parse_amount, parse_rate
from normalizers.text import fold
from normalizers.traditional import simplified
from pipeline.model import Fund
from pipeline.segment.blocks import Recognizer
from pipeline.segment.columns import Column, assign, extent, header_columns
from pipeline.segment.stream import Row
from pipeline.segment.vocabulary import (
    FUND_SOURCES, FUNDS_BLOCK_WORD, FUNDS_GROUP_TITLES, FUNDS_GROUPS, FUNDS_ORDER, LEVEL_FUNDS_MEASURES, LEVEL_FUNDS_ROWS,
    ROLES, role_of,
)

AMOUNT_ROLES = {"budget_initial", "budget_full_year", "executed"}
LEVELS = {"central", "provincial", "municipal", "county"}


def fund_source(label: str) -> str | None:
    """The source (vocabulary fund_sources) a funds row's label names, if any."""
    key = fold(label)
    if not key:
        return None
    for source, names in FUND_SOURCES:
        if any(fold(name) in key for name in names):
            return source
    return None


YUAN = re.compile(r"(?:\(元\)|单位[:：]元|單位[:：]元|[(（]单位[:：]?元[)）]|资金\(元\))")
WAN = re.compile(r"万元|萬元|\(万\)|[0-9]万$|萬")
MONEY_FIELDS = ("budget_initial", "budget_full_year", "executed", "received")


def note_money_unit(seg, row: Row) -> None:
    """The unit a funds block prints money in, from its header row or the lines just before it
    (`预算执行情况(万元)`, `项目资金(元)`, `单位:元`); kept on the project (万元 unless 元 is printed)."""
    project = seg.project()
    texts = [fold(seg.text(c)) for c in row.cells] + [fold(line.text) for line in seg.lines[-3:] if "单位" in line.text or "單位" in line.text]
    if any(WAN.search(t) for t in texts):
        project.money_unit = project.money_unit or "万元"
    elif any(YUAN.search(t) for t in texts):
        project.money_unit = project.money_unit or "元"


def settle_money_unit(project) -> None:
    """Money columns are always 万元: a project printed in 元 has its figures divided by 10,000;
    the printed unit is kept in money_unit on the project and its funds."""
    if not project.funds and project.budget_full_year is None and project.executed is None:
        return
    project.money_unit = project.money_unit or "万元"
    if project.money_unit == "元":
        for holder in (project, *project.funds):
            for name in MONEY_FIELDS:
                value = getattr(holder, name, None)
                if value is not None:
                    setattr(holder, name, round(value / 10000, 6))
    for fund in project.funds:
        fund.money_unit = project.money_unit


def copy_total(project, fund: Fund) -> None:
    """The project's budget figures from its total funds line."""
    project.budget_initial, project.budget_full_year = fund.budget_initial, fund.budget_full_year
    project.executed, project.execution_rate = fund.executed, fund.execution_rate


class Funds(Recognizer):
    """A header naming two of 年初预算数 / 全年预算数 / 全年执行数; then one line per source row."""

    name = "funds"
    table = -1  # the table the block's header is in

    def opens(self, row: Row, labels: list[str]) -> bool:
        columns = header_columns([row], "funds")
        if len({c.role for c in columns} & AMOUNT_ROLES) < 2:
            return False
        self.open(columns)
        self.table = row.table
        note_money_unit(self.seg, row)
        self.seg.touch(row.page)
        return True

    def take(self, row: Row) -> None:
        seg = self.seg
        if row.table != self.table:
            seg.state = ""  # a funds block ends with its table (湖南's 支出明细 list after the funds grid)
            return
        by_role, values = seg.roles_of(row, self.columns)
        if not any(values.values()):
            return
        assigned = {id(c) for cells in by_role.values() for c in cells}
        label_cells = [c for c in row.cells if id(c) not in assigned and fold(seg.text(c))
                       and FUNDS_BLOCK_WORD not in simplified(fold(seg.text(c)))]
        label = values.get("label") or (seg.text(label_cells[-1]) if label_cells else "")
        project = seg.project()
        source = fund_source(label) or FUNDS_ORDER[min(len(project.funds), len(FUNDS_ORDER) - 1)]
        fund = Fund(
            source=source,
            label_raw=label,
            budget_initial=parse_amount(values.get("budget_initial", "")),
            budget_full_year=parse_amount(values.get("budget_full_year", "")),
            executed=parse_amount(values.get("executed", "")),
            execution_rate=parse_rate(values.get("execution_rate", "")),
            received=parse_amount(values.get("received", "")),
            weight=parse_amount(values.get("weight", "")),
            score=parse_amount(values.get("score", "")),
        )
        project.funds.append(fund)
        if source == "total" and project.budget_weight is None:
            copy_total(project, fund)
            project.budget_weight, project.budget_score = fund.weight, fund.score
        seg.touch(row.page)


class GroupFunds(Recognizer):
    """晋中's layout: 预算资金 / 实际支出资金 groups, one label and one amount per row."""

    name = "group_funds"

    def opens(self, row: Row, labels: list[str]) -> bool:
        above = self.seg.previous_row(row)
        # a title merged down the rows of another funds block (湖南's 项目资金情况 over its grid) opens nothing
        spanned = {id(c) for c in above.cells} if above is not None else set()
        labels = [label if id(cell) not in spanned else "" for cell, label in zip(row.cells, labels)]
        if any(label in FUNDS_GROUP_TITLES for label in labels) or (
            self.seg.state != "indicators" and any(label in FUNDS_GROUPS for label in labels)
        ):
            self.open()
            note_money_unit(self.seg, row)
            self.take(row)
            return True
        return False

    def take(self, row: Row) -> None:
        seg = self.seg
        texts = [seg.text(c) for c in row.cells]
        keys = [fold(t) for t in texts]
        group = next((k for k in keys if k in FUNDS_GROUPS), None)
        if group:
            seg.memory["funds_group"] = group
        amount_index = max((i for i, t in enumerate(texts) if parse_amount(t) is not None and re.search(r"\d", t)), default=None)
        if amount_index is None:
            return
        label_candidates = [t for i, t in enumerate(texts[:amount_index]) if keys[i] and keys[i] not in FUNDS_GROUPS and FUNDS_BLOCK_WORD not in keys[i]]
        label = label_candidates[-1] if label_candidates else ""
        amount = parse_amount(texts[amount_index])
        project = seg.project()
        fund = Fund(source=fund_source(label) or "other", label_raw=label)
        if seg.memory.get("funds_group") == FUNDS_GROUPS[1]:
            fund.executed = amount
        else:
            fund.budget_full_year = amount
        project.funds.append(fund)
        if fund.source == "total":
            project.budget_full_year = project.budget_full_year if project.budget_full_year is not None else fund.budget_full_year
            project.executed = project.executed if project.executed is not None else fund.executed
        seg.touch(row.page)


class LevelFunds(Recognizer):
    """Funds by source in columns (two levels named at least: 中央/省级/市级/县级 …).

    曲沃's transposed table has one row per measure (年初预算资金, 实际到位资金 …). 重庆's 转移支付 grid has
    one row per programme under a label column (`资金`), the measure named by the header (年度预算资金总额):
    its 合计 row gives the funds by source, each other row a programme (a `task` line). A grid printed
    inside an indicator table (彭水's 预算资金安排 row) hands the rows after it back to the indicators."""

    name = "level_funds"
    resume = ""  # the block the grid interrupted (indicators), "" when none
    label_column: Column | None = None
    measure: str | None = None  # the measure the header names, when its rows are programmes

    def opens(self, row: Row, labels: list[str]) -> bool:
        seg = self.seg
        columns = header_columns([row], "level_funds_columns")
        if len({c.role for c in columns} & LEVELS) < 2:
            return False
        above = seg.previous_row(row)
        if above is not None:
            columns += [c for c in header_columns([above], "level_funds_columns") if c.role not in {k.role for k in columns}]
        self.resume = seg.state if seg.state == "indicators" else ""
        self.open(columns)
        titled = self.labels_left(row)
        self.label_column = Column("label", *extent(titled[-1])) if titled else None
        total = next((c.text for c in columns if c.role == "total"), "")
        self.measure = next((m for m, keys in LEVEL_FUNDS_MEASURES.items()
                             if any(fold(k) in simplified(fold(total)) for k in keys)), None)
        note_money_unit(seg, row)
        seg.touch(row.page)
        return True

    def take(self, row: Row) -> None:
        seg = self.seg
        label = fold(seg.text(row.cells[0])) if row.cells else ""
        measure = next((m for m, keys in LEVEL_FUNDS_ROWS.items() if any(label.startswith(fold(k)) for k in keys)), None)
        if measure is None:
            self.take_programme(row)
            return
        by_role = assign(row.cells[1:], self.columns)
        project = seg.project()
        funds = {fund.source: fund for fund in project.funds}
        headers = {c.role: c.text for c in self.columns}
        for source in ROLES["level_funds_columns"]:
            if source not in by_role:
                continue
            text = seg.texts(by_role[source])
            fund = funds.get(source)
            if fund is None:
                fund = funds[source] = Fund(source=source, label_raw=headers.get(source, ""))
                project.funds.append(fund)
            value = parse_rate(text) if measure == "execution_rate" else parse_amount(text)
            setattr(fund, measure, value)
        total = funds.get("total")
        if total is not None:
            copy_total(project, total)
        seg.touch(row.page)

    def labels_left(self, row: Row) -> list:
        """The row's filled cells left of the grid's source columns (its labels)."""
        first = min(c.x0 for c in self.columns)
        return [c for c in row.cells if extent(c)[1] <= first + 1e-6 and self.seg.text(c)]

    def take_programme(self, row: Row) -> None:
        """A row whose label sits under the grid's label column: the 合计 by source, or one programme."""
        seg = self.seg
        left = self.labels_left(row)
        labelled = (self.measure is not None and self.label_column is not None and len(left) == 1
                    and bool(assign(left, [self.label_column])))
        if not labelled:
            if self.resume:  # the grid has ended: the row is the indicator table's again
                seg.state = self.resume
                seg.blocks[self.resume].take(row)
            return
        label = seg.text(left[0])
        by_role = assign([c for c in row.cells if c is not left[0]], self.columns)
        amounts = {source: parse_amount(seg.texts(cells)) for source, cells in by_role.items()}
        project = seg.project()
        headers = {c.role: c.text for c in self.columns}
        if fund_source(label) == "total" and not any(f.source == "total" for f in project.funds):
            for source in ROLES["level_funds_columns"]:
                if source in amounts:
                    fund = Fund(source=source, label_raw=label if source == "total" else headers.get(source, ""))
                    setattr(fund, self.measure, amounts[source])
                    project.funds.append(fund)
            if "total" in amounts:
                copy_total(project, next(f for f in project.funds if f.source == "total"))
        else:
            fund = Fund(source="task", label_raw=label)
            setattr(fund, self.measure, amounts.get("total"))
            project.funds.append(fund)
        seg.touch(row.page)


class Tasks(Recognizer):
    """部门整体 重点工作任务: a 任务名称 header, an unnamed totals row, then one row per task."""

    name = "tasks"

    def opens(self, row: Row, labels: list[str]) -> bool:
        if not any(role_of(label, "tasks", False) == "label" for label in labels):
            return False
        self.open(header_columns([row], "tasks"))
        note_money_unit(self.seg, row)
        return True

    def take(self, row: Row) -> None:
        seg = self.seg
        by_role, values = seg.roles_of(row, self.columns)
        sub = header_columns([row], "tasks")
        if sub:
            self.columns = [c for c in self.columns if c.role not in {s.role for s in sub}] + sub
            return
        if not any(parse_amount(v) is not None for k, v in values.items() if k != "label"):
            return
        project = seg.project()
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
        seg.touch(row.page)
