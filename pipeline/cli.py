"""The `jixiao` command."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.inputs import list_inputs
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
    report: bool = typer.Option(True, help="Write the QA report (report/index.html) and datapackage.json."),
    taxonomy: Path = typer.Option(None, "--taxonomy", help="A team's own indicator taxonomy CSV (columns canonical_name, level2, synonyms[, level1]) instead of the packaged one."),
) -> None:
    """Read every file under INPUT_DIR and write documents/projects/funds/indicators (.csv + .parquet) to --out.

    Exit code 0 when no file failed, 1 when some did (each has its row and error in documents.csv),
    2 on a usage error.
    """
    if not input_dir.is_dir():
        console.print(f"[red]not a folder: {input_dir}")
        raise typer.Exit(EXIT_USAGE)
    if taxonomy is not None:
        _check_taxonomy(taxonomy)
    out.mkdir(parents=True, exist_ok=True)
    debug_dir = out / "pages"
    settings = Settings(ocr_engine=ocr_engine, ocr=ocr, timeout=timeout, jobs=jobs, debug_dir=debug_dir if report else None,
                        taxonomy=taxonomy)
    total = len(list_inputs(input_dir))
    from pipeline.page_images import PageImageBudget

    budget = PageImageBudget()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("reading", total=total)

        def advance(path, result):
            if report and result.document.get("doc_id"):
                budget.settle(debug_dir / result.document["doc_id"])
            progress.update(task, advance=1, description=f"{result.document.get('status', '?'):8} {path.name[:40]}")

        results = run_batch(input_dir, settings, progress=advance)
    from pipeline.emit import frames_of, write_frames
    from pipeline.reconcile import reconcile

    frames = frames_of(merge(results))
    frames["projects"], frames["indicators"] = reconcile(frames["projects"], frames["funds"], frames["indicators"])
    write_frames(out, frames)
    from pipeline.store import write_store

    write_store(out)
    if report:
        from pipeline.report import write_datapackage, write_report

        write_report(out)
        write_datapackage(out)
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


def _check_taxonomy(path: Path):
    """A team's taxonomy CSV loaded once up front: a bad file is a usage error, not 100 failed documents."""
    from normalizers.names import NameMatcher

    try:
        return NameMatcher(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        console.print(f"[red]taxonomy {path}: {error}")
        raise typer.Exit(EXIT_USAGE)


taxonomy_app = typer.Typer(add_completion=False, help="Grow the indicator taxonomy from the names a run left unmapped.")
app.add_typer(taxonomy_app, name="taxonomy")


@taxonomy_app.command("suggest")
def taxonomy_suggest(
    out_dir: Path = typer.Argument(..., help="An output folder of `jixiao run`."),
    output: Path = typer.Option(None, "--output", "-o", help="CSV to write (default OUT_DIR/taxonomy_suggestions.csv)."),
    taxonomy: Path = typer.Option(None, "--taxonomy", help="The taxonomy CSV grown so far: names it now maps are left out."),
    min_rows: int = typer.Option(1, min=1, help="Leave out candidate concepts of fewer indicator rows."),
) -> None:
    """Cluster the unmapped indicator names of a run into candidate concepts with their row counts,
    as rows in the taxonomy's columns that a person reviews and appends to their taxonomy CSV."""
    from pipeline.suggest import suggest, write_suggestions

    if not (out_dir / "indicators.csv").is_file():
        console.print(f"[red]no indicators.csv in {out_dir}")
        raise typer.Exit(EXIT_USAGE)
    matcher = _check_taxonomy(taxonomy) if taxonomy is not None else None
    table = suggest(out_dir, matcher, min_rows=min_rows)
    path = output or out_dir / "taxonomy_suggestions.csv"
    write_suggestions(table, path)
    console.print(f"{len(table)} candidate concept(s) from {int(table['rows'].sum()) if len(table) else 0} unmapped row(s) → {path}")


if __name__ == "__main__":
    app()
