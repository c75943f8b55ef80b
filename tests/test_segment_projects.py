"""Project side of other provinces' forms: header labels with tails and codes, goal rows, funds by
expenditure type and in 元, header totals, 部门整体 tables without indicators, each project's own 年度."""
from __future__ import annotations

from pathlib import Path

from pipeline.model import BBox, Grid, Table, TextLine
from pipeline.run import is_read
from pipeline.segment import segment
from tests.grid_rows import merged_table


def table(rows: list[list[str | None]], page: int = 1, top: float = 0.0) -> Table:
    return merged_table(rows, page, BBox(0, top, 500, top + 200))


INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分"],
    ["产出指标", "数量指标", "参保人数", "≥", "1000", "人", "1200", "50", "50"],
]


def test_labels_with_seal_and_code_tails_and_codes_glued_to_names():
    """四川/安徽 heads: 实施单位(盖章), 主管部门及代码 with `[155]`, a 22-character project code + `-`."""
    rows = [
        ["项目名称", "51092322T000000431595-城乡居民监管工作经费", None, None, None, None, None, None, None],
        ["主管部门及代码", "[155]濉溪县民政局", None, None, "实施单位\n(盖章)", "濉溪县民政局", None, None, None],
        *INDICATORS,
    ]
    rows = [[cell if cell is not None else "" for cell in row] for row in rows]
    grid = Grid(tables=(table(rows),), lines=(TextLine("部门预算项目支出绩效自评表(2023年度)", 1),), pages=1)
    (project,) = segment(grid)[0]
    assert (project.project_name, project.project_code) == ("城乡居民监管工作经费", "51092322T000000431595")
    assert (project.competent_dept, project.dept_code, project.implementing_unit) == ("濉溪县民政局", "155", "濉溪县民政局")
    assert project.fiscal_year == 2023


def test_empty_value_beside_a_tailed_label_stays_empty():
    rows = [["主管部门", "", "实施单位(盖章)", ""], ["项目名称", "-", "", ""]]
    grid = Grid(tables=(table(rows + [r[:4] for r in INDICATORS]),), lines=(TextLine("项目支出绩效自评表", 1),), pages=1)
    (project,) = segment(grid)[0]
    assert (project.competent_dept, project.implementing_unit) == ("", "")


def test_department_table_with_funds_by_expenditure_type_and_goals_but_no_indicators_is_read():
    """贵州 部门整体: 部门(单位)名称, a 资金来源 column, 基本支出/项目支出 rows, 得分计算方法, 年初设定目标."""
    rows = [
        ["部门(单位)名称", "绥阳县太白镇人民政府", "", "", "", "", ""],
        ["部门(单位)总体资金(万元)", "资金来源", "年初预算数(A)", "全年执行数(B)", "分值(10分)", "得分", "得分计算方法"],
        [None, "年度资金总额:", "1172.55", "1268.72", "10", "10", "执行率*该指标分值"],
        [None, "基本支出", "985.19", "914.97", "10", "10", ""],
        [None, "项目支出", "187.36", "353.75", "10", "10", ""],
        ["年度总体目标", "年初设定目标", "", "", "年度总体目标完成情况", "", ""],
        [None, "组织实施村镇建设规划", "", "", "较好地完成本年工作任务", "", ""],
    ]
    lines = (TextLine("部门整体支出绩效自评表", 1), TextLine("单位(盖章):绥阳县太白镇人民政府 填报日期:2022年2月3日", 1))
    (project,) = segment(Grid(tables=(table(rows),), lines=lines, pages=1))[0]
    assert (project.kind, project.project_name, project.implementing_unit) == ("department", "绥阳县太白镇人民政府", "")
    assert (project.budget_initial, project.executed, project.money_unit) == (1172.55, 1268.72, "万元")
    assert [(f.source, f.label_raw) for f in project.funds] == [
        ("total", "年度资金总额:"), ("task", "基本支出"), ("task", "项目支出")]
    assert (project.goal_expected, project.goal_actual) == ("组织实施村镇建设规划", "较好地完成本年工作任务")
    assert is_read(project) and not project.indicators


def test_funds_printed_in_yuan_are_converted_to_wan_yuan():
    rows = [
        ["项目资金(元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", "150000", "200000", "180000", "10", "90%", "9"],
    ]
    grid = Grid(tables=(table(rows),), lines=(TextLine("2023年度项目支出绩效自评表", 1), TextLine("项目名称:农村公路养护", 1)), pages=1)
    (project,) = segment(grid)[0]
    assert (project.money_unit, project.budget_initial, project.budget_full_year, project.executed) == ("元", 15, 20, 18)
    assert [(f.money_unit, f.executed) for f in project.funds] == [("元", 18)]


def test_header_total_is_kept_and_a_contradicting_total_row_is_flagged():
    rows = [
        ["项目名称", "森林防火", "自评总分", "97.6", "", "", "", "", ""],
        *INDICATORS,
        ["总分", "", "", "", "", "", "", "100", "96"],
    ]
    grid = Grid(tables=(table(rows),), lines=(TextLine("2021年度项目支出绩效自评表", 1),), pages=1)
    (project,) = segment(grid)[0]
    assert project.total_score == 96 and "header_total_mismatch" in project.flags


def test_two_tables_of_different_years_keep_their_own_year():
    """Two 自评表 in one file, the second printing its 年度 on a line under its title."""
    first = table([["项目名称", "道路养护", "", "", "", "", "", "", ""], *INDICATORS], top=100)
    second = table([["项目名称", "校舍维修", "", "", "", "", "", "", ""], *INDICATORS], page=2, top=100)
    lines = (TextLine("项目支出绩效自评表", 1), TextLine("(2021年度)", 1), TextLine("项目支出绩效自评表", 2), TextLine("(2022年度)", 2))
    grid = Grid(tables=(first, second), lines=lines, pages=2)
    projects = segment(grid)[0]
    assert [(p.project_name, p.fiscal_year) for p in projects] == [("道路养护", 2021), ("校舍维修", 2022)]


def test_narrative_report_states_score_and_budget_in_prose():
    rows = [["一级指标", "二级指标", "三级指标", "指标值", "实际完成值"], ["产出指标", "数量指标", "受助学生数", "5000人", "5120人"]]
    lines = (
        TextLine("2021年度本专科生奖助学金项目自评结果", 1),
        TextLine("我校开展了绩效自评,综合评价得分为 99.8分。", 1),
        TextLine("实际下达预算2596万元,全年度实际总支出2595.6208 万元,项目预算执行率99%。", 1),
    )
    (project,) = segment(Grid(tables=(table(rows),), lines=lines, pages=1))[0]
    assert (project.total_score, project.budget_full_year, project.executed) == (99.8, 2596, 2595.6208)
