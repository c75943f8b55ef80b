"""Text outside tables: detection + recognition on the bands of ink outside the ruled tables."""
from __future__ import annotations

import math

import cv2
import numpy as np

from extractors.ocr_engines import DETECT_SIDE, OcrBox, OcrEngine
from extractors.scan.cells import join_lines
from extractors.scan.measure import runs
from extractors.scan.prepare import PageImage
from extractors.scan.settings import DEFAULTS


def read_free_text(prepared: PageImage, engine: OcrEngine, min_score: float = DEFAULTS.min_score) -> list[OcrBox]:
    """Detection + recognition on the horizontal bands of ink outside tables; boxes in page pixels."""
    tol, line_h = prepared.tol, prepared.line_h
    page = prepared.clean.copy()
    outside = prepared.ink.copy()
    for grid in prepared.grids:
        x0, y0, x1, y1 = grid.xs[0] - 2 * tol, grid.ys[0] - 2 * tol, grid.xs[-1] + 2 * tol, grid.ys[-1] + 2 * tol
        page[max(0, y0): y1, max(0, x0): x1] = 255
        outside[max(0, y0): y1, max(0, x0): x1] = 0
    bands: list[list[int]] = []
    for a, b in runs(outside.any(axis=1)):
        if bands and a - bands[-1][1] < 1.5 * line_h:
            bands[-1][1] = b
        else:
            bands.append([a, b])
    crops: list[tuple[int, int, np.ndarray]] = []  # (x, y) of each band's crop on the page, and the crop
    margin = int(0.5 * line_h)
    for a, b in bands:
        if b - a < 0.3 * line_h:
            continue
        cols = np.flatnonzero(outside[a:b].any(axis=0))
        if cols.size == 0 or cols[-1] - cols[0] < 0.3 * line_h:
            continue
        y0, x0 = max(0, a - margin), max(0, int(cols[0]) - margin)
        crops.append((x0, y0, page[y0: b + margin, x0: int(cols[-1]) + 1 + margin]))
    boxes: list[OcrBox] = []
    for sheet in _stack(crops, gap=int(line_h)):
        canvas = np.full((sheet[-1][0] + sheet[-1][3].shape[0], max(c.shape[1] for *_, c in sheet)), 255, np.uint8)
        for top, _, _, crop in sheet:
            canvas[top: top + crop.shape[0], : crop.shape[1]] = crop
        # detection at ~16 px a line (its cost goes with the pixels), recognition at full resolution
        f = min(1.0, 16.0 / max(1.0, line_h))
        small = cv2.resize(canvas, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else canvas
        found = [(int(a / f), int(b / f), int(math.ceil(c / f)), int(math.ceil(d / f))) for a, b, c, d in engine.detect(small)]
        found = [(max(0, a), max(0, b), c, d) for a, b, c, d in found if c > a and d > b]
        for (a, b, c, d), (text, score) in zip(found, engine.recognize([canvas[b:d, a:c] for a, b, c, d in found])):
            if score < min_score or not text.strip():
                continue
            top, x0, y0, _ = next((t for t in reversed(sheet) if t[0] <= (b + d) / 2), sheet[0])
            boxes.append(OcrBox(text, ((a + x0, b - top + y0), (c + x0, b - top + y0), (c + x0, d - top + y0),
                                       (a + x0, d - top + y0)), score))
    return _merge_same_line(boxes)


def _stack(crops: list[tuple[int, int, np.ndarray]], gap: int) -> list[list[tuple[int, int, int, np.ndarray]]]:
    """Band crops stacked into as few sheets as the detector takes at full size, one pass per sheet
    (a detector call per band costs more than the pixels it looks at): [(top on sheet, x, y, crop)]."""
    sheets: list[list[tuple[int, int, int, np.ndarray]]] = []
    top = 0
    for x, y, crop in crops:
        if not sheets or top + crop.shape[0] > DETECT_SIDE:
            sheets.append([])
            top = 0
        sheets[-1].append((top, x, y, crop))
        top += crop.shape[0] + gap
    return sheets


def _merge_same_line(boxes: list[OcrBox]) -> list[OcrBox]:
    """Boxes on one baseline with less than a character's gap between them become one line."""
    boxes = sorted(boxes, key=lambda b: (b.bbox[1] + b.bbox[3]) / 2)
    rows: list[list[OcrBox]] = []
    for box in boxes:
        cy = (box.bbox[1] + box.bbox[3]) / 2
        if rows:
            last = rows[-1][-1].bbox
            if abs(cy - (last[1] + last[3]) / 2) < 0.5 * (last[3] - last[1]):
                rows[-1].append(box)
                continue
        rows.append([box])
    out = []
    for row in rows:
        row.sort(key=lambda b: b.bbox[0])
        merged = [row[0]]
        for box in row[1:]:
            prev = merged[-1]
            height = prev.bbox[3] - prev.bbox[1]
            if box.bbox[0] - prev.bbox[2] < height:
                x0, y0 = min(prev.bbox[0], box.bbox[0]), min(prev.bbox[1], box.bbox[1])
                x1, y1 = max(prev.bbox[2], box.bbox[2]), max(prev.bbox[3], box.bbox[3])
                merged[-1] = OcrBox(join_lines([prev.text, box.text]), ((x0, y0), (x1, y0), (x1, y1), (x0, y1)),
                                    min(prev.score, box.score))
            else:
                merged.append(box)
        out += merged
    return out
