"""The hard table situations, one by one, on real rendered PDFs of the corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.pdf_text import extract_pdf_text
from pipeline.segment import segment

DOCS = Path(__file__).parent / "corpus" / "docs"


@pytest.fixture(scope="module")
def projects():
    """Segmented projects of each text PDF, read once."""
    cache = {}

    def get(name: str):
        if name not in cache:
            grid, _ = extract_pdf_text(DOCS / "text_pdf" / name)
            cache[name] = segment(grid)[0]
        return cache[name]

    return get


def test_merged_cells_are_spans_not_holes():
    grid, kinds = extract_pdf_text(DOCS / "text_pdf" / "ningxia_2024.pdf")
    assert set(kinds) == {"text"}
    first = grid.tables[0]
    label = next(c for c in first.cells if c.text.replace("\n", "").startswith("绩效指标"))
    assert label.rowspan > 5 and label.colspan == 1
    covered = {(r, c) for cell in first.cells for r in range(cell.row, cell.row + cell.rowspan)
               for c in range(cell.col, cell.col + cell.colspan)}
    assert len(covered) == first.n_rows * first.n_cols  # every slot belongs to exactly one cell


def test_label_split_by_page_break_covers_both_halves(projects):
    """宁夏 project 1: the 成本指标 span runs from page 1 onto page 2, its label printed on page 1 only."""
    indicators = projects("ningxia_2024.pdf")[0].indicators
    cost = [i for i in indicators if i.name_raw in ("车驾管业务成本", "检验鉴定费", "交通安全宣传合作")]
    assert [i.page for i in cost] == [1, 2, 2]
    assert {(i.level1_raw, i.level2_raw) for i in cost} == {("绩效指标(40分)", "成本指标")}
    assert projects("ningxia_2024.pdf")[0].page_end == 2


def test_repeated_header_is_not_a_data_row(projects):
    """西藏: the indicator table repeats its header on the next page; 30 rows, no header among them."""
    (project,) = projects("xizang_2023.pdf")
    assert len(project.indicators) == 30
    assert not any(i.name_raw == "三级指标" for i in project.indicators)
    assert {i.page for i in project.indicators} == {2, 3}


def test_row_split_by_page_break_is_one_row(projects):
    """晋中: the 项目组织实施情况 row breaks over pages 1-2; the form stays one project, its narrative one cell."""
    (project,) = projects("jinzhong_2021.pdf")
    assert (project.page_start, project.page_end) == (1, 3)
    assert len(project.indicators) == 46
    assert project.total_score == 97.66 and project.grade == "差"


def test_two_row_header_gives_nature_and_unit_columns(projects):
    """曲靖 14-x: 年度指标值 spans 指标性质 / 指标值 / 度量单位 in a second header row."""
    first = projects("qujing_2022.pdf")[1]
    row = first.indicators[0]
    assert (row.name_raw, row.nature_raw, row.target_raw, row.unit_raw, row.actual_raw) == (
        "道路交通事故一般案", ">=", "32", "起", "33")
    assert (row.weight, row.score) == (20, 20)


def test_several_tables_per_page_and_section_tables(projects):
    """曲沃: four section tables on one page, then 附件1 repeating them: roles tell them apart."""
    (project,) = projects("quwo_2021.pdf")
    roles = [(i.page, i.table_role) for i in project.indicators]
    assert roles.count((2, "section")) == 7 and roles.count((4, "performance")) == 7
    assert project.table_label == "附件1"


def test_several_projects_per_document(projects):
    found = projects("qujing_2022.pdf")
    assert len(found) == 19
    assert found[0].kind == "department" and found[0].table_label == "公开13表"
    assert [p.table_label for p in found[1:4]] == ["公开14-1表", "公开14-2表", "公开14-3表"]


def test_table_without_outer_frame_keeps_its_first_and_last_columns():
    """A table printed with inner rules only (no left/right border), exported by LibreOffice."""
    grid, _ = extract_pdf_text(Path(__file__).parent / "fixtures" / "pdf" / "no_outer_borders.pdf")
    (table,) = grid.tables
    assert table.n_cols == 7
    (project,) = segment(grid)[0]
    assert [(i.level1_raw, i.name_raw, i.weight, i.score) for i in project.indicators] == [
        ("产出指标", "宣传活动场次", 20, 20), ("产出指标", "宣传覆盖率", 20, 20),
        ("效益指标", "交通事故起数同比下降", 30, 30), ("满意度指标", "群众满意度", 30, 30),
    ]
    assert (project.total_weight, project.total_score) == (100, 100)


def test_table_ruled_only_horizontally_gets_its_columns_from_white_gaps():
    """A 三线表-style table: rules between rows, none between columns; 项目名称 printed as a line."""
    grid, _ = extract_pdf_text(Path(__file__).parent / "fixtures" / "pdf" / "horizontal_rules_only.pdf")
    (table,) = grid.tables
    assert (table.n_rows, table.n_cols) == (6, 7)
    (project,) = segment(grid)[0]
    assert project.project_name == "道路交通安全宣传经费"
    assert [(i.level2_raw, i.name_raw, i.target_raw, i.actual_raw, i.score) for i in project.indicators] == [
        ("数量指标", "宣传活动场次", "≥12次", "15次", 20), ("质量指标", "宣传覆盖率", "≥90%", "95%", 20),
        ("社会效益指标", "交通事故起数同比下降", "≥2%", "3%", 30), ("服务对象满意度指标", "群众满意度", "≥90%", "96%", 30),
    ]


def test_chinese_and_latin_in_two_fonts_read_as_one_line_without_layout_spaces():
    """LibreOffice's export of mixed_fonts_chinese_and_latin.html (soffice --convert-to
    pdf:writer_web_pdf_Export): Chinese in a CJK font, digits and brackets in a Latin one, so their
    loose boxes differ in height by more than pdfplumber's line tolerance, and Chinese and Latin are
    set apart by a gap with no space character in it."""
    grid, _ = extract_pdf_text(Path(__file__).parent / "fixtures" / "pdf" / "mixed_fonts_chinese_and_latin.pdf")
    texts = [cell.text for table in grid.tables for cell in table.cells]
    assert "产出指标(50分)" in texts and "≥1000元/户" in texts


def test_text_drawn_as_outlines_goes_to_ocr():
    """Ghostscript's -dNoOutputFonts turns glyphs into paths: no text layer, so the page is read by OCR."""
    grid, kinds = extract_pdf_text(Path(__file__).parent / "fixtures" / "pdf" / "text_as_outlines.pdf")
    assert kinds == ["scanned"] and grid.tables == ()
