"""Facts a narrative report states in prose (曲沃, 西藏), and 曲沃's section tables."""
from __future__ import annotations

import re

from normalizers.numbers import parse_amount, parse_rate
from normalizers.text import clean_cell, fold
from pipeline.model import Fund, Project
from pipeline.segment.vocabulary import GRADES

NARRATIVE_TOTAL = re.compile(r"(?:总得分|综合评价得分|自评得分|综合得分|评价得分)\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
GOAL_HEADING = re.compile(r"(项目)?年度(绩效)?目标$")
NARRATIVE_GRADE = re.compile(r"属于\s*[\"“”]?(优秀|良好|合格|不合格|优|良|中|差)")
_NAME = r"(?!本|该|此|各|每|其中)([^，。：:；\s“”\"、（）()]{2,40}(?:、[^，。：:；\s“”\"、（）()]{2,40})*项目)"
NARRATIVE_NAMES = (  # `X项目绩效自评…` after a clause boundary, else a paragraph opening `X项目预算…`
    re.compile(r"(?:^|[，。：:；])" + _NAME + r"(?=绩效)", re.M),
    re.compile(r"^" + _NAME + r"(?=预算|资金)", re.M),
)
NARRATIVE_AMOUNTS = {
    "budget_initial": re.compile(r"年初预算(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "budget_full_year": re.compile(r"(?:全年预算|下达预算)(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "executed": re.compile(r"(?:全年执行|实际总支出|实际支出)(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "execution_rate": re.compile(r"预算执行率\s*(?:为)?\s*(\d+(?:\.\d+)?\s*%)"),
}


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
