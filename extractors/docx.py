"""Word documents (.docx) → Grid, read from the document body's XML.

The body's children are walked in order: paragraphs become TextLines and tables become Tables
with real spans (`w:gridSpan` across, `w:vMerge` restart/continue down, legacy `w:hMerge`).
A DOCX has no pages: the page counter moves only at hard breaks (`w:br w:type="page"`,
`pageBreakBefore`, a section break), and every block gets a synthetic bbox whose `top` is its
order in the document, so Grid.blocks() keeps the reading order.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn

from pipeline.model import BBox, Cell, Grid, Table, TextLine

MAX_UNCOMPRESSED = 200 * 2**20   # bytes: refuse archives that inflate to more than this
MAX_RATIO = 100                  # refuse archives whose inflated/compressed ratio exceeds this …
RATIO_FLOOR = 10 * 2**20         # … once they inflate to more than this (small files are harmless)
MAX_MEMBERS = 10_000

W_P, W_TBL, W_TR, W_TC, W_T = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t")
W_BR, W_CR, W_TAB, W_VAL = qn("w:br"), qn("w:cr"), qn("w:tab"), qn("w:val")
WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}
# Subtrees with no printed text: properties, deleted or moved-away revisions, duplicate fallbacks.
SKIPPED = {qn("w:pPr"), qn("w:rPr"), qn("w:del"), qn("w:moveFrom"), qn("w:sdtPr"),
           "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
PAGE_BREAK = object()


def guard_zip(path: Path) -> None:
    """Refuse a broken archive or a zip bomb with a one-line ValueError, before any parser inflates it.

    Python's zipfile never inflates a member past its declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{path.name}: not a readable zip archive ({error})") from None
    if len(members) > MAX_MEMBERS:
        raise ValueError(f"{path.name}: zip holds {len(members)} members (limit {MAX_MEMBERS})")
    inflated = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if inflated > MAX_UNCOMPRESSED:
        raise ValueError(f"{path.name}: zip inflates to {inflated} bytes (limit {MAX_UNCOMPRESSED})")
    if inflated > RATIO_FLOOR and inflated / packed > MAX_RATIO:
        raise ValueError(f"{path.name}: zip compression ratio {inflated / packed:.0f} (limit {MAX_RATIO})")


def extract_docx(path: Path) -> Grid:
    """Read a .docx into a Grid: paragraphs and tables of the body in document order."""
    guard_zip(path)
    try:
        body = docx.Document(str(path)).element.body
    except Exception as error:  # python-docx raises KeyError, ValueError, PackageNotFoundError, XMLSyntaxError …
        raise ValueError(f"{path.name}: not a readable DOCX ({type(error).__name__}: {error})") from None
    tables: list[Table] = []
    lines: list[TextLine] = []
    page = 1
    for element in _children(body, {W_P, W_TBL}):
        order = len(tables) + len(lines)
        if element.tag == W_TBL:
            tables.append(_table(element, page, _order_box(order)))
            continue
        if _breaks_before(element):
            page += 1
        for index, segment in enumerate(_paragraph_segments(element)):
            page += index > 0
            if segment.strip():
                lines.append(TextLine(segment.strip(), page, _order_box(len(tables) + len(lines))))
        if _ends_section(element):
            page += 1
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=page, page_kinds=("text",) * page)


def _order_box(order: int) -> BBox:
    return BBox(0.0, float(order), 0.0, float(order) + 1.0)


def _children(element, tags: set[str]):
    """Children with one of `tags`, looking through content controls and custom-XML wrappers."""
    for child in element:
        if child.tag in tags:
            yield child
        elif child.tag in WRAPPERS:
            yield from _children(child, tags)


def _breaks_before(paragraph) -> bool:
    flag = paragraph.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}")
    return flag is not None and flag.get(W_VAL, "true") not in {"false", "0", "off"}


def _ends_section(paragraph) -> bool:
    section = paragraph.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
    if section is None:
        return False
    kind = section.find(qn("w:type"))
    return kind is None or kind.get(W_VAL) not in {"continuous"}


def _paragraph_segments(paragraph) -> list[str]:
    """The paragraph's printed text, split at hard page breaks."""
    segments = [[]]
    for piece in _pieces(paragraph):
        if piece is PAGE_BREAK:
            segments.append([])
        else:
            segments[-1].append(piece)
    return ["".join(parts) for parts in segments]


def _pieces(element):
    """Text pieces (and PAGE_BREAK markers) in document order, skipping hidden and deleted runs."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in SKIPPED:
            continue
        if tag == W_T:
            run = child.getparent()
            if run.find(f"{qn('w:rPr')}/{qn('w:vanish')}") is None:
                yield child.text or ""
        elif tag == W_BR:
            yield PAGE_BREAK if child.get(qn("w:type")) == "page" else "\n"
        elif tag == W_CR:
            yield "\n"
        elif tag == W_TAB:
            yield " "
        elif tag == qn("w:noBreakHyphen"):
            yield "-"
        else:
            yield from _pieces(child)


def _cell_text(tc) -> str:
    """A cell's paragraphs joined by newlines; a nested table contributes one line per row."""
    parts: list[str] = []
    for child in _children(tc, {W_P, W_TBL}):
        if child.tag == W_P:
            text = "".join(piece for piece in _pieces(child) if piece is not PAGE_BREAK).strip()
            if text:
                parts.append(text)
        else:
            for row in _children(child, {W_TR}):
                texts = [_cell_text(cell) for cell in _children(row, {W_TC})]
                line = " ".join(text.replace("\n", " ") for text in texts if text)
                if line:
                    parts.append(line)
    return "\n".join(parts)


def _int_val(parent, path: str, default: int) -> int:
    node = parent.find(path) if parent is not None else None
    try:
        return max(int(node.get(W_VAL)), 0) if node is not None else default
    except (TypeError, ValueError):
        return default


def _table(tbl, page: int, bbox: BBox) -> Table:
    """One w:tbl as a Table: spans from gridSpan/hMerge and vMerge, empty Cells where rows fall short."""
    grid_cols = len(tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"))
    placed: list[dict] = []          # cells being built: row, col, rowspan, colspan, text
    open_down: dict[int, dict] = {}  # start column → the cell a vMerge continue extends
    n_rows = 0
    for r, tr in enumerate(_children(tbl, {W_TR})):
        n_rows = r + 1
        trpr = tr.find(qn("w:trPr"))
        col = _int_val(trpr, qn("w:gridBefore"), 0)
        still_open: dict[int, dict] = {}
        last: dict | None = None
        for tc in _children(tr, {W_TC}):
            tcpr = tc.find(qn("w:tcPr"))
            span = max(_int_val(tcpr, qn("w:gridSpan"), 1), 1)
            vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
            hmerge = tcpr.find(qn("w:hMerge")) if tcpr is not None else None
            if hmerge is not None and hmerge.get(W_VAL) != "restart" and last is not None:
                last["colspan"] += span
            elif vmerge is not None and vmerge.get(W_VAL) != "restart" and col in open_down:
                cell = open_down[col]
                cell["rowspan"] += 1
                still_open[col] = cell
                last = cell
            else:
                last = {"row": r, "col": col, "rowspan": 1, "colspan": span, "text": _cell_text(tc)}
                placed.append(last)
                if vmerge is not None:
                    still_open[col] = last
            col += span
        grid_cols = max(grid_cols, col + _int_val(trpr, qn("w:gridAfter"), 0))
        open_down = still_open
    cells = [Cell(page=page, **cell) for cell in placed]
    covered = {(cell.row + dr, cell.col + dc) for cell in cells
               for dr in range(cell.rowspan) for dc in range(cell.colspan)}
    cells += [Cell(r, c, "", page=page) for r in range(n_rows) for c in range(grid_cols)
              if (r, c) not in covered]
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Table(cells=tuple(cells), n_rows=n_rows, n_cols=grid_cols, page=page, bbox=bbox, method="docx")


SCAN_MIN_SIDE = 600  # px: a pasted scan of a page; smaller pictures are logos, seals, signatures


def pasted_scans(path: Path, folder: Path) -> list[Path]:
    """The page-sized pictures of a Word file (scans pasted in, one a page), in document order,
    written into folder; [] when it holds none. The zip was vetted by guard_zip."""
    from PIL import Image

    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("word/media/")]
        try:
            rels = archive.read("word/_rels/document.xml.rels").decode("utf-8", "replace")
            body = archive.read("word/document.xml").decode("utf-8", "replace")
        except KeyError:
            return []
        targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="(?:\./)?media/([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'Target="(?:\./)?media/([^"]+)"[^>]*Id="([^"]+)"', rels)})
        order = [f"word/media/{targets[r]}" for r in re.findall(r'r:(?:embed|id)="([^"]+)"', body) if r in targets]
        order = list(dict.fromkeys(n for n in order if n in names))
        scans = []
        for index, name in enumerate(order):
            target = folder / f"scan{index:04d}{Path(name).suffix.lower()}"
            target.write_bytes(archive.read(name))
            try:
                with Image.open(target) as image:
                    if min(image.size) >= SCAN_MIN_SIDE:
                        scans.append(target)
            except Exception:  # a picture Pillow cannot open (EMF, WMF): not a scan
                continue
    return scans
