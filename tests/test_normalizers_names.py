import csv
from pathlib import Path

import pytest

from normalizers.names import THRESHOLD, NameMatcher

LABELLED = Path(__file__).parent / "data" / "indicator_names_labelled.csv"


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    return NameMatcher()


def test_precision_on_the_hand_labelled_names(matcher):
    rows = list(csv.DictReader(LABELLED.open(encoding="utf-8")))
    assert len(rows) >= 150
    assert set(r["expected_canonical"] for r in rows) - {""} <= set(matcher.canonical_names)
    mapped = correct = 0
    wrong = []
    for row in rows:
        name, score = matcher.match(row["name_raw"], row["level2"])
        assert 0 <= score <= 100
        if name:
            mapped += 1
            correct += name == row["expected_canonical"]
            if name != row["expected_canonical"]:
                wrong.append((row["name_raw"], row["expected_canonical"], name))
    positives = sum(1 for r in rows if r["expected_canonical"])
    precision, recall = correct / mapped, correct / positives
    print(f"precision {precision:.3f} ({correct}/{mapped}), recall {recall:.3f} ({correct}/{positives}); wrong: {wrong}")
    assert precision >= 0.97


@pytest.mark.parametrize(
    ("name", "level2", "canonical"),
    [
        ("验收合格率", "质量指标", "验收合格率"),
        ("验收 合格率", "质量指标", "验收合格率"),
        ("群众满意度（%）", "", "群众满意度"),
        ("服务对象满意度（％）", "", "服务对象满意度"),
        ('"两个教育"云服务满足率', "", "“两个教育”云服务满足率"),
        ("交管１２１２３语音服务人次", "", "交管12123语音服务人次"),
        ("方便群众，提供交管工作便利化", "", "方便群众，提供交管服务便利化"),
        ("办理各类治安案件数 =", "数量指标", "办理各类治安案件数"),
        ("1.验收合格率", "", "验收合格率"),
        # cut off at the cell width, unique prefix
        ("道路交通事故一般", "数量指标", "道路交通事故一般案件办理"),
        ("租赁房屋及维护维", "数量指标", "租赁房屋及维护维修"),
        ("全力保障辖区安全，", "社会效益指标", "全力保障辖区安全，维护社会稳定"),
        # wording variants
        ("监控设备在线率", "质量指标", "设备在线率"),
        ("项目竣工验收合格率", "质量指标", "验收合格率"),
        ("交通违法信息采集率", "时效指标", "交通违法信息采集"),
    ],
)
def test_matches(matcher, name, level2, canonical):
    found, score = matcher.match(name, level2)
    assert found == canonical
    assert THRESHOLD <= score <= 100


@pytest.mark.parametrize(
    "name",
    [
        "汽车类驾驶证许可",  # prefix of four canonical names: position, not name, is its identity
        "汽车类驾驶证许可科",
        "设施设备（系统）",
        "高速公路恶劣天气高影响路段",
        "学生资助覆盖率",
        "患者满意度",
        "疫苗接种率",
        "高标准农田建设面积",
        "村民满意度",
        "故障修复及时率",  # a rate, not the 故障修复时间 it resembles
        "道路交通事故起数",
    ],
)
def test_no_guess(matcher, name):
    found, score = matcher.match(name)
    assert found == ""
    assert score < THRESHOLD


@pytest.mark.parametrize("name", ["指标1:", "指标1：", "0", "—", ".....", ""])
def test_placeholders_never_match(matcher, name):
    assert matcher.match(name) == ("", 0.0)


def test_exact_names_score_100(matcher):
    for canonical in matcher.canonical_names:
        assert matcher.match(canonical) == (canonical, 100.0)


def test_candidates_are_sorted_and_bounded(matcher):
    found = matcher.candidates("系统故障恢复时长", "时效指标", k=3)
    assert len(found) == 3
    assert found[0][0] == "故障修复时间"
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_taxonomy_can_be_supplied():
    custom = NameMatcher("canonical_name,level2,synonyms\n学生资助覆盖率,社会效益指标,资助覆盖率\n")
    assert custom.match("资助覆盖率") == ("学生资助覆盖率", 100.0)
    assert custom.match("验收合格率")[0] == ""
