"""The QA report (report.html) and the Frictionless Data Package (datapackage.json) of a run.

report.html is one self-contained file: inline CSS, page images as JPEG data URIs, no script,
so it opens from disk with no server. Page images are named with their 1-based page number as
the last number of the file stem (`page-3.png`, `p003_cells.png`); that number ties an image to
the projects whose page span covers it.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd
from PIL import Image

from pipeline.emit import atomic_write

MAX_IMAGES = 6
MAX_WIDTH = 1000
JPEG_QUALITY = 70
MAX_FLAGGED_ROWS = 200
STATUSES = ("ok", "partial", "failed", "skipped")

CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2.2em;border-bottom:2px solid #ccc}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left}td:first-child{white-space:nowrap}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}dd{margin:0}
.flag{display:inline-block;background:#fde8c8;border-radius:3px;padding:0 4px;margin:1px;font-size:.85em}
.ok{color:#17702a}.partial{color:#a35a00}.failed{color:#b3141b}.skipped{color:#777}
.note{color:#666;font-style:italic}figure{margin:1em 0}img{max-width:100%;border:1px solid #ccc}
"""

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
    },
}


def write_report(out_dir: Path, frames: dict[str, pd.DataFrame], page_images: dict[str, list[Path]]) -> Path:
    """Write OUT_DIR/report.html: a summary, then one section per document; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    text = render_report(frames, page_images)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def render_report(frames: dict[str, pd.DataFrame], page_images: dict[str, list[Path]]) -> str:
    documents = _documents(frames)
    projects = frames.get("projects", pd.DataFrame())
    funds = frames.get("funds", pd.DataFrame())
    indicators = frames.get("indicators", pd.DataFrame())
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
        "<title>jixiao QA report</title><style>", CSS, "</style></head><body>",
        "<h1>jixiao QA report</h1>",
        _summary(documents, frames),
        _index(documents, projects, indicators),
    ]
    for doc in documents.to_dict("records"):
        doc_id = _text(doc.get("doc_id"))
        parts.append(_document(
            doc,
            _rows(projects, doc_id),
            _rows(funds, doc_id, projects),
            _rows(indicators, doc_id, projects),
            page_images.get(doc_id, []),
        ))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_datapackage(out_dir: Path, frames: dict[str, pd.DataFrame]) -> Path:
    """Write OUT_DIR/datapackage.json describing NAME.csv for every frame; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, data in frames.items():
        notes = DESCRIPTIONS.get(name, {})
        fields = [
            {"name": column, "type": _field_type(data[column]), **({"description": notes[column]} if column in notes else {})}
            for column in data.columns
        ]
        resource = {
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "schema": {"fields": fields, "missingValues": [""]},
        }
        csv_path = out_dir / f"{name}.csv"
        if csv_path.exists():
            content = csv_path.read_bytes()
            resource["bytes"] = len(content)
            resource["hash"] = "sha256:" + hashlib.sha256(content).hexdigest()
        resources.append(resource)
    package = {
        "profile": "tabular-data-package",
        "name": "jixiao",
        "title": "Budget-performance self-evaluation reports (绩效自评表) as tables",
        "resources": resources,
    }
    path = out_dir / "datapackage.json"
    text = json.dumps(package, ensure_ascii=False, indent=2)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value) -> str:
    """A cell as display text: empty for missing, whole floats without `.0`, at most 4 decimals."""
    if _missing(value):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _e(value) -> str:
    return html.escape(_text(value))


def _flags(value) -> str:
    return "".join(f"<span class='flag'>{html.escape(f)}</span>" for f in _text(value).split(";") if f)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Cells are HTML already escaped by the caller."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _documents(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The documents frame, plus a bare row for any doc_id that only the other tables name."""
    documents = frames.get("documents", pd.DataFrame(columns=["doc_id"]))
    known = set(documents["doc_id"].astype(str)) if "doc_id" in documents else set()
    extra = []
    for name in ("projects", "funds", "indicators"):
        data = frames.get(name)
        if data is not None and "doc_id" in data:
            for doc_id in data["doc_id"].dropna().astype(str).unique():
                if doc_id and doc_id not in known:
                    known.add(doc_id)
                    extra.append({"doc_id": doc_id})
    return pd.concat([documents, pd.DataFrame(extra)], ignore_index=True) if extra else documents


def _rows(data: pd.DataFrame, doc_id: str, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of one document: by doc_id, or through project_id when the doc_id column is empty."""
    if data.empty:
        return data
    mask = pd.Series(False, index=data.index)
    if "doc_id" in data:
        mask |= data["doc_id"].astype(str) == doc_id
    if projects is not None and "project_id" in data and "project_id" in projects and "doc_id" in projects:
        ids = set(projects.loc[projects["doc_id"].astype(str) == doc_id, "project_id"].astype(str))
        mask |= data["project_id"].astype(str).isin(ids)
    return data[mask]


def _flag_counts(data: pd.DataFrame | None) -> Counter:
    if data is None or "flags" not in data:
        return Counter()
    return Counter(f for value in data["flags"] for f in _text(value).split(";") if f)


def _summary(documents: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> str:
    statuses = Counter(_text(s) or "unknown" for s in documents.get("status", pd.Series(dtype=str)))
    order = [s for s in STATUSES if s in statuses] + sorted(set(statuses) - set(STATUSES))
    by_status = _table(["status", "files"], [[f"<span class='{_e(s)}'>{_e(s)}</span>", str(statuses[s])] for s in order])
    by_table = _table(["table", "rows"], [[_e(name), str(len(data))] for name, data in frames.items()])
    project_flags = _flag_counts(frames.get("projects"))
    indicator_flags = _flag_counts(frames.get("indicators"))
    names = sorted(set(project_flags) | set(indicator_flags))
    flags = _table(["flag", "projects", "indicators"],
                   [[_flags(f), str(project_flags[f]), str(indicator_flags[f])] for f in names])
    return (f"<h2>Summary</h2><p>{len(documents)} files.</p><h3>Files by status</h3>{by_status}"
            f"<h3>Rows by table</h3>{by_table}<h3>Flags</h3>{flags if names else '<p>no flags</p>'}")


def _anchor(doc_id: str) -> str:
    return "doc-" + re.sub(r"[^0-9A-Za-z_-]", "_", doc_id)


def _index(documents: pd.DataFrame, projects: pd.DataFrame, indicators: pd.DataFrame) -> str:
    rows = []
    for doc in documents.to_dict("records"):
        doc_id = _text(doc.get("doc_id"))
        status = _text(doc.get("status"))
        label = _text(doc.get("source_path")) or doc_id
        rows.append([
            f"<a href='#{_anchor(doc_id)}'>{html.escape(label)}</a>",
            f"<span class='{html.escape(status)}'>{html.escape(status)}</span>",
            _e(doc.get("file_type")), _e(doc.get("pages")),
            str(len(_rows(projects, doc_id))), str(len(_rows(indicators, doc_id, projects))),
        ])
    return "<h2>Documents</h2>" + _table(["source", "status", "type", "pages", "projects", "indicators"], rows)


def _document(doc: dict, projects: pd.DataFrame, funds: pd.DataFrame, indicators: pd.DataFrame,
              images: list[Path]) -> str:
    doc_id = _text(doc.get("doc_id"))
    source = _text(doc.get("source_path")) or doc_id
    status = _text(doc.get("status"))
    region = " ".join(_text(doc.get(k)) for k in ("province", "city", "county") if _text(doc.get(k)))
    facts = [
        ("source path", _e(source)), ("doc_id", _e(doc_id)),
        ("status", f"<span class='{html.escape(status)}'>{html.escape(status)}</span>"),
        ("error", _e(doc.get("error"))), ("file type", _e(doc.get("file_type"))), ("pages", _e(doc.get("pages"))),
        ("region", html.escape(region)), ("department", _e(doc.get("department"))),
        ("fiscal year", _e(doc.get("fiscal_year"))), ("report kind", _e(doc.get("report_kind"))),
        ("rows", f"{len(projects)} projects, {len(funds)} funds lines, {len(indicators)} indicators"),
    ]
    parts = [
        f"<section id='{_anchor(doc_id)}'><h2>{_e(source)}</h2>",
        "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>",
        "<h3>Projects</h3>", _projects(projects) if len(projects) else "<p class='note'>no projects</p>",
        _flagged_indicators(indicators),
        "<h3>Page images</h3>", _images(images, projects),
        "</section>",
    ]
    return "\n".join(parts)


def _projects(projects: pd.DataFrame) -> str:
    rows = []
    for p in projects.to_dict("records"):
        pages = "–".join(dict.fromkeys(t for t in (_text(p.get("page_start")), _text(p.get("page_end"))) if t))
        rows.append([
            _e(p.get("project_id")), _e(p.get("table_label")), _e(p.get("kind")), _e(p.get("project_name")),
            html.escape(pages), _e(p.get("budget_full_year")), _e(p.get("executed")), _e(p.get("execution_rate")),
            _e(p.get("budget_weight")), _e(p.get("budget_score")), _e(p.get("total_weight")), _e(p.get("total_score")), _e(p.get("grade")), _flags(p.get("flags")),
        ])
    return _table(["project", "label", "kind", "name", "pages", "全年预算数", "全年执行数", "执行率",
                   "资金分值", "资金得分", "总分", "综合得分", "grade", "flags"], rows)


def _flagged_indicators(indicators: pd.DataFrame) -> str:
    if "flags" not in indicators:
        return ""
    flags = indicators["flags"].map(_text)
    placeholders = int(flags.eq("placeholder_row").sum())
    hit = indicators[flags.ne("") & flags.ne("placeholder_row")]
    note = f"<p class='note'>{placeholders} placeholder rows.</p>" if placeholders else ""
    if hit.empty:
        return f"<h3>Flagged indicators</h3><p class='note'>none</p>{note}"
    shown = hit.head(MAX_FLAGGED_ROWS)
    rows = [
        [_e(r.get("project_id")), _e(r.get("seq")), _e(r.get("name_raw")), _e(r.get("target_raw")),
         _e(r.get("actual_raw")), _e(r.get("unit")), _e(r.get("weight")), _e(r.get("score")), _flags(r.get("flags"))]
        for r in shown.to_dict("records")
    ]
    capped = f"<p class='note'>first {MAX_FLAGGED_ROWS} of {len(hit)} flagged rows shown.</p>" if len(hit) > len(shown) else ""
    table = _table(["project", "seq", "三级指标", "target", "actual", "unit", "分值", "得分", "flags"], rows)
    return f"<h3>Flagged indicators</h3>{table}{capped}{note}"


def _page_number(path: Path) -> int | None:
    found = re.findall(r"\d+", path.stem)
    return int(found[-1]) if found else None


def _images(images: list[Path], projects: pd.DataFrame) -> str:
    if not images:
        return "<p class='note'>no page image</p>"
    parts = []
    for path in images[:MAX_IMAGES]:
        page = _page_number(Path(path))
        on_page = [
            _text(p.get("project_id")) for p in projects.to_dict("records")
            if page is not None and _covers(p, page)
        ]
        caption = html.escape(Path(path).name) + (f" — tables: {html.escape(', '.join(on_page))}" if on_page else "")
        uri = _data_uri(Path(path))
        body = f"<img alt='{html.escape(Path(path).name)}' src='{uri}'>" if uri else "<p class='note'>image unreadable</p>"
        parts.append(f"<figure>{body}<figcaption>{caption}</figcaption></figure>")
    if len(images) > MAX_IMAGES:
        parts.append(f"<p class='note'>{MAX_IMAGES} of {len(images)} page images shown.</p>")
    return "\n".join(parts)


def _covers(project: dict, page: int) -> bool:
    try:
        start = int(project.get("page_start"))
    except (TypeError, ValueError):
        return False
    try:
        end = int(project.get("page_end"))
    except (TypeError, ValueError):
        end = start
    return start <= page <= end


def _data_uri(path: Path) -> str:
    """The image downscaled to MAX_WIDTH as a JPEG data URI; empty when it cannot be read."""
    try:
        with Image.open(path) as image:
            if image.format == "JPEG" and image.width <= MAX_WIDTH:  # already small enough: embed as is
                return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
            image = image.convert("RGB")
            if image.width > MAX_WIDTH:
                image = image.resize((MAX_WIDTH, max(1, round(image.height * MAX_WIDTH / image.width))))
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except (OSError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
