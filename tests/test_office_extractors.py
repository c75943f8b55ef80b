"""DOCX, XLSX, XLS and HTML extractors on small 自评表-like documents built in the test."""
import time
import zipfile

import openpyxl
import pytest
import xlwt
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from openpyxl.styles import Border, Side

from extractors.docx import extract_docx
from extractors.html import decode, extract_html
from extractors.xlsx import display, extract_xls, extract_xlsx
from pipeline.model import Table, TextLine

# The form every builder writes: 6 rows × 4 columns; 项目名称's value spans 3 columns, 产出指标 3 rows.
FORM = [
    ["项目名称", "道路交通安全宣传", None, None],
    ["一级指标", "二级指标", "三级指标", "年度指标值"],
    ["产出指标", "数量指标", "处理案件数", "≥98%"],
    [None, "质量指标", "结案率", "100%"],
    [None, "时效指标", "按时完成率", "≥95%"],
    ["全年预算数", "万元", "执行率", 1831],
]
N_CELLS = 2 + 4 + 4 + 3 + 3 + 4


def by_position(table: Table) -> dict:
    return {(cell.row, cell.col): cell for cell in table.cells}


def assert_form(table: Table, money: str = "1,831.00") -> None:
    """The shared shape: spans as one Cell each, texts, no holes."""
    assert (table.n_rows, table.n_cols) == (6, 4)
    assert len(table.cells) == N_CELLS
    cells = by_position(table)
    name = cells[0, 1]
    assert (name.text, name.rowspan, name.colspan) == ("道路交通安全宣传", 1, 3)
    level1 = cells[2, 0]
    assert (level1.text, level1.rowspan, level1.colspan) == ("产出指标", 3, 1)
    assert cells[4, 2].text == "按时完成率"
    assert cells[5, 3].text == money
    dense = table.rows()
    assert all(slot is not None for row in dense for slot in row)
    assert dense[4][0] is level1 and dense[0][3] is name


def kinds(blocks) -> list[str]:
    """Reading order: each TextLine's text, "TABLE" for a table."""
    return [block.text if isinstance(block, TextLine) else "TABLE" for block in blocks]


# ---------------------------------------------------------------- DOCX

def write_docx(path, extra_cell_content: bool = False):
    doc = Document()
    doc.add_paragraph("2022年度项目支出绩效自评表")
    para = doc.add_paragraph("公开14-3表")
    para.add_run("（隐藏）").font.hidden = True
    table = doc.add_table(rows=6, cols=4)
    for r, row in enumerate(FORM):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = "1,831.00" if value == 1831 else str(value)
    table.cell(0, 1).merge(table.cell(0, 3))
    table.cell(2, 0).merge(table.cell(4, 0))
    header = table.rows[1]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
    if extra_cell_content:
        cell = table.cell(3, 3)
        cell.add_paragraph("第二段")
        inner = cell.add_table(rows=1, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "内表", "数值"
    doc.add_paragraph("填报人：张三").add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("第二页说明")
    doc.save(path)
    return path


def test_docx_spans_text_and_reading_order(tmp_path):
    grid = extract_docx(write_docx(tmp_path / "form.docx"))
    assert len(grid.tables) == 1
    table = grid.tables[0]
    assert table.method == "docx"
    assert_form(table)
    assert kinds(grid.blocks()) == ["2022年度项目支出绩效自评表", "公开14-3表", "TABLE", "填报人：张三", "第二页说明"]
    assert [line.page for line in grid.lines] == [1, 1, 1, 2]
    assert grid.pages == 2 and table.page == 1


def test_docx_cell_paragraphs_and_nested_table_become_cell_text(tmp_path):
    grid = extract_docx(write_docx(tmp_path / "nested.docx", extra_cell_content=True))
    assert len(grid.tables) == 1
    assert by_position(grid.tables[0])[3, 3].text == "100%\n第二段\n内表 数值"


def test_docx_broken_and_foreign_zips_are_refused(tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(ValueError, match="not a readable zip"):
        extract_docx(broken)
    foreign = tmp_path / "foreign.docx"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("hello.txt", "not word")
    with pytest.raises(ValueError, match="not a readable DOCX"):
        extract_docx(foreign)


@pytest.mark.parametrize("extract, member", [(extract_docx, "word/document.xml"), (extract_xlsx, "xl/workbook.xml")])
def test_zip_bomb_is_refused_before_inflating(tmp_path, extract, member):
    bomb = tmp_path / "bomb.bin"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(member, "w") as handle:
            chunk = b"\x00" * 2**20
            for _ in range(24):
                handle.write(chunk)
    assert bomb.stat().st_size < 2**20
    start = time.perf_counter()
    with pytest.raises(ValueError, match="compression ratio"):
        extract(bomb)
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------- XLSX / XLS

THIN = Side(style="thin")


def write_xlsx(path):
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"] = "2022年度项目支出绩效自评表"
    ws.merge_cells("A1:D1")
    ws["A2"] = "公开14-3表"
    ws["D2"] = "单位：万元"
    for r, row in enumerate(FORM, start=3):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            if value is not None:
                cell.value = value
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    ws.cell(8, 4).number_format = "#,##0.00"
    ws.merge_cells("B3:D3")
    ws.merge_cells("A5:A7")
    ws["A10"] = "填报人：张三"
    second = book.create_sheet("评分")
    second["A1"], second["B1"], second["C1"] = "总分", 100, 0.9766
    second["C1"].number_format = "0.00%"
    second["A2"], second["B2"] = "等次", "优"
    hidden = book.create_sheet("草稿")
    hidden["A1"] = "不应出现"
    hidden.sheet_state = "hidden"
    book.save(path)
    return path


def test_xlsx_title_rows_are_text_and_table_keeps_merges(tmp_path):
    grid = extract_xlsx(write_xlsx(tmp_path / "form.xlsx"))
    assert grid.pages == 2
    first = [table for table in grid.tables if table.page == 1]
    assert len(first) == 1 and first[0].method == "xlsx"
    assert_form(first[0])
    page1 = [block for block in grid.blocks() if block.page == 1]
    assert kinds(page1) == ["2022年度项目支出绩效自评表", "公开14-3表 单位：万元", "TABLE", "填报人：张三"]


def test_xlsx_borderless_sheet_is_one_table_with_displayed_numbers(tmp_path):
    grid = extract_xlsx(write_xlsx(tmp_path / "form.xlsx"))
    second = [table for table in grid.tables if table.page == 2]
    assert len(second) == 1
    assert [[cell.text for cell in row] for row in second[0].rows()] == [["总分", "100", "97.66%"], ["等次", "优", ""]]
    assert all("不应出现" not in line.text for line in grid.lines)


@pytest.mark.parametrize("hidden_row, gone", [(6, "质量指标"), (5, "处理案件数")])  # inside, and the corner of, A5:A7
def test_xlsx_hidden_rows_are_dropped_and_spans_shrink(tmp_path, hidden_row, gone):
    path = write_xlsx(tmp_path / "hidden.xlsx")
    book = openpyxl.load_workbook(path)
    book.active.row_dimensions[hidden_row].hidden = True
    book.save(path)
    table = extract_xlsx(path).tables[0]
    assert table.n_rows == 5
    level1 = by_position(table)[2, 0]
    assert (level1.text, level1.rowspan) == ("产出指标", 2)
    assert gone not in {cell.text for cell in table.cells}


@pytest.mark.parametrize("value, fmt, shown", [
    (1831, "#,##0.00", "1,831.00"), (100, "0.00", "100.00"), (1, "0.00%", "100.00%"), (0.51, "0%", "51%"),
    (3268.2, "General", "3268.2"), (0.1 + 0.2, "General", "0.3"), (20.0, "General", "20"),
    (-5, "#,##0.00_);[Red](#,##0.00)", "(5.00)"), (12.5, "0.00_ ", "12.50"), (2.5, "0", "3"),
    (1234, "[$¥-804]#,##0.00", "¥1,234.00"), (12, '0"元"', "12元"), (0.9, "0.0#", "0.9"),
])
def test_number_formats_render_as_published(value, fmt, shown):
    assert display(value, fmt) == shown


def test_xls_matches_xlsx(tmp_path):
    book = xlwt.Workbook()
    ws = book.add_sheet("自评表")
    boxed = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin")
    money = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="#,##0.00")
    ws.write_merge(0, 0, 0, 3, "2022年度项目支出绩效自评表")
    ws.write_merge(2, 2, 1, 3, "道路交通安全宣传", boxed)
    ws.write_merge(4, 6, 0, 0, "产出指标", boxed)
    for r, row in enumerate(FORM, start=2):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in {(2, 1), (4, 0)}:
                ws.write(r, c, value, money if value == 1831 else boxed)
    path = tmp_path / "form.xls"
    book.save(str(path))
    grid = extract_xls(path)
    assert len(grid.tables) == 1 and grid.tables[0].method == "xls"
    assert_form(grid.tables[0])
    assert kinds(grid.blocks()) == ["2022年度项目支出绩效自评表", "TABLE"]


def test_xls_garbage_is_refused(tmp_path):
    path = tmp_path / "junk.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    with pytest.raises(ValueError, match="not a readable XLS"):
        extract_xls(path)


# ---------------------------------------------------------------- HTML

HTML = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>不显示</title><style>p {{color: red}}</style></head><body>
<table><tr><td>导航</td><td>
  <h2>2022年度项目支出绩效自评表</h2>
  <p>公开14-3表<br>单位：万元</p>
  <table border="1">
    <tr><td>项目名称</td><td colspan="3">道路交通<span>安全宣传</span></td></tr>
    <tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th></tr>
    <tr><td rowspan="3">产出指标</td><td>数量指标</td><td>处理案件数</td><td>≥98%</td></tr>
    <tr><td>质量指标</td><td>结案率</td><td><p>100%</p><p>第二段</p></td></tr>
    <tr><td>时效指标</td><td>按时完成率</td><td>≥95%</td></tr>
    <tr><td>全年预算数</td><td>万元</td><td>执行率</td><td>1,831.00</td></tr>
  </table>
  <div style="display: none">隐藏</div>
  <p>填报人：张三&nbsp;&nbsp; 联系电话：{phone}</p>
</td></tr></table>
<script>var x = "脚本";</script></body></html>"""


def test_html_gb2312_page_with_layout_table(tmp_path):
    path = tmp_path / "form.html"
    path.write_bytes(HTML.format(phone="0874-1234567").encode("gb18030"))
    grid = extract_html(path)
    assert len(grid.tables) == 1
    table = grid.tables[0]
    assert table.method == "html"
    assert_form(table)
    assert by_position(table)[3, 3].text == "100%\n第二段"
    assert kinds(grid.blocks()) == ["导航", "2022年度项目支出绩效自评表", "公开14-3表", "单位：万元", "TABLE",
                           "填报人：张三 联系电话：0874-1234567"]


def test_html_encoding_fallbacks():
    text = "<html><body><p>绩效自评</p></body></html>"
    assert decode(text.encode("utf-8")) == text
    assert decode(text.encode("gb18030")) == text  # no declaration, not UTF-8 → GB18030
    declared = '<meta charset="utf-8"><p>绩效自评</p>'
    assert decode(declared.encode("utf-8")) == declared
    assert decode("\ufeff绩效".encode("utf-8")) == "绩效"
    lying = '<meta charset="gb2312"><p>绩效自评</p>'
    assert decode(lying.encode("utf-8")) == lying  # valid UTF-8 wins over a wrong declaration
    big5 = '<meta charset="big5"><p>績效自評</p>'
    assert decode(big5.encode("big5")) == big5


def test_html_overlapping_spans_are_clipped(tmp_path):
    path = tmp_path / "overlap.html"
    path.write_text("<table><tr><td>甲</td><td rowspan=2>乙</td></tr>"
                    "<tr><td colspan=2>丙</td></tr><tr><td rowspan=0>丁</td><td>戊</td></tr></table>",
                    encoding="utf-8")
    table = extract_html(path).tables[0]
    cells = by_position(table)
    assert (table.n_rows, table.n_cols) == (3, 2)
    assert (cells[0, 1].rowspan, cells[1, 0].text, cells[1, 0].colspan) == (2, "丙", 1)
    assert (cells[2, 0].text, cells[2, 0].rowspan) == ("丁", 1)
    assert all(slot is not None for row in table.rows() for slot in row)


def test_html_without_content_is_refused(tmp_path):
    path = tmp_path / "comment.html"
    path.write_text("<!-- nothing here -->", encoding="utf-8")
    with pytest.raises(ValueError, match="not readable HTML"):
        extract_html(path)
