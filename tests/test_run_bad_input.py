"""Bad input never stops a batch: each file gets its row, status and a one-line error."""
from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest

from pipeline.batch import run_batch
from pipeline.run import Settings


def png_bomb() -> bytes:
    """A tiny PNG whose header claims 100000 × 100000 pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


def docx_bomb() -> bytes:
    """A .docx whose document.xml inflates to 300 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(block)
    return buffer.getvalue()


def write_bad_files(folder: Path) -> dict[str, str]:
    """Bad inputs a scraper really brings home, with the status each must end in."""
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "random.pdf").write_bytes(os.urandom(4096))
    (folder / "error_page.pdf").write_text(
        "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>页面不存在</body></html>",
        encoding="utf-8",
    )
    (folder / "notes.txt").write_text("一段说明文字", encoding="utf-8")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(folder / "blank.pdf")
    whole = (folder / "blank.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(whole[: len(whole) // 3])
    pdf.save(folder / "encrypted.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner"))
    (folder / "bomb.png").write_bytes(png_bomb())
    (folder / "bomb.docx").write_bytes(docx_bomb())
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    return {
        "bomb.png": "failed",
        "bomb.docx": "failed",
        "broken.xlsx": "failed",
        "empty.pdf": "failed",
        "random.pdf": "failed",
        "error_page.pdf": "failed",
        "notes.txt": "skipped",
        "blank.pdf": "skipped",
        "truncated.pdf": "failed",
        "encrypted.pdf": "failed",
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    expected = write_bad_files(folder)
    results = run_batch(folder, Settings(timeout=60))
    return expected, {r.document["source_path"]: r.document for r in results}


def test_every_bad_file_has_a_row_with_status_and_error(batch):
    expected, documents = batch
    assert set(documents) == set(expected)
    for name, status in expected.items():
        document = documents[name]
        assert document["status"] == status, (name, document)
        assert document["error"] and "\n" not in document["error"], (name, document)


def test_encrypted_and_html_errors_say_what_happened(batch):
    _, documents = batch
    assert "encrypted" in documents["encrypted.pdf"]["error"]
    assert "html" in documents["error_page.pdf"]["error"].lower()
    assert "empty" in documents["empty.pdf"]["error"]


def test_bombs_are_refused_before_decoding(batch):
    _, documents = batch
    assert "decompression bomb" in documents["bomb.png"]["error"]
    assert documents["bomb.docx"]["seconds"] < 10


def test_budget_disclosure_is_skipped_without_invented_rows(tmp_path):
    """A 部门预算公开 PDF full of budget tables is not a self-evaluation report: skipped, no rows."""
    corpus = Path(__file__).parent / "corpus" / "docs" / "bad"
    for name in ("budget_disclosure.pdf", "narrative_only.pdf"):
        (tmp_path / name).write_bytes((corpus / name).read_bytes())
    results = run_batch(tmp_path, Settings(ocr=False, timeout=60))
    for result in results:
        assert result.document["status"] == "skipped"
        assert "no 绩效自评表" in result.document["error"]
        assert result.indicators == [] and result.projects == []
