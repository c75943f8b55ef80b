"""The QA report opened from disk in headless Chromium: on a real small run, and on 1,000 documents
(a real run's rows replicated under distinct doc_ids): rows rendered, filtering and sorting work."""
import html
import math
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.report import write_report
from pipeline.schema import TABLES
from small_run import small_run  # noqa: F401 (fixture)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAX_INDEX_BYTES = 5_000_000


def browser() -> str:
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    pytest.skip(f"no Chromium binary on PATH (looked for {', '.join(BROWSERS)})")


def dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran."""
    result = subprocess.run(
        [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return result.stdout


def document_rows(text: str) -> list[tuple[str, bool, list[str]]]:
    """(status, hidden, cell texts) of each row of the documents table, in DOM order."""
    body = text.split("<table id=\"docs\">", 1)[1].split("</table>", 1)[0]
    rows = []
    for status, hidden, cells in re.findall(r'<tr data-status="([^"]*)"( hidden="")?>(.*?)</tr>', body, flags=re.S):
        texts = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.S)]
        rows.append((status, bool(hidden), texts))
    return rows


def test_small_run_report_renders(small_run, tmp_path):
    documents = pd.read_parquet(small_run / "documents.parquet")
    text = dom((small_run / "report" / "index.html").resolve().as_uri(), tmp_path / "profile")
    rows = document_rows(text)
    assert sorted(r[2][0] for r in rows) == sorted(documents["source_path"]) and not any(r[1] for r in rows)
    assert f'<span id="shown">{len(documents)}</span>' in text


def replicated(out: Path, stage: Path, n_docs: int) -> pd.DataFrame:
    """The run's tables copied until there are n_docs documents, each copy under new doc_ids, project_ids
    and paths, written to stage/<table>.parquet; returns the documents."""
    stage.mkdir(parents=True)
    con = duckdb.connect()
    source = {name: "'" + str(out / f"{name}.parquet").replace("'", "''") + "'" for name in TABLES}
    per_copy = con.sql(f"SELECT count(*) FROM read_parquet({source['documents']})").fetchall()[0][0]
    new_doc = "substr(doc_id, 1, 12) || lpad(lower(to_hex(k)), 4, '0')"
    for name in TABLES:
        replace = [f"{new_doc} AS doc_id"]
        if name != "documents":  # project_id is doc_id + "-" + number
            replace.append(f"{new_doc} || substr(project_id, length(doc_id) + 1) AS project_id")
        else:
            replace.append("'batch' || lpad(k::VARCHAR, 3, '0') || '/' || source_path AS source_path")
        query = (f"SELECT * EXCLUDE (file_row_number) REPLACE ({', '.join(replace)}) "
                 f"FROM read_parquet({source[name]}, file_row_number=true) t, range({math.ceil(n_docs / per_copy)}) r(k) "
                 f"WHERE k * {per_copy} + (SELECT count(*) FROM read_parquet({source['documents']}) d "
                 f"WHERE d.doc_id < t.doc_id) < {n_docs} ORDER BY k, file_row_number")
        target = "'" + str(stage / f"{name}.parquet").replace("'", "''") + "'"
        con.execute(f"COPY ({query}) TO {target} (FORMAT parquet)")
    return pd.read_parquet(stage / "documents.parquet")


def test_thousand_document_report_renders_sorts_and_filters(small_run, tmp_path):
    stage = tmp_path / "stage"
    documents = replicated(small_run, stage, 1000)
    write_report(stage)
    index = stage / "report" / "index.html"
    assert index.stat().st_size <= MAX_INDEX_BYTES
    assert len(list((stage / "report" / "docs").glob("*.html"))) == 1000

    text = dom(index.resolve().as_uri() + "#page=5", tmp_path / "profile")  # 200 rows a page
    rows = document_rows(text)
    assert len(rows) == 1000 and '<span id="shown">1000</span>' in text and "page 5 of 5" in text
    assert [cells[0] for _, hidden, cells in rows if not hidden] == documents["source_path"].iloc[800:].tolist()

    wanted = documents[(documents["status"] == "ok") & documents["source_path"].str.contains("batch07", regex=False)]
    text = dom(index.resolve().as_uri() + "#q=BATCH07&status=ok&sort=indicators&desc=1", tmp_path / "profile")
    assert f'<span id="shown">{len(wanted)}</span>' in text and len(wanted) > 1
    rows = document_rows(text)
    shown = [cells for _, hidden, cells in rows if not hidden]
    assert sorted(cells[0] for cells in shown) == sorted(wanted["source_path"])
    counts = [int(cells[8]) for cells in shown]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    assert 'aria-sort="descending"' in text and len(rows) == 1000
