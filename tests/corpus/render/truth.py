"""Load a truth folder and format its numbers the way each seed prints them."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

TRUTH = Path(__file__).resolve().parent.parent / "truth"


@dataclass
class Project:
    row: dict
    funds: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.row["project_id"]

    @property
    def seq(self) -> int:
        return int(self.id.rsplit("-", 1)[1])

    def __getitem__(self, key: str) -> str:
        return self.row[key]

    def role(self, role: str) -> list[dict]:
        return [r for r in self.indicators if r["table_role"] == role]


def _read(folder: Path, name: str) -> list[dict]:
    rows: list[dict] = []
    for path in [folder / f"{name}.csv", *sorted(folder.glob(f"partB_*{name}.csv"))]:
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as f:
                rows.extend(csv.DictReader(f))
    return rows


def load(doc: str) -> list[Project]:
    """Projects of one truth doc in table order, with their funds and indicator rows (partB_* merged)."""
    folder = TRUTH / doc
    projects: dict[str, Project] = {}
    for row in _read(folder, "projects"):
        projects.setdefault(row["project_id"], Project(row))
    for name, attr in (("funds", "funds"), ("indicators", "indicators")):
        seen: set[tuple[str, str]] = set()
        for row in _read(folder, name):
            key = (row["project_id"], row["seq"])
            if key in seen or row["project_id"] not in projects:
                continue
            seen.add(key)
            getattr(projects[row["project_id"]], attr).append(row)
    out = sorted(projects.values(), key=lambda p: p.seq)
    for p in out:
        p.funds.sort(key=lambda r: int(r["seq"]))
        p.indicators.sort(key=lambda r: int(r["seq"]))
    return out


def num(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def plain(text: str) -> str:
    """`6470.8`, `10`, `2.5`: the number as a plain decimal without trailing zeros."""
    v = num(text)
    if v is None:
        return ""
    return f"{v:.4f}".rstrip("0").rstrip(".")


def fixed(text: str, digits: int = 2, thousands: bool = False) -> str:
    v = num(text)
    if v is None:
        return ""
    return f"{v:,.{digits}f}" if thousands else f"{v:.{digits}f}"


def percent(text: str, digits: int = 2, sign: bool = True) -> str:
    """A fraction printed as percent: 1 → `100.00%`; digits=0 gives `51%`."""
    v = num(text)
    if v is None:
        return ""
    s = f"{v * 100:.{digits}f}"
    return s + ("%" if sign else "")
