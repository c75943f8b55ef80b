"""QA page images: bounded in pixels per page and in bytes per batch; a page that cannot be drawn
loses its picture, never its data."""
import errno
import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from pipeline.inputs import InputItem
from pipeline.model import BBox, Cell, Grid, Table
from pipeline.page_images import MAX_PAGE_PIXELS, MAX_PAGE_SIDE, OMITTED, PageImageBudget, draw_text_pages, omitted_pages
from pipeline.run import Settings, process_file

DOCS = Path(__file__).parent / "corpus" / "docs"


def stretched_pdf(path: Path, width_pt: float, height_pt: float) -> Path:
    """The jinzhong_2021 report's pages drawn onto pages of the given size (200 inch = 14400 pt)."""
    source = pikepdf.open(DOCS / "text_pdf" / "jinzhong_2021.pdf")
    pdf = pikepdf.new()
    for page in source.pages:
        pdf.add_blank_page(page_size=(width_pt, height_pt))
        pdf.pages[-1].add_overlay(page, pikepdf.Rectangle(0, 0, width_pt, height_pt))
    pdf.save(path)
    return path


def grid_with_table(page: int, width_pt: float, height_pt: float, pages: int = 3) -> Grid:
    cells = tuple(Cell(row=r, col=c, text=f"{r}{c}", page=page,
                       bbox=BBox(width_pt * (0.1 + 0.4 * c), height_pt * (0.1 + 0.2 * r),
                                 width_pt * (0.5 + 0.4 * c), height_pt * (0.3 + 0.2 * r)))
                  for r in range(2) for c in range(2))
    table = Table(cells=cells, n_rows=2, n_cols=2, page=page, bbox=BBox(width_pt * 0.1, height_pt * 0.1, width_pt * 0.9, height_pt * 0.5))
    return Grid(tables=(table,), lines=(), pages=pages, page_kinds=("text",) * pages)


@pytest.mark.parametrize("size", [(14400, 14400), (72, 14400)], ids=["200x200_inch", "1x200_inch_strip"])
def test_a_huge_page_renders_within_the_pixel_bounds(tmp_path, size):
    pdf = stretched_pdf(tmp_path / "huge.pdf", *size)
    images = draw_text_pages(pdf, grid_with_table(2, *size), tmp_path / "pages")
    assert len(images) == 1 and images[0].name == "huge-p002.jpg"
    with Image.open(images[0]) as image:  # opens without DecompressionBombError
        width, height = image.size
        assert width * height <= MAX_PAGE_PIXELS and max(width, height) <= MAX_PAGE_SIDE
        assert abs(width / height - size[0] / size[1]) / (size[0] / size[1]) < 0.05
        red = image.convert("RGB").getpixel((int(width * 0.1), int(height * 0.3)))
        assert red[0] > 150 and red[1] < 120  # the table's outline is drawn where the table is
    assert not (tmp_path / "pages" / OMITTED).exists()


def test_a_full_disk_costs_the_pictures_not_the_rows(tmp_path, monkeypatch):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copyfile(DOCS / "text_pdf" / "jinzhong_2021.pdf", root / "jinzhong_2021.pdf")
    item = InputItem(source_path="jinzhong_2021.pdf", path=root / "jinzhong_2021.pdf")
    expected = process_file(item, Settings())

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", disk_full)
    result = process_file(item, Settings(debug_dir=tmp_path / "pages"))
    assert result.document["status"] == "ok" == expected.document["status"]
    assert result.indicators == expected.indicators and result.projects == expected.projects
    folder = tmp_path / "pages" / result.document["doc_id"]
    assert result.page_images == [] and not [p for p in folder.iterdir() if p.suffix == ".jpg"]
    reasons = omitted_pages(folder)
    assert reasons and all("No space left on device" in r for r in reasons.values())


def test_budget_keeps_pages_in_order_and_records_the_rest(tmp_path):
    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for page in (3, 1, 2):
            Image.new("RGB", (200, 200), "white").save(folder / f"{name}-p{page:03d}.jpg")
        folders.append(folder)
    size = (folders[0] / "a-p001.jpg").stat().st_size
    budget = PageImageBudget(max_bytes=4 * size)
    assert [p.name for p in budget.settle(folders[0])] == ["a-p001.jpg", "a-p002.jpg", "a-p003.jpg"]
    assert [p.name for p in budget.settle(folders[1])] == ["b-p001.jpg"]
    assert sorted(p.name for p in folders[1].glob("*.jpg")) == ["b-p001.jpg"]
    reasons = json.loads((folders[1] / OMITTED).read_text(encoding="utf-8"))
    assert sorted(reasons) == ["2", "3"] and "budget" in reasons["2"]
    assert budget.used <= budget.max_bytes
