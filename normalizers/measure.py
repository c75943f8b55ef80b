"""What an indicator row measures, read from its name, unit and target together (pure, no I/O).

One of MEASURES, so rows compare like with like where no canonical name fits:
satisfaction (满意度), rate (a percentage or ratio), count (a number of things or a physical
quantity: 人, 次, 亩, 平方米 …), money, duration (a span of time or a time limit), date (a point in
time: `2023年12月`, `12月底前`), qualitative (a grade, yes/no or a statement).
Order of evidence: a satisfaction name (or a row under 服务对象满意度指标 not named a rate); a date target; a target without any number (qualitative);
a name that says rate (率, 比例 …); the unit of the target or of the 度量单位 column; the name's
last words; a bare `100` (these forms print 100% so); a number left alone is a count. A row with
no target at all is read from its name, then from its 二级 (数量指标 and 产出 rows count things).
"""
from __future__ import annotations

import re

from normalizers.names import strip_annotations
from normalizers.text import clean_cell, fold
from normalizers.values import parse_value

MEASURES = ("satisfaction", "rate", "count", "money", "duration", "date", "qualitative")

_SATISFACTION = re.compile(r"满意(?:度|率|程度)|满意$")
_DATE = re.compile(
    r"^(?:[<>=≤≥]|[<>]=)?\s*(?:"
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?(?:份|底|末|中旬|上旬|下旬)?(?:前|以前|之前|内|完成)?"
    r"|\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:份|底|末|中旬|上旬|下旬)?(?:前|以前|之前|内|完成)?"
    r"|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?(?:前|以前|之前)?"
    r"|(?:年底|年末|年内|月底|月末|季末)(?:前|以前|之前|完成)?"
    r")$"
)
_RATE_NAME = re.compile(r"(?:率|比例|比率|占比|系数|百分比)$")
_RATE_UNITS = ("%", "‰")
_TIME_UNITS = frozenset("天 日 小时 分钟 秒 工作日 年 月 周 季度 个月 个工作日".split())
# The last words of a name, most telling first. Hand-listed: no library knows 绩效指标 wording.
_NAME_CUES = (
    ("rate", _RATE_NAME),
    ("duration", re.compile(r"(?:时间|时限|时长|周期|天数|年限|工期|期限|时效)$")),
    ("money", re.compile(r"(?:费|费用|资金|金额|成本|补助|补贴|收入|增收|资助|经费|奖金|工资|预算|价格|投资)$")),
    ("count", re.compile(r"(?:数|数量|人数|人次|次数|个数|场次|件数|户数|面积|长度|里程|浓度|容量|规模)$")),
)
_BARE_HUNDRED = re.compile(r"^100(?:\.0+)?$")


def _unit(unit_raw: str, parsed_unit: str) -> str:
    """The 度量单位 column when it holds a unit, else the unit read from the target."""
    unit = fold(unit_raw)
    return unit if unit and not re.search(r"\d", unit) else parsed_unit


def measure_of(name_raw: str, unit_raw: str = "", target_raw: str = "", actual_raw: str = "",
               level2: str = "", level1_raw: str = "") -> str:
    """The measure of one indicator row (one of MEASURES); "" for an empty name."""
    name = strip_annotations(fold(clean_cell(name_raw)))
    if not name:
        return ""
    if _SATISFACTION.search(name) or (level2 == "服务对象满意度指标" and not _RATE_NAME.search(name)):
        return "satisfaction"
    target = fold(clean_cell(target_raw)) or fold(clean_cell(actual_raw))
    embedded = re.search(r"\d+(?:\.\d+)?%$", fold(clean_cell(name_raw)))
    if not target and embedded:
        return "rate"
    if target:
        if _DATE.match(target):
            return "date"
        value = parse_value(target, "", "", "")
        if value.operator == "定性":  # 作用明显 stays a grade whatever the 度量单位 column says
            return "qualitative"
        if _RATE_NAME.search(name):
            return "rate"
        unit = _unit(unit_raw, value.unit)
        if unit in _RATE_UNITS or "%" in target or "‰" in target:
            return "rate"
        if "元" in unit:
            return "money"
        if unit in _TIME_UNITS:
            return "duration"
        if level2 == "成本指标":
            return "money"
        for measure, pattern in _NAME_CUES:
            if pattern.search(name):
                return measure
        if unit:
            return "count"
        return "rate" if _BARE_HUNDRED.match(target) else "count"
    for measure, pattern in _NAME_CUES:
        if pattern.search(name):
            return measure
    unit = fold(unit_raw)
    if unit in _RATE_UNITS:
        return "rate"
    if "元" in unit:
        return "money"
    if level2 == "数量指标" or (not level2 and "产出" in level1_raw):
        return "count"
    return "qualitative"
