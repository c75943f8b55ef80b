"""Write Word documents with python-docx: titles, narrative and `spec.Table`s with real merges."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .spec import Table
from .zipfix import pin_zip

SERIF = "Noto Serif CJK SC"  # stands in for 宋体 / 仿宋_GB2312
SANS = "Noto Sans CJK SC"  # stands in for 黑体 / 方正小标宋
LATIN = "Times New Roman"
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
_VALIGN = {"top": WD_CELL_VERTICAL_ALIGNMENT.TOP, "center": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
           "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM}


def _fonts(run, east: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east)


def _flag(tr, name: str) -> None:
    trpr = tr.get_or_add_trPr()
    trpr.append(OxmlElement(name))


class Doc:
    """A small façade over python-docx that knows the look of a Chinese government form."""

    def __init__(self, margins_cm: float = 2.0, body_size: float = 12):
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(margins_cm))
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN
        normal.font.size = Pt(body_size)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SERIF)
        self.body_size = body_size

    def para(self, text: str = "", size: float | None = None, bold: bool = False, align: str = "left",
             font: str = SERIF, indent: bool = False, before: float = 0, after: float = 0,
             page_break: bool = False, line: float | None = None):
        p = self.doc.add_paragraph()
        pf = p.paragraph_format
        pf.alignment = _ALIGN[align]
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.page_break_before = page_break
        if line:
            pf.line_spacing = Pt(line)
        if indent:
            pf.first_line_indent = Pt(2 * (size or self.body_size))
        if text:
            _fonts(p.add_run(text), font, size or self.body_size, bold)
        return p

    def title(self, text: str, size: float = 18, page_break: bool = False, before: float = 6, after: float = 6):
        return self.para(text, size=size, bold=True, align="center", font=SANS, before=before, after=after,
                         page_break=page_break)

    def prose(self, items: list[tuple[str, str]], **values) -> None:
        """Headings (h1 黑体, h2 楷体-like bold) and indented body paragraphs; `{name}` fields filled."""
        for kind, text in items:
            text = text.format(**values) if values else text
            if kind == "h1":
                self.para(text, font=SANS, bold=True, indent=True, before=4, after=2, line=26)
            elif kind == "h2":
                self.para(text, bold=True, indent=True, line=26)
            else:
                self.para(text, indent=kind == "p", line=26)

    def table(self, spec: Table, align: str = "center") -> None:
        """Render a spec.Table: merges, widths, vertical alignment, repeated header rows."""
        n_rows, n_cols = len(spec.rows), len(spec.widths)
        t = self.doc.add_table(rows=n_rows, cols=n_cols)
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER if align == "center" else WD_TABLE_ALIGNMENT.LEFT
        t.autofit = False
        for i, w in enumerate(spec.widths):
            t.columns[i].width = Cm(w)
            for cell in t.columns[i].cells:
                cell.width = Cm(w)
        for r, row in enumerate(spec.rows):
            tr = t.rows[r]
            if row.height:
                tr.height = Pt(row.height)
            if row.header:
                _flag(tr._tr, "w:tblHeader")
        for r, c, cell in spec.placed():
            target = t.cell(r, c)
            if cell.rs > 1 or cell.cs > 1:
                target = target.merge(t.cell(r + cell.rs - 1, c + cell.cs - 1))
            target.vertical_alignment = _VALIGN[cell.valign]
            text = "" if cell.value is None else str(cell.value)
            lines = text.split("\n")
            p = target.paragraphs[0]
            for k, line in enumerate(lines):
                if k:
                    p = target.add_paragraph()
                p.paragraph_format.alignment = _ALIGN[cell.align]
                p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
                if line:
                    _fonts(p.add_run(line), SERIF, cell.size or spec.size, cell.bold)

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        cp = self.doc.core_properties
        cp.author = cp.last_modified_by = "Administrator"
        cp.created = cp.modified = datetime(2024, 3, 1, 9, 0, 0)
        cp.revision = 1
        self.doc.save(path)
        pin_zip(path)
        return path
