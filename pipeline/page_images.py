"""QA page images: text-layer PDF pages rendered with the detected cells drawn over them, bounded in
pixels per page and in bytes per batch.

Scanned pages get theirs from the OCR extractor; both are named `<stem>-pNNN` so the report places
them by page. A page that cannot be drawn (a renderer error, a full disk) or that falls beyond the
batch's disk budget loses its picture only: its reason is kept in `omitted.json` beside the images
(page number → reason), which the report shows; the document's data is never touched.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pypdfium2
from PIL import ImageDraw

from pipeline.model import Grid
from pipeline.outdir import write_text

DPI = 110                    # A4 → 909 × 1286 px
MAX_PAGE_PIXELS = 4_000_000  # a 200 × 200-inch page renders at 2000 × 2000 px, not 22000 × 22000
MAX_PAGE_SIDE = 4000         # and a 1 × 200-inch strip at most 4000 px long
DEFAULT_BUDGET_BYTES = 1 << 30
IMAGE_SUFFIXES = (".png", ".jpg")
OMITTED = "omitted.json"
CELL = (0, 120, 255)
TABLE = (230, 40, 40)


def render_scale(width_pt: float, height_pt: float) -> float:
    """Pixels per point for a page: DPI, lowered so the page stays within the pixel bounds."""
    width_pt, height_pt = max(width_pt, 1.0), max(height_pt, 1.0)
    return min(DPI / 72, math.sqrt(MAX_PAGE_PIXELS / (width_pt * height_pt)), MAX_PAGE_SIDE / max(width_pt, height_pt))


def draw_text_pages(path: Path, grid: Grid, out_dir: Path) -> list[Path]:
    """Render each text page that holds a table and outline its tables and cells; never raises.

    A page that fails to render or to save is listed in omitted.json with the reason.
    """
    pages = sorted({table.page for table in grid.tables if table.cells and table.cells[0].bbox is not None})
    pages = [n for n in pages if not grid.page_kinds or grid.page_kinds[n - 1] == "text"]
    if not pages:
        return []
    written, failed = [], {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        pdf = pypdfium2.PdfDocument(str(path))
    except Exception as error:  # no picture for any page; the rows are read elsewhere
        record_omitted(out_dir, {n: f"not drawn: {_one_line(error)}" for n in pages})
        return []
    try:
        for number in pages:
            target = out_dir / f"{path.stem}-p{number:03d}.jpg"
            try:
                _draw_page(pdf, number, grid, target)
                written.append(target)
            except Exception as error:
                target.unlink(missing_ok=True)
                failed[number] = f"not drawn: {_one_line(error)}"
    finally:
        pdf.close()
    record_omitted(out_dir, failed, [n for n in pages if n not in failed])
    return written


def _draw_page(pdf: pypdfium2.PdfDocument, number: int, grid: Grid, target: Path) -> None:
    page = pdf[number - 1]
    try:
        width, height = page.get_size()
        scale = render_scale(width, height)
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    draw = ImageDraw.Draw(image)
    for table in (t for t in grid.tables if t.page == number):
        for cell in table.cells:
            if cell.bbox is not None:
                box = cell.bbox
                draw.rectangle([box.x0 * scale, box.top * scale, box.x1 * scale, box.bottom * scale], outline=CELL, width=1)
        if table.bbox is not None:
            box = table.bbox
            draw.rectangle([box.x0 * scale, box.top * scale, box.x1 * scale, box.bottom * scale], outline=TABLE, width=3)
    image.save(target, format="JPEG", quality=75)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


def page_number(path: Path) -> int | None:
    """The 1-based page an image shows: the last number of its file stem (`x-p003.jpg` → 3)."""
    found = re.findall(r"\d+", path.stem)
    return int(found[-1]) if found else None


def page_images(doc_dir: Path) -> list[Path]:
    """The page images of one document's folder, in page order."""
    if not doc_dir.is_dir():
        return []
    images = [p for p in doc_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    return sorted(images, key=lambda p: (page_number(p) or 0, p.name))


def omitted_pages(doc_dir: Path) -> dict[int, str]:
    """Pages of a document that have no picture, with the reason (empty when none or unreadable)."""
    try:
        data = json.loads((doc_dir / OMITTED).read_text(encoding="utf-8"))
        return {int(page): str(reason) for page, reason in data.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def record_omitted(doc_dir: Path, reasons: dict[int, str], pictured: list[int] = ()) -> None:
    """Update the folder's omitted.json: add the pages without a picture, drop those that now have one;
    silently gives up when it cannot write (the pictures are the report's, never the data's)."""
    before = omitted_pages(doc_dir)
    merged = {k: v for k, v in {**before, **reasons}.items() if k not in set(pictured) or k in reasons}
    if merged == before:
        return
    try:
        if merged:
            write_text(doc_dir / OMITTED, json.dumps({str(k): merged[k] for k in sorted(merged)}, ensure_ascii=False))
        else:
            (doc_dir / OMITTED).unlink(missing_ok=True)
    except OSError:
        pass


class PageImageBudget:
    """The disk a batch's page images may take: the run calls settle() on each document's image folder
    as its result arrives; images past the budget are deleted and listed in omitted.json."""

    def __init__(self, max_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    def settle(self, doc_dir: Path) -> list[Path]:
        """Keep the folder's images in page order while they fit; return the ones kept."""
        kept, dropped = [], {}
        reason = f"no picture: page-image budget of the batch ({self.max_bytes / 2**20:.1f} MB) used up"
        for image in page_images(doc_dir):
            try:
                size = image.stat().st_size
            except OSError:
                continue
            if self.used + size <= self.max_bytes:
                self.used += size
                kept.append(image)
                continue
            try:
                image.unlink()
            except OSError:
                pass
            number = page_number(image)
            if number is not None:
                dropped[number] = reason
        record_omitted(doc_dir, dropped, [page_number(p) for p in kept])
        return kept
