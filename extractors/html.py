"""HTML pages (also Word's and Excel's "save as web page", and .mht web archives) → Grid, with lxml.html.

The body is read as a flow: block elements and `<br>` end a line, text outside tables becomes
TextLines, and each data `<table>` becomes a Table laid out by the HTML table algorithm
(rowspan/colspan, `rowspan="0"` to the end, overlapping spans clipped). A table that holds
another table is a layout table (common on government sites): its cells are read as flow, so
the data tables inside it come out as Tables. Everything is page 1; blocks get a synthetic bbox
whose `top` is their order in the page.
"""
from __future__ import annotations

import codecs
import email
import email.policy
from pathlib import Path

import lxml.etree
import lxml.html

from pipeline.model import BBox, Cell, Grid, Table, TextLine

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "td",
    "th", "tr", "ul", "tbody", "thead", "tfoot", "table",
}
SKIP_TAGS = {"head", "script", "style", "noscript", "template", "title", "meta", "link", "iframe", "object", "svg"}
GBK_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "cp936", "ms936", "euc-cn"}
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # the HTML standard's limits
BREAK = object()


def extract_html(path: Path) -> Grid:
    """Read an HTML file into a Grid: data tables as Tables, the text around them as TextLines."""
    return html_grid(decode(path.read_bytes()), path.name)


def extract_mht(path: Path) -> Grid:
    """Read a web archive (.mht/.mhtml, a MIME multipart/related message) by its HTML part.

    The part's transfer encoding (quoted-printable, base64) is undone by the email parser; its
    charset parameter goes first, then the same fallbacks as a plain page.
    """
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    parts = [part for part in message.walk() if part.get_content_type() == "text/html"]
    if not parts:
        raise ValueError(f"{path.name}: web archive without an HTML page")
    part = parts[0]
    raw = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "").lower()
    text = None
    if charset:
        try:
            text = raw.decode("gb18030" if charset in GBK_ALIASES else charset)
        except (UnicodeDecodeError, LookupError):
            text = None
    return html_grid(text if text is not None else decode(raw), path.name)


def html_grid(text: str, name: str) -> Grid:
    """A page's text → Grid."""
    if not text.strip():
        raise ValueError(f"{name}: empty HTML")
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except lxml.etree.ParserError as error:
        raise ValueError(f"{name}: not readable HTML ({error})") from None
    body = root.find("body")
    blocks: list[Table | TextLine] = []
    buffer: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buffer).split())
        buffer.clear()
        if line:
            blocks.append(TextLine(line, 1, _order_box(len(blocks))))

    for item in _flow(body if body is not None else root):
        if item is BREAK:
            flush()
        elif isinstance(item, str):
            buffer.append(item)
        else:
            flush()
            caption = item.find("caption")
            if caption is not None and (caption_text := " ".join(caption.text_content().split())):
                blocks.append(TextLine(caption_text, 1, _order_box(len(blocks))))
            table = _table(item, _order_box(len(blocks)))
            if table.n_rows:
                blocks.append(table)
    flush()
    tables = tuple(block for block in blocks if isinstance(block, Table))
    lines = tuple(block for block in blocks if isinstance(block, TextLine))
    return Grid(tables=tables, lines=lines, pages=1, page_kinds=("text",))


def decode(raw: bytes) -> str:
    """Bytes → text: a BOM, then strict UTF-8, then the declared meta charset, then GB18030 (lossy at last).

    Valid UTF-8 goes first because it verifies itself, while GB18030 decodes almost any bytes: a page
    that declares gb2312 but is UTF-8 (a template converted without its meta tag) reads right.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in filter(None, (declared_charset(raw), "gb18030")):
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("gb18030", errors="replace")


def declared_charset(raw: bytes) -> str | None:
    """The charset a `<meta charset>` or `<meta http-equiv=Content-Type>` declares, GBK names mapped to GB18030."""
    try:
        head = lxml.html.document_fromstring(raw[:16384], parser=lxml.html.HTMLParser(encoding="iso-8859-1"))
    except lxml.etree.ParserError:
        return None
    for meta in head.iter("meta"):
        charset = meta.get("charset")
        if not charset and (meta.get("http-equiv") or "").strip().lower() == "content-type":
            for param in (meta.get("content") or "").split(";"):
                key, _, value = param.partition("=")
                if key.strip().lower() == "charset":
                    charset = value
        if charset and (charset := charset.strip().strip("'\"").lower()):
            return "gb18030" if charset in GBK_ALIASES else charset
    return None


def _order_box(order: int) -> BBox:
    return BBox(0.0, float(order), 0.0, float(order) + 1.0)


def _hidden(element) -> bool:
    style = "".join((element.get("style") or "").split()).lower()
    return element.get("hidden") is not None or "display:none" in style


def _flow(element):
    """Text pieces, BREAK markers and data-table elements under `element`, in document order."""
    if element.text:
        yield element.text
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else None
        if tag is not None and tag not in SKIP_TAGS and not _hidden(child):
            if tag == "br":
                yield BREAK
            elif tag == "table" and child.find(".//table") is None:
                yield child
            elif tag == "caption":
                pass  # emitted with its table
            else:
                block = tag in BLOCK_TAGS
                if block:
                    yield BREAK
                yield from _flow(child)
                if block:
                    yield BREAK
        if child.tail:
            yield child.tail


def _cell_text(element) -> str:
    """A cell's lines (blocks and `<br>` separate them), whitespace within a line collapsed."""
    lines, buffer = [], []
    for item in [*_flow(element), BREAK]:
        if isinstance(item, str):
            buffer.append(item)
        else:
            if line := " ".join("".join(buffer).split()):
                lines.append(line)
            buffer.clear()
    return "\n".join(lines)


def _span(element, name: str, limit: int) -> int:
    try:
        value = int((element.get(name) or "1").strip())
    except ValueError:
        return 1
    return min(value, limit) if value >= 0 else 1


def _rows(table) -> list:
    """The table's own rows in display order: thead, then body rows, then tfoot."""
    head, body, foot = [], [], []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            body.append(child)
        elif tag in {"thead", "tbody", "tfoot"}:
            rows = [tr for tr in child if isinstance(tr.tag, str) and tr.tag.lower() == "tr"]
            {"thead": head, "tbody": body, "tfoot": foot}[tag].extend(rows)
    return [tr for tr in head + body + foot if not _hidden(tr)]


def _table(element, bbox: BBox) -> Table:
    """The HTML table algorithm: each cell takes the first free slot of its row, spans clipped to free slots."""
    rows = _rows(element)
    n_rows = len(rows)
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in {"td", "th"} or _hidden(td):
                continue
            while (r, c) in taken:
                c += 1
            colspan = max(_span(td, "colspan", MAX_COLSPAN), 1)
            rowspan = _span(td, "rowspan", MAX_ROWSPAN) or n_rows - r
            rowspan = min(rowspan, n_rows - r)
            colspan = next((k for k in range(1, colspan) if (r, c + k) in taken), colspan)
            rowspan = next((k for k in range(1, rowspan) if any((r + k, c + j) in taken for j in range(colspan))),
                           rowspan)
            cells.append(Cell(r, c, _cell_text(td), rowspan, colspan))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    n_cols = max((col + 1 for _, col in taken), default=0)
    cells += [Cell(r, c, "") for r in range(n_rows) for c in range(n_cols) if (r, c) not in taken]
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Table(cells=tuple(cells), n_rows=n_rows, n_cols=n_cols, page=1, bbox=bbox, method="html")
