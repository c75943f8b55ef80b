"""Reading one file into its rows, one bad file never stopping the rest (pipeline/batch.py runs the batch).

Each file is read in a worker process (pipeline/workers.py) with a CPU-time limit, so a file that
hangs or crashes its reader costs only its own row in documents.csv.
"""
from __future__ import annotations

import re
import signal
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from extractors.page_kinds import pdf_file_type
from pipeline import detect
from pipeline.archives import ArchiveError
from pipeline.cache import file_digest
from pipeline.inputs import InputItem, digest_of, local_file
from pipeline.model import Grid, Project, Table, TextLine
from pipeline.normalize import project_rows

DEFAULT_TIMEOUT = 300.0


@dataclass
class Settings:
    ocr_engine: str = "rapidocr"
    ocr: bool = True
    timeout: float = DEFAULT_TIMEOUT
    jobs: int = 1
    debug_dir: Path | None = None
    wall_timeout: float = 0.0  # wall-clock seconds before a worker is deemed hung; 0: twice the timeout plus a minute
    taxonomy: Path | None = None  # a team's own taxonomy CSV instead of the packaged one
    convert_timeout: float = 120.0  # seconds LibreOffice may take to convert one legacy Office/WPS file

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout}")
        if self.wall_timeout < 0:
            raise ValueError(f"wall_timeout must not be negative, not {self.wall_timeout}")
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, not {self.jobs}")


@dataclass
class FileResult:
    document: dict
    projects: list[dict] = field(default_factory=list)
    funds: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    page_images: list[str] = field(default_factory=list)
    pages_drawn: bool = False  # page images were drawn for the report (settings.debug_dir set)
    transient: bool = False  # the outcome of this run's conditions (time limit, crash), not of the bytes: never cached


@dataclass
class PartialRead:
    """What a reader finished before its time ran out: the text-layer grid, the scanned pages read, the file_type."""

    base: Grid | None = None
    file_type: str = ""
    tables: list[Table] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    pages_done: int = 0

    def add_page(self, number: int, tables: list[Table], lines: list[TextLine]) -> None:
        self.tables += tables
        self.lines += lines
        self.pages_done += 1

    def grid(self) -> Grid | None:
        if self.base is None:
            return None
        return Grid(tables=self.base.tables + tuple(self.tables), lines=self.base.lines + tuple(self.lines),
                    pages=self.base.pages, page_kinds=self.base.page_kinds)


class FileTimeout(BaseException):
    """Raised by the per-file alarm; a BaseException so readers' `except Exception` cannot swallow it."""


class NotAReport(Exception):
    """The file was read but holds no 绩效自评表 (status skipped)."""


class BadInput(ValueError):
    """The file cannot be read at all; its message is the documents.csv error as it stands."""


def doc_id_of(path: Path) -> str:
    """A document's id: the first 16 hex digits of its bytes' SHA-256."""
    return file_digest(path)[:16]


@contextmanager
def suffixed(path: Path, suffix: str) -> Iterator[Path]:
    """path itself when it ends in suffix, else a link to it that does, for readers that go by the name."""
    if path.suffix.lower() == suffix:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-named-") as folder:
        link = Path(folder) / f"file{suffix}"
        link.symlink_to(path.resolve())
        yield link


def read_grid(path: Path, kind: str, settings: Settings, debug_dir: Path | None,
              partial: PartialRead | None = None) -> tuple[Grid, str, list[str]]:
    """Dispatch to the extractor for the kind; return the Grid, the file_type and warnings.

    partial, when given, receives what is read as it is read (a PDF's text layer, then each scanned page)."""
    warnings: list[str] = []
    partial = partial or PartialRead()
    if kind == detect.PDF:
        from extractors.pdf_text import extract_pdf_text

        grid, kinds = extract_pdf_text(path)
        partial.base, partial.file_type = grid, pdf_file_type(kinds)
        need_ocr = [number for number, page_kind in enumerate(kinds, start=1) if page_kind != "text"]
        if need_ocr:
            if not settings.ocr:
                warnings.append(f"{len(need_ocr)} page(s) without a usable text layer not read (OCR off)")
            else:
                from extractors.ocr_engines import get_engine
                from extractors.scan import extract_scanned_pdf

                scanned = extract_scanned_pdf(path, pages=need_ocr, engine=get_engine(settings.ocr_engine),
                                              debug_dir=debug_dir, on_page=partial.add_page)
                grid = Grid(
                    tables=grid.tables + scanned.tables, lines=grid.lines + scanned.lines,
                    pages=grid.pages, page_kinds=grid.page_kinds,
                )
        return grid, pdf_file_type(kinds), warnings
    if kind == detect.IMAGE:
        if not settings.ocr:
            raise NotAReport("image not read: OCR is off")
        from extractors.image import extract_image
        from extractors.ocr_engines import get_engine

        return extract_image(path, engine=get_engine(settings.ocr_engine), debug_dir=debug_dir), "image", warnings
    if kind == detect.DOCX:
        from extractors.docx import extract_docx

        grid = extract_docx(path)
        if not grid.tables:  # a Word file of pasted scans: its pictures are its pages
            grid = read_pasted_scans(path, settings) or grid
        return grid, "docx", warnings
    if kind == detect.XLSX:
        from extractors.xlsx import extract_xlsx

        with suffixed(path, ".xlsx") as named:  # openpyxl refuses a workbook by its name (a .xls that is XLSX)
            return extract_xlsx(named), "xlsx", warnings
    if kind == detect.XLS:
        from extractors.xlsx import extract_xls

        return extract_xls(path), "xls", warnings
    if kind == detect.HTML:
        from extractors.html import extract_html

        return extract_html(path), "html", warnings
    if kind == detect.MHT:
        from extractors.html import extract_mht

        return extract_mht(path), "mht", warnings
    if kind in detect.LEGACY_OFFICE:
        from extractors.legacy_office import convert

        target = detect.LEGACY_OFFICE[kind]
        converted = convert(path, kind, target, timeout=settings.convert_timeout)
        if target == "docx":
            from extractors.docx import extract_docx

            return extract_docx(converted), kind, warnings
        from extractors.xlsx import extract_xlsx

        return extract_xlsx(converted), kind, warnings
    if kind == detect.OFD:
        from extractors.ofd import extract_ofd

        return extract_ofd(path), "ofd", warnings
    if kind == detect.CSV:
        from extractors.delimited import extract_delimited

        return extract_delimited(path), "csv", warnings
    if kind == detect.ENCRYPTED_OFFICE:
        raise BadInput("encrypted Office file: needs a password")
    if kind in detect.ARCHIVES:
        raise BadInput(f"{kind} archive inside an archive inside an archive: not opened (one level of nesting is read)")
    raise NotAReport(f"not a kind of file jixiao reads ({kind}, suffix {path.suffix or 'none'})")


def read_pasted_scans(path: Path, settings: Settings) -> Grid | None:
    """The page-sized pictures of a Word file without tables, read by OCR as its pages (None: no such picture)."""
    from extractors.docx import pasted_scans

    with tempfile.TemporaryDirectory(prefix="jixiao-docx-") as folder:
        scans = pasted_scans(path, Path(folder))
        if not scans:
            return None
        if not settings.ocr:
            raise NotAReport(f"Word file of {len(scans)} scanned picture(s), not read: OCR is off")
        from extractors.image import extract_images
        from extractors.ocr_engines import get_engine

        return extract_images(scans, engine=get_engine(settings.ocr_engine))


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
    """Read one input into its rows; never raises (FileTimeout aside, which read_with_limit turns into a row)."""
    started = time.perf_counter()
    document = {
        "source_path": item.source_path, "status": "failed", "error": "",
        "file_type": "", "pages": None, "n_projects": 0, "n_indicators": 0,
    }
    result = FileResult(document=document, pages_drawn=settings.debug_dir is not None)
    partial = PartialRead()
    try:
        if item.skip_reason:
            raise NotAReport(item.skip_reason)
        if item.error:
            document["doc_id"] = digest_of(item)[:16]
            raise BadInput(item.error)
        with local_file(item) as path:
            try:
                read_into(result, path, settings, partial, item.name)
            except FileTimeout:
                keep_partial(result, path, partial, settings, item.name)
    except NotAReport as reason:
        document.update(status="skipped", error=str(reason))
    except (BadInput, ArchiveError) as error:
        document.update(status="failed", error=str(error))
    except (FileNotFoundError, PermissionError) as error:  # the run's conditions, not the bytes: never cached
        result.transient = True
        document.update(status="failed", error="file removed or renamed while the batch ran" if isinstance(error, FileNotFoundError)
                        else f"not readable: {error.strerror or 'permission denied'}")
    except Exception as error:  # one file's failure is its own row, never the batch's
        document.update(status="failed", error=describe(error))
    document["seconds"] = round(time.perf_counter() - started, 3)
    return result


def read_into(result: FileResult, path: Path, settings: Settings, partial: PartialRead | None = None, name: str = "") -> None:
    """Read the file at path (named `name` in the input) into result's rows; raises NotAReport / BadInput / FileTimeout / any reader error.

    The file is read as what its bytes are, whatever its name says (a .pdf that is a DOCX, a .xls
    that is an HTML table). A file whose name claims another kind and whose bytes are an HTML page
    holding no report, or nothing jixiao knows, fails: that is a download gone wrong (an error page).
    """
    document = result.document
    document["doc_id"] = doc_id_of(path)
    kind = detect.sniff(path)
    if kind == detect.EMPTY:
        raise BadInput("empty file (0 bytes)")
    claimed = detect.claimed_kind(path)
    if claimed not in (kind, detect.UNKNOWN) and kind == detect.UNKNOWN:
        raise BadInput(f"not a {claimed.upper()} despite its name: unrecognised bytes")
    if claimed == detect.PDF and kind == detect.HTML:
        raise BadInput("not a PDF despite its name: an HTML page (often a scraper's saved error page)")
    document["file_type"] = {detect.PDF: "pdf_text"}.get(kind, kind)
    debug_dir = settings.debug_dir / document["doc_id"] if settings.debug_dir else None
    try:
        grid, file_type, warnings = read_grid(path, kind, settings, debug_dir, partial)
    except (NotAReport, BadInput):
        raise
    except Exception as error:
        if claimed not in (kind, detect.UNKNOWN):
            raise BadInput(f"{kind.upper()} content under a .{claimed} name, not readable: {describe(error)}") from None
        raise
    if debug_dir and kind == detect.PDF:
        try:
            from pipeline.page_images import draw_text_pages

            draw_text_pages(path, grid, debug_dir)
        except Exception:  # a page picture (full disk, a page too big to draw) is the report's loss, never the data's
            pass
    try:
        fill(result, grid, file_type, warnings, name or path.name, debug_dir)
    except NotAReport:
        if kind == detect.HTML and claimed not in (kind, detect.UNKNOWN):
            raise BadInput(f"not a {claimed.upper()} despite its name: an HTML page without a 绩效自评表 "
                           "(often a scraper's saved error page)") from None
        raise


def keep_partial(result: FileResult, path: Path, partial: PartialRead, settings: Settings, name: str = "") -> None:
    """A file that ran out of time: the pages it finished as a partial document, else a failed row."""
    result.transient = True
    document = result.document
    document["file_type"] = partial.file_type or document.get("file_type", "")
    limit = f"timed out after {settings.timeout:g} s of CPU time"
    grid = partial.grid()
    if grid is None or not partial.pages_done:
        raise BadInput(limit)
    warning = f"{limit}: {partial.pages_done} scanned page(s) read before the limit"
    try:
        fill(result, grid, partial.file_type, [warning], name or path.name, None)
    except NotAReport:
        raise BadInput(f"{warning}, no 绩效自评表 among them") from None


def fill(result: FileResult, grid: Grid, file_type: str, warnings: list[str], name: str, debug_dir: Path | None) -> None:
    """Segment the grid into the result's rows; status partial when the reader left warnings."""
    warnings = [*warnings, *grid.warnings]
    document = result.document
    document.update(file_type=file_type, pages=grid.pages, page_kinds=";".join(grid.page_kinds))
    if debug_dir and debug_dir.exists():
        result.page_images = sorted(str(p) for p in debug_dir.iterdir() if p.suffix in (".png", ".jpg"))
    from pipeline.segment import segment

    projects, lines = segment(grid)
    projects = [p for p in projects if is_read(p)]
    if not projects:
        raise NotAReport(f"no 绩效自评表 found ({len(grid.tables)} table(s) read on {grid.pages} page(s))")
    result.projects, result.funds, result.indicators = project_rows(document["doc_id"], projects)
    document.update(document_facts(projects, lines, name))
    document.update(n_projects=len(result.projects), n_indicators=len(result.indicators))
    document["status"] = "partial" if warnings else "ok"
    document["error"] = "; ".join(warnings)


def is_read(project: Project) -> bool:
    """A 自评表 read from the document: indicator rows, or (a 部门整体 table, a form) its funds or goals."""
    return bool(project.indicators or project.funds or project.goal_expected or project.goal_actual)


def document_facts(projects: list[Project], lines: list[TextLine], name: str) -> dict:
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
    region_texts = [department, *[line.text for line in lines[:30]], name]
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


def preload() -> None:
    """Import the readers a worker needs before its first file, so no file's time limit pays for imports."""
    import extractors.pdf_text  # noqa: F401
    import pipeline.segment  # noqa: F401


def read_with_limit(item: InputItem, settings: Settings) -> FileResult:
    """process_file under a CPU-time limit of settings.timeout (the file's own work, not the wait for a core)."""
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, settings.timeout)
    try:
        return process_file(item, settings)
    except FileTimeout:  # the limit hit outside the reader's own try (between two statements of the bookkeeping)
        return failed(item, f"timed out after {settings.timeout:g} s of CPU time", transient=True)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def failed(item: InputItem, error: str, transient: bool = False) -> FileResult:
    """The row of a file whose reading ended without a result of its own (a crash, a hang)."""
    document = {"source_path": item.source_path, "status": "failed", "error": error, "n_projects": 0, "n_indicators": 0}
    document["doc_id"] = digest_of(item)[:16]
    return FileResult(document=document, transient=transient)
