"""Header fields: 项目名称 / 部门名称 / 主管部门 / 实施单位 / 项目属性 … label cells and their values,
codes glued to names (`[155]濉溪县民政局`, `219-宁晋县教育局`, `51092322T000000431595-项目`), goal rows
(项目年度目标 | text) and totals printed in the header (自评总分, 财政审核评分)."""
from __future__ import annotations

import re

from normalizers.numbers import parse_number
from normalizers.text import clean_cell, fold
from pipeline.segment.blocks import Recognizer
from pipeline.segment.stream import Row, is_header_row
from pipeline.segment.vocabulary import HEADER_FIELDS, HEADER_KEYS, PAIRED_KEYS, header_field

NAME_FIELDS = ("project_name", "department_name")  # a new name opens a new project
UNIT_FIELDS = ("competent_dept", "implementing_unit")
DEPT_CODE = re.compile(r"^\s*(?:[\[【(（]\s*(\d{2,12})\s*[\]】)）]|(\d{3,12})\s*[-－—])\s*(?=\S)")
PROJECT_CODE = re.compile(r"^\s*([0-9A-Z]{12,30})\s*[-－—]\s*(?=\S)")
NEXT_LABEL = re.compile(  # `黄石市图书馆 主要领导签字:` → the value ends at the next label
    r"(?:\s+\S{2,10}|(?:主要领导|单位负责人|项目负责人|财务负责人|负责人|领导)?(?:签字|签章)|填报日期|联系电话|负责人)[:：].*$"
)


# a number with OCR specks about it (`、97.6:`, `97.6分`): a header total as printed
SPECKS = r"[\s、,，.。:：;；'\"“”‘’`·]*"
SPECKED_NUMBER = re.compile(rf"^{SPECKS}(\d+(?:\.\d+)?)\s*分?{SPECKS}$")
TRAILING_SPECKS = re.compile(r"[\s、,，.。:：;；·]+$")  # `湖北省教育厅.`: no name ends in a stop


def header_number(value: str) -> float | None:
    """The number a header total cell prints, specks about it dropped; None if it holds none (or words)."""
    number = parse_number(value.rstrip("分"))
    if number is None:
        match = SPECKED_NUMBER.match(value)
        number = float(match.group(1)) if match else None
    return number


def split_code(value: str, pattern: re.Pattern) -> tuple[str, str]:
    """A name and the code printed glued before it (`[155]濉溪县民政局` → `濉溪县民政局`, `155`)."""
    match = pattern.match(value)
    if not match:
        return value, ""
    code = next(group for group in match.groups() if group)
    return value[match.end():], code


def apply_field(seg, field_name: str, value: str, line: bool = False) -> None:
    """Set one header field on the current project (a new name opens a new project)."""
    value = clean_cell(NEXT_LABEL.sub("", value) if line else value)
    if field_name == "ignored" or value in ("万元", "元", "萬元") or (not value and field_name not in NAME_FIELDS):
        return
    if field_name in ("header_total", "review_total"):
        number = header_number(value)
        project = seg.project()
        if number is not None:
            # the 总分 row, when one follows, has the last word (Totals flags a contradiction)
            attribute = "total_score" if field_name == "header_total" else "review_total_score"
            setattr(project, attribute, getattr(project, attribute) if getattr(project, attribute) is not None else number)
            project.header_total = project.header_total if field_name != "header_total" else number
        return
    if field_name in NAME_FIELDS or field_name in UNIT_FIELDS:
        value = TRAILING_SPECKS.sub("", value)
    if field_name in NAME_FIELDS:
        if line:  # `项目名称:` in a text line names the open project; a `部门:` line names the reporting unit
            if field_name == "project_name" and seg.current is not None and not seg.current.project_name:
                seg.current.project_name, seg.current.project_code = split_code(value, PROJECT_CODE)
            return
        if seg.current is None or seg.current.project_name or (seg.has_identity() and seg.current.indicators):
            seg.new_project()
        if field_name == "department_name":
            seg.current.kind = "department"
        name, code = split_code(value, PROJECT_CODE)
        seg.current.project_name = name
        seg.current.project_code = seg.current.project_code or code
        return
    project = seg.project()
    if field_name in UNIT_FIELDS:
        value, code = split_code(value, DEPT_CODE)
        project.dept_code = project.dept_code or code
    if not getattr(project, field_name):
        setattr(project, field_name, value)


class HeaderFields(Recognizer):
    """A row of label/value pairs: the value is the next non-label cell to the right of its label
    (or the rest of a cell that starts with the label, outside indicator tables). Closes the open block."""

    name = "header"

    def opens(self, row: Row, labels: list[str]) -> bool:
        seg = self.seg
        if is_header_row(row):
            return False  # an indicator header (三级指标 | … | 单位 | 完成值) is never a row of header fields
        found = False
        # a label too common to stand alone (单位) names a field in a row of other header labels only
        paired = PAIRED_KEYS if any(header_field(label) for label in labels) else {}
        for index, cell in enumerate(row.cells):
            text = seg.text(cell)
            field_name = header_field(labels[index]) or paired.get(labels[index])
            value = ""
            if field_name is None:
                prefix = next(
                    ((name, k) for name, keys in HEADER_FIELDS.items() for k in keys
                     if labels[index].startswith(fold(k)) and len(labels[index]) > len(fold(k)) + 1
                     and (len(fold(k)) >= 4 or labels[index][len(fold(k))] in ":：")),
                    None,
                )
                if prefix is None or seg.state == "indicators" or prefix[0] in ("ignored", "goal_expected", "goal_actual"):
                    continue
                field_name = prefix[0]
                value = clean_cell(re.sub(rf"^\s*{re.escape(prefix[1])}\s*[:：]?\s*", "", text))
                if header_field(fold(value).lstrip("/").split(":")[0]) is not None or value.startswith(("(", "/", "／")):
                    continue  # `实施单位(盖章)`, `单位名称/项目名称` are labels, not 实施单位 / 单位名称 with a value
            else:
                for neighbour in row.cells[index + 1:]:
                    neighbour_key = fold(seg.text(neighbour))
                    if neighbour_key in HEADER_KEYS or header_field(neighbour_key) or neighbour_key in paired:
                        break
                    if neighbour_key:
                        value = seg.text(neighbour)
                        break
            if field_name in ("header_total", "review_total") and header_number(value) is None:
                continue  # 自评得分 over a column of scores is an indicator header, not a header total
            if field_name in ("goal_expected", "goal_actual"):
                project = seg.project()
                if value and not getattr(project, field_name):
                    setattr(project, field_name, value)
            else:
                apply_field(seg, field_name, value)
            found = True
        if found:
            seg.touch(row.page)
            seg.state = ""
        return found
