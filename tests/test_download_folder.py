"""Everything a download folder holds: files typed by their bytes, legacy Office/WPS, OFD, web archives,
archives good and hostile, and the careless things a folder brings (junk files, links, GBK names,
jixiao's own output inside it). Each situation ends as the contract says: its row, the batch going on."""
from __future__ import annotations

import hashlib
import io
import itertools
import os
import shutil
import stat
import zipfile
from pathlib import Path

import py7zr
import pytest
from typer.testing import CliRunner

from pipeline.batch import run_batch
from pipeline.inputs import OUTPUT_MARKER, InputItem, list_inputs
from pipeline.run import Settings, process_file

DOCS = Path(__file__).parent / "corpus" / "docs"
FOLDER = DOCS / "download_folder"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
needs_rar_backend = pytest.mark.skipif(shutil.which("bsdtar") is None and shutil.which("unrar") is None,
                                       reason="no bsdtar/unrar for .rar")


class GBKName(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as Chinese-Windows zip tools write them."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


COPIES = itertools.count(1)


def pdf(name: str) -> bytes:
    """The corpus PDF, made a distinct file by a trailing comment (the same bytes twice would be a duplicate)."""
    return (DOCS / "text_pdf" / f"{name}.pdf").read_bytes() + f"%copy {next(COPIES)}\n".encode()


def encrypted_zip() -> bytes:
    """A zip whose member carries the PKWARE encryption flag (zipfile writes no encrypted zips)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("secret.pdf", pdf("quwo_2021"))
    data = bytearray(buffer.getvalue())
    data[6] |= 0x1  # local header flags
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # central directory flags
    return bytes(data)


def read_one(path: Path, **settings) -> dict:
    """process_file on one file as a plain input; the documents row."""
    return process_file(InputItem(path.name, path), Settings(ocr=False, **settings)).document


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One folder holding every archive and discovery situation, read as one batch."""
    root = tmp_path_factory.mktemp("download")
    folder = root / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "stored.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a/quwo_2021.pdf", pdf("quwo_2021"))
        archive.writestr("b/jinzhong_2021.pdf", pdf("jinzhong_2021"))
    with zipfile.ZipFile(folder / "gbk.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        info = GBKName("附件/曲沃县绩效自评.pdf", (2024, 3, 1, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, pdf("quwo_2021"))
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.pdf", b"%PDF-1.4\n" + bytes(40 * 2**20))
        archive.writestr("quwo_2021.pdf", pdf("quwo_2021"))
    with zipfile.ZipFile(folder / "traversal.zip", "w") as archive:
        archive.writestr("../../escaped.pdf", pdf("quwo_2021"))
        archive.writestr("/etc/absolute.pdf", pdf("quwo_2021"))
    (folder / "encrypted.zip").write_bytes(encrypted_zip())
    with py7zr.SevenZipFile(folder / "encrypted.7z", "w", password="jixiao", header_encryption=True) as archive:
        archive.writestr(pdf("quwo_2021"), "quwo_2021.pdf")
    whole = (FOLDER / "附件_stored.zip").read_bytes()
    (folder / "broken.zip").write_bytes(whole[: len(whole) // 2])
    (folder / "broken.7z").write_bytes((FOLDER / "bundle.7z").read_bytes()[:200])
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "._quwo_2021.pdf").write_bytes(b"\x00\x05\x16\x07" + bytes(60))
    (folder / "~$报告.docx").write_bytes(b"\x0bAdministrator" + bytes(150))
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    gbk_name = os.fsdecode("附件2_晋中.pdf".encode("gbk"))
    (folder / gbk_name).write_bytes(pdf("jinzhong_2021"))
    (folder / "dangling.pdf").symlink_to(folder / "gone.pdf")
    (folder / "sub").mkdir()
    (folder / "sub" / "back_up").symlink_to(folder, target_is_directory=True)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "quwo_2021.pdf").write_bytes(pdf("quwo_2021"))
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    results = run_batch(folder, Settings(ocr=False, timeout=60))
    return root, {r.document["source_path"]: r for r in results}


def test_stored_zip_of_two_reports_lists_both(batch):
    _, rows = batch
    for name, count in (("stored.zip!a/quwo_2021.pdf", 14), ("stored.zip!b/jinzhong_2021.pdf", 46)):
        document = rows[name].document
        assert (document["status"], document["file_type"], document["n_indicators"]) == ("ok", "pdf_text", count)
    assert "stored.zip" not in rows  # the archive is its members, not a row of its own


def test_gbk_member_names_are_decoded(batch):
    _, rows = batch
    document = rows["gbk.zip!附件/曲沃县绩效自评.pdf"].document
    assert document["status"] == "ok" and document["n_indicators"] == 14


def test_zip_bomb_member_is_refused_and_its_neighbour_read(batch):
    _, rows = batch
    bomb = rows["bomb.zip!report.pdf"].document
    assert bomb["status"] == "failed" and "zip bomb" in bomb["error"]
    assert rows["bomb.zip!quwo_2021.pdf"].document["status"] == "ok"


def test_path_traversal_member_is_never_written(batch):
    root, rows = batch
    for name in ("traversal.zip!../../escaped.pdf", "traversal.zip!/etc/absolute.pdf"):
        document = rows[name].document
        assert document["status"] == "failed" and "unsafe path" in document["error"]
    assert not list(root.parent.rglob("escaped.pdf")) and not Path("/etc/absolute.pdf").exists()


def test_encrypted_archives_need_a_password(batch):
    _, rows = batch
    assert "password" in rows["encrypted.zip!secret.pdf"].document["error"]
    document = rows["encrypted.7z"].document
    assert document["status"] == "failed" and "encrypted 7z archive" in document["error"]


def test_broken_archives_are_one_failed_row_each(batch):
    _, rows = batch
    for name in ("broken.zip", "broken.7z"):
        document = rows[name].document
        assert document["status"] == "failed" and "broken or truncated" in document["error"]
        assert "\n" not in document["error"]


def test_junk_files_are_skipped_with_the_reason(batch):
    _, rows = batch
    expected = {"__MACOSX/._quwo_2021.pdf": "macOS", "~$报告.docx": "lock file", "Thumbs.db": "thumbnail",
                ".DS_Store": ".DS_Store"}
    for name, reason in expected.items():
        document = rows[name].document
        assert document["status"] == "skipped" and reason in document["error"], name


def test_gbk_file_name_is_read_and_listed_decoded(batch):
    _, rows = batch
    document = rows["附件2_晋中.pdf"].document
    assert document["status"] == "ok" and document["n_indicators"] == 46


def test_symlink_loop_and_dangling_link_get_a_row_and_a_linked_folder_is_read(batch):
    _, rows = batch
    assert "dangling symlink" in rows["dangling.pdf"].document["error"]
    assert "symlink loop" in rows["sub/back_up"].document["error"]
    assert rows["linked/quwo_2021.pdf"].document["status"] == "ok"
    assert not any(name.startswith("sub/back_up/") for name in rows)


def test_output_folder_inside_input_folder_is_never_read_back(tmp_path):
    from pipeline.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "quwo_2021.pdf").write_bytes(pdf("quwo_2021"))
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["run", str(folder), "--out", str(folder / "out"), "--no-ocr", "--timeout", "60"])
        assert result.exit_code == 0, result.output
    assert (folder / "out" / OUTPUT_MARKER).exists()
    import pandas as pd

    documents = pd.read_csv(folder / "out" / "documents.csv")
    assert documents["source_path"].tolist() == ["quwo_2021.pdf"]
    # a folder a previous run wrote elsewhere, copied in by hand, is recognised by its marker
    shutil.copytree(folder / "out", folder / "old_run")
    assert [item.source_path for item in list_inputs(folder, exclude=[folder / "out"])] == ["quwo_2021.pdf"]


def test_pdf_that_is_a_docx_is_read_as_a_docx(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes((DOCS / "docx" / "quwo_2021.docx").read_bytes())
    document = read_one(path)
    assert (document["status"], document["file_type"], document["n_indicators"]) == ("ok", "docx", 14)


def test_xls_that_is_an_html_table_is_read_as_html():
    document = read_one(FOLDER / "ningxia_2024.xls")
    assert (document["status"], document["file_type"], document["n_indicators"]) == ("ok", "html", 97)


def test_mht_web_archive_is_read_by_its_page():
    document = read_one(FOLDER / "xizang_2023.mht")
    assert (document["status"], document["file_type"], document["n_indicators"]) == ("ok", "mht", 30)


def test_gbk_html_without_a_declared_charset():
    result = process_file(InputItem("jinzhong_2021_gbk.html", FOLDER / "jinzhong_2021_gbk.html"), Settings(ocr=False))
    assert result.document["status"] == "ok" and result.document["n_indicators"] == 46
    assert all("\ufffd" not in row["name_raw"] for row in result.indicators)


def test_ofd_is_read_like_the_pdf_it_was_written_from():
    from_ofd = process_file(InputItem("quwo_2021.ofd", FOLDER / "quwo_2021.ofd"), Settings(ocr=False))
    from_pdf = process_file(InputItem("quwo_2021.pdf", DOCS / "text_pdf" / "quwo_2021.pdf"), Settings(ocr=False))
    assert from_ofd.document["file_type"] == "ofd" and from_ofd.document["status"] == "ok"
    fields = ("name_raw", "target_raw", "actual_raw", "weight", "score")
    assert [[row[f] for f in fields] for row in from_ofd.indicators] == [[row[f] for f in fields] for row in from_pdf.indicators]


def test_7z_member_is_read():
    items = list_inputs(FOLDER)
    member = next(item for item in items if item.source_path == "bundle.7z!曲靖/qujing_2022_dept.docx")
    document = process_file(member, Settings(ocr=False)).document
    assert (document["status"], document["file_type"]) == ("ok", "docx")


@needs_rar_backend
def test_rar_member_is_read():
    member = next(item for item in list_inputs(FOLDER) if item.source_path == "bundle.rar!reports/qujing_2022.pdf")
    document = process_file(member, Settings(ocr=False)).document
    assert (document["status"], document["file_type"]) == ("ok", "pdf_text")


@needs_soffice
def test_doc_is_converted_by_libreoffice_and_read(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE", str(tmp_path / "cache"))
    document = read_one(FOLDER / "jinzhong_2021.doc")
    assert (document["status"], document["file_type"], document["n_indicators"]) == ("ok", "doc", 46)
    assert list((tmp_path / "cache" / "converted").glob("*.docx"))  # cached for the next run


@needs_soffice
def test_wps_is_converted_by_libreoffice_and_read(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE", str(tmp_path / "cache"))
    document = read_one(FOLDER / "quwo_2021.wps")
    assert (document["status"], document["file_type"], document["n_indicators"]) == ("ok", "wps", 14)


def test_soffice_missing_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty_bin"))
    document = read_one(FOLDER / "quwo_2021.wps")
    assert document["status"] == "failed"
    assert "LibreOffice" in document["error"] and "apt-get install" in document["error"]


def test_soffice_hanging_is_killed_at_the_time_limit(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pid_file = tmp_path / "soffice.pid"
    fake = bin_dir / "soffice"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 600\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("JIXIAO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    document = read_one(FOLDER / "jinzhong_2021.doc", convert_timeout=2)
    assert document["status"] == "failed" and "within 2 s" in document["error"]
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_nested_zip_is_listed_one_level_deep():
    names = [item.source_path for item in list_inputs(FOLDER)]
    assert "附件_deflated.zip!附件/宁夏.zip!宁夏2024年绩效自评.pdf" in names
    member = next(item for item in list_inputs(FOLDER) if item.source_path.endswith("宁夏2024年绩效自评.pdf"))
    document = process_file(member, Settings(ocr=False)).document
    assert document["status"] == "ok" and document["n_indicators"] == 97


def test_archive_members_are_unpacked_outside_the_input_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("quwo_2021.pdf", pdf("quwo_2021"))
    (folder / "bundle.zip").write_bytes(buffer.getvalue())
    before = sorted(p.name for p in folder.rglob("*"))
    (item,) = list_inputs(folder)
    assert process_file(item, Settings(ocr=False)).document["status"] == "ok"
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_ofd_table_drawn_as_closed_rectangles_in_a_template_and_page_block(tmp_path):
    """Cells drawn as closed rectangles (M…L…L…L…C), text placed by TextCode with `g` DeltaX runs."""
    from extractors.ofd import extract_ofd

    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    cells, texts = [], []
    for row, words in enumerate((("指标名称", "指标值"), ("群众满意度", "≥95%"))):
        for col, word in enumerate(words):
            x, y = 20 + 60 * col, 30 + 12 * row
            cells.append(f'<ofd:PathObject ID="{len(cells) + 10}" Boundary="{x} {y} 60 12">'
                         '<ofd:AbbreviatedData>M 0 0 L 60 0 L 60 12 L 0 12 C</ofd:AbbreviatedData></ofd:PathObject>')
            texts.append(f'<ofd:TextObject ID="{len(texts) + 50}" Boundary="{x + 2} {y + 3} 50 5" Font="1" Size="4">'
                         f'<ofd:TextCode X="0" Y="3.4" DeltaX="g {len(word) - 1} 4">{word}</ofd:TextCode></ofd:TextObject>')
    page = (f'<ofd:Page {ns}><ofd:Template TemplateID="2"/><ofd:Content><ofd:Layer ID="3"><ofd:PageBlock ID="4">'
            + "".join(texts) + "</ofd:PageBlock></ofd:Layer></ofd:Content></ofd:Page>")
    template = f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="5">' + "".join(cells) + "</ofd:Layer></ofd:Content></ofd:Page>"
    document = (f'<ofd:Document {ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
                '</ofd:PageArea><ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
                '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>')
    path = tmp_path / "table.ofd"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OFD.xml", f'<ofd:OFD {ns} Version="1.0"><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml'
                                    "</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        archive.writestr("Doc_0/Document.xml", document)
        archive.writestr("Doc_0/Tpls/Tpl_0/Content.xml", template)
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    (table,) = extract_ofd(path).tables
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert [[cell.text for cell in row] for row in table.rows()] == [["指标名称", "指标值"], ["群众满意度", "≥95%"]]


def test_a_broken_archive_under_two_names_keeps_its_doc_id_and_is_read_once(tmp_path):
    """A file that cannot even be listed still has bytes: its doc_id is theirs, and its copy is a duplicate."""
    whole = (FOLDER / "附件_stored.zip").read_bytes()
    (tmp_path / "broken.zip").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "broken copy.zip").write_bytes(whole[: len(whole) // 2])
    rows = {r.document["source_path"]: r.document for r in run_batch(tmp_path, Settings(ocr=False, timeout=60))}
    original, copy = rows["broken copy.zip"], rows["broken.zip"]  # listed in name order: the copy's name sorts first
    assert original["status"] == "failed" and "broken or truncated" in original["error"]
    assert original["doc_id"] == hashlib.sha256(whole[: len(whole) // 2]).hexdigest()[:16]
    assert (copy["status"], copy["doc_id"], copy["duplicate_of"]) == ("duplicate", original["doc_id"], "broken copy.zip")
