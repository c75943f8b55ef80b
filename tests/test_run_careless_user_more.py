"""Issue #14, beyond its twelve cases: what a data team's download folder and habits bring, each test
named after its situation (run by hand first; these are the ones that broke the contract)."""
from __future__ import annotations

import ctypes
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from pipeline.inputs import InputItem
from pipeline.run import Settings, process_file

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "tests" / "corpus" / "docs"
SCAN = DOCS / "scan_pdf" / "qujing_2022_14-13_scan300.pdf"


def truth_indicators(project_id: str, columns: list[str]) -> pd.DataFrame:
    truth = pd.read_csv(ROOT / "tests" / "corpus" / "truth" / project_id.rsplit("-", 1)[0] / "indicators.csv")
    return truth[truth.project_id == project_id][columns].astype(str).reset_index(drop=True)


def add_layer_of_spaces(source: Path, target: Path, lines: int = 40) -> None:
    """source's first page with an invisible text layer of spaces over it, one text object a line
    (what some OCR tools and converters leave over a scan that they could not read)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(source))
    page = doc[0]
    height = page.get_height()
    for i in range(lines):
        obj = raw.FPDFPageObj_NewTextObj(doc.raw, b"Helvetica", ctypes.c_float(10))
        text = ctypes.create_string_buffer((" " * 30 + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(text, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFTextObj_SetTextRenderMode(obj, raw.FPDF_TEXTRENDERMODE_INVISIBLE)
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 40, height - 40 - 18 * i)
        raw.FPDFPage_InsertObject(page.raw, obj)
    raw.FPDFPage_GenerateContent(page.raw)
    page.close()
    doc.save(str(target))
    doc.close()


@pytest.mark.ocr
def test_a_scan_under_a_text_layer_of_spaces_is_read_by_ocr(tmp_path):
    """40 blank characters over a scan counted as a text layer: the page was `text`, never OCR'd, and
    the report skipped as 'no 绩效自评表 found'. Blank characters say nothing: the page is a scan."""
    from extractors.pdf_text import extract_pdf_text

    layered = tmp_path / "scan_with_spaces.pdf"
    add_layer_of_spaces(SCAN, layered)
    assert extract_pdf_text(layered)[1] == ["scanned"]
    result = process_file(InputItem(layered.name, layered), Settings())
    assert result.document["status"] == "ok", result.document
    assert result.document["file_type"] == "pdf_scanned"
    columns = ["name_raw", "weight", "score"]
    read = pd.DataFrame(result.indicators)[columns].astype(str)
    pd.testing.assert_frame_equal(read, truth_indicators("qujing_2022-14", columns))


@pytest.mark.parametrize("size", [(1, 20000), (20000, 1)])
def test_an_image_one_pixel_wide_or_high_is_skipped_not_a_resize_error(tmp_path, size):
    """A 1 × 20000 px strip was taken for a 1711-dpi A4 page and resized to 0 px: failed with an
    OpenCV assertion. It holds no table: skipped, like any image without a 绩效自评表."""
    strip = tmp_path / "strip.png"
    Image.new("L", size, 255).save(strip)
    document = process_file(InputItem(strip.name, strip), Settings(timeout=60)).document
    assert (document["status"], document["file_type"]) == ("skipped", "image"), document
    assert document["error"].startswith("no 绩效自评表 found")


def test_ctrl_c_while_a_worker_is_reading_stops_it_without_a_thread_traceback(monkeypatch):
    """Ctrl-C ends the batch, which closes its workers while their threads still wait for an answer:
    the thread met a worker without a process and printed an AttributeError traceback. The read now
    ends as a worker that died (its row is never kept: the batch is over)."""
    from pipeline.workers import Worker, WorkerDied

    worker = Worker()

    def closed_while_waiting(self, size, deadline):
        self.close()  # what the batch's main thread does on Ctrl-C, between the send and the answer
        raise EOFError

    monkeypatch.setattr(Worker, "_receive", closed_while_waiting)
    with pytest.raises(WorkerDied, match="stopped"):
        worker.read(InputItem("x.pdf", DOCS / "text_pdf" / "quwo_2021.pdf"), Settings(timeout=30))
    assert worker.process is None


def test_a_sub_folder_without_read_permission_is_a_row_not_the_end_of_the_batch(tmp_path, monkeypatch):
    """A folder the user may not open (chmod 000, another user's) under the input: looking for the
    output marker inside it raised PermissionError and stopped the whole run before any file
    ('jixiao: stopped … Permission denied: …/locked/.jixiao-output', no documents.csv). Now the
    folder is a failed row and the other files are read. (Simulated: the tests may run as root.)"""
    import os

    from pipeline.batch import run_batch

    (tmp_path / "ok.pdf").write_bytes((DOCS / "text_pdf" / "quwo_2021.pdf").read_bytes())
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.pdf").write_bytes((DOCS / "text_pdf" / "jinzhong_2021.pdf").read_bytes())
    denied = OSError(13, "Permission denied")
    real_stat, real_scandir = os.stat, os.scandir

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(locked) + os.sep):
            raise PermissionError(*denied.args, str(path))
        return real_stat(path, *args, **kwargs)

    def scandir(path="."):
        if str(path) == str(locked):
            raise PermissionError(*denied.args, str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    documents = {r.document["source_path"]: r.document for r in run_batch(tmp_path, Settings(ocr=False, timeout=60, jobs=1))}
    assert documents["ok.pdf"]["status"] == "ok"
    assert documents["locked"]["status"] == "failed"
    assert documents["locked"]["error"] == "folder not readable (Permission denied)"


def test_a_worker_that_cannot_be_started_costs_the_files_rows_not_a_hang(tmp_path, monkeypatch):
    """The worker process cannot be started (the venv's python not executable for this user, fork
    refused): the thread serving it died with the exception and the batch waited for its rows
    forever. Each file it was to read is now a failed row saying why."""
    import threading

    from pipeline.batch import run_batch
    from pipeline.workers import Worker

    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes((DOCS / "text_pdf" / "quwo_2021.pdf").read_bytes() + name.encode())

    def refused(self):
        raise PermissionError(13, "Permission denied", "python3")

    monkeypatch.setattr(Worker, "_start", refused)
    results = []
    batch = threading.Thread(target=lambda: results.extend(run_batch(tmp_path, Settings(ocr=False, timeout=60, jobs=2))),
                             daemon=True)
    batch.start()
    batch.join(120)  # a hang detector only: the batch needs well under a second
    assert not batch.is_alive(), "the batch hangs waiting for rows that will never come"
    assert [(r.document["source_path"], r.document["status"]) for r in results] == [("a.pdf", "failed"), ("b.pdf", "failed")]
    assert all("could not be started: Permission denied" in r.document["error"] for r in results)


def test_a_file_removed_while_the_batch_runs_is_a_failed_row_that_is_not_cached(tmp_path):
    """A file listed and hashed, then moved away before its worker reads it (a sync tool, a user
    tidying the folder): its row said 'FileNotFoundError: … /abs/path' and was cached under its
    bytes, so putting the same file back kept it failed until --force. Now it says what happened and
    the next run reads it."""
    from pipeline.batch import Plan, ResultStore, batch_inputs, read_all, results_in_order
    from pipeline.cache import ResultCache

    report = tmp_path / "in" / "report.pdf"
    report.parent.mkdir()
    report.write_bytes((DOCS / "text_pdf" / "quwo_2021.pdf").read_bytes())
    settings = Settings(ocr=False, timeout=60, jobs=1)
    cache = ResultCache(tmp_path / "cache")
    plan = Plan.of(batch_inputs(report.parent))
    report.rename(tmp_path / "away.pdf")
    store = ResultStore(cache)
    read_all(plan, settings, store)
    (document,) = [r.document for r in results_in_order(plan, store)]
    assert (document["status"], document["error"]) == ("failed", "file removed or renamed while the batch ran")
    (tmp_path / "away.pdf").rename(report)
    plan = Plan.of(batch_inputs(report.parent))
    store = ResultStore(cache)
    read_all(plan, settings, store)
    (document,) = [r.document for r in results_in_order(plan, store)]
    assert document["status"] == "ok", document


def tsv_rows() -> list[str]:
    """曲靖 14-1 as a government system exports it: tab-separated text under a .xls name."""
    import openpyxl

    sheet = openpyxl.load_workbook(DOCS / "xlsx" / "qujing_2022_projects.xlsx", data_only=True).worksheets[1]
    return ["\t".join("" if v is None else str(v).replace("\n", " ") for v in row) for row in sheet.iter_rows(values_only=True)]


def test_a_tab_separated_export_whose_first_line_is_longer_than_4_kb_is_read(tmp_path):
    """The bytes sniffer saw one cut line in its 4 KB sample and called a TSV export 'not a XLS despite
    its name: unrecognised bytes' (failed, its 7 indicator rows lost). A first line that long, full of
    tabs, is a table's row."""
    plain, wide = tmp_path / "plain.xls", tmp_path / "wide.xls"
    rows = tsv_rows()
    plain.write_text("\n".join(rows), encoding="utf-8")
    wide.write_text("\n".join([rows[0] + "\t" + "说明" * 1500, *rows[1:]]), encoding="utf-8")
    read = {p.name: process_file(InputItem(p.name, p), Settings(ocr=False, timeout=60)) for p in (plain, wide)}
    for result in read.values():
        assert (result.document["status"], result.document["file_type"]) == ("ok", "csv"), result.document
    def rows(result):
        return [{k: v for k, v in row.items() if k not in ("project_id", "doc_id")} for row in result.indicators]

    assert rows(read["wide.xls"]) == rows(read["plain.xls"]) and len(read["plain.xls"].indicators) == 7


def test_a_huge_single_line_csv_named_xls_is_skipped_as_text_without_a_report(tmp_path):
    """500,000 tab-separated numbers on one 2.9 MB line under a .xls name: failed as 'unrecognised
    bytes'. It is delimited text holding no 绩效自评表 (read capped at 500 columns): skipped."""
    export = tmp_path / "export.xls"
    export.write_bytes("\t".join(str(i) for i in range(500_000)).encode())
    document = process_file(InputItem(export.name, export), Settings(ocr=False, timeout=60)).document
    assert (document["status"], document["file_type"]) == ("skipped", "csv"), document
    assert document["error"].startswith("no 绩效自评表 found")


@pytest.mark.ocr
def test_a_word_file_of_pasted_scans_is_read_by_ocr(tmp_path):
    """A .docx whose pages are scans pasted in as pictures (and a small logo): no Word table, so it was
    skipped as 'no 绩效自评表 found (0 table(s))' though its table is readable. Its page-sized pictures
    are now read as its pages; the logo is not a page; with OCR off it says why it was not read."""
    import docx
    from docx.shared import Inches

    word = tmp_path / "pasted.docx"
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 120), "red").save(logo)
    document = docx.Document()
    document.add_picture(str(logo), width=Inches(1))
    document.add_paragraph("附件")
    document.add_picture(str(DOCS / "image" / "qujing_2022_14-16_300dpi.jpg"), width=Inches(6))
    document.save(word)
    result = process_file(InputItem(word.name, word), Settings())
    assert {k: result.document[k] for k in ("status", "file_type", "pages", "page_kinds")} == {
        "status": "ok", "file_type": "docx", "pages": 1, "page_kinds": "scanned"}, result.document
    columns = ["name_raw", "weight", "score"]
    pd.testing.assert_frame_equal(pd.DataFrame(result.indicators)[columns].astype(str),
                                  truth_indicators("qujing_2022-17", columns))
    off = process_file(InputItem(word.name, word), Settings(ocr=False)).document
    assert (off["status"], off["error"]) == ("skipped", "Word file of 1 scanned picture(s), not read: OCR is off")
