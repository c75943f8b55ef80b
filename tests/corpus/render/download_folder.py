"""The "download folder" group: corpus reports as a folder scraped from government sites holds them.

Each file is made from a corpus original (its truth is the original's): Word 97 .doc, WPS .wps and
.et (LibreOffice cannot write WPS formats; WPS Office saves .wps/.et in the Word/Excel 97 compound
format, so these are .doc/.xls files under WPS names, as most .wps files in the wild are), RTF,
a .xls that is an HTML table, a .doc that is a web page, an .mht web archive, an undeclared GBK
page, OFD files written from the text PDFs' characters and rulings, a .pdf that is a DOCX, and
archives: a stored and a deflated zip with GBK member names (a nested zip and a __MACOSX fork
inside), a RAR and a 7z.

`python -m tests.corpus.render.download_folder` renders this group alone from the corpus
originals and rewrites its rows of manifest.csv; `python -m tests.corpus.render` renders it too.
"""
from __future__ import annotations

import csv
import email.charset
import email.mime.multipart
import email.mime.text
import io
import re
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

import lxml.etree
import pdfplumber
import py7zr

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
DOCS = CORPUS / "docs"
GROUP = "download_folder"
FOLDER = DOCS / GROUP
OFD_NS = "http://www.ofdspec.org/2016"
PT_TO_MM = 25.4 / 72


class GBKName(zipfile.ZipInfo):
    """A zip member named in GBK without the UTF-8 flag, as Chinese-Windows zip tools write them."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def soffice(source: Path, target: str, out_dir: Path) -> Path:
    """Convert one file with a private LibreOffice profile; target is e.g. 'doc' or 'html:HTML (StarWriter)'."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}/p", "--headless", "--norestore",
                        "--convert-to", target, "--outdir", str(out_dir), str(source)],
                       check=True, capture_output=True, timeout=600)
    produced = out_dir / f"{source.stem}.{target.split(':')[0]}"
    if not produced.exists():
        raise RuntimeError(f"soffice produced no {produced.name}")
    return produced


def gbk_page(html: str, declare: bool) -> bytes:
    """A UTF-8 page re-encoded as GBK, declaring gb2312 (what such pages say) or nothing at all."""
    html = re.sub(r'<meta[^>]*charset=[^>]*>', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"/>'
                  if declare else "", html, count=1, flags=re.I)
    return html.encode("gb18030")


def mht(html: str) -> bytes:
    """A browser's 'save as web archive' of the page: multipart/related, the page quoted-printable in GB2312."""
    message = email.mime.multipart.MIMEMultipart("related", type="text/html")
    message["Subject"] = "绩效自评"
    message["Snapshot-Content-Location"] = "http://czj.example.gov.cn/art/2023/xizang.html"
    charset = email.charset.Charset("gb18030")
    charset.body_encoding = email.charset.QP
    page = email.mime.text.MIMEText("", "html")
    page.set_payload(html.replace("charset=utf-8", "charset=gb2312"), charset)
    page.replace_header("Content-Type", 'text/html; charset="gb2312"')
    page["Content-Location"] = "http://czj.example.gov.cn/art/2023/xizang.html"
    message.attach(page)
    return message.as_bytes()


def ofd_from_pdf(pdf_path: Path, out: Path) -> None:
    """A minimal valid OFD holding the PDF's characters (as runs of TextObjects) and its ruling lines (PathObjects)."""
    def element(parent, name: str, text: str | None = None, **attributes):
        node = lxml.etree.SubElement(parent, f"{{{OFD_NS}}}{name}", {k: str(v) for k, v in attributes.items()})
        if text is not None:
            node.text = text
        return node

    def root(name: str, **attributes):
        return lxml.etree.Element(f"{{{OFD_NS}}}{name}", {k: str(v) for k, v in attributes.items()}, nsmap={"ofd": OFD_NS})

    def xml(node) -> bytes:
        return lxml.etree.tostring(node, xml_declaration=True, encoding="UTF-8")

    mm = lambda value: f"{value * PT_TO_MM:.3f}"  # noqa: E731
    next_id = iter(range(2, 10**9))
    parts: dict[str, bytes] = {}
    with pdfplumber.open(pdf_path) as pdf:
        width, height = pdf.pages[0].width, pdf.pages[0].height
        for index, page in enumerate(pdf.pages):
            content = root("Page")
            layer = element(element(content, "Content"), "Layer", ID=next(next_id))
            for run in char_runs(page.chars):
                first, last = run[0], run[-1]
                size = first["size"]
                text_object = element(layer, "TextObject", ID=next(next_id), Font=1, Size=mm(size),
                                      Boundary=f"{mm(first['x0'])} {mm(first['top'])} {mm(last['x1'] - first['x0'])} {mm(size)}")
                deltas = " ".join(mm(b["x0"] - a["x0"]) for a, b in zip(run, run[1:]))
                code = element(text_object, "TextCode", "".join(c["text"] for c in run), X="0", Y=mm(0.85 * size))
                if deltas:
                    code.set("DeltaX", deltas)
            for rule in page.edges:
                x0, top, x1, bottom = rule["x0"], rule["top"], rule["x1"], rule["bottom"]
                path = element(layer, "PathObject", ID=next(next_id), LineWidth="0.25",
                               Boundary=f"{mm(x0)} {mm(top)} {mm(x1 - x0)} {mm(bottom - top)}")
                element(path, "AbbreviatedData", f"M 0 0 L {mm(x1 - x0)} {mm(bottom - top)}")
            parts[f"Doc_0/Pages/Page_{index}/Content.xml"] = xml(content)
        n_pages = len(pdf.pages)
    document = root("Document")
    common = element(document, "CommonData")
    element(common, "MaxUnitID", str(next(next_id)))
    element(element(common, "PageArea"), "PhysicalBox", f"0 0 {mm(width)} {mm(height)}")
    element(common, "PublicRes", "PublicRes.xml")
    pages = element(document, "Pages")
    for index in range(n_pages):
        element(pages, "Page", ID=next(next_id), BaseLoc=f"Pages/Page_{index}/Content.xml")
    resources = root("Res", BaseLoc="Res")
    element(element(resources, "Fonts"), "Font", ID=1, FontName="宋体", FamilyName="宋体")
    ofd = root("OFD", Version="1.0", DocType="OFD")
    body = element(ofd, "DocBody")
    info = element(body, "DocInfo")
    element(info, "DocID", "0" * 32)
    element(info, "Creator", "jixiao corpus")
    element(body, "DocRoot", "Doc_0/Document.xml")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", xml(ofd))
        archive.writestr("Doc_0/Document.xml", xml(document))
        archive.writestr("Doc_0/PublicRes.xml", xml(resources))
        for name, data in parts.items():
            archive.writestr(name, data)


def char_runs(chars: list[dict]) -> list[list[dict]]:
    """Characters in reading order cut into runs on one baseline, in one size, without gaps: one TextObject each."""
    runs: list[list[dict]] = []
    for char in chars:
        if not char["text"].strip():
            continue
        last = runs[-1][-1] if runs else None
        if (last and abs(char["top"] - last["top"]) < 0.5 and abs(char["size"] - last["size"]) < 0.1
                and 0 <= char["x0"] - last["x1"] < char["size"] * 0.6):
            runs[-1].append(char)
        else:
            runs.append([char])
    return runs


def rar_stored(members: dict[str, bytes]) -> bytes:
    """A RAR 4 archive with its members stored (method 0x30): no RAR writer is free, the format is simple."""
    def block(kind: int, flags: int, body: bytes, extra: bytes = b"") -> bytes:
        header = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(header) & 0xFFFF) + header + extra

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, data in members.items():
        encoded = name.encode("ascii")
        body = struct.pack("<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data), 0x5A210000, 20, 0x30,
                           len(encoded), 0x20) + encoded
        out += block(0x74, 0x8000, body, data)
    return out + block(0x7B, 0x4000, b"")


def render(work: Path, originals: dict[str, dict]) -> list[dict]:
    """Write the group under docs/download_folder/; return its manifest rows."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []

    def add(name: str, original: str, note: str, status: str = "ok") -> None:
        source = originals.get(original, {})
        rows.append({"path": f"{GROUP}/{name}", "group": GROUP, "layout": source.get("layout", ""),
                     "truth_doc": source.get("truth_doc", ""), "project_ids": source.get("project_ids", ""),
                     "dpi": "", "expected_status": status, "note": note})

    docx, xlsx, text_pdf = DOCS / "docx", DOCS / "xlsx", DOCS / "text_pdf"
    (FOLDER / "jinzhong_2021.doc").write_bytes(soffice(docx / "jinzhong_2021.docx", "doc", work).read_bytes())
    add("jinzhong_2021.doc", "docx/jinzhong_2021.docx", "docx/jinzhong_2021.docx saved as Word 97-2003 (.doc) by LibreOffice")
    (FOLDER / "quwo_2021.wps").write_bytes(soffice(docx / "quwo_2021.docx", "doc", work).read_bytes())
    add("quwo_2021.wps", "docx/quwo_2021.docx", "docx/quwo_2021.docx as Word 97 compound file named .wps (how WPS saves .wps)")
    (FOLDER / "quwo_2021.rtf").write_bytes(soffice(docx / "quwo_2021.docx", "rtf", work).read_bytes())
    add("quwo_2021.rtf", "docx/quwo_2021.docx", "docx/quwo_2021.docx saved as RTF by LibreOffice")
    (FOLDER / "qujing_2022_projects.et").write_bytes(soffice(xlsx / "qujing_2022_projects.xlsx", "xls", work).read_bytes())
    add("qujing_2022_projects.et", "xlsx/qujing_2022_projects.xlsx",
        "xlsx/qujing_2022_projects.xlsx as Excel 97 compound file named .et (how WPS saves .et)")
    pages = {doc: soffice(docx / f"{doc}.docx", "html:HTML (StarWriter)", work / "html").read_text(encoding="utf-8")
             for doc in ("ningxia_2024", "xizang_2023", "jinzhong_2021")}
    (FOLDER / "ningxia_2024.xls").write_bytes(gbk_page(pages["ningxia_2024"], declare=True))
    add("ningxia_2024.xls", "docx/ningxia_2024.docx", "docx/ningxia_2024.docx as an HTML page in GBK (declared gb2312) named .xls")
    (FOLDER / "xizang_2023_web.doc").write_bytes(pages["xizang_2023"].encode("utf-8"))
    add("xizang_2023_web.doc", "docx/xizang_2023.docx", "docx/xizang_2023.docx as a UTF-8 web page named .doc (Word's save as web page)")
    (FOLDER / "xizang_2023.mht").write_bytes(mht(pages["xizang_2023"]))
    add("xizang_2023.mht", "docx/xizang_2023.docx", "docx/xizang_2023.docx as an .mht web archive, page quoted-printable in GB2312")
    (FOLDER / "jinzhong_2021_gbk.html").write_bytes(gbk_page(pages["jinzhong_2021"], declare=False))
    add("jinzhong_2021_gbk.html", "docx/jinzhong_2021.docx", "docx/jinzhong_2021.docx as an HTML page in GBK with no charset declared")
    for doc in ("ningxia_2024", "quwo_2021"):
        ofd_from_pdf(text_pdf / f"{doc}.pdf", FOLDER / f"{doc}.ofd")
        add(f"{doc}.ofd", f"text_pdf/{doc}.pdf", f"OFD written from text_pdf/{doc}.pdf's characters (TextObject runs) and rulings (PathObjects)")
    (FOLDER / "ningxia_2024_docx_named.pdf").write_bytes((docx / "ningxia_2024.docx").read_bytes())
    add("ningxia_2024_docx_named.pdf", "docx/ningxia_2024.docx", "docx/ningxia_2024.docx saved under a .pdf name")

    with zipfile.ZipFile(FOLDER / "附件_stored.zip", "w", zipfile.ZIP_STORED) as archive:
        for name, source in (("附件1/曲沃县2021年绩效自评.pdf", "quwo_2021"), ("附件2/晋中市2021年绩效自评.pdf", "jinzhong_2021")):
            archive.writestr(GBKName(name, (2024, 3, 1, 9, 0, 0)), (text_pdf / f"{source}.pdf").read_bytes())
            add(f"附件_stored.zip!{name}", f"text_pdf/{source}.pdf", f"text_pdf/{source}.pdf stored (uncompressed) in a zip, GBK member name")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(GBKName("宁夏2024年绩效自评.pdf", (2024, 3, 1, 9, 0, 0)), (text_pdf / "ningxia_2024.pdf").read_bytes())
    with zipfile.ZipFile(FOLDER / "附件_deflated.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("西藏2023年绩效自评.docx", (docx / "xizang_2023.docx").read_bytes()),
                           ("__MACOSX/._西藏2023年绩效自评.docx", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "),
                           ("附件/宁夏.zip", inner.getvalue())):
            info = GBKName(name, (2024, 3, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    add("附件_deflated.zip!西藏2023年绩效自评.docx", "docx/xizang_2023.docx", "docx/xizang_2023.docx deflated in a zip, GBK member name")
    add("附件_deflated.zip!__MACOSX/._西藏2023年绩效自评.docx", "", "macOS resource fork beside it: skipped", status="skipped")
    add("附件_deflated.zip!附件/宁夏.zip!宁夏2024年绩效自评.pdf", "text_pdf/ningxia_2024.pdf",
        "text_pdf/ningxia_2024.pdf in a zip inside the zip (one level of nesting)")
    (FOLDER / "bundle.rar").write_bytes(rar_stored({"reports\\qujing_2022.pdf": (text_pdf / "qujing_2022.pdf").read_bytes()}))
    add("bundle.rar!reports/qujing_2022.pdf", "text_pdf/qujing_2022.pdf", "text_pdf/qujing_2022.pdf in a RAR 4 archive (stored)")
    with py7zr.SevenZipFile(FOLDER / "bundle.7z", "w") as archive:
        archive.writestr((docx / "qujing_2022_dept.docx").read_bytes(), "曲靖/qujing_2022_dept.docx")
    add("bundle.7z!曲靖/qujing_2022_dept.docx", "docx/qujing_2022_dept.docx", "docx/qujing_2022_dept.docx in a 7z archive (LZMA2)")
    return rows


def main() -> None:
    manifest = CORPUS / "manifest.csv"
    with manifest.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle)]
    fields = list(rows[0])
    originals = {row["path"]: row for row in rows}
    with tempfile.TemporaryDirectory(prefix="jixiao-download-") as work:
        group = render(Path(work), originals)
    rows = sorted([row for row in rows if row["group"] != GROUP] + group, key=lambda row: row["path"])
    with manifest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(group)} rows of {GROUP} under {FOLDER.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
