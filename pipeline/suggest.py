"""`jixiao taxonomy suggest`: a run's unmapped indicator names clustered into candidate concepts.

Each distinct name (its match key) is a point; two names join when their jieba words and their
characters agree (0.6 × word F1 + 0.4 × rapidfuzz ratio ≥ CLUSTER_THRESHOLD) and they measure the
same kind (a rate never joins a count). Clusters are grown greedily, most frequent name first, so the
name a cluster is known by is its most printed one. Rows come out in the taxonomy's own columns
(canonical_name, level2, synonyms, level1) followed by review columns, most rows first: a person
reviews a row, edits it, and appends its first four cells to their taxonomy CSV (extra cells are
ignored when the taxonomy is read). No network, no model: the same words and ratios as the matcher.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd

from normalizers.categories import canonical_level1
from normalizers.names import NameMatcher, match_key, measure_kind
from pipeline.unmapped import unmatched_rows

CLUSTER_THRESHOLD = 72.0
COLUMNS = ["canonical_name", "level2", "synonyms", "level1", "rows", "names", "nearest_concept", "nearest_score"]


def suggest(out_dir: Path, matcher: NameMatcher | None = None, min_rows: int = 1) -> pd.DataFrame:
    """Candidate concepts for the unmapped names of the run in out_dir (names the matcher now maps
    are left out, so a grown taxonomy shrinks the list); clusters of fewer than min_rows rows dropped."""
    matcher = matcher or NameMatcher()
    rows = unmatched_rows(out_dir)
    keyed: dict[str, dict] = {}
    for record in rows.to_dict("records"):
        name, level2 = record["name_raw"], record.get("level2", "")
        key = match_key(name)
        if not key or matcher.match(name, level2, f"{record.get('level1_raw', '')} {record.get('level2_raw', '')}")[0]:
            continue
        entry = keyed.setdefault(key, {"rows": 0, "level2": Counter(), "level1": Counter()})
        entry["rows"] += 1
        entry["level2"][level2] += 1
        entry["level1"][record.get("level1", "") or canonical_level1("", level2)] += 1
    order = sorted(keyed, key=lambda k: (-keyed[k]["rows"], k))
    clusters: list[list[str]] = []
    for key in order:
        for members in clusters:
            head = members[0]
            if measure_kind(key) == measure_kind(head) and matcher.similarity(key, head) >= CLUSTER_THRESHOLD:
                members.append(key)
                break
        else:
            clusters.append([key])
    records = []
    for members in clusters:
        count = sum(keyed[k]["rows"] for k in members)
        if count < min_rows:
            continue
        level2 = sum((keyed[k]["level2"] for k in members), Counter())
        level1 = sum((keyed[k]["level1"] for k in members), Counter())
        nearest = matcher.candidates(members[0], _most_common(level2), k=1)
        records.append({
            "canonical_name": members[0], "level2": _most_common(level2), "synonyms": "|".join(members[1:]),
            "level1": _most_common(level1), "rows": count, "names": len(members),
            "nearest_concept": nearest[0][0] if nearest else "", "nearest_score": nearest[0][1] if nearest else None,
        })
    table = pd.DataFrame(records, columns=COLUMNS)
    return table.sort_values(["rows", "canonical_name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _most_common(counts: Counter) -> str:
    named = [(n, value) for value, n in counts.items() if value]
    return max(named)[1] if named else ""


def write_suggestions(table: pd.DataFrame, path: Path) -> None:
    """The suggestions as a UTF-8 CSV (no BOM, so its lines append cleanly to a taxonomy CSV)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL)
