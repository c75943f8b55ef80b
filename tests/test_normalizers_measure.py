import pytest

from normalizers.measure import MEASURES, measure_of


@pytest.mark.parametrize(
    ("name", "unit", "target", "level2", "measure"),
    [
        ("学生满意度", "", "100", "服务对象满意度指标", "satisfaction"),
        ("★受助对象满意度(≥**%)", "", "", "", "satisfaction"),
        ("造林成活率", "", "85%", "质量指标", "rate"),
        ("指标1:年度资金支付完成率100%", "", "", "时效指标", "rate"),  # the target glued to the name
        ("家庭医生签约率", "", "24694人", "数量指标", "rate"),  # the name says rate, whatever the cell
        ("提高就业率", "", "显著", "社会效益指标", "qualitative"),  # a grade, not a number
        ("造林面积", "", "1.2万亩", "数量指标", "count"),
        ("享受资助人数", "", "2100", "数量指标", "count"),
        ("一个存储备份器", "", "25TB", "数量指标", "count"),
        ("农村低保标准", "", ">=530元/人*月", "质量指标", "money"),
        ("以低价位高质量为采购原则", "", "5万", "成本指标", "money"),
        ("城乡居民参保网络宣传成本预算", "元", "101400", "成本指标", "money"),
        ("项目建成后可持续影响年限", "", "≥15年", "可持续影响指标", "duration"),
        ("2022年全年", "", "≥360天", "时效指标", "duration"),
        ("项目完工时限", "", "2023年12月", "时效指标", "date"),
        ("维修改造完成时限", "", "12月底前", "时效指标", "date"),
        ("管理制度健全性", "", "高", "", "qualitative"),
        ("城乡居民医保参保机制健全性", "", "优良中低差", "可持续影响指标", "qualitative"),
        ("指标1学校发展能力", "", "100", "社会效益指标", "rate"),  # a bare 100: these forms mean 100%
        ("市级财力专项预算分配时限(1分)", "", "", "", "duration"),
        ("完成数量", "", "", "", "count"),
        ("相关性(5分)", "", "", "", "qualitative"),
        ("党性教育培训次数", "次", "", "", "count"),
        ("“三公经费变动率", "%", "", "", "rate"),
    ],
)
def test_measure(name, unit, target, level2, measure):
    assert measure_of(name, unit, target, "", level2) == measure


def test_actual_stands_in_for_a_missing_target():
    assert measure_of("播发稿件数量", "", "", "2859篇") == "count"


def test_every_named_row_gets_one_of_the_measures():
    assert measure_of("") == ""
    for name in ("指标质量", "充分性", "WIFI布点全覆盖", "资金执行在预算范围内"):
        assert measure_of(name) in MEASURES


def test_measure_on_the_names_never_seen():
    """The second labelled list (names of other departments the taxonomy was not built from)."""
    from bench.names import DATA, labelled_rows, score_set
    from normalizers.names import NameMatcher

    result = score_set(labelled_rows(DATA / "unseen_names_labelled.csv"), NameMatcher())
    assert result["measure_accuracy"] >= 0.97, result["wrong_measure"]


def test_indicator_rows_carry_measure_and_subject():
    """normalize → rows with measure for every named row and the concept's subject after matching."""
    from normalizers.names import NameMatcher
    from pipeline.model import Indicator, Project
    from pipeline.normalize import match_names, project_rows

    project = Project(seq=1, indicators=[
        Indicator(1, 1, "指标1学生满意度", "满意度指标", "服务对象满意度指标", target_raw="100", actual_raw="100"),
        Indicator(2, 1, "合理性(5分)", "项目决策(20分)", "绩效目标(10分)", table_role="scoring"),
        Indicator(3, 1, "造林面积", "产出指标", "数量指标", target_raw="1.2万亩", actual_raw="1.2万亩"),
        Indicator(4, 1, "指标2:", "产出指标", "数量指标", flags=["placeholder_row"]),
    ])
    _, _, rows = project_rows("doc", [project])
    match_names(rows, NameMatcher())
    got = [(r["name_canonical"], r["subject"], r["measure"]) for r in rows]
    assert got == [("服务对象满意度", "学生", "satisfaction"), ("绩效目标合理性", "", "qualitative"),
                   ("造林面积", "", "count"), ("", "", "")]
