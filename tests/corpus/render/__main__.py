"""`python -m tests.corpus.render`: rebuild tests/corpus/docs/, manifest.csv and the data/raw samples.

`--only other_provinces` re-renders that group alone and replaces its rows in manifest.csv."""
from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import bad, download_folder, jinzhong, ningxia, pdf, qujing, quwo, scan, xizang, xlsx_out
from .other import build as other
from .truth import load

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
DOCS = CORPUS / "docs"
RAW = ROOT / "data" / "raw"
LAYOUTS = {"ningxia_2024": ningxia, "jinzhong_2021": jinzhong, "quwo_2021": quwo, "xizang_2023": xizang}
SEALS = {"ningxia_2024": "宁夏回族自治区公安厅交通警察总队", "qujing_2022": "曲靖市公安局交通警察支队",
         "jinzhong_2021": "晋中市公安局交通警察支队", "quwo_2021": "曲沃县公安局交通警察大队",
         "xizang_2023": "西藏自治区公安厅公安交通管理局"}


@dataclass
class Scan:
    doc: str
    name: str
    projects: list[int] | None  # 1-based project numbers; None = the whole document
    dpi: int
    color: bool
    quality: int
    seal: bool


SCANS = [
    Scan("ningxia_2024", "ningxia_2024_scan150.pdf", None, 150, False, 55, True),
    Scan("ningxia_2024", "ningxia_2024_p2-3_scan200.pdf", [2, 3], 200, True, 55, True),
    Scan("ningxia_2024", "ningxia_2024_p6_scan300.pdf", [6], 300, False, 50, False),
    Scan("qujing_2022", "qujing_2022_14-1_to_14-5_scan150.pdf", [2, 3, 4, 5, 6], 150, False, 55, True),
    Scan("qujing_2022", "qujing_2022_13_scan200.pdf", [1], 200, True, 55, True),
    Scan("qujing_2022", "qujing_2022_14-13_scan300.pdf", [14], 300, True, 50, True),
    Scan("jinzhong_2021", "jinzhong_2021_scan150.pdf", None, 150, False, 55, True),
    Scan("jinzhong_2021", "jinzhong_2021_scan200.pdf", None, 200, True, 55, True),
    Scan("jinzhong_2021", "jinzhong_2021_scan300.pdf", None, 300, False, 50, False),
    Scan("quwo_2021", "quwo_2021_scan150.pdf", None, 150, True, 55, True),
    Scan("quwo_2021", "quwo_2021_scan200.pdf", None, 200, False, 55, False),
    Scan("quwo_2021", "quwo_2021_scan300.pdf", None, 300, False, 50, True),
    Scan("xizang_2023", "xizang_2023_scan150.pdf", None, 150, False, 55, True),
    Scan("xizang_2023", "xizang_2023_scan200.pdf", None, 200, False, 55, False),
    Scan("xizang_2023", "xizang_2023_scan300.pdf", None, 300, True, 50, True),
]
IMAGES = [
    Scan("ningxia_2024", "ningxia_2024_p2_200dpi.jpg", [2], 200, True, 70, True),
    Scan("qujing_2022", "qujing_2022_14-6_150dpi.png", [7], 150, False, 85, True),
    Scan("qujing_2022", "qujing_2022_14-16_300dpi.jpg", [17], 300, False, 60, True),
]
MIXED = [  # (doc, name, projects scanned, dpi, color)
    ("ningxia_2024", "ningxia_2024_mixed.pdf", [3, 4], 200, False),
    ("jinzhong_2021", "jinzhong_2021_mixed.pdf", [], 150, True),
]
SAMPLES = ["text_pdf/ningxia_2024.pdf", "text_pdf/jinzhong_2021.pdf", "scan_pdf/xizang_2023_scan150.pdf",
           "image/qujing_2022_14-6_150dpi.png"]
FIELDS = ["path", "group", "layout", "truth_doc", "project_ids", "dpi", "expected_status", "note"]


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


class Corpus:
    def __init__(self, work: Path):
        self.work = work
        self.rows: list[dict] = []
        self.spans: dict[str, list[tuple[int, int]]] = {}  # doc -> (first, last) page per project
        self.ids: dict[str, list[str]] = {}

    def add(self, path: Path, group: str, doc: str = "", ids: str = "all", dpi: int | str = "",
            status: str = "ok", note: str = "") -> None:
        self.rows.append({"path": path.relative_to(DOCS).as_posix(), "group": group,
                          "layout": doc.split("_")[0] if doc else "", "truth_doc": doc,
                          "project_ids": ids if doc else "", "dpi": dpi, "expected_status": status,
                          "note": note})

    def text_pdf(self, doc: str) -> Path:
        return DOCS / "text_pdf" / f"{doc}.pdf"

    def pages_of(self, doc: str, projects: list[int] | None) -> list[int]:
        spans = self.spans[doc]
        chosen = range(1, len(spans) + 1) if projects is None else projects
        return sorted({n for k in chosen for n in range(spans[k - 1][0], spans[k - 1][1] + 1)})

    def id_list(self, doc: str, projects: list[int] | None) -> str:
        return "all" if projects is None else ";".join(self.ids[doc][k - 1] for k in projects)

    # ------------------------------------------------------------------ office files and their PDFs
    def office(self) -> None:
        built: list[Path] = []
        for doc, module in LAYOUTS.items():
            path = module.build().save(DOCS / "docx" / f"{doc}.docx")
            built.append(path)
            self.add(path, "docx", doc, note=_DOCX_NOTES[doc])
        dept, workbook = qujing.build()
        qd = dept.save(DOCS / "docx" / "qujing_2022_dept.docx")
        qx = xlsx_out.save(workbook, DOCS / "xlsx" / "qujing_2022_projects.xlsx")
        projects = load("qujing_2022")
        self.add(qd, "docx", "qujing_2022", projects[0].id,
                 note="公开12表 narrative table + 公开13表 department table (indicator part repeats its header)")
        self.add(qx, "xlsx", "qujing_2022", ";".join(p.id for p in projects[1:]),
                 note="公开14-1…14-18表, one sheet each; two-row header; 14-9/14-13 use doubled merged columns")
        extra = [bad.budget_disclosure().save(self.work / "budget_disclosure.docx"),
                 bad.notice().save(self.work / "notice.docx")]
        pdfs = pdf.soffice_convert([*built, qd, qx, *extra], self.work / "pdf")
        for doc in LAYOUTS:
            pdf.copy(self.work / "pdf" / f"{doc}.pdf", self.text_pdf(doc))
        pdf.merge([self.work / "pdf" / "qujing_2022_dept.pdf", self.work / "pdf" / "qujing_2022_projects.pdf"],
                  self.text_pdf("qujing_2022"))
        for doc in [*LAYOUTS, "qujing_2022"]:
            projects = load(doc)
            self.ids[doc] = [p.id for p in projects]
            self.spans[doc] = self._locate(doc, projects)
            self.add(self.text_pdf(doc), "text_pdf", doc, note=f"LibreOffice export; {_TEXT_NOTES[doc]}")
        return pdfs

    def _locate(self, doc: str, projects) -> list[tuple[int, int]]:
        path = self.text_pdf(doc)
        if len(projects) == 1:
            return [(1, len(pdf.page_texts(path)))]
        markers = {"ningxia_2024": lambda p: p["project_name"], "qujing_2022": lambda p: p["table_label"]}[doc]
        return pdf.project_pages(path, [markers(p) for p in projects])

    # ------------------------------------------------------------------ scans, images, hard cases
    def _scan(self, s: Scan, pages: list[int]) -> list[scan.Page]:
        spans = self.spans[s.doc]
        seal_pages = {spans[k - 1][1] for k in (s.projects or range(1, len(spans) + 1))}
        if s.doc == "jinzhong_2021":
            seal_pages.add(1)  # 填报单位(公章)
        style = scan.ScanStyle(s.dpi, s.color, s.quality, SEALS[s.doc] if s.seal else "")
        return scan.scan_pages(self.text_pdf(s.doc), pages, style, _rng(s.name), seal_pages)

    def scans(self) -> None:
        for s in SCANS:
            pages = self.pages_of(s.doc, s.projects)
            out = DOCS / "scan_pdf" / s.name
            scan.write_pdf(self._scan(s, pages), out)
            self.add(out, "scan_pdf", s.doc, self.id_list(s.doc, s.projects), s.dpi,
                     note=_scan_note(s, pages))
        for s in IMAGES:
            pages = self.pages_of(s.doc, s.projects)
            if len(pages) != 1:
                raise ValueError(f"{s.name}: project spans pages {pages}, not one image")
            out = DOCS / "image" / s.name
            scan.write_image(self._scan(s, pages)[0], out)
            self.add(out, "image", s.doc, self.id_list(s.doc, s.projects), s.dpi, note=_scan_note(s, pages))

    def hard(self) -> None:
        for doc in ("ningxia_2024", "xizang_2023"):
            out = DOCS / "cid_pdf" / f"{doc}_nounicode.pdf"
            out.parent.mkdir(parents=True, exist_ok=True)
            fonts = pdf.strip_tounicode(self.text_pdf(doc), out)
            self.add(out, "cid_pdf", doc, note=f"text_pdf/{doc}.pdf with /ToUnicode removed from {fonts} fonts: "
                                                "text extraction reads (cid:N); needs OCR")
        for doc, name, projects, dpi, color in MIXED:
            pages = self.pages_of(doc, projects) if projects else [2]
            s = Scan(doc, name, projects, dpi, color, 55, True)
            scanned = dict(zip(pages, self._scan(s, pages)))
            out = DOCS / "mixed_pdf" / name
            out.parent.mkdir(parents=True, exist_ok=True)
            scan.mixed_pdf(self.text_pdf(doc), scanned, out)
            self.add(out, "mixed_pdf", doc, dpi=dpi,
                     note=f"text PDF with page(s) {_ranges(pages)} replaced by {dpi} dpi scans"
                          + ("" if projects else "; the form's table runs text → scan → text"))

    def bad(self, pdfs: list[Path]) -> None:
        folder = DOCS / "bad"
        folder.mkdir(parents=True, exist_ok=True)
        src = self.text_pdf("quwo_2021")
        bad.empty(folder / "empty.pdf")
        self.add(folder / "empty.pdf", "bad", status="failed", note="zero bytes")
        bad.truncated(src, folder / "truncated.pdf")
        self.add(folder / "truncated.pdf", "bad", status="failed",
                 note="first 30% of text_pdf/quwo_2021.pdf: no xref, no trailer, most objects missing")
        bad.random_bytes(folder / "random_bytes.pdf", _rng("random_bytes"))
        self.add(folder / "random_bytes.pdf", "bad", status="failed", note="48,000 random bytes named .pdf")
        bad.error_page(folder / "error_page.pdf")
        self.add(folder / "error_page.pdf", "bad", status="failed",
                 note="an nginx 502 HTML error page saved under a .pdf name")
        pdf.encrypt(self.text_pdf("jinzhong_2021"), folder / "encrypted.pdf", user="jixiao2021", owner="owner")
        self.add(folder / "encrypted.pdf", "bad", "", status="failed",
                 note="text_pdf/jinzhong_2021.pdf encrypted with user password jixiao2021 (RC4-128)")
        by_name = {p.stem: p for p in pdfs}
        pdf.copy(by_name["notice"], folder / "narrative_only.pdf")
        self.add(folder / "narrative_only.pdf", "bad", status="skipped",
                 note="valid text PDF, a 财政厅 notice about self-evaluation work; narrative only, no tables")
        pdf.copy(by_name["budget_disclosure"], folder / "budget_disclosure.pdf")
        self.add(folder / "budget_disclosure.pdf", "bad", status="skipped",
                 note="valid text PDF with a ruled 部门收支总表 (部门预算公开); not a self-evaluation report")

    def other_provinces(self) -> None:
        self.rows += other.render(DOCS, self.work)

    def write_manifest(self) -> None:
        write_manifest(self.rows)


def write_manifest(rows: list[dict]) -> None:
    with (CORPUS / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: r["path"]))


def render_only(group: str) -> None:
    """Re-render one group in place; the other groups' files and manifest rows stay as they are."""
    if group != other.GROUP:
        raise SystemExit(f"--only supports {other.GROUP!r} (the other groups are rendered together)")
    shutil.rmtree(DOCS / group, ignore_errors=True)
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as f:
        kept = [r for r in csv.DictReader(f) if r["group"] != group]
    with tempfile.TemporaryDirectory(prefix="jixiao-corpus-") as tmp:
        rows = other.render(DOCS, Path(tmp))
    write_manifest(kept + rows)
    print(f"{len(rows)} files under {(DOCS / group).relative_to(ROOT)}; manifest rows of {group} replaced")


_DOCX_NOTES = {
    "ningxia_2024": "7 × 附件5 forms, one per page; merged 一级/二级 centred over their span; project 1 table "
                    "runs over a page break without a repeated header",
    "jinzhong_2021": "funds by 预算资金/实际支出资金, long narrative rows split by page breaks, 评分表 with subtotals",
    "quwo_2021": "narrative report: 预算执行情况 table by level, four section tables on one page, 附件1",
    "xizang_2023": "narrative + 绩效指标完成情况 table with a repeated header row (w:tblHeader)",
}
_TEXT_NOTES = {
    "ningxia_2024": "7 projects, each starting on a new page",
    "jinzhong_2021": "3 pages; table rows split across pages",
    "quwo_2021": "several small tables per page",
    "xizang_2023": "table breaks over pages with repeated header",
    "qujing_2022": "qujing_2022_dept.docx + qujing_2022_projects.xlsx exports merged: 公开12/13表 then 14-1…14-18",
}


def _ranges(pages: list[int]) -> str:
    return f"{pages[0]}-{pages[-1]}" if len(pages) > 1 and pages[-1] - pages[0] == len(pages) - 1 \
        else ",".join(map(str, pages))


def _scan_note(s: Scan, pages: list[int]) -> str:
    return (f"page{'s' if len(pages) > 1 else ''} {_ranges(pages)} of text_pdf/{s.doc}.pdf, {'colour' if s.color else 'grey'}, "
            f"JPEG q{s.quality}, rotated ≤2°, blur+noise" + (", red 公章 over cells" if s.seal else ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus.render", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"re-render one group only ({other.GROUP})")
    args = parser.parse_args(argv)
    if args.only:
        render_only(args.only)
        return
    if DOCS.exists():
        shutil.rmtree(DOCS)
    DOCS.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-corpus-") as tmp:
        corpus = Corpus(Path(tmp))
        pdfs = corpus.office()
        corpus.scans()
        corpus.hard()
        corpus.bad(pdfs)
        corpus.other_provinces()
        corpus.rows += download_folder.render(Path(tmp) / "download", {row["path"]: row for row in corpus.rows})
        corpus.write_manifest()
    RAW.mkdir(parents=True, exist_ok=True)
    for rel in SAMPLES:
        pdf.copy(DOCS / rel, RAW / Path(rel).name)
    print(f"{len(corpus.rows)} files under {DOCS.relative_to(ROOT)}; manifest and {len(SAMPLES)} samples written")


if __name__ == "__main__":
    main()
