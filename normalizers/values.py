"""Indicator values: operator, target/actual numbers and unit, as tests/corpus/TRUTH.md specifies."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from normalizers.numbers import find_number

OPERATORS = (">=", ">", "=", "<=", "<", "定性")

# Symbols, longest first (NFKC has already folded ＞ ＝ ＜ to ASCII).
_SYMBOLS = (
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("≧", ">="), ("⩾", ">="),
    ("<=", "<="), ("=<", "<="), ("≤", "<="), ("≦", "<="), ("⩽", "<="),
    (">", ">"), ("<", "<"), ("=", "="),
)
_SYMBOL_RE = re.compile("|".join(re.escape(s) for s, _ in _SYMBOLS))
_SYMBOL_OP = dict(_SYMBOLS)
_WORDS = (
    ("大于或等于", ">="), ("大于等于", ">="), ("高于或等于", ">="), ("小于或等于", "<="), ("小于等于", "<="),
    ("低于或等于", "<="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="), ("及以上", ">="),
    ("不超过", "<="), ("不高于", "<="), ("不大于", "<="), ("不多于", "<="), ("及以下", "<="),
    ("至少", ">="), ("达到", ">="), ("以上", ">="), ("以内", "<="), ("之内", "<="), ("以下", "<="),
    ("最多", "<="), ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"), ("小于", "<"), ("低于", "<"),
    ("少于", "<"),
)
_WORD_RE = re.compile("|".join(w for w, _ in _WORDS))
_WORD_OP = dict(_WORDS)
# A 指标性质 cell: any symbol or word above, or 正向/反向 (higher/lower is better).
_NATURE = {**_SYMBOL_OP, **_WORD_OP, "正向": ">=", "正向指标": ">=", "反向": "<=", "反向指标": "<="}

# Units and measure words, longest first; compound rates (万元/年, 个/标段, 元/生·年, 元/人*月) are built from them.
UNITS = sorted(
    """万元 亿元 千元 元 万 亿 % ‰ 人次 辆次 车次 架次 户次 批次 场次 班次 次数 个数 人数 个 次 人 名 位 户
    天 日 小时 分钟 秒 工作日 年 月 周 季度 台 套 处 件 起 份 部 辆 条 家 项 批 段 场 篇 期 所 座 间 张 册 本
    只 头 株 棵 亩 公顷 平方米 平方公里 立方米 公里 千米 米 千克 公斤 吨 千瓦时 千瓦 度 宗 例 块 根 盏 组 支
    路 个点 点 点位 标段 辖区 村 校 GB TB PB MB KB Mbps Gbps M G km KM kg m2 m3 m h""".split(),
    key=len,
    reverse=True,
)
_BASE = "|".join(re.escape(u) for u in UNITS)
_PART = rf"(?:{_BASE}|[\u4e00-\u9fff]{{1,2}})"
_UNIT_RE = re.compile(rf"(?:{_BASE})(?:/{_PART}(?:[·*×]{_PART})*)?")  # 元/人·月 also as 元/人*月, 元/人×月
_RANGE = re.compile(r"\s*[-—–~～至到]\s*")
_BLANK = re.compile(r"[\s\-—–―_.…。·/\\、,:;]*")
_DIGIT = re.compile(r"\d")
_UNIT_ALIASES = {"百分比": "%", "百分率": "%", "百分之": "%"}


@dataclass(frozen=True)
class ParsedValue:
    """operator: >=, >, =, <=, <, 定性, or "" for an empty target; values as published (percent stays 98)."""

    operator: str
    target_value: float | None
    actual_value: float | None
    unit: str
    flags: tuple[str, ...]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _is_blank(text: str) -> bool:
    return bool(_BLANK.fullmatch(text)) or text == "无"


def normalize_unit(unit: str) -> str:
    """Unit as the dataset writes it: NFKC (％ → %), no spaces, compound rates kept whole (万元/年)."""
    key = re.sub(r"\s+", "", _nfkc(unit))
    if _is_blank(key):
        return ""
    return _UNIT_ALIASES.get(key, key)


def _unit_after(tail: str) -> str:
    """The unit written right after a number (`万元/年` in 3268.20万元/年, `月` in 1—12月)."""
    tail = tail.lstrip()
    dash = _RANGE.match(tail)
    if dash:
        second = find_number(tail[dash.end():], chinese=False)
        if second is not None and second.start == 0:
            tail = second.tail.lstrip()
    m = _UNIT_RE.match(tail)
    return normalize_unit(m.group()) if m else ""


def _operator(target: str, nature: str) -> str:
    """Symbol in the target, else a word in it, else the 指标性质 column, else =."""
    symbol = _SYMBOL_RE.search(target)
    if symbol:
        return _SYMBOL_OP[symbol.group()]
    word = _WORD_RE.search(target)
    if word:
        return _WORD_OP[word.group()]
    return _NATURE.get(re.sub(r"\s+", "", nature), "=")


def _percent_scale_suspect(operator: str, unit: str, target: float | None, actual: float | None) -> bool:
    """0.95 % against 100, or 100 % against 1: one of the two cells was written as a fraction."""
    if unit != "%" or operator in ("<", "<=") or target is None or actual is None:
        return False
    return (0 < target <= 1.5 < actual) or (target >= 50 and 0 < actual <= 1.5)


def parse_value(target_raw: str, actual_raw: str = "", nature_raw: str = "", unit_raw: str = "") -> ParsedValue:
    """Operator, numbers, unit and flags of one indicator row (TRUTH.md's normalized value fields)."""
    target, actual = _nfkc(target_raw), _nfkc(actual_raw)
    target_blank = _is_blank(target)
    t = None if target_blank else find_number(target)
    if not target_blank and t is None:
        flags = ("unparsed_value",) if _DIGIT.search(target) else ()
        return ParsedValue("定性", None, None, "", flags)

    a = None if _is_blank(actual) else find_number(actual)
    operator = "" if target_blank else _operator(target, _nfkc(nature_raw))
    unit = normalize_unit(unit_raw)
    if not unit:
        unit = (_unit_after(t.tail) if t else "") or (_unit_after(a.tail) if a else "")
    target_value = t.value if t else None
    actual_value = a.value if a else None
    flags = ("percent_scale_suspect",) if _percent_scale_suspect(operator, unit, target_value, actual_value) else ()
    return ParsedValue(operator, target_value, actual_value, unit, flags)
