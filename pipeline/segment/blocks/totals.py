"""The 总分 / 合计 row (total weight and score, perhaps the grade) and the 评价等次 row; end labels."""
from __future__ import annotations

from normalizers.numbers import parse_number
from pipeline.segment.blocks import Recognizer
from pipeline.segment.columns import assign
from pipeline.segment.stream import Row
from pipeline.segment.vocabulary import END_LABELS, GRADE_LABELS, GRADES, TOTAL_LABELS


class Totals(Recognizer):
    """A grade row sets the grade; a total row after an indicator header sets total weight and score,
    read under the indicator columns (else the row's last two numbers), and closes the block."""

    name = "totals"

    def opens(self, row: Row, labels: list[str]) -> bool:
        seg = self.seg
        if seg.current is None:
            return False
        project = seg.current
        if any(label in GRADE_LABELS for label in labels):
            for label in labels:
                if label in GRADES:
                    project.grade = GRADES[label]
            return True
        indicator_columns = seg.block("indicators").columns
        if not any(label in TOTAL_LABELS for label in labels) or not indicator_columns:
            return False
        by_role = assign(row.cells, indicator_columns)
        weight = parse_number(seg.texts(by_role.get("weight", [])))
        score = parse_number(seg.texts(by_role.get("score", [])))
        if weight is None and score is None:
            numbers = [parse_number(seg.text(c)) for c in row.cells if parse_number(seg.text(c)) is not None]
            if len(numbers) >= 2:
                weight, score = numbers[-2], numbers[-1]
        if project.header_total is not None and score is not None and abs(project.header_total - score) > 1e-6:
            project.flags.append("header_total_mismatch")
        project.total_weight = weight
        project.total_score = score if score is not None else project.total_score
        for label in labels:
            if label in GRADES:
                project.grade = GRADES[label]
        seg.touch(row.page)
        seg.state = ""
        return True


class EndOfBlock(Recognizer):
    """A narrative row after the tables (其他需要说明事项, 备注 …) closes the open block."""

    name = "end"

    def opens(self, row: Row, labels: list[str]) -> bool:
        if any(label in END_LABELS for label in labels):
            self.seg.state = ""
            return True
        return False
