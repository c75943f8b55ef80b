"""The QA report (report/index.html, one page per document) and datapackage.json of a real small run."""
import csv
import hashlib
import html
import json
import os
import re
import stat
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

from pipeline.page_images import PageImageBudget, page_images
from pipeline import report
from pipeline.report import write_datapackage, write_report
from pipeline.schema import TABLES
from pipeline.store import write_store
from small_run import copy_of, small_run  # noqa: F401 (fixture)


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}


def index_of(out: Path) -> str:
    return (out / "report" / "index.html").read_text(encoding="utf-8")


def page_of(out: Path, doc_id: str) -> str:
    return (out / "report" / "docs" / f"{doc_id}.html").read_text(encoding="utf-8")


def flag_counts(data: pd.DataFrame) -> Counter:
    return Counter(f for value in data["flags"].fillna("") for f in value.split(";") if f)


def test_index_lists_every_file_with_its_status_and_page(small_run):
    documents = tables(small_run)["documents"]
    rows = re.findall(r"<tr data-status='([^']*)'(?: hidden)?><td><a href='docs/([^']+)\.html'>([^<]*)</a>", index_of(small_run))
    assert sorted((html.unescape(source), status) for status, _, source in rows) == sorted(
        zip(documents["source_path"], documents["status"]))
    for _, page, _ in rows:
        assert (small_run / "report" / "docs" / f"{page}.html").exists()
    assert "<jinzhong>" not in index_of(small_run)
    assert "自评表 &lt;jinzhong&gt; &amp; 附件.pdf" in index_of(small_run)


def test_each_document_page_holds_its_own_rows(small_run):
    t = tables(small_run)
    for doc in t["documents"].itertuples():
        page = page_of(small_run, doc.doc_id)
        projects = t["projects"][t["projects"]["doc_id"] == doc.doc_id]
        funds = t["funds"][t["funds"]["doc_id"] == doc.doc_id]
        indicators = t["indicators"][t["indicators"]["doc_id"] == doc.doc_id]
        assert f"{len(projects)} projects, {len(funds)} funds lines, {len(indicators)} indicators" in page
        for project_id in projects["project_id"]:
            assert f"<td>{project_id}</td>" in page
        for name in indicators["name_raw"]:
            assert html.escape(name) in page
        assert html.escape(doc.source_path) in page
    failed = t["documents"][t["documents"]["status"] == "failed"].iloc[0]
    assert html.escape(failed["error"]) in page_of(small_run, failed["doc_id"]) and failed["error"]


def test_flag_counts_match_the_tables(small_run):
    t, index = tables(small_run), index_of(small_run)
    projects, indicators = flag_counts(t["projects"]), flag_counts(t["indicators"])
    assert projects and indicators  # the run's reports carry flags of both kinds
    for flag in set(projects) | set(indicators):
        assert (f"<tr><td><span class='flag'>{flag}</span></td><td>{projects[flag]}</td>"
                f"<td>{indicators[flag]}</td></tr>") in index
        assert f"<title>{flag}: {projects[flag]} projects, {indicators[flag]} indicators</title>" in index


def test_plots_have_a_row_per_province_and_year(small_run):
    t = tables(small_run)
    index = index_of(small_run)
    figures = re.findall(r"<figure>(.*?)</figure>", index, flags=re.S)
    assert len(figures) == 3 and all("<svg" in f for f in figures)
    docs = t["documents"].set_index("doc_id")
    projects = t["projects"].assign(province=lambda p: p["doc_id"].map(docs["province"]))
    for figure, column in zip(figures, ("total_score", "execution_rate")):
        found = projects[projects[column].notna()]
        assert len(found)
        for (province, year), group in found.groupby(["province", "fiscal_year"]):
            assert re.search(rf"<title>{province} {year}: n={len(group)}, min ", figure), (column, province, year)


def test_page_images_are_files_beside_the_report(small_run):
    t = tables(small_run)
    assert any(page_images(small_run / "pages" / d) for d in t["documents"]["doc_id"])
    for doc_id in t["documents"]["doc_id"]:
        page = page_of(small_run, doc_id)
        images = page_images(small_run / "pages" / doc_id)
        linked = re.findall(r"<img loading='lazy' alt='[^']*' src='([^']+)'>", page)
        assert [(small_run / "report" / "docs" / unquote(html.unescape(link))).resolve() for link in linked] == [
            p.resolve() for p in images]
    ningxia = t["documents"][t["documents"]["source_path"] == "ningxia_2024.pdf"]["doc_id"].iloc[0]
    project = t["projects"][t["projects"]["doc_id"] == ningxia].iloc[0]
    assert re.search(rf"-p{int(project['page_start']):03d}\.jpg — tables: [^<]*{project['project_id']}", page_of(small_run, ningxia))


def test_document_pages_are_read_a_slice_of_documents_per_query(tmp_path, small_run, monkeypatch):
    """DuckDB sorts the rows of DOCS_PER_QUERY documents at a time, never a whole table: the pages are
    the same whatever the slice, and no query returns rows of more documents than that."""
    out = copy_of(small_run, tmp_path / "out")
    seen = []

    def spied(con, name, first, last):
        rows = list(grouped(con, name, first, last))
        seen.append(len(rows))
        return iter(rows)

    grouped = report._grouped
    monkeypatch.setattr(report, "DOCS_PER_QUERY", 2)
    monkeypatch.setattr(report, "_grouped", spied)
    write_report(out)
    assert len(seen) == 3 * 2 and max(seen) <= 2  # four documents: two slices of the three tables
    before, after = small_run / "report", out / "report"
    assert sorted(p.relative_to(after) for p in after.rglob("*")) == sorted(p.relative_to(before) for p in before.rglob("*"))
    for page in before.rglob("*.html"):
        assert (after / page.relative_to(before)).read_bytes() == page.read_bytes(), page.name


def test_report_works_offline(small_run):
    for path in (small_run / "report").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=['\"]?(https?:|//|file:|data:)", text), path
        assert "@import" not in text and "url(" not in text
    assert "url(" not in (small_run / "report" / "style.css").read_text(encoding="utf-8")
    pointer = (small_run / "report.html").read_text(encoding="utf-8")
    assert "href='report/index.html'" in pointer and "url=report/index.html" in pointer


def test_pages_past_the_budget_lose_their_picture_not_their_rows(tmp_path, small_run):
    out = copy_of(small_run, tmp_path / "out")
    t = tables(out)
    ningxia = t["documents"][t["documents"]["source_path"] == "ningxia_2024.pdf"]["doc_id"].iloc[0]
    folder = out / "pages" / ningxia
    images = page_images(folder)
    budget = PageImageBudget(max_bytes=sum(p.stat().st_size for p in images[:2]))
    assert budget.settle(folder) == images[:2]
    write_report(out)
    page = page_of(out, ningxia)
    assert len(re.findall("<img ", page)) == 2
    assert page.count("page-image budget of the batch") == len(images) - 2
    n_indicators = int((t["indicators"]["doc_id"] == ningxia).sum())
    assert f"{n_indicators} indicators" in page
    assert f"{len(images) - 2} page(s) of 1 document(s) have no picture" in index_of(out)


def test_everything_written_takes_the_umask(tmp_path, small_run):
    out = copy_of(small_run, tmp_path / "out")
    hidden = {p.name for p in out.iterdir() if p.name.startswith(".")}  # the run's own cache, sets and lock
    previous = os.umask(0o027)
    try:
        write_report(out)
        write_datapackage(out)
        write_store(out)
    finally:
        os.umask(previous)
    written = [out / "report.html", out / "datapackage.json", out / "jixiao.duckdb", out / "report", out / "dataset",
               *(out / "report").rglob("*"), *(out / "dataset").rglob("*")]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == (0o750 if path.is_dir() else 0o640), path
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} == hidden  # no leftovers


def test_datapackage_describes_every_csv(small_run):
    package = json.loads((small_run / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert [r["name"] for r in package["resources"]] == list(TABLES)
    parse = {"integer": int, "number": float, "string": str, "boolean": str}
    for resource in package["resources"]:
        assert (resource["path"], resource["format"], resource["encoding"]) == (
            f"{resource['name']}.csv", "csv", "utf-8-sig")
        content = (small_run / resource["path"]).read_bytes()
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        fields = resource["schema"]["fields"]
        described = {f["name"] for f in fields if f.get("description")}
        assert set(TABLES[resource["name"]]) <= described, resource["name"]
        with (small_run / resource["path"]).open(encoding=resource["encoding"], newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == [field["name"] for field in fields]
            for row in reader:
                for field, value in zip(fields, row, strict=True):
                    if value not in resource["schema"]["missingValues"]:
                        parse[field["type"]](value)
    types = {r["name"]: {f["name"]: f["type"] for f in r["schema"]["fields"]} for r in package["resources"]}
    assert types["indicators"]["seq"] == types["documents"]["pages"] == types["projects"]["fiscal_year"] == "integer"
    assert types["indicators"]["target_value"] == types["projects"]["execution_rate"] == "number"
    assert types["projects"]["flags"] == "string"
