"""The bench's alignment and field scoring on small hand-made tables."""
import pandas as pd
import pytest

from bench.peers import glue
from bench.score import add, align, equal, in_order, rates, score_indicators, score_projects

FIELDS = ["name_raw", "target_raw", "actual_raw", "weight", "score"]


def rows(*items):
    """(name, target, actual, weight, score) tuples → an indicator frame."""
    return pd.DataFrame(items, columns=FIELDS)


TRUTH = rows(
    ("道路交通事故一般案", "32", "33", "20", "20"),
    ("道路交通事故简易案", "2200", "2331", "10", "10"),
    ("租赁房屋及维护维修", "1", "3", "10", "10"),
)


def test_all_rows_found_and_exact():
    counts = score_indicators(TRUTH, TRUTH.copy(), FIELDS)
    assert counts == {"truth": 3, "matched": 3, "extra": 0, "fields": {f: 3 for f in FIELDS},
                      "unsure": {f: 0 for f in FIELDS}}


def test_missing_row_counts_wrong_in_every_field():
    counts = score_indicators(TRUTH, TRUTH.drop(index=1).reset_index(drop=True), FIELDS)
    assert (counts["matched"], counts["extra"]) == (2, 0)
    assert counts["fields"]["name_raw"] == 2
    assert rates(counts)["found"] == pytest.approx(2 / 3)
    assert rates(counts)["target_raw"] == pytest.approx(2 / 3)


def test_extra_row_is_counted_and_does_not_steal_a_match():
    extracted = pd.concat([TRUTH.iloc[:1], rows(("总分", "100", "95", "", "")), TRUTH.iloc[1:]], ignore_index=True)
    counts = score_indicators(TRUTH, extracted, FIELDS)
    assert (counts["truth"], counts["matched"], counts["extra"]) == (3, 3, 1)
    assert counts["fields"] == {f: 3 for f in FIELDS}
    assert rates(counts)["extra"] == pytest.approx(1 / 3)


def test_cut_off_duplicate_names_align_by_position_and_values():
    truth = rows(
        ("汽车类驾驶证许可", "8000", "9530", "5", "5"),
        ("汽车类驾驶证许可", "120", "133", "5", "5"),
        ("汽车类驾驶证许可", "15", "7", "5", "2"),
        ("机动车检验", "1", "1", "5", "5"),
    )
    extracted = rows(  # the second row is lost; the third is read with a wrong score
        ("汽车类驾驶证许可", "8000", "9530", "5", "5"),
        ("汽车类驾驶证许可", "15", "7", "5", "3"),
        ("机动车检验", "1", "1", "5", "5"),
    )
    t_keys = ["|".join(r[:3]) for r in truth.itertuples(index=False)]
    e_keys = ["|".join(r[:3]) for r in extracted.itertuples(index=False)]
    assert align(t_keys, e_keys) == [(0, 0), (2, 1), (3, 2)]
    counts = score_indicators(truth, extracted, FIELDS)
    assert counts["matched"] == 3
    assert counts["fields"]["target_raw"] == 3
    assert counts["fields"]["score"] == 2


def test_alignment_keeps_order_no_crossing():
    a, b = "道路交通事故一般案|32|33", "租赁房屋及维护维修|1|3"
    assert align([a, b], [b, a]) in ([(0, 1)], [(1, 0)])
    assert align(["甲乙丙丁"], ["完全无关的文字"]) == []


def test_numbers_compare_numerically_and_empty_equals_empty():
    assert equal("20", "20.0", numeric=True)
    assert equal("1831", "1,831.00", numeric=True)
    assert not equal("20", "21", numeric=True)
    assert not equal("20", "20.0", numeric=False)
    assert equal("", float("nan"), numeric=True)
    assert equal("", pd.NA, numeric=False)
    assert not equal("", "0", numeric=True)
    assert not equal("0", "", numeric=True)


def test_numeric_field_20_vs_20_point_0_scores_as_equal():
    extracted = TRUTH.copy()
    extracted["weight"] = ["20.0", "10.00", "10"]
    extracted["score"] = [20.0, 9.5, None]
    counts = score_indicators(TRUTH, extracted, FIELDS)
    assert counts["fields"]["weight"] == 3
    assert counts["fields"]["score"] == 1


def test_projects_align_on_name():
    truth = pd.DataFrame({"project_name": ["物业费", "车驾管业务", "高速公路智能管控"], "total_score": ["95", "100", "98.5"]})
    got = pd.DataFrame({"project_name": ["车驾管业务", "高速公路智能管控"], "total_score": ["100.0", "98"]})
    counts = score_projects(truth, got, ["project_name", "total_score"])
    assert (counts["matched"], counts["extra"]) == (2, 0)
    assert counts["fields"] == {"project_name": 2, "total_score": 1}


def test_counts_add_up_across_files():
    a = {"truth": 3, "matched": 2, "extra": 1, "fields": {"name_raw": 2}}
    b = {"truth": 1, "matched": 1, "extra": 0, "fields": {"name_raw": 0}}
    total = add(add(None, a), b)
    assert total == {"truth": 4, "matched": 3, "extra": 1, "fields": {"name_raw": 2}}
    assert a["fields"] == {"name_raw": 2}


def test_uncertain_truth_cell_counts_neither_right_nor_wrong():
    truth = rows(
        ("道路交通事故一般案", "32", "33", "?", "20"),
        ("道路交通事故简易案", "?", "2331", "10", "10"),
        ("租赁房屋及维护维修", "1", "3", "10", "?"),
    )
    extracted = rows(
        ("道路交通事故一般案", "32", "33", "99", "20"),  # a wrong value under `?` costs nothing
        ("道路交通事故简易案", "2200", "2331", "10", "10"),
        ("租赁房屋及维护维修", "1", "3", "10", "4"),
    )
    counts = score_indicators(truth, extracted, FIELDS)
    assert counts["matched"] == 3
    assert counts["fields"] == {"name_raw": 3, "target_raw": 2, "actual_raw": 3, "weight": 2, "score": 2}
    assert counts["unsure"] == {"name_raw": 0, "target_raw": 1, "actual_raw": 0, "weight": 1, "score": 1}
    shares = rates(counts)
    assert shares["target_raw"] == shares["weight"] == shares["score"] == 1.0
    missing = score_indicators(truth, extracted.iloc[:2], FIELDS)  # a lost row still counts wrong
    assert rates(missing)["weight"] == pytest.approx(1 / 2)
    assert rates(missing)["name_raw"] == pytest.approx(2 / 3)


def test_row_with_an_unreadable_key_aligns_by_position():
    truth = rows(("造林面积", "1.2万亩", "1.2万亩", "10", "10"), ("?", "?", "?", "?", "6"),
                 ("林产品收入", "2.6亿元", "2.45亿元", "6", "5"))
    extracted = rows(("造林面积", "1.2万亩", "1.2万亩", "10", "10"), ("生态效益", "显著", "显著", "6", "6"),
                     ("林产品收入", "2.6亿元", "2.45亿元", "6", "5"))
    counts = score_indicators(truth, extracted, FIELDS)
    assert (counts["matched"], counts["extra"]) == (3, 0)
    assert counts["fields"]["score"] == 3
    assert rates(counts)["name_raw"] == 1.0
    assert score_projects(pd.DataFrame({"project_name": ["?"]}), pd.DataFrame({"project_name": ["部门整体"]}),
                          ["project_name"])["matched"] == 1


def test_in_order_sorts_project_numbers_numerically():
    frame = pd.DataFrame({"project_id": ["d-10", "d-2", "d-2"], "seq": ["1", "2", "1"]})
    assert in_order(frame)[["project_id", "seq"]].values.tolist() == [["d-2", "1"], ["d-2", "2"], ["d-10", "1"]]


def test_peer_glue_maps_header_fills_levels_and_continues_tables():
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析\n及改进措施"]
    page1 = [["项目名称", "x", None, None, None, None, None, None], header,
             ["产出指标", "数量指标", "道路交通\n事故", "32", "33", "20", "20", ""],
             [None, "质量指标", "合格率", "≥98%", "100%", "10", "10", ""]]
    page2 = [["", "", "满意度", "≥90%", "95%", "10", "9", "宣传不足"], ["总分", None, None, None, None, "100", "95", None]]
    other = [["a", "b"], ["c", "d"]]
    out = glue([(1, page1), (2, page2), (3, other)])
    assert [r["name_raw"] for r in out] == ["道路交通事故", "合格率", "满意度"]
    assert [(r["level1_raw"], r["level2_raw"]) for r in out] == [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "质量指标")]
    assert out[2]["deviation_note"] == "宣传不足" and out[2]["page"] == 2
    assert out[1]["target_raw"] == "≥98%" and out[1]["actual_raw"] == "100%"


def test_peer_glue_reads_a_two_row_header():
    upper = ["绩效指标", None, None, "年度指标值", None, None, "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    lower = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", None, None, None, None]
    data = ["产出指标", "数量指标", "道路交通事故一般案", ">=", "32", "起", "33", "20.00", "20.00", ""]
    narrative = ["年度总体目标", "根据《中华人民共和国道路交通安全法》实际完成得分", None, None, None, None, None, None, None, None]
    out = glue([(1, [narrative, upper, lower, data])])
    assert len(out) == 1
    assert (out[0]["target_raw"], out[0]["actual_raw"], out[0]["weight"], out[0]["score"]) == ("32", "33", "20.00", "20.00")


def test_placeholder_row_read_as_nothing_is_the_same_row_with_its_name_wrong():
    """宁夏's `.....` row: OCR reads the dots as nothing. Found (not a miss plus an extra), name wrong."""
    truth = pd.concat([TRUTH.iloc[:1], rows((".....", "", "", "", "")), TRUTH.iloc[1:]], ignore_index=True)
    extracted = pd.concat([TRUTH.iloc[:1], rows(("", "", "", "", "")), TRUTH.iloc[1:]], ignore_index=True)
    counts = score_indicators(truth, extracted, FIELDS)
    assert (counts["matched"], counts["extra"]) == (4, 0)
    assert counts["fields"]["name_raw"] == 3 and counts["fields"]["target_raw"] == 4
    not_blank = pd.concat([TRUTH.iloc[:1], rows(("总分", "100", "95", "", "")), TRUTH.iloc[1:]], ignore_index=True)
    assert score_indicators(truth, not_blank, FIELDS)["extra"] == 1  # only an empty or placeholder row takes its place


def test_unreadable_name_of_a_row_without_targets_aligns_with_any_row():
    """A 评分表 prints no target or actual: a row whose name is `?` and whose other key cells are
    empty has an unreadable key, and aligns by position like an all-`?` row."""
    truth = pd.concat([TRUTH.iloc[:2], rows(("?", "", "", "?", "?"))], ignore_index=True)
    extracted = pd.concat([TRUTH.iloc[:2], rows(("预算执", "", "", "", ""))], ignore_index=True)
    counts = score_indicators(truth, extracted, FIELDS)
    assert (counts["matched"], counts["extra"]) == (3, 0)
