"""Text inside table cells: each cell cut into lines by its ink's row profile, every line recognised in one
batch, lone glyphs given a second look, and a cell's lines joined into its text."""
from __future__ import annotations

import re

import cv2
import numpy as np

from extractors.ocr_engines import OcrEngine
from extractors.scan.measure import runs
from extractors.scan.prepare import PageImage
from extractors.scan.seals import centred_layouts, under_seal


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
            if under_seal(inner, prepared.seals):
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
    marks = runs(ink.any(axis=0))
    return len(marks) if len(marks) >= 2 and all(b - a <= 1.5 * rows for a, b in marks) else 0


def _equal_bars(crop: np.ndarray) -> bool:
    """Two horizontal bars of the same length (=), not a short one over a long one (二)."""
    ink = crop < 128
    bars = runs(ink.any(axis=1))
    if len(bars) != 2:
        return False
    widths = [np.count_nonzero(ink[a:b].any(axis=0)) for a, b in bars]
    return min(widths) >= 0.9 * max(widths)


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
    for a, b in runs(sub.any(axis=1)):
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
