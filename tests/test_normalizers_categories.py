import csv
from pathlib import Path

import pytest

from normalizers.categories import LEVEL1, LEVEL2, SCORING_LEVEL1, canonical_level1, canonical_level2

TRUTH = Path(__file__).parent / "corpus" / "truth"


@pytest.mark.parametrize(
    ("raw", "level2"),
    [
        ("数量指标", "数量指标"), ("质量指标", "质量指标"), ("时效指标", "时效指标"), ("成本指标", "成本指标"),
        ("经济效益指标", "经济效益指标"), ("经济效益 指标", "经济效益指标"), ("社会效益", "社会效益指标"),
        ("社会效益 指标", "社会效益指标"), ("生态效益 指标", "生态效益指标"), ("可持续 影响指标", "可持续影响指标"),
        ("可持续影响指标", "可持续影响指标"), ("服务对象 满意度 指标", "服务对象满意度指标"),
        ("服务对象满意度指标等", "服务对象满意度指标"), ("服务对象满意度", "服务对象满意度指标"),
        ("服务对象满意度指标", "服务对象满意度指标"), ("预算执行指标", "预算执行率"), ("预算执行率", "预算执行率"),
        ("经济成本指标", "成本指标"), ("环境效益", "生态效益指标"), ("生态环境成本指标", "成本指标"), ("质量指标（20分）", "质量指标"),
        ("项目产出", ""), ("项目目标", ""), ("质量达标率", ""), ("绩效指标(二级)", ""), ("", ""),
    ],
)
def test_canonical_level2(raw, level2):
    assert canonical_level2(raw) == level2


@pytest.mark.parametrize(
    ("raw", "level2", "role", "level1"),
    [
        ("产出 指标 (40分)", "数量指标", "performance", "产出指标"),
        ("产出指标 (40分)", "", "performance", "产出指标"),
        ("效益 指标 (40分)", "", "performance", "效益指标"),
        ("满意度指标 (20分)", "", "performance", "满意度指标"),
        ("满意度 指标 (20分)", "服务对象 满意度 指标", "performance", "满意度指标"),
        ("效益指标", "社会效益指标", "performance", "效益指标"),
        ("成本指标", "经济成本指标", "performance", "成本指标"),
        ("预算执行指标", "预算执行指标", "performance", "预算执行指标"),
        # printed 一级 wins over the 二级 (晋中 prints 社会效益指标 rows inside the 产出指标 span)
        ("产出指标", "社会效益指标", "performance", "产出指标"),
        # missing or not in the list → from the canonical 二级
        ("绩效指标 (40分)", "数量指标", "performance", "产出指标"),
        ("绩效 指标 (40分)", "成本指标", "performance", "产出指标"),
        ("绩效指标 (40分)", "可持续 影响指标", "performance", "效益指标"),
        ("", "服务对象满意度", "performance", "满意度指标"),
        ("", "预算执行指标", "section", "预算执行指标"),
        ("", "社会效益", "section", "效益指标"),
        ("", "", "performance", ""),
        ("绩效指标", "项目产出", "performance", ""),
        # 评分表
        ("投入:", "项目目标", "scoring", "决策指标"),
        ("决策", "", "scoring", "决策指标"),
        ("过程:", "业务管理", "scoring", "过程指标"),
        ("产出:", "项目产出", "scoring", "产出指标"),
        ("效果:", "项目效果", "scoring", "效益指标"),
        ("效益", "", "scoring", "效益指标"),
        ("投入:", "", "performance", ""),
        ("部门决策(25分)", "目标任务(15分)", "scoring", "决策指标"),
        ("综合管理(30分)", "", "scoring", "过程指标"),
        ("部门绩效情况(45分)", "服务对象满意度指标", "scoring", "效益指标"),
        ("规划(15分)", "", "scoring", "决策指标"),
        ("执行(35分)", "预算执行率", "scoring", "过程指标"),
        ("结果", "", "scoring", "效益指标"),
        ("影响力", "", "scoring", "效益指标"),
        ("项目效益", "数量指标", "scoring", "产出指标"),
        # a printed 一级 wins even with an empty weight tag; a bare (50分) gives the 一级 of its 二级
        ("效益指标(分)", "服务对象满意度指标", "performance", "效益指标"),
        ("效益指标 30分)", "社会效益指标", "performance", "效益指标"),
        ("(50分)", "数量指标", "performance", "产出指标"),
    ],
)
def test_canonical_level1(raw, level2, role, level1):
    assert canonical_level1(raw, level2, role) == level1


def test_outputs_stay_in_the_vocabulary():
    raws = ["数量", "产出", "满意度", "成本", "效益", "投入", "过程", "效果", "预算执行", "其他", "社会效益", "可持续影响"]
    for raw in raws:
        assert canonical_level2(raw) in (*LEVEL2, "")
        assert canonical_level1(raw, raw) in (*LEVEL1, "")
        assert canonical_level1(raw, raw, "scoring") in (*SCORING_LEVEL1, *LEVEL1, "")
        assert canonical_level2(canonical_level2(raw)) == canonical_level2(raw)


def truth_rows() -> list[dict]:
    """Every truth folder: the five seeds and the real reports of other provinces, whose 评分表 use the
    一级 sets 规划/执行, 部门决策/综合管理/部门绩效情况, 投入/产出/结果/影响力."""
    return [row for path in sorted(TRUTH.glob("*/indicators.csv"))
            for row in csv.DictReader(path.open(encoding="utf-8"))]


@pytest.mark.skipif(not truth_rows(), reason="no truth files")
def test_levels_agree_with_truth_files():
    rows = [r for r in truth_rows() if "?" not in (r["level1_raw"], r["level2_raw"], r["level1"], r["level2"])]
    level2 = sum(canonical_level2(r["level2_raw"]) == r["level2"] for r in rows)
    level1 = sum(canonical_level1(r["level1_raw"], r["level2_raw"], r["table_role"]) == r["level1"] for r in rows)
    print(f"level1 {level1}/{len(rows)}, level2 {level2}/{len(rows)}")
    assert level1 >= 0.99 * len(rows) and level2 >= 0.99 * len(rows)
