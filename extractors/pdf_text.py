"""PDFs with a text layer → Grid, with pdfplumber.

Tables come from pdfplumber's ruling-line finder. Its cells are merged areas already (a merged
cell has no inner rules), so the grid lines are the union of all cell edges and each cell's
row/col span is read off them. Characters are assigned to cells once, by their centre, instead
of cropping the page per cell. Pages without ruled tables fall back to the text strategy when
their words line up in columns.
"""
from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import pdfplumber
from pdfplumber.utils.text import chars_to_textmap, extract_text

from pipeline.detect import page_kind
from pipeline.model import BBox, Cell, Grid, Table, TextLine

LINE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
EDGE_TOLERANCE = 2.0  # points: cell edges closer than this are one grid line


def extract_pdf_text(path: Path, skip_pages: set[int] | None = None) -> tuple[Grid, list[str]]:
    """Read every text page of the PDF; return the Grid and each page's kind (text/cid/scanned).

    Pages that are not `text` contribute nothing here: the caller sends them to OCR.
    """
    tables: list[Table] = []
    lines: list[TextLine] = []
    kinds: list[str] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            kind = page_kind(page)
            kinds.append(kind)
            if kind != "text" or (skip_pages and number in skip_pages):
                continue
            page_tables, page_lines = read_page(page.dedupe_chars() if overprinted(page.chars) else page, number)
            tables.extend(page_tables)
            lines.extend(page_lines)
            page.flush_cache()
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=len(kinds), page_kinds=tuple(kinds)), kinds


def overprinted(chars: list[dict]) -> bool:
    """Does the page draw characters twice (fake bold)? Then pdfplumber's dedupe is worth its cost."""
    seen: set[tuple] = set()
    repeats = 0
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        repeats += key in seen
        seen.add(key)
    return repeats > 0.01 * len(chars)


def read_page(page, number: int) -> tuple[list[Table], list[TextLine]]:
    """Tables and the text outside them on one pdfplumber page."""
    found = [table for table in page.find_tables(LINE_SETTINGS) if len(table.cells) >= 2]
    tables = [build_table(page, found_table.cells, number) for found_table in found]
    boxes = [table.bbox for table in found]

    def outside_tables(char) -> bool:
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    free = [char for char in page.chars if outside_tables(char)]
    text_lines = [
        TextLine(
            text=line["text"].strip(),
            page=number,
            bbox=BBox(line["x0"], line["top"], line["x1"], line["bottom"]),
        )
        for line in chars_to_textmap(free).extract_text_lines(strip=True, return_chars=False)
        if line["text"].strip()
    ] if free else []
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


def build_table(page, cell_boxes: list[tuple], number: int) -> Table:
    """pdfplumber cell rectangles → a Table of Cells with spans and their text."""
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
    for char in page.chars:
        cx = (char["x0"] + char["x1"]) / 2
        cy = (char["top"] + char["bottom"]) / 2
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            continue
        slot = (min(bisect_right(ys, cy) - 1, n_rows - 1), min(bisect_right(xs, cx) - 1, n_cols - 1))
        index = slots.get(slot)
        if index is not None:
            chars_of[index].append(char)

    cells = tuple(
        Cell(
            row=row,
            col=col,
            rowspan=rowspan,
            colspan=colspan,
            text=cell_text(chars_of[index]),
            page=number,
            bbox=BBox(*box),
        )
        for index, (row, col, rowspan, colspan, box) in enumerate(placed)
    )
    return Table(
        cells=cells, n_rows=n_rows, n_cols=n_cols, page=number,
        bbox=BBox(x0, top, x1, bottom), method="pdfplumber-lines",
    )


def cell_text(chars: list[dict]) -> str:
    """A cell's characters as lines of text (line breaks kept; the normalizer joins them)."""
    if not chars:
        return ""
    return extract_text(chars, x_tolerance=3, y_tolerance=3).strip()
