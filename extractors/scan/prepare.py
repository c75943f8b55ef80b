"""A page image made ready to read: red seals whitened, quarter turn, deskew, binarization, grey seals,
ruled tables, rulings and specks removed; and the map from its pixels back to PDF points."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from extractors.ocr_engines import OcrEngine
from extractors.orientation import quarter_turn, turn_page
from extractors.scan.grid import RuledTable, find_tables, line_masks, ruling_mask
from extractors.scan.measure import px, runs
from extractors.scan.seals import erase_fills, erase_rings, find_seals
from extractors.scan.settings import DEFAULTS, ScanSettings
from pipeline.model import BBox


@dataclass
class PageImage:
    """A page ready to read: deskewed gray with seals and rulings whitened, text ink, its ruled tables."""

    clean: np.ndarray              # gray, seal rings and rulings whitened: what the recogniser sees
    ink: np.ndarray                # text ink (255) without rulings or specks: what finds the lines
    raw_ink: np.ndarray            # text ink with its small marks (。，: .): what ends the lines
    grids: list[RuledTable]
    seals: list[tuple[float, float, float, float]]  # grey seals found: (cx, cy, inner, outer radius)
    sealed: np.ndarray | None      # `clean` before the seal rings were whitened (None: no seal)
    matrix: np.ndarray             # 2x3 quarter turn + deskew, original pixels → these pixels
    dpi: float
    tol: int
    line_h: float


def prepare_page(image: np.ndarray, dpi: float, settings: ScanSettings = DEFAULTS,
                 engine: OcrEngine | None = None) -> PageImage:
    """Seal suppression, quarter turn (when an engine is given to read a few lines both ways), deskew,
    binarization, ruled grid, and the ink and image the text is read from."""
    gray = suppress_red(image)
    turn = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    if engine is not None:
        gray, turn = turn_page(gray, quarter_turn(gray, dpi, engine))
    gray, skew = rotate(gray, estimate_skew(binarize(gray, dpi), settings.max_skew))
    matrix = np.hstack([skew[:, :2] @ turn[:, :2], (skew[:, :2] @ turn[:, 2] + skew[:, 2])[:, None]])
    binary = binarize(gray, dpi)
    seals = find_seals(gray, binary, dpi)  # seals left after suppress_red: grey scans
    hmask, vmask = line_masks(binary, dpi, settings)
    grids = find_tables(binary, hmask, vmask, dpi, settings, seals)
    erase_fills(gray, binary, seals, dpi)
    sealed = gray.copy() if seals else None
    erase_rings(gray, binary, seals)
    tol = px(settings.line_tol, dpi)
    rulings = ruling_mask(hmask, vmask, grids, tol)
    raw_ink = cv2.bitwise_and(binary, cv2.bitwise_not(rulings))
    ink = remove_specks(raw_ink, dpi)
    gray[rulings > 0] = 255
    line_h = _line_height(ink, grids, max(2, tol // 2), dpi)
    if sealed is not None:
        sealed[rulings > 0] = 255
    return PageImage(gray, ink, raw_ink, grids, seals, sealed, matrix, dpi, tol, line_h)


def suppress_red(image: np.ndarray) -> np.ndarray:
    """Gray page with red ink (seals) whitened, black text under a seal kept.

    Red ink barely absorbs red light, so on reddish pixels the red channel, normalised by the seal's
    own red level, is white for the seal and stays dark where black text is overprinted.
    """
    if image.ndim == 2:
        return image
    bgr = image[..., :3]
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    red = bgr[..., 2].astype(np.int16)
    redness = red - np.maximum(bgr[..., 0], bgr[..., 1]).astype(np.int16)
    strong = redness > 60
    if np.count_nonzero(strong) < 50:
        return gray
    level = float(np.clip(np.median(red[strong]), 120, 255))
    # the zone around red ink too: JPEG leaves colourless light halos along seal strokes
    zone = cv2.dilate((redness > 20).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    # stretched a little beyond the seal's level: thin strokes lose part of their red to JPEG chroma subsampling
    gray[zone] = np.clip(red[zone] * (255.0 / (0.8 * level)), 0, 255).astype(np.uint8)
    return gray


def binarize(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Ink = 255: local-mean threshold, robust to uneven scan lighting."""
    block = px(0.15, dpi) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, max(block, 15), 15)


def estimate_skew(binary: np.ndarray, max_angle: float) -> float:
    """Rotation (degrees, cv2 sign) that makes rows of ink sharpest: long rulings and text lines dominate.

    The row profile at each trial angle is a histogram of the ink pixels' rotated y (a page-size warp
    per angle would cost ~40 warps a page)."""
    h, w = binary.shape
    f = min(1.0, 1000.0 / w)
    small = cv2.resize(binary, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else binary
    ys, xs = np.nonzero(small > 127)
    if ys.size == 0:
        return 0.0
    step = max(1, ys.size // 100_000)  # every k-th ink pixel: the profile's shape, at a bounded cost
    ys, xs = ys[::step].astype(np.float32), xs[::step].astype(np.float32) - small.shape[1] / 2
    offset = small.shape[1]

    def sharpness(angle: float) -> float:
        a = math.radians(angle)
        rows = np.bincount((ys * math.cos(a) - xs * math.sin(a) + offset).astype(np.int64))
        return float(np.dot(rows, rows))

    best = max(np.arange(-max_angle, max_angle + 1e-9, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05), key=sharpness)
    return round(float(best), 2)


def rotate(gray: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate about the centre on a white background; returns the image and its 2x3 matrix."""
    h, w = gray.shape
    if abs(angle) < 0.05:
        return gray, cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, 1.0)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255), matrix


def remove_specks(binary: np.ndarray, dpi: float) -> np.ndarray:
    """Ink without scan specks (tiny blobs; a small flat mark such as "-" stays); finds text, never reads it."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    min_area = max(6, int(20 * (dpi / 200) ** 2))
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    keep = (stats[:, cv2.CC_STAT_AREA] >= min_area) | ((w >= 3 * h) & (w >= px(0.025, dpi)))
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _line_height(ink: np.ndarray, grids: list[RuledTable], tol: int, dpi: float) -> float:
    """Typical text-line height on the page: median height of ink row-runs in cells."""
    heights = []
    floor = px(0.04, dpi)
    for grid in grids:
        for spec in grid.cells:
            x0, y0, x1, y1 = grid.box(*spec)
            sub = ink[y0 + tol: y1 - tol, x0 + tol: x1 - tol]
            if sub.size:
                heights += [b - a for a, b in runs(sub.any(axis=1)) if b - a >= floor]
    return float(np.median(heights)) if heights else 0.15 * dpi


class PointMapper:
    """Deskewed pixel box → envelope in original pixels → PDF points, clipped to the page."""

    def __init__(self, inverse: np.ndarray, scale: float, width: int, height: int):
        self.inverse, self.scale, self.width, self.height = inverse, scale, width, height

    def __call__(self, box) -> BBox:
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
        pts = corners @ self.inverse.T
        xs = np.clip(pts[:, 0], 0, self.width)
        ys = np.clip(pts[:, 1], 0, self.height)
        s = self.scale
        return BBox(*(round(float(v) * s, 2) for v in (xs.min(), ys.min(), xs.max(), ys.max())))

    def upright(self, box) -> BBox:
        """The same box in the deskewed page, in points (where a table's columns line up)."""
        return BBox(*(round(v * self.scale, 2) for v in box))
