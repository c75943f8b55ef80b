"""Issue #14's cases as a careless user meets them, and #11's cache: each test is named after its situation.

(A GBK file name, junk files and symlinks belong to tests of pipeline/inputs.)
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pikepdf
import pytest
from typer.testing import CliRunner

from pipeline.batch import Plan, ResultStore, read_all, run_batch
from pipeline.cli import app
from pipeline.inputs import InputItem
from pipeline.outset import OutputError, OutputFolder
from pipeline.run import FileTimeout, Settings, process_file
from pipeline.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "tests" / "corpus" / "docs"
QUWO = DOCS / "text_pdf" / "quwo_2021.pdf"
JINZHONG = DOCS / "text_pdf" / "jinzhong_2021.pdf"
XLSX = DOCS / "xlsx" / "qujing_2022_projects.xlsx"


def jixiao(*args: str):
    """`jixiao run ARGS` in this process; the result has exit_code and output (stdout + stderr)."""
    return CliRunner().invoke(app, ["run", *map(str, args)])


def tables(out: Path) -> dict[str, pd.DataFrame]:
    """The four tables of an output folder, without the timing column."""
    frames = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    frames["documents"] = frames["documents"].drop(columns=["seconds"])
    return frames


def assert_same_tables(a: Path, b: Path) -> None:
    for name, frame in tables(a).items():
        pd.testing.assert_frame_equal(frame, tables(b)[name], obj=name)


def copies(folder: Path, n: int) -> None:
    """n text PDFs with distinct bytes (a corpus file plus a comment after its end)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        source = (QUWO, JINZHONG)[i % 2]
        (folder / f"{source.stem}_{i:02d}.pdf").write_bytes(source.read_bytes() + b"\n%%copy %d\n" % i)


# ---------------------------------------------------------------- identity (#14 case 3)


def test_same_bytes_under_two_names_are_read_once_and_counted_once(tmp_path):
    shutil.copy(QUWO, tmp_path / "quwo_2021.pdf")
    (tmp_path / "副本").mkdir()
    shutil.copy(QUWO, tmp_path / "副本" / "quwo_2021 (1).pdf")
    alone = tmp_path.parent / f"{tmp_path.name}-alone"
    alone.mkdir()
    shutil.copy(QUWO, alone / "quwo_2021.pdf")
    both = run_batch(tmp_path, Settings(ocr=False, timeout=60))
    single = run_batch(alone, Settings(ocr=False, timeout=60))
    documents = {r.document["source_path"]: r.document for r in both}
    assert set(documents) == {"quwo_2021.pdf", "副本/quwo_2021 (1).pdf"}
    original, copy = documents["quwo_2021.pdf"], documents["副本/quwo_2021 (1).pdf"]
    assert original["status"] == "ok" and copy["status"] == "duplicate"
    assert copy["doc_id"] == original["doc_id"] and copy["duplicate_of"] == "quwo_2021.pdf"
    assert copy["n_indicators"] == 0 and sum(len(r.indicators) for r in both) == len(single[0].indicators)
    project_ids = [p["project_id"] for r in both for p in r.projects]
    assert len(project_ids) == len(set(project_ids))
    assert [p["flags"] for r in both for p in r.projects] == [p["flags"] for p in single[0].projects]


# ---------------------------------------------------------------- XLSX formulas (#14 case 2)


def formula_workbook(path: Path, extra_formula: str = "") -> openpyxl.Workbook:
    """The corpus workbook's first sheet with every number turned into a formula saved without its value."""
    book = openpyxl.load_workbook(XLSX)
    for ws in book.worksheets[1:]:
        book.remove(ws)
    ws = book.worksheets[0]
    for cell in list(ws._cells.values()):
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            cell.value = f"=ROUND({cell.value}*2/2,6)"
    if extra_formula:
        ws["L1"] = extra_formula
    book.save(path)  # openpyxl stores formulas without cached values, as report generators do
    return book


def test_xlsx_formulas_without_cached_values_are_computed(tmp_path):
    from extractors.xlsx import extract_xlsx

    book = openpyxl.load_workbook(XLSX)
    for ws in book.worksheets[1:]:
        book.remove(ws)
    book.save(tmp_path / "values.xlsx")
    formula_workbook(tmp_path / "formulas.xlsx")
    expected, computed = extract_xlsx(tmp_path / "values.xlsx"), extract_xlsx(tmp_path / "formulas.xlsx")
    assert [c.text for t in computed.tables for c in t.cells] == [c.text for t in expected.tables for c in t.cells]
    assert computed.warnings == ()  # nothing lost: the document can be ok


def test_xlsx_formula_the_engine_cannot_compute_makes_the_document_partial(tmp_path):
    formula_workbook(tmp_path / "odd.xlsx", extra_formula="=NOSUCHFUNCTION(1)")
    result = process_file(InputItem("odd.xlsx", tmp_path / "odd.xlsx"), Settings(ocr=False))
    assert result.document["status"] == "partial"
    assert "formula cell(s) without a cached value" in result.document["error"]


# ---------------------------------------------------------------- the output folder (#14 cases 4, 5, 8, 11)


def test_output_folder_inside_input_folder_is_never_read_back(tmp_path):
    shutil.copy(QUWO, tmp_path / "quwo_2021.pdf")
    out = tmp_path / "out"
    first = jixiao(tmp_path, "--out", out, "--jobs", 1)
    assert first.exit_code == 0, first.output
    assert any((out / "pages").iterdir())  # page images were written inside the input folder
    indicators = len(pd.read_parquet(out / "indicators.parquet"))
    second = jixiao(tmp_path, "--out", out, "--jobs", 1, "--force")
    assert second.exit_code == 0, second.output
    documents = pd.read_parquet(out / "documents.parquet")
    assert documents["source_path"].tolist() == ["quwo_2021.pdf"]
    assert len(pd.read_parquet(out / "indicators.parquet")) == indicators


def test_a_run_killed_while_writing_leaves_the_previous_complete_set(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out) as folder:
        stage = folder.stage()
        (stage / "documents.csv").write_text("old\n")
        (stage / "projects.csv").write_text("old\n")
        folder.commit(stage)
    with OutputFolder(out) as folder:  # the next run: killed after half its files, and after one new link
        stage = folder.stage()
        (stage / "documents.csv").write_text("new\n")
        (stage / "report.html").write_text("new\n")
        folder._link("report.html")
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert [(out / n).read_text() for n in ("documents.csv", "projects.csv")] == ["old\n", "old\n"]
    assert not (out / "report.html").exists()  # a link into the set not yet swapped in shows nothing
    assert not [n for n in visible if n.endswith(".tmp")]
    with OutputFolder(out):  # a later run clears what the killed one left
        assert [p.name for p in (out / ".sets").iterdir()] == [os.readlink(out / ".current").split("/")[-1]]


def test_a_second_run_into_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out):
        with pytest.raises(OutputError, match="another jixiao run"):
            OutputFolder(out).open()
        refused = jixiao(tmp_path, "--out", out)
    assert refused.exit_code == 2 and "another jixiao run" in refused.output


def test_environment_errors_exit_2_before_any_file_is_read(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(QUWO, tmp_path / "in" / "quwo_2021.pdf")
    (tmp_path / "taken").write_text("a file")
    for out in (tmp_path / "taken", Path("/proc/jixiao-out"), tmp_path / "in", tmp_path):
        result = jixiao(tmp_path / "in", "--out", out)
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "in" / ".jixiao-output").exists() and not (tmp_path / ".jixiao-output").exists()


@pytest.mark.parametrize("option", [("--timeout", "-1"), ("--timeout", "0"), ("--ocr-engine", "bogus"), ("--jobs", "0")])
def test_bad_option_values_are_usage_errors(tmp_path, option):
    result = jixiao(tmp_path, "--out", tmp_path / "out", *option)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and option[0] in result.output
    assert not (tmp_path / "out").exists()


def test_no_report_rerun_removes_the_previous_report_and_a_failing_report_costs_only_itself(tmp_path, monkeypatch):
    shutil.copy(QUWO, tmp_path / "quwo_2021.pdf")
    out = tmp_path.parent / f"{tmp_path.name}-out"
    assert jixiao(tmp_path, "--out", out, "--jobs", 1).exit_code == 0
    assert (out / "report.html").is_file() and (out / "datapackage.json").is_file()
    assert jixiao(tmp_path, "--out", out, "--no-report").exit_code == 0
    assert not (out / "report.html").exists() and not (out / "datapackage.json").exists()
    assert not [p for p in out.iterdir() if p.is_symlink() and not p.exists()]

    def broken_report(stage_dir):
        (stage_dir / "report.html").write_text("half")
        raise MemoryError("DecompressionBombError: 2073600000 pixels")

    monkeypatch.setattr("pipeline.extras._write_report", broken_report)
    result = jixiao(tmp_path, "--out", out)
    assert result.exit_code == 0 and "report not written" in result.output
    assert not (out / "report.html").exists()
    assert len(pd.read_parquet(out / "indicators.parquet")) > 0


def test_outputs_take_the_users_umask(tmp_path):
    shutil.copy(QUWO, tmp_path / "quwo_2021.pdf")
    out = tmp_path.parent / f"{tmp_path.name}-out"
    old = os.umask(0o022)
    try:
        assert jixiao(tmp_path, "--out", out, "--no-report").exit_code == 0
    finally:
        os.umask(old)
    for path in [out / "documents.csv", out / "indicators.parquet", *(out / ".cache").rglob("*.pkl")]:
        assert path.resolve().stat().st_mode & 0o777 == 0o644, path


# ---------------------------------------------------------------- pages, time limits, jobs (#14 cases 6, 7, 9, 10)


def test_full_disk_while_drawing_page_images_keeps_the_data(tmp_path, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pipeline.page_images.draw_text_pages", no_space)
    result = process_file(InputItem("quwo_2021.pdf", QUWO), Settings(ocr=False, debug_dir=tmp_path / "pages"))
    assert result.document["status"] == "ok" and result.indicators


def test_a_huge_page_never_costs_the_batch(tmp_path):
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14400, 14400))  # 200 x 200 inches
    pdf.save(tmp_path / "poster.pdf")
    shutil.copy(QUWO, tmp_path / "quwo_2021.pdf")
    out = tmp_path.parent / f"{tmp_path.name}-out"
    result = jixiao(tmp_path, "--out", out, "--jobs", 1)
    assert result.exit_code == 0, result.output
    documents = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    assert documents.loc["quwo_2021.pdf", "status"] == "ok" and documents.loc["poster.pdf", "status"] == "skipped"


def test_a_scan_past_its_time_limit_keeps_its_finished_pages(monkeypatch):
    """A 'scan' whose pages 1-2 are read and whose page 3 runs out of time: their rows, partial, file_type pdf_scanned."""
    from extractors.pdf_text import extract_pdf_text

    text_grid, kinds = extract_pdf_text(QUWO)
    blank = type(text_grid)(tables=(), lines=(), pages=text_grid.pages, page_kinds=text_grid.page_kinds)

    def scanned(path, pages, engine, debug_dir, on_page):
        for number in pages:
            if number > 2:
                raise FileTimeout()
            on_page(number, [t for t in text_grid.tables if t.page == number],
                    [line for line in text_grid.lines if line.page == number])

    monkeypatch.setattr("extractors.pdf_text.extract_pdf_text", lambda path: (blank, ["scanned"] * len(kinds)))
    monkeypatch.setattr("extractors.scan.extract_scanned_pdf", scanned)
    monkeypatch.setattr("extractors.ocr_engines.get_engine", lambda name: None)
    result = process_file(InputItem("scan.pdf", QUWO), Settings(timeout=5))
    document = result.document
    assert document["status"] == "partial" and document["file_type"] == "pdf_scanned"
    assert "timed out after 5 s of CPU time: 2 scanned page(s) read" in document["error"]
    assert result.indicators and {i["page"] for i in result.indicators} <= {1, 2}
    assert result.transient  # never cached: a re-run tries the whole file again


def test_jobs_above_the_cpu_count_are_capped_and_good_files_do_not_time_out(tmp_path):
    copies(tmp_path / "in", 2)
    result = jixiao(tmp_path / "in", "--out", tmp_path / "out", "--jobs", 64, "--no-report", "--timeout", 60)
    assert result.exit_code == 0, result.output
    assert "capped" in result.output.splitlines()[0]
    assert set(pd.read_parquet(tmp_path / "out" / "documents.parquet")["status"]) == {"ok"}


def test_a_crashing_and_a_hung_reader_cost_only_their_rows(tmp_path):
    from tests.batch_hooks import CrashingItem, HangingItem

    copies(tmp_path, 3)
    paths = sorted(tmp_path.glob("*.pdf"))
    items = [CrashingItem(paths[0].name, paths[0]), HangingItem(paths[1].name, paths[1]), InputItem(paths[2].name, paths[2])]
    plan, store = Plan.of(items), ResultStore(cache=None)
    read_all(plan, Settings(ocr=False, timeout=20, wall_timeout=8, jobs=2), store)
    crashed, hung, good = (store.get(i).document for i in range(3))
    assert crashed["status"] == "failed" and "SIGSEGV" in crashed["error"]
    assert hung["status"] == "failed" and "hung" in hung["error"]
    assert good["status"] == "ok"


# ---------------------------------------------------------------- incremental (#11) and kill -9


def test_rerun_reads_only_new_and_changed_files_and_removed_ones_drop_out(tmp_path):
    copies(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert jixiao(tmp_path / "in", "--out", out, "--no-report").exit_code == 0
    entries = {p: p.stat().st_mtime_ns for p in (out / ".cache").rglob("*.pkl")}
    assert len(entries) == 3
    removed = sorted((tmp_path / "in").glob("*.pdf"))[0]
    removed.unlink()
    shutil.copy(QUWO, tmp_path / "in" / "added.pdf")
    assert jixiao(tmp_path / "in", "--out", out, "--no-report").exit_code == 0
    after = {p: p.stat().st_mtime_ns for p in (out / ".cache").rglob("*.pkl")}
    assert len(after) == 3 and len(set(after) - set(entries)) == 1  # one entry new, the removed file's gone
    assert all(after[p] == entries[p] for p in after if p in entries)  # the others were not read again
    documents = pd.read_parquet(out / "documents.parquet")
    assert removed.name not in set(documents["source_path"]) and "added.pdf" in set(documents["source_path"])
    assert jixiao(tmp_path / "in", "--out", out, "--no-report", "--force").exit_code == 0
    assert all(p.stat().st_mtime_ns != after[p] for p in after)


def test_sigkill_half_way_then_rerun_gives_the_tables_of_an_uninterrupted_run(tmp_path):
    copies(tmp_path / "in", 6)
    assert jixiao(tmp_path / "in", "--out", tmp_path / "whole", "--no-report", "--jobs", 1).exit_code == 0
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "in"), "--out", str(out), "--no-report", "--jobs", "1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list((out / ".cache").rglob("*.pkl"))) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "documents.csv").exists()  # killed before its first set: no table, never half of one
    read_before = len(list((out / ".cache").rglob("*.pkl")))
    assert 2 <= read_before < 6
    assert jixiao(tmp_path / "in", "--out", out, "--no-report", "--jobs", 1).exit_code == 0
    assert_same_tables(out, tmp_path / "whole")


@pytest.mark.ocr
def test_a_scan_stretched_onto_a_200_inch_page_reads_its_table(tmp_path):
    """曲靖 14-13 scanned at 300 dpi, its image stretched over a 141 × 200-inch page: was skipped as
    'no 绩效自评表 found (0 table(s))'; now ok with the 7 indicator rows and the funds of its truth."""
    from tests.test_scan_extractor import stretch_onto_huge_page

    huge = tmp_path / "stretched.pdf"
    stretch_onto_huge_page(DOCS / "scan_pdf" / "qujing_2022_14-13_scan300.pdf", huge)
    result = process_file(InputItem("stretched.pdf", huge), Settings(debug_dir=tmp_path / "pages"))
    assert result.document["status"] == "ok", result.document
    assert result.document["file_type"] == "pdf_scanned"
    truth = pd.read_csv(ROOT / "tests" / "corpus" / "truth" / "qujing_2022" / "indicators.csv")
    truth = truth[truth.project_id == "qujing_2022-14"]
    columns = ["name_raw", "target_raw", "actual_raw", "weight", "score"]
    read = pd.DataFrame(result.indicators)[columns].astype(str)
    pd.testing.assert_frame_equal(read.reset_index(drop=True), truth[columns].astype(str).reset_index(drop=True))
    (project,) = result.projects
    assert (project["budget_full_year"], project["executed"], project["total_score"]) == (1831.0, 1831.0, 100.0)
    (image,) = result.page_images
    from PIL import Image

    with Image.open(image) as drawn:
        assert drawn.width * drawn.height < 4_000_000
