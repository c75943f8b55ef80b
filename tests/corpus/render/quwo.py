"""曲沃 项目支出绩效自评报告 (seed 003): narrative, 预算执行情况 by fund level, four small section
tables on one page, and 附件1 项目支出绩效自评表 with 完成率."""
from __future__ import annotations

from .docx_out import SANS, Doc
from .prose import QUWO_ANALYSIS, QUWO_INTRO
from .spec import C, Table, level_cells, span_cells
from .truth import Project, load, num, plain

DOC = "quwo_2021"
COLUMNS = ["total", "current_fiscal", "central", "provincial", "municipal", "county", "carryover", "other"]
SECTIONS = [("预算执行指标", "（一）预算执行情况"), ("产出指标", "（二）项目产出情况"),
            ("效益指标", "（三）项目效益情况"), ("满意度指标", "（四）项目满意度情况")]
GRADE_WORD = {"优": "优秀", "良": "良好", "中": "中等", "差": "差"}


def _zero(v: float | None) -> str:
    return plain(str(v)) if v else "0"


def _budget(p: Project) -> Table:
    by = {f["source"]: f for f in p.funds}
    cols = [by.get(s, {}) for s in COLUMNS]
    t = Table([2.6, 1.9, 1.8, 1.3, 1.3, 1.3, 1.3, 1.3, 1.9, 1.7], size=9)
    t.add(C("项目", rs=2), C("行次", rs=2), C("年度总金额(万元)", rs=2), C("财政资金", cs=5),
          C("上年结转资金(万元)", rs=2), C("其他资金(万元)", rs=2), header=True)
    t.add(*[C(h) for h in ("小计", "中央级", "省级", "市级", "县区级")], header=True)
    for label, line, key in (("年初预算资金", "(1)", "budget_initial"), ("全年预算资金", "(2)", "budget_full_year"),
                             ("实际到位资金", "(3)", "received"), ("全年执行资金", "(4)", "executed")):
        t.add(C(label), C(line), *[C(plain(c.get(key, ""))) for c in cols])
    rest = []
    for c in cols:
        got, spent, full = num(c.get("received", "")), num(c.get("executed", "")), num(c.get("budget_full_year", ""))
        rest.append(((got or 0) - (spent or 0), (got or 0) / full * 100 if full else 0,
                     (num(c.get("execution_rate", "")) or 0) * 100))
    for k, (label, line) in enumerate((("资金结余", "(5)=(3)-(4)"), ("预算到位率", "(6)=(3)/(2)"),
                                       ("预算执行率(%)", "(7)=(4)/(2)"))):
        t.add(C(label), C(line), *[C(_zero(v[k])) for v in rest])
    return t


def _section(rows: list[dict]) -> Table:
    t = Table([3.4, 3.6, 1.6, 2.2, 2.2, 1.6], size=10)
    t.add(*[C(h, bold=True) for h in ("二级指标", "三级指标", "权重", "目标值", "业绩值", "得分")])
    for r, lv2 in zip(rows, span_cells([r["level2_raw"] for r in rows])):
        t.add(*([lv2] if lv2 else []), C(r["name_raw"]), C(plain(r["weight"])), C(r["target_raw"]),
              C(r["actual_raw"]), C(plain(r["score"])))
    return t


def _annex(p: Project) -> Table:
    rows = p.role("performance")
    t = Table([2.0, 2.2, 2.6, 1.1, 1.6, 1.6, 1.8, 1.4, 2.7], size=9)
    t.add(C(f"{p['table_label']}.项目支出绩效自评表", cs=9, bold=True, size=12), height=24)
    t.add(*[C(h, bold=True) for h in ("一级指标", "二级指标", "目标指标", "权重", "目标值", "业绩值", "完成率",
                                       "指标得分", "偏差原因分析及改进措施")])
    for r, levels in zip(rows, level_cells(rows)):
        t.add(*levels, C(r["name_raw"]), C(plain(r["weight"])), C(r["target_raw"]), C(r["actual_raw"]),
              C(r["progress_raw"]), C(plain(r["score"])), C(r["deviation_note"], align="left"))
    return t


def build() -> Doc:
    p = load(DOC)[0]
    d = Doc(margins_cm=2.2)
    name = p["project_name"] if p["project_name"].endswith("项目") else p["project_name"] + "项目"
    d.title(f"曲沃县公安局交通警察大队{name}\n{p['fiscal_year']}年度绩效自评报告", size=18,
            after=12)
    d.prose(QUWO_INTRO)
    d.table(_budget(p))
    d.prose([("h2", "（三）项目绩效目标"), ("p", "（1）. 项目实施期绩效目标"), ("p", p["goal_expected"]),
             ("p", "（2）. 项目年度目标"), ("p", p["goal_expected"]), ("h1", "二、项目绩效情况"),
             ("p", "综合考虑预算执行情况、产出、效益、服务对象满意度各方面因素，通过数据采集及分析，最终评分结果："
                   f"{name}绩效自评价结果为:总得分{plain(p['total_score'])}分，"
                   f"属于\"{GRADE_WORD.get(p['grade'], p['grade'])}\"。")])
    section = p.role("section")
    for level1, heading in SECTIONS:
        rows = [r for r in section if r["level1"] == level1]
        if rows:
            d.prose([("h2", heading)])
            d.table(_section(rows))
    d.prose(QUWO_ANALYSIS)
    d.para(f"{p['table_label']}.项目支出绩效自评表", font=SANS, bold=True, size=14, page_break=True, after=6)
    d.table(_annex(p))
    d.para("附件2.绩效自评相关资料", font=SANS, bold=True, size=14, before=12)
    return d
