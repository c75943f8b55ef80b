"""The other_provinces corpus group: every manifest file exists, opens in its format, and covers its truth."""
import csv
from pathlib import Path

import pypdfium2
import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from extractors.html import declared_charset

CORPUS = Path(__file__).parent / "corpus"
GROUP = "other_provinces"


def rows():
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["group"] == GROUP]


def test_group_covers_each_truth_folder_once():
    docs = [r["truth_doc"] for r in rows()]
    assert len(docs) == len(set(docs)) == 21
    assert all((CORPUS / "truth" / d / "indicators.csv").is_file() for d in docs)


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["path"])
def test_file_opens_in_its_format(row):
    path = CORPUS / "docs" / row["path"]
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pdf = pypdfium2.PdfDocument(str(path))
        assert len(pdf) >= 1
        pdf.close()
    elif suffix == ".html":
        raw = path.read_bytes()
        assert b"<table" in raw and declared_charset(raw)
    elif suffix == ".xlsx":
        assert load_workbook(path, read_only=True).sheetnames
    elif suffix == ".docx":
        assert Document(str(path)).tables
    else:
        with Image.open(path) as image:
            assert image.width > 1000
    assert path.stat().st_size < 600_000


def test_gbk_page_is_gbk_bytes_declared_gb2312():
    pages = [CORPUS / "docs" / r["path"] for r in rows() if r["path"].endswith(".html")]
    gbk = [p for p in pages if declared_charset(p.read_bytes()) == "gb18030"]
    assert len(gbk) == 1
    raw = gbk[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "绩效目标自评表" in raw.decode("gbk")


def test_form_prints_readings_for_uncertain_cells_and_merges_levels():
    from tests.corpus.render.other.forms import Builder
    from tests.corpus.render.other.layouts import LAYOUTS
    from tests.corpus.render.truth import load

    layout = next(x for x in LAYOUTS if x.doc == "tianchang_2022")
    project = load(layout.doc)[0]
    table = Builder(layout.forms[0], project, layout.readings).build()
    cells = {str(c.value): c for _, _, c in table.placed()}
    assert "指标1:/" in cells and "?" not in cells  # the truth's `?` name printed as the md reads it
    block = [r for r in project.indicators if r["level1_raw"] == "(50分)"]
    assert len(block) > 1 and cells["(50分)"].rs == len(block)  # one merged 一级 cell over the 产出 rows
    assert cells["年度绩效指标完成情况"].rs == len(project.indicators) + 1
