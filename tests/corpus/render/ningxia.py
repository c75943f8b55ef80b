"""宁夏 附件5 自治区项目支出绩效自评表 (seed 000): one form per project, each on a new page."""
from __future__ import annotations

from .docx_out import SANS, Doc
from .spec import C, Table, level_cells
from .truth import Project, load, percent, plain

DOC = "ningxia_2024"
OUTER_LABEL = {1}  # project 1 prints 一级 in the first column; the others add an outer 绩效指标 column
WHOLE_PERCENT = {2, 3}  # these print `100%` / `51%` instead of `100.00%`


def _rate(p: Project, text: str) -> str:
    if text == "":
        return ""
    if float(text) == 0:
        return "0"
    return percent(text, 0 if p.seq in WHOLE_PERCENT else 2)


def _funds(t: Table, p: Project, label_cols: int) -> None:
    n = len(p.funds)
    t.add(C("项目资金\n(万元)", rs=n + 1), C("", cs=label_cols),
          *[C(h) for h in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")])
    for f in p.funds:
        total = f["source"] == "total"
        t.add(C(f["label_raw"], cs=label_cols, align="left"),
              C(plain(f["budget_initial"])), C(plain(f["budget_full_year"])), C(plain(f["executed"])),
              C(plain(f["weight"]) if total else "—"), C(_rate(p, f["execution_rate"])),
              C(plain(f["score"]) if total else "—"))


def _form(p: Project) -> Table:
    outer = p.seq not in OUTER_LABEL
    if outer:
        t = Table([1.2, 1.6, 1.9, 3.3, 1.9, 1.9, 1.1, 1.5, 2.6], size=9)
    else:
        t = Table([1.7, 2.0, 3.8, 2.0, 2.0, 1.2, 1.5, 2.8], size=9)
    n = len(t.widths)
    t.add(C("项目名称", cs=2), C(p["project_name"], cs=n - 2), height=22)
    t.add(C("主管部门", cs=2), C(p["competent_dept"], cs=n - 6), C("实施单位"),
          C(p["implementing_unit"], cs=3), height=22)
    _funds(t, p, label_cols=2 if outer else 1)
    half = (n - 1) // 2
    t.add(C("年度总体目标", rs=2), C("预期目标", cs=half), C("实际完成情况", cs=n - 1 - half))
    t.add(C(p["goal_expected"], cs=half, align="left"), C(p["goal_actual"], cs=n - 1 - half, align="left"))
    rows = p.role("performance")
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    if outer:
        t.add(C("绩效指标", rs=len(rows) + 1), *[C(h) for h in heads])
    else:
        t.add(*[C(h) for h in heads])
    for r, levels in zip(rows, level_cells(rows)):
        t.add(*levels, C(r["name_raw"], align="left"), C(r["target_raw"]), C(r["actual_raw"]),
              C(plain(r["weight"])), C(plain(r["score"])), C(r["deviation_note"], align="left"))
    t.add(C("总 分", cs=n - 3, bold=True), C(plain(p["total_weight"]), bold=True),
          C(plain(p["total_score"]), bold=True), C(""), height=20)
    return t


def build() -> Doc:
    d = Doc(margins_cm=1.9)
    for i, p in enumerate(load(DOC)):
        d.para(p["table_label"], size=14, bold=True, font=SANS, page_break=i > 0)
        d.title("自治区项目支出绩效自评表", size=18, before=2, after=2)
        d.para(f"({p['fiscal_year']}年度)", size=12, align="center", after=6)
        d.table(_form(p))
    return d
