"""The `jixiao` command."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.inputs import OUTPUT_MARKER, list_inputs
from pipeline.run import DEFAULT_TIMEOUT, Settings, merge, run_batch

app = typer.Typer(add_completion=False, help="Budget-performance self-evaluation reports (绩效自评表) → one clean dataset.")
console = Console(stderr=True)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


@app.command()
def run(
    input_dir: Path = typer.Argument(..., help="Folder of downloaded reports (read recursively)."),
    out: Path = typer.Option(Path("data/out"), "--out", "-o", help="Output folder for the tables."),
    ocr_engine: str = typer.Option("rapidocr", help="OCR engine for scans: rapidocr (bundled) or paddleocr (if installed with its models)."),
    ocr: bool = typer.Option(True, help="Read scanned pages and images with OCR."),
    jobs: int = typer.Option(1, min=1, help="Worker processes."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Seconds one file may take before it is failed."),
    report: bool = typer.Option(True, help="Write report.html and datapackage.json."),
) -> None:
    """Read every file under INPUT_DIR and write documents/projects/funds/indicators (.csv + .parquet) to --out.

    Exit code 0 when no file failed, 1 when some did (each has its row and error in documents.csv),
    2 on a usage error.
    """
    if not input_dir.is_dir():
        console.print(f"[red]not a folder: {input_dir}")
        raise typer.Exit(EXIT_USAGE)
    out.mkdir(parents=True, exist_ok=True)
    (out / OUTPUT_MARKER).touch()  # so no later run reads this folder back as input
    debug_dir = out / "pages"
    settings = Settings(ocr_engine=ocr_engine, ocr=ocr, timeout=timeout, jobs=jobs, debug_dir=debug_dir if report else None,
                        exclude=(out,))
    total = len(list_inputs(input_dir, exclude=settings.exclude))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("reading", total=total)

        def advance(path, result):
            progress.update(task, advance=1, description=f"{result.document.get('status', '?'):8} {path.name[:40]}")

        results = run_batch(input_dir, settings, progress=advance)
    from pipeline.emit import frames_of, write_frames
    from pipeline.reconcile import reconcile

    frames = frames_of(merge(results))
    frames["projects"], frames["indicators"] = reconcile(frames["projects"], frames["funds"], frames["indicators"])
    write_frames(out, frames)
    if report:
        from pipeline.report import write_datapackage, write_report

        images = {r.document.get("doc_id", ""): [Path(p) for p in r.page_images] for r in results}
        write_report(out, frames, images)
        write_datapackage(out, frames)
    documents = frames["documents"]
    counts = documents["status"].value_counts().to_dict()
    console.print(
        f"{len(documents)} file(s): " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + f"; {len(frames['projects'])} project table(s), {len(frames['indicators'])} indicator row(s) → {out}"
    )
    raise typer.Exit(EXIT_SOME_FAILED if counts.get("failed") else EXIT_OK)


@app.command()
def unmapped(out_dir: Path = typer.Argument(..., help="An output folder of `jixiao run`."), top: int = 30) -> None:
    """The most frequent indicator names with no canonical match, with their nearest candidates."""
    from pipeline.unmapped import unmapped_names

    table = unmapped_names(out_dir, top=top)
    Console().print(table.to_string(index=False) if len(table) else "every indicator name is mapped")


if __name__ == "__main__":
    app()
