"""Scanned pages and images → Grid (extractors/scan/, image.py, ocr_engines.py).

The fixture is a 自评表-like page rebuilt by tests/fixtures/scan/make_fixtures.py: two ruled tables
with a vertically merged 一级 cell, a 总分 row spanning five columns, a red seal over the first table,
1.5° skew, speckle noise, broken rulings, JPEG. Tests marked `ocr` run RapidOCR (one page, a few
seconds); the others use a stub engine.
"""
from __future__ import annotations

import json
import struct
from collections import Counter
import unicodedata
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from extractors import image as image_mod
from extractors.image import extract_image
from extractors.ocr_engines import OcrBox, get_engine
from extractors.scan import extract_scanned_pdf, render_dpi
from extractors.scan.cells import cell_text, join_lines
from extractors.scan.prepare import estimate_skew, suppress_red

FIXTURES = Path(__file__).parent / "fixtures" / "scan"
CORPUS_SCANS = Path(__file__).parent / "corpus" / "docs" / "scan_pdf"
PAGE = FIXTURES / "two_tables_rowspan_colspan_seal_rot1.5.jpg"
EXPECTED = json.loads((FIXTURES / "two_tables_rowspan_colspan_seal_rot1.5.expected.json").read_text(encoding="utf-8"))


class StubEngine:
    """Reads every line as 文 (score 0.9) and finds one line in any image: exercises geometry without OCR."""

    name = "stub"

    def read(self, image):
        return [OcrBox("文", ((0, 0), (10, 0), (10, 10), (0, 10)), 0.9)]

    def recognize(self, crops):
        return [("文", 0.9)] * len(crops)

    def detect(self, image):
        return [(0, 0, min(10, image.shape[1]), min(10, image.shape[0]))]


def norm(text: str) -> str:
    """OCR cannot tell full-width from half-width punctuation; compare in NFKC without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def spans(table) -> dict[tuple[int, int], tuple[int, int]]:
    return {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}


@pytest.fixture(scope="module")
def stub_grid():
    return extract_image(PAGE, engine=StubEngine())


@pytest.fixture(scope="module")
def ocr_grid(tmp_path_factory):
    debug = tmp_path_factory.mktemp("debug")
    return extract_image(PAGE, engine=get_engine("rapidocr"), debug_dir=debug), debug


# ------------------------------------------------------------------ geometry (no OCR)


def test_finds_both_tables_with_their_shape(stub_grid):
    assert [(t.n_rows, t.n_cols) for t in stub_grid.tables] == [(5, 7), (9, 7)]
    assert stub_grid.pages == 1 and stub_grid.page_kinds == ("scanned",)


def test_merged_cells_are_one_cell_with_spans(stub_grid):
    for table, expected in zip(stub_grid.tables, EXPECTED["tables"]):
        assert spans(table) == {(c["row"], c["col"]): (c["rowspan"], c["colspan"]) for c in expected}
    indicators = spans(stub_grid.tables[1])
    assert indicators[(1, 0)] == (4, 1)  # 产出指标 over four rows
    assert indicators[(8, 0)] == (1, 5)  # 总分 over five columns


def test_every_slot_covered_exactly_once(stub_grid):
    for table in stub_grid.tables:
        assert sum(c.rowspan * c.colspan for c in table.cells) == table.n_rows * table.n_cols
        assert all(cell is not None for row in table.rows() for cell in row)


def test_coordinates_are_points_on_the_page(stub_grid):
    width_pt, height_pt = 1700 * 72 / 200, 1790 * 72 / 200
    first, second = stub_grid.tables
    assert first.bbox.bottom <= second.bbox.top
    for table in stub_grid.tables:
        for cell in table.cells:
            b = cell.bbox
            assert 0 <= b.x0 < b.x1 <= width_pt and 0 <= b.top < b.bottom <= height_pt
    # the table's left border sits about 2.7 cm in from the page edge
    assert 40 < first.bbox.x0 < 60


def test_scanned_pdf_renders_at_the_image_resolution(tmp_path):
    pdf = tmp_path / "scan.pdf"
    with Image.open(PAGE) as img:
        img.save(pdf, resolution=200)
        img.resize((img.width // 2, img.height // 2)).save(tmp_path / "low.pdf", resolution=100)
    import pypdfium2 as pdfium

    for name, dpi in (("scan.pdf", 200), ("low.pdf", 150)):
        doc = pdfium.PdfDocument(str(tmp_path / name))
        assert render_dpi(doc[0]) == pytest.approx(dpi, abs=1)
        doc.close()
    grid = extract_scanned_pdf(pdf, engine=StubEngine(), debug_dir=tmp_path / "debug")
    assert [(t.n_rows, t.n_cols) for t in grid.tables] == [(5, 7), (9, 7)]
    assert grid.page_kinds == ("scanned",)
    assert (tmp_path / "debug" / "scan-p001.png").exists()


def test_each_page_is_handed_over_as_it_is_read(tmp_path):
    """A caller whose time runs out keeps what on_page received: every page, in order, with its own tables."""
    pdf = tmp_path / "three.pdf"
    with Image.open(PAGE) as img:
        img.save(pdf, save_all=True, append_images=[img.copy(), img.copy()], resolution=200)
    seen: list[tuple[int, list[tuple[int, int, int]]]] = []
    grid = extract_scanned_pdf(pdf, engine=StubEngine(),
                               on_page=lambda n, tables, lines: seen.append((n, [(t.page, t.n_rows, t.n_cols) for t in tables])))
    assert seen == [(n, [(n, 5, 7), (n, 9, 7)]) for n in (1, 2, 3)]
    assert len(grid.tables) == 6


def test_multipage_tiff_gives_one_page_per_frame(tmp_path):
    tiff = tmp_path / "two.tif"
    with Image.open(PAGE) as img:
        img.save(tiff, save_all=True, append_images=[img.copy()], dpi=(200, 200))
    grid = extract_image(tiff, engine=StubEngine())
    assert grid.pages == 2
    assert sorted({t.page for t in grid.tables}) == [1, 2]


def test_oversized_image_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(image_mod, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ValueError, match="px limit"):
        extract_image(PAGE, engine=StubEngine())


def test_decompression_bomb_header_is_refused(tmp_path):
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = tmp_path / "bomb.png"
    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b""))
    with pytest.raises(ValueError):
        extract_image(bomb, engine=StubEngine())


def test_red_seal_is_whitened_and_black_text_under_it_kept():
    page = np.full((200, 200, 3), 255, np.uint8)
    cv2.rectangle(page, (60, 90), (140, 110), (0, 0, 0), -1)  # black text
    seal = np.full_like(page, 255)
    cv2.circle(seal, (100, 100), 60, (40, 40, 215), 12)
    gray = suppress_red(np.minimum(page, seal))
    assert gray[100, 45] > 235  # seal stroke alone → white
    assert gray[100, 100] < 80  # black text under the seal → still dark


def test_skew_estimate_recovers_the_rotation():
    page = np.zeros((1000, 800), np.uint8)
    for y in range(100, 900, 60):
        cv2.line(page, (80, y), (720, y), 255, 2)
    rotated = cv2.warpAffine(page, cv2.getRotationMatrix2D((400, 500), 2.0, 1.0), (800, 1000))
    assert estimate_skew(rotated, 5.0) == pytest.approx(-2.0, abs=0.1)


def test_equal_bars_tell_equals_from_er():
    from extractors.scan.cells import _equal_bars

    equals = np.full((40, 40), 255, np.uint8)
    cv2.rectangle(equals, (8, 14), (32, 16), 0, -1)
    cv2.rectangle(equals, (8, 24), (32, 26), 0, -1)
    er = np.full((40, 40), 255, np.uint8)
    cv2.rectangle(er, (12, 10), (28, 12), 0, -1)
    cv2.rectangle(er, (4, 28), (36, 30), 0, -1)
    assert _equal_bars(equals) and not _equal_bars(er)


def test_seal_star_is_whitened_and_print_over_it_kept():
    """A grey seal's filled star reads as a stray character beside 总分; print over it is darker than
    the star (ink over ink) and stays, as do thin strokes elsewhere in the seal."""
    from extractors.scan.prepare import binarize
    from extractors.scan.seals import erase_fills

    gray = np.full((400, 400), 235, np.uint8)
    star = np.array([[200 + r * np.cos(a), 200 + r * np.sin(a)] for k, (r, a) in enumerate(
        (60 if k % 2 == 0 else 23, -np.pi / 2 + k * np.pi / 5) for k in range(10))], np.int32)
    cv2.fillPoly(gray, [star], 150)
    cv2.line(gray, (120, 120), (150, 120), 150, 2)                 # a thin seal stroke
    cv2.putText(gray, "90", (150, 215), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
    digits = gray < 100
    binary = binarize(gray, 200)
    erase_fills(gray, binary, [(200.0, 200.0, 170.0, 180.0)], 200)
    inside = np.zeros_like(gray)
    cv2.fillPoly(inside, [star], 255)
    assert (gray[(inside > 0) & ~digits] == 255).mean() > 0.95
    assert (gray[digits] < 100).mean() > 0.95
    assert (gray[119:122, 125:145] < 200).all()


def test_lone_placeholder_reads_as_dash_or_dots():
    """A placeholder the recogniser gives up on (score < 0.5): a bar is a dash, a row of dots is dots."""
    from extractors.scan.cells import reread_glyphs

    class Unsure:
        def recognize(self, crops):
            return [("", 0.1)] * len(crops)

    bar = np.full((30, 40), 255, np.uint8)
    cv2.rectangle(bar, (6, 14), (34, 16), 0, -1)
    dots = np.full((30, 40), 255, np.uint8)
    for x in range(6, 34, 6):
        cv2.rectangle(dots, (x, 14), (x + 2, 16), 0, -1)
    assert [t for t, _ in reread_glyphs([bar, dots], [("", 0.2), ("……", 0.48)], Unsure())] == ["—", "....."]


def test_lines_of_a_cell_join_without_space_for_cjk():
    assert cell_text(["一"]) == "—"  # a lone 一 in a cell is the placeholder dash
    assert join_lines(["3268.20万", "元/年"]) == "3268.20万元/年"
    assert join_lines(["宣传活动场", "次"]) == "宣传活动场次"
    assert join_lines(["total", "score"]) == "total score"


def test_rapidocr_uses_the_wheel_models_and_never_downloads(monkeypatch):
    import socket

    from rapidocr.utils import download_file

    from extractors.ocr_engines import RapidOcrEngine

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(download_file.DownloadFile, "run", classmethod(refuse))
    monkeypatch.setattr(socket.socket, "connect", refuse)
    engine = RapidOcrEngine()
    page = np.full((80, 400, 3), 255, np.uint8)
    cv2.putText(page, "2022", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    assert [b.text for b in engine.read(page)] == ["2022"]
    assert engine.recognize([page])[0][0] == "2022"


def test_engine_factory():
    with pytest.raises(ValueError, match="unknown OCR engine"):
        get_engine("tesseract")
    try:
        import paddleocr  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="paddleocr"):
            get_engine("paddleocr")
    assert get_engine("rapidocr") is get_engine("rapidocr")


# ------------------------------------------------------------------ with OCR


@pytest.mark.ocr
def test_cell_texts_match(ocr_grid):
    grid, _ = ocr_grid
    wrong = []
    total = 0
    for table, expected in zip(grid.tables, EXPECTED["tables"]):
        got = {(c.row, c.col): c for c in table.cells}
        for cell in expected:
            total += 1
            read = got[(cell["row"], cell["col"])].text
            if norm(read) != norm(cell["text"]):
                wrong.append((cell["text"], read))
    assert len(wrong) <= 0.03 * total, wrong
    indicators = {(c.row, c.col): c for c in grid.tables[1].cells}
    assert indicators[(1, 0)].text == "产出指标" and indicators[(1, 0)].rowspan == 4
    assert indicators[(4, 3)].text == "3268.20万元/年"
    assert indicators[(3, 3)].text == "≥98%"


@pytest.mark.ocr
def test_confidence_per_cell(ocr_grid):
    grid, _ = ocr_grid
    cells = [c for t in grid.tables for c in t.cells]
    assert all(0.0 <= c.confidence <= 1.0 for c in cells)
    assert all(c.confidence == 1.0 for c in cells if c.text == "")
    assert sum(c.confidence > 0.9 for c in cells) >= 0.9 * len(cells)


@pytest.mark.ocr
def test_text_outside_tables_becomes_lines(ocr_grid):
    grid, debug = ocr_grid
    lines = [norm(line.text) for line in grid.lines]
    for expected in EXPECTED["lines"]:
        assert norm(expected) in lines, lines
    title = next(line for line in grid.lines if "自评表" in line.text)
    assert title.bbox.bottom < grid.tables[0].bbox.top
    assert [type(b).__name__ for b in grid.blocks()] == ["TextLine"] * 3 + ["Table", "TextLine", "Table"]
    assert (debug / f"{PAGE.stem}-p001.png").exists()


@pytest.mark.ocr
def test_cells_under_a_grey_seal_are_read_whole():
    """曲靖 14-2 scanned gray at 150 dpi: the seal's ring and arc text run through the 综合使用率 and
    满意度 rows, the 说明 row and the 总分 row. Its strokes fill the gaps between lines, so cutting the
    cells by their ink profile slices each line in two (the 总分 row read as '4' / 'ON20'); the
    layouts stacked about each cell's middle, kept by the recogniser's confidence, read them whole."""
    path = CORPUS_SCANS / "qujing_2022_14-1_to_14-5_scan150.pdf"
    grid = extract_scanned_pdf(path, pages=[2], engine=get_engine("rapidocr"))
    cells = {(c.row, c.col): c.text for c in grid.tables[-1].cells}
    assert cells[(19, 0)] == "总分"
    assert cells[(16, 4)] == "100"
    assert cells[(18, 3)].startswith("此项目经费年") and cells[(18, 3)].endswith("故不进行自评。")
    assert (cells[(19, 7)], cells[(19, 8)], cells[(19, 9)]) == ("100", "90", "优")


@pytest.mark.ocr
def test_columns_line_up_on_a_skewed_scan():
    """宁夏 p2-3 at 200 dpi, scanned ~1.5° askew: on the page as published the bottom rows sit ~20 pt
    to one side of the header, enough to push the 分值 cell out of its narrow column. Scanned cells also
    carry their box in the deskewed page, and the segmenter reads columns from that."""
    from pipeline.segment import segment

    grid = extract_scanned_pdf(CORPUS_SCANS / "ningxia_2024_p2-3_scan200.pdf", engine=get_engine("rapidocr"))
    table = max(grid.tables, key=lambda t: t.n_rows)
    last_col = [c for c in table.cells if c.col == table.n_cols - 1]
    assert max(c.upright.x0 for c in last_col) - min(c.upright.x0 for c in last_col) < 3
    assert max(c.bbox.x0 for c in last_col) - min(c.bbox.x0 for c in last_col) > 10
    last = next(i for p in segment(grid)[0] for i in p.indicators if i.name_raw == "群众对公安交管服务满意度")
    assert (last.weight, last.score) == (10, 10)


@pytest.mark.ocr
@pytest.mark.parametrize("turns", [1, 2])
def test_page_fed_sideways_or_upside_down_reads_as_upright(tmp_path, turns):
    """曲靖 14-16 scanned at 300 dpi, saved turned a quarter and a half turn: the same text comes out,
    and their boxes land back on the turned image as it was given."""
    source = Path(__file__).parent / "corpus" / "docs" / "image" / "qujing_2022_14-16_300dpi.jpg"
    page = cv2.imread(str(source), cv2.IMREAD_GRAYSCALE)
    turned = tmp_path / f"turned{turns}.png"
    cv2.imwrite(str(turned), np.rot90(page, turns))
    engine = get_engine("rapidocr")
    upright, fed = extract_image(source, engine=engine), extract_image(turned, engine=engine)
    # the two are resampled differently, so stray reads of the seal differ: compare confident cells
    texts = lambda grid: Counter(norm(c.text) for t in grid.tables for c in t.cells if c.text and c.confidence >= 0.9)  # noqa: E731
    assert sum((texts(fed) & texts(upright)).values()) >= 0.95 * sum(texts(upright).values()) > 80
    assert [norm(line.text) for line in fed.lines[:2]] == ["2022年度项目支出绩效自评表", "公开14-16表"]
    height_pt, width_pt = (np.rot90(page, turns).shape[:2])
    boxes = [c.bbox for t in fed.tables for c in t.cells]
    scale = 72 / 300
    assert all(0 <= b.x0 < b.x1 <= width_pt * scale + 1 and 0 <= b.top < b.bottom <= height_pt * scale + 1 for b in boxes)
    wide = max(boxes, key=lambda b: b.x1 - b.x0)
    assert (wide.x1 - wide.x0 > wide.bottom - wide.top) == (turns % 2 == 0)


def test_page_too_small_for_a_table_reads_as_empty(tmp_path):
    """A 3 x 4000 px strip would shrink to nothing in the skew search; it holds no table, so it
    reads as an empty page (the batch then skips the file as not a report) instead of failing."""
    strip = tmp_path / "strip.png"
    cv2.imwrite(str(strip), np.full((3, 4000), 255, np.uint8))
    grid = extract_image(strip, engine=StubEngine())
    assert grid.pages == 1 and grid.tables == () and grid.lines == ()


def test_glyph_stroke_beside_a_column_position_is_no_border():
    """A label's vertical bar (the left stroke of 自, 管) in a short row, a few pixels from the rulings above and
    below, is glued to them by the masks' closings; it neither splits the label's cell where the column
    border is not drawn, nor makes a column of its own."""
    from extractors.scan.grid import find_tables, line_masks

    dpi = 200
    binary = np.zeros((400, 1000), np.uint8)
    for y in (100, 135, 200, 265):
        binary[y:y + 2, 100:902] = 255
    for x in (100, 900):
        binary[100:267, x:x + 2] = 255
    binary[135:267, 400:402] = 255   # the column border, drawn below the first row only
    binary[106:131, 400:403] = 255   # a glyph's bar at that column in the first (35 px) row
    binary[141:196, 250:253] = 255   # and one where no column is drawn at all
    hmask, vmask = line_masks(binary, dpi)
    (grid,) = find_tables(binary, hmask, vmask, dpi)
    assert len(grid.xs) == 3 and abs(grid.xs[1] - 401) <= 2
    assert (0, 0, 1, 2) in grid.cells and (1, 0, 1, 1) in grid.cells and (1, 1, 1, 1) in grid.cells


def stretch_onto_huge_page(source: Path, target: Path, side_pt: float = 14400.0) -> tuple[int, int]:
    """The scanned image of source's first page drawn over a page whose longer side is 200 inches
    (what a scanner tool writes when it takes a JPEG's density 1 for 1 dpi); returns the image's pixels."""
    import pikepdf

    with pikepdf.open(source) as pdf:
        page = pdf.pages[0]
        image = next(v for v in page.Resources.XObject.values() if v.Subtype == pikepdf.Name.Image)
        w, h = int(image.Width), int(image.Height)
        width, height = (side_pt * w / h, side_pt) if h >= w else (side_pt, side_pt * h / w)
        out = pikepdf.new()
        out.add_blank_page(page_size=(width, height))
        out.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=out.copy_foreign(image)))
        out.pages[0].Contents = out.make_stream(f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Im0 Do Q".encode())
        out.save(target)
    return w, h


def test_a_scan_stretched_onto_a_200_inch_page_renders_at_its_own_resolution(tmp_path):
    """A 300-dpi A4 scan (2481 × 3508 px) drawn over a 141 × 200-inch page states 17.5 dpi: rendered
    at a fixed dpi it is 60 Mpx of blur capped to 39 dpi of the page (text 4 px high), so no table
    was found. Read as the A4 page it is, at 200 dpi of the printed page (about 1654 × 2339 px)."""
    import pypdfium2 as pdfium

    from extractors.scan import render_plan
    from extractors.scan.settings import DEFAULTS

    huge = tmp_path / "huge.pdf"
    px_w, px_h = stretch_onto_huge_page(CORPUS_SCANS / "qujing_2022_14-13_scan300.pdf", huge)
    blank = tmp_path / "blank.pdf"
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(14400, 14400)
    pdf.save(str(blank))
    pdf.close()
    for path, (width, height), dpi in ((huge, (1654, 2339), 200), (blank, (7746, 7746), None)):
        doc = pdfium.PdfDocument(str(path))
        page = doc[0]
        scale, read_dpi = render_plan(page)
        w_pt, h_pt = page.get_size()
        assert (w_pt * scale) * (h_pt * scale) <= DEFAULTS.max_pixels * 1.001
        assert w_pt * scale == pytest.approx(width, rel=0.01) and h_pt * scale == pytest.approx(height, rel=0.01)
        if dpi:
            assert read_dpi == pytest.approx(dpi)
        doc.close()
    assert (px_w, px_h) == (2481, 3508)
