"""一级/二级 indicator labels → the canonical vocabulary of SCHEMA.md / TRUTH.md."""
from __future__ import annotations

import re

from normalizers.text import fold
from normalizers.traditional import simplified

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标", "预算执行指标")
SCORING_LEVEL1 = ("决策指标", "过程指标", "产出指标", "效益指标")
LEVEL2 = (
    "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标",
    "生态效益指标", "可持续影响指标", "服务对象满意度指标", "预算执行率",
)

# Printed 二级 stems (after fold, without 指标/等/score suffixes) → canonical. Exact stems, not
# substrings, so a 三级 name or a 评分表 label (项目产出, 质量达标率) never passes for a 二级.
_LEVEL2_STEMS = {
    "数量": "数量指标", "产出数量": "数量指标",
    "质量": "质量指标", "产出质量": "质量指标",
    "时效": "时效指标", "产出时效": "时效指标",
    "成本": "成本指标", "产出成本": "成本指标", "经济成本": "成本指标", "社会成本": "成本指标",
    "生态环境成本": "成本指标", "生态成本": "成本指标",
    "经济效益": "经济效益指标",
    "社会效益": "社会效益指标",
    "生态效益": "生态效益指标", "生态环境效益": "生态效益指标", "环境效益": "生态效益指标",
    "可持续影响": "可持续影响指标", "可持续发展影响": "可持续影响指标", "可持续": "可持续影响指标",
    "服务对象满意度": "服务对象满意度指标", "满意度": "服务对象满意度指标",
    "社会公众或服务对象满意度": "服务对象满意度指标", "社会公众满意度": "服务对象满意度指标",
    "受益对象满意度": "服务对象满意度指标",
    "预算执行": "预算执行率", "预算执行率": "预算执行率", "预算执行情况": "预算执行率",
}
_LEVEL1_STEMS = {
    "产出": "产出指标", "效益": "效益指标", "满意度": "满意度指标", "成本": "成本指标",
    "预算执行": "预算执行指标", "预算执行率": "预算执行指标",
}
# 评分表 一级 sets (COMMON.md): 项目决策/项目管理/项目产出/项目效益; 部门决策/综合管理/部门绩效情况;
# 规划/执行; 决策/过程; 投入/产出/结果/影响力.
_SCORING_STEMS = {
    "投入": "决策指标", "决策": "决策指标", "项目决策": "决策指标", "部门决策": "决策指标", "规划": "决策指标",
    "过程": "过程指标", "项目过程": "过程指标", "项目管理": "过程指标", "综合管理": "过程指标", "部门管理": "过程指标",
    "执行": "过程指标", "管理": "过程指标",
    "产出": "产出指标", "项目产出": "产出指标", "部门产出": "产出指标",
    "效果": "效益指标", "效益": "效益指标", "项目效益": "效益指标", "项目效果": "效益指标", "结果": "效益指标",
    "影响力": "效益指标", "部门绩效情况": "效益指标", "部门绩效": "效益指标", "部门效益": "效益指标",
}
_LEVEL1_OF_LEVEL2 = {
    "数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "成本指标": "产出指标",
    "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标", "服务对象满意度指标": "满意度指标", "预算执行率": "预算执行指标",
}
_SCORE_SUFFIX = re.compile(r"\(\s*(?:\d+(?:\.\d+)?)?\s*分?\s*\)$|\d+(?:\.\d+)?分\)?$")
_TRAILING = re.compile(r"(?:指标)?等?[:：]?$")


def _stem(raw: str) -> str:
    """`产出 指标 (40分)` → `产出`; `服务对象满意度指标等` → `服务对象满意度`; `投入:` → `投入`."""
    key = simplified(fold(raw))
    key = _SCORE_SUFFIX.sub("", key)
    key = re.sub(r"^[一二三四五六七八九十\d]+[、.．)]", "", key)
    return _TRAILING.sub("", key)


def canonical_level2(raw: str) -> str:
    """Canonical 二级 (TRUTH.md list) of a printed label, tolerant of spaces, 指标等 and (分) suffixes; else ""."""
    if raw in LEVEL2:
        return raw
    return _LEVEL2_STEMS.get(_stem(raw), "")


def canonical_level1(raw: str, level2: str = "", table_role: str = "performance") -> str:
    """Canonical 一级: printed label when it is one of the list (评分表: the 一级 sets of _SCORING_STEMS),
    else inferred from the canonical 二级, else ""."""
    stems = _SCORING_STEMS if table_role == "scoring" else _LEVEL1_STEMS
    found = stems.get(_stem(raw), "")
    if found == "效益指标" and table_role == "scoring" and _LEVEL1_OF_LEVEL2.get(canonical_level2(level2)) == "产出指标":
        return "产出指标"  # a 评分表 效益 group whose 二级 says 产出 (数量/质量/时效/成本)
    if found:
        return found
    return _LEVEL1_OF_LEVEL2.get(canonical_level2(level2), "")
