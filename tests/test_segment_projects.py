"""Project side of other provinces' forms: header labels with tails and codes, goal rows, funds by
expenditure type and in 元, header totals, 部门整体 tables without indicators, each project's own 年度."""
from __future__ import annotations

from pathlib import Path

from pipeline.model import BBox, Grid, Table, TextLine
from pipeline.run import is_read
from pipeline.segment import segment
from tests.grid_rows import merged_table, spanned_table


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


def spanned(rows: list[list], lines: tuple[str, ...], page: int = 1) -> Grid:
    """A one-table Grid (tests.grid_rows.spanned_table) under these text lines."""
    return Grid(tables=(spanned_table(rows, page),), lines=tuple(TextLine(text, page) for text in lines), pages=page)


SCORES = [["目标名称", "", "分值", "得分"], ["充分性", "制定有实施方案,得3分,否则不得分。", "3", "3"]]


def test_head_line_with_several_labels_names_the_score_sheet():
    """贵港 评分细则: `评价单位:… 评价项目:… 评价人员:` on one line under the title, before the table."""
    lines = ("港南区八塘街道2018年耕地地力保护补贴项目专项支出绩效评分细则",
             "评价单位:港南区八塘街道办事处 评价项目:2018年耕地地力保护补贴 评价人员:")
    (project,) = segment(spanned(SCORES, lines))[0]
    assert (project.project_name, project.implementing_unit, project.fiscal_year) == (
        "2018年耕地地力保护补贴", "港南区八塘街道办事处", 2018)


def test_head_printed_as_lines_before_any_title_names_the_project_of_the_table():
    """湖南 自评报告 (繁体 mirror): a cover of `項目名稱:` lines, no 自评表 title; the year is the one the
    project's 項目起止時間 spans, not the report's date."""
    lines = ("岳陽縣財政支出項目績效評價自評報告", "評價類型:項目實施過程評價□ 項目完成結果評價□√",
             "項目名稱:森林防火專項", "項目單位:岳陽縣林業局", "主管部門:岳陽縣林業局", "報告日期: 2022 年 7 月 8 日")
    rows = [["項目負責人", "易滔", "聯系電話", "13974010178"],
            [("項目起止時間", 1, 2), ("2021年 1 月起至 2021 年 12 月止", 1, 2)]]
    (project,) = segment(spanned(rows, lines))[0]
    assert (project.project_name, project.implementing_unit, project.competent_dept) == (
        "森林防火專項", "岳陽縣林業局", "岳陽縣林業局")
    assert (project.project_period, project.fiscal_year) == ("2021年 1 月起至 2021 年 12 月止", 2021)


def test_funds_grid_by_level_with_received_and_balance_ends_with_its_table():
    """湖南 项目基本概况: 计划安排/实际到位/实际支出/结余 (萬元) over an unlabelled total row and rows by
    level, a 项目资金情况 title merged down the grid; the 支出明细 list (元) after it is no funds block."""
    rows = [
        [("項目資金\n情況", 7, 1), "", "計劃安排資金(萬元)", "實際到位資金(萬元)", "實際支出(萬元)", "結余(萬元)"],
        ["", "55", "55", "50", "5"],
        ["其中:中央財政", "", "", "", ""],
        ["省財政", "", "", "", ""],
        ["市財政", "", "", "", ""],
        ["縣市區財政", "55", "55", "50", "5"],
        ["其它", "", "", "", ""],
    ]
    expenses = [["支出內容", "實際支出數", "會計憑證號", "備注"], ["防火宣傳", "22146", "5月8號", ""],
                ["支出合計", "500000", "", ""]]
    first = spanned(rows, ("項目名稱:森林防火專項",)).tables[0]
    second = spanned(expenses, ()).tables[0]
    lines = (TextLine("項目名稱:森林防火專項", 1), TextLine("二、項目支出明細情況", 1, bbox=BBox(0, 300, 100, 310)))
    first = Table(cells=first.cells, n_rows=first.n_rows, n_cols=first.n_cols, page=1, bbox=BBox(0, 0, 500, 200))
    second = Table(cells=second.cells, n_rows=second.n_rows, n_cols=second.n_cols, page=1, bbox=BBox(0, 400, 500, 500))
    (project,) = segment(Grid(tables=(first, second), lines=lines, pages=1))[0]
    assert (project.budget_full_year, project.executed) == (55, 50)
    assert [(f.source, f.budget_full_year, f.received, f.executed) for f in project.funds] == [
        ("total", 55, 55, 50), ("county", 55, 55, 50)]


def test_funds_grid_by_level_inside_an_indicator_table():
    """彭水 转移支付: a grid 资金 | 年度预算资金总额 | 其中:中央补助 | 市级资金 | 本级资金 inset in the
    indicator table; its 合计 row gives the funds by level, each other row a programme; the indicator
    rows after it are read as before."""
    rows = [
        [("指标名称", 1, 3), ("指标解释", 2, 1), ("记录", 1, 2), ("未完成原因及改进措施", 2, 1)],
        ["一级指标\n名称", "二级指标\n名称", "三级指标\n名称", "自评内容", "完成情况"],
        ["项目预算管理", "资金投入", "预算资金安排", "预算安排情况", "", "", ""],
        [("", 3, 3), "资金", "年度预算资金总额)", "其中:中央补助", "市级资金", "本级资金(包括结转结余)"],
        ["计划生育转移支付资金合计(万元)", "1084.25", "668.00", "343.00", "73.25"],
        ["农村部分计划生育家庭奖励扶助制度补助资金(万元)", "763.00", "502.00", "208.00", "53.00"],
        ["项目预算管理", "资金下达", "资金发放及时性", "30日内下达", "正式批资金", "以资金文", ""],
    ]
    (project,) = segment(spanned(rows, ("2024年度中央对地方转移支付计划生育服务项目绩效自评表",)))[0]
    assert project.budget_full_year == 1084.25
    assert [(f.source, f.budget_full_year) for f in project.funds] == [
        ("total", 1084.25), ("central", 668), ("municipal", 343), ("county", 73.25), ("task", 763)]
    assert [i.name_raw for i in project.indicators] == ["预算资金安排", "资金发放及时性"]


def test_department_and_project_score_sheets_in_one_page_are_two_projects():
    """达州: 部门整体支出绩效评价得分表 then 项目支出绩效评价得分表, whose `单位名称/项目名称` row is a blank label."""
    department = [["一级指标", "二级指标", "三级指标", "得分"],
                  [("部门决策(25分)", 2, 1), ("目标任务(15分)", 2, 1), "相关性(5分)", ""], ["明确性(5分)", ""]]
    project_rows = [[("单位名称/项目名称", 1, 2), ("", 1, 3)], ["一级指标", "二级指标", "三级指标", "分值", "得分"],
                    [("(20分)", 2, 1), ("(10分)", 2, 1), "必要性", "5", ""], ["可行性", "5", ""]]
    first = spanned(department, ()).tables[0]
    second = spanned(project_rows, ()).tables[0]
    lines = (TextLine("部门整体支出绩效评价得分表", 1, bbox=BBox(0, 0, 100, 10)),
             TextLine("项目支出绩效评价得分表", 1, bbox=BBox(0, 300, 100, 310)))
    first = Table(cells=first.cells, n_rows=first.n_rows, n_cols=first.n_cols, page=1, bbox=BBox(0, 20, 500, 200))
    second = Table(cells=second.cells, n_rows=second.n_rows, n_cols=second.n_cols, page=1, bbox=BBox(0, 320, 500, 500))
    projects = segment(Grid(tables=(first, second), lines=lines, pages=1))[0]
    assert [(p.kind, p.project_name, len(p.indicators)) for p in projects] == [("department", "", 2), ("project", "", 2)]


def test_unit_label_beside_a_project_name_is_the_implementing_unit():
    """苏州 再评价评分表: `项目名称 | … | 单位 | 苏州市市容市政管理局`; a 单位 header of an indicator table is no field."""
    rows = [["项目名称", ("公共自行车建设运行维护资金", 1, 2), "单位", "苏州市市容市政管理局"],
            ["内容", "指标", "权重", "评分结果", "备注"], ["投入", "预算执行率", "2.33", "0.15", ""]]
    (project,) = segment(spanned(rows, ("2016 年度市级财政支出项目绩效再评价评分表",)))[0]
    assert (project.project_name, project.implementing_unit) == ("公共自行车建设运行维护资金", "苏州市市容市政管理局")
    rows = [["项目名称", ("农村公路养护", 1, 3)], ["单位", "年初预算数", "全年预算数", "全年执行数"],
            ["合计", "100", "120", "110"]]
    (project,) = segment(spanned(rows, ("项目支出绩效自评表",)))[0]  # a funds table by unit: 单位 heads a column
    assert (project.implementing_unit, project.budget_full_year, project.executed) == ("", 120, 110)


def test_scanned_head_with_specks_about_values():
    """Scans: `湖北省教育厅.` (a speck read as a stop), `自评总分(分) | 、97.6:`; the year told by the
    goal texts when no line names one (重庆 部门整体: `中心2021年较好地完成了履职任务`)."""
    rows = [
        [("主管部门", 1, 2), ("湖北省教育厅.", 1, 2), ("自评总分(分)", 1, 2), ("、97.6:", 1, 2)],
        [("部门预算执行情况(万元)", 2, 1), "年初预算数", "全年(调整)预算数", "全年执行数", "执行率(%)", "执行率权重",
         "执行率得分(分)"],
        ["100", "120", "90", "75%", "10", "7.5"],
        [("当年绩效目标", 2, 1), ("年初绩效目标", 1, 2), ("全年(调整)绩效目标", 1, 2), ("全年目标实际完成情况", 1, 2)],
        [("无", 1, 2), ("", 1, 2), ("中心2021年较好地完成了履职任务", 1, 2)],
    ]
    (project,) = segment(spanned(rows, ("部门整体绩效自评表",)))[0]
    assert (project.competent_dept, project.total_score) == ("湖北省教育厅", 97.6)
    assert (project.budget_initial, project.budget_full_year, project.executed) == (100, 120, 90)
    assert (project.execution_rate, project.budget_weight, project.budget_score) == (0.75, 10, 7.5)
    assert project.fiscal_year == 2021
