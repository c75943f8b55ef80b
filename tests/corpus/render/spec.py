"""A format-neutral table description that the DOCX and XLSX writers both render."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class C:
    """One printed cell. `value` may be a number when the XLSX writer should keep it numeric."""

    value: str | float | int | None = ""
    cs: int = 1
    rs: int = 1
    align: str = "center"  # left, center, right
    valign: str = "center"  # top, center, bottom
    bold: bool = False
    fmt: str = ""  # XLSX number format for numeric values
    size: float | None = None
    border: bool = True


@dataclass
class Row:
    cells: list[C]
    height: float | None = None  # points; None = automatic
    header: bool = False  # repeat at the top of each page (w:tblHeader); rows may always split


@dataclass
class Table:
    widths: list[float]  # column widths in cm
    rows: list[Row] = field(default_factory=list)
    size: float = 9.0

    def add(self, *cells: C, **kw) -> Row:
        row = Row(list(cells), **kw)
        self.rows.append(row)
        return row

    def placed(self) -> list[tuple[int, int, C]]:
        """(row, col, cell) for every cell, skipping slots covered by spans from earlier rows."""
        n_cols = len(self.widths)
        taken: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row.cells:
                while (r, c) in taken:
                    c += 1
                if c + cell.cs > n_cols:
                    raise ValueError(f"row {r} overflows {n_cols} columns")
                out.append((r, c, cell))
                for dr in range(cell.rs):
                    for dc in range(cell.cs):
                        taken.add((r + dr, c + dc))
                c += cell.cs
        return out


def runs(labels: list[str]) -> list[tuple[int, int]]:
    """(start, length) of each run of equal labels; empty labels are runs of one."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(labels):
        j = i + 1
        while labels[i] and j < len(labels) and labels[j] == labels[i]:
            j += 1
        out.append((i, j - i))
        i = j
    return out


def span_cells(labels: list[str], keys: list[str] | None = None, **kw) -> list[C | None]:
    """One merged cell per run of equal keys (default: the labels), None on the rows it covers."""
    out: list[C | None] = [None] * len(labels)
    for start, n in runs(keys if keys is not None else labels):
        out[start] = C(labels[start], rs=n, **kw)
    return out


def level_cells(rows: list[dict], valign: str = "center") -> list[list[C]]:
    """The merged 一级 and 二级 cells that open each indicator row (empty list where covered)."""
    one = span_cells([r["level1_raw"] for r in rows], valign=valign)
    keys = [f"{r['level1_raw']}\x00{r['level2_raw']}" if r["level2_raw"] else "" for r in rows]
    two = span_cells([r["level2_raw"] for r in rows], keys, valign=valign)
    return [[c for c in pair if c is not None] for pair in zip(one, two)]
