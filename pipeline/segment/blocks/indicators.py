"""Indicator tables: column roles from the header (one or two rows), then one Indicator per data row,
一级/二级 labels carried down from merged or label-only rows."""
from __future__ import annotations

import re

from normalizers.categories import canonical_level1, canonical_level2
from normalizers.numbers import label_weight, parse_number
from normalizers.text import fold, is_placeholder
from normalizers.traditional import simplified
from pipeline.model import Cell, Indicator
from pipeline.segment.blocks import Recognizer
from pipeline.segment.columns import Column, extent, header_columns
from pipeline.segment.stream import Row, is_header_row
from pipeline.segment.vocabulary import SCORING_LEVEL1, role_of

# Columns whose text makes a row an indicator row even without a name (else it only carries labels).
DATA_ROLES = ("target", "actual", "weight", "score", "nature", "unit", "progress",
              "review_score", "target_adjusted_raw", "score_coefficient_raw", "is_core")
# Roles copied to the Indicator field of the same name as printed.
TEXT_ROLES = ("scoring_method", "indicator_note", "row_no", "is_core", "target_adjusted_raw", "score_coefficient_raw")


def split_header_columns(row: Row, below: Row) -> list[Column]:
    """Header cells printed over two rows (`实际` above `完成值`): the role of the two halves joined,
    for cells of the same extent that name no role on their own."""
    key = lambda cell: tuple(round(x) for x in extent(cell))  # noqa: E731
    under = {key(c): c for c in below.cells}
    columns = []
    for cell in row.cells:
        other = under.get(key(cell))
        if other is None or other is cell or not fold(cell.text) or not fold(other.text):
            continue
        role = role_of(cell.text + other.text, "indicators", False)
        if role_of(other.text, "indicators") or role_of(cell.text, "indicators") == role:
            continue  # a header of its own below, or the top half alone names the same role
        if role:
            columns.append(Column(role, *extent(cell), fold(cell.text + other.text)))
    return columns


def unnamed_method_column(row: Row, columns: list[Column]) -> list[Column]:
    """A 评分表 header cell left blank right of the name column (贵港's criteria): the 评分标准 column."""
    names = [c for c in columns if c.role == "name"]
    if not names:
        return []
    name_x1 = max(c.x1 for c in names)
    taken = [(c.x0, c.x1) for c in columns]
    for cell in row.cells:
        x0, x1 = extent(cell)
        if fold(cell.text) or x0 < name_x1 - 1 or any(min(x1, b) - max(x0, a) > 0 for a, b in taken):
            continue
        return [Column("scoring_method", x0, x1)]
    return []


def third_level_misread(columns: list[Column]) -> list[Column]:
    """A header with no 三级 column but two 二级 ones (a scan's OCR reading 三级指标 as 二级指标):
    the right one is the 三级 (name) column."""
    level2 = sorted((c for c in columns if c.role == "level2"), key=lambda c: c.x0)
    if any(c.role == "name" for c in columns) or len(level2) < 2:
        return columns
    right = level2[-1]
    return [Column("name", c.x0, c.x1, c.text) if c is right else c for c in columns]


class Indicators(Recognizer):
    """A header naming the indicator (三级) and two more roles; `performance` when it has a target or
    an actual column, else a `scoring` table (评分表)."""

    name = "indicators"

    def __init__(self, segmenter):
        super().__init__(segmenter)
        self.table_role = "performance"
        self.table = -1

    def opens(self, row: Row, labels: list[str]) -> bool:
        seg = self.seg
        columns = header_columns([row], "indicators")
        roles = {c.role for c in columns}
        following = seg.next_row(row) if columns else None
        if following is not None:
            more = header_columns([following], "indicators")
            joined = split_header_columns(row, following)
            if joined or (len(more) >= 2 and ("name" in roles or any(c.role == "name" for c in more))):
                # a joined header (`指标` over `性质`) replaces what its halves named alone
                spans = {(round(c.x0), round(c.x1)) for c in joined}
                columns = [c for c in columns + more if (round(c.x0), round(c.x1)) not in spans] + joined
                roles |= {c.role for c in more + joined}
                seg.skip.add(id(following))
        columns = third_level_misread(columns)
        roles = {c.role for c in columns}
        if "name" not in roles or len(roles) < 3:
            return False
        if "level1" not in roles and "level2" in roles:
            # An unnamed column just left of 二级 holds the 一级 labels (晋中's form).
            level2_x0 = min(c.x0 for c in columns if c.role == "level2")
            left = [c for c in row.cells if extent(c)[1] <= level2_x0 + 1 and not role_of(seg.text(c), "indicators")]
            if left:
                columns.append(Column("level1", *extent(left[-1])))
        self.table_role = "performance" if roles & {"target", "actual"} else "scoring"
        if self.table_role == "scoring" and "scoring_method" not in roles:
            columns += unnamed_method_column(row, columns)
        if seg.state != self.name or seg.current is None or self.table != row.table:
            seg.memory = {}
        self.table = row.table
        self.open(columns)
        seg.touch(row.page)
        return True

    def spans_labels(self, row: Row) -> bool:
        """A blank cell covering the name column and a label column: a grid inset into the table (a
        funds breakdown inside a checklist), not an indicator row."""
        name = [c for c in self.columns if c.role == "name"]
        labels = [c for c in self.columns if c.role in ("level1", "level2")]
        if not name or not labels:
            return False
        for cell in row.cells:
            if self.seg.text(cell):
                continue
            x0, x1 = extent(cell)
            slack = lambda column: 0.1 * (column.x1 - column.x0)  # noqa: E731
            covers = lambda column: x0 <= column.x0 + slack(column) and x1 >= column.x1 - slack(column)  # noqa: E731
            if any(covers(c) for c in name) and any(covers(c) for c in labels):
                return True
        return False

    def row_without_name(self, row: Row, by_role: dict[str, list[Cell]]) -> bool:
        """A row with no name and no values that is still a row of the table (a name lost or printed
        empty), not a label row carrying 一级/二级 down to the rows below:
        - every cell of its own is blank, but a merged label left of the names (一级, 二级, a block's
          `绩效指标`) begun on a row above spans it: a row of that block printed empty (零陵's last 生态
          row, 达州's row under `(50分)`);
        - it prints a label of its own that no row below takes: the next row of the table prints its
          own label at that level or a new 一级 (湖北工程's 服务对象满意度指标 before 过程指标).
        Blank lines under no label, and a label row at the end of a table, stay no rows."""
        seg = self.seg
        start = max(c.row for c in row.cells)
        own = [c for role, cells in by_role.items() for c in cells if c.row == start]
        if row.table != self.table or not by_role.get("name") or not own:
            return False  # rows of another table than the header's, rows with no name cell
        name_x0 = min(c.x0 for c in self.columns if c.role == "name")
        labels_above = [c for c in row.cells  # a merged label left of the names, begun on a row above
                        if c.row < start and extent(c)[1] <= name_x0 + 1 and seg.text(c)]
        if labels_above and not any(seg.text(c) for c in own):
            return True
        own_labels = [role for role in ("level1", "level2") if any(c in own and seg.text(c) for c in by_role.get(role, []))]
        following = seg.next_row(row)
        if not own_labels or following is None or is_header_row(following):
            return False
        next_by_role, _ = seg.roles_of(following, self.columns)
        next_start = max(c.row for c in following.cells)
        prints = lambda role: any(c.row == next_start and seg.text(c) for c in next_by_role.get(role, []))  # noqa: E731
        return prints("level1") or (own_labels[-1] == "level2" and prints("level2"))

    def take(self, row: Row) -> None:
        seg = self.seg
        by_role, values = seg.roles_of(row, self.columns)
        if self.spans_labels(row):
            return
        name = values.get("name", "")
        has_data = bool(name) or any(values.get(role, "") for role in DATA_ROLES)
        unnamed = not has_data and self.row_without_name(row, by_role)
        if not (any(values.values()) or unnamed):
            return
        project = seg.project()
        level_text = {level: values.get(level, "") for level in ("level1", "level2")}
        if self.table_role == "scoring":
            # a 评分表 一级 group label printed in the name or 二级 cell, or in the 一级 cell of a row
            # without a name (晋中's `产出: | | | 30 | 29`)
            candidates = (name, level_text["level2"]) + (() if name else (level_text["level1"],))
            label = next((t for t in candidates if SCORING_LEVEL1.match(simplified(fold(t)))), None)
            if label:
                seg.memory["level1"] = re.sub(r"[:：]$", "", label)
                return
        if not has_data and not unnamed:
            for level, text in level_text.items():
                if text:
                    seg.memory[level] = text
            return
        levels = {}
        for level, text in level_text.items():
            if text:
                seg.memory.pop(level, None)
                levels[level] = text
            else:
                levels[level] = seg.memory.get(level, "")
        if not level_text["level1"] and level_text["level2"] and not levels["level1"]:
            # 一级 printed on a block's first row only, the 二级 on every row: the 一级 carries down
            # while the 二级 stays in its family (an empty 一级 over 社会效益指标 after 产出指标 stays empty)
            last = seg.memory.get("last_level1", "")
            if last and canonical_level1(last) == canonical_level1("", canonical_level2(level_text["level2"])):
                levels["level1"] = last
        if levels["level1"]:
            seg.memory["last_level1"] = levels["level1"]
        weight_text = values.get("weight", "")
        weight = parse_number(weight_text) if weight_text else label_weight(name, points_only=True)
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
            weight=weight,
            score=parse_number(values.get("score", "")),
            progress_raw=values.get("progress", ""),
            deviation_note=values.get("deviation", ""),
            table_role=self.table_role,
            confidence=min((c.confidence for c in row.cells), default=1.0),
            review_score=parse_number(values.get("review_score", "")),
            level1_weight=label_weight(levels["level1"]),
            level2_weight=label_weight(levels["level2"]),
            **{role: values.get(role, "") for role in TEXT_ROLES},
        )
        if is_placeholder(name):
            indicator.flags.append("placeholder_row")
        project.indicators.append(indicator)
        seg.touch(row.page)
