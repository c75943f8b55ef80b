"""The header and label vocabulary of 自评表 (vocabulary.toml), loaded once, and role matching on it.

`role_of(text, kind)` names the column role a header text stands for in a block kind's role table
(`indicators`, `funds`, `level_funds_columns`, `tasks`): exact on the folded, tag-stripped text,
else the closest synonym within an OCR slip.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from normalizers.text import fold
from normalizers.traditional import simplified

_DATA = tomllib.loads((Path(__file__).with_name("vocabulary.toml")).read_text(encoding="utf-8"))

FUZZY_MIN: int = _DATA["fuzzy_min"]
ROLES: dict[str, dict[str, list[str]]] = _DATA["roles"]
LEVEL_FUNDS_ROWS: dict[str, list[str]] = _DATA["level_funds_rows"]
LEVEL_FUNDS_MEASURES: dict[str, list[str]] = _DATA["level_funds_measures"]
FUND_SOURCES: list[tuple[str, list[str]]] = list(_DATA["fund_sources"].items())
FUNDS_ORDER: list[str] = _DATA["funds"]["order"]
FUNDS_GROUP_TITLES: set[str] = {fold(t) for t in _DATA["funds"]["group_titles"]}
FUNDS_GROUPS: list[str] = [fold(g) for g in _DATA["funds"]["groups"]]
FUNDS_BLOCK_WORD: str = fold(_DATA["funds"]["block_word"])
DEPARTMENT_TITLES: list[str] = _DATA["titles"]["department"]
TABLE_TITLES: list[str] = _DATA["titles"]["table"]
HEADER_FIELDS: dict[str, list[str]] = _DATA["header_fields"]
GOAL_LABELS: dict[str, set[str]] = {role: {fold(t) for t in names} for role, names in _DATA["goals"].items()}
TOTAL_LABELS: set[str] = {fold(t) for t in _DATA["labels"]["total"]}
GRADE_LABELS: set[str] = {fold(t) for t in _DATA["labels"]["grade"]}
END_LABELS: set[str] = {fold(t) for t in _DATA["labels"]["end"]}
GRADES: dict[str, str] = _DATA["grades"]
SCORING_LEVEL1 = re.compile("^(" + "|".join(map(re.escape, _DATA["labels"]["scoring_level1"])) + r")[:：]?$")
HEADER_KEYS = {fold(name): field for field, names in HEADER_FIELDS.items() for name in names}
PAIRED_KEYS = {fold(name): field for field, names in _DATA["header_fields_paired"].items() for name in names}
HEADER_LABEL_TAILS: list[str] = [fold(t) for t in _DATA["header_label_tails"]["tails"]]
_LABEL_NAMES = sorted({simplified(name) for names in HEADER_FIELDS.values() for name in names}, key=len, reverse=True)
_LINE_TAILS = "|".join(re.escape(t) for t in _DATA["header_label_tails"]["tails"])
_LINE_KEYS = {fold(simplified(name)): field for field, names in HEADER_FIELDS.items() for name in names}
# every `label:` of a line, at its start or after a space (`项目名称:…`, `评价单位:… 评价项目:… 评价人员:`)
_LINE_LABEL = re.compile(
    r"(?:^|(?<=\s))(" + "|".join(map(re.escape, _LABEL_NAMES)) + rf")\s*(?:{_LINE_TAILS}|（盖章）)?\s*[:：]"
)


def line_fields(text: str) -> list[tuple[str, str]]:
    """The (field, value) pairs of a text line that starts with a header label: `项目名称:X`, or several
    labels in one line (`评价单位:X 评价项目:Y 评价人员:`); 繁体 labels read as simplified, values as printed.
    A value runs to the next label; a line not starting with a label has none."""
    simple = simplified(text)  # one character for one, so offsets hold in the printed text
    found = list(_LINE_LABEL.finditer(simple))
    if not found or found[0].start() != 0:
        return []
    pairs = []
    for match, following in zip(found, found[1:] + [None]):
        value = text[match.end(): following.start() if following else len(text)].strip()
        if len(value) <= 60:
            pairs.append((_LINE_KEYS[fold(match.group(1))], value))
    return pairs


def header_field(label: str) -> str | None:
    """The Project field a header label cell names (folded text; a tail such as (盖章) or 及代码 dropped)."""
    key = label.rstrip(":：")
    if key in HEADER_KEYS:
        return HEADER_KEYS[key]
    for tail in HEADER_LABEL_TAILS:
        if key.endswith(tail) and key[: -len(tail)] in HEADER_KEYS:
            return HEADER_KEYS[key[: -len(tail)]]
    if len(key) <= 10 and key.endswith(("单位名称", "部门名称")):
        return "department_name"  # 一级预算单位名称, 二级单位名称 (or a label that lost its first character)
    return None

# Tags a header may carry anywhere (after fold): (a) (b) (b/a), (%) (万元) (元) (分), weights (20分) (20);
# and a closing note of what a column includes (`本级资金(包括结转结余)`).
_TAG = re.compile(r"\((?:[a-z]{1,3}(?:/[a-z]{1,3})?|%|万元|元|分|\d+(?:\.\d+)?分?)\)|\((?:包括|包含|含)[^()]*\)$")
_MAX_HEADER = 16  # a longer text is a data cell, never a header


def header_key(text: str) -> str:
    """The comparison key of a header text: folded, 繁体 made simplified, tags, a leading 其中: (`其中:中央补助`)
    and a trailing colon dropped."""
    return re.sub(r"^其中[:：]?(?=.)|[:：]$", "", _TAG.sub("", simplified(fold(text))))


_SYNONYMS: dict[str, dict[str, str]] = {
    kind: {header_key(name): role for role, names in table.items() for name in names} for kind, table in ROLES.items()
}


@lru_cache(maxsize=65536)
def role_of(text: str, kind: str, fuzzy: bool = True) -> str | None:
    """The role of `kind`'s table whose synonym this header text is (exact, else fuzzy for OCR slips)."""
    key = header_key(text)
    if not key or len(key) > _MAX_HEADER:
        return None
    choices = _SYNONYMS[kind]
    if key in choices:
        return choices[key]
    if not fuzzy:
        return None
    best = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
    return choices[best[0]] if best else None
