"""Debug drawing of what the scan extractor saw on a page."""
from __future__ import annotations

from pathlib import Path

import cv2

from extractors.ocr_engines import OcrBox
from extractors.scan.prepare import PageImage


def draw_debug(prepared: PageImage, crop_boxes, free: list[OcrBox], path: Path) -> None:
    """Deskewed page with cells (green), line crops read inside cells (blue) and text outside tables (red)."""
    canvas = cv2.cvtColor(prepared.clean, cv2.COLOR_GRAY2BGR)
    for grid in prepared.grids:
        for r, c, rs, cs in grid.cells:
            x0, y0, x1, y1 = grid.box(r, c, rs, cs)
            cv2.rectangle(canvas, (x0 + 2, y0 + 2), (x1 - 2, y1 - 2), (0, 170, 0), 2)
            if rs > 1 or cs > 1:
                cv2.putText(canvas, f"{rs}x{cs}", (x0 + 6, y1 - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 170, 0), 2)
    for x0, y0, x1, y1 in crop_boxes:
        cv2.rectangle(canvas, (x0, y0), (x1, y1), (255, 80, 0), 1)
    for box in free:
        x0, y0, x1, y1 = (int(v) for v in box.bbox)
        cv2.rectangle(canvas, (x0, y0), (x1, y1), (0, 0, 230), 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), canvas)
