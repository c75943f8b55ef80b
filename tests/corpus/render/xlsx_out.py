"""Write `spec.Table`s into openpyxl worksheets: merges, thin borders, wrap, number formats, print setup."""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .spec import C, Table
from .zipfix import pin_zip

FONT = "Noto Serif CJK SC"  # stands in for 宋体
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CM_PER_UNIT = 0.2  # one Excel column-width unit in cm (approximately, at 11 pt)


def _height(cell: C, width_cm: float, size: float) -> float:
    """Row height in points that shows `cell`'s wrapped text in a merged width of `width_cm`."""
    text = "" if cell.value is None else str(cell.value)
    per_line = max(1, int((width_cm - 0.2) / (size * 0.0353 * 1.02)))
    lines = sum(max(1, math.ceil(sum(1 if ord(ch) > 255 else 0.55 for ch in part) / per_line))
                for part in text.split("\n"))
    return lines * size * 1.32 + 5


def write(ws: Worksheet, t: Table) -> None:
    """Put `t` at A1 of `ws`, sizing rows so wrapped text is visible, and set the print area."""
    for i, w in enumerate(t.widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = round(w / CM_PER_UNIT, 2)
    need = [row.height or 0.0 for row in t.rows]
    for r, c, cell in t.placed():
        size = cell.size or t.size
        region = [(rr, cc) for rr in range(r + 1, r + cell.rs + 1) for cc in range(c + 1, c + cell.cs + 1)]
        for rr, cc in region:
            if cell.border:
                ws.cell(rr, cc).border = BOX
        xc = ws.cell(r + 1, c + 1)
        xc.value = None if cell.value == "" else cell.value
        xc.font = Font(name=FONT, size=size, bold=cell.bold)
        xc.alignment = Alignment(horizontal=cell.align if cell.align != "justify" else "left",
                                 vertical=cell.valign, wrap_text=True)
        if cell.fmt:
            xc.number_format = cell.fmt
        if cell.cs > 1 or cell.rs > 1:
            ws.merge_cells(start_row=r + 1, start_column=c + 1, end_row=r + cell.rs, end_column=c + cell.cs)
        if not t.rows[r].height:
            h = _height(cell, sum(t.widths[c:c + cell.cs]), size) / cell.rs
            need[r] = max(need[r], h)
    for r, h in enumerate(need):
        ws.row_dimensions[r + 1].height = round(max(h, 18), 1)
    ws.print_area = f"A1:{get_column_letter(len(t.widths))}{len(t.rows)}"


def page_setup(ws: Worksheet) -> None:
    """A4, fit all columns on one page width, any number of pages tall, centred horizontally."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.sheet_view.showGridLines = False


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = wb.properties.lastModifiedBy = "Administrator"
    wb.properties.created = wb.properties.modified = datetime(2023, 3, 1, 9, 0, 0)
    return wb


def save(wb: Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    pin_zip(path)
    return path
