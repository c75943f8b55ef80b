"""Grey round seals (left after red suppression): finding their rings, whitening rings and solid fills,
and the line layouts tried for cells under a seal, whose strokes blur where one text line ends."""
from __future__ import annotations

import math

import cv2
import numpy as np

from extractors.scan.measure import px


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
    size = px(0.05, dpi) | 1
    solid = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    edge = 2 * px(0.02, dpi) + 1  # the star's blurred rim, lighter than its body
    solid = cv2.dilate(solid, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (edge, edge))) > 0
    if not solid.any():
        return
    # print over the star is overprinted, darker than the star's own tone: it stays
    fill = solid & (gray >= 0.75 * float(np.median(gray[solid])))
    binary[fill] = 0
    gray[fill] = 255


def under_seal(box: tuple[int, int, int, int], seals) -> bool:
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
