"""The stream the segmenter reads: a Grid's rows and text lines in reading order, tables joined over
page breaks (a merged label split by the break made whole, a row split by the break merged back)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from normalizers.text import is_placeholder
from pipeline.model import Cell, Grid, Table, TextLine
from pipeline.segment.columns import extent
from pipeline.segment.vocabulary import role_of

BOILERPLATE = re.compile(r"^(第?\s*[-—]?\s*\d+\s*[-—]?\s*页?(\s*/\s*共?\s*\d+\s*页?)?|[-—]\s*\d+\s*[-—])$")  # page numbers


@dataclass
class Row:
    """One table row in the stream: its distinct cells left to right."""

    cells: list[Cell]
    page: int
    table: int


@dataclass
class Stream:
    """Rows and text lines in reading order, tables joined over page breaks."""

    items: list[Row | TextLine] = field(default_factory=list)
    text: dict[int, str] = field(default_factory=dict)  # id(cell) → effective text

    def cell_text(self, cell: Cell) -> str:
        return self.text.get(id(cell), cell.text)


def dense_rows(table: Table, index: int) -> list[Row]:
    """A table's rows, each with its distinct cells (a merged cell appears in every row it spans)."""
    rows = []
    for slots in table.rows():
        seen: list[Cell] = []
        for cell in slots:
            if cell is not None and all(cell is not other for other in seen):
                seen.append(cell)
        if seen:
            rows.append(Row(cells=sorted(seen, key=lambda c: extent(c)[0]), page=min(c.page for c in seen), table=index))
    return rows


def continues(previous: Table, table: Table, between: list[TextLine]) -> bool:
    """Does table (first on its page) continue previous (last on the page before)?"""
    if table.page != previous.page + 1 or any(not BOILERPLATE.match(line.text.strip()) for line in between):
        return False
    a, b = previous.upright or previous.bbox, table.upright or table.bbox
    if a is None or b is None:
        return False
    return abs(a.x0 - b.x0) < 6 and abs(a.x1 - b.x1) < 6


def build_stream(grid: Grid) -> Stream:
    """Flatten the Grid into rows and lines; mend labels and rows split by page breaks."""
    stream = Stream()
    blocks = grid.blocks()
    table_index = -1
    last_table: Table | None = None
    pending_lines: list[TextLine] = []
    for block in blocks:
        if isinstance(block, TextLine):
            pending_lines.append(block)
            continue
        table_index += 1
        rows = dense_rows(block, table_index)
        joined = last_table is not None and continues(last_table, block, pending_lines)
        stream.items.extend(line for line in pending_lines if not (joined and BOILERPLATE.match(line.text.strip())))
        pending_lines = []
        if joined and rows:
            previous_rows = [item for item in stream.items if isinstance(item, Row)]
            if previous_rows:
                rows = mend_page_break(stream, previous_rows[-1], rows)
            for row in rows:
                row.table = previous_rows[-1].table if previous_rows else table_index
        stream.items.extend(rows)
        last_table = block
    stream.items.extend(pending_lines)
    return stream


def mend_page_break(stream: Stream, last: Row, rows: list[Row]) -> list[Row]:
    """Join the halves of a label or a row that a page break split; return the rows left to add.

    A header row repeated at the top of the continuation is passed over: the halves are the last
    row before the break and the first data row after it.
    """
    start = next((i for i, row in enumerate(rows) if not is_header_row(row)), None)
    if start is None:
        return rows
    first = rows[start]
    by_x = lambda row: {round(extent(c)[0]): c for c in row.cells}  # noqa: E731
    above, below = by_x(last), by_x(first)
    shared = [x for x in above if x in below]
    # A merged label (一级/二级) split by the break: the empty half takes the printed text.
    for x in shared:
        top, bottom = above[x], below[x]
        top_text, bottom_text = stream.cell_text(top).strip(), stream.cell_text(bottom).strip()
        tall = top.rowspan > 1 or bottom.rowspan > 1
        if tall and bool(top_text) != bool(bottom_text):
            text = top_text or bottom_text
            stream.text[id(top)] = stream.text[id(bottom)] = text
    # A row split by the break: the lower half fills only cells the upper half has too, and fewer.
    filled_above = {x for x in above if stream.cell_text(above[x]).strip() and above[x].rowspan == 1}
    filled_below = {x for x in below if stream.cell_text(below[x]).strip() and below[x].rowspan == 1}
    spanning_below = {x for x in below if below[x].rowspan > 1}
    if (
        filled_below
        and filled_below < filled_above
        and not spanning_below & filled_below
        and not any(is_placeholder(stream.cell_text(below[x])) for x in filled_below)
        and not any(role_of(stream.cell_text(below[x]), "indicators") for x in filled_below)
        and all(above[x].rowspan == 1 for x in filled_below)
    ):
        for x in filled_below:
            top = above[x]
            stream.text[id(top)] = stream.cell_text(top) + "\n" + stream.cell_text(below[x])
        return rows[:start] + rows[start + 1:]
    return rows


def is_header_row(row: Row) -> bool:
    """A row naming three or more indicator columns (a header, perhaps repeated on a new page)."""
    return sum(1 for cell in row.cells if role_of(cell.text, "indicators")) >= 3

