"""PDFs with a text layer → Grid: PDFium reads the page, pdfplumber's table finder finds the tables.

PDFium (pypdfium2) parses pages in C++, several times faster than pdfminer, and gives each
character with its box and each vector path with its segments. The ruling edges then go through
pdfplumber's own pure steps (merge_edges → edges_to_intersections → intersections_to_cells →
cells_to_tables), so the table geometry is pdfplumber's. Its cells are merged areas already (a
merged cell has no inner rules), so each cell's row/col span is read off the union of all cell
edges. Characters are assigned to cells once, by their centre, and joined into the lines they
print (`printed_lines`: mixed fonts in one line, no space for the gap set between Chinese and Latin).

Coordinates are PDF points with the origin at the page's top-left, as everywhere in the Grid.
"""
from __future__ import annotations

import ctypes
from bisect import bisect_right
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import filter_edges

from extractors.page_kinds import page_kind
from pipeline.model import BBox, Cell, Grid, Table, TextLine

SNAP = 3.0            # points: rules closer than this are one rule (pdfplumber's default tolerances)
EDGE_MIN_LENGTH = 3.0
THIN = 3.0            # a path thinner than this is a rule, not a box
AXIS = 0.5            # a segment is horizontal/vertical when it deviates less than this
EDGE_TOLERANCE = 2.0  # cell edges closer than this are one grid line
SKIPPED_CODES = {0x0D, 0x0A, 0xFFFE, 0x02}
WORD_GAP = 3.0        # points: a wider gap between Latin characters is a space (pdfplumber's x_tolerance)


def extract_pdf_text(path: Path, skip_pages: set[int] | None = None) -> tuple[Grid, list[str]]:
    """Read every text page of the PDF; return the Grid and each page's kind (text/cid/scanned).

    Pages that are not `text` contribute nothing here: the caller sends them to OCR.
    """
    tables: list[Table] = []
    lines: list[TextLine] = []
    kinds: list[str] = []
    pdf = pdfium.PdfDocument(str(path))
    try:
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            try:
                height = page.get_height()
                chars = page_chars(page, height)
                paths = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1))
                kind = page_kind(chars, image_share(page), len(paths))
                kinds.append(kind)
                if kind != "text" or (skip_pages and number in skip_pages):
                    continue
                page_tables, page_lines = read_page(chars, page_edges(paths, height), number)
                tables.extend(page_tables)
                lines.extend(page_lines)
            finally:
                page.close()
    finally:
        pdf.close()
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=len(kinds), page_kinds=tuple(kinds)), kinds


def page_chars(page, height: float) -> list[dict]:
    """The page's printed characters as pdfplumber-style dicts (PDFium's generated spaces left out)."""
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        rect = pdfium_c.FS_RECTF()
        chars = []
        for index in range(pdfium_c.FPDFText_CountChars(raw)):
            if pdfium_c.FPDFText_IsGenerated(raw, index):
                continue
            code = pdfium_c.FPDFText_GetUnicode(raw, index)
            if code in SKIPPED_CODES:
                continue
            pdfium_c.FPDFText_GetLooseCharBox(raw, index, ctypes.byref(rect))
            top, bottom = height - rect.top, height - rect.bottom
            chars.append({
                "text": chr(code), "x0": rect.left, "x1": rect.right, "top": top, "bottom": bottom,
                "doctop": top, "upright": True, "width": rect.right - rect.left, "height": bottom - top,
            })
        return chars
    finally:
        textpage.close()


def image_share(page) -> float:
    """Share of the page covered by images (a scanned page is one big image)."""
    area = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        area += max(0.0, right - left) * max(0.0, top - bottom)
    width, height = page.get_size()
    return area / (width * height or 1.0)


def edge(x0: float, top: float, x1: float, bottom: float) -> dict:
    orientation = "h" if bottom - top < x1 - x0 else "v"
    if orientation == "h":
        top = bottom = (top + bottom) / 2
    else:
        x0 = x1 = (x0 + x1) / 2
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": "line"}


def page_edges(paths: list, height: float) -> list[dict]:
    """Horizontal and vertical rules drawn by the page's paths: thin paths, and axis-aligned segments."""
    edges = []
    point_x, point_y = ctypes.c_float(), ctypes.c_float()
    for path in paths:
        left, bottom, right, top = path.get_bounds()
        if right - left < THIN or top - bottom < THIN:
            edges.append(edge(left, height - top, right, height - bottom))
            continue
        matrix = path.get_matrix()
        points = []
        for index in range(pdfium_c.FPDFPath_CountSegments(path.raw)):
            segment = pdfium_c.FPDFPath_GetPathSegment(path.raw, index)
            pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(point_x), ctypes.byref(point_y))
            x, y = matrix.on_point(point_x.value, point_y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_LINETO and points:
                (px, py) = points[-1]
                if abs(px - x) < AXIS or abs(py - y) < AXIS:
                    edges.append(edge(min(px, x), height - max(py, y), max(px, x), height - min(py, y)))
            if pdfium_c.FPDFPathSegment_GetClose(segment) and points:
                first = points[0]
                if abs(first[0] - x) < AXIS or abs(first[1] - y) < AXIS:
                    edges.append(edge(min(first[0], x), height - max(first[1], y), max(first[0], x), height - min(first[1], y)))
            points = [(x, y)] if kind == pdfium_c.FPDF_SEGMENT_MOVETO else [*points, (x, y)]
    return edges


def missing_rules(edges: list[dict], chars: list[dict]) -> list[dict]:
    """Vertical rules a ruled table did not print: its outer frame, or all of them.

    Three or more horizontal rules sharing one left and right end are a table. With inner
    vertical rules but no frame (a common funds-block style), the frame's sides are added; with
    no vertical rule at all (tables ruled only horizontally), the column separators are read from
    the white gaps that run down the rows between the rules, then the frame is added too.
    """
    horizontal = sorted((e for e in edges if e["orientation"] == "h" and e["width"] >= 20), key=lambda e: (e["x0"], e["x1"]))
    vertical = [e for e in edges if e["orientation"] == "v"]
    groups: list[list[dict]] = []
    for rule in horizontal:
        group = next((g for g in groups if abs(g[0]["x0"] - rule["x0"]) <= SNAP and abs(g[0]["x1"] - rule["x1"]) <= SNAP), None)
        if group is None:
            groups.append([rule])
        else:
            group.append(rule)
    added = []
    for group in (g for g in groups if len(g) >= 3):
        x0, x1 = group[0]["x0"], group[0]["x1"]
        top, bottom = min(e["top"] for e in group), max(e["bottom"] for e in group)
        inner = [e for e in vertical if x0 + SNAP < e["x0"] < x1 - SNAP and e["bottom"] > top and e["top"] < bottom]
        if not inner:
            inner = [edge(x, top, x, bottom) for x in column_gaps(group, chars)]
            if not inner:
                continue
            added.extend(inner)
        for x in (x0, x1):
            along = [e for e in vertical if abs(e["x0"] - x) <= SNAP]
            if sum(min(e["bottom"], bottom) - max(e["top"], top) for e in along) < 0.9 * (bottom - top):
                added.append(edge(x, top, x, bottom))
    return added


def column_gaps(rules: list[dict], chars: list[dict], min_gap: float = 4.0, share: float = 0.7) -> list[float]:
    """x of the white gaps that run down most rows between horizontal rules (column separators)."""
    x0, x1 = int(rules[0]["x0"]), int(rules[0]["x1"]) + 1
    ys = sorted({round(e["top"], 1) for e in rules})
    bands = []
    for top, bottom in zip(ys, ys[1:]):
        inked = [False] * (x1 - x0)
        for char in chars:
            cy = (char["top"] + char["bottom"]) / 2
            if top < cy < bottom and x0 <= char["x0"] and char["x1"] <= x1:
                for x in range(int(char["x0"]) - x0, min(int(char["x1"]) + 1 - x0, x1 - x0)):
                    inked[x] = True
        if any(inked):
            bands.append(inked)
    if len(bands) < 2:
        return []
    free = [sum(1 for band in bands if not band[x]) >= share * len(bands) for x in range(x1 - x0)]
    inked_any = [any(band[x] for band in bands) for x in range(x1 - x0)]
    first, last = inked_any.index(True), len(inked_any) - 1 - inked_any[::-1].index(True)
    gaps, start = [], None
    for x in range(first, last + 1):
        if free[x] and start is None:
            start = x
        elif not free[x] and start is not None:
            if x - start >= min_gap:
                gaps.append(x0 + (start + x) / 2)
            start = None
    return gaps


def find_tables(edges: list[dict], chars: list[dict]) -> list[list[tuple]]:
    """pdfplumber's lattice steps on the page's rules: lists of cell rectangles, one list per table."""
    edges = edges + missing_rules(edges, chars)
    merged = merge_edges(edges, snap_x_tolerance=SNAP, snap_y_tolerance=SNAP, join_x_tolerance=SNAP, join_y_tolerance=SNAP)
    merged = filter_edges(merged, min_length=EDGE_MIN_LENGTH)
    cells = intersections_to_cells(edges_to_intersections(merged, x_tolerance=SNAP, y_tolerance=SNAP))
    return [table for table in cells_to_tables(cells) if len(table) >= 2]


def read_page(chars: list[dict], edges: list[dict], number: int) -> tuple[list[Table], list[TextLine]]:
    """Tables and the text outside them on one page."""
    found = find_tables(edges, chars)
    tables = [build_table(chars, cell_boxes, number) for cell_boxes in found]
    boxes = [(t.bbox.x0, t.bbox.top, t.bbox.x1, t.bbox.bottom) for t in tables]

    def outside_tables(char) -> bool:
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    free = [char for char in chars if outside_tables(char)]
    text_lines = [
        TextLine(text=text, page=number, bbox=box) for text, box in printed_lines(free)
    ]
    return tables, text_lines


def grid_lines(values: list[float]) -> list[float]:
    """Cluster edge coordinates into grid lines (mean of each cluster)."""
    clusters: list[list[float]] = []
    for value in sorted(values):
        if clusters and value - clusters[-1][-1] <= EDGE_TOLERANCE:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return [sum(cluster) / len(cluster) for cluster in clusters]


def nearest(lines: list[float], value: float) -> int:
    """Index of the grid line closest to value."""
    return min(range(len(lines)), key=lambda index: abs(lines[index] - value))


def build_table(chars: list[dict], cell_boxes: list[tuple], number: int) -> Table:
    """Cell rectangles → a Table of Cells with spans and their text."""
    xs = grid_lines([box[0] for box in cell_boxes] + [box[2] for box in cell_boxes])
    ys = grid_lines([box[1] for box in cell_boxes] + [box[3] for box in cell_boxes])
    n_rows, n_cols = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    slots: dict[tuple[int, int], int] = {}
    placed: list[tuple[int, int, int, int, tuple]] = []
    for box in cell_boxes:
        col, col_end = nearest(xs, box[0]), nearest(xs, box[2])
        row, row_end = nearest(ys, box[1]), nearest(ys, box[3])
        if col_end <= col or row_end <= row:
            continue
        index = len(placed)
        placed.append((row, col, row_end - row, col_end - col, box))
        for r in range(row, row_end):
            for c in range(col, col_end):
                slots.setdefault((r, c), index)

    chars_of: list[list[dict]] = [[] for _ in placed]
    x0, top, x1, bottom = xs[0], ys[0], xs[-1], ys[-1]
    for char in chars:
        cx = (char["x0"] + char["x1"]) / 2
        cy = (char["top"] + char["bottom"]) / 2
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            continue
        slot = (min(bisect_right(ys, cy) - 1, n_rows - 1), min(bisect_right(xs, cx) - 1, n_cols - 1))
        index = slots.get(slot)
        if index is not None:
            chars_of[index].append(char)

    cells = tuple(
        Cell(row=row, col=col, rowspan=rowspan, colspan=colspan, text=cell_text(chars_of[index]), page=number, bbox=BBox(*box))
        for index, (row, col, rowspan, colspan, box) in enumerate(placed)
    )
    return Table(cells=cells, n_rows=n_rows, n_cols=n_cols, page=number, bbox=BBox(x0, top, x1, bottom), method="pdfium+pdfplumber-lattice")


def cell_text(chars: list[dict]) -> str:
    """A cell's characters as lines of text (line breaks kept; the normalizer joins them)."""
    return "\n".join(text for text, _ in printed_lines(chars)).strip()


def printed_lines(chars: list[dict]) -> list[tuple[str, BBox]]:
    """Characters → the lines they print, top to bottom, each with its text and box.

    A line is the characters whose centre lies inside the box of its first character (by centre):
    fonts mixed in a line (宋体 for Chinese, Times New Roman for digits, as Word exports print them)
    have loose boxes of different heights, which pdfplumber's `top` tolerance would split into two
    lines (`产出指标(50分)` read `(50 )` over `产出指标分`). Within a line a space is the PDF's own
    space character, or a gap wider than WORD_GAP between two Latin characters. A gap next to a
    Chinese character is layout, never a space: Word and LibreOffice set Chinese and Latin text
    apart (`≥5公里` printed with a gap) and spread 分散对齐 labels (`项 目 名 称`) without any space
    in the text. pdfplumber's one `x_tolerance` cannot tell these apart, so the line is put
    together here."""
    lines: list[list[dict]] = []
    anchor: dict | None = None
    for char in sorted(chars, key=lambda c: c["top"] + c["bottom"]):
        centre = (char["top"] + char["bottom"]) / 2
        if anchor is None or not anchor["top"] <= centre <= anchor["bottom"]:
            anchor = char
            lines.append([])
        lines[-1].append(char)
    result = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text, previous = "", None
        for char in line:
            if char["text"].isspace():
                text += " " if text and not text.endswith(" ") else ""
                continue
            if (previous is not None and not text.endswith(" ") and char["x0"] - previous["x1"] > WORD_GAP
                    and not is_cjk(previous["text"]) and not is_cjk(char["text"])):
                text += " "
            text += char["text"]
            previous = char
        if text.strip():
            box = BBox(min(c["x0"] for c in line), min(c["top"] for c in line),
                       max(c["x1"] for c in line), max(c["bottom"] for c in line))
            result.append((text.strip(), box))
    return result


def is_cjk(text: str) -> bool:
    """A Chinese character or full-width form (1 em wide in the font)."""
    return "\u3000" <= text <= "\u9fff" or "\uff00" <= text <= "\uffef"
