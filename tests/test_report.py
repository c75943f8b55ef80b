"""report.html and datapackage.json written from the truth tables after reconciliation."""
import base64
import csv
import hashlib
import html
import io
import json
import re

import pytest
from PIL import Image, ImageDraw

from pipeline.emit import frame
from pipeline.reconcile import reconcile
from pipeline.report import MAX_IMAGES, MAX_WIDTH, write_datapackage, write_report
from pipeline.schema import TABLES
from test_reconcile import DOCS, load_truth

SOURCES = {doc: f"raw/{doc}/自评表 <{doc}> & 附件.pdf" for doc in DOCS}


def truth_frames() -> dict:
    """documents + the reconciled truth tables, as the pipeline would hand them over."""
    truth = load_truth()
    projects, indicators = reconcile(truth["projects"], truth["funds"], truth["indicators"])
    documents = frame("documents", [
        {"doc_id": doc, "source_path": SOURCES[doc], "file_type": "pdf_text", "pages": 3,
         "status": "partial" if doc == "xizang_2023" else "ok",
         "error": "segment p2: <no 总分 row>" if doc == "xizang_2023" else ""}
        for doc in DOCS
    ] + [{"doc_id": "broken", "source_path": "raw/broken.pdf", "status": "failed", "error": "not a PDF"}])
    return {"documents": documents, "projects": projects, "funds": truth["funds"], "indicators": indicators}


def page_image(path, size=(1654, 2339)):
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for x in range(100, size[0] - 100, 400):
        draw.rectangle([x, 200, x + 380, 600], outline="red", width=6)
    image.save(path)
    return path


def sections(text: str) -> dict[str, str]:
    return dict(re.findall(r"<section id='doc-([^']+)'>(.*?)</section>", text, flags=re.S))


@pytest.fixture(scope="module")
def frames():
    return truth_frames()


@pytest.fixture(scope="module")
def report(tmp_path_factory, frames):
    out = tmp_path_factory.mktemp("out")
    images = {
        "ningxia_2024": [page_image(out / f"ningxia-page-{n}.png") for n in range(1, MAX_IMAGES + 3)],
        "jinzhong_2021": [page_image(out / "jinzhong-page-1.png", (800, 600))],
    }
    return write_report(out, frames, images).read_text(encoding="utf-8")


def test_every_document_has_its_section(report):
    found = sections(report)
    assert set(found) == {*DOCS, "broken"}
    for doc in DOCS:
        assert html.escape(SOURCES[doc]) in found[doc]
    assert "not a PDF" in found["broken"] and "failed" in found["broken"]


def test_text_is_escaped(report):
    assert "<ningxia_2024>" not in report and "&lt;ningxia_2024&gt; &amp; 附件" in report
    assert "&lt;no 总分 row&gt;" in sections(report)["xizang_2023"]


def test_summary_counts(report, frames):
    summary = report.split("<h2>Documents</h2>")[0]
    assert "<tr><td><span class='ok'>ok</span></td><td>4</td></tr>" in summary
    assert "<tr><td><span class='failed'>failed</span></td><td>1</td></tr>" in summary
    assert f"<tr><td>indicators</td><td>{len(frames['indicators'])}</td></tr>" in summary
    assert "<tr><td><span class='flag'>grade_inconsistent</span></td><td>1</td><td>0</td></tr>" in summary
    assert "<tr><td><span class='flag'>percent_scale_suspect</span></td><td>0</td><td>9</td></tr>" in summary


def test_flags_appear_with_their_documents(report):
    found = sections(report)
    assert "grade_inconsistent" in found["jinzhong_2021"]
    assert "budget_score_mismatch" in found["ningxia_2024"]
    assert "weights_not_100" in found["qujing_2022"] and "percent_scale_suspect" in found["qujing_2022"]
    assert "交通违法信息采集" in found["qujing_2022"]  # 14-17's flagged row is listed
    assert "flag'>" not in found["quwo_2021"]


def test_images_embedded_downscaled_and_capped(report):
    found = sections(report)
    ningxia = found["ningxia_2024"]
    uris = re.findall(r"src='data:image/jpeg;base64,([^']+)'", ningxia)
    assert len(uris) == MAX_IMAGES
    assert f"{MAX_IMAGES} of {MAX_IMAGES + 2} page images shown" in ningxia
    widths = {Image.open(io.BytesIO(base64.b64decode(u))).width for u in uris}
    assert widths == {MAX_WIDTH}
    assert len(re.findall("<img ", found["jinzhong_2021"])) == 1
    assert "no page image" in found["qujing_2022"]
    assert len(report.encode()) < 3_000_000


def test_self_contained(report):
    assert "<script" not in report
    assert not re.search(r"(src|href)=['\"]?(https?:|//|file:)", report)


def test_image_caption_names_tables_on_that_page(tmp_path, frames):
    projects = frames["projects"].copy()
    projects.loc[projects["project_id"] == "jinzhong_2021-1", ["page_start", "page_end"]] = [2, 3]
    images = {"jinzhong_2021": [page_image(tmp_path / "p003.png", (300, 200)), tmp_path / "missing-4.png"]}
    text = write_report(tmp_path, {**frames, "projects": projects}, images).read_text(encoding="utf-8")
    jinzhong = sections(text)["jinzhong_2021"]
    assert "p003.png — tables: jinzhong_2021-1" in jinzhong
    assert "image unreadable" in jinzhong


@pytest.fixture(scope="module")
def package(tmp_path_factory, frames):
    out = tmp_path_factory.mktemp("pkg")
    for name, data in frames.items():
        data.to_csv(out / f"{name}.csv", index=False, encoding="utf-8-sig")
    path = write_datapackage(out, frames)
    return out, json.loads(path.read_text(encoding="utf-8"))


def test_datapackage_lists_every_csv(package, frames):
    _, pkg = package
    assert pkg["profile"] == "tabular-data-package"
    assert [r["name"] for r in pkg["resources"]] == list(frames)
    for resource in pkg["resources"]:
        assert (resource["path"], resource["format"], resource["encoding"]) == (
            f"{resource['name']}.csv", "csv", "utf-8-sig")


def test_csvs_validate_against_their_fields(package):
    out, pkg = package
    parse = {"integer": int, "number": float, "string": str}
    for resource in pkg["resources"]:
        fields = resource["schema"]["fields"]
        content = (out / resource["path"]).read_bytes()
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        with (out / resource["path"]).open(encoding=resource["encoding"], newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == [field["name"] for field in fields]
            for row in reader:
                for field, value in zip(fields, row, strict=True):
                    if value not in resource["schema"]["missingValues"]:
                        parse[field["type"]](value)


def test_contract_columns_typed_and_described(package):
    _, pkg = package
    for resource in pkg["resources"]:
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        for column in TABLES[resource["name"]]:
            assert fields[column].get("description"), (resource["name"], column)
    types = {r["name"]: {f["name"]: f["type"] for f in r["schema"]["fields"]} for r in pkg["resources"]}
    assert types["indicators"]["seq"] == "integer"
    assert types["indicators"]["target_value"] == "number"
    assert types["projects"]["execution_rate"] == "number"
    assert types["projects"]["flags"] == "string"
    assert types["documents"]["pages"] == types["projects"]["fiscal_year"] == "integer"
