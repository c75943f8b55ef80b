"""Score extracted rows against the hand-written truth: order-preserving alignment, exact fields.

Rows are aligned, not looked up: names repeat and are cut off (four rows read `汽车类驾驶证许可`),
so a row's identity is its position. `align` is a global sequence alignment (dynamic programming)
that maximises the summed similarity of matched pairs while keeping both sequences in order.
Every count is a plain integer so that files add up into groups; `rates` turns counts into shares.
A truth cell written `?` (uncertain: the source was unreadable there) counts neither right nor wrong:
it is left out of that field's share, and a row whose key is unreadable (`?` wherever it is not empty) may align with any row in order.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from normalizers.text import is_placeholder

RAW_FIELDS = ["name_raw", "target_raw", "actual_raw", "level1_raw", "level2_raw",
              "deviation_note", "weight", "score"]
NORM_FIELDS = ["operator", "target_value", "actual_value", "unit", "level1", "level2"]
PROJECT_FIELDS = ["project_name", "competent_dept", "implementing_unit", "fiscal_year",
                  "budget_initial", "budget_full_year", "executed", "total_score", "grade"]
NUMERIC = {"weight", "score", "target_value", "actual_value", "fiscal_year", "budget_initial",
           "budget_full_year", "executed", "total_score"}
MIN_SIM = 0.6  # below this a pair is never matched (a garbled row counts as missing + extra)
TOLERANCE = 1e-9
UNSURE = "?"  # a truth cell the transcriber could not read with confidence


def read_csv(path: Path) -> pd.DataFrame:
    """Every cell as text, empty cells as '' (a BOM, if any, is dropped)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def text(value) -> str:
    """A cell as stripped text; None/NaN/NA become ''."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def number(value) -> float | None:
    """The cell as a float, or None when it is not a plain number."""
    try:
        result = float(text(value).replace(",", ""))
    except ValueError:
        return None
    return None if math.isnan(result) else result


def equal(truth, extracted, numeric: bool) -> bool:
    """Exact equality of two cells; numbers numerically (20 == 20.0), empty == empty."""
    a, b = text(truth), text(extracted)
    if not a or not b:
        return a == b
    if numeric:
        x, y = number(a), number(b)
        if x is not None and y is not None:
            return abs(x - y) <= TOLERANCE
    return a == b


def align(truth_keys: list[str], extracted_keys: list[str], min_sim: float = MIN_SIM,
          wildcards: list[bool] | None = None,
          placeholders: tuple[list[bool], list[bool]] | None = None) -> list[tuple[int, int]]:
    """Order-preserving matching (i, j) of truth to extracted keys with the largest total similarity.

    A wildcard truth row (its key unreadable) matches any extracted row at the lowest similarity; a
    placeholder truth row (`.....`, `指标2:`) matches, at that similarity too, an extracted row whose
    key is only placeholders or empty (OCR reads a row of dots as nothing): the same row, its name wrong."""
    n, m = len(truth_keys), len(extracted_keys)
    if not n or not m:
        return []
    sim = cdist(truth_keys, extracted_keys, scorer=fuzz.ratio, dtype=np.float64) / 100.0
    if wildcards:
        sim[np.asarray(wildcards, dtype=bool)] = min_sim
    if placeholders:
        both = np.outer(np.asarray(placeholders[0], dtype=bool), np.asarray(placeholders[1], dtype=bool))
        sim[both] = np.maximum(sim[both], min_sim)
    gain = np.where(sim >= min_sim, sim, -np.inf).tolist()
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, prev, g = best[i], best[i - 1], gain[i - 1]
        for j in range(1, m + 1):
            row[j] = max(prev[j], row[j - 1], prev[j - 1] + g[j - 1])
    pairs = []
    i, j = n, m
    while i and j:
        if best[i][j] == best[i - 1][j - 1] + gain[i - 1][j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


INDICATOR_KEY = ("name_raw", "target_raw", "actual_raw")
PROJECT_KEY = ("project_name",)


def unsure(value) -> bool:
    return text(value) == UNSURE


def key_of(row, fields: tuple[str, ...]) -> str:
    """What two rows are compared on (uncertain cells as empty)."""
    return "|".join("" if unsure(row.get(f)) else text(row.get(f, "")) for f in fields)


def indicator_key(row) -> str:
    """What two indicator rows are compared on: name, target and actual as printed."""
    return key_of(row, INDICATOR_KEY)


def score_rows(truth: pd.DataFrame, extracted: pd.DataFrame, fields: list[str], key_fields: tuple[str, ...]) -> dict:
    """Align two ordered frames; count truth rows, matched, extra, per-field exact hits and the
    per-field number of uncertain truth cells (`unsure`), which are never scored."""
    t_rows = truth.to_dict("records")
    e_rows = extracted.to_dict("records")
    wild = [any(unsure(r.get(f)) for f in key_fields) and all(unsure(r.get(f)) or not text(r.get(f)) for f in key_fields)
            for r in t_rows]  # the key is unreadable: `?` where it is not empty (a 评分表 prints no target)
    blank = ([all(is_placeholder(text(r.get(f))) for f in key_fields) for r in t_rows],
             [all(is_placeholder(text(r.get(f))) for f in key_fields) for r in e_rows])
    pairs = align([key_of(r, key_fields) for r in t_rows], [key_of(r, key_fields) for r in e_rows],
                  wildcards=wild, placeholders=blank)
    hits = {f: 0 for f in fields}
    for i, j in pairs:
        for f in fields:
            if not unsure(t_rows[i].get(f)):
                hits[f] += equal(t_rows[i].get(f), e_rows[j].get(f), f in NUMERIC)
    doubts = {f: sum(unsure(r.get(f)) for r in t_rows) for f in fields}
    return {"truth": len(t_rows), "matched": len(pairs), "extra": len(e_rows) - len(pairs), "fields": hits,
            "unsure": doubts}


def score_indicators(truth: pd.DataFrame, extracted: pd.DataFrame, fields: list[str]) -> dict:
    """Indicator rows of one file, both frames already in printed order."""
    return score_rows(truth, extracted, fields, INDICATOR_KEY)


def score_projects(truth: pd.DataFrame, extracted: pd.DataFrame, fields: list[str] = PROJECT_FIELDS) -> dict:
    """Project rows of one file, aligned in order on project_name."""
    return score_rows(truth, extracted, fields, PROJECT_KEY)


def add(total: dict | None, counts: dict) -> dict:
    """Sum two count dicts of the same shape (None is the empty sum)."""
    if total is None:
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in counts.items()}
    out = {}
    for k, v in counts.items():
        out[k] = {f: total.get(k, {}).get(f, 0) + n for f, n in v.items()} if isinstance(v, dict) \
            else total.get(k, 0) + v
    return out


def rates(counts: dict | None) -> dict:
    """Shares of truth rows: found, extra, and each field over its certain truth cells (a field
    whose every truth cell is uncertain has no share)."""
    if not counts or not counts["truth"]:
        return {}
    n = counts["truth"]
    out = {"found": counts["matched"] / n, "extra": counts["extra"] / n}
    doubts = counts.get("unsure", {})
    for f, hit in counts["fields"].items():
        scored = n - doubts.get(f, 0)
        out[f] = hit / scored if scored else None
    return out


def project_number(project_id: str) -> int:
    """The 1-based table number at the end of a project_id (`<doc>-<n>`)."""
    tail = text(project_id).rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def in_order(frame: pd.DataFrame, with_seq: bool = True) -> pd.DataFrame:
    """Rows sorted by project number, then seq (numerically), keeping file order on ties."""
    if frame.empty:
        return frame
    keys = pd.DataFrame({"p": frame["project_id"].map(project_number)}, index=frame.index)
    if with_seq:
        keys["s"] = frame["seq"].map(lambda v: number(v) if number(v) is not None else math.inf)
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def truth_rows(truth_dir: Path, doc: str, project_ids: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Truth projects and indicators of one doc, restricted to project_ids (`all` or `a;b`)."""
    projects = in_order(read_csv(truth_dir / doc / "projects.csv"), with_seq=False)
    indicators = in_order(read_csv(truth_dir / doc / "indicators.csv"))
    wanted = text(project_ids)
    if wanted and wanted != "all":
        keep = [p.strip() for p in wanted.split(";") if p.strip()]
        projects = projects[projects["project_id"].isin(keep)].reset_index(drop=True)
        indicators = indicators[indicators["project_id"].isin(keep)].reset_index(drop=True)
    return projects, indicators
