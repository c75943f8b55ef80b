"""The two peers: pdfplumber `extract_tables()` and camelot lattice, through one simple header glue.

The glue is deliberately the simplest one that works on a clean table and is the same for both
tools: find the header row holding a 三级指标-like cell, map columns by header keywords (roles it
lacks come from the row above, for two-row headers), carry empty 一级/二级 cells down, and turn
each following row with a name into one indicator row. A table without such a header row
continues the previous table when it has the same column count.

Run as `python -m bench.peers TOOL OUT_JSON TIMEOUT_S FILE...` so that the bench can time it and
watch its memory from outside; it writes one record per file: path, seconds, rows, error.
"""
from __future__ import annotations

import json
import re
import signal
import sys
import time
import warnings
from pathlib import Path

NAME_HEADER = re.compile(r"三级指标|目标指标|绩效指标\(三级\)")
# Checked in this order, first keyword hit wins (实际完成指标值 is an actual, not a target).
ROLES = [
    ("deviation_note", ("偏差",)),
    ("actual_raw", ("实际完成", "业绩值", "完成值")),
    ("target_raw", ("指标值", "目标值")),
    ("score", ("得分",)),
    ("weight", ("分值", "权重")),
    ("level1_raw", ("一级指标",)),
    ("level2_raw", ("二级指标",)),
    ("name_raw", ("三级指标", "目标指标", "绩效指标(三级)")),
]
FIELDS = [role for role, _ in ROLES]
HEADER_LEN = 12  # longer cells are text, not headers


def cell_text(value) -> str:
    """A cell's text with line breaks joined without a space."""
    return "" if value is None else str(value).replace("\r", "").replace("\n", "").strip()


def header_key(value) -> str:
    """Header text for keyword matching: no spaces, half-width parentheses."""
    return re.sub(r"\s+", "", cell_text(value)).replace("（", "(").replace("）", ")")


def roles(keys: list[str]) -> dict[str, int]:
    """First column whose header text holds each role's keyword."""
    columns: dict[str, int] = {}
    for col, key in enumerate(keys):
        for role, words in ROLES:
            if any(w in key for w in words):
                columns.setdefault(role, col)
                break
    return columns


def header_map(row: list, above: list | None = None) -> dict[str, int] | None:
    """Column of each role if this row is an indicator header row, else None.

    A two-row header (绩效指标 | 年度指标值 | 实际完成值 | 分值 … over 一级 | 二级 | 三级 | 指标值 …)
    gives the roles missing from the 三级指标 row from the short cells of the row above.
    """
    keys = [header_key(c) for c in row]
    if not any(NAME_HEADER.search(k) for k in keys):
        return None
    columns = roles(keys)
    if above:
        upper = roles([k if len(k) <= HEADER_LEN else "" for k in map(header_key, above)])
        taken = set(columns.values())
        for role, col in upper.items():
            if role not in columns and col not in taken:
                columns[role] = col
    return columns


def glue(tables: list[tuple[int, list[list]]]) -> list[dict]:
    """(page, rows) tables in reading order → indicator rows with the raw fields."""
    out: list[dict] = []
    columns: dict[str, int] | None = None
    width = 0
    carry = {"level1_raw": "", "level2_raw": ""}
    for page, rows in tables:
        n_cols = max((len(r) for r in rows), default=0)
        if n_cols != width:
            columns = None
        for k, row in enumerate(rows):
            found = header_map(row, rows[k - 1] if k else None)
            if found is not None:
                columns, width = found, n_cols
                carry = {"level1_raw": "", "level2_raw": ""}
                continue
            if columns is None:
                continue
            cells = {role: cell_text(row[col]) if col < len(row) else "" for role, col in columns.items()}
            for level in carry:
                if cells.get(level):
                    carry[level] = cells[level]
            if not cells.get("name_raw"):
                continue
            record = {f: cells.get(f, "") for f in FIELDS}
            record.update(carry)
            record["page"] = page
            out.append(record)
    return out


def tables_pdfplumber(path: Path) -> list[tuple[int, list[list]]]:
    """Every table pdfplumber's default settings find, page by page."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [(page.page_number, table) for page in pdf.pages for table in page.extract_tables()]


def tables_camelot(path: Path) -> list[tuple[int, list[list]]]:
    """Every table camelot's lattice flavor finds (pdfium renders the pages, no ghostscript)."""
    import camelot

    tables = camelot.read_pdf(str(path), pages="all", flavor="lattice", suppress_stdout=True)
    return [(int(t.page), t.df.values.tolist()) for t in tables]


TOOLS = {"pdfplumber": tables_pdfplumber, "camelot": tables_camelot}


def _timeout(signum, frame):
    raise TimeoutError("per-file timeout")


def main(argv: list[str]) -> int:
    tool, out_path, limit, files = argv[0], Path(argv[1]), int(argv[2]), argv[3:]
    extract = TOOLS[tool]
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _timeout)
    records = []
    for name in files:
        start = time.perf_counter()
        rows, error = [], ""
        signal.alarm(limit)
        try:
            rows = glue(extract(Path(name)))
        except Exception as exc:  # a peer failing on a file is a result, not a crash
            error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            signal.alarm(0)
        records.append({"path": name, "seconds": time.perf_counter() - start, "rows": rows, "error": error})
    out_path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
