"""The `jixiao` command."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.run import DEFAULT_TIMEOUT, Settings

app = typer.Typer(add_completion=False, help="Budget-performance self-evaluation reports (绩效自评表) → one clean dataset.")
console = Console(stderr=True)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def usage_error(message: str) -> typer.Exit:
    """One line on stderr and exit code 2, before any file is read."""
    console.print(f"[red]jixiao: {message}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_USAGE)


@app.command()
def run(
    input_dir: Path = typer.Argument(..., help="Folder of downloaded reports (read recursively)."),
    out: Path = typer.Option(Path("data/out"), "--out", "-o", help="Output folder for the tables."),
    ocr_engine: str = typer.Option("rapidocr", help="OCR engine for scans: rapidocr (bundled) or paddleocr (if installed with its models)."),
    ocr: bool = typer.Option(True, help="Read scanned pages and images with OCR."),
    jobs: Optional[int] = typer.Option(None, help="Worker processes (default: the CPU count; more is capped to it)."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="CPU seconds one file may take before it is stopped (keeping the pages it read)."),
    report: bool = typer.Option(True, help="Write the QA report (report/index.html) and datapackage.json."),
    taxonomy: Path = typer.Option(None, "--taxonomy", help="A team's own indicator taxonomy CSV (columns canonical_name, level2, synonyms[, level1]) instead of the packaged one."),
    force: bool = typer.Option(False, "--force", help="Read every file again instead of reusing the results cached in --out."),
    dask_scheduler: str = typer.Option("", envvar="JIXIAO_DASK_SCHEDULER",
                                       help="Read files on a Dask cluster (tcp://HOST:PORT); input and --out on a shared filesystem."),
) -> None:
    """Read every file under INPUT_DIR and write documents/projects/funds/indicators (.csv + .parquet) to --out.

    A re-run reads only new or changed files (the others come from --out's cache); the outputs are
    replaced as one set. Exit code 0 when no file failed, 1 when some did (each has its row and
    error in documents.csv), 2 on a usage or environment error (nothing read, outputs untouched).
    """
    from extractors.ocr_engines import ENGINES
    from pipeline.batch import cpu_count, run_folder
    from pipeline.outset import OutputError, OutputFolder
    from pipeline.page_images import PageImageBudget

    if not input_dir.is_dir():
        raise usage_error(f"not a folder: {input_dir}")
    if input_dir.resolve().is_relative_to(out.resolve()):
        raise usage_error(f"--out {out} holds the input folder {input_dir}; choose an output folder of its own")
    if not timeout > 0:
        raise usage_error(f"--timeout must be a positive number of seconds, not {timeout:g}")
    if ocr_engine not in ENGINES:
        raise usage_error(f"unknown --ocr-engine {ocr_engine!r}; choose one of {', '.join(sorted(ENGINES))}")
    if jobs is not None and jobs < 1:
        raise usage_error(f"--jobs must be at least 1, not {jobs}")
    if taxonomy is not None:
        _check_taxonomy(taxonomy)
    cores = cpu_count()
    if jobs is None:
        jobs = cores
    elif jobs > cores and not dask_scheduler:
        console.print(f"[yellow]jixiao: --jobs {jobs} capped to the {cores} CPU(s) of this machine", highlight=False, soft_wrap=True)
        jobs = cores
    folder = OutputFolder(out)
    try:
        folder.open()
    except OutputError as error:
        raise usage_error(str(error)) from None
    settings = Settings(ocr_engine=ocr_engine, ocr=ocr, timeout=timeout, jobs=jobs,
                        debug_dir=folder.pages_dir if report else None, taxonomy=taxonomy)
    budget = PageImageBudget()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("reading", total=None)

            def advance(item, result):
                if report and result.document.get("doc_id"):
                    budget.settle(folder.pages_dir / result.document["doc_id"])
                progress.update(task, advance=1, description=f"{result.document.get('status', '?'):8} {item.name[:40]}")

            summary = run_folder(input_dir, folder, settings, report=report, force=force,
                                 scheduler=dask_scheduler or None, progress=advance,
                                 on_total=lambda total: progress.update(task, total=total))
    except OSError as error:
        raise usage_error(f"stopped, the previous outputs in {out} are kept: {error}") from None
    finally:
        folder.close()
    for message in summary.extras_errors:
        console.print(f"[yellow]jixiao: {message}", highlight=False, soft_wrap=True)
    counts = summary.statuses
    console.print(
        f"{sum(counts.values())} file(s): " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + f"; {summary.rows['projects']} project table(s), {summary.rows['indicators']} indicator row(s) → {out}"
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
        raise usage_error(f"taxonomy {path}: {error}") from None


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
