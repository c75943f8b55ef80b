"""Header fields: 项目名称 / 部门名称 / 主管部门 / 实施单位 / 项目属性 … label cells and their values."""
from __future__ import annotations

import re

from normalizers.text import clean_cell, fold
from pipeline.segment.blocks import Recognizer
from pipeline.segment.stream import Row
from pipeline.segment.vocabulary import HEADER_FIELDS, HEADER_KEYS

NAME_FIELDS = ("project_name", "department_name")  # a new name opens a new project


class HeaderFields(Recognizer):
    """A row of label/value pairs: the value is the next non-label cell to the right of its label
    (or the rest of a cell that starts with the label, outside indicator tables). Closes the open block."""

    name = "header"

    def opens(self, row: Row, labels: list[str]) -> bool:
        seg = self.seg
        found = False
        for index, cell in enumerate(row.cells):
            text = seg.text(cell)
            key = labels[index]
            field_name = HEADER_KEYS.get(key)
            value = ""
            if field_name is None:
                prefix = next(
                    ((name, k) for name, keys in HEADER_FIELDS.items() for k in keys if key.startswith(fold(k)) and len(key) > len(fold(k)) + 1),
                    None,
                )
                if prefix is None or seg.state == "indicators":
                    continue
                field_name = prefix[0]
                value = clean_cell(re.sub(rf"^\s*{re.escape(prefix[1])}\s*[:：]?\s*", "", text))
            else:
                for neighbour in row.cells[index + 1:]:
                    neighbour_key = fold(seg.text(neighbour))
                    if neighbour_key in HEADER_KEYS:
                        break
                    if neighbour_key:
                        value = seg.text(neighbour)
                        break
            if field_name in NAME_FIELDS:
                if seg.current is None or seg.current.project_name or (seg.has_identity() and seg.current.indicators):
                    seg.new_project()
                if field_name == "department_name":
                    seg.current.kind = "department"
                seg.current.project_name = value
            else:
                project = seg.project()
                if not getattr(project, field_name):
                    setattr(project, field_name, value)
            found = True
        if found:
            seg.touch(row.page)
            seg.state = ""
        return found
