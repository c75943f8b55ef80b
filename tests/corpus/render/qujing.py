"""曲靖 (seed 001): the narrative 公开12表 and department 公开13表 as Word, and the eighteen
公开14-x project tables as one Excel workbook (a sheet per table, printed on its own pages)."""
from __future__ import annotations

from openpyxl import Workbook

from . import xlsx_out
from .docx_out import Doc
from .prose import QUJING_12, QUJING_DUTY, QUJING_GOAL
from .spec import C, Row, Table, level_cells, span_cells
from .truth import Project, fixed, load, num, plain

DOC = "qujing_2022"
DEPT = "曲靖市公安局交通警察支队"
TASK_SPLIT = {"曲靖市公安局交通警察支队业务专项": (10595.00, 1309.36),
              "曲靖市公安局交通警察支队基本支出": (5707.79, None)}
TASK_TEXT = "贯彻执行党和国家有关道路交通安全管理的法律、法规、规"
OTHER_NOTES = {"公开14-2表": "此项目经费年中调整为其他项目经费，此项目未开展，故不进行自评。",
               "公开14-6表": "此项目经费未下达，此项目未开展，故不进行自评。",
               "公开14-12表": "此项目经费未下达，此项目未开展。"}
DOUBLE_COLUMNS = {"公开14-9表", "公开14-13表"}  # every logical column is two merged sheet columns
WEIGHT_2DP = {"公开14-7表", "公开14-8表", "公开14-10表"}  # these print the funds 分值 as `10.00`
NOTES_13 = ["备注:", "1. 涉密部门和涉密信息按保密规定不公开。",
            "2. 一级指标包含产出指标、效益指标、满意度指标，二级指标和三级指标根据项目实际情况设置。",
            "3. 财政拨款=当年财政拨款+上年结转资金。"]
NOTES_14 = ["备注：", "1. 涉密部门和涉密信息按保密规定不公开。",
            "2. 一级指标包含产出指标、效益指标、满意度指标，二级指标和三级指标根据项目实际情况设置。",
            "3. 当年财政拨款指一般公共预算、国有资本经营预算、政府性基金预算安排的资金。",
            "4. 上年结转资金指上一年一般公共预算、国有资本经营预算、政府性基金预算安排的结转资金。",
            "5. 其他资金含财政专户资金和单位资金（本年度无需填列）。",
            "6. 全年预算数=年初预算数+调整预算（年度新增项目）。"]
MONEY = "#,##0.00"


def _n(text: str) -> float | int | str:
    """A numeric cell value as Excel would hold it (int when whole), or the text itself."""
    try:
        v = float(text)
    except ValueError:
        return text
    return int(v) if v.is_integer() and "." not in text else v


# ---------------------------------------------------------------- 公开12表 / 公开13表 (Word)

def _table12() -> Table:
    t = Table([2.8, 3.0, 2.0, 9.2], size=9)
    for i, (sec, sub, subsub, text) in enumerate(QUJING_12):
        later = QUJING_12[i + 1:]
        cells = []
        if sec:
            n = 1 + next((k for k, e in enumerate(later) if e[0]), len(later))
            cells.append(C(sec, rs=n) if sub or subsub else C(sec, cs=3))
        if sub and subsub:
            m = 1 + next((k for k, e in enumerate(later) if e[0] or e[1] or not e[2]), len(later))
            cells += [C(sub, rs=m), C(subsub)]
        elif sub:
            cells.append(C(sub, cs=2))
        elif subsub:
            cells.append(C(subsub))
        t.add(*cells, C(text, align="left"))
    return t


def _table13(p: Project) -> tuple[Table, Table]:
    head = Table([1.9, 1.9, 2.9, 1.55, 1.55, 1.45, 1.55, 1.4, 2.8], size=8)
    head.add(C("部门名称", cs=2), C(p["project_name"], cs=7), height=20)
    head.add(C("部门职责", cs=2), C(QUJING_DUTY, cs=6, align="left"), C("根据三定方案归纳"))
    head.add(C("总体绩效目标", cs=2), C(QUJING_GOAL, cs=7, align="left"))
    head.add(C("一、部门年度目标", cs=9, align="left", bold=True))
    head.add(C("财年"), C("目标", cs=4), C("实际完成情况", cs=4))
    year = int(p["fiscal_year"])
    head.add(C(str(year)), C(p["goal_expected"], cs=4, align="left"), C(p["goal_actual"], cs=4, align="left"))
    for y in (year + 1, year + 2):
        head.add(C(str(y)), C("", cs=4), C("---", cs=4))
    head.add(C("二、部门年度重点工作任务", cs=9, align="left", bold=True))
    head.add(C("任务名称", rs=2), C("项目级次", rs=2), C("主要内容", rs=2), C("批复金额（万元）", cs=3),
             C("实际支出金额（万元）", rs=2), C("预算执行率", rs=2), C("预算执行偏低原因及改进措施", rs=2))
    head.add(C("总额"), C("财政拨款"), C("其他资金"))
    by = {f["source"]: f for f in p.funds}
    money = lambda f, k: fixed(f.get(k, ""), thousands=True)  # noqa: E731
    head.add(C("", cs=3), C(money(by.get("total", {}), "budget_full_year")),
             C(money(by.get("current_fiscal", {}), "budget_full_year")),
             C(money(by.get("other", {}), "budget_full_year")), C(money(by.get("total", {}), "executed")),
             C(""), C(""))
    for f in (f for f in p.funds if f["source"] == "task"):
        fiscal, other = TASK_SPLIT.get(f["label_raw"], (None, None))
        head.add(C(f["label_raw"], align="left"), C("本级"), C(TASK_TEXT, align="left"),
                 C(money(f, "budget_full_year")), C(fixed(str(fiscal or ""), thousands=True)),
                 C(fixed(str(other or ""), thousands=True)), C(money(f, "executed")),
                 C(fixed(str((num(f["execution_rate"]) or 0) * 100)) if f["execution_rate"] else ""), C(""))
    head.add(C("三、部门整体支出绩效指标", cs=9, align="left", bold=True))

    ind = Table(head.widths, size=8)
    ind.add(*[C(h) for h in ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值")],
            C("偏差原因分析及改进措施", cs=2), header=True)
    rows = p.role("performance")
    # 二级 groups after the first print as a label row of their own, the label cell running down the group
    layout: list[tuple[dict | None, str]] = []
    for k, r in enumerate(rows):
        if k and r["level2_raw"] and r["level2_raw"] != rows[k - 1]["level2_raw"]:
            layout.append((None, r["level2_raw"]))
        layout.append((r, r["level2_raw"]))
    for (r, _), one, two in zip(layout, _level1_spans(layout), _label_spans(layout)):
        cells = [c for c in (one, two) if c is not None]
        if r is None:
            ind.add(*cells, *[C("") for _ in range(5)], C("", cs=2))
        else:
            ind.add(*cells, C(r["name_raw"], align="left"), C(r["nature_raw"]), C(r["target_raw"]),
                    C(r["unit_raw"]), C(r["actual_raw"]), C(r["deviation_note"], cs=2, align="left"))
    ind.add(C("其他需说明事项", cs=2), C("无", cs=7, align="left"))
    return head, ind


def _level1_spans(layout: list[tuple[dict | None, str]]) -> list[C | None]:
    """一级 spans over the layout: a label row belongs to the 一级 of the indicator row after it."""
    labels = []
    for k, (r, _) in enumerate(layout):
        nxt = r if r is not None else next(x for x, _ in layout[k + 1:] if x is not None)
        labels.append(nxt["level1_raw"])
    return span_cells(labels)


def _label_spans(layout: list[tuple[dict | None, str]]) -> list[C | None]:
    """The first 二级 group is an ordinary centred merge; later ones start on their label row, top-aligned."""
    out: list[C | None] = [None] * len(layout)
    k = 0
    while k < len(layout):
        r, lab = layout[k]
        n = 1
        while k + n < len(layout) and layout[k + n][0] is not None and layout[k + n][1] == lab and lab:
            n += 1
        out[k] = C(lab, rs=n, valign="center" if r is not None else "top")
        k += n
    return out


def build_doc(projects: list[Project]) -> Doc:
    dept = projects[0]
    d = Doc(margins_cm=2.0)
    d.title(f"{dept['fiscal_year']}年度部门整体支出绩效自评情况", size=18)
    d.para(f"部门：{dept['project_name']}", size=11)
    d.para("公开12表", size=11, align="right", after=2)
    d.table(_table12())
    d.para("备注：涉密部门和涉密信息按保密规定不公开。", size=10, before=4)
    d.title(f"{dept['fiscal_year']}年度部门整体支出绩效自评表", size=18, page_break=True)
    d.para(dept["table_label"], size=11, align="right", after=2)
    head, ind = _table13(dept)
    d.table(head)
    d.para(size=2)  # keeps the two tables apart, so the indicator table's header row can repeat
    d.table(ind)
    for line in NOTES_13:
        d.para(line, size=9)
    return d


# ---------------------------------------------------------------- 公开14-x (Excel)

def _sheet(p: Project) -> Table:
    t = Table([1.6, 1.9, 3.0, 1.2, 1.5, 1.2, 1.6, 1.3, 1.3, 2.4], size=9)
    label = p["table_label"]
    t.add(C(f"{p['fiscal_year']}年度项目支出绩效自评表", cs=10, bold=True, size=16, border=False), height=34)
    t.add(C(label, cs=10, align="right", border=False, size=10), height=18)
    t.add(C("项目名称", cs=2), C(p["project_name"], cs=8, align="left"))
    t.add(C("主管部门", cs=2), C(p["competent_dept"], cs=3), C("实施单位"), C(p["implementing_unit"], cs=4))
    t.add(C("项目资金\n(万元)", cs=2, rs=len(p.funds) + 1), C(""),
          *[C(h) for h in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率")], C("得分", cs=2))
    for f in p.funds:
        total, other = f["source"] == "total", f["source"] == "other"
        money = [C("—") if other else C(_n(f[k]) if f[k] else "", fmt=MONEY)
                 for k in ("budget_initial", "budget_full_year", "executed")]
        weight = C("—")
        if total:
            weight = C(_n(f["weight"]) if f["weight"] else "", fmt="0.00" if label in WEIGHT_2DP else "0")
        rate = C(num(f["execution_rate"]) * 100, fmt="0.00") if f["execution_rate"] else C("")
        score = C(num(f["score"]), fmt="0.00", cs=2) if total and f["score"] else C("" if total else "—", cs=2)
        t.add(C(f["label_raw"], align="left"), *money, weight, rate, score)
    t.add(C("年度总体目标", cs=2, rs=2), C("预期目标", cs=4), C("实际完成情况", cs=4))
    t.add(C(p["goal_expected"], cs=4, align="left", valign="top"),
          C(p["goal_actual"], cs=4, align="left", valign="top"))
    t.add(C("绩效指标", cs=3), C("年度指标值", cs=3), C("实际完成值", rs=2), C("分值", rs=2), C("得分", rs=2),
          C("偏差原因分析及改进措施", rs=2))
    t.add(*[C(h) for h in ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")])
    rows = p.role("performance")
    for r, levels in zip(rows, level_cells(rows)):
        t.add(*levels, C(r["name_raw"], align="left"), C(r["nature_raw"]), C(_n(r["target_raw"])),
              C(r["unit_raw"]), C(_n(r["actual_raw"])), C(num(r["weight"]), fmt="0.00"),
              C(num(r["score"]), fmt="0.00"), C(r["deviation_note"], align="left"))
    t.add(C("其他需要说明事项", cs=3), C(OTHER_NOTES.get(label, "无"), cs=7, align="left"))
    t.add(C("总分", cs=7), C(_n(plain(p["total_weight"]))), C(_n(plain(p["total_score"]))), C(p["grade"]))
    for line in NOTES_14:
        t.add(C(line, cs=10, align="left", border=False, size=9), height=15)
    return _doubled(t) if label in DOUBLE_COLUMNS else t


def _doubled(t: Table) -> Table:
    """The same table with every column split in two and every cell spanning both halves."""
    out = Table([w / 2 for w in t.widths for _ in range(2)], size=t.size)
    for row in t.rows:
        cells = [C(**{**c.__dict__, "cs": c.cs * 2}) for c in row.cells]
        out.rows.append(Row(cells, row.height, row.header))
    return out


def build_workbook(projects: list[Project]) -> Workbook:
    wb = xlsx_out.new_workbook()
    for p in projects:
        if p["kind"] != "project":
            continue
        ws = wb.create_sheet(p["table_label"])
        xlsx_out.write(ws, _sheet(p))
        xlsx_out.page_setup(ws)
    return wb


def build() -> tuple[Doc, Workbook]:
    projects = load(DOC)
    return build_doc(projects), build_workbook(projects)
