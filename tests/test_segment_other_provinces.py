"""Indicator tables of other provinces' forms, situation by situation, on small Grids."""
from __future__ import annotations

import pandas as pd
import pytest

from normalizers.numbers import label_weight
from pipeline.model import Cell, Grid, Table, TextLine
from pipeline.reconcile import reconcile
from pipeline.segment import segment
from tests.grid_rows import spanned_table


def grid(rows: list[list], title: str = "2022年度项目支出绩效自评表") -> Grid:
    """A one-table Grid (tests.grid_rows.spanned_table) under its title line."""
    return Grid(tables=(spanned_table(rows),), lines=(TextLine(text=title, page=1),), pages=1)


def indicators(rows: list[list], title: str = "2022年度项目支出绩效自评表"):
    projects, _ = segment(grid(rows, title))
    return [i for p in projects for i in p.indicators]


@pytest.mark.parametrize(("text", "weight"), [
    ("产出指标(50分)", 50), ("(50分)", 50), ("(50)", 50), ("效益指标 30分)", 30), ("(特性指标70分)", 70),
    ("成本指标（5分）", 5), ("年度绩效目标1\n(80分)", 80), ("效益指标(分)", None), ("项目年度绩效目标(定量指标)", None),
    ("数量指标", None), ("指标1:完成", None),
])
def test_weight_printed_in_a_label(text, weight):
    assert label_weight(text) == weight


def test_label_weights_and_a_bare_weight_label():
    """天长: the 一级 cells print only (50分); 零陵: 效益指标 30分); 江西: weights on 二级 too."""
    rows = indicators([
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        [("(50分)", 2, 1), "数量指标(30分)", "完成项目数", "1", "1", "30", "30"],
        ["质量指标", "工程质量合格率", "100%", "100%", "20", "20"],
        ["效益指标 30分)", "社会效益指标", "保护人口", "全市", "全市", "30", "28"],
    ])
    assert [(i.level1_raw, i.level1_weight, i.level2_weight) for i in rows] == [
        ("(50分)", 50, 30), ("(50分)", 50, None), ("效益指标 30分)", 30, None)]


def test_scoring_sheet_with_content_column_and_note():
    """苏州 再评价评分表: 内容/指标/权重/评分结果/备注; 备注 is the row's note; rows without 内容 keep it empty."""
    rows = indicators([
        ["内容", "指标", "权重", "评分结果", "备注"],
        [("投入", 2, 1), "预算执行率", "2.33", "0.15", ""],
        ["专款专用率", "2.33", "2.33", ""],
        ["产出", "大修环卫工人休息点", "7.00", "0.00", "目标值 2 座,完成值 9 座"],
        ["", "报告质量", "12.00", "6.00", ""],
        [("合计", 1, 2), "100.00", "81.56", ""],
    ], title="2016 年度市级财政支出项目绩效再评价评分表")
    assert [(i.level1_raw, i.name_raw, i.weight, i.score) for i in rows] == [
        ("投入", "预算执行率", 2.33, 0.15), ("投入", "专款专用率", 2.33, 2.33),
        ("产出", "大修环卫工人休息点", 7, 0), ("", "报告质量", 12, 6)]
    assert {i.table_role for i in rows} == {"scoring"}
    assert rows[2].deviation_note == "目标值 2 座,完成值 9 座"


def test_level1_printed_on_a_block_first_row_only():
    """临翔: 一级 on the block's first row, 二级 on every row: the 一级 carries down."""
    rows = indicators([
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "收容所", "≥200平方米", "204平方米", "10", "10"],
        ["", "时效指标", "完工时限", "2023年12月", "2023年10月", "15", "15"],
        ["效益指标", "社会效益指标", "务工岗位", "≥5个", "5个", "10", "10"],
        ["", "可持续影响指标", "影响年限", "≥15年", "15年", "10", "10"],
    ])
    assert [i.level1_raw for i in rows] == ["产出指标", "产出指标", "效益指标", "效益指标"]


def test_weights_printed_in_third_level_names():
    """达州 部门整体 评分表: no 分值 column, each 三级 prints its weight (相关性(5分))."""
    rows = indicators([
        ["一级指标", "二级指标", "三级指标", "得分"],
        [("部门决策(25分)", 2, 1), ("目标任务(15分)", 2, 1), "相关性(5分)", ""],
        ["明确性(5分)", ""],
        ["部门绩效情况(45分)", "履职成效(20分)", "部门特性指标", ""],
    ])
    assert [(i.name_raw, i.weight, i.level1_weight, i.level2_weight) for i in rows] == [
        ("相关性(5分)", 5, 25, 15), ("明确性(5分)", 5, 25, 15), ("部门特性指标", None, 45, 20)]


def test_checklist_with_two_header_rows_and_an_inset_grid():
    """彭水: 指标名称 over 一级/二级/三级指标名称, 记录 over 自评内容/完成情况; a funds grid inset in the
    table (one blank cell over the label columns) gives no rows; 需提供的支撑材料 shifts nothing."""
    rows = indicators([
        [("指标名称", 1, 3), ("指标解释", 2, 1), ("记录", 1, 2), ("未完成原因及改进措施", 2, 1), ("需提供的支撑材料", 2, 1)],
        ["一级指标\n名称", "二级指标\n名称", "三级指标\n名称", "自评内容", "完成情况"],
        ["项目预算管理", "资金投入", "预算编制科学性", "依据充分", "测算标准", "已按要求完成预算", "", "测算材料"],
        [("", 2, 3), "资金", "年度预算资金总额", "其中:中央补助", "市级资金", "本级资金"],
        ["合计(万元)", "1084.25", "668.00", "343.00", "73.25"],
        ["项目预算管理", "资金下达", "资金发放及时性", "接到资金后30日内", "正式批资金", "", "", ""],
    ])
    assert [(i.level2_raw, i.name_raw, i.target_raw, i.actual_raw, i.indicator_note) for i in rows] == [
        ("资金投入", "预算编制科学性", "测算标准", "已按要求完成预算", "依据充分"),
        ("资金下达", "资金发放及时性", "正式批资金", "", "接到资金后30日内")]
    assert all(i.deviation_note == "" for i in rows)


def test_blank_header_column_of_a_scoring_sheet_is_its_criteria():
    """贵港 评分细则: 目标名称 | (blank) | 分值 | 得分, the blank column holding each row's criteria."""
    rows = indicators([
        ["目标名称", "", "分值", "得分"],
        ["充分性", "制定有实施方案,得3分,否则不得分。", "3", "3"],
        ["合理性", "按程序报批,得3分。", "3", "2.5"],
    ], title="八塘街道2018年耕地地力保护补贴项目专项支出绩效评分细则")
    assert [(i.name_raw, i.scoring_method, i.weight, i.score) for i in rows] == [
        ("充分性", "制定有实施方案,得3分,否则不得分。", 3, 3), ("合理性", "按程序报批,得3分。", 3, 2.5)]


def test_level_weight_mismatch_flags_the_group():
    """A 一级 label printing (30分) over rows whose weights add to 25 is flagged; a matching one is not."""
    indicators = pd.DataFrame([
        {"project_id": "d-1", "seq": 1, "level1_raw": "产出指标(20分)", "level1_weight": 20.0, "level2_raw": "数量指标",
         "level2_weight": None, "weight": 10.0, "score": 10.0, "flags": ""},
        {"project_id": "d-1", "seq": 2, "level1_raw": "产出指标(20分)", "level1_weight": 20.0, "level2_raw": "质量指标",
         "level2_weight": None, "weight": 10.0, "score": 10.0, "flags": ""},
        {"project_id": "d-1", "seq": 3, "level1_raw": "效益指标(30分)", "level1_weight": 30.0, "level2_raw": "社会效益指标",
         "level2_weight": 30.0, "weight": 25.0, "score": 20.0, "flags": ""},
    ])
    projects = pd.DataFrame([{"project_id": "d-1", "doc_id": "d", "flags": ""}])
    _, out = reconcile(projects, pd.DataFrame(columns=["project_id"]), indicators)
    assert ["level_weight_mismatch" in str(f) for f in out["flags"]] == [False, False, True]


def test_traditional_headers_and_labels():
    """A mirrored page in 繁体: headers and 一级/二级 labels match; the raw text stays as printed."""
    rows = indicators([
        ["一級指標", "二級指標", "三級指標", "年度指標值", "實際完成值", "分值", "得分"],
        ["產出指標(50分)", "數量指標", "完成項目數", "1個", "1個", "10", "10"],
    ], title="2020年度項目支出績效自評表")
    assert [(i.level1_raw, i.level2_raw, i.target_raw, i.actual_raw, i.level1_weight) for i in rows] == [
        ("產出指標(50分)", "數量指標", "1個", "1個", 50)]
    from normalizers.categories import canonical_level1, canonical_level2
    assert (canonical_level2("數量指標"), canonical_level1("產出指標(50分)", "数量指标")) == ("数量指标", "产出指标")


def test_third_level_header_misread_as_second():
    """A scan whose OCR reads 三级指标 as 二级指标: the right 二级 column is the 三级 name."""
    rows = indicators([
        ["一级指标", "二级指标", "二级指标", "年初目标值(A)", "实际完成值(B)", "得分"],
        ["产出指标", "数量", "国家奖学金人数", "30人", "30人", "10"],
    ])
    assert [(i.level2_raw, i.name_raw, i.target_raw) for i in rows] == [("数量", "国家奖学金人数", "30人")]


def test_a_row_printed_empty_inside_a_merged_label_is_still_a_row():
    """零陵/达州: the last row under a merged 一级 (or 二级) lost its name and values: it is a row of that
    block (placeholder_row). Blank lines after the block, under no label, stay no rows."""
    rows = indicators([
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        [("效益指标 30分)", 3, 1), ("社会效益指标", 2, 1), "提高就业率", "显著", "显著", "6", "6"],
        ["……", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
    ])
    assert [(i.level1_raw, i.level2_raw, i.name_raw) for i in rows] == [
        ("效益指标 30分)", "社会效益指标", "提高就业率"), ("效益指标 30分)", "社会效益指标", "……"),
        ("效益指标 30分)", "", "")]
    assert "placeholder_row" in rows[-1].flags


def test_a_label_no_row_below_takes_is_a_row_without_a_name():
    """湖北工程: `服务对象满意度指标` printed with no 三级 name, and the next row opens a new 一级 (过程指标):
    the label carries to nothing, so it is a row (and its 二级 does not leak into 过程指标). A label row
    whose label the rows below take stays a label row."""
    rows = indicators([
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分"],
        ["产出指标", "数量指标", "", "", "", ""],
        ["", "", "国家助学金人数", "100人", "100人", "10"],
        [("效益指标", 2, 1), "社会效益指标", "资金发放率", "100%", "100%", "10"],
        ["服务对象满意度指标", "", "", "", ""],
        ["过程指标", "", "评审程序是否公正", "是", "是", "5"],
    ])
    assert [(i.level1_raw, i.level2_raw, i.name_raw) for i in rows] == [
        ("产出指标", "数量指标", "国家助学金人数"), ("效益指标", "社会效益指标", "资金发放率"),
        ("效益指标", "服务对象满意度指标", ""), ("过程指标", "", "评审程序是否公正")]


def test_labels_drawn_off_the_page_over_a_page_break_label_the_rows_around_it():
    """稷山 (XLSX exported by LibreOffice): 产出指标/数量指标 are merged over a page break; the
    exporter draws their text centred on the whole cell, above the second page's top (clipped), and
    the label columns have no cell of their own on either page. The clipped text labels the rows
    on both sides of the break (a row printed empty among them included), the second page's table
    (narrower: no label cells on the left) continues the first, and the next 二级 takes over."""
    from pipeline.model import BBox

    xs = [37, 86, 146, 266, 332, 399, 435, 472]

    def table(rows: list[list[str | None]], page: int, top: float) -> Table:
        cells = []
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text is not None:
                    box = BBox(xs[c], top + 20 * r, xs[c + 1], top + 20 * (r + 1))
                    cells.append(Cell(row=r, col=c, text=text, page=page, bbox=box))
        x0 = min(cell.bbox.x0 for cell in cells)
        return Table(cells=tuple(cells), n_rows=len(rows), n_cols=len(xs) - 1, page=page,
                     bbox=BBox(x0, top, xs[-1], top + 20 * len(rows)))

    first = table([
        ["一级\n指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分"],
        [None, None, "指标1:建立健康档案", "", "", "", ""],
        [None, None, "", "", "", "", ""],
        [None, None, "指标3:预防接种", "221人", "221人", "2", "2"],
    ], page=1, top=100)
    second = table([
        [None, None, "指标4:健康管理", "2089人", "2089人", "2", "2"],
        [None, "质量指标", "指标1:提升服务质量", "", "", "", ""],
    ], page=2, top=40)
    off_page = [TextLine(text="数量指标", page=2, bbox=BBox(100, -152, 132, -145)),
                TextLine(text="产出指标", page=2, bbox=BBox(45, -144, 77, -136))]
    projects, _ = segment(Grid(tables=(first, second), lines=(
        TextLine(text="项目支出绩效自评表", page=1, bbox=BBox(200, 50, 380, 62)), *off_page), pages=2))
    rows = [i for p in projects for i in p.indicators]
    assert [(i.level1_raw, i.level2_raw, i.name_raw) for i in rows] == [
        ("产出指标", "数量指标", "指标1:建立健康档案"), ("产出指标", "数量指标", ""),
        ("产出指标", "数量指标", "指标3:预防接种"), ("产出指标", "数量指标", "指标4:健康管理"),
        ("产出指标", "质量指标", "指标1:提升服务质量")]
