"""Ruled tables of a page: long strokes (line masks) → thin segments → clustered line positions → rulings
that cross two others and are drawn through between two crossings → slots, merged into cells where the
border between them is not drawn."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from extractors.scan.measure import px, runs
from extractors.scan.settings import DEFAULTS, ScanSettings


@dataclass(frozen=True)
class RuledTable:
    """One ruled table in deskewed pixels: line positions and cells as (row, col, rowspan, colspan)."""

    xs: tuple[int, ...]
    ys: tuple[int, ...]
    cells: tuple[tuple[int, int, int, int], ...]

    def box(self, r: int, c: int, rs: int, cs: int) -> tuple[int, int, int, int]:
        return self.xs[c], self.ys[r], self.xs[c + cs], self.ys[r + rs]


def line_masks(binary: np.ndarray, dpi: float, settings: ScanSettings = DEFAULTS) -> tuple[np.ndarray, np.ndarray]:
    """Long horizontal and vertical strokes (morphological opening), short gaps bridged."""
    hk, vk, gap = px(settings.h_kernel, dpi), px(settings.v_kernel, dpi), px(settings.gap_bridge, dpi)
    pin = px(0.02, dpi) | 1  # close pinholes first: one missing pixel in a thin ruling would stop the opening
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


def ruling_mask(hmask: np.ndarray, vmask: np.ndarray, grids: list[RuledTable], tol: int) -> np.ndarray:
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
                settings: ScanSettings = DEFAULTS, seals=()) -> list[RuledTable]:
    """Ruled tables on the page, top to bottom; strokes lying wholly inside a seal are not rulings."""
    tol = px(settings.line_tol, dpi)
    both = cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((2 * tol + 1, 2 * tol + 1), np.uint8))
    _, _, regions, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    thick = settings.max_ruling * dpi
    hsegs = _segments(hmask, True, px(settings.h_kernel, dpi), thick)
    vsegs = _segments(vmask, False, px(settings.v_kernel, dpi), thick)

    near = px(0.1, dpi)  # a stroke's box ends a little outside the ring it was cut from

    def in_seal(x0: float, y0: float, x1: float, y1: float) -> bool:
        return any(math.hypot(x0 - cx, y0 - cy) < r + near and math.hypot(x1 - cx, y1 - cy) < r + near
                   for cx, cy, _, r in seals)

    hsegs = [s for s in hsegs if not in_seal(s[1], s[0], s[2], s[0])]
    vsegs = [s for s in vsegs if not in_seal(s[0], s[1], s[0], s[2])]
    min_w, min_h = px(settings.min_table[0], dpi), px(settings.min_table[1], dpi)
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


def _build_grid(rows, cols, binary, hmask, vmask, dpi, settings) -> RuledTable | None:
    """Rulings → slots → cells: neighbouring slots merge where the border between them is not drawn."""
    tol = px(settings.line_tol, dpi)
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
    gap = px(settings.gap_bridge, dpi)
    pin = max(1, px(0.01, dpi))

    def separates(mask_prof: np.ndarray, ink_prof: np.ndarray, flank: np.ndarray, a: int, b: int) -> bool:
        """Drawn: a long stretch of ruling, clear on one side; or, both sides clear, a ruling that runs the
        whole way once the ink beyond a dropout (a piece too short for the opening) is counted."""
        lo, hi = a + tol, b - tol
        if hi <= lo:
            return True
        n, side = hi - lo, float(flank[lo:hi].mean())
        return (((_longest_run(mask_prof[lo:hi], mask_prof[lo:hi], 0) >= settings.separator_coverage * n and side < 0.5)
                 or (_longest_run(ink_prof[lo:hi] | mask_prof[lo:hi], mask_prof[lo:hi], gap) >= 0.9 * n
                     and side < 0.1))
                and _reaches(ink_prof, a, b, tol, pin))

    # a line whose border is drawn nowhere (glyph strokes that passed for a ruling) is no line: drop it, re-judge
    xi, yi = list(range(len(xs))), list(range(len(ys)))
    while True:
        n_rows, n_cols = len(yi) - 1, len(xi) - 1
        vsep = [[separates(vprof[xi[c + 1]], vink[xi[c + 1]], vflank[xi[c + 1]], ys[yi[r]], ys[yi[r + 1]])
                 for c in range(n_cols - 1)] for r in range(n_rows)]
        hsep = [[separates(hprof[yi[r + 1]], hink[yi[r + 1]], hflank[yi[r + 1]], xs[xi[c]], xs[xi[c + 1]])
                 for c in range(n_cols)] for r in range(n_rows - 1)]
        keep_x = [xi[0]] + [xi[c + 1] for c in range(n_cols - 1) if any(row[c] for row in vsep)] + [xi[-1]]
        keep_y = [yi[0]] + [yi[r + 1] for r in range(n_rows - 1) if any(hsep[r])] + [yi[-1]]
        if keep_x == xi and keep_y == yi:
            break
        xi, yi = keep_x, keep_y
    xs, ys = [xs[i] for i in xi], [ys[i] for i in yi]

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
    return RuledTable(xs=tuple(xs), ys=tuple(ys), cells=tuple(cells))


def _reaches(ink_prof: np.ndarray, a: int, b: int, tol: int, pin: int) -> bool:
    """A border meets the rulings at both its ends: its ink has no gap wider than a pinhole next to either
    crossing. A glyph stroke beside a column position (the left bar of 自 or 管 in a short row) is glued
    to the rulings above and below by the masks' closings, but leaves blank pixels next to them."""
    def widest_gap(flags: np.ndarray) -> int:
        blank = ~flags
        return max((q - p for p, q in runs(blank)), default=0)

    return widest_gap(ink_prof[a:a + tol + 1]) <= pin and widest_gap(ink_prof[max(0, b - tol):b + 1]) <= pin


def _longest_run(flags: np.ndarray, anchor: np.ndarray, bridge: int) -> int:
    """Length of the longest stretch of True values, gaps up to `bridge` included, that holds some `anchor`."""
    best, start, end, anchored = 0, 0, -bridge - 1, False
    for p, q in runs(flags):
        if p - end > bridge:
            start, anchored = p, False
        end = q
        anchored = anchored or bool(anchor[p:q].any())
        if anchored:
            best = max(best, end - start)
    return best
