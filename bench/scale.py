"""`python -m bench.scale`: how jixiao scales with the folder (issue #11).

For each N (default 100 and 1,000) it makes N distinct text reports (the corpus's text PDFs copied
with a PDF comment appended, so every copy has its own bytes) and measures, each run a child process
with the peak RSS of its whole process tree polled (bench.run.measured):
files per second and peak RSS of a first run with 1 job and with 2 jobs, the QA report's index size
and the time headless Chromium takes to open it, the re-run of the unchanged folder, and a run after
adding 10 files to the finished one. Figures the CLI cannot give (no --jobs, no --force) are skipped.
Prints a table and writes bench/scale.json; exits 0 whatever the figures, non-zero only when it
could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.run import ROOT, jixiao_command, measured

CORPUS = ROOT / "tests" / "corpus" / "docs" / "text_pdf"
ADDED = 10
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Issue #11's bars: N=1,000 against N=100, and the report at N=1,000.
CRITERIA = {
    "peak RSS at 1,000 ≤ 1.2 × at 100": lambda big, small: big["first_run"]["peak_rss_mb"] <= 1.2 * small["first_run"]["peak_rss_mb"],
    "re-run ≤ 5% of the first run": lambda big, small: big["rerun"]["seconds"] <= 0.05 * big["first_run"]["seconds"],
    "adding 10 files ≤ 5% of the first run": lambda big, small: big["add_10"]["seconds"] <= 0.05 * big["first_run"]["seconds"],
    "2 jobs ≤ 0.6 × 1 job": lambda big, small: big["jobs_2"]["seconds"] <= 0.6 * big["jobs_1"]["seconds"],
    "report index ≤ 5 MB": lambda big, small: big["report"]["index_mb"] <= 5,
    "index opens in Chromium ≤ 5 s": lambda big, small: big["report"]["chromium_open_s"] <= 5,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "scale")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "scale.json")
    parser.add_argument("--jixiao", default="", help="command to run instead of the venv's jixiao")
    parser.add_argument("--run-timeout", type=int, default=3600, help="seconds per jixiao run")
    return parser.parse_args(argv)


def distinct_copies(folder: Path, start: int, count: int) -> None:
    """Files start … start+count-1: the corpus's text PDFs in turn, each with its own trailing comment."""
    sources = sorted(CORPUS.glob("*.pdf"))
    if not sources:
        raise SystemExit(f"bench.scale: no text PDFs in {CORPUS}")
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        source = sources[number % len(sources)]
        data = source.read_bytes() + f"\n%jixiao bench.scale copy {number}\n".encode("ascii")
        (folder / f"{number:05d}_{source.name}").write_bytes(data)


def cli_options(cmd: list[str]) -> set[str]:
    """The `run` options this CLI has, of those the bench uses."""
    try:
        text = subprocess.run([*cmd, "run", "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                              env={**os.environ, "COLUMNS": "200", "TERM": "dumb"}).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {option for option in ("--jobs", "--force") if option in text}


def browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def chromium_seconds(binary: str, url: str, profile: Path) -> float:
    """Wall time of headless Chromium loading url and dumping its DOM (start-up included)."""
    start = time.perf_counter()
    subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                    "--dump-dom", url], capture_output=True, timeout=300, check=True)
    return time.perf_counter() - start


def report_figures(out: Path, work: Path) -> dict:
    """Size of the report's index page (report/index.html, else the old single report.html) and its open time."""
    index = out / "report" / "index.html"
    if not index.exists():
        index = out / "report.html"
    if not index.exists():
        return {"index": "", "index_mb": None, "chromium_open_s": None, "chromium_blank_s": None}
    figures = {"index": index.relative_to(out).as_posix(), "index_mb": index.stat().st_size / 1e6,
               "chromium_open_s": None, "chromium_blank_s": None}
    binary = browser()
    if binary:
        profile = work / "chromium-profile"
        figures["chromium_blank_s"] = chromium_seconds(binary, "about:blank", profile)
        figures["chromium_open_s"] = chromium_seconds(binary, index.resolve().as_uri(), profile)
    return figures


def one_run(cmd: list[str], src: Path, out: Path, extra: list[str], log: Path, timeout: float, n_files: int) -> dict:
    run = measured([*cmd, "run", str(src), "--out", str(out), *extra], log, timeout)
    run["files_per_s"] = n_files / run["seconds"] if run["seconds"] else None
    run["args"] = extra
    return run


def bench_size(n: int, args, cmd: list[str], options: set[str], console: Console) -> dict:
    work = args.work / f"n{n}"
    shutil.rmtree(work, ignore_errors=True)
    src, extra_files = work / "in", work / "added"
    distinct_copies(src, 0, n)
    distinct_copies(extra_files, n, ADDED)
    fresh = ["--force"] if "--force" in options else []  # a first run must not reuse a cache
    figures: dict = {"files": n}
    runs = [("jobs_1", ["--jobs", "1"]), ("jobs_2", ["--jobs", "2"])] if "--jobs" in options else [("first", [])]
    for name, jobs in runs:
        console.print(f"[dim]N={n}: first run, {' '.join(jobs) or 'default jobs'}…[/dim]")
        figures[name] = one_run(cmd, src, work / f"out_{name}", [*fresh, *jobs], work / f"{name}.log", args.run_timeout, n)
    first_name, first_jobs = runs[-1]
    figures["first_run"] = figures[first_name]
    out = work / f"out_{first_name}"
    figures["report"] = report_figures(out, work)
    console.print(f"[dim]N={n}: re-run of the unchanged folder…[/dim]")
    figures["rerun"] = one_run(cmd, src, out, first_jobs, work / "rerun.log", args.run_timeout, n)
    for path in sorted(extra_files.iterdir()):
        shutil.move(str(path), src / path.name)
    console.print(f"[dim]N={n}: {ADDED} files added…[/dim]")
    figures["add_10"] = one_run(cmd, src, out, first_jobs, work / "add_10.log", args.run_timeout, n + ADDED)
    return figures


def show(results: dict, console: Console) -> None:
    table = Table(title="jixiao at scale (distinct text-PDF reports)")
    table.add_column("figure")
    sizes = list(results["sizes"])
    for n in sizes:
        table.add_column(f"N = {n}", justify="right")

    def cell(n: str, *keys: str, fmt: str = "{:.1f}") -> str:
        value = results["sizes"][n]
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return "skipped" if value is None else fmt.format(value)

    rows = [
        ("first run, 1 job: wall s", ("jobs_1", "seconds")), ("first run, 1 job: files/s", ("jobs_1", "files_per_s")),
        ("first run, 1 job: peak RSS MB", ("jobs_1", "peak_rss_mb")),
        ("first run, 2 jobs: wall s", ("jobs_2", "seconds")), ("first run, 2 jobs: files/s", ("jobs_2", "files_per_s")),
        ("first run, 2 jobs: peak RSS MB", ("jobs_2", "peak_rss_mb")),
        ("re-run unchanged: wall s", ("rerun", "seconds")), ("re-run: peak RSS MB", ("rerun", "peak_rss_mb")),
        (f"+{ADDED} files: wall s", ("add_10", "seconds")),
        ("report index MB", ("report", "index_mb")), ("Chromium open s (start-up incl.)", ("report", "chromium_open_s")),
        ("Chromium about:blank s", ("report", "chromium_blank_s")),
    ]
    for label, keys in rows:
        table.add_row(label, *(cell(n, *keys, fmt="{:.2f}" if "MB" in label and "RSS" not in label else "{:.1f}") for n in sizes))
    console.print(table)
    for label, verdict in results.get("criteria", {}).items():
        console.print(f"{'PASS' if verdict else 'FAIL' if verdict is False else 'n/a '}  {label}")


def criteria(sizes: dict) -> dict:
    """Issue #11's bars, where both N=100 and N=1,000 (or the largest and smallest N) were run."""
    if len(sizes) < 2:
        return {}
    small, big = sizes[min(sizes, key=int)], sizes[max(sizes, key=int)]
    verdicts = {}
    for label, check in CRITERIA.items():
        try:
            verdicts[label] = bool(check(big, small))
        except (KeyError, TypeError):
            verdicts[label] = None
    return verdicts


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    cmd = jixiao_command(args.jixiao)
    options = cli_options(cmd)
    results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": cmd,
               "cli_options": sorted(options), "sizes": {}}
    for n in args.sizes:
        results["sizes"][str(n)] = bench_size(n, args, cmd, options, console)
    results["criteria"] = criteria(results["sizes"])
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    show(results, console)
    console.print(f"[dim]written {args.results}[/dim]")
    broken = [n for n, f in results["sizes"].items() if f["first_run"]["returncode"] not in (0, 1) or f["first_run"]["timed_out"]]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
