"""QA page images for text-layer PDF pages: the page rendered with the detected cells drawn over it.

Scanned pages get theirs from the OCR extractor; both are named `<stem>-pNNN` so the report
places them by page.
"""
from __future__ import annotations

from pathlib import Path

import pypdfium2
from PIL import ImageDraw

from pipeline.model import Grid

DPI = 110  # A4 → 909 px wide: under the report's 1000 px, so it embeds the file as it is
CELL = (0, 120, 255)
TABLE = (230, 40, 40)


def draw_text_pages(path: Path, grid: Grid, out_dir: Path) -> list[Path]:
    """Render each text page that holds a table and outline its tables and cells."""
    pages = sorted({table.page for table in grid.tables if table.cells and table.cells[0].bbox is not None})
    if not pages:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    scale = DPI / 72
    written = []
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for number in pages:
            if grid.page_kinds and grid.page_kinds[number - 1] != "text":
                continue
            image = pdf[number - 1].render(scale=scale).to_pil().convert("RGB")
            draw = ImageDraw.Draw(image)
            for table in (t for t in grid.tables if t.page == number):
                for cell in table.cells:
                    box = cell.bbox
                    draw.rectangle([box.x0 * scale, box.top * scale, box.x1 * scale, box.bottom * scale], outline=CELL, width=1)
                if table.bbox is not None:
                    box = table.bbox
                    draw.rectangle([box.x0 * scale, box.top * scale, box.x1 * scale, box.bottom * scale], outline=TABLE, width=3)
            target = out_dir / f"{path.stem}-p{number:03d}.jpg"
            image.save(target, quality=75)
            written.append(target)
    finally:
        pdf.close()
    return written
