"""`python -m bench.names`: indicator-name mapping and `measure` scored against hand-labelled names.

Three sets in tests/data, each kept apart from the taxonomy: the seed reports' names
(indicator_names_labelled.csv), every 三级 name of the real reports of other departments
(real_names_labelled.csv) and a held-out list of names never seen while the taxonomy was built
(unseen_names_labelled.csv). Precision = right / mapped; recall = right / names that have a
concept; measure = right / all names. Rows of one report carry their 一级/二级 labels down as the
segmenter does for merged cells. Writes bench/names.json; exits 0 whatever the scores.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from normalizers.categories import canonical_level2
from normalizers.measure import measure_of
from normalizers.names import NameMatcher

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SETS = {
    "seed names (existing set)": DATA / "indicator_names_labelled.csv",
    "real names, other departments": DATA / "real_names_labelled.csv",
    "names never seen (held out)": DATA / "unseen_names_labelled.csv",
}


def labelled_rows(path: Path) -> list[dict]:
    """The set's rows, 一级/二级 labels carried down within a report where the cell was merged."""
    rows, last = [], {}
    for row in csv.DictReader(path.open(encoding="utf-8")):
        if "report" in row:
            if row["report"] != last.get("report"):
                last = {"report": row["report"]}
            for field in ("level1_raw", "level2_raw"):
                row[field] = row[field] or last.get(field, "")
                last[field] = row[field]
        rows.append(row)
    return rows


def score_set(rows: list[dict], matcher: NameMatcher) -> dict:
    """Counts, shares and the wrong rows of one labelled set."""
    mapped = right = positives = measured = measure_right = subjects = subject_right = 0
    wrong, missed, wrong_measure = [], [], []
    for row in rows:
        level2_raw = row.get("level2_raw", row.get("level2", ""))
        level2 = canonical_level2(level2_raw)
        context = f"{row.get('level1_raw', '')} {level2_raw}"
        found = matcher.match_detail(row["name_raw"], level2, context)
        expected = row["expected_canonical"]
        positives += bool(expected)
        if found.canonical:
            mapped += 1
            if found.canonical == expected:
                right += 1
            else:
                wrong.append([row["name_raw"], expected, found.canonical])
        elif expected:
            missed.append([row["name_raw"], expected])
        if found.canonical and found.canonical == expected and row.get("expected_subject"):
            subjects += 1
            subject_right += _same_subject(found.subject, row["expected_subject"])
        if "expected_measure" in row:
            measured += 1
            got = measure_of(row["name_raw"], row.get("unit_raw", ""), row.get("target_raw", ""), "",
                             level2, row.get("level1_raw", ""))
            measure_right += got == row["expected_measure"]
            if got != row["expected_measure"]:
                wrong_measure.append([row["name_raw"], row.get("target_raw", ""), row["expected_measure"], got])
    share = lambda a, b: a / b if b else None  # noqa: E731
    return {
        "names": len(rows), "with_concept": positives, "mapped": mapped, "right": right,
        "precision": share(right, mapped), "recall": share(right, positives),
        "measure_rows": measured, "measure_right": measure_right, "measure_accuracy": share(measure_right, measured),
        "subject_rows": subjects, "subject_right": subject_right, "subject_accuracy": share(subject_right, subjects),
        "wrong": wrong, "missed": missed, "wrong_measure": wrong_measure,
    }


def _same_subject(found: str, expected: str) -> bool:
    """A subject is right when one names the other (资助学生 for 学生 is the same group, more precisely)."""
    return bool(found) and (found in expected or expected in found)


def pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.names", description=__doc__.splitlines()[0])
    parser.add_argument("--taxonomy", type=Path, help="a taxonomy CSV instead of the packaged one")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "names.json")
    parser.add_argument("--show-errors", action="store_true", help="list wrong, missed and mis-measured names")
    args = parser.parse_args(argv)
    matcher = NameMatcher(args.taxonomy.read_text(encoding="utf-8") if args.taxonomy else None)
    results = {label: score_set(labelled_rows(path), matcher) for label, path in SETS.items() if path.exists()}

    console = Console(width=max(Console().width, 120))
    table = Table(title="make bench — indicator names onto the taxonomy (hand-labelled sets)")
    for column in ("set", "names", "with concept", "mapped", "precision", "recall", "measure right", "subject right"):
        table.add_column(column, justify="left" if column == "set" else "right")
    for label, r in results.items():
        table.add_row(label, str(r["names"]), str(r["with_concept"]), str(r["mapped"]),
                      f"{pct(r['precision'])} ({r['right']}/{r['mapped']})",
                      f"{pct(r['recall'])} ({r['right']}/{r['with_concept']})",
                      f"{pct(r['measure_accuracy'])} ({r['measure_right']}/{r['measure_rows']})" if r["measure_rows"] else "n/a",
                      f"{pct(r['subject_accuracy'])} ({r['subject_right']}/{r['subject_rows']})" if r["subject_rows"] else "n/a")
    console.print(table)
    if args.show_errors:
        for label, r in results.items():
            console.print(f"[bold]{label}[/bold]")
            for kind in ("wrong", "missed", "wrong_measure"):
                for item in r[kind]:
                    console.print(f"  {kind}: " + " | ".join(item))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"[dim]wrote {args.results}[/dim]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
