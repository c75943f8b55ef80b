"""The stream the segmenter reads: a Grid's rows and text lines in reading order, tables joined over
page breaks (a merged label split by the break made whole, a row split by the break merged back)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from normalizers.text import is_placeholder
from pipeline.model import BBox, Cell, Grid, Table, TextLine
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


def off_page(line: TextLine) -> bool:
    """Text drawn above the page's top edge, clipped from view: an exporter (LibreOffice from XLSX)
    draws a merged cell's text centred on the whole cell, so a label merged over a page break lands
    above the next page's top."""
    return line.bbox is not None and line.bbox.bottom <= 0


def continues(previous: Table, table: Table, between: list[TextLine]) -> bool:
    """Does table (first on its page) continue previous (last on the page before)? Its right edge
    lines up; its left edge too, or falls on a column edge of previous when the label columns on the
    left have no cell of their own on the new page (a merged label running over the break)."""
    if table.page != previous.page + 1 or any(
        not (BOILERPLATE.match(line.text.strip()) or off_page(line)) for line in between
    ):
        return False
    a, b = previous.upright or previous.bbox, table.upright or table.bbox
    if a is None or b is None or abs(a.x1 - b.x1) >= 6:
        return False
    if abs(a.x0 - b.x0) < 6:
        return True
    return b.x0 > a.x0 and any(abs(extent(cell)[0] - b.x0) < 6 for cell in previous.cells)


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
        labels = [line for line in pending_lines if joined and off_page(line)]
        stream.items.extend(line for line in pending_lines
                            if not (joined and (BOILERPLATE.match(line.text.strip()) or off_page(line))))
        pending_lines = []
        if joined and rows:
            previous_rows = [item for item in stream.items if isinstance(item, Row)]
            if previous_rows:
                above = [row for row in previous_rows if row.table == previous_rows[-1].table]
                for line in labels:
                    place_label(stream, line, above, rows)
                rows = mend_page_break(stream, previous_rows[-1], rows)
            for row in rows:
                row.table = previous_rows[-1].table if previous_rows else table_index
        stream.items.extend(rows)
        last_table = block
    stream.items.extend(pending_lines)
    return stream


def place_label(stream: Stream, line: TextLine, above: list[Row], below: list[Row]) -> None:
    """A merged label's text drawn off the page (off_page): the label of the rows around the break
    that have no cell in its column. The column is the last cell above covering the text's centre
    (a header cell, an earlier label); the rows after it up to the break, and the new page's rows up
    to the first with a cell of their own there, get one merged cell each side of the break."""
    centre = (line.bbox.x0 + line.bbox.x1) / 2
    covers = lambda row: next((c for c in row.cells if extent(c)[0] <= centre <= extent(c)[1]), None)  # noqa: E731
    anchor_at = next((i for i in range(len(above) - 1, -1, -1) if covers(above[i]) is not None), None)
    if anchor_at is None or anchor_at == len(above) - 1:
        return
    anchor = covers(above[anchor_at])
    x0, x1 = extent(anchor)
    runs = [above[anchor_at + 1:], []]
    for row in below:
        if covers(row) is not None:
            break
        runs[1].append(row)
    for run in runs:
        if not run:
            continue
        tops = [c.bbox for c in run[0].cells if c.bbox is not None]
        bottoms = [c.bbox for c in run[-1].cells if c.bbox is not None]
        box = BBox(x0, min(b.top for b in tops), x1, max(b.bottom for b in bottoms)) if tops and bottoms else None
        label = Cell(row=max(c.row for c in run[0].cells), col=anchor.col, text=line.text.strip(), rowspan=len(run),
                     colspan=anchor.colspan, page=run[0].page, bbox=box)
        for row in run:
            row.cells = sorted([*row.cells, label], key=lambda c: extent(c)[0])


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

