"""Mutated corpus files never break a batch, and a file that runs too long costs only its own row."""
from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

from bench.fuzz import STATUSES, fuzz, load_sources, write_mutants
from pipeline.batch import run_batch
from pipeline.run import Settings
from pipeline.workers import wall_cap

DOCS = Path(__file__).parent / "corpus" / "docs"
N_FILES = 40
SEED = 6


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    return fuzz(N_FILES, SEED, tmp_path_factory.mktemp("fuzz"), timeout=40, jobs=2, ocr=False, scans=False,
                office97=False)


def test_every_mutant_has_exactly_one_row(summary):
    assert summary["crashes"] == []
    assert summary["missing_rows"] == []
    assert summary["files_with_rows"] == N_FILES  # an archive's members are rows of their own
    assert summary["batch_crashes"] == 0


def test_statuses_are_valid_and_errors_are_one_line(summary):
    for document in summary["documents"]:
        assert document["status"] in STATUSES, document
        if document["status"] != "ok":
            assert document["error"].strip() and "\n" not in document["error"], document
    assert summary["bad_errors"] == []
    assert summary["statuses"].get("failed", 0) > 0  # the mutations really break files


def test_no_file_hangs(summary):
    assert summary["timeouts"] == summary["hung_workers"] == summary["reader_crashes"] == 0
    assert not any("timed out" in d["error"] or "hung" in d["error"] for d in summary["documents"])


def test_the_mutants_cover_many_kinds_of_damage(summary):
    assert len(summary["by_mutation"]) >= 12, summary["by_mutation"]


def test_the_mutator_is_deterministic(tmp_path):
    sources = load_sources()
    first = write_mutants(15, SEED, tmp_path / "a", sources)
    second = write_mutants(15, SEED, tmp_path / "b", sources)
    assert first == second

    def files(folder: Path) -> dict[str, bytes]:  # on-disk names: some are GBK bytes, not the listed names
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert write_mutants(15, SEED + 1, tmp_path / "c", sources) != first


def slow_pdf(path: Path, pages: int = 400) -> None:
    """A 50 KB PDF that takes about a minute to read: every page draws the same stream of ~19,000
    characters, and each character is a step of the reader's Python loop."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    content = pdf.make_stream(b"".join(b"BT /F1 6 Tf 20 %d Td (%s) Tj ET\n" % (y, b"slow " * 40)
                                       for y in range(40, 800, 8)))
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Contents = content
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.save(path)


def test_a_file_past_its_time_limit_fails_alone(tmp_path):
    slow_pdf(tmp_path / "slow.pdf")
    shutil.copy(DOCS / "text_pdf" / "quwo_2021.pdf", tmp_path / "quwo_2021.pdf")
    shutil.copy(DOCS / "docx" / "xizang_2023.docx", tmp_path / "xizang_2023.docx")
    (tmp_path / "empty.pdf").write_bytes(b"")
    results = run_batch(tmp_path, Settings(ocr=False, timeout=10, jobs=2))
    documents = {r.document["source_path"]: r.document for r in results}
    assert sorted(documents) == ["empty.pdf", "quwo_2021.pdf", "slow.pdf", "xizang_2023.docx"]
    assert documents["slow.pdf"]["status"] == "failed"
    assert documents["slow.pdf"]["error"] == "timed out after 10 s of CPU time"
    assert 10 <= documents["slow.pdf"]["seconds"] < wall_cap(Settings(timeout=10))  # 10 s of CPU, stopped by the CPU limit, not the wall cap
    assert documents["quwo_2021.pdf"]["status"] == documents["xizang_2023.docx"]["status"] == "ok"
    assert documents["quwo_2021.pdf"]["n_indicators"] > 0 and documents["xizang_2023.docx"]["n_indicators"] > 0
    assert documents["empty.pdf"]["status"] == "failed" and "empty" in documents["empty.pdf"]["error"]
