"""Cell-text cleanup and comparison keys (pure functions, no I/O)."""
from __future__ import annotations

import re
import unicodedata

# Wide characters: CJK ideographs, CJK symbols/punctuation (、。「」…), full-width forms (（）：，),
# and the curly quotes / em dash / ellipsis that Chinese typesetting uses.
_WIDE = (
    "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
    "\U00020000-\U0003134f"
)
_WIDE_CHAR = re.compile(f"[{_WIDE}]")
_SPACE = r"[^\S\n]"  # whitespace except line breaks (tabs, U+3000, NBSP included)
_LINE_BREAK = re.compile(rf"{_SPACE}*(?:\r\n|[\r\n\u2028\u2029\v\f])+{_SPACE}*")
_INNER_SPACE = re.compile(rf"{_SPACE}+")
_WIDE_GAP = re.compile(rf"(?<=[{_WIDE}]){_SPACE}+(?=[{_WIDE}])")
# A space (or a line break) between CJK and a bracket is layout, not text: `产出 指标 (40分)`.
_BRACKET_GAP = re.compile(rf"(?<=[{_WIDE}]){_SPACE}+(?=[(\[])|(?<=[)\]]){_SPACE}+(?=[{_WIDE}])")
_ANY_SPACE = re.compile(r"\s+")

_OPEN = "([{【〔〖「『［｛〈"
_CLOSE = ")]}】〕〗」』］｝〉"
_FOLD_TABLE = str.maketrans({**{c: "(" for c in _OPEN}, **{c: ")" for c in _CLOSE}, "﹕": ":", "︰": ":"})

_PLACEHOLDER = re.compile(r"(?:指标\s*\d*\s*:?|0+(?:\.0+)?|无)")
_ONLY_PUNCT = re.compile(r"[\s\-—–―－_.…。·、,，:：;；/\\|*~～]*")


def _is_wide(ch: str) -> bool:
    return bool(_WIDE_CHAR.fullmatch(ch))


def clean_cell(text: str) -> str:
    """Cell text as the dataset keeps it: lines joined (no space when either side of a break is CJK;
    one space between Latin/digit tokens), whitespace between two CJK chars, or between CJK and a
    bracket, removed, runs of spaces
    collapsed, stripped. Published characters otherwise kept (no NFKC: full-width stays)."""
    if not text:
        return ""
    text = text.strip()

    def join(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        return "" if _is_wide(before) or _is_wide(after) else " "

    text = _LINE_BREAK.sub(join, text)
    text = _WIDE_GAP.sub("", text)
    text = _BRACKET_GAP.sub("", text)
    return _INNER_SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Comparison key: NFKC, full/half-width folded, all whitespace removed, bracket/colon variants unified."""
    key = text or ""
    # NFKC turns ´ into space + combining mark; once the space goes the mark composes anew, so
    # repeat to a fixed point (twice in practice) to keep fold idempotent.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", key).casefold())
        folded = _ANY_SPACE.sub("", folded.translate(_FOLD_TABLE))
        if folded == key:
            break
        key = folded
    return key


def is_placeholder(name: str) -> bool:
    """`指标1:`, `指标1：`, `—`, `-`, `.....`, `0`, `无`, empty → True."""
    key = fold(name)
    return bool(_ONLY_PUNCT.fullmatch(key) or _PLACEHOLDER.fullmatch(key))
