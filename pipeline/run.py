"""The batch: every file under the input folder → the SCHEMA tables, one bad file never stopping the rest.

Each file is read in a worker process with a time limit, so a file that hangs or crashes its
reader costs only its own row in documents.csv.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import detect
from pipeline.inputs import InputItem, list_inputs, local_file
from pipeline.model import Grid, Project, TextLine
from pipeline.normalize import project_rows

DEFAULT_TIMEOUT = 300.0


@dataclass
class Settings:
    ocr_engine: str = "rapidocr"
    ocr: bool = True
    timeout: float = DEFAULT_TIMEOUT
    jobs: int = 1
    debug_dir: Path | None = None
    taxonomy: Path | None = None  # a team's own taxonomy CSV instead of the packaged one


@dataclass
class FileResult:
    document: dict
    projects: list[dict] = field(default_factory=list)
    funds: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    page_images: list[str] = field(default_factory=list)


class FileTimeout(BaseException):
    """Raised by the per-file alarm; a BaseException so readers' `except Exception` cannot swallow it."""


class NotAReport(Exception):
    """The file was read but holds no 绩效自评表 (status skipped)."""


class BadInput(ValueError):
    """The file cannot be read at all; its message is the documents.csv error as it stands."""


def doc_id_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def read_grid(path: Path, kind: str, settings: Settings, debug_dir: Path | None) -> tuple[Grid, str, list[str]]:
    """Dispatch to the extractor for the kind; return the Grid, the file_type and warnings."""
    warnings: list[str] = []
    if kind == detect.PDF:
        from extractors.pdf_text import extract_pdf_text

        grid, kinds = extract_pdf_text(path)
        need_ocr = [number for number, page_kind in enumerate(kinds, start=1) if page_kind != "text"]
        if need_ocr:
            if not settings.ocr:
                warnings.append(f"{len(need_ocr)} page(s) without a usable text layer not read (OCR off)")
            else:
                from extractors.ocr_engines import get_engine
                from extractors.scan import extract_scanned_pdf

                scanned = extract_scanned_pdf(path, pages=need_ocr, engine=get_engine(settings.ocr_engine), debug_dir=debug_dir)
                grid = Grid(
                    tables=grid.tables + scanned.tables, lines=grid.lines + scanned.lines,
                    pages=grid.pages, page_kinds=grid.page_kinds,
                )
        return grid, detect.pdf_file_type(kinds), warnings
    if kind == detect.IMAGE:
        if not settings.ocr:
            raise NotAReport("image not read: OCR is off")
        from extractors.image import extract_image
        from extractors.ocr_engines import get_engine

        return extract_image(path, engine=get_engine(settings.ocr_engine), debug_dir=debug_dir), "image", warnings
    if kind == detect.DOCX:
        from extractors.docx import extract_docx

        return extract_docx(path), "docx", warnings
    if kind == detect.XLSX:
        from extractors.xlsx import extract_xlsx

        return extract_xlsx(path), "xlsx", warnings
    if kind == detect.XLS:
        from extractors.xlsx import extract_xls

        return extract_xls(path), "xls", warnings
    if kind == detect.HTML:
        from extractors.html import extract_html

        return extract_html(path), "html", warnings
    raise NotAReport(f"not a kind of file jixiao reads ({kind}, suffix {path.suffix or 'none'})")


def describe(error: BaseException) -> str:
    """One line a person can act on."""
    while error.args and isinstance(error.args[0], BaseException):  # pdfplumber wraps pdfminer's errors
        error = error.args[0]
    name = type(error).__name__
    text = " ".join(str(error).split())
    if "password" in text.lower() or "encrypt" in text.lower() or name in ("PDFPasswordIncorrect", "PasswordError"):
        return "encrypted PDF: needs a password"
    if name in ("PDFSyntaxError", "PSEOF", "PdfminerException", "PSSyntaxError", "PdfiumError"):
        return f"corrupt or truncated PDF ({text or name})"
    if isinstance(error, ValueError) and text:
        return text[:300]  # the readers' own errors are written to be read as they stand
    return f"{name}: {text}"[:300] if text else name


def process_file(item: InputItem, settings: Settings) -> FileResult:
    """Read one input into its rows; never raises."""
    started = time.perf_counter()
    document = {
        "source_path": item.source_path, "status": "failed", "error": "",
        "file_type": "", "pages": None, "n_projects": 0, "n_indicators": 0,
    }
    result = FileResult(document=document)
    try:
        with local_file(item) as path:
            read_into(result, path, settings)
    except NotAReport as reason:
        document.update(status="skipped", error=str(reason))
    except BadInput as error:
        document.update(status="failed", error=str(error))
    except FileTimeout:
        document.update(status="failed", error=f"timed out after {settings.timeout:.0f} s")
    except Exception as error:  # one file's failure is its own row, never the batch's
        document.update(status="failed", error=describe(error))
    document["seconds"] = round(time.perf_counter() - started, 3)
    return result


def read_into(result: FileResult, path: Path, settings: Settings) -> None:
    """Read the file at path into result's rows; raises NotAReport / BadInput / any reader error."""
    document = result.document
    document["doc_id"] = doc_id_of(path)
    kind = detect.sniff(path)
    if kind == detect.EMPTY:
        raise BadInput("empty file (0 bytes)")
    claimed = detect.claimed_kind(path)
    if claimed != kind and claimed in (detect.PDF, detect.DOCX, detect.XLSX):
        what = {detect.HTML: "an HTML page (often a scraper's saved error page)", detect.UNKNOWN: "unrecognised bytes"}
        raise BadInput(f"not a {claimed.upper()} despite its name: {what.get(kind, kind)}")
    document["file_type"] = {detect.PDF: "pdf_text"}.get(kind, kind)
    debug_dir = settings.debug_dir / document["doc_id"] if settings.debug_dir else None
    grid, file_type, warnings = read_grid(path, kind, settings, debug_dir)
    document.update(file_type=file_type, pages=grid.pages, page_kinds=";".join(grid.page_kinds))
    if debug_dir and kind == detect.PDF:
        from pipeline.page_images import draw_text_pages

        draw_text_pages(path, grid, debug_dir)
    if debug_dir and debug_dir.exists():
        result.page_images = sorted(str(p) for p in debug_dir.iterdir() if p.suffix in (".png", ".jpg"))
    from pipeline.segment import segment

    projects, lines = segment(grid)
    projects = [p for p in projects if is_read(p)]
    if not projects:
        raise NotAReport(f"no 绩效自评表 found ({len(grid.tables)} table(s) read on {grid.pages} page(s))")
    result.projects, result.funds, result.indicators = project_rows(document["doc_id"], projects)
    document.update(document_facts(projects, lines, path))
    document.update(n_projects=len(result.projects), n_indicators=len(result.indicators))
    document["status"] = "partial" if warnings else "ok"
    document["error"] = "; ".join(warnings)


def is_read(project: Project) -> bool:
    """A 自评表 read from the document: indicator rows, or (a 部门整体 table, a form) its funds or goals."""
    return bool(project.indicators or project.funds or project.goal_expected or project.goal_actual)


def document_facts(projects: list[Project], lines: list[TextLine], path: Path) -> dict:
    """Department, year and kind of report, as far as the document tells, and the texts that name its region."""
    text = "\n".join(line.text for line in lines)
    department = ""
    match = re.search(r"(?:部门|单位|填报单位)\s*[:：]\s*([^\s:：()（）]{4,40})", text)
    if match:
        department = match.group(1)
    for project in projects:
        department = department or (project.project_name if project.kind == "department" else "")
        department = department or project.implementing_unit or project.competent_dept
    if not department:
        tail = [line.text.strip() for line in lines[-5:]]
        department = next((t for t in reversed(tail) if re.fullmatch(r"\S{4,40}(局|厅|支队|总队|大队|委员会|中心|办公室)", t)), "")
    region_texts = [department, *[line.text for line in lines[:30]], path.name]
    years = [p.fiscal_year for p in projects if p.fiscal_year]
    kinds = {p.kind for p in projects}
    if "转移支付" in text[:2000]:
        report_kind = "transfer"
    else:
        report_kind = kinds.pop() if len(kinds) == 1 else "mixed"
    return {
        "region_texts": region_texts,
        "department": department,
        "fiscal_year": max(set(years), key=years.count) if years else None,
        "report_kind": report_kind,
    }


def _alarm(signum, frame):
    raise FileTimeout()


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _alarm)


def _work(item: InputItem, settings: Settings) -> FileResult:
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    try:
        return process_file(item, settings)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Gazetteers:
    """The name taxonomy and the region gazetteer, loaded once in the parent while workers read files."""

    def __init__(self, taxonomy: Path | None = None) -> None:
        self._taxonomy = taxonomy
        self._thread = threading.Thread(target=self._load, daemon=True)
        self._thread.start()

    def _load(self) -> None:
        from normalizers.names import NameMatcher
        from normalizers.region import find_region

        self.matcher = NameMatcher(self._taxonomy.read_text(encoding="utf-8") if self._taxonomy else None)
        self.find_region = find_region
        find_region(["北京市"])  # builds cpca's automaton now rather than on the first document

    def join(self) -> None:
        self._thread.join()

    def finish(self, result: FileResult) -> None:
        """Match indicator names and resolve the region of one file's rows."""
        from pipeline.normalize import match_names

        self._thread.join()
        match_names(result.indicators, self.matcher)
        texts = result.document.pop("region_texts", None)
        if texts:
            result.document.update(self.find_region(texts))


def run_batch(input_dir: Path, settings: Settings, progress=None) -> list[FileResult]:
    """Process every file in worker processes; a worker that dies or hangs fails only its file."""
    files = list_inputs(input_dir)
    results: dict[int, FileResult] = {}
    # Workers fork from this process with the readers already imported (spawn where fork is unsafe);
    # the gazetteer thread starts only after the fork, so no worker inherits a thread mid-work.
    import extractors.pdf_text  # noqa: F401
    import pipeline.segment  # noqa: F401

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    gazetteers: Gazetteers | None = None
    todo = list(range(len(files)))
    while todo:
        pool = context.Pool(max(1, min(settings.jobs, len(todo))), initializer=_worker_init)
        gazetteers = gazetteers or Gazetteers(settings.taxonomy)
        pending = {index: pool.apply_async(_work, (files[index], settings)) for index in todo}
        todo = []
        try:
            for index, future in pending.items():
                try:
                    results[index] = future.get(timeout=settings.timeout + 30)
                except multiprocessing.TimeoutError:
                    results[index] = crashed(files[index], f"worker hung or died past {settings.timeout:.0f} s")
                    todo = [i for i in pending if i not in results]
                    break
                except Exception as error:
                    results[index] = crashed(files[index], f"reader crashed: {describe(error)}")
                gazetteers.finish(results[index])
                if progress:
                    progress(files[index], results[index])
        finally:
            pool.terminate()
            pool.join()
    if gazetteers is not None:
        gazetteers.join()
    return [results[index] for index in range(len(files))]


def crashed(item: InputItem, error: str) -> FileResult:
    document = {"source_path": item.source_path, "status": "failed", "error": error}
    try:
        document["doc_id"] = doc_id_of(item.path)
    except OSError:
        document["doc_id"] = ""
    return FileResult(document=document)


def merge(results: list[FileResult]) -> dict[str, list[dict]]:
    return {
        "documents": [r.document for r in results],
        "projects": [row for r in results for row in r.projects],
        "funds": [row for r in results for row in r.funds],
        "indicators": [row for r in results for row in r.indicators],
    }
