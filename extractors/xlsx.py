"""Spreadsheets (.xlsx with openpyxl, .xls with xlrd) → Grid: one visible sheet = one page.

Both readers fill the same `Sheet` (display texts, bordered cells, merges, hidden rows/columns), and
`_layout` turns it into blocks: runs of consecutive bordered rows are Tables (merged ranges become
one Cell, value from the top-left cell); other rows with text (the title, `公开14-3表`, 单位：万元,
填报人 …) are TextLines. A sheet without any borders is one Table from its first to its last row
holding two or more values. Hidden rows, columns and sheets are not printed, so they are skipped.

Numbers are rendered as Excel displays them for these formats: General, `0`, `0.00` (any number of
decimals, `#` for optional ones), `#,##0.00`, `0%`, `0.00%`, with literal prefixes/suffixes
(`¥`, `"元"`), `[Red]`/locale brackets, `_x` padding and a negative section. Dates and times use
their y/m/d/h/s codes (`yyyy"年"m"月"d"日"`, `yyyy-mm-dd`); anything else (fractions, scientific)
falls back to General.

A formula cell is read from the value Excel cached in the file. A workbook written by a program
that stores formulas without their values (openpyxl, many report generators) has none: those cells
are computed with the `formulas` engine; any it cannot compute is named in a warning, and the
document is partial, never `ok` with numbers missing.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import xlrd

from extractors.docx import guard_zip
from pipeline.model import BBox, Cell, Grid, Table, TextLine

DIGITS = "0#?"


@dataclass
class Sheet:
    """One sheet as printed: 0-based coordinates, merges as inclusive (r0, c0, r1, c1)."""

    values: dict[tuple[int, int], str] = field(default_factory=dict)
    bordered: set[tuple[int, int]] = field(default_factory=set)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def extract_xlsx(path: Path) -> Grid:
    """Read an .xlsx workbook (cached formula values, else computed ones) into a Grid."""
    guard_zip(path)
    try:
        book = openpyxl.load_workbook(path, data_only=True)
        sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        uncached = _uncached_formulas(path, {ws.title for ws in sheets}, book) if _has_empty_cells(sheets) else {}
    except Exception as error:  # openpyxl raises InvalidFileException, KeyError, BadZipFile, XML errors …
        raise ValueError(f"{path.name}: not a readable XLSX ({type(error).__name__}: {error})") from None
    computed, warnings = _computed(path, uncached) if uncached else ({}, [])
    grid = _grid([_openpyxl_sheet(ws, computed.get(ws.title, {})) for ws in sheets], "xlsx")
    return Grid(tables=grid.tables, lines=grid.lines, pages=grid.pages, page_kinds=grid.page_kinds, warnings=tuple(warnings))


def _has_empty_cells(sheets) -> bool:
    """Whether any stored cell has no value (a formula without a cached value reads as None)."""
    return any(cell.value is None for ws in sheets for cell in ws._cells.values())


def _uncached_formulas(path: Path, titles: set[str], book) -> dict[str, dict[tuple[int, int], str]]:
    """Per visible sheet, the formula cells (1-based row, col) whose cached value is missing."""
    formulas_book = openpyxl.load_workbook(path, data_only=False)
    found: dict[str, dict[tuple[int, int], str]] = {}
    for ws in formulas_book.worksheets:
        if ws.title not in titles:
            continue
        values = book[ws.title]._cells
        for position, cell in ws._cells.items():
            if cell.data_type == "f" and (position not in values or values[position].value is None):
                found.setdefault(ws.title, {})[position] = str(cell.value)
    return found


CELL_KEY = re.compile(r"^'?\[[^\]]*\](.*?)'?!\$?([A-Z]+)\$?(\d+)$")


def _computed(path: Path, uncached: dict[str, dict[tuple[int, int], str]]) -> tuple[dict, list[str]]:
    """Values of the uncached formula cells computed by the `formulas` engine, and a warning for any it could not."""
    from openpyxl.utils import column_index_from_string

    wanted = sum(len(cells) for cells in uncached.values())
    computed: dict[str, dict[tuple[int, int], object]] = {}
    try:
        import formulas

        solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    except Exception as error:  # a circular reference, a construct the engine cannot parse …
        return {}, [f"{wanted} formula cell(s) without a cached value not computed ({type(error).__name__}: {' '.join(str(error).split())[:120]})"]
    titles = {title.upper(): title for title in uncached}
    for key, ranges in solution.items():
        match = CELL_KEY.match(str(key))
        title = titles.get(match.group(1).upper()) if match else None
        if title is None:
            continue
        position = (int(match.group(3)), column_index_from_string(match.group(2)))
        if position in uncached[title]:
            value = _plain(ranges)
            if value is not None:
                computed.setdefault(title, {})[position] = value
    missing = wanted - sum(len(cells) for cells in computed.values())
    warnings = [f"{missing} of {wanted} formula cell(s) without a cached value could not be computed"] if missing else []
    return computed, warnings


def _plain(ranges) -> object:
    """A computed cell's value as openpyxl would give it (number, text, bool), or None if not one value."""
    from formulas.tokens.operand import XlError

    value = getattr(ranges, "value", ranges)
    try:
        value = value[0][0] if hasattr(value, "shape") else value
    except (IndexError, TypeError):
        return None
    if isinstance(value, XlError):  # an Excel error (#DIV/0!, #REF!) shows as its code, as Excel shows it;
        text = str(value)            # #NAME? is also the engine's answer for a function it lacks: no value
        return None if text == "#NAME?" else text
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, (bool, int, float, str)) else None


def extract_xls(path: Path) -> Grid:
    """Read a legacy .xls (BIFF) workbook into a Grid."""
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct errors …
        raise ValueError(f"{path.name}: not a readable XLS ({type(error).__name__}: {error})") from None
    return _grid([_xlrd_sheet(book, ws) for ws in book.sheets() if ws.visibility == 0], "xls")


def _grid(sheets: list[Sheet], method: str) -> Grid:
    tables: list[Table] = []
    lines: list[TextLine] = []
    for page, sheet in enumerate(sheets, start=1):
        page_tables, page_lines = _layout(sheet, page, method)
        tables += page_tables
        lines += page_lines
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=len(sheets), page_kinds=("text",) * len(sheets))


def _openpyxl_sheet(ws, computed: dict[tuple[int, int], object] | None = None) -> Sheet:
    sheet = Sheet()
    computed = computed or {}
    # ws._cells holds only the cells stored in the file; iter_rows() would create every cell of a
    # used range that a stray format can stretch to a million rows.
    for (row, col), cell in ws._cells.items():
        value = cell.value if cell.value is not None else computed.get((row, col))
        text = display(value, cell.number_format)
        if text:
            sheet.values[row - 1, col - 1] = text
        border = cell.border
        if any(side is not None and side.style for side in (border.left, border.right, border.top, border.bottom)):
            sheet.bordered.add((row - 1, col - 1))
    sheet.merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
    sheet.hidden_rows = {row - 1 for row, dim in ws.row_dimensions.items() if dim.hidden}
    sheet.hidden_cols = {col - 1 for dim in ws.column_dimensions.values() if dim.hidden
                         for col in range(dim.min or 1, (dim.max or dim.min or 1) + 1)}
    return sheet


def _xlrd_sheet(book, ws) -> Sheet:
    sheet = Sheet()
    for row in range(ws.nrows):
        for col in range(ws.row_len(row)):
            cell = ws.cell(row, col)
            xf = book.xf_list[cell.xf_index]
            fmt = book.format_map[xf.format_key].format_str if xf.format_key in book.format_map else "General"
            if cell.ctype == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(cell.value, book.datemode)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(cell.value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(cell.value, "#ERR")
            else:
                value = cell.value
            text = display(value, fmt)
            if text:
                sheet.values[row, col] = text
            b = xf.border
            if b.left_line_style or b.right_line_style or b.top_line_style or b.bottom_line_style:
                sheet.bordered.add((row, col))
    sheet.merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in ws.merged_cells]
    sheet.hidden_rows = {row for row, info in ws.rowinfo_map.items() if info.hidden}
    sheet.hidden_cols = {col for col, info in ws.colinfo_map.items() if info.hidden}
    return sheet


def _layout(sheet: Sheet, page: int, method: str) -> tuple[list[Table], list[TextLine]]:
    """Split a sheet into Tables (runs of table rows) and TextLines (other rows with text)."""
    covered = {(r, c) for r0, c0, r1, c1 in sheet.merges for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
    values = {key: text for key, text in sheet.values.items()
              if key not in covered and key[1] not in sheet.hidden_cols}
    bordered = set(sheet.bordered)
    for r0, c0, r1, c1 in sheet.merges:  # a bordered merge borders every row it covers
        if (r0, c0) in bordered:
            bordered |= {(r, c0) for r in range(r0, r1 + 1)}
    used = set(values) | bordered
    if not used:
        return [], []
    by_row: dict[int, list[int]] = {}
    for r, c in sorted(values):
        by_row.setdefault(r, []).append(c)
    rows = [r for r in range(max(r for r, _ in used) + 1) if r not in sheet.hidden_rows]
    if bordered:
        table_rows = {r for r, c in bordered if c not in sheet.hidden_cols}
    else:
        full = [r for r in rows if len(by_row.get(r, ())) >= 2]
        table_rows = set(range(full[0], full[-1] + 1)) if full else set()
    runs: list[list[int]] = []
    tables: list[Table] = []
    lines: list[TextLine] = []
    previous = None
    for r in rows:
        if r in table_rows:
            if previous in table_rows and runs:
                runs[-1].append(r)
            else:
                runs.append([r])
        elif r in by_row:
            text = " ".join(values[r, c] for c in by_row[r])
            lines.append(TextLine(text, page, BBox(0.0, float(r), 0.0, float(r + 1))))
        previous = r
    for run in runs:
        tables.append(_table(run, sheet, values, used, page, method))
    return tables, lines


def _table(run: list[int], sheet: Sheet, values, used, page: int, method: str) -> Table:
    """One run of table rows as a Table; merges clipped to the run, hidden columns dropped.

    A merge shows its top-left value in its first visible row and column, even when that corner is hidden.
    """
    in_run = set(run)
    cols_used = [c for r, c in used if r in in_run and c not in sheet.hidden_cols]
    cols_used += [c1 for r0, _, _, c1 in sheet.merges if r0 in in_run]
    cols = [c for c in range(min(cols_used), max(cols_used) + 1) if c not in sheet.hidden_cols]
    row_at = {r: i for i, r in enumerate(run)}
    col_at = {c: j for j, c in enumerate(cols)}
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in sheet.merges:
        span_rows = [row_at[r] for r in range(r0, r1 + 1) if r in row_at]
        span_cols = [col_at[c] for c in range(c0, c1 + 1) if c in col_at]
        if not span_rows or not span_cols:
            continue
        first_visible = next(r for r in range(r0, r1 + 1) if r not in sheet.hidden_rows)
        text = sheet.values.get((r0, c0), "") if first_visible in in_run else ""
        cells.append(Cell(span_rows[0], span_cols[0], text, len(span_rows), len(span_cols), page))
        taken |= {(i, j) for i in span_rows for j in span_cols}
    for r in run:
        for c in cols:
            if (row_at[r], col_at[c]) not in taken:
                cells.append(Cell(row_at[r], col_at[c], values.get((r, c), ""), page=page))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    bbox = BBox(0.0, float(run[0]), 0.0, float(run[-1] + 1))
    return Table(cells=tuple(cells), n_rows=len(run), n_cols=len(cols), page=page, bbox=bbox, method=method)


def display(value, fmt: str | None) -> str:
    """A cell value as Excel shows it under number format `fmt` (see the module doc for what is covered)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("_x000D_", "").strip()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _date(value, fmt or "")
    if isinstance(value, (int, float)):
        return _number(float(value), fmt or "General")
    return str(value).strip()


def _sections(fmt: str) -> list[str]:
    """Split a format at `;` outside quotes and escapes."""
    sections, current, quoted, escaped = [], [], False, False
    for char in fmt:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            sections.append("".join(current))
            current = []
            continue
        current.append(char)
    return [*sections, "".join(current)]


def _tokens(section: str) -> list[tuple[str, str]]:
    """A format section as ("lit", text) and ("code", char) tokens; brackets, `_x` and `*x` dropped."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        char = section[i]
        if char == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            tokens.append(("lit", section[i + 1:end]))
            i = end + 1
        elif char == "\\" and i + 1 < len(section):
            tokens.append(("lit", section[i + 1]))
            i += 2
        elif char in "_*":
            i += 2
        elif char == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            inner = section[i + 1:end]
            if inner.startswith("$"):  # [$¥-804]: a currency symbol with a locale
                tokens.append(("lit", inner[1:].split("-")[0]))
            i = end + 1
        else:
            tokens.append(("code", char))
            i += 1
    return tokens


def _general(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def _number(value: float, fmt: str) -> str:
    sections = _sections(fmt)
    section = sections[0]
    negative_section = value < 0 and len(sections) > 1
    if negative_section:
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    tokens = _tokens(section)
    codes = "".join(text for kind, text in tokens if kind == "code")
    if not any(digit in codes for digit in DIGITS) or any(char in codes.lower() for char in "e/ymdhs"):
        return _general(-value if negative_section else value)
    digit_at = [i for i, (kind, text) in enumerate(tokens) if kind == "code" and text in DIGITS]
    first, last = digit_at[0], digit_at[-1]
    pattern = "".join(text for kind, text in tokens[first:last + 1] if kind == "code")
    integer_part, _, fraction_part = pattern.partition(".")
    if "%" in codes:
        value *= 100
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-len(fraction_part)), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 and not negative_section else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    optional = fraction_part.count("#") + fraction_part.count("?")
    while optional and fraction.endswith("0"):
        fraction, optional = fraction[:-1], optional - 1
    minimum = integer_part.count("0")
    whole = whole.lstrip("0").rjust(minimum, "0")
    if "," in integer_part and whole:
        whole = f"{int(whole):,}"
    number = whole + ("." + fraction if fraction_part else "")
    prefix = "".join(text for _, text in tokens[:first])
    suffix = "".join(text for kind, text in tokens[last + 1:])
    return (sign + prefix + number + suffix).strip()


def _date(value, fmt: str) -> str:
    """A date/time by its format's y/m/d/h/s codes; ISO form under General or an unknown format."""
    tokens = _tokens(_sections(fmt)[0])
    codes = "".join(text for kind, text in tokens if kind == "code").lower()
    if not any(char in codes for char in "ymdhs"):
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    groups: list[tuple[str, str]] = []  # (kind, text): runs of one code letter, or literals
    for kind, text in tokens:
        letter = text.lower()
        if kind == "code" and letter in "ymdhs":
            if groups and groups[-1][0] == "code" and groups[-1][1][0] == letter:
                groups[-1] = ("code", groups[-1][1] + letter)
            else:
                groups.append(("code", letter))
        else:
            groups.append(("lit", text))
    out: list[str] = []
    for i, (kind, text) in enumerate(groups):
        if kind == "lit":
            out.append(text)
            continue
        width = len(text)
        after_hour = any(k == "code" and t[0] == "h" for k, t in groups[:i][-2:])
        before_second = any(k == "code" and t[0] == "s" for k, t in groups[i + 1:i + 3])
        letter = text[0]
        if letter == "m" and (after_hour or before_second):
            letter = "minute"
        number = {
            "y": getattr(value, "year", 0) % 100 if width <= 2 else getattr(value, "year", 0),
            "m": getattr(value, "month", 0), "d": getattr(value, "day", 0),
            "h": getattr(value, "hour", 0), "minute": getattr(value, "minute", 0), "s": getattr(value, "second", 0),
        }[letter]
        out.append(str(number).rjust(2 if width >= 2 or letter == "y" else 1, "0"))
    return "".join(out).strip()
