"""A format-neutral document (titles, paragraphs, `spec.Table`s) and its DOCX, XLSX and HTML writers."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from ..docx_out import Doc
from ..spec import C, Table
from .. import xlsx_out


@dataclass
class Block:
    kind: str  # title, para, table, break
    text: str = ""
    table: Table | None = None


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False

    def title(self, text: str) -> None:
        self.blocks.append(Block("title", text))

    def para(self, text: str) -> None:
        self.blocks.extend(Block("para", line) for line in text.split("\n"))

    def table(self, t: Table) -> None:
        self.blocks.append(Block("table", table=t))

    def page_break(self) -> None:
        self.blocks.append(Block("break"))


# ---------------------------------------------------------------------------------------------- DOCX
def to_docx(doc: Document, path: Path) -> Path:
    """Tables are stretched to the text width, as Word's templates fill the page."""
    margin = 1.8
    d = Doc(margins_cm=margin, body_size=11)
    sec = d.doc.sections[0]
    if doc.landscape:
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    text_width = sec.page_width.cm - 2 * margin - 0.2
    brk = False
    for b in doc.blocks:
        if b.kind == "break":
            brk = True
        elif b.kind == "title":
            d.title(b.text, size=15, page_break=brk, before=2, after=4)
            brk = False
        elif b.kind == "para":
            d.para(b.text, size=10.5, page_break=brk, after=2)
            brk = False
        else:
            if brk:
                d.para("", page_break=True)
                brk = False
            k = text_width / sum(b.table.widths)
            d.table(Table([w * k for w in b.table.widths], b.table.rows, b.table.size))
    return d.save(path)


# ---------------------------------------------------------------------------------------------- XLSX
def _sheet_table(blocks: list[Block]) -> Table:
    """Titles and paragraphs as borderless rows spanning the table's width, above and below it."""
    t = next(b.table for b in blocks if b.kind == "table")
    n = len(t.widths)
    out = Table(list(t.widths), size=t.size)
    for b in blocks:
        if b.kind == "table":
            out.rows.extend(b.table.rows)
        elif b.kind != "break":
            align = "center" if b.kind == "title" else "left"
            out.add(C(b.text, cs=n, align=align, bold=b.kind == "title", border=False,
                      size=14 if b.kind == "title" else None))
    return out


def to_xlsx(sheets: list[tuple[str, Document]], path: Path) -> Path:
    """One worksheet per (name, document); each document holds one table."""
    wb = xlsx_out.new_workbook()
    for name, doc in sheets:
        ws = wb.create_sheet(name)
        xlsx_out.write(ws, _sheet_table(doc.blocks))
        xlsx_out.page_setup(ws)
        if doc.landscape:
            ws.page_setup.orientation = "landscape"
    return xlsx_out.save(wb, path)


# ---------------------------------------------------------------------------------------------- HTML
@dataclass
class Chrome:
    """The page around an article on a government portal."""

    site: str
    crumbs: list[str]
    title: str
    published: str
    source: str = ""
    nested: bool = False  # the article sits in a layout table (old portal templates)
    cell_paragraphs: bool = False  # every cell's text wrapped in <p> (Word → web)
    charset: str = "utf-8"  # declared in <meta>; gb2312 pages are written as GBK bytes
    icp: str = "ICP备05000000号"


def _cell_html(cell: C, paragraphs: bool) -> str:
    text = "" if cell.value is None else str(cell.value)
    lines = [html.escape(x) for x in text.split("\n")]
    if paragraphs:
        inner = "".join(f"<p>{x or '&nbsp;'}</p>" for x in lines)
    else:
        inner = "<br/>".join(lines) or "&nbsp;"
    attrs = ""
    if cell.cs > 1:
        attrs += f' colspan="{cell.cs}"'
    if cell.rs > 1:
        attrs += f' rowspan="{cell.rs}"'
    if cell.align != "center":
        attrs += f' align="{cell.align}"'
    if cell.bold:
        inner = f"<b>{inner}</b>"
    return f"<td{attrs}>{inner}</td>"


def table_html(t: Table, paragraphs: bool = False) -> str:
    rows_out: list[list[str]] = [[] for _ in t.rows]
    for r, _c, cell in t.placed():
        rows_out[r].append(_cell_html(cell, paragraphs))
    body = "\n".join(f"<tr>{''.join(cells)}</tr>" for cells in rows_out)
    return (f'<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="4" '
            f'style="border-collapse:collapse;width:100%">\n<tbody>\n{body}\n</tbody>\n</table>')


def to_html(doc: Document, chrome: Chrome, path: Path) -> Path:
    parts = []
    for b in doc.blocks:
        if b.kind == "title":
            parts.append(f'<p align="center"><b>{html.escape(b.text)}</b></p>')
        elif b.kind == "para":
            parts.append(f'<p style="text-indent:2em">{html.escape(b.text)}</p>')
        elif b.kind == "table":
            parts.append(table_html(b.table, chrome.cell_paragraphs))
    article = "\n".join(parts)
    crumbs = " &gt; ".join(f'<a href="#">{html.escape(c)}</a>' for c in chrome.crumbs)
    meta = f"发布时间：{chrome.published}" + (f"　来源：{chrome.source}" if chrome.source else "")
    content = (f'<div class="article"><h1 class="title">{html.escape(chrome.title)}</h1>\n'
               f'<div class="info">{html.escape(meta)}　【字体：<a href="#">大</a> <a href="#">中</a> '
               f'<a href="#">小</a>】</div>\n<div class="content">\n{article}\n</div>\n'
               f'<div class="share">【打印本页】【关闭窗口】</div></div>')
    if chrome.nested:
        content = (f'<table width="1000" align="center" border="0" cellspacing="0" cellpadding="0"><tr>'
                   f'<td width="220" valign="top"><div class="side">栏目导航<br/>政务公开<br/>通知公告</div></td>'
                   f'<td valign="top">{content}</td></tr></table>')
    charset = chrome.charset
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{html.escape(chrome.title)}-{html.escape(chrome.site)}</title>
<style>body{{font-family:SimSun,serif;font-size:14px}} .nav a{{margin:0 8px}} td{{font-size:12px}}</style>
</head>
<body>
<div class="top"><div class="logo">{html.escape(chrome.site)}</div>
<div class="nav"><a href="#">首页</a><a href="#">政务公开</a><a href="#">政务服务</a><a href="#">互动交流</a><a href="#">走进{html.escape(chrome.site[:3])}</a></div></div>
<div class="crumbs">当前位置：{crumbs}</div>
{content}
<div class="footer">主办：{html.escape(chrome.site)}　ICP备案号：{html.escape(chrome.icp)}<br/>技术支持：政府网站集约化平台</div>
</body>
</html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = page.encode("gbk") if charset.lower() in ("gb2312", "gbk") else page.encode("utf-8")
    path.write_bytes(data)
    return path
