"""`python -m bench.run`: run jixiao and two peers over the test corpus, score them, print one table.

jixiao runs once per manifest group (on a copy of that group's files) so that every group has its
own speed and peak memory; the peers run the same way on the PDF groups. Each run is a child
process: wall time includes interpreter start-up, and peak RSS is the process tree's, polled.
Writes bench/results.json. Exits 0 whatever the scores; non-zero only when it could not run.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import psutil
from rich.console import Console
from rich.table import Table

from bench.score import (NORM_FIELDS, PROJECT_FIELDS, RAW_FIELDS, add, in_order, rates,
                         read_csv, score_indicators, score_projects, text, truth_rows)

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ["jixiao", "pdfplumber", "camelot"]
PEER_GROUPS = {"pdfplumber": ["text_pdf", "scan_pdf", "cid_pdf", "mixed_pdf", "other_provinces"],
               "camelot": ["text_pdf", "other_provinces"]}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif"}
# Sections that are parts of a group's run: no timing of their own, and only the BRIEF rows.
SUBSECTIONS = ("layout ", "other provinces: ")
# Layout sections show only these rows (results.json has them all).
BRIEF = {"indicator truth rows", "indicator rows found", "extra rows (per truth row)", "name_raw",
         "target_raw", "actual_raw", "weight", "score", "target_value (normalized)",
         "actual_value (normalized)", "projects found", "total_score", "documents status as expected"}
NOTES = [
    "pdfplumber and camelot read the PDF text layer only: on scan_pdf files they read nothing, and "
    "images are not PDFs, so their scan figures cover scan_pdf files only.",
    "camelot (lattice, pdfium rendering) runs on text PDFs only, with a per-file timeout.",
    "Peers have no normalizer and no project block: those rows are n/a for them.",
    "jixiao runs with --no-report (the peers write no QA report either); the line above the notes "
    "gives its text-PDF speed with the report. "
    "pages/s = pages of the group's files / wall time of the child process (start-up included); "
    "layout sections share the text-PDF run and have no timing of their own (and show fewer rows).",
    "Shares are of truth rows; a missing row counts as wrong in every field; a truth cell `?` "
    "(uncertain in the source) counts neither right nor wrong.",
    "other provinces = the 21 real reports of other provinces (HTML, XLSX, DOCX, PDF exports, scans); "
    "peers read its PDFs only (camelot its text PDFs only).",
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    corpus = ROOT / "tests" / "corpus"
    parser.add_argument("--manifest", type=Path, default=corpus / "manifest.csv")
    parser.add_argument("--docs", type=Path, default=corpus / "docs")
    parser.add_argument("--truth", type=Path, default=corpus / "truth")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--jixiao", default="", help="command to run instead of the venv's jixiao")
    parser.add_argument("--run-timeout", type=int, default=900, help="seconds per jixiao group run")
    parser.add_argument("--peer-timeout", type=int, default=60, help="seconds per file for a peer")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--groups", default="", help="comma-separated manifest groups to bench (default: all)")
    return parser.parse_args(argv)


def peer_files(tool: str, rows: pd.DataFrame) -> list[str]:
    """The files of a group a peer reads: PDFs only, and for camelot text PDFs only (no scan dpi)."""
    pdfs = rows[rows["path"].str.lower().str.endswith(".pdf")]
    if tool == "camelot":
        pdfs = pdfs[pdfs["dpi"].map(text) == ""]
    return pdfs["path"].tolist()


def jixiao_command(override: str) -> list[str]:
    """The pipeline CLI: --jixiao, else the venv's `jixiao` script, else `python -m pipeline.cli`."""
    if override:
        return override.split()
    script = Path(sys.executable).parent / "jixiao"
    if script.exists():
        return [str(script)]
    if (ROOT / "pipeline" / "cli.py").exists():
        return [sys.executable, "-m", "pipeline.cli"]
    raise SystemExit("bench: no jixiao CLI (neither .venv/bin/jixiao nor pipeline/cli.py)")


def measured(cmd: list[str], log: Path, timeout: float) -> dict:
    """Run cmd, polling the peak RSS of its whole process tree; kill it after timeout seconds."""
    start = time.perf_counter()
    with open(log, "wb") as sink:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        peak, killed = 0, False
        watched = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            if time.perf_counter() - start > timeout:
                for p in [*watched.children(recursive=True), watched]:
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                killed = True
            time.sleep(0.05)
    tail = " / ".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:])
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak / 2**20, "returncode": proc.returncode,
            "timed_out": killed, "log_tail": tail[-500:]}


def run_error(run: dict, wrote_output: bool) -> str:
    """Why a child run failed as a run (a timeout or no output), else ''."""
    if run["timed_out"]:
        return f"timeout after {run['seconds']:.0f} s"
    return "" if wrote_output else f"exit {run['returncode']}: {run['log_tail']}"


def pdf_pages(path: Path) -> int:
    """Page count of a PDF (0 when it does not open)."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except Exception:
        return 0
    try:
        return len(pdf)
    finally:
        pdf.close()


def read_output(csv: Path) -> pd.DataFrame:
    """An output table as text; empty when missing or empty."""
    try:
        return read_csv(csv)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def on_disk(path: str) -> str:
    """The corpus file holding a manifest path: the archive, for a member listed as `a.zip!inner/x.pdf`."""
    return path.split("!", 1)[0]


def run_jixiao(manifest: pd.DataFrame, args, cmd: list[str], console: Console) -> tuple[dict, dict]:
    """One jixiao run per manifest group on a copy of its files; returns runs and output tables."""
    runs, outputs = {}, {}
    for group, files in manifest.groupby("group", sort=False):
        src, out = args.work / "in" / group, args.work / "out" / group
        for path in sorted(set(files["path"].map(on_disk))):
            (src / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(args.docs / path, src / path)
        console.print(f"[dim]jixiao: {group} ({len(files)} files)…[/dim]")
        run = measured([*cmd, "run", str(src), "--out", str(out), "--no-report"], args.work / f"jixiao_{group}.log", args.run_timeout)
        tables = {name: read_output(out / f"{name}.csv") for name in ("documents", "projects", "indicators")}
        run["error"] = run_error(run, not tables["documents"].empty)
        runs[group], outputs[group] = run, tables
    return runs, outputs


def run_peers(manifest: pd.DataFrame, args, console: Console) -> tuple[dict, dict]:
    """Each peer as a child process per PDF group; returns runs and {tool: {path: record}}."""
    runs, records = {t: {} for t in PEER_GROUPS}, {t: {} for t in PEER_GROUPS}
    for tool, groups in PEER_GROUPS.items():
        for group in groups:
            files = peer_files(tool, manifest[manifest["group"] == group])
            if not files:
                continue
            console.print(f"[dim]{tool}: {group} ({len(files)} files)…[/dim]")
            out = args.work / f"{tool}_{group}.json"
            out.unlink(missing_ok=True)
            cmd = [sys.executable, "-m", "bench.peers", tool, str(out), str(args.peer_timeout),
                   *[str(args.docs / p) for p in files]]
            run = measured(cmd, args.work / f"{tool}_{group}.log", args.peer_timeout * len(files) + 60)
            found = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
            run["error"] = run_error(run, out.exists() and run["returncode"] == 0)
            by_path = {str(Path(r["path"]).relative_to(args.docs)): r for r in found}
            for path in files:
                records[tool][path] = by_path.get(path, {"rows": [], "error": run["error"] or "no output"})
            runs[tool][group] = run
    return runs, records


def score_file(row, truth_dir: Path, extracted: tuple[pd.DataFrame, pd.DataFrame] | None, normalized: bool) -> dict:
    """Counts for one manifest file: indicators (raw + normalized fields) and projects."""
    projects, indicators = truth_rows(truth_dir, row["truth_doc"], row["project_ids"])
    fields = RAW_FIELDS + (NORM_FIELDS if normalized else [])
    got_projects, got_indicators = extracted if extracted else (pd.DataFrame(), pd.DataFrame())
    result = {"indicators": score_indicators(indicators, got_indicators, fields)}
    if normalized:
        result["projects"] = score_projects(projects, got_projects)
    return result


def jixiao_rows(tables: dict, doc_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The document's projects and indicators, in printed order."""
    def of(name: str) -> pd.DataFrame:
        frame = tables[name]
        return frame[frame["doc_id"] == doc_id] if "doc_id" in frame else pd.DataFrame(columns=["project_id", "seq"])
    return in_order(of("projects"), with_seq=False), in_order(of("indicators"))


def display_groups(manifest: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """Sections of the table: label and a mask over manifest rows."""
    g = manifest["group"]
    sections = [
        ("overall", g == g),
        ("text PDF", g == "text_pdf"),
        ("scan (scan_pdf + image)", g.isin(["scan_pdf", "image"])),
        ("cid / mixed PDF", g.isin(["cid_pdf", "mixed_pdf"])),
    ]
    text_pdfs = manifest[g == "text_pdf"]
    for layout in sorted(set(text_pdfs["layout"]) - {""}):
        sections.append((f"layout {layout} (text PDF)", (g == "text_pdf") & (manifest["layout"] == layout)))
    sections += [("docx", g == "docx"), ("xlsx", g == "xlsx"), ("bad files", g == "bad")]
    other = g == "other_provinces"
    suffix = manifest["path"].str.rsplit(".", n=1).str[-1].str.lower()
    scanned = manifest["dpi"].map(text) != ""
    sections += [("other provinces", other), ("other provinces: HTML", other & suffix.isin(["html", "htm"])),
                 ("other provinces: text PDF", other & (suffix == "pdf") & ~scanned),
                 ("other provinces: scans", other & scanned),
                 ("other provinces: DOCX/XLSX", other & suffix.isin(["docx", "xlsx"]))]
    known = {"text_pdf", "scan_pdf", "image", "cid_pdf", "mixed_pdf", "docx", "xlsx", "bad", "other_provinces"}
    sections += [(other, g == other) for other in sorted(set(g) - known)]
    return [(label, mask) for label, mask in sections if mask.any()]


def summarize(manifest: pd.DataFrame, files: list[dict], runs: dict, pages: dict) -> dict:
    """Per section and tool: summed counts, shares, speed and memory."""
    out = {}
    for label, mask in display_groups(manifest):
        paths = set(manifest[mask]["path"])
        run_groups = set(manifest[mask]["group"])
        timed = not label.startswith(SUBSECTIONS)
        section = {"files": len(paths)}
        for tool in TOOLS:
            mine = [f for f in files if f["path"] in paths and tool in f]
            if not mine:
                continue
            ind = prj = None
            for f in mine:
                if "indicators" in f[tool]:
                    ind = add(ind, f[tool]["indicators"])
                if "projects" in f[tool]:
                    prj = add(prj, f[tool]["projects"])
            tool_runs = [r for grp, r in runs.get(tool, {}).items() if grp in run_groups]
            seconds = sum(r["seconds"] for r in tool_runs)
            ran_pages = sum(pages[f["path"]] for f in mine)
            stats = {
                "files": len(mine),
                "indicators": ind, "indicator_rates": rates(ind),
                "projects": prj, "project_rates": rates(prj),
                "errors": [{"path": f["path"], "error": f[tool]["error"]} for f in mine if f[tool].get("error")]
                + [{"path": grp, "error": r["error"]} for grp, r in runs.get(tool, {}).items()
                   if grp in run_groups and r["error"]],
            }
            if timed and seconds:
                stats.update(pages=ran_pages, seconds=seconds, pages_per_s=ran_pages / seconds,
                             peak_rss_mb=max(r["peak_rss_mb"] for r in tool_runs))
            if tool == "jixiao":
                stats["documents_ok"] = sum(f["doc_ok"] for f in mine)
            section[tool] = stats
        out[label] = section
    return out


def pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def render(summary: dict, console: Console) -> None:
    """One table: metric rows per section, a column per tool."""
    table = Table(title="make bench — jixiao vs peers against the hand-written truth", show_lines=False)
    table.add_column("metric", style="bold")
    for tool in TOOLS:
        table.add_column(tool, justify="right")
    metrics = [("indicator rows found", "found"), ("extra rows (per truth row)", "extra")]
    metrics += [(f"  {f}", f) for f in RAW_FIELDS] + [(f"  {f} (normalized)", f) for f in NORM_FIELDS]
    for label, section in summary.items():
        table.add_section()
        table.add_row(f"[cyan]{label}[/cyan] ({section['files']} files)", *[
            f"{section[t]['files']} files" if t in section else "not run" for t in TOOLS])
        lines: list[tuple[str, list[str]]] = []
        counts = [section.get(t, {}).get("indicators") for t in TOOLS]
        if any(counts):
            lines.append(("indicator truth rows", [str(c["truth"]) if c else "n/a" for c in counts]))
        for name, key in metrics:
            lines.append((name, [pct(section.get(t, {}).get("indicator_rates", {}).get(key)) for t in TOOLS]))
        prj = [section.get(t, {}).get("project_rates", {}) for t in TOOLS]
        lines.append(("projects found", [pct(p.get("found")) for p in prj]))
        lines += [(f"  {f}", [pct(p.get(f)) for p in prj]) for f in PROJECT_FIELDS]
        jx = section.get("jixiao", {})
        if "documents_ok" in jx:
            lines.append(("documents status as expected", [f"{jx['documents_ok']}/{jx['files']}", "n/a", "n/a"]))
        lines.append(("pages/s", [f"{section[t]['pages_per_s']:.2f}" if "pages_per_s" in section.get(t, {}) else "n/a" for t in TOOLS]))
        lines.append(("peak RSS MB", [f"{section[t]['peak_rss_mb']:.0f}" if "peak_rss_mb" in section.get(t, {}) else "n/a" for t in TOOLS]))
        errors = [section.get(t, {}).get("errors", []) for t in TOOLS]
        if any(errors):
            lines.append(("errors", [f"{len(e)}: {e[0]['error'][:40]}" if e else "0" for e in errors]))
        for name, cells in lines:
            if any(c != "n/a" for c in cells) and (not label.startswith(SUBSECTIONS) or name.strip() in BRIEF):
                table.add_row(name, *cells)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=max(Console().width, 120))
    if not args.manifest.exists():
        console.print(f"[red]bench: no manifest at {args.manifest}[/red]")
        return 2
    manifest = read_csv(args.manifest)
    if args.groups:
        wanted = [x.strip() for x in args.groups.split(",") if x.strip()]
        unknown = sorted(set(wanted) - set(manifest["group"]))
        if unknown:
            console.print(f"[red]bench: no manifest group {', '.join(unknown)}[/red]")
            return 2
        manifest = manifest[manifest["group"].isin(wanted)].reset_index(drop=True)
    missing = [p for p in manifest["path"] if not (args.docs / on_disk(p)).is_file()]
    if missing:
        console.print(f"[red]bench: {len(missing)} corpus files missing (make corpus): {', '.join(missing[:5])}[/red]")
        return 2
    cmd = jixiao_command(args.jixiao)
    began, started = time.perf_counter(), datetime.now(timezone.utc).isoformat(timespec="seconds")
    for sub in ("in", "out"):
        shutil.rmtree(args.work / sub, ignore_errors=True)
    args.work.mkdir(parents=True, exist_ok=True)

    runs, outputs = {}, {}
    runs["jixiao"], outputs = run_jixiao(manifest, args, cmd, console)
    if all(t["documents"].empty for t in outputs.values()):
        console.print("[red]bench: jixiao wrote no documents.csv in any run[/red]")
        for group, run in runs["jixiao"].items():
            console.print(f"  {group}: {run['error']}")
        return 1
    peer_records = {}
    if not args.no_peers:
        peer_runs, peer_records = run_peers(manifest, args, console)
        runs.update(peer_runs)

    files, pages = [], {}
    for row in manifest.to_dict("records"):
        path, group = row["path"], row["group"]
        tables = outputs[group]
        docs = tables["documents"]
        doc = docs[docs["source_path"].map(lambda p: Path(p).as_posix()) == path] if "source_path" in docs else docs
        doc = doc.iloc[0].to_dict() if len(doc) else {}
        suffix = Path(path).suffix.lower()
        if suffix == ".pdf" and on_disk(path) == path:
            pages[path] = pdf_pages(args.docs / path)
        else:
            pages[path] = 1 if suffix in IMAGE_SUFFIXES else int(float(text(doc.get("pages")) or 0))
        status, error = text(doc.get("status")), text(doc.get("error"))
        doc_ok = status == text(row["expected_status"]) and (group != "bad" or bool(error))
        entry = {"path": path, "group": group, "layout": row["layout"], "truth_doc": row["truth_doc"],
                 "expected_status": row["expected_status"], "status": status, "error": error,
                 "doc_ok": doc_ok, "jixiao": {}}
        has_truth = bool(text(row["truth_doc"]))
        if has_truth:
            entry["jixiao"] = score_file(row, args.truth, jixiao_rows(tables, text(doc.get("doc_id"))) if doc else None, True)
        for tool, records in peer_records.items():
            if path in records:
                record = records[path]
                entry[tool] = {"error": record["error"]}
                if has_truth:
                    rows = pd.DataFrame(record["rows"])
                    entry[tool].update(score_file(row, args.truth, (pd.DataFrame(), rows), False))
        files.append(entry)

    summary = summarize(manifest, files, runs, pages)
    render(summary, console)
    expected = sum(f["doc_ok"] for f in files)
    bad = [f for f in files if f["group"] == "bad"]
    console.print(f"documents: status as expected {expected}/{len(files)}; "
                  f"bad files failed/skipped with an error message {sum(f['doc_ok'] for f in bad)}/{len(bad)}")
    text_pdfs = args.work / "in" / "text_pdf"
    if text_pdfs.exists():  # what the QA report (page images + report.html) adds on top
        with_report = measured([*cmd, "run", str(text_pdfs), "--out", str(args.work / "out" / "text_pdf_report")],
                               args.work / "jixiao_text_pdf_report.log", args.run_timeout)
        text_pages = sum(pages[f["path"]] for f in files if f["group"] == "text_pdf")
        runs["jixiao_text_pdf_with_report"] = with_report
        console.print(f"jixiao on the text PDFs with report.html and page images: "
                      f"{text_pages / with_report['seconds']:.2f} pages/s, peak RSS {with_report['peak_rss_mb']:.0f} MB")
    for note in NOTES:
        console.print(f"[dim]· {note}[/dim]")
    results = {"started": started, "seconds": time.perf_counter() - began, "jixiao_command": cmd,
               "notes": NOTES, "runs": runs, "groups": summary, "files": files}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    console.print(f"[dim]wrote {args.results}[/dim]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
