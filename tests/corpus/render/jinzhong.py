"""晋中 财政支出项目绩效自评表 (seed 002): funds by 预算资金 / 实际支出资金, long narrative cells,
绩效目标实现情况 with 完成进度, 评分表 with subtotals, 综合得分 and 评价结果等次."""
from __future__ import annotations

from .docx_out import Doc
from .prose import JINZHONG
from .spec import C, Table, level_cells, runs, span_cells
from .truth import Project, fixed, load, plain

DOC = "jinzhong_2021"
REVIEWERS = [("樊志强", "处长", "法制处", "2429456"), ("郭继勤", "处长", "计财", "2429456")]


def _funds(t: Table, p: Project) -> None:
    budget = [f for f in p.funds if f["budget_full_year"] or f["budget_initial"]]
    spent = [f for f in p.funds if f not in budget]
    first = True
    for group, rows in (("预算资金", budget), ("实际支出资金", spent)):
        for i, f in enumerate(rows):
            lead = [C("项目资金情况\n(万元)", rs=len(p.funds))] if first else []
            first = False
            grp = [C(group, rs=len(rows))] if i == 0 else []
            value = f["budget_full_year"] or f["budget_initial"] or f["executed"]
            t.add(*lead, *grp, C(f["label_raw"], cs=3), C(fixed(value), cs=2))


def _scoring(t: Table, p: Project) -> None:
    rows = p.role("scoring")
    groups = runs([r["level1_raw"] for r in rows])
    t.add(C("评分表", rs=1 + len(rows) + len(groups) + 2), C(""), C("二级指标"), C("三级指标", cs=2),
          C("指标分值"), C("评价得分"))
    for start, n in groups:
        block = rows[start:start + n]
        w = sum(float(r["weight"] or 0) for r in block)
        s = sum(float(r["score"] or 0) for r in block)
        t.add(C(f"{block[0]['level1_raw']}:", cs=4, align="left"), C(plain(str(w))), C(f"{s:.2f}"))
        for i, (r, lv2) in enumerate(zip(block, span_cells([r["level2_raw"] for r in block]))):
            lead = [C("", rs=n)] if i == 0 else []
            t.add(*lead, *([lv2] if lv2 else []), C(r["name_raw"], cs=2), C(plain(r["weight"])),
                  C(fixed(r["score"])))
    t.add(C("综合得分:", cs=4, align="left"), C(plain(p["total_weight"])), C(fixed(p["total_score"])))
    t.add(C("评价结果等次:", cs=4, align="left"), C(p["grade"], cs=2))


def _form(p: Project) -> Table:
    t = Table([2.0, 1.9, 2.3, 4.3, 2.3, 2.3, 1.9], size=9)
    t.add(C("项目名称", cs=2), C(p["project_name"], cs=5), height=22)
    t.add(C("主管部门", cs=2), C(p["competent_dept"], cs=2), C("预算单位"), C(p["implementing_unit"], cs=2))
    t.add(C("项目属性", cs=2), C(p["project_attribute"], cs=2), C("项目期"), C(p["project_period"], cs=2))
    _funds(t, p)
    for head, text in zip(("项目概况", "项目资金使用情况", "项目组织实施情况"), JINZHONG):
        t.add(C(head, cs=7, bold=True))
        t.add(C(text, cs=7, align="justify", valign="top"))
    rows = p.role("performance")
    t.add(C("绩效目标实现情况", rs=len(rows) + 1), C(""), C("绩效指标(二级)"), C("绩效指标(三级)"),
          C("目标值"), C("实际完成指标值"), C("完成进度"))
    for r, levels in zip(rows, level_cells(rows)):
        t.add(*levels, C(r["name_raw"], align="left"), C(r["target_raw"]), C(r["actual_raw"]),
              C(r["progress_raw"]))
    t.add(C("项目绩效情况", cs=2), C("按项目标准严格执行，签订合同，按照合同规定执行", cs=5, align="left"))
    t.add(C("其他需说明的问题", cs=2), C("无", cs=5, align="left"))
    _scoring(t, p)
    t.add(C("评价人员", rs=len(REVIEWERS) + 1), C("姓名", cs=2), C("职称/职务"), C("科室"), C("联系电话", cs=2))
    for name, title, office, phone in REVIEWERS:
        t.add(C(name, cs=2), C(title), C(office), C(phone, cs=2))
    return t


def build() -> Doc:
    d = Doc(margins_cm=2.0)
    p = load(DOC)[0]
    d.title("晋中市财政支出项目绩效自评表", size=18)
    d.para(f"({p['fiscal_year']} 年度)", size=12, align="center", after=4)
    d.para("填报单位(公章):", size=11, after=2)
    d.table(_form(p))
    d.para("负责人: 晋中市交警支队　　经办人: 张铭轩　　联系电话: 2429456　　填报日期: 2022-07-02",
           size=10.5, before=6)
    d.para("单位负责人(签章): _____　　年　　月　　日", size=10.5, align="right", before=6)
    return d
