"""Text-layer PDFs, DOCX and XLSX of every seed layout → exactly the truth's rows and fields.

The corpus documents are rendered from the truth in each seed's own layout (merged 一级/二级
labels centred in their span, tables running over page breaks with and without a repeated
header, rows split by the break, two-row headers, several tables per page, several projects
per document), so an exact match here exercises each of those situations on a real PDF.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from normalizers.names import NameMatcher
from pipeline.normalize import match_names, project_rows
from pipeline.run import Settings, read_grid
from pipeline.detect import sniff
from pipeline.segment import segment

CORPUS = Path(__file__).parent / "corpus"
RAW = ["name_raw", "target_raw", "actual_raw", "level1_raw", "level2_raw", "deviation_note",
       "nature_raw", "unit_raw", "progress_raw", "table_role"]
NORMALIZED = ["operator", "unit", "level1", "level2"]
NUMBERS = ["weight", "score", "target_value", "actual_value"]
PROJECT = ["project_name", "table_label", "kind", "competent_dept", "implementing_unit", "fiscal_year",
           "budget_initial", "budget_full_year", "executed", "execution_rate", "budget_weight",
           "budget_score", "total_weight", "total_score", "grade"]
# Long goal texts wrap at the space a report prints between CJK and a number (`行为 533000起`);
# a line break there cannot tell whether a space was printed, so goals compare without spaces.
GOALS = ["goal_expected", "goal_actual"]
CASES = [
    ("text_pdf/ningxia_2024.pdf", "ningxia_2024", None),
    ("text_pdf/qujing_2022.pdf", "qujing_2022", None),
    ("text_pdf/jinzhong_2021.pdf", "jinzhong_2021", None),
    ("text_pdf/quwo_2021.pdf", "quwo_2021", None),
    ("text_pdf/xizang_2023.pdf", "xizang_2023", None),
    ("docx/ningxia_2024.docx", "ningxia_2024", None),
    ("docx/qujing_2022_dept.docx", "qujing_2022", [1]),
    ("xlsx/qujing_2022_projects.xlsx", "qujing_2022", list(range(2, 20))),
]
MATCHER = NameMatcher()


def read(relative: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = CORPUS / "docs" / relative
    grid, _, _ = read_grid(path, sniff(path), Settings(ocr=False), None)
    projects, _ = segment(grid)
    projects_rows, _, indicator_rows = project_rows("doc", projects)
    match_names(indicator_rows, MATCHER)
    return pd.DataFrame(projects_rows), pd.DataFrame(indicator_rows)


def truth(doc: str, numbers: list[int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = CORPUS / "truth" / doc
    projects = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    indicators = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    if numbers:
        keep = {f"{doc}-{n}" for n in numbers}
        projects, indicators = projects[projects.project_id.isin(keep)], indicators[indicators.project_id.isin(keep)]
    return projects.reset_index(drop=True), indicators.reset_index(drop=True)


def mismatches(want: pd.DataFrame, got: pd.DataFrame, fields: list[str]) -> list[tuple]:
    """(row, field, expected, got) for every field that differs from the truth."""
    return [
        (i, field, want.at[i, field], got.at[i, field])
        for i in range(len(want)) for field in fields
        if not same(want.at[i, field], got.at[i, field])
    ]


def same(expected: str, got) -> bool:
    if expected == "":
        return got is None or got == "" or (isinstance(got, float) and pd.isna(got))
    try:
        return abs(float(expected) - float(got)) < 1e-9
    except (TypeError, ValueError):
        return str(got) == expected


@pytest.mark.parametrize(("relative", "doc", "numbers"), CASES, ids=[c[0] for c in CASES])
def test_indicator_rows_match_truth_exactly(relative, doc, numbers):
    _, got = read(relative)
    _, want = truth(doc, numbers)
    assert len(got) == len(want)
    assert mismatches(want, got, RAW + NORMALIZED + NUMBERS) == []


@pytest.mark.parametrize(("relative", "doc", "numbers"), CASES, ids=[c[0] for c in CASES])
def test_project_fields_match_truth(relative, doc, numbers):
    got, _ = read(relative)
    want, _ = truth(doc, numbers)
    assert len(got) == len(want)
    assert mismatches(want, got, PROJECT) == []
    goals = [(i, field) for i in range(len(want)) for field in GOALS
             if "".join(want.at[i, field].split()) != "".join(str(got.at[i, field]).split())]
    assert goals == []
