"""Quarter-turn orientation of scanned pages (extractors/orientation.py) on real corpus scans.

Each page is read upright and turned by np.rot90 1-3 times; quarter_turn must name the turn that
undoes it, and an upright page must stay upright.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.ocr_engines import get_engine
from extractors.orientation import quarter_turn, turn_page

CORPUS = Path(__file__).parent / "corpus" / "docs"

# (file, 1-based page, dpi): a ruled table with a seal, a dense indicator table, a signature page,
# a prose page, a small table on a near-blank page, colour and gray images (the last at 300 dpi)
PAGES = [
    ("scan_pdf/ningxia_2024_scan150.pdf", 1, 150),
    ("scan_pdf/qujing_2022_13_scan200.pdf", 2, 200),
    ("scan_pdf/jinzhong_2021_scan300.pdf", 3, 200),
    ("scan_pdf/xizang_2023_scan200.pdf", 4, 200),
    ("scan_pdf/quwo_2021_scan150.pdf", 4, 150),
    ("image/qujing_2022_14-6_150dpi.png", 1, 150),
    ("image/qujing_2022_14-16_300dpi.jpg", 1, 300),
]
NEAR_BLANK = ("scan_pdf/ningxia_2024_scan150.pdf", 5, 150)  # only 总分 100 88 and a seal


@cache
def page_gray(name: str, page: int, dpi: float) -> np.ndarray:
    path = CORPUS / name
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        image = pdfium.PdfDocument(str(path))[page - 1].render(scale=dpi / 72).to_numpy()
    else:
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return image if image.ndim == 2 else cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapidocr")


@pytest.mark.ocr
@pytest.mark.parametrize("k", [0, 1, 2, 3])
@pytest.mark.parametrize("name,page,dpi", PAGES, ids=[f"{Path(n).stem}-p{p}" for n, p, _ in PAGES])
def test_turned_page_is_undone(engine, name, page, dpi, k):
    upright = page_gray(name, page, dpi)
    turned = np.ascontiguousarray(np.rot90(upright, -k))  # needs k counter-clockwise quarter turns
    assert quarter_turn(turned, dpi, engine) == k


@pytest.mark.ocr
def test_near_blank_page_is_never_turned_wrongly(engine):
    upright = page_gray(*NEAR_BLANK)
    assert quarter_turn(upright, NEAR_BLANK[2], engine) == 0
    for k in (1, 2, 3):
        assert quarter_turn(np.ascontiguousarray(np.rot90(upright, -k)), NEAR_BLANK[2], engine) in (0, k)


class NoReading:
    """An engine that must not be asked: a page without text lines is settled before any reading."""

    def recognize(self, crops):
        raise AssertionError("recognize called on a page without text lines")

    read = recognize


def test_blank_page_stays_upright_without_reading():
    assert quarter_turn(np.full((1654, 1169), 235, np.uint8), 200, NoReading()) == 0


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, -1])
def test_turn_page_matrix_maps_pixels_like_rot90(k):
    image = np.zeros((5, 8), np.uint8)
    x, y = 6, 1
    image[y, x] = 255
    turned, matrix = turn_page(image, k)
    expected = np.rot90(image, k)
    assert turned.flags.c_contiguous and np.array_equal(turned, expected)
    assert matrix.shape == (2, 3) and matrix.dtype == np.float64
    tx, ty = matrix @ np.array([x, y, 1.0])
    assert (round(ty), round(tx)) == tuple(np.argwhere(expected == 255)[0])
    height, width = expected.shape
    assert np.array_equal(cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_NEAREST), expected)
    back = cv2.invertAffineTransform(matrix) @ np.array([tx, ty, 1.0])
    assert np.allclose(back, [x, y])
