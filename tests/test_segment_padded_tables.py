"""Tables whose rows are padded with empty cells, as HTML pages and spreadsheets give them when one
row is wider than the others: the padding must never be read as a label or hide a title row."""
from __future__ import annotations

from pipeline.model import Cell, Grid, Table
from pipeline.segment import segment

WIDTH = 9  # the indicator block's width; the title and funds rows are padded up to it


def padded(rows: list[list[str | tuple[str, int]]]) -> Table:
    """Rows of texts (or (text, colspan)), each padded with empty cells up to WIDTH columns."""
    cells = []
    for r, row in enumerate(rows):
        col = 0
        for item in row:
            text, span = item if isinstance(item, tuple) else (item, 1)
            cells.append(Cell(row=r, col=col, text=text, colspan=span))
            col += span
        cells += [Cell(row=r, col=c, text="") for c in range(col, WIDTH)]
    return Table(cells=tuple(cells), n_rows=len(rows), n_cols=WIDTH, page=1)


def project_rows(year: int, name: str) -> list:
    return [
        [(f"{year}年度项目支出绩效自评表", 7)],
        ["项目名称", (name, 6)],
        ["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "年度资金总额", "120.5", "130", "128.4", "10", "98.77%", "9.88"],
        ["", "其中：当年财政拨款", "100", "110", "108.4", "—", "", "—"],
        ["", "其他资金", "20.5", "20", "20", "—", "", "—"],
        ["二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["数量指标", "资助学生人数", "≥500人", "520人", "90", "90"],
    ]


def test_a_title_row_padded_with_empty_cells_gives_each_project_its_year():
    tables = (padded(project_rows(2021, "学生资助补助经费")), padded(project_rows(2022, "教师培训专项经费")))
    projects, _ = segment(Grid(tables=tables, lines=(), pages=1))
    assert [(p.project_name, p.fiscal_year) for p in projects] == [("学生资助补助经费", 2021), ("教师培训专项经费", 2022)]


def test_funds_labels_are_read_past_trailing_empty_cells():
    (project,), _ = segment(Grid(tables=(padded(project_rows(2021, "学生资助补助经费")),), lines=(), pages=1))
    assert [(f.source, f.label_raw, f.budget_initial) for f in project.funds] == [
        ("total", "年度资金总额", 120.5), ("current_fiscal", "其中：当年财政拨款", 100.0), ("other", "其他资金", 20.5),
    ]
