"""Review aid: the indicator names that found no canonical match, most frequent first."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from normalizers.names import NameMatcher
from normalizers.text import is_placeholder

N_CANDIDATES = 3


def unmatched_rows(out_dir: Path) -> pd.DataFrame:
    """The rows of OUT_DIR/indicators.csv whose name found no canonical match (placeholders left out)."""
    rows = pd.read_csv(Path(out_dir) / "indicators.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    flags = rows["flags"] if "flags" in rows else pd.Series("", index=rows.index)
    return rows[
        (rows["name_canonical"].str.strip() == "")
        & ~flags.str.contains("placeholder_row", regex=False)
        & ~rows["name_raw"].map(is_placeholder)
    ]


def unmapped_names(out_dir: Path, top: int = 30, matcher: NameMatcher | None = None) -> pd.DataFrame:
    """OUT_DIR/indicators.csv → name_raw, count and the 3 nearest taxonomy candidates with scores,
    for names whose name_canonical is empty (placeholder rows left out)."""
    columns = ["name_raw", "count"] + [f"{part}_{i}" for i in range(1, N_CANDIDATES + 1) for part in ("candidate", "score")]
    open_rows = unmatched_rows(out_dir)
    if open_rows.empty:
        return pd.DataFrame(columns=columns)
    level2 = open_rows["level2"] if "level2" in open_rows else pd.Series("", index=open_rows.index)
    grouped = (
        pd.DataFrame({"name_raw": open_rows["name_raw"], "level2": level2})
        .groupby("name_raw", sort=False)
        .agg(count=("level2", "size"), level2=("level2", lambda s: s.mode().iat[0]))
        .reset_index()
        .sort_values(["count", "name_raw"], ascending=[False, True])
        .head(top)
    )
    matcher = matcher or NameMatcher()
    records = []
    for name, count, level2_value in grouped[["name_raw", "count", "level2"]].itertuples(index=False):
        record: dict[str, object] = {"name_raw": name, "count": int(count)}
        found = matcher.candidates(name, level2_value, k=N_CANDIDATES)
        for i in range(N_CANDIDATES):
            candidate, score = found[i] if i < len(found) else ("", None)
            record[f"candidate_{i + 1}"], record[f"score_{i + 1}"] = candidate, score
        records.append(record)
    return pd.DataFrame(records, columns=columns)
