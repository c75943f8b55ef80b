"""Quarter-turn orientation of a scanned page: which multiple of 90° makes it upright.

(a) Axis: characters of a line sit closer together than lines do, so closing short gaps along the
lines turns them into long bars; text ink on such bars along rows versus along columns tells
0/180° from 90/270° (rulings and seal rings go first: tables rule both ways). (b) Direction: short
pieces of text lines are recognised as they are and turned 180° in one batch; the way that reads
more text, more confidently, wins. A false turn ruins a good page, so weak evidence means upright.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from extractors.ocr_engines import OcrEngine

WORK_DPI = 75.0                  # the axis is judged, and lines are found, at this resolution
_EM = 10.5 / 72 * WORK_DPI       # a body-text character (10.5 pt) in pixels at WORK_DPI
_BRIDGE = round(0.35 * _EM)      # gaps closed between the characters of a line
_BAR = round(2.5 * _EM)          # shortest text line, in characters of body text
AXIS_MARGIN = 1.0                # |log(line ink along rows / along columns)| below this: no clear lines
TURN_MARGIN = 0.25               # (best - other) / (best + other) read text mass that justifies a turn
MIN_READ_CHARS = 3.0             # below this much credible text the page stays as it is
PIECES = 6                       # line pieces read (each twice: as is and turned 180°)
PIECE_ASPECT = 3.0               # a piece is at most this many line heights long (~3 characters)


def quarter_turn(gray: np.ndarray, dpi: float, engine: OcrEngine) -> int:
    """Quarter turns counter-clockwise (as np.rot90 counts them) that make the page upright: 0-3."""
    text = _text_ink(gray, dpi)
    # ink on lines along rows versus along columns; the prior (a few characters' ink) calms near-empty pages
    axis = math.log((_line_ink(text) + _EM ** 2) / (_line_ink(text.T) + _EM ** 2))
    if abs(axis) < AXIS_MARGIN:
        return 0
    base = 0 if axis > 0 else 1  # turned by `base`, the page has horizontal lines, upright or upside down
    scale = gray.shape[0] / text.shape[0]
    crops = _pieces(np.rot90(gray, base), _line_boxes(np.rot90(text, base)), scale)
    if not crops:
        return 0
    reads = engine.recognize(crops + [cv2.rotate(c, cv2.ROTATE_180) for c in crops])
    mass = {base: _read_mass(reads[:len(crops)]), base + 2: _read_mass(reads[len(crops):])}
    best, other = sorted(mass, key=mass.get, reverse=True)
    if mass[best] < MIN_READ_CHARS or mass[best] - mass[other] < TURN_MARGIN * (mass[best] + mass[other]):
        return 0
    return best


def turn_page(gray: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The page turned k quarter turns counter-clockwise and the 2x3 matrix mapping its pixels (x, y) there."""
    k %= 4
    h, w = gray.shape[:2]
    cos, sin = ((1, 0), (0, 1), (-1, 0), (0, -1))[k]
    rotation = np.array([[cos, sin], [-sin, cos]], dtype=np.float64)
    corners = np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], dtype=np.float64) @ rotation.T
    matrix = np.hstack([rotation, -corners.min(axis=0)[:, None]])
    return np.ascontiguousarray(np.rot90(gray, k)), matrix


def _text_ink(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Text ink (255) at WORK_DPI: local-mean threshold; rulings (even skewed), seal rings, specks removed."""
    f = WORK_DPI / dpi
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                int(0.3 * WORK_DPI) | 1, 20)
    ruling = int(0.5 * WORK_DPI)  # straight rulings first, so the characters that touch them stay
    rows = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, ruling), np.uint8))
    cols = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((ruling, 1), np.uint8))
    ink = cv2.subtract(ink, cv2.bitwise_or(rows, cols))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    size = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = (stats[:, cv2.CC_STAT_AREA] >= 4) & (size <= 3 * _EM)
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _line_ink(text: np.ndarray) -> int:
    """Ink pixels on horizontal bars at least _BAR long once gaps up to _BRIDGE are closed: text lines."""
    text = np.ascontiguousarray(text)
    bars = cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, _BRIDGE), np.uint8))
    bars = cv2.morphologyEx(bars, cv2.MORPH_OPEN, np.ones((1, _BAR), np.uint8))
    return np.count_nonzero(text & bars)


def _line_boxes(text: np.ndarray) -> np.ndarray:
    """Boxes (x, y, w, h) of up to PIECES horizontal text lines of a usual height, spread down the page."""
    lines = cv2.morphologyEx(np.ascontiguousarray(text), cv2.MORPH_CLOSE, np.ones((1, _BRIDGE), np.uint8))
    boxes = cv2.connectedComponentsWithStats(lines, connectivity=8)[2][1:, :4]
    w, h = boxes[:, 2], boxes[:, 3]
    boxes = boxes[(h >= 0.5 * _EM) & (h <= 2.5 * _EM) & (w >= 2 * h)]
    if len(boxes):
        typical = np.median(boxes[:, 3])
        boxes = boxes[(boxes[:, 3] >= 0.6 * typical) & (boxes[:, 3] <= 1.5 * typical)]
    if len(boxes) > PIECES:
        boxes = boxes[np.linspace(0, len(boxes) - 1, PIECES).round().astype(int)]
    return boxes


def _pieces(page: np.ndarray, boxes: np.ndarray, scale: float) -> list[np.ndarray]:
    """The start of each line box (at most PIECE_ASPECT heights long) cut from the full-resolution page."""
    crops = []
    for x, y, w, h in boxes * scale:
        margin = 0.2 * h
        y0, y1 = max(0, int(y - margin)), min(page.shape[0], int(y + h + margin) + 1)
        x0 = max(0, int(x - margin))
        x1 = min(page.shape[1], int(x + w + margin) + 1, x0 + int(PIECE_ASPECT * (y1 - y0)))
        crops.append(np.ascontiguousarray(page[y0:y1, x0:x1]))
    return crops


def _read_mass(reads: list[tuple[str, float]]) -> float:
    """Characters read, weighted by their line's confidence to the 4th power: upside-down reads are
    shorter and less sure (scores ~0.5-0.8 against ~1), and the power widens that gap."""
    return sum(score ** 4 * len(text.strip()) for text, score in reads)
