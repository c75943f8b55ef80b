"""Render every layout of `layouts.LAYOUTS` into docs/other_provinces/ and return its manifest rows."""
from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from .. import pdf, scan
from ..spec import C, Table
from ..truth import load
from .forms import Builder, Filler
from .layouts import LAYOUTS, Layout
from .page import Document, to_docx, to_html, to_xlsx

GROUP = "other_provinces"
SUFFIX = {"html": ".html", "xlsx": ".xlsx", "docx": ".docx", "pdf_docx": ".pdf", "pdf_xlsx": ".pdf",
          "scan": ".pdf", "image": ".jpg"}
FORMAT = {"html": "HTML page", "xlsx": "native XLSX", "docx": "native DOCX",
          "pdf_docx": "text PDF (DOCX → LibreOffice)", "pdf_xlsx": "text PDF (XLSX → LibreOffice)",
          "scan": "scanned PDF", "image": "page image"}


def literal_table(heads: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    t = Table(widths, size=9)
    t.add(*[C(h, bold=True) for h in heads], header=True)
    for row in rows:
        t.add(*[C(v, align="left" if k == 0 else "center") for k, v in enumerate(row)])
    return t


def documents(layout: Layout) -> list[Document]:
    """One Document per project (the XLSX writer puts each on a sheet; the others concatenate).

    Several projects: project k uses forms[k] (the last repeats) and title[k] when there is one title
    per project, else every title line. One project with several forms: each form gets title[j] and
    above[j]."""
    out = []
    projects = load(layout.doc)
    for k, p in enumerate(projects):
        d = Document(landscape=layout.landscape)
        fill = Filler(p.row, layout.readings.get("project", {}))
        if k == 0:
            for line in layout.before:
                d.para(line.format_map(fill))
        readings = _readings(layout, p)
        if len(projects) == 1 and len(layout.forms) > 1:
            for j, form in enumerate(layout.forms):
                d.title(layout.title[j].format_map(fill))
                if j < len(layout.above) and layout.above[j]:
                    d.para(layout.above[j].format_map(fill))
                d.table(Builder(form, p, readings).build())
        else:
            per_project = len(projects) > 1 and len(layout.title) == len(projects)
            for line in layout.title[k:k + 1] if per_project else layout.title:
                d.title(line.format_map(fill))
            for line in layout.above:
                d.para(line.format_map(fill))
            d.table(Builder(layout.forms[min(k, len(layout.forms) - 1)], p, readings).build())
        for line in layout.below:
            d.para(line.format_map(fill))
        out.append(d)
    last = out[-1]
    for title, heads, rows in layout.extra:
        last.title(title)
        last.table(literal_table(heads, rows, [5.0, 3.0, 3.0, 3.0]))
    for line in layout.after:
        last.para(line)
    return out


def _readings(layout: Layout, p) -> dict:
    """Readings apply to the project they were written for: (row, field) keys to project 1, (project, row,
    field) keys to that project, 'project' to every project."""
    own = {k[1:]: v for k, v in layout.readings.items() if isinstance(k, tuple) and len(k) == 3 and k[0] == p.seq}
    if p.seq == 1:
        return {**{k: v for k, v in layout.readings.items() if not (isinstance(k, tuple) and len(k) == 3)}, **own}
    return {**{k: v for k, v in layout.readings.items() if k == "project"}, **own}


def joined(docs: list[Document]) -> Document:
    out = Document(landscape=docs[0].landscape)
    for k, d in enumerate(docs):
        if k:
            out.page_break()
        out.blocks.extend(d.blocks)
    return out


def render(docs_dir: Path, work: Path) -> list[dict]:
    """Write the group's files; returns their manifest rows."""
    folder = docs_dir / GROUP
    folder.mkdir(parents=True, exist_ok=True)
    rows, convert = [], []
    for layout in LAYOUTS:
        kind = layout.output.kind
        docs = documents(layout)
        target = folder / f"{layout.doc}{SUFFIX[kind]}"
        if kind == "html":
            to_html(joined(docs), layout.output.chrome, target)
        elif kind == "xlsx":
            to_xlsx([(f"Sheet{k + 1}", d) for k, d in enumerate(docs)], target)
        elif kind == "docx":
            to_docx(joined(docs), target)
        elif kind == "pdf_xlsx":
            convert.append((layout, to_xlsx([(f"Sheet{k + 1}", d) for k, d in enumerate(docs)],
                                            work / f"{layout.doc}.xlsx"), target))
        else:
            convert.append((layout, to_docx(joined(docs), work / f"{layout.doc}.docx"), target))
        rows.append(_row(layout, target))
    pdfs = pdf.soffice_convert([src for _, src, _ in convert], work / "pdf")
    for (layout, _, target), exported in zip(convert, pdfs):
        out = layout.output
        if out.kind.startswith("pdf_"):
            pdf.copy(exported, target)
            continue
        style = scan.ScanStyle(out.dpi, out.color, out.quality, out.seal)
        rng = np.random.default_rng(zlib.crc32(layout.doc.encode()))
        n_pages = len(pdf.page_texts(exported))
        pages = scan.scan_pages(exported, list(range(1, n_pages + 1)), style, rng, {n_pages})
        if out.kind == "image":
            scan.write_image(pages[0], target)
        else:
            scan.write_pdf(pages, target)
    return rows


def _row(layout: Layout, target: Path) -> dict:
    out = layout.output
    what = FORMAT[out.kind]
    if out.kind in ("scan", "image"):
        what += f", {out.dpi} dpi {'colour' if out.color else 'grey'} JPEG q{out.quality}" + \
                (", red seal" if out.seal else "")
    if out.chrome and out.chrome.charset != "utf-8":
        what += f", {out.chrome.charset} declared, GBK bytes"
    return {"path": f"{GROUP}/{target.name}", "group": GROUP, "layout": f"{layout.family}_{layout.name}",
            "truth_doc": layout.doc, "project_ids": "all", "dpi": out.dpi or "", "expected_status": "ok",
            "note": f"{what}; {layout.note}"}
