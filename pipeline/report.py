"""The QA report of a run, built from the finished tables in the output (or staging) folder.

report/index.html: summary, plots (inline SVG), flag counts and a sortable, filterable table of
every document; report/docs/<doc>.html: one page per document with its projects, funds lines,
indicators and flags, and its page images linked as files from ../../pages/<doc_id>/. Everything
is local (one style.css beside the pages, one small inline script): it opens from disk, offline.
The tables are read with DuckDB and streamed document by document, a slice of DOCS_PER_QUERY
documents per query (what DuckDB sorts at a time), so memory does not grow with the batch. report.html at the top level only points to report/index.html.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.cache import file_digest
from pipeline.outdir import discard_dir, new_dir, replace_dir, write_text
from pipeline.page_images import omitted_pages, page_images, page_number
from pipeline.schema import TABLES
from pipeline.store import sql_path

STATUSES = ("ok", "partial", "failed", "skipped", "duplicate")
BATCH_ROWS = 4096
DOCS_PER_QUERY = 100
MAX_ERROR_CHARS = 160
MAX_PLOT_GROUPS = 40
TABLE_PAGE_ROWS = 200  # rows of the documents table shown at a time: the browser lays out only those
PLACEHOLDER = "placeholder_row"

DESCRIPTIONS = {
    "documents": {
        "doc_id": "first 16 hex digits of the file's SHA-256",
        "source_path": "path relative to the input folder",
        "file_type": "pdf_text, pdf_scanned, pdf_mixed, image, docx, xlsx, xls, html",
        "pages": "page count (sheets for spreadsheets)",
        "status": "ok, partial, failed, skipped (not a self-evaluation report)",
        "error": "why it failed or is partial, in one line; empty when ok",
        "province": "the publishing body's province, as far as the document tells",
        "city": "the publishing body's city, as far as the document tells",
        "county": "the publishing body's county, as far as the document tells",
        "department": "the publishing department (部门 / 单位)",
        "fiscal_year": "the year evaluated",
        "report_kind": "project, department, transfer, mixed",
        "n_projects": "rows this file contributed to the projects table",
        "n_indicators": "rows this file contributed to the indicators table",
        "page_kinds": "per-page kind of the file (text layer or scan)",
        "seconds": "processing time of the file",
        "duplicate_of": "for a copy of another input's bytes (status duplicate): the source_path of the file it repeats; its rows are that file's",
    },
    "projects": {
        "project_id": "doc_id + '-' + sequence number within the document (1-based)",
        "doc_id": "the document it came from",
        "page_start": "1-based first page the table spans",
        "page_end": "1-based last page the table spans",
        "table_label": "e.g. 公开14-3表, 附件5, 附件1",
        "kind": "project or department",
        "project_name": "项目名称 (department name for department-wide tables)",
        "competent_dept": "主管部门",
        "implementing_unit": "实施单位 / 预算单位",
        "fiscal_year": "year evaluated",
        "budget_initial": "年初预算数, 万元 (年度资金总额 row)",
        "budget_full_year": "全年预算数, 万元",
        "executed": "全年执行数, 万元",
        "execution_rate": "执行率 as published, as a fraction (100% → 1.0)",
        "budget_weight": "分值 of the funds block",
        "budget_score": "得分 of the funds block",
        "goal_expected": "预期目标 text",
        "goal_actual": "实际完成情况 text",
        "total_weight": "总分 weight (usually 100)",
        "total_score": "总分 / 综合得分 as published",
        "grade": "优, 良, 中, 差 as published",
        "flags": "semicolon-separated reconciliation flags",
        "project_attribute": "项目属性 as printed",
        "project_period": "项目期 as printed",
        "n_indicators": "indicator rows of this project",
        "money_unit": "the unit the report printed money in (万元 or 元); amounts are 万元",
        "project_code": "a project code printed glued to the project name",
        "dept_code": "a budget-unit code printed with 主管部门 / 实施单位 (219 of 219-宁晋县教育局)",
        "review_total_score": "a second total printed (财政审核评分, 市级评分 total)",
    },
    "funds": {
        "project_id": "the project the funds line belongs to",
        "source": "total, current_fiscal (当年财政拨款), carryover (上年结转), other (其他资金), central, "
                  "provincial, municipal, county, superior, task",
        "budget_initial": "年初预算数, 万元",
        "budget_full_year": "全年预算数, 万元",
        "executed": "全年执行数, 万元",
        "execution_rate": "执行率, fraction, as published",
        "doc_id": "the document it came from",
        "seq": "1-based order of the line within the project's funds block",
        "label_raw": "the line's label as printed",
        "received": "实际到位资金, 万元, where the layout prints it",
        "weight": "分值 on that line",
        "score": "得分 on that line",
        "money_unit": "the unit the report printed money in (万元 or 元); amounts are 万元",
    },
    "indicators": {
        "project_id": "the project the row belongs to",
        "doc_id": "the document it came from",
        "seq": "1-based row order within the project's indicator table",
        "page": "1-based page of the row",
        "level1_raw": "the 一级 label as printed (after carry-down of merged cells)",
        "level2_raw": "the 二级 label as printed (after carry-down of merged cells)",
        "level1": "canonical: 产出指标, 效益指标, 满意度指标, 成本指标, 预算执行指标, or empty",
        "level2": "canonical: 数量指标, 质量指标, 时效指标, 成本指标, 经济效益指标, 社会效益指标, 生态效益指标, "
                  "可持续影响指标, 服务对象满意度指标, 预算执行率, or empty",
        "name_raw": "三级指标 as printed (line breaks and stray spaces inside CJK removed)",
        "name_canonical": "the canonical indicator it maps to, empty when no confident match",
        "match_score": "0–100 confidence of that mapping",
        "operator": ">=, >, =, <=, <, or 定性 when the target holds no number",
        "target_raw": "年度指标值 cell text as printed",
        "actual_raw": "实际完成值 cell text as printed",
        "target_value": "the target's number, with 万 / 亿 / Chinese numerals resolved; empty when qualitative",
        "actual_value": "the actual's number, with 万 / 亿 / Chinese numerals resolved; empty when qualitative",
        "unit": "normalized unit: %, 万元, 元, 个, 次, 人次, 天, 小时, 台, 套, 处, 年, …",
        "weight": "分值 / 权重",
        "score": "得分",
        "deviation_note": "偏差原因分析及改进措施",
        "flags": "semicolon-separated flags",
        "confidence": "0–1 extraction confidence (1 for a text layer; OCR confidence for scans)",
        "table_role": "performance (the indicator table), scoring (评分表), section (section tables)",
        "nature_raw": "the 指标性质 column as printed",
        "unit_raw": "the 度量单位 / 单位 column as printed",
        "progress_raw": "完成进度 / 完成率 as printed",
        "review_score": "a second score column per row (市级评分, 财政审核评分, 复核得分)",
        "scoring_method": "得分计算方法 / 评分标准 / 评分细则 as printed",
        "indicator_note": "指标解释 / 指标说明 as printed",
        "row_no": "序号 as printed",
        "is_core": "是否核心指标 as printed",
        "target_adjusted_raw": "调整指标值 as printed (target_raw is then the 年初指标值)",
        "score_coefficient_raw": "得分系数 as printed",
        "level1_weight": "weight printed inside the 一级 label (50 of 产出指标(50分))",
        "level2_weight": "weight printed inside the 二级 label",
        "measure": "satisfaction, rate, count, money, duration, date or qualitative, from name, unit and target",
        "subject": "the group or object of the canonical concept (学生 of 学生满意度), empty when none",
    },
}

CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em 2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:2px solid #ccc}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left}td:first-child{white-space:nowrap}
#docs th{cursor:pointer;user-select:none;position:sticky;top:0}#docs th[aria-sort=ascending]::after{content:" ▲"}
#docs th[aria-sort=descending]::after{content:" ▼"}td.num{text-align:right}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}dd{margin:0}
.flag{display:inline-block;background:#fde8c8;border-radius:3px;padding:0 4px;margin:1px;font-size:.85em}
tr.flagged td{background:#fff7ea}
.ok{color:#17702a}.partial{color:#a35a00}.failed{color:#b3141b}.skipped,.duplicate{color:#777}
.note{color:#666;font-style:italic}figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #ccc}
.controls{margin:.5em 0}.controls input{width:24em}.plots{display:flex;flex-wrap:wrap;gap:1.5em}
svg text{font:11px system-ui,"Noto Sans CJK SC",sans-serif}
"""

SCRIPT = """
(function(){
var PAGE=%d,table=document.getElementById('docs'),body=table.tBodies[0],heads=table.tHead.rows[0].cells;
var q=document.getElementById('q'),status=document.getElementById('status'),shown=document.getElementById('shown');
var at=document.getElementById('at'),prev=document.getElementById('prev'),next=document.getElementById('next');
var rows=Array.prototype.slice.call(body.rows),texts=new Map(rows.map(function(r){return [r,r.textContent.toLowerCase()];}));
var sortCol=-1,desc=false,page=0;
function value(row,col){var c=row.cells[col];return c.hasAttribute('data-v')?c.getAttribute('data-v'):c.textContent;}
function apply(){
  var text=q.value.trim().toLowerCase(),want=status.value,order=rows;
  for(var i=0;i<heads.length;i++){if(i===sortCol)heads[i].setAttribute('aria-sort',desc?'descending':'ascending');else heads[i].removeAttribute('aria-sort');}
  if(sortCol>=0){
    var numeric=heads[sortCol].getAttribute('data-type')==='num';
    order=rows.slice().sort(function(a,b){
      var x=value(a,sortCol),y=value(b,sortCol);
      if(x===''||y==='')return x===y?0:(x===''?1:-1);
      var d=numeric?(+x)-(+y):x.localeCompare(y,'zh');
      return desc?-d:d;});
  }
  var hits=order.filter(function(r){return (!want||r.getAttribute('data-status')===want)&&(!text||texts.get(r).indexOf(text)>=0);});
  var pages=Math.max(1,Math.ceil(hits.length/PAGE));page=Math.min(Math.max(page,0),pages-1);
  var visible=new Set(hits.slice(page*PAGE,(page+1)*PAGE));
  order.forEach(function(r){r.hidden=!visible.has(r);body.appendChild(r);});
  shown.textContent=hits.length;at.textContent='page '+(page+1)+' of '+pages;prev.disabled=page===0;next.disabled=page>=pages-1;
  var state=new URLSearchParams();
  if(text)state.set('q',q.value.trim());if(want)state.set('status',want);
  if(sortCol>=0){state.set('sort',heads[sortCol].getAttribute('data-key'));if(desc)state.set('desc','1');}
  if(page>0)state.set('page',page+1);
  history.replaceState(null,'',state.toString()?'#'+state.toString():location.pathname);
}
for(var i=0;i<heads.length;i++)(function(i){heads[i].addEventListener('click',function(){desc=sortCol===i?!desc:false;sortCol=i;page=0;apply();});})(i);
q.addEventListener('input',function(){page=0;apply();});status.addEventListener('change',function(){page=0;apply();});
prev.addEventListener('click',function(){page--;apply();});next.addEventListener('click',function(){page++;apply();});
var start=new URLSearchParams(location.hash.slice(1));
q.value=start.get('q')||'';status.value=start.get('status')||'';desc=start.get('desc')==='1';page=(+start.get('page')||1)-1;
for(var j=0;j<heads.length;j++)if(heads[j].getAttribute('data-key')===start.get('sort'))sortCol=j;
apply();
})();
""" % TABLE_PAGE_ROWS


def write_report(stage_dir: Path) -> None:
    """Write stage_dir/report/ (index.html, docs/<doc>.html, style.css) and the report.html pointer."""
    stage_dir = Path(stage_dir)
    tmp = new_dir(stage_dir / "report")
    try:
        (tmp / "docs").mkdir()
        write_text(tmp / "style.css", CSS)
        with _connect(stage_dir) as con:
            documents = _documents(con)
            pages = _document_pages(documents)
            for key, text in _stream_documents(con, pages, stage_dir / "pages"):
                write_text(tmp / "docs" / f"{pages[key]['page']}.html", text)
            write_text(tmp / "index.html", _index(con, documents, pages, stage_dir / "pages"))
        replace_dir(tmp, stage_dir / "report")
    except BaseException:
        discard_dir(tmp)
        raise
    write_text(stage_dir / "report.html", REDIRECT)


REDIRECT = ("<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>"
            "<meta http-equiv='refresh' content='0; url=report/index.html'><title>jixiao QA report</title></head>"
            "<body><p>The QA report is <a href='report/index.html'>report/index.html</a>.</p></body></html>\n")


# ---------------------------------------------------------------- reading the tables


def _connect(stage_dir: Path) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with a view per table over its Parquet file (an empty typed table when missing),
    `_row` keeping the file's row order, and `_doc` the document each row belongs to."""
    from pipeline.emit import frame

    con = duckdb.connect()
    con.execute("SET memory_limit='1GB'")
    con.execute(f"SET temp_directory = {sql_path(stage_dir / '.report.duckdb.tmp')}")  # never the working folder
    for name in TABLES:
        path = stage_dir / f"{name}.parquet"
        if path.exists():
            con.execute(f"CREATE VIEW {name}_file AS SELECT *, file_row_number AS _row "
                        f"FROM read_parquet({sql_path(path)}, file_row_number=true)")
        else:
            empty = frame(name, [])  # noqa: F841 (read by DuckDB's replacement scan)
            con.execute(f"CREATE TABLE {name}_file AS SELECT *, 0::BIGINT AS _row FROM empty")
    con.execute("CREATE VIEW documents AS SELECT * FROM documents_file")
    con.execute("CREATE VIEW projects AS SELECT *, doc_id AS _doc FROM projects_file")
    con.execute("CREATE VIEW project_docs AS SELECT project_id, any_value(doc_id) AS doc_id FROM projects_file GROUP BY project_id")
    for name in ("funds", "indicators"):
        con.execute(f"CREATE VIEW {name} AS SELECT t.*, COALESCE(NULLIF(t.doc_id, ''), p.doc_id) AS _doc "
                    f"FROM {name}_file t LEFT JOIN project_docs p USING (project_id)")
    return con


def _records(relation: duckdb.DuckDBPyRelation) -> Iterator[dict]:
    with relation.to_arrow_reader(batch_size=BATCH_ROWS) as reader:
        for batch in reader:
            yield from batch.to_pylist()


def _documents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every documents row (one per file: small), plus a bare row for a doc_id only other tables name."""
    rows = list(_records(con.sql("SELECT * FROM documents ORDER BY _row")))
    known = {row.get("doc_id") or "" for row in rows}
    orphans = con.sql("SELECT DISTINCT _doc FROM (SELECT _doc FROM projects UNION ALL SELECT _doc FROM funds "
                      "UNION ALL SELECT _doc FROM indicators) WHERE _doc <> '' ORDER BY _doc").fetchall()
    rows += [{"doc_id": doc, "status": "", "error": "named by rows of other tables only"}
             for (doc,) in orphans if doc not in known]
    return rows


def _page_name(doc_id: str) -> str:
    if re.fullmatch(r"[0-9A-Za-z_-]{1,80}", doc_id):
        return doc_id
    return "id-" + hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _document_pages(documents: list[dict]) -> dict[str, dict]:
    """Page key → {page, rows}: one page per doc_id (its duplicates listed on it), one per row without one."""
    pages: dict[str, dict] = {}
    for number, row in enumerate(documents):
        doc_id = _text(row.get("doc_id"))
        key = doc_id or f"\x00row-{number}"
        page = pages.setdefault(key, {"page": _page_name(doc_id) if doc_id else f"row-{number}", "rows": []})
        page["rows"].append(row)
    for page in pages.values():  # the row the page is about: the first one that is not a duplicate
        page["rows"].sort(key=lambda r: _text(r.get("status")) == "duplicate")
    return pages


def _grouped(con: duckdb.DuckDBPyConnection, name: str, first: str, last: str) -> Iterator[tuple[str, list[dict]]]:
    """(doc_id, rows) of one table for the doc_ids from first to last, document by document in doc_id order, streamed."""
    cursor = con.cursor()  # a reader of its own: three tables are read side by side
    relation = cursor.sql(f"SELECT _doc, {', '.join(PAGE_COLUMNS[name])} FROM {name} "
                          "WHERE _doc BETWEEN $first AND $last ORDER BY _doc, _row", params={"first": first, "last": last})
    current, rows = None, []
    for row in _records(relation):
        if row["_doc"] != current:
            if rows:
                yield current, rows
            current, rows = row["_doc"], []
        rows.append(row)
    if rows:
        yield current, rows


PAGE_COLUMNS = {  # what a document's page shows of each table
    "projects": ["project_id", "table_label", "kind", "project_name", "page_start", "page_end", "competent_dept",
                 "implementing_unit", "fiscal_year", "budget_initial", "budget_full_year", "executed", "execution_rate",
                 "budget_weight", "budget_score", "total_weight", "total_score", "grade", "flags"],
    "funds": ["project_id", "seq", "source", "label_raw", "budget_initial", "budget_full_year", "executed",
              "execution_rate", "weight", "score"],
    "indicators": ["project_id", "seq", "page", "level1_raw", "level2_raw", "name_raw", "name_canonical",
                   "target_raw", "actual_raw", "unit", "weight", "score", "flags"],
}


class _Cursor:
    """A sorted (doc_id, rows) stream that hands out the rows of one doc_id when asked in order."""

    def __init__(self, stream: Iterator[tuple[str, list[dict]]]) -> None:
        self._stream, self._head = stream, next(stream, None)

    def take(self, doc_id: str) -> list[dict]:
        while self._head is not None and self._head[0] < doc_id:
            self._head = next(self._stream, None)
        if self._head is not None and self._head[0] == doc_id:
            rows, self._head = self._head[1], next(self._stream, None)
            return rows
        return []


def _stream_documents(con, pages: dict[str, dict], images_root: Path) -> Iterator[tuple[str, str]]:
    """(page key, HTML of its page) for every document, reading the tables document by document,
    DOCS_PER_QUERY documents per query."""
    keys = sorted(pages)  # a page without doc_id first (its key starts with NUL), then by doc_id
    for start in range(0, len(keys), DOCS_PER_QUERY):
        chunk = keys[start:start + DOCS_PER_QUERY]
        doc_ids = [_text(pages[key]["rows"][0].get("doc_id")) for key in chunk]
        first, last = min(filter(None, doc_ids), default=""), max(doc_ids)
        projects, funds, indicators = (_Cursor(_grouped(con, name, first, last)) for name in ("projects", "funds", "indicators"))
        for key, doc_id in zip(chunk, doc_ids):
            parts = (projects.take(doc_id), funds.take(doc_id), indicators.take(doc_id)) if doc_id else ([], [], [])
            images_dir = images_root / doc_id if doc_id else None
            yield key, _document_page(pages[key]["rows"], *parts, images_dir)


# ---------------------------------------------------------------- formatting


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value) -> str:
    """A cell as display text: empty for missing, whole floats without `.0`, at most 4 decimals."""
    if _missing(value):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


_NEEDS_ESCAPE = re.compile(r"[&<>'\"]")


def _e(value) -> str:
    """A cell as escaped display text (the report formats about a million cells per 1,000 documents)."""
    kind = value.__class__
    if kind is str:
        return html.escape(value) if _NEEDS_ESCAPE.search(value) else value
    if value is None:
        return ""
    if kind is int or kind is float:
        return _text(value)
    return html.escape(_text(value))


def _flags(value) -> str:
    return "".join(f"<span class='flag'>{html.escape(f)}</span>" for f in _text(value).split(";") if f)


def _status(value) -> str:
    status = html.escape(_text(value))
    return f"<span class='{status}'>{status}</span>"


def _table(header: list[str], rows: list[list[str]], row_classes: list[str] | None = None) -> str:
    """Cells are HTML already escaped by the caller."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    classes = row_classes or [""] * len(rows)
    body = "".join((f"<tr class='{c}'>" if c else "<tr>") + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                   for row, c in zip(rows, classes))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, css: str, body: str, script: str = "") -> str:
    tail = f"<script>{script}</script>" if script else ""
    return (f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<link rel='stylesheet' href='{css}'></head><body>{body}{tail}</body></html>\n")


# ---------------------------------------------------------------- one document's page


def _document_page(doc_rows: list[dict], projects: list[dict], funds: list[dict], indicators: list[dict],
                   images_dir: Path | None) -> str:
    doc = doc_rows[0]
    doc_id = _text(doc.get("doc_id"))
    source = _text(doc.get("source_path")) or doc_id
    region = " ".join(_text(doc.get(k)) for k in ("province", "city", "county") if _text(doc.get(k)))
    facts = [
        ("source path", _e(source)), ("doc_id", _e(doc_id)), ("status", _status(doc.get("status"))),
        ("error", _e(doc.get("error"))), ("file type", _e(doc.get("file_type"))), ("pages", _e(doc.get("pages"))),
        ("region", html.escape(region)), ("department", _e(doc.get("department"))),
        ("fiscal year", _e(doc.get("fiscal_year"))), ("report kind", _e(doc.get("report_kind"))),
        ("rows", f"{len(projects)} projects, {len(funds)} funds lines, {len(indicators)} indicators"),
    ]
    if len(doc_rows) > 1:
        facts.append(("same bytes also at", "<br>".join(
            f"{_e(r.get('source_path'))} ({_status(r.get('status'))})" for r in doc_rows[1:])))
    body = [
        "<p><a href='../index.html'>← all documents</a></p>", f"<h1>{_e(source)}</h1>",
        "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>",
        "<h2>Projects</h2>", _projects(projects) if projects else "<p class='note'>no projects</p>",
        "<h2>Indicators</h2>", _indicators(indicators) if indicators else "<p class='note'>no indicators</p>",
        "<h2>Funds</h2>", _funds(funds) if funds else "<p class='note'>no funds lines</p>",
        "<h2>Page images</h2>", _images(images_dir, doc_id, projects),
    ]
    return _page(f"jixiao: {source}", "../style.css", "\n".join(body))


def _pages_of(row: dict) -> str:
    return "–".join(dict.fromkeys(t for t in (_text(row.get("page_start")), _text(row.get("page_end"))) if t))


def _projects(projects: list[dict]) -> str:
    rows = [[
        _e(p.get("project_id")), _e(p.get("table_label")), _e(p.get("kind")), _e(p.get("project_name")),
        html.escape(_pages_of(p)), _e(p.get("competent_dept")), _e(p.get("implementing_unit")), _e(p.get("fiscal_year")),
        _e(p.get("budget_initial")), _e(p.get("budget_full_year")), _e(p.get("executed")), _e(p.get("execution_rate")),
        _e(p.get("budget_weight")), _e(p.get("budget_score")), _e(p.get("total_weight")), _e(p.get("total_score")),
        _e(p.get("grade")), _flags(p.get("flags")),
    ] for p in projects]
    return _table(["project", "label", "kind", "name", "pages", "主管部门", "实施单位", "year", "年初预算数", "全年预算数",
                   "全年执行数", "执行率", "资金分值", "资金得分", "总分", "综合得分", "grade", "flags"], rows,
                  ["flagged" if _text(p.get("flags")) else "" for p in projects])


def _flagged(row: dict) -> bool:
    return _text(row.get("flags")) not in ("", PLACEHOLDER)


def _indicators(indicators: list[dict]) -> str:
    flagged = sum(_flagged(r) for r in indicators)
    placeholders = sum(_text(r.get("flags")) == PLACEHOLDER for r in indicators)
    columns = PAGE_COLUMNS["indicators"][:-1]
    rows = [[_e(r[c]) for c in columns] + [_flags(r["flags"])] for r in indicators]
    note = f"<p>{flagged} of {len(indicators)} rows flagged" + (f", {placeholders} placeholder rows" if placeholders else "") + ".</p>"
    return note + _table(["project", "seq", "page", "一级", "二级", "三级指标", "canonical", "target", "actual", "unit",
                          "分值", "得分", "flags"], rows, ["flagged" if _flagged(r) else "" for r in indicators])


def _funds(funds: list[dict]) -> str:
    rows = [[_e(f[c]) for c in PAGE_COLUMNS["funds"]] for f in funds]
    return _table(["project", "seq", "source", "label", "年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"], rows)


def _covers(project: dict, page: int) -> bool:
    start, end = project.get("page_start"), project.get("page_end")
    if _missing(start):
        return False
    return int(start) <= page <= int(end if not _missing(end) else start)


def _images(images_dir: Path | None, doc_id: str, projects: list[dict]) -> str:
    images = page_images(images_dir) if images_dir else []
    omitted = omitted_pages(images_dir) if images_dir else {}
    parts = []
    for path in images:
        page = page_number(path)
        on_page = [_text(p.get("project_id")) for p in projects if page is not None and _covers(p, page)]
        href = html.escape(f"../../pages/{quote(doc_id)}/{quote(path.name)}", quote=True)  # `#`, `?`, `%` in names
        caption = html.escape(path.name) + (f" — tables: {html.escape(', '.join(on_page))}" if on_page else "")
        parts.append(f"<figure><a href='{href}'><img loading='lazy' alt='{html.escape(path.name)}' src='{href}'></a>"
                     f"<figcaption>{caption}</figcaption></figure>")
    if omitted:
        parts.append("<p class='note'>pages without a picture:</p><ul>" + "".join(
            f"<li>page {page}: {html.escape(reason)}</li>" for page, reason in sorted(omitted.items())) + "</ul>")
    return "\n".join(parts) or "<p class='note'>no page image</p>"


# ---------------------------------------------------------------- the index page

DOC_COLUMNS = [  # (key, header, numeric)
    ("source", "source", False), ("status", "status", False), ("type", "type", False), ("pages", "pages", True),
    ("province", "province", False), ("year", "year", True), ("department", "department", False),
    ("projects", "projects", True), ("indicators", "indicators", True), ("flagged", "flagged indicators", True),
    ("score", "mean 综合得分", True), ("rate", "mean 执行率", True), ("error", "error", False),
]

PRIMARY_DOCS = ("SELECT doc_id, any_value(province) AS province, any_value(fiscal_year) AS fiscal_year FROM documents "
                "WHERE COALESCE(doc_id, '') <> '' AND COALESCE(status, '') <> 'duplicate' GROUP BY doc_id")


def _index(con, documents: list[dict], pages: dict[str, dict], images_root: Path) -> str:
    per_project = {doc: (n, score, rate) for doc, n, score, rate in con.sql(
        "SELECT _doc, count(*), avg(total_score), avg(execution_rate) FROM projects GROUP BY _doc").fetchall()}
    per_indicator = {doc: (n, flagged) for doc, n, flagged in con.sql(
        f"SELECT _doc, count(*), count(*) FILTER (WHERE flags <> '' AND flags <> '{PLACEHOLDER}') "
        "FROM indicators GROUP BY _doc").fetchall()}
    omitted = {key: omitted_pages(images_root / _text(p["rows"][0].get("doc_id")))
               for key, p in pages.items() if _text(p["rows"][0].get("doc_id"))}
    rows = []
    for number, doc in enumerate(documents):
        doc_id = _text(doc.get("doc_id"))
        page = pages[doc_id or f"\x00row-{number}"]["page"]
        n_projects, score, rate = per_project.get(doc_id, (0, None, None)) if doc_id else (0, None, None)
        n_indicators, flagged = per_indicator.get(doc_id, (0, 0)) if doc_id else (0, 0)
        error = _text(doc.get("error"))
        cells = [
            f"<a href='docs/{page}.html'>{html.escape(_text(doc.get('source_path')) or doc_id or '(no path)')}</a>",
            _status(doc.get("status")), _e(doc.get("file_type")), _e(doc.get("pages")), _e(doc.get("province")),
            _e(doc.get("fiscal_year")), _e(doc.get("department")), str(n_projects), str(n_indicators), str(flagged),
            _e(None if score is None else round(score, 2)), _e(None if rate is None else round(rate, 4)),
            html.escape(error if len(error) <= MAX_ERROR_CHARS else error[:MAX_ERROR_CHARS] + "…"),
        ]
        tds = "".join(f"<td class='num'>{c}</td>" if numeric else f"<td>{c}</td>"
                      for c, (_, _, numeric) in zip(cells, DOC_COLUMNS))
        hidden = " hidden" if number >= TABLE_PAGE_ROWS else ""  # the script's first page, before it runs
        rows.append(f"<tr data-status='{_e(doc.get('status'))}'{hidden}>{tds}</tr>")
    statuses = sorted({_text(d.get("status")) for d in documents} - {""},
                      key=lambda s: (STATUSES.index(s) if s in STATUSES else len(STATUSES), s))
    head = "".join(f"<th data-key='{key}'" + (" data-type='num'" if numeric else "") + f">{html.escape(label)}</th>"
                   for key, label, numeric in DOC_COLUMNS)
    controls = ("<div class='controls'><label>filter <input id='q' type='search' placeholder='path, region, department, error…'>"
                "</label> <label>status <select id='status'><option value=''>all</option>"
                + "".join(f"<option>{html.escape(s)}</option>" for s in statuses)
                + f"</select></label> <span id='shown'>{len(rows)}</span> of {len(rows)} files match; "
                "<button id='prev' type='button'>←</button> <span id='at'></span> "
                "<button id='next' type='button'>→</button>; click a header to sort.</div>")
    body = [
        "<h1>jixiao QA report</h1>",
        _summary(con, documents, omitted),
        "<h2>Plots</h2><div class='plots'>", _score_plot(con), _rate_plot(con), _flag_plot(con), "</div>",
        "<h2>Flags</h2>", _flag_table(con),
        "<h2>Documents</h2>", controls,
        f"<table id='docs'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
    ]
    return _page("jixiao QA report", "style.css", "\n".join(body), SCRIPT)


def _summary(con, documents: list[dict], omitted: dict[str, dict]) -> str:
    counts: dict[str, int] = {}
    for doc in documents:
        status = _text(doc.get("status")) or "unknown"
        counts[status] = counts.get(status, 0) + 1
    order = sorted(counts, key=lambda s: (STATUSES.index(s) if s in STATUSES else len(STATUSES), s))
    by_status = _table(["status", "files"], [[_status(s), str(counts[s])] for s in order])
    sizes = [[html.escape(name), str(con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0])] for name in TABLES]
    missing = sum(len(pages) for pages in omitted.values())
    pictures = (f"<p>{missing} page(s) of {sum(1 for p in omitted.values() if p)} document(s) have no picture "
                "(listed on each document's page).</p>") if missing else ""
    return (f"<h2>Summary</h2><p>{len(documents)} files.</p><h3>Files by status</h3>{by_status}"
            f"<h3>Rows by table</h3>{_table(['table', 'rows'], sizes)}{pictures}")


def _flag_rows(con) -> list[tuple[str, int, int]]:
    return con.sql(
        "SELECT flag, count(*) FILTER (WHERE t = 'projects'), count(*) FILTER (WHERE t = 'indicators') FROM ("
        "SELECT 'projects' AS t, unnest(string_split(flags, ';')) AS flag FROM projects UNION ALL "
        "SELECT 'indicators', unnest(string_split(flags, ';')) FROM indicators) "
        "WHERE flag <> '' GROUP BY flag ORDER BY count(*) DESC, flag").fetchall()


def _flag_table(con) -> str:
    rows = _flag_rows(con)
    if not rows:
        return "<p>no flags</p>"
    return _table(["flag", "projects", "indicators"], [[_flags(f), str(p), str(i)] for f, p, i in rows])


def _groups(con, column: str) -> list[tuple[str, int, list[float]]]:
    """(province year, n, [min, q1, median, q3, max]) of a projects column, the largest groups first."""
    found = con.sql(
        f"WITH d AS ({PRIMARY_DOCS}) "
        "SELECT COALESCE(NULLIF(d.province, ''), '(no province)') AS province, "
        "COALESCE(p.fiscal_year, d.fiscal_year) AS year, count(*) AS n, "
        f"quantile_cont(p.{column}, [0, 0.25, 0.5, 0.75, 1]) AS q "
        f"FROM projects p LEFT JOIN d ON d.doc_id = p.doc_id WHERE isfinite(p.{column}) "
        f"GROUP BY ALL ORDER BY n DESC, province, year LIMIT {MAX_PLOT_GROUPS}").fetchall()
    found.sort(key=lambda g: (g[0], g[1] if g[1] is not None else 0))
    return [(f"{province} {year if year is not None else '(no year)'}", n, list(q)) for province, year, n, q in found]


def _score_plot(con) -> str:
    groups = _groups(con, "total_score")
    top = max([100.0, *(g[2][4] for g in groups)])
    return _box_plot("综合得分 (total score) by province and year", groups, 0.0, top, lambda v: f"{v:g}")


def _rate_plot(con) -> str:
    groups = _groups(con, "execution_rate")
    top = min(1.5, max([1.0, *(g[2][4] for g in groups)]))
    return _box_plot("执行率 (execution rate) by province and year", groups, 0.0, top, lambda v: f"{v * 100:.0f}%")


def _svg_text(x: float, y: float, text: str, anchor: str = "start", weight: str = "") -> str:
    bold = " font-weight='600'" if weight else ""
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}'{bold}>{html.escape(text)}</text>"


def _box_plot(title: str, groups: list[tuple[str, int, list[float]]], lo: float, hi: float, fmt) -> str:
    """Horizontal box plots (min, quartiles, max) on one axis, one row per group; values past hi are clipped."""
    if not groups:
        return f"<figure><figcaption>{html.escape(title)}</figcaption><p class='note'>no values</p></figure>"
    label_w, plot_w, row_h, top = 150, 380, 18, 10
    height = top + row_h * len(groups) + 22
    span = (hi - lo) or 1.0

    def x(value: float) -> float:
        return label_w + (min(max(value, lo), hi) - lo) / span * plot_w

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{label_w + plot_w + 50}' height='{height}' role='img'>"]
    for i in range(6):
        value = lo + span * i / 5
        parts.append(f"<line x1='{x(value):.1f}' x2='{x(value):.1f}' y1='{top}' y2='{height - 18}' stroke='#ddd'/>")
        parts.append(_svg_text(x(value), height - 5, fmt(value), "middle"))
    for row, (label, n, (q0, q1, q2, q3, q4)) in enumerate(groups):
        y = top + row * row_h + row_h / 2
        tip = f"{label}: n={n}, min {fmt(q0)}, quartiles {fmt(q1)} / {fmt(q2)} / {fmt(q3)}, max {fmt(q4)}"
        parts += [
            f"<g><title>{html.escape(tip)}</title>", _svg_text(label_w - 6, y + 4, label, "end"),
            f"<line x1='{x(q0):.1f}' x2='{x(q4):.1f}' y1='{y:.1f}' y2='{y:.1f}' stroke='#555'/>",
            f"<rect x='{x(q1):.1f}' y='{y - 5:.1f}' width='{max(1.0, x(q3) - x(q1)):.1f}' height='10' fill='#9cc3e6' stroke='#3a6f9f'/>",
            f"<line x1='{x(q2):.1f}' x2='{x(q2):.1f}' y1='{y - 6:.1f}' y2='{y + 6:.1f}' stroke='#123' stroke-width='2'/>",
            _svg_text(label_w + plot_w + 6, y + 4, f"n={n}"), "</g>",
        ]
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{html.escape(title)}</figcaption></figure>"


def _flag_plot(con) -> str:
    """Flags by kind: one stacked bar per flag, projects then indicators."""
    rows = _flag_rows(con)[:MAX_PLOT_GROUPS]
    title = "flags by kind (projects + indicators)"
    if not rows:
        return f"<figure><figcaption>{html.escape(title)}</figcaption><p class='note'>no flags</p></figure>"
    label_w, plot_w, row_h, top = 190, 300, 18, 10
    height = top + row_h * len(rows) + 8
    most = max(p + i for _, p, i in rows) or 1
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{label_w + plot_w + 90}' height='{height}' role='img'>"]
    for row, (flag, projects, indicators) in enumerate(rows):
        y = top + row * row_h
        w_p, w_i = projects / most * plot_w, indicators / most * plot_w
        parts += [
            f"<g><title>{html.escape(f'{flag}: {projects} projects, {indicators} indicators')}</title>",
            _svg_text(label_w - 6, y + 12, flag, "end"),
            f"<rect x='{label_w}' y='{y + 3}' width='{w_p:.1f}' height='12' fill='#e39b52'/>",
            f"<rect x='{label_w + w_p:.1f}' y='{y + 3}' width='{w_i:.1f}' height='12' fill='#6c9ecf'/>",
            _svg_text(label_w + w_p + w_i + 5, y + 12, f"{projects} / {indicators}"), "</g>",
        ]
    parts.append("</svg>")
    return (f"<figure>{''.join(parts)}<figcaption>{html.escape(title)}: "
            "<span style='color:#e39b52'>■</span> projects <span style='color:#6c9ecf'>■</span> indicators</figcaption></figure>")


# ---------------------------------------------------------------- datapackage.json


def _field_type(kind: pa.DataType) -> str:
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    return "string"


def write_datapackage(stage_dir: Path) -> Path:
    """Write stage_dir/datapackage.json describing each NAME.csv (types from NAME.parquet); return its path."""
    stage_dir = Path(stage_dir)
    resources = []
    for name in TABLES:
        parquet = stage_dir / f"{name}.parquet"
        if not parquet.exists():
            continue
        notes = DESCRIPTIONS.get(name, {})
        fields = [{"name": f.name, "type": _field_type(f.type), **({"description": notes[f.name]} if f.name in notes else {})}
                  for f in pq.read_schema(parquet)]
        resource = {
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "schema": {"fields": fields, "missingValues": [""]},
        }
        csv_path = stage_dir / f"{name}.csv"
        if csv_path.exists():
            resource["bytes"] = csv_path.stat().st_size
            resource["hash"] = "sha256:" + file_digest(csv_path)
        resources.append(resource)
    package = {
        "profile": "tabular-data-package",
        "name": "jixiao",
        "title": "Budget-performance self-evaluation reports (绩效自评表) as tables",
        "resources": resources,
    }
    path = stage_dir / "datapackage.json"
    write_text(path, json.dumps(package, ensure_ascii=False, indent=2))
    return path
