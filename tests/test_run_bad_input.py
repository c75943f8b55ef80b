"""Bad input never stops a batch: each file gets its row, status and a one-line error."""
from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest

from pipeline.run import Settings, run_batch


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
    return {
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
    results = run_batch(folder, Settings(ocr=False, timeout=60))
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
