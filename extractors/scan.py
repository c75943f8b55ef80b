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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from extractors.ocr_engines import DETECT_SIDE, OcrBox, OcrEngine, get_engine
from extractors.orientation import quarter_turn, turn_page
from pipeline.model import BBox, Cell, Grid, Table, TextLine


@dataclass(frozen=True)
class ScanSettings:
    """Knobs of the scan extractor; lengths in inches so they hold at any resolution."""

    target_dpi: float = 200.0      # render / resample resolution for OCR
    min_dpi: float = 150.0         # low-resolution sources are upsampled to at least this
    max_pixels: int = 60_000_000   # refuse to render a page larger than this
    max_skew: float = 5.0          # degrees searched by deskew
    h_kernel: float = 0.25         # shortest horizontal ruling
    v_kernel: float = 0.18         # shortest vertical ruling
    max_ruling: float = 0.05       # thickest ruling (mean thickness)
    line_tol: float = 0.03         # rulings closer than this are one line
    gap_bridge: float = 0.06       # dropouts in a ruling up to this are closed
    min_score: float = 0.5         # line reads below this are dropped (RapidOCR's own text_score default)
    separator_coverage: float = 0.6   # longest inked stretch of a slot border that separates two cells
    min_table: tuple[float, float] = (0.6, 0.25)  # smallest table (w, h)


DEFAULTS = ScanSettings()


@dataclass(frozen=True)
class _Grid:
    """One ruled table in deskewed pixels: line positions and cells as (row, col, rowspan, colspan)."""

    xs: tuple[int, ...]
    ys: tuple[int, ...]
    cells: tuple[tuple[int, int, int, int], ...]

    def box(self, r: int, c: int, rs: int, cs: int) -> tuple[int, int, int, int]:
        return self.xs[c], self.ys[r], self.xs[c + cs], self.ys[r + rs]


# ---------------------------------------------------------------- PDF pages


def render_dpi(page, settings: ScanSettings = DEFAULTS) -> float:
    """The target resolution, lowered to a page's dominant scanned image's own resolution (not below min_dpi)."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    best_area, dpi = 0.0, settings.target_dpi
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w_pt, h_pt = right - left, top - bottom
        area = w_pt * h_pt
        if area > best_area and area > 0.3 * width * height:
            px_w, px_h = obj.get_px_size()
            best_area = area
            dpi = min(settings.target_dpi, max(settings.min_dpi, max(px_w / w_pt, px_h / h_pt) * 72))
    limit = math.sqrt(settings.max_pixels / max(1.0, width * height)) * 72
    return min(dpi, limit)


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
            dpi = render_dpi(page, settings)
            image = page.render(scale=dpi / 72).to_numpy()
            page.close()
            debug = debug_dir / f"{path.stem}-p{number:03d}.png" if debug_dir else None
            t, l = extract_image_page(image, number, 72 / dpi, engine, debug_path=debug, settings=settings)
            tables += t
            lines += l
            if on_page:
                on_page(number, t, l)
    finally:
        pdf.close()
    kinds = tuple("scanned" if n in set(wanted) else "" for n in range(1, n_pages + 1))
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=n_pages, page_kinds=kinds)


# ---------------------------------------------------------------- one page image


@dataclass
class PageImage:
    """A page ready to read: deskewed gray with seals and rulings whitened, text ink, its ruled tables."""

    clean: np.ndarray              # gray, seal rings and rulings whitened: what the recogniser sees
    ink: np.ndarray                # text ink (255) without rulings or specks: what finds the lines
    raw_ink: np.ndarray            # text ink with its small marks (。，: .): what ends the lines
    grids: list[_Grid]
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
    tol = _px(settings.line_tol, dpi)
    rulings = ruling_mask(hmask, vmask, grids, tol)
    raw_ink = cv2.bitwise_and(binary, cv2.bitwise_not(rulings))
    ink = remove_specks(raw_ink, dpi)
    gray[rulings > 0] = 255
    line_h = _line_height(ink, grids, max(2, tol // 2), dpi)
    if sealed is not None:
        sealed[rulings > 0] = 255
    return PageImage(gray, ink, raw_ink, grids, seals, sealed, matrix, dpi, tol, line_h)


def extract_image_page(
    image: np.ndarray,
    page: int,
    scale: float,
    engine: OcrEngine,
    debug_path: Path | None = None,
    settings: ScanSettings = DEFAULTS,
) -> tuple[list[Table], list[TextLine]]:
    """Tables and text lines of one page image (BGR or gray); `scale` is PDF points per pixel.
    A page narrower or shorter than the smallest table holds none (and would shrink to nothing)."""
    if min(image.shape[:2]) < _px(settings.min_table[1], 72.0 / scale):
        return [], []
    prepared = prepare_page(image, 72.0 / scale, settings, engine)
    to_points = _PointMapper(cv2.invertAffineTransform(prepared.matrix), scale, image.shape[1], image.shape[0])
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

    free = free_text(prepared, engine, settings.min_score)
    lines = [TextLine(text=b.text, page=page, bbox=to_points(b.bbox)) for b in free]
    if debug_path is not None:
        draw_debug(prepared, crop_boxes, free, debug_path)
    return tables, lines


def read_cells(prepared: PageImage, engine: OcrEngine):
    """Cut every cell into text lines and recognise them all in one batch: {(table, cell): [(text, score)]}.

    A cell under a grey seal has the seal's strokes in its ink, which can fill the gaps between lines and
    slice a line in two; such a cell also gets its lines laid out evenly about its middle (1, 2, ... lines),
    and keeps whichever layout the recogniser reads with the most confidence.
    """
    inset = max(2, prepared.tol // 2)
    crops: list[np.ndarray] = []
    boxes: list[tuple[int, int, int, int]] = []
    layouts: dict[tuple[int, int], list[list[int]]] = {}  # cell → candidate layouts, as indices into crops
    for g_index, grid in enumerate(prepared.grids):
        for c_index, spec in enumerate(grid.cells):
            x0, y0, x1, y1 = grid.box(*spec)
            inner = (x0 + inset, y0 + inset, x1 - inset, y1 - inset)
            candidates = [segment_lines(prepared.ink, prepared.raw_ink, inner, prepared.line_h)]
            if _under_seal(inner, prepared.seals):
                candidates += centred_layouts(prepared.ink, inner, prepared.line_h)
            sources = [prepared.clean] if len(candidates) == 1 else [prepared.clean, prepared.sealed]
            owned = layouts.setdefault((g_index, c_index), [])
            for source in sources:
                for candidate in candidates:
                    owned.append(list(range(len(crops), len(crops) + len(candidate))))
                    for box in candidate:
                        crops.append(_crop(source, box, prepared.line_h))
                        boxes.append(box)
    results = engine.recognize(crops)
    single = [i for i, (x0, _, x1, _) in enumerate(boxes) if x1 - x0 <= 1.3 * prepared.line_h]
    for i, read in zip(single, reread_glyphs([crops[i] for i in single], [results[i] for i in single], engine)):
        results[i] = read
    reads: dict[tuple[int, int], list[tuple[str, float]]] = {}
    kept_boxes: list[tuple[int, int, int, int]] = []
    for owner, candidates in layouts.items():
        best = max(candidates, key=lambda idx: _layout_score([results[i] for i in idx]))
        reads[owner] = [results[i] for i in best]
        kept_boxes += [boxes[i] for i in best]
    return reads, kept_boxes


def _under_seal(box: tuple[int, int, int, int], seals) -> bool:
    x0, y0, x1, y1 = box
    return any(math.hypot(max(x0 - cx, 0, cx - x1), max(y0 - cy, 0, cy - y1)) < r for cx, cy, _, r in seals)


def centred_layouts(ink: np.ndarray, box: tuple[int, int, int, int], line_h: float) -> list[list[tuple[int, int, int, int]]]:
    """Layouts of 1, 2, ... lines of one line height each, stacked about the box's middle, each line cut to
    the columns its band inks."""
    x0, y0, x1, y1 = box
    pitch = 1.25 * line_h  # a text line and its leading
    mid = (y0 + y1) / 2
    out = []
    for k in range(1, max(1, int((y1 - y0) / pitch)) + 1):
        layout = []
        for i in range(k):
            centre = mid + (i - (k - 1) / 2) * pitch
            a, b = max(y0, int(centre - 0.6 * line_h)), min(y1, int(centre + 0.6 * line_h) + 1)
            cols = np.flatnonzero(ink[a:b, x0:x1].any(axis=0))
            if cols.size:
                layout.append((x0 + int(cols[0]), a, x0 + int(cols[-1]) + 1, b))
        if layout:
            out.append(layout)
    return out


def _layout_score(reads: list[tuple[str, float]]) -> float:
    """Confidence of a cell's layout: characters read, weighted by their line's score; an empty layout 0."""
    chars = sum(len(t.strip()) for t, _ in reads)
    return sum(len(t.strip()) * s for t, s in reads) / chars if chars else 0.0


MIRRORED = {"≥": "≤", "≤": "≥", ">": "<", "<": ">"}


def reread_glyphs(crops: list[np.ndarray], reads: list[tuple[str, float]], engine: OcrEngine) -> list[tuple[str, float]]:
    """Second look at lone glyphs, where the recogniser has no context (the 指标性质 column is all lone
    operators, placeholders are lone dashes): 二 whose two strokes are equally long is =; a lone flat bar
    read as nothing is a dash; a doubtful read is tried mirrored, since the recogniser reads ≥ well but
    ≤ poorly."""
    out = list(reads)
    for i, (text, score) in enumerate(reads):
        if text == "二" and _equal_bars(crops[i]):
            out[i] = ("=", score)
        elif score < 0.5 and _flat_bar(crops[i]):
            # "-", "---", "—", "....." : placeholders the recogniser often returns as nothing
            dots = _dot_count(crops[i])
            out[i] = ("." * dots if dots >= 3 else "—", 0.5)
    doubtful = [i for i, (_, score) in enumerate(out) if score < 0.9]
    for i, (mirror, score) in zip(doubtful, engine.recognize([cv2.flip(crops[i], 1) for i in doubtful])):
        if mirror in MIRRORED and score > out[i][1]:
            out[i] = (MIRRORED[mirror], score)
    return out


def _flat_bar(crop: np.ndarray) -> bool:
    """The ink is one thin horizontal bar."""
    ink = crop < 128
    rows, cols = np.count_nonzero(ink.any(axis=1)), np.count_nonzero(ink.any(axis=0))
    return 0 < rows <= 0.3 * crop.shape[0] and cols >= 3 * rows


def _dot_count(crop: np.ndarray) -> int:
    """Separate marks along a flat row of ink, each no wider than tall (a row of dots), else 0."""
    ink = crop < 128
    rows = np.count_nonzero(ink.any(axis=1))
    marks = _runs(ink.any(axis=0))
    return len(marks) if len(marks) >= 2 and all(b - a <= 1.5 * rows for a, b in marks) else 0


def _equal_bars(crop: np.ndarray) -> bool:
    """Two horizontal bars of the same length (=), not a short one over a long one (二)."""
    ink = crop < 128
    bars = _runs(ink.any(axis=1))
    if len(bars) != 2:
        return False
    widths = [np.count_nonzero(ink[a:b].any(axis=0)) for a, b in bars]
    return min(widths) >= 0.9 * max(widths)


class _PointMapper:
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


# ---------------------------------------------------------------- image clean-up


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
    block = _px(0.15, dpi) | 1
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


def find_seals(gray: np.ndarray, binary: np.ndarray, dpi: float) -> list[tuple[float, float, float, float]]:
    """Round seals as (cx, cy, inner radius, outer radius) of their ring: Hough circles of 0.5-1 in radius
    whose ring is inked all round (a circle drawn through a table or text is inked at ~30% of its angles)."""
    f = 50.0 / dpi
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    found = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT_ALT, dp=1, minDist=30, param1=150, param2=0.6,
                             minRadius=25, maxRadius=50)
    if found is None:
        return []
    angles = np.deg2rad(np.arange(0, 360, 3))
    cos, sin = np.cos(angles), np.sin(angles)
    h, w = binary.shape
    band, step = 0.04 * dpi, 0.015 * dpi

    def inked(cx: float, cy: float, radii: np.ndarray) -> np.ndarray:
        """Ink at each (radius, angle) sample."""
        xs = np.clip((cx + np.outer(radii, cos)).astype(int), 0, w - 1)
        ys = np.clip((cy + np.outer(radii, sin)).astype(int), 0, h - 1)
        return binary[ys, xs] > 0

    seals = []
    for cx, cy, r in found[0] / f:
        # Hough's centre is ~1/50 in off: keep the nearby centre whose ring band is inked at most angles
        ring = np.arange(r - band, r + band + 1)
        centres = [(cx + i * step, cy + j * step) for i in range(-3, 4) for j in range(-3, 4)]
        cover, cx, cy = max((float(inked(x, y, ring).any(axis=0).mean()), x, y) for x, y in centres)
        if cover < 0.85:
            continue
        radii = np.arange(r - 2 * band, r + 2 * band + 1)
        per_radius = inked(cx, cy, radii).mean(axis=1)
        thick = radii[per_radius >= 0.7 * per_radius.max()]
        seals.append((float(cx), float(cy), float(thick.min()), float(thick.max())))
    return seals


def erase_rings(gray: np.ndarray, binary: np.ndarray, seals) -> None:
    """Whiten each seal's ring in place, for reading text (the seal's inner text stays)."""
    for cx, cy, r_in, r_out in seals:
        ring = np.zeros_like(binary)
        cv2.circle(ring, (round(cx), round(cy)), round((r_in + r_out) / 2), 255, round(r_out - r_in) + 5)
        binary[ring > 0] = 0
        gray[ring > 0] = 255


def erase_fills(gray: np.ndarray, binary: np.ndarray, seals, dpi: float) -> None:
    """Whiten, in place, solid ink inside each seal (its star): ink wider than any pen stroke of print,
    which the recogniser would read as a stray character."""
    if not seals:
        return
    disc = np.zeros_like(binary)
    for cx, cy, r_in, _ in seals:
        cv2.circle(disc, (round(cx), round(cy)), round(r_in), 255, -1)
    # a local-mean threshold sees only the rim of a large fill: its dark inside is added
    paper = float(np.median(gray[disc > 0]))
    ink = np.where(((gray < 0.7 * paper) | (binary > 0)) & (disc > 0), 255, 0).astype(np.uint8)
    size = _px(0.05, dpi) | 1
    solid = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    edge = 2 * _px(0.02, dpi) + 1  # the star's blurred rim, lighter than its body
    solid = cv2.dilate(solid, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (edge, edge))) > 0
    if not solid.any():
        return
    # print over the star is overprinted, darker than the star's own tone: it stays
    fill = solid & (gray >= 0.75 * float(np.median(gray[solid])))
    binary[fill] = 0
    gray[fill] = 255


def remove_specks(binary: np.ndarray, dpi: float) -> np.ndarray:
    """Ink without scan specks (tiny blobs; a small flat mark such as "-" stays); finds text, never reads it."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    min_area = max(6, int(20 * (dpi / 200) ** 2))
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    keep = (stats[:, cv2.CC_STAT_AREA] >= min_area) | ((w >= 3 * h) & (w >= _px(0.025, dpi)))
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


# ---------------------------------------------------------------- ruled grid


def line_masks(binary: np.ndarray, dpi: float, settings: ScanSettings = DEFAULTS) -> tuple[np.ndarray, np.ndarray]:
    """Long horizontal and vertical strokes (morphological opening), short gaps bridged."""
    hk, vk, gap = _px(settings.h_kernel, dpi), _px(settings.v_kernel, dpi), _px(settings.gap_bridge, dpi)
    pin = _px(0.02, dpi) | 1  # close pinholes first: one missing pixel in a thin ruling would stop the opening
    h = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (pin, 1)))
    v = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, pin)))
    h = cv2.morphologyEx(h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    v = cv2.morphologyEx(v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    h = cv2.morphologyEx(h, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    v = cv2.morphologyEx(v, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    return h, v


def _segments(mask: np.ndarray, horizontal: bool, min_len: int, max_thick: float) -> list[tuple[float, int, int]]:
    """Thin connected strokes as (position across, start along, end along); fat blobs (a seal's star) are not rulings."""
    _, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for (x, y, w, h, area), (cx, cy) in zip(stats[1:], centroids[1:]):
        length = w if horizontal else h
        if length >= min_len and area / length <= max_thick:
            out.append((float(cy), int(x), int(x + w)) if horizontal else (float(cx), int(y), int(y + h)))
    return out


def _cluster(segments: list[tuple[float, int, int]], tol: int) -> list[tuple[int, list[tuple[int, int]]]]:
    """Segments within tol of each other across → one line: (position, [spans])."""
    clusters: list[list[tuple[float, int, int]]] = []
    for seg in sorted(segments):
        if clusters and seg[0] - clusters[-1][-1][0] <= tol:
            clusters[-1].append(seg)
        else:
            clusters.append([seg])
    out = []
    for group in clusters:
        weights = np.array([b - a for _, a, b in group], dtype=np.float64)
        pos = float(np.average([p for p, _, _ in group], weights=weights))
        out.append((round(pos), [(a, b) for _, a, b in group]))
    return out


def ruling_mask(hmask: np.ndarray, vmask: np.ndarray, grids: list[_Grid], tol: int) -> np.ndarray:
    """The strokes of the tables' rulings only (not dashes or underlines inside cells), slightly thickened."""
    mask = np.zeros_like(hmask)
    for grid in grids:
        x0, x1 = max(0, grid.xs[0] - tol), grid.xs[-1] + tol + 1
        y0, y1 = max(0, grid.ys[0] - tol), grid.ys[-1] + tol + 1
        for y in grid.ys:
            band = slice(max(0, y - tol), y + tol + 1)
            mask[band, x0:x1] |= hmask[band, x0:x1]
        for x in grid.xs:
            band = slice(max(0, x - tol), x + tol + 1)
            mask[y0:y1, band] |= vmask[y0:y1, band]
    return cv2.dilate(mask, np.ones((3, 3), np.uint8))


def _covers(spans: list[tuple[int, int]], p: float, tol: int) -> bool:
    return any(a - tol <= p <= b + tol for a, b in spans)


def find_tables(binary: np.ndarray, hmask: np.ndarray, vmask: np.ndarray, dpi: float,
                settings: ScanSettings = DEFAULTS, seals=()) -> list[_Grid]:
    """Ruled tables on the page, top to bottom; strokes lying wholly inside a seal are not rulings."""
    tol = _px(settings.line_tol, dpi)
    both = cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((2 * tol + 1, 2 * tol + 1), np.uint8))
    _, _, regions, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    thick = settings.max_ruling * dpi
    hsegs = _segments(hmask, True, _px(settings.h_kernel, dpi), thick)
    vsegs = _segments(vmask, False, _px(settings.v_kernel, dpi), thick)

    near = _px(0.1, dpi)  # a stroke's box ends a little outside the ring it was cut from

    def in_seal(x0: float, y0: float, x1: float, y1: float) -> bool:
        return any(math.hypot(x0 - cx, y0 - cy) < r + near and math.hypot(x1 - cx, y1 - cy) < r + near
                   for cx, cy, _, r in seals)

    hsegs = [s for s in hsegs if not in_seal(s[1], s[0], s[2], s[0])]
    vsegs = [s for s in vsegs if not in_seal(s[0], s[1], s[0], s[2])]
    min_w, min_h = _px(settings.min_table[0], dpi), _px(settings.min_table[1], dpi)
    grids = []
    for x, y, w, h, _ in sorted(regions[1:].tolist(), key=lambda r: r[1]):
        if w < min_w or h < min_h:
            continue
        inside_h = [s for s in hsegs if y <= s[0] <= y + h and x <= (s[1] + s[2]) / 2 <= x + w]
        inside_v = [s for s in vsegs if x <= s[0] <= x + w and y <= (s[1] + s[2]) / 2 <= y + h]
        grid = _build_grid(_cluster(inside_h, tol), _cluster(inside_v, tol), binary, hmask, vmask, dpi, settings)
        # big bold title glyphs can form a tiny "grid" of their own
        if grid is not None and grid.xs[-1] - grid.xs[0] >= min_w and grid.ys[-1] - grid.ys[0] >= min_h:
            grids.append(grid)
    return grids


def _drawn(spans: list[tuple[int, int]], a: int, b: int, tol: int) -> bool:
    """Whether the spans ink at least 80% of the stretch between two crossings."""
    lo, hi = a + tol, b - tol
    if hi <= lo:
        return False
    covered, end = 0, lo
    for s, e in sorted(spans):
        s, e = max(s, end), min(e, hi)
        if e > s:
            covered += e - s
            end = e
    return covered >= 0.8 * (hi - lo)


def _is_ruling(line, others, tol: int) -> bool:
    """A ruling crosses two rulings of the other direction and is fully drawn between two of its crossings;
    underlines, dashes and seal arcs cross fewer, strokes of dense text chained into a line are drawn in pieces."""
    pos, spans = line
    crossings = sorted(p for p, other in others if _covers(spans, p, tol) and _covers(other, pos, tol))
    return len(crossings) >= 2 and any(_drawn(spans, a, b, tol) for a, b in zip(crossings, crossings[1:]))


def _build_grid(rows, cols, binary, hmask, vmask, dpi, settings) -> _Grid | None:
    """Rulings → slots → cells: neighbouring slots merge where the border between them is not drawn."""
    tol = _px(settings.line_tol, dpi)
    while True:
        keep_r = [r for r in rows if _is_ruling(r, cols, tol)]
        keep_c = [c for c in cols if _is_ruling(c, keep_r, tol)]
        if len(keep_r) == len(rows) and len(keep_c) == len(cols):
            break
        rows, cols = keep_r, keep_c
    if len(rows) < 2 or len(cols) < 2:
        return None
    ys = [p for p, _ in rows]
    xs = [p for p, _ in cols]
    # tables open on a side: where most rulings run on past the last crossing one, their end is the border
    x_lo = float(np.median([min(a for a, _ in spans) for _, spans in rows]))
    x_hi = float(np.median([max(b for _, b in spans) for _, spans in rows]))
    y_lo = float(np.median([min(a for a, _ in spans) for _, spans in cols]))
    y_hi = float(np.median([max(b for _, b in spans) for _, spans in cols]))
    if xs[0] - x_lo > 3 * tol:
        xs.insert(0, round(x_lo))
    if x_hi - xs[-1] > 3 * tol:
        xs.append(round(x_hi))
    if ys[0] - y_lo > 3 * tol:
        ys.insert(0, round(y_lo))
    if y_hi - ys[-1] > 3 * tol:
        ys.append(round(y_hi))

    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    # vsep[r][c]: border left of slot (r, c+1) drawn; hsep[r][c]: border above slot (r+1, c) drawn. Drawn means
    # one long stretch, clear on at least one side: strokes of a line of cramped bold text chain into pieces
    # of "ruling" across a merged cell, with glyph bodies on both sides
    w, h = binary.shape[1], binary.shape[0]
    near = max(2, tol // 2)  # the ruling itself, not text strokes that chain into a line a few pixels off
    vprof = [vmask[:, max(0, x - near): x + near + 1].any(axis=1) for x in xs]
    hprof = [hmask[max(0, y - near): y + near + 1, :].any(axis=0) for y in ys]
    vink = [binary[:, max(0, x - near): x + near + 1].any(axis=1) for x in xs]
    hink = [binary[max(0, y - near): y + near + 1, :].any(axis=0) for y in ys]
    vflank = [binary[:, max(0, x - tol - 3): max(1, x - tol)].any(axis=1)
              & binary[:, min(w - 1, x + tol + 1): x + tol + 4].any(axis=1) for x in xs]
    hflank = [binary[max(0, y - tol - 3): max(1, y - tol), :].any(axis=0)
              & binary[min(h - 1, y + tol + 1): y + tol + 4, :].any(axis=0) for y in ys]
    gap = _px(settings.gap_bridge, dpi)

    def separates(mask_prof: np.ndarray, ink_prof: np.ndarray, flank: np.ndarray, a: int, b: int) -> bool:
        """Drawn: a long stretch of ruling, clear on one side; or, both sides clear, a ruling that runs the
        whole way once the ink beyond a dropout (a piece too short for the opening) is counted."""
        lo, hi = a + tol, b - tol
        if hi <= lo:
            return True
        n, side = hi - lo, float(flank[lo:hi].mean())
        return ((_longest_run(mask_prof[lo:hi], mask_prof[lo:hi], 0) >= settings.separator_coverage * n and side < 0.5)
                or (_longest_run(ink_prof[lo:hi] | mask_prof[lo:hi], mask_prof[lo:hi], gap) >= 0.9 * n
                    and side < 0.1))

    vsep = [[separates(vprof[c + 1], vink[c + 1], vflank[c + 1], ys[r], ys[r + 1]) for c in range(n_cols - 1)]
            for r in range(n_rows)]
    hsep = [[separates(hprof[r + 1], hink[r + 1], hflank[r + 1], xs[c], xs[c + 1]) for c in range(n_cols)]
            for r in range(n_rows - 1)]

    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not vsep[r][c]:
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not hsep[r][c]:
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    group = [[find(r * n_cols + c) for c in range(n_cols)] for r in range(n_rows)]
    # each group of slots → rectangles, greedily (a non-rectangular group is split rather than overlapping others)
    taken = [[False] * n_cols for _ in range(n_rows)]
    cells = []
    for r in range(n_rows):
        for c in range(n_cols):
            if taken[r][c]:
                continue
            g = group[r][c]
            cs = 1
            while c + cs < n_cols and group[r][c + cs] == g and not taken[r][c + cs]:
                cs += 1
            rs = 1
            while r + rs < n_rows and all(group[r + rs][k] == g and not taken[r + rs][k] for k in range(c, c + cs)):
                rs += 1
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    taken[rr][cc] = True
            cells.append((r, c, rs, cs))
    return _Grid(xs=tuple(xs), ys=tuple(ys), cells=tuple(cells))


# ---------------------------------------------------------------- text inside cells


def _longest_run(flags: np.ndarray, anchor: np.ndarray, bridge: int) -> int:
    """Length of the longest stretch of True values, gaps up to `bridge` included, that holds some `anchor`."""
    best, start, end, anchored = 0, 0, -bridge - 1, False
    for p, q in _runs(flags):
        if p - end > bridge:
            start, anchored = p, False
        end = q
        anchored = anchored or bool(anchor[p:q].any())
        if anchored:
            best = max(best, end - start)
    return best


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of consecutive True values."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _line_height(ink: np.ndarray, grids: list[_Grid], tol: int, dpi: float) -> float:
    """Typical text-line height on the page: median height of ink row-runs in cells."""
    heights = []
    floor = _px(0.04, dpi)
    for grid in grids:
        for spec in grid.cells:
            x0, y0, x1, y1 = grid.box(*spec)
            sub = ink[y0 + tol: y1 - tol, x0 + tol: x1 - tol]
            if sub.size:
                heights += [b - a for a, b in _runs(sub.any(axis=1)) if b - a >= floor]
    return float(np.median(heights)) if heights else 0.15 * dpi


def segment_lines(ink: np.ndarray, raw_ink: np.ndarray, box: tuple[int, int, int, int],
                  line_h: float) -> list[tuple[int, int, int, int]]:
    """Text lines inside a box (pixel boxes, top to bottom), from the row profile of its ink.

    Lines are found on `ink` (no specks); their ends then take in the small marks of `raw_ink` that
    sit close by, so a final 。 or : is read too.
    """
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), box[2], box[3]
    sub = ink[y0:y1, x0:x1]
    if sub.size == 0:
        return []
    groups: list[list[int]] = []
    for a, b in _runs(sub.any(axis=1)):
        # characters such as 二 or 三 leave blank rows inside one line: merge while the line stays one line high
        if groups and b - groups[-1][0] <= 1.35 * line_h and a - groups[-1][1] < 0.6 * line_h:
            groups[-1][1] = b
        else:
            groups.append([a, b])
    out = []
    for a, b in groups:
        for ya, yb in _split_tall(sub, a, b, line_h):
            cols = np.flatnonzero(sub[ya:yb].any(axis=0))
            lo, hi = int(cols[0]), int(cols[-1])
            if yb - ya < 0.2 * line_h and hi + 1 - lo < 0.25 * line_h:
                continue  # a speck, not a line ('-' is wide enough and stays)
            marks = np.flatnonzero(raw_ink[y0 + ya: y0 + yb, x0:x1].any(axis=0))
            for c in marks[marks > hi]:
                if c - hi > 0.6 * line_h:
                    break
                hi = int(c)
            for c in marks[marks < lo][::-1]:
                if lo - c > 0.6 * line_h:
                    break
                lo = int(c)
            out.append((x0 + lo, y0 + ya, x0 + hi + 1, y0 + yb))
    return out


def _split_tall(sub: np.ndarray, a: int, b: int, line_h: float) -> list[tuple[int, int]]:
    """Split a run taller than ~1.6 lines (lines set solid) at the emptiest rows near the expected cuts."""
    k = round((b - a) / line_h)
    if (b - a) <= 1.6 * line_h or k < 2:
        return [(a, b)]
    counts = sub[a:b].astype(bool).sum(axis=1)
    cuts = [a]
    window = max(1, int(0.3 * line_h))
    for i in range(1, k):
        nominal = int(i * (b - a) / k)
        lo, hi = max(1, nominal - window), min(b - a - 1, nominal + window)
        cuts.append(a + lo + int(np.argmin(counts[lo:hi + 1])))
    cuts.append(b)
    return [(p, q) for p, q in zip(cuts, cuts[1:]) if q > p]


def _crop(gray: np.ndarray, box: tuple[int, int, int, int], line_h: float) -> np.ndarray:
    """A line crop on white, at least one line high (a lone '=' or '—' keeps its proportions), with a margin."""
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    m = max(2, int(0.2 * line_h))
    pad = max(0, int(round(line_h)) - (y1 - y0))
    return cv2.copyMakeBorder(crop, m + pad // 2, m + pad - pad // 2, m, m, cv2.BORDER_CONSTANT, value=255)


def cell_text(parts: list[str]) -> str:
    """A cell's lines joined; a cell that reads only 一 is the placeholder dash (— and 一 are the same stroke)."""
    text = join_lines(parts)
    return "—" * len(text) if text in ("一", "一一") else text


# The recogniser's spaces next to a CJK character are spacing artefacts (`1 批`, `≤12 小时`), and
# underscores at a line's ends are ruling remnants: both are dropped.
_OCR_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) +| +(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def join_lines(parts: list[str]) -> str:
    """Join a cell's lines in reading order: no space for CJK or numbers, one space between Latin words."""
    out = ""
    for part in (_OCR_SPACE.sub("", p).strip().strip("_").strip() for p in parts):
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return out


# ---------------------------------------------------------------- text outside tables


def free_text(prepared: PageImage, engine: OcrEngine, min_score: float = DEFAULTS.min_score) -> list[OcrBox]:
    """Detection + recognition on the horizontal bands of ink outside tables; boxes in page pixels."""
    tol, line_h = prepared.tol, prepared.line_h
    page = prepared.clean.copy()
    outside = prepared.ink.copy()
    for grid in prepared.grids:
        x0, y0, x1, y1 = grid.xs[0] - 2 * tol, grid.ys[0] - 2 * tol, grid.xs[-1] + 2 * tol, grid.ys[-1] + 2 * tol
        page[max(0, y0): y1, max(0, x0): x1] = 255
        outside[max(0, y0): y1, max(0, x0): x1] = 0
    bands: list[list[int]] = []
    for a, b in _runs(outside.any(axis=1)):
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


# ---------------------------------------------------------------- debug


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


def _px(inches: float, dpi: float) -> int:
    return max(1, int(round(inches * dpi)))
