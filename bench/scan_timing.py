"""`python -m bench.scan_timing`: speed and accuracy of extractors/scan/ on the corpus scans.

For every page of tests/corpus/docs/scan_pdf/*.pdf it times, on the same rendered page:
  pipeline   extract_image_page (seal, deskew, grid, per-cell line crops + one recognition batch,
             detection only on the bands outside tables)
  full+assign the same clean-up and grid, then ONE full-page detection+recognition pass whose boxes
             are assigned to cells by their centre (the alternative OCR strategy)
  raw        one full-page pass of RapidOCR with its default settings (the reference cost)
and scores cells against the text PDF the scan was made from (pdfplumber's ruled tables on the
source page; cells matched by row/col, text compared in NFKC without whitespace).
Pages are rendered at the scan's own resolution (150/200/300) and, for 300 dpi scans, also at the
production resolution (render_dpi: 200). Not a test: it prints a table, then the issue-5 speed
criterion on the pages read at 200 dpi (median pipeline time, and pipeline against one raw full-page
pass, page by page and in total, measured in this same run), and writes bench/scan_timing.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import statistics
import time
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium

from extractors import scan
from extractors.scan.cells import cell_text, join_lines
from extractors.scan.prepare import prepare_page
from extractors.ocr_engines import get_engine

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def reference_tables(pdf_page) -> list[dict[tuple[int, int], tuple[int, int, str]]]:
    """Ruled tables of a text-PDF page as {(row, col): (rowspan, colspan, text)}."""
    out = []
    for table in pdf_page.find_tables():
        boxes = table.cells
        xs = sorted({round(v) for b in boxes for v in (b[0], b[2])})
        ys = sorted({round(v) for b in boxes for v in (b[1], b[3])})
        cells = {}
        for x0, top, x1, bottom in boxes:
            r, c = ys.index(round(top)), xs.index(round(x0))
            rs, cs = ys.index(round(bottom)) - r, xs.index(round(x1)) - c
            text = pdf_page.within_bbox((x0, top, x1, bottom)).extract_text() or ""
            cells[(r, c)] = (rs, cs, join_lines(text.splitlines()))
        out.append(cells)
    return out


def score(tables: list[dict], reference: list[dict]) -> tuple[int, int, int, int]:
    """(non-empty reference cells read right, non-empty reference cells, tables with the right spans, tables)."""
    right = total = shape_ok = 0
    for i, ref in enumerate(reference):
        got = tables[i] if i < len(tables) else {}
        shape_ok += {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in ref.items()}
        for key, (_, _, text) in ref.items():
            if norm(text):
                total += 1
                right += key in got and norm(got[key][2]) == norm(text)
    return right, total, shape_ok, len(reference)


def as_dicts(tables) -> list[dict]:
    return [{(c.row, c.col): (c.rowspan, c.colspan, c.text) for c in t.cells} for t in tables]


def full_and_assign(image: np.ndarray, dpi: float, engine) -> list[dict]:
    """Alternative strategy: same clean-up and grid, one full-page OCR pass, boxes to cells by centre."""
    prepared = prepare_page(image, dpi)
    grids = prepared.grids
    boxes = [b for b in engine.read(prepared.clean) if b.score >= 0.5]
    out = []
    for grid in grids:
        cells = {}
        for r, c, rs, cs in grid.cells:
            x0, y0, x1, y1 = grid.box(r, c, rs, cs)
            inside = [b for b in boxes if x0 <= (b.bbox[0] + b.bbox[2]) / 2 <= x1 and y0 <= (b.bbox[1] + b.bbox[3]) / 2 <= y1]
            inside.sort(key=lambda b: (round(b.bbox[1] / 10), b.bbox[0]))
            cells[(r, c)] = (rs, cs, cell_text([b.text for b in inside]))
        out.append(cells)
    return out


def raw_engine():
    """RapidOCR with its default settings, models from the wheel."""
    import rapidocr
    from rapidocr import RapidOCR

    models = Path(rapidocr.__file__).parent / "models"
    return RapidOCR(params={
        "Global.log_level": "error",
        "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
        "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
    })


def sources(corpus: Path) -> list[tuple[Path, int, Path, int, int]]:
    """(scan pdf, scan page, text pdf, text page, scan dpi) from the manifest notes."""
    out = []
    with (corpus / "manifest.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["group"] != "scan_pdf":
                continue
            m = re.search(r"pages? (\d+)(?:-(\d+))? of (text_pdf/\S+\.pdf)", row["note"])
            if not m:
                continue
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            for i, text_page in enumerate(range(first, last + 1), start=1):
                scan_pdf, text_pdf = corpus / "docs" / row["path"], corpus / "docs" / m.group(3)
                if scan_pdf.exists() and text_pdf.exists():
                    out.append((scan_pdf, i, text_pdf, text_page, int(row["dpi"])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="pages per scan resolution (0 = all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-alt", action="store_true", help="skip full+assign and raw (pipeline only)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scan_timing.json")
    args = parser.parse_args()

    engine = get_engine("rapidocr")
    raw = raw_engine()
    warm = np.full((200, 600, 3), 255, np.uint8)
    cv2.putText(warm, "2022", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, (0, 0, 0), 6)
    engine.read(warm), raw(warm)

    rows: dict[str, dict[str, list]] = {}
    seen: dict[int, int] = {}
    for scan_pdf, scan_page, text_pdf, text_page, scan_dpi in sources(args.corpus):
        if args.limit and seen.get(scan_dpi, 0) >= args.limit:
            continue
        seen[scan_dpi] = seen.get(scan_dpi, 0) + 1
        with pdfplumber.open(text_pdf) as doc:
            reference = reference_tables(doc.pages[text_page - 1])
        doc = pdfium.PdfDocument(str(scan_pdf))
        page = doc[scan_page - 1]
        variants = {f"{scan_dpi} native": scan_dpi}
        if round(scan.render_dpi(page)) != scan_dpi:
            variants[f"{scan_dpi}→{scan.render_dpi(page):.0f}"] = scan.render_dpi(page)
        for label, dpi in variants.items():
            image = page.render(scale=dpi / 72).to_numpy()
            stats = rows.setdefault(label, {k: [] for k in ("pipe", "alt", "raw", "pipe_acc", "alt_acc", "shape")})
            t = time.perf_counter()
            tables, _ = scan.extract_image_page(image, 1, 72 / dpi, engine)
            stats["pipe"].append(time.perf_counter() - t)
            r, n, ok, nt = score(as_dicts(tables), reference)
            stats["pipe_acc"].append((r, n))
            stats["shape"].append((ok, nt))
            if not args.no_alt:
                t = time.perf_counter()
                alt = full_and_assign(image, dpi, engine)
                stats["alt"].append(time.perf_counter() - t)
                stats["alt_acc"].append(score(alt, reference)[:2])
                t = time.perf_counter()
                raw(image)
                stats["raw"].append(time.perf_counter() - t)
            print(f"{scan_pdf.name} p{scan_page} [{label}] pipe {stats['pipe'][-1]:.2f}s "
                  f"{r}/{n} cells, spans {ok}/{nt}"
                  + ("" if args.no_alt else f" | full+assign {stats['alt'][-1]:.2f}s {stats['alt_acc'][-1][0]}/{n}"
                     f" | raw {stats['raw'][-1]:.2f}s"), flush=True)
        page.close()
        doc.close()

    print("\nresolution      pages  pipeline s (median/mean)  cells right  tables w/ right spans"
          "  | full+assign s  cells right | raw RapidOCR s")
    for label, s in rows.items():
        acc = sum(r for r, _ in s["pipe_acc"]) / max(1, sum(n for _, n in s["pipe_acc"]))
        shape = f"{sum(o for o, _ in s['shape'])}/{sum(n for _, n in s['shape'])}"
        line = (f"{label:<15} {len(s['pipe']):>5}  {statistics.median(s['pipe']):>6.2f} / {statistics.mean(s['pipe']):<6.2f}"
                f"          {acc:>6.1%}       {shape:>8}")
        if s["alt"]:
            alt_acc = sum(r for r, _ in s["alt_acc"]) / max(1, sum(n for _, n in s["alt_acc"]))
            line += (f"           | {statistics.median(s['alt']):>6.2f}        {alt_acc:>6.1%}"
                     f"  | {statistics.median(s['raw']):>6.2f}")
        print(line)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    at_200 = [s for label, s in rows.items() if label.endswith(("200 native", "→200"))]
    pipe = [t for s in at_200 for t in s["pipe"]]
    raw_times = [t for s in at_200 for t in s["raw"]]
    summary = {"pages_at_200dpi": len(pipe), "peak_rss_mb": round(peak)}
    if pipe:
        summary.update(pipeline_median_s=round(statistics.median(pipe), 3), pipeline_total_s=round(sum(pipe), 2))
        print(f"\nat 200 dpi: {len(pipe)} pages, pipeline median {summary['pipeline_median_s']:.2f} s/page (target ≤ 1.5)")
    if raw_times:
        summary.update(raw_median_s=round(statistics.median(raw_times), 3), raw_total_s=round(sum(raw_times), 2),
                       pages_slower_than_raw=sum(p > r for p, r in zip(pipe, raw_times)))
        print(f"  one raw full-page RapidOCR pass: median {summary['raw_median_s']:.2f} s/page; "
              f"total pipeline {summary['pipeline_total_s']:.1f} s vs raw {summary['raw_total_s']:.1f} s; "
              f"pipeline slower on {summary['pages_slower_than_raw']}/{len(pipe)} pages")
    args.out.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
