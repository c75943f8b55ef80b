"""Column roles from the vocabulary file: other provinces' header words, tags, spaced and split headers,
and the extra columns of the shared contract, on tables laid out as real reports print them."""
from __future__ import annotations

from pipeline.model import Grid, TextLine
from pipeline.normalize import project_rows
from pipeline.schema import INDICATORS
from pipeline.segment import segment
from pipeline.segment.vocabulary import header_key, role_of
from tests.grid_rows import merged_table


def grid(rows: list[list[str | None]], title: str = "2023年度部门整体绩效自评表") -> Grid:
    """One table from rows of texts; None continues the cell above (a merged label)."""
    return Grid(tables=(merged_table(rows),), lines=(TextLine(title, 1),), pages=1)


def test_header_keys_drop_tags_weights_and_spaces():
    assert header_key("全年实际值(B)") == "全年实际值"
    assert header_key("实际完成值（B/A）") == "实际完成值"
    assert header_key("得分系数(%)") == "得分系数"
    assert header_key("绩 效 指 标（20分）") == "绩效指标"
    assert role_of("全年实际值(B)", "indicators") == "actual"
    assert role_of("年度指标值(A)", "indicators") == "target"
    assert role_of("指 标 名 称", "indicators") == "name"
    assert role_of("市级评分", "indicators") == "review_score"
    assert role_of("得分计算方法", "indicators") == "scoring_method"


def test_flat_list_with_adjusted_target_coefficient_and_core_columns():
    """重庆 部门整体绩效自评表: no 一级/二级, 序号 first, 年初/调整指标值, 得分系数(%), 是否核心指标."""
    rows = [
        ["序号", "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值",
         "得分系数(%)", "指标权重", "指标得分", "是否核心指标"],
        ["1", "新闻稿件发布数量", "篇", "≥", "3000", "3200", "3560", "100", "20", "20", "是"],
        ["2", "受众满意度", "%", "≥", "90", "", "95", "100", "10", "10", "否"],
    ]
    (project,) = segment(grid(rows))[0]
    first, second = project.indicators
    assert (first.row_no, first.name_raw, first.unit_raw, first.nature_raw) == ("1", "新闻稿件发布数量", "篇", "≥")
    assert (first.target_raw, first.target_adjusted_raw, first.actual_raw) == ("3000", "3200", "3560")
    assert (first.score_coefficient_raw, first.weight, first.score, first.is_core) == ("100", 20, 20, "是")
    assert (second.target_adjusted_raw, second.is_core, second.level1_raw) == ("", "否", "")


def test_scoring_sheet_with_method_note_and_two_score_columns():
    """评分表 with 评分标准 and 指标说明 columns, a county and a city score, spaced and tagged headers."""
    rows = [
        ["一 级 指 标", "二级指标", "三级指标", "指标说明", "分值(分)", "评分标准", "县级评分", "市级评分"],
        ["决策(20分)", "项目立项", "立项依据充分性", "是否符合规划", "5", "符合得5分，否则不得分", "5", "4"],
        [None, None, "立项程序规范性", "程序是否规范", "5", "规范得5分", "5", "5"],
        ["总分", "", "", "", "100", "", "88", "85"],
    ]
    (project,) = segment(grid(rows, "2022年度项目支出绩效评价评分表"))[0]
    first, second = project.indicators
    assert (first.level1_raw, first.level2_raw, first.name_raw) == ("决策(20分)", "项目立项", "立项依据充分性")
    assert (first.indicator_note, first.scoring_method) == ("是否符合规划", "符合得5分，否则不得分")
    assert (first.weight, first.score, first.review_score) == (5, 5, 4)
    assert (second.level1_raw, second.review_score, first.table_role) == ("决策(20分)", 5, "scoring")
    assert (project.total_weight, project.total_score) == (100, 88)


def test_header_split_over_two_rows_is_joined():
    """Header cells broken over two table rows (`指标` above `性质`, `权` above `重`) name one column each,
    the merged cells beside them spanning both rows."""
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标", "年度指标值", "权", "得分"],
        [None, None, None, "性质", None, "重", None],
        ["产出指标", "数量指标", "宣传活动场次", "≥", "12次", "20", "18"],
    ]
    (project,) = segment(grid(rows, "2023年度项目支出绩效自评表"))[0]
    (row,) = project.indicators
    assert (row.name_raw, row.nature_raw, row.target_raw, row.weight, row.score) == ("宣传活动场次", "≥", "12次", 20, 18)


def test_contract_columns_reach_the_indicator_rows():
    rows = [["序号", "指标名称", "年初指标值", "调整指标值", "全年完成值", "指标权重", "指标得分", "市级评分"],
            ["1", "培训人次", "100", "120", "130", "10", "10", "9.5"]]
    projects, _ = segment(grid(rows))
    _, _, (row,) = project_rows("doc", projects)
    assert set(INDICATORS) <= set(row) | {"name_canonical", "match_score"}
    assert (row["row_no"], row["target_adjusted_raw"], row["review_score"]) == ("1", "120", 9.5)
    assert (row["level1_weight"], row["measure"], row["subject"]) == (None, "count", "")  # 人次: a count (#13)
