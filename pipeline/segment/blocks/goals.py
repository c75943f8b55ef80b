"""The goals block: 预期目标 / 实际完成情况 columns (and a 年度 column when a form lists several years)."""
from __future__ import annotations

from normalizers.numbers import parse_number
from pipeline.segment.blocks import Recognizer
from pipeline.segment.columns import Column, assign, extent
from pipeline.segment.stream import Row
from pipeline.segment.vocabulary import GOAL_LABELS, role_of


class Goals(Recognizer):
    """A header naming both 预期目标 and 实际完成情况 (and no indicator name); each text kept once."""

    name = "goals"

    def opens(self, row: Row, labels: list[str]) -> bool:
        named = lambda role: [c for c, l in zip(row.cells, labels) if l in GOAL_LABELS[role]]  # noqa: E731
        expected, actual = named("expected"), named("actual")
        if not expected or not actual or any(role_of(l, "indicators", False) == "name" for l in labels):
            return False
        columns = [Column("goal_expected", *extent(expected[0])), Column("goal_actual", *extent(actual[0]))]
        self.open(columns + [Column("year", *extent(c)) for c in named("year")])
        return True

    def take(self, row: Row) -> None:
        seg = self.seg
        by_role = assign(row.cells, self.columns)
        project = seg.project()
        year = parse_number(seg.texts(by_role.get("year", [])))
        if year and project.fiscal_year and int(year) != project.fiscal_year:
            return
        for role in ("goal_expected", "goal_actual"):
            text = seg.texts(by_role.get(role, []))
            if text and not getattr(project, role):
                setattr(project, role, text)
        seg.touch(row.page)
