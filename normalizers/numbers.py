"""Numbers as the reports print them: separators, 万/亿 multipliers, Chinese numerals (via cn2an)."""
from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


_ARABIC = re.compile(
    r"(?<![A-Za-z\d])(?P<sign>(?<![\w.)\]])[-\u2212])?"
    r"(?P<int>\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?P<frac>\.\d+)?"
)
# 万/亿 after a number multiplies it, except when it opens a money unit or a rate (万元…, 万/…).
_MULTIPLIER = re.compile(r"\s*(?P<mult>[万萬亿億])(?![元/])")
_MULTIPLIERS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_APPROX = re.compile(r"\s*(?:余|多|左右)")

# A Chinese numeral counts only at the start of the cell (after an operator), as in 一年, 三段, 两个,
# 十二: inside text (科目三考试, 统一, 一般程序) the characters are words, not numbers.
_LEAD = re.compile(r"^[\s>=<≥≤≧≦⩾⩽]*(?:不低于|不少于|不超过|不高于|大于|小于|高于|低于|达到|约)?\s*")
_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万萬亿億点]*")
# Words that start with a numeral character but are not numbers (一般, 一致, 十分明显, …). Hand-listed:
# cn2an converts any numeral run and cannot tell a word from a count.
_CN_NOT_NUMBER = re.compile(r"一(?=[般致定直律流些起体切同样旦再向贯系览])|零(?=[星散碎])|十分(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class NumberMatch:
    """The first number of a text: its value (multiplier applied), where it is, and what follows it."""

    value: float
    start: int
    end: int
    tail: str


_DOTTED_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:\.\d{3})+)(\.\d+)(?![\d.])")


def _prepare(text: str) -> str:
    """NFKC (full-width digits, ，．％＞ folded) so one regex reads every form; `1.831.00` (thousands
    separators read as dots, as OCR does at small sizes) becomes `1,831.00`."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return _DOTTED_THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(".", ",") + m.group(3), text)


def _decimal(sign: str, integer: str, frac: str) -> Decimal:
    return Decimal(f"{'-' if sign else ''}{integer.replace(',', '')}{frac}")


def _chinese(text: str) -> NumberMatch | None:
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    if _CN_NOT_NUMBER.match(text, start):
        return None
    m = _CN_NUMERAL.match(text, start)
    if not m:
        return None
    run = m.group()
    # 万/亿 that opens a unit (五万元, 三万/处) is not part of the number.
    if run[-1] in _MULTIPLIERS and text[start + len(run) : start + len(run) + 1] in ("元", "/"):
        run = run[:-1]
    import cn2an  # on first use: importing it compiles its patterns (0.4 s), which most processes never need

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = cn2an.cn2an(run, "smart")
        except (ValueError, KeyError, IndexError):
            return None
    end = start + len(run)
    approx = _APPROX.match(text, end)
    end = approx.end() if approx else end
    return NumberMatch(float(value), start, end, text[end:])


def find_number(text: str, *, multiplier: bool = True, chinese: bool = True) -> NumberMatch | None:
    """First number in text: Arabic with separators, or a leading Chinese numeral.

    Positions and tail refer to the NFKC-folded text (％ → %, full-width digits → ASCII)."""
    text = _prepare(text)
    if chinese:
        found = _chinese(text)
        if found is not None:
            return found
    m = _ARABIC.search(text)
    if not m:
        return None
    try:
        value = _decimal(m.group("sign"), m.group("int"), m.group("frac") or "")
    except InvalidOperation:
        return None
    end = m.end()
    if multiplier:
        mult = _MULTIPLIER.match(text, end)
        if mult:
            value *= _MULTIPLIERS[mult.group("mult")]
            end = mult.end()
            approx = _APPROX.match(text, end)
            end = approx.end() if approx else end
    return NumberMatch(float(value), m.start(), end, text[end:])


def parse_number(text: str) -> float | None:
    """First number: 1,831.00 → 1831; 23.1万 → 231000; 一年 → 1; 两个 → 2; 十二 → 12; 三段 → 3."""
    found = find_number(text)
    return None if found is None else found.value


def parse_amount(text: str) -> float | None:
    """A money cell in 万元 as published: "1,831.00" → 1831.0; "—", "" → None (万 stays the unit)."""
    found = find_number(text, multiplier=False, chinese=False)
    return None if found is None else found.value


def parse_rate(text: str) -> float | None:
    """A rate as a fraction: "100.00%" → 1.0, "51%" → 0.51, "100.00" → 1.0 (percent without its sign
    when > 1.5), "0" → 0.0, "0.95" → 0.95."""
    found = find_number(text, multiplier=False, chinese=False)
    if found is None:
        return None
    tail = found.tail.lstrip()
    if tail.startswith("‰"):
        return float(Decimal(str(found.value)) / 1000)
    if tail.startswith("%") or found.value > 1.5:
        return float(Decimal(str(found.value)) / 100)
    return found.value


# A weight printed inside a label: `产出指标(50分)`, a bare `(50分)`, `(50)`, `(特性指标70分)`, `效益指标 30分)`.
_LABEL_WEIGHT = (
    re.compile(r"[(（][^()（）\d]*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$"),
    re.compile(r"(\d+(?:\.\d+)?)\s*分\s*[)）]?\s*$"),
)


def label_weight(text: str, points_only: bool = False) -> float | None:
    """The weight a 一级/二级 label or a block title prints at its end, else None (`(分)` has none).
    points_only: only a weight written with 分 (`相关性(5分)`), for names that may end in `(2)`."""
    for pattern in _LABEL_WEIGHT:
        if points_only and pattern is _LABEL_WEIGHT[0] and not re.search(r"分\s*[)）]\s*$", text):
            continue
        found = pattern.search(text)
        if found:
            return float(found.group(1))
    return None
