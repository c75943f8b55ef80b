"""三级指标 names → the canonical indicator taxonomy (data/indicator_taxonomy.csv). Precision first.

The taxonomy holds one row per indicator concept: canonical_name, its usual 二级 (level2), the other
printed names of the same concept (synonyms, `|`-separated) and its usual 一级 (level1, optional). A
synonym `合理性@目标` is contextual: the bare name 合理性 maps to that concept only when the row's 一级/二级
labels contain 目标 (评分表 rows name a standard and leave the subject to their labels). A name maps by,
in order:
1. exact key (canonical or synonym, after fold and cleanup of weights `(5分)`, ★ marks, template
   blanks `(≥**人)`, `指标1` prefixes) → 100; the key without its bracketed asides next (98);
2. contextual synonym (95);
3. cut-off prefix (seed 001 cuts names at a fixed cell width): a key that starts with the name maps
   when exactly one canonical owns such keys (90-100); when several do, the name is ambiguous and
   maps to "", never to a guess. A prefix must be long (MIN_PREFIX chars), or MIN_SHORT_PREFIX
   chars and half the key;
4. specialisation: every word of a concept's name (of 3+ chars) is in the name and the name ends the
   same way (`配套资金到位率` ⊇ 资金到位率, `家长满意度` ⊇ 满意度); a concept name of one or two words
   must end the name whole, a bare standard (`明确性`) never specialises; the most specific such
   concept wins, two alike give "", and a negation (不, 未, 无 …) among the other words blocks it (80-99).
   A bare standard of three characters (`合理性`) maps by steps 1-2 only;
5. fuzzy: 0.6 × IDF-weighted F1 of jieba tokens + 0.4 × rapidfuzz ratio of the characters, never
   across measures (a rate is not a count or a cost), minus LEVEL2_PENALTY when the row's 二级 differs
   from the concept's; below THRESHOLD, or within MARGIN of another canonical → "".
`match_detail` also gives the subject: the group or object the name puts before the concept's own
words (学生 of 学生满意度, 配套 of 配套资金到位率; `X对Y满意度` → X), with common aliases unified.
"""
from __future__ import annotations

import csv
import io
import logging
import math
import re
import unicodedata
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
_MARKS = re.compile(r"^[★☆●▲◆■□√✔]+")
_TEMPLATE_PREFIX = re.compile(r"^(?:指标\d{1,2}:?(?=\S)|其中:)")
_WEIGHT = re.compile(r"\((?:\d+(?:\.\d+)?分|可选项?)\)")
_BLANK = re.compile(r"\(?[<>=≤≥]{0,2}\*{2,}[^()]*\)?")
_NOTE = re.compile(r"——.*$")
_EMBEDDED_TARGET = re.compile(r"(?<=[率度性])\d+(?:\.\d+)?%$")
_ASIDE = re.compile(r"\([^()]*\)")
MIN_SPECIAL_KEY = 3
_BARE_STANDARD = re.compile(r"^[\u4e00-\u9fff]{2}性$")
_NEGATIONS = frozenset("不 未 非 无 没有 不再 零".split())
# Printed names of one group → the one a subject keeps.
_GROUP_ALIASES = {alias: group for group, aliases in {
    "群众": ("社会公众", "公众", "人民群众", "人民", "广大群众", "群众群众"),
    "服务对象": ("受益对象", "受益人群", "服务受益人员", "社会公众或服务对象"),
}.items() for alias in aliases}
_TIME_WORDS = re.compile(r"^(?:\d{4}年度?|年度|全年|当年|本年度?|全市|全区|全县|全省|全国|全镇|全乡|辖区)")
_TOWARDS = re.compile(r"^(.+?)对(?!象|口|接|策|照|比|标|称|外)")  # 群众对交通秩序 → 群众; 服务对象 stays


def strip_annotations(key: str) -> str:
    """A folded name without what forms print around it: ★ marks, `指标1:` / `其中:` prefixes, weights
    `(5分)` / `(可选项)`, template blanks `(≥**人)`, a `——` note and a target glued to a rate (`…率100%`)."""
    key = _MARKS.sub("", key)
    key = _TEMPLATE_PREFIX.sub("", key)
    key = _WEIGHT.sub("", key)
    key = _BLANK.sub("", key)
    key = _NOTE.sub("", key)
    return _EMBEDDED_TARGET.sub("", key).strip()


def match_key(name: str) -> str:
    """Key two printings of one name share: folded, quotes, list numbering and form annotations
    (strip_annotations) dropped, a trailing unit in brackets (`(%)`, `（小时）`) and stray trailing punctuation or operators removed."""
    key = _QUOTES.sub("", fold(clean_cell(name)))
    key = _NUMBERING.sub("", key)
    key = strip_annotations(key)
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
    ("standard", re.compile(r"性$")),  # 合规性, 及时性: a standard judged, not a rate
)


def measure_kind(key: str, level2: str = "") -> str:
    """The kind a name's last words give (satisfaction, rate, time, count, money, standard) or ""."""
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
    head: str  # the key's last word (a one-character 率/性/度 joined to the word before)


@dataclass(frozen=True)
class Match:
    """One name's mapping: canonical ("" when none), score 0-100 and the group/object it is about."""

    canonical: str
    score: float
    subject: str = ""


class NameMatcher:
    """Loads the taxonomy once (the packaged CSV, or a team's own CSV text); `match` maps one name."""

    def __init__(self, taxonomy_csv: str | None = None) -> None:
        if taxonomy_csv is None:
            taxonomy_csv = resources.files("normalizers").joinpath("data/indicator_taxonomy.csv").read_text("utf-8")
        # jieba's 60,000 most frequent words: the same cuts on indicator names as its full 349k-word
        # dictionary (checked on the seeds), loaded in 0.1 s instead of 1 s.
        self._tokenizer = jieba.Tokenizer(str(resources.files("normalizers").joinpath("data/jieba_core_dict.txt")))
        entries: list[_Entry] = []
        self._contextual: dict[str, list[tuple[str, str]]] = {}
        self.level1: dict[str, str] = {}
        reader = csv.DictReader(io.StringIO(taxonomy_csv.lstrip("\ufeff")))
        missing = {"canonical_name", "level2", "synonyms"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"taxonomy: no {', '.join(sorted(missing))} column (columns: canonical_name, level2, synonyms, level1)")
        for row in reader:
            canonical = (row.get("canonical_name") or "").strip()
            if not canonical:
                continue
            self.level1[canonical] = (row.get("level1") or "").strip()
            synonyms = [s.strip() for s in (row.get("synonyms") or "").split("|") if s.strip()]
            for synonym in synonyms:
                if "@" in synonym:
                    bare, word = synonym.split("@", 1)
                    self._contextual.setdefault(match_key(bare), []).append((fold(word), canonical))
            names = [canonical, *(s for s in synonyms if "@" not in s)]
            for key in dict.fromkeys(match_key(n) for n in names):
                cut = self._tokenizer.lcut(key)
                entries.append(_Entry(canonical, (row.get("level2") or "").strip(), key, self._tokens(key),
                                      measure_kind(key, (row.get("level2") or "").strip()), _head(cut)))
        self._entries = tuple(entries)
        self._by_head: dict[str, list[_Entry]] = {}
        for entry in entries:
            self._by_head.setdefault(entry.head, []).append(entry)
        self._exact: dict[str, str] = {}
        self._keys: dict[str, list[str]] = {}
        for entry in entries:
            owner = self._exact.setdefault(entry.key, entry.canonical)
            if owner != entry.canonical:
                raise ValueError(f"taxonomy: {entry.key!r} is a name of both {owner!r} and {entry.canonical!r}")
            self._keys.setdefault(entry.canonical, []).append(entry.key)
        df = Counter(token for entry in entries for token in entry.tokens)
        self._idf = {token: math.log(1 + len(entries) / (n + 0.5)) for token, n in df.items()}
        self._unseen_idf = math.log(1 + len(entries) / 0.5)

    @property
    def canonical_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.canonical for e in self._entries))

    def _tokens(self, key: str) -> frozenset[str]:
        return frozenset(t for t in self._tokenizer.lcut(key) if t.strip() and t not in _STOP)

    def similarity(self, key_a: str, key_b: str) -> float:
        """0-100 likeness of two match keys, as the fuzzy step scores it (word F1 and character ratio)."""
        return 0.6 * self._token_f1(self._tokens(key_a), self._tokens(key_b)) + 0.4 * fuzz.ratio(key_a, key_b)

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
        tokens, measure = self._tokens(key), measure_kind(key)
        head = _head_words(self._tokenizer.lcut(key))
        best: dict[str, float] = {}
        for entry in self._entries:
            if measure and entry.measure and measure != entry.measure:
                continue
            if not (tokens & entry.tokens) - head:  # sharing only the kind (率, 明确性) is no evidence
                continue
            if (tokens - entry.tokens) & _NEGATIONS:  # 不合格率 is not 合格率
                continue
            score = 0.6 * self._token_f1(tokens, entry.tokens) + 0.4 * fuzz.ratio(key, entry.key)
            if level2 and entry.level2 and entry.level2 != level2:
                score = max(score - LEVEL2_PENALTY, 0.0)
            if score > best.get(entry.canonical, -1.0):
                best[entry.canonical] = score
        return best

    def _specialised(self, key: str) -> tuple[_Entry, float] | None:
        """The most specific concept all of whose words the name has and whose last word it ends with."""
        tokens = self._tokens(key)
        ending = (e for i in range(len(key)) for e in self._by_head.get(key[i:], ()))
        found = [e for e in ending
                 if len(e.key) >= MIN_SPECIAL_KEY and e.key != key and e.tokens <= tokens
                 and (len(e.tokens) >= 3 or key.endswith(e.key)) and not _BARE_STANDARD.match(e.key)]
        if not found:
            return None
        found.sort(key=lambda e: -self._weight(e.tokens))
        best = found[0]
        if any(e.canonical != best.canonical and self._weight(e.tokens) == self._weight(best.tokens) for e in found[1:]):
            return None
        if (tokens - best.tokens) & _NEGATIONS:
            return None
        return best, min(99.0, round(80.0 + 20.0 * self._weight(best.tokens) / self._weight(tokens), 1))

    def _subject(self, key: str, canonical: str, entry: _Entry | None = None) -> str:
        """What the name puts before the concept's own words; `X对Y` keeps X; time words and aliases
        settle. After a specialisation the concept key (else its head) is cut off the name; after an
        exact match the shortest of the concept's one- or two-word keys that ends the name as the
        concept's name ends (满意度 of 学生满意度); an exact standard (…性) has none: its words are it."""
        if entry is not None:
            cut = entry.key if key.endswith(entry.key) else entry.head
        elif canonical.endswith("性"):
            cut = ""
        else:
            kind = _head(self._tokenizer.lcut(canonical))
            heads = [k for k in self._keys.get(canonical, ()) if key.endswith(k) and k != key and k.endswith(kind)
                     and len(self._tokens(k)) <= 2]
            cut = min(heads, key=len) if heads else ""
        rest = key[: -len(cut)] if cut and key.endswith(cut) else ""
        towards = _TOWARDS.match(rest)
        subject = _TIME_WORDS.sub("", towards.group(1) if towards else rest).strip("的之与和及、,:")
        return _GROUP_ALIASES.get(subject, subject)

    def candidates(self, name_raw: str, level2: str = "", k: int = 3) -> list[tuple[str, float]]:
        """The k nearest canonical names with their fuzzy scores, best first (for review tools)."""
        key = match_key(name_raw)
        if not key:
            return []
        scored = self._fuzzy(key, canonical_level2(level2))
        return [(name, round(score, 1)) for name, score in sorted(scored.items(), key=lambda kv: -kv[1])[:k]]

    def match(self, name_raw: str, level2: str = "", context: str = "") -> tuple[str, float]:
        """(name_canonical or "", match_score 0-100); ambiguous or below threshold → ("", score)."""
        found = self.match_detail(name_raw, level2, context)
        return found.canonical, found.score

    def match_detail(self, name_raw: str, level2: str = "", context: str = "") -> Match:
        """The mapping of one name; context is the row's printed 一级/二级 labels (for bare 评分表 standards)."""
        found = self._match(name_raw, level2, context)
        if re.search("[a-z]", found.subject):  # keys are case-folded: give the subject its printed case (WIFI)
            printed = re.search(re.escape(found.subject), unicodedata.normalize("NFKC", name_raw), re.IGNORECASE)
            if printed:
                return Match(found.canonical, found.score, printed.group(0))
        return found

    def _match(self, name_raw: str, level2: str, context: str) -> Match:
        key = match_key(name_raw)
        if not key or is_placeholder(name_raw):
            return Match("", 0.0)
        core = _TRAILING.sub("", _ASIDE.sub("", key)) or key
        for candidate, score in ((key, 100.0), (core, 98.0)):
            if candidate in self._exact:
                canonical = self._exact[candidate]
                return Match(canonical, score, self._subject(candidate, canonical))
        folded_context = fold(context)
        for word, canonical in self._contextual.get(core, ()):
            if word and word in folded_context:
                return Match(canonical, 95.0)

        if _BARE_STANDARD.match(core):  # 合理性 alone: which concept's, only its labels can tell
            return Match("", 0.0)
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
            return Match(next(iter(owners)), score) if len(owners) == 1 else Match("", round(score / len(owners), 1))

        special = self._specialised(core)
        if special:
            entry, score = special
            return Match(entry.canonical, score, self._subject(core, entry.canonical, entry))

        scored = sorted(self._fuzzy(core, canonical_level2(level2)).items(), key=lambda kv: -kv[1])
        if not scored:
            return Match("", 0.0)
        name, best = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0.0
        if best < THRESHOLD:
            return Match("", round(best, 1))
        if best - runner_up < MARGIN:  # two concepts fit alike: report it as not confident
            return Match("", round(min(best, THRESHOLD - 0.1), 1))
        return Match(name, round(best, 1))


def _head_words(words: list[str]) -> frozenset[str]:
    """The words of a cut name's head: the last word, a one-character last word (率, 性, 度 …) with the
    word before."""
    words = [w for w in words if w.strip() and w not in _STOP]
    return frozenset(words[-2:] if len(words) > 1 and len(words[-1]) == 1 else words[-1:])


def _head(words: list[str]) -> str:
    """The head of a cut name as text (`到位率` of 资金/到位/率)."""
    words = [w for w in words if w.strip() and w not in _STOP]
    if not words:
        return ""
    return words[-2] + words[-1] if len(words) > 1 and len(words[-1]) == 1 else words[-1]
