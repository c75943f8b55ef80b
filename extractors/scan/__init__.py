"""Scanned pages and images → tables and text lines, offline.

Per page: whiten red seals (colour) → turn a page fed sideways or upside down → deskew → binarize →
find grey seals' rings → ruled grid from long horizontal/vertical strokes (positions clustered; a
ruling must cross two others and be drawn through between two crossings; cells span the slots whose
shared border is not drawn) → text lines cut from each cell by projection and recognised in one
batch, with no detection inside tables (lone glyphs get a second look: = vs 二, ≤ mirrored, dashes;
cells under a grey seal also try lines stacked about their middle, with and without the ring, and
keep the most confident read) → detection + recognition only on the bands of ink outside tables.
Pixels go back to PDF points through the inverse of the turn and deskew.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from extractors.ocr_engines import OcrEngine, get_engine
from extractors.scan.cells import cell_text, read_cells
from extractors.scan.debug import draw_debug
from extractors.scan.free_text import read_free_text
from extractors.scan.measure import px
from extractors.scan.prepare import PointMapper, prepare_page
from extractors.scan.settings import DEFAULTS, ScanSettings
from pipeline.model import Cell, Grid, Table, TextLine


PAPER_LONG_SIDE_IN = 24.0  # a little over A2's long side (23.4 in): no report is printed on a larger sheet
A4_LONG_SIDE_IN = 11.69


def render_plan(page, settings: ScanSettings = DEFAULTS) -> tuple[float, float]:
    """How to render a page for OCR: (pixels per PDF point, pixels per printed inch).

    The target resolution, lowered to the page's dominant scanned image's own resolution (not below
    min_dpi). A scan stretched onto a page larger than any sheet a report is printed on (a 200-inch
    page whose image the page states at 10 dpi) is read at its own pixels instead: its printed inch
    is taken from the image as a full A4 page (as for an image file with no stated resolution), so
    the page renders about as large as the scan itself and the reader's lengths in inches hold.
    Either way the page is capped at settings.max_pixels."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    best_area, dpi, scale = 0.0, settings.target_dpi, settings.target_dpi / 72
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w_pt, h_pt = right - left, top - bottom
        area = w_pt * h_pt
        if area > best_area and area > 0.3 * width * height:
            px_w, px_h = obj.get_px_size()
            best_area = area
            stated = max(px_w / w_pt, px_h / h_pt) * 72  # the image's pixels per inch of the page
            if stated < settings.min_dpi and max(w_pt, h_pt) / 72 > PAPER_LONG_SIDE_IN:
                printed = min(600.0, max(100.0, max(px_w, px_h) / A4_LONG_SIDE_IN))
                dpi = min(settings.target_dpi, max(settings.min_dpi, printed))
                scale = dpi / printed * stated / 72
            else:
                dpi = min(settings.target_dpi, max(settings.min_dpi, stated))
                scale = dpi / 72
    limit = math.sqrt(settings.max_pixels / max(1.0, width * height))
    if scale > limit:
        dpi, scale = dpi * limit / scale, limit
    return scale, dpi


def render_dpi(page, settings: ScanSettings = DEFAULTS) -> float:
    """The resolution a page is read at, in pixels per printed inch (see render_plan)."""
    return render_plan(page, settings)[1]


def extract_scanned_pdf(
    path: Path,
    pages: list[int] | None = None,
    engine: OcrEngine | None = None,
    debug_dir: Path | None = None,
    settings: ScanSettings = DEFAULTS,
    on_page: Callable[[int, list[Table], list[TextLine]], None] | None = None,
) -> Grid:
    """OCR the given 1-based pages (all by default) of a PDF into a Grid; page_kinds "scanned" for those pages.

    on_page(number, tables, lines) is called as each page is read, so a caller whose time runs out
    keeps the pages already finished."""
    import pypdfium2 as pdfium

    engine = engine or get_engine("rapidocr")
    pdf = pdfium.PdfDocument(str(path))
    try:
        n_pages = len(pdf)
        wanted = pages if pages is not None else list(range(1, n_pages + 1))
        tables: list[Table] = []
        lines: list[TextLine] = []
        for number in wanted:
            page = pdf[number - 1]
            scale, dpi = render_plan(page, settings)
            image = page.render(scale=scale).to_numpy()
            page.close()
            debug = debug_dir / f"{path.stem}-p{number:03d}.png" if debug_dir else None
            t, l = extract_image_page(image, number, 1 / scale, engine, debug_path=debug, settings=settings, dpi=dpi)
            tables += t
            lines += l
            if on_page:
                on_page(number, t, l)
    finally:
        pdf.close()
    kinds = tuple("scanned" if n in set(wanted) else "" for n in range(1, n_pages + 1))
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=n_pages, page_kinds=kinds)


def extract_image_page(
    image: np.ndarray,
    page: int,
    scale: float,
    engine: OcrEngine,
    debug_path: Path | None = None,
    settings: ScanSettings = DEFAULTS,
    dpi: float | None = None,
) -> tuple[list[Table], list[TextLine]]:
    """Tables and text lines of one page image (BGR or gray); `scale` is PDF points per pixel, `dpi`
    pixels per printed inch (72 / scale unless the page's points are not printed points: a stretched scan).
    A page narrower or shorter than the smallest table holds none (and would shrink to nothing)."""
    dpi = dpi or 72.0 / scale
    if min(image.shape[:2]) < px(settings.min_table[1], dpi):
        return [], []
    prepared = prepare_page(image, dpi, settings, engine)
    to_points = PointMapper(cv2.invertAffineTransform(prepared.matrix), scale, image.shape[1], image.shape[0])
    cell_reads, crop_boxes = read_cells(prepared, engine)

    tables = []
    for g_index, grid in enumerate(prepared.grids):
        outline = (grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1])
        cells = []
        for c_index, (r, c, rs, cs) in enumerate(grid.cells):
            reads = cell_reads.get((g_index, c_index), [])
            kept = [(t, s) for t, s in reads if s >= settings.min_score and t.strip()]
            # empty cell: 1.0; ink that read as nothing credible: the best score seen (below min_score)
            confidence = (sum(s for _, s in kept) / len(kept) if kept
                          else max((s for _, s in reads), default=1.0))
            box = grid.box(r, c, rs, cs)
            cells.append(Cell(row=r, col=c, text=cell_text([t for t, _ in kept]), rowspan=rs, colspan=cs,
                              page=page, bbox=to_points(box), confidence=round(confidence, 4),
                              upright=to_points.upright(box)))
        tables.append(Table(
            cells=tuple(cells), n_rows=len(grid.ys) - 1, n_cols=len(grid.xs) - 1, page=page,
            bbox=to_points(outline), method="scan-lattice-ocr", upright=to_points.upright(outline),
        ))

    free = read_free_text(prepared, engine, settings.min_score)
    lines = [TextLine(text=b.text, page=page, bbox=to_points(b.bbox)) for b in free]
    if debug_path is not None:
        draw_debug(prepared, crop_boxes, free, debug_path)
    return tables, lines
