"""三级指标 names → the canonical indicator taxonomy (data/indicator_taxonomy.csv). Precision first.

The taxonomy holds one row per indicator concept: canonical_name, its usual 二级 (level2) and the other
printed names of the same concept (synonyms, `|`-separated). A name maps by, in order:
1. exact key (canonical or synonym, after fold and light cleanup) → 100;
2. cut-off prefix (seed 001 cuts names at a fixed cell width): a key that starts with the name maps
   when exactly one canonical owns such keys (90-100); when several do, the name is ambiguous and
   maps to "", never to a guess. A prefix must be long (MIN_PREFIX chars), or MIN_SHORT_PREFIX
   chars and half the key;
3. fuzzy: 0.6 × IDF-weighted F1 of jieba tokens + 0.4 × rapidfuzz ratio of the characters, never
   across measures (a rate is not a count or a cost), minus LEVEL2_PENALTY when the row's 二级 differs
   from the concept's; below THRESHOLD, or within MARGIN of another canonical → "".
"""
from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

import jieba
from rapidfuzz import fuzz

from normalizers.categories import canonical_level2
from normalizers.text import clean_cell, fold, is_placeholder
from normalizers.values import UNITS

jieba.setLogLevel(logging.WARNING)

THRESHOLD = 70.0
MARGIN = 5.0
MIN_PREFIX = 7
MIN_PREFIX_COVERAGE = 0.5
MIN_SHORT_PREFIX = 4
LEVEL2_PENALTY = 5.0

_QUOTES = re.compile("[\"'“”‘’「」『』]")
_NUMBERING = re.compile(r"^(?:\(?\d{1,2}[).、]|\(?[一二三四五六七八九十]{1,2}[)、.])")
_UNIT_PAREN = re.compile(rf"\((?:{'|'.join(re.escape(fold(u)) for u in UNITS)})\)$")
_TRAILING = re.compile(r"[\s,，。.;；:：、=<>≥≤]+$")
_STOP = frozenset("的 对 和 及 与 或 等 、 , ， 。 ( ) + - / · : ;".split())


def match_key(name: str) -> str:
    """Key two printings of one name share: folded, quotes and list numbering dropped, a trailing
    unit in brackets (`(%)`, `（小时）`) and stray trailing punctuation or operators removed."""
    key = _QUOTES.sub("", fold(clean_cell(name)))
    key = _NUMBERING.sub("", key)
    key = _TRAILING.sub("", key)
    return _TRAILING.sub("", _UNIT_PAREN.sub("", key))


# What a name measures, read from its last characters; a rate never maps onto a count or a cost.
# Hand-listed: no library knows the head words of 绩效指标 names.
_MEASURES = (
    ("satisfaction", re.compile(r"(?:满意度|满意率|满意)$")),
    ("rate", re.compile(r"(?:率|比例|比率|占比)$")),
    ("time", re.compile(r"(?:时间|时长|周期|天数|时限|年限)$")),
    ("count", re.compile(r"(?:次数|人次|数量|个数|人数|起数|件数|场次|份数|篇数|数)$")),
    ("money", re.compile(r"(?:费|费用|成本|经费|资金|金额|质保金|尾款)$")),
)


def _measure(key: str, level2: str = "") -> str:
    for name, pattern in _MEASURES:
        if pattern.search(key):
            return name
    return "money" if level2 == "成本指标" else ""


@dataclass(frozen=True)
class _Entry:
    canonical: str
    level2: str
    key: str
    tokens: frozenset[str]
    measure: str


class NameMatcher:
    """Loads the packaged taxonomy once; `match` maps one printed name."""

    def __init__(self, taxonomy_csv: str | None = None) -> None:
        if taxonomy_csv is None:
            taxonomy_csv = resources.files("normalizers").joinpath("data/indicator_taxonomy.csv").read_text("utf-8")
        # jieba's 60,000 most frequent words: the same cuts on indicator names as its full 349k-word
        # dictionary (checked on the seeds), loaded in 0.1 s instead of 1 s.
        self._tokenizer = jieba.Tokenizer(str(resources.files("normalizers").joinpath("data/jieba_core_dict.txt")))
        entries: list[_Entry] = []
        for row in csv.DictReader(io.StringIO(taxonomy_csv)):
            names = [row["canonical_name"], *filter(None, (s.strip() for s in row["synonyms"].split("|")))]
            for key in dict.fromkeys(match_key(n) for n in names):
                entries.append(_Entry(row["canonical_name"], row["level2"], key, self._tokens(key),
                                      _measure(key, row["level2"])))
        self._entries = tuple(entries)
        self._exact: dict[str, str] = {}
        for entry in entries:
            owner = self._exact.setdefault(entry.key, entry.canonical)
            if owner != entry.canonical:
                raise ValueError(f"taxonomy: {entry.key!r} is a name of both {owner!r} and {entry.canonical!r}")
        df = Counter(token for entry in entries for token in entry.tokens)
        self._idf = {token: math.log(1 + len(entries) / (n + 0.5)) for token, n in df.items()}
        self._unseen_idf = math.log(1 + len(entries) / 0.5)

    @property
    def canonical_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.canonical for e in self._entries))

    def _tokens(self, key: str) -> frozenset[str]:
        return frozenset(t for t in self._tokenizer.lcut(key) if t.strip() and t not in _STOP)

    def _weight(self, tokens: frozenset[str]) -> float:
        return sum(self._idf.get(t, self._unseen_idf) for t in tokens)

    def _token_f1(self, query: frozenset[str], entry: frozenset[str]) -> float:
        """IDF-weighted F1 of two token sets (0-100): shared rare words count, shared 率/满意度 barely do.
        rapidfuzz's token ratios weigh every token alike, so this small weighting is written here."""
        shared = self._weight(query & entry)
        if not shared:
            return 0.0
        precision, recall = shared / self._weight(query), shared / self._weight(entry)
        return 200 * precision * recall / (precision + recall)

    def _fuzzy(self, key: str, level2: str) -> dict[str, float]:
        """Best fuzzy score per canonical name: 0.6 × token F1 + 0.4 × rapidfuzz character ratio."""
        tokens, measure = self._tokens(key), _measure(key)
        best: dict[str, float] = {}
        for entry in self._entries:
            if measure and entry.measure and measure != entry.measure:
                continue
            score = 0.6 * self._token_f1(tokens, entry.tokens) + 0.4 * fuzz.ratio(key, entry.key)
            if level2 and entry.level2 and entry.level2 != level2:
                score = max(score - LEVEL2_PENALTY, 0.0)
            if score > best.get(entry.canonical, -1.0):
                best[entry.canonical] = score
        return best

    def candidates(self, name_raw: str, level2: str = "", k: int = 3) -> list[tuple[str, float]]:
        """The k nearest canonical names with their fuzzy scores, best first (for review tools)."""
        key = match_key(name_raw)
        if not key:
            return []
        scored = self._fuzzy(key, canonical_level2(level2))
        return [(name, round(score, 1)) for name, score in sorted(scored.items(), key=lambda kv: -kv[1])[:k]]

    def match(self, name_raw: str, level2: str = "") -> tuple[str, float]:
        """(name_canonical or "", match_score 0-100); ambiguous or below threshold → ("", score)."""
        key = match_key(name_raw)
        if not key or is_placeholder(name_raw):
            return "", 0.0
        if key in self._exact:
            return self._exact[key], 100.0

        owners: dict[str, int] = {}
        for entry in self._entries:
            long_enough = len(key) >= MIN_PREFIX or (
                len(key) >= MIN_SHORT_PREFIX and len(key) >= MIN_PREFIX_COVERAGE * len(entry.key)
            )
            if long_enough and entry.key.startswith(key):
                owners[entry.canonical] = min(owners.get(entry.canonical, len(entry.key)), len(entry.key))
        if owners:
            score = round(90.0 + 10.0 * len(key) / min(owners.values()), 1)
            # An ambiguous cut-off scores as one chance in len(owners): well below THRESHOLD.
            return (next(iter(owners)), score) if len(owners) == 1 else ("", round(score / len(owners), 1))

        scored = sorted(self._fuzzy(key, canonical_level2(level2)).items(), key=lambda kv: -kv[1])
        if not scored:
            return "", 0.0
        name, best = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0.0
        if best < THRESHOLD:
            return "", round(best, 1)
        if best - runner_up < MARGIN:  # two concepts fit alike: report it as not confident
            return "", round(min(best, THRESHOLD - 0.1), 1)
        return name, round(best, 1)
