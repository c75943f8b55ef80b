"""The form families of LAYOUTS.md as block lists; each report's layout picks one and overrides
what its publisher printed differently (header wording, column order, extra columns)."""
from __future__ import annotations

from .forms import Col, Form, Funds

# ------------------------------------------------------------------ indicator column sets
def values(target: str = "年度指标值", actual: str = "实际完成值", weight: str = "分值", score: str = "得分",
           deviation: str = "偏差原因分析及改进措施", weight_first: bool = False) -> list[Col]:
    """The value columns of a 自评表: target, actual, weight, score, deviation (any may be '')."""
    t, a = Col(target, "target_raw", 2.0), Col(actual, "actual_raw", 2.0)
    w, s = Col(weight, "weight", 1.1), Col(score, "score", 1.1)
    d = Col(deviation, "deviation_note", 2.6)
    order = [w, t, a, s, d] if weight_first else [t, a, w, s, d]
    return [c for c in order if c.head]


def levels(one: str = "一级指标", two: str = "二级指标", three: str = "三级指标") -> list[Col]:
    return [Col(one, "level1_raw", 1.5), Col(two, "level2_raw", 1.8), Col(three, "name_raw", 3.6)]


# ------------------------------------------------------------------ A 财政部 standard 项目支出绩效自评表
STANDARD_FUNDS = Funds("项目资金\n(万元)", [("年初预算数", "budget_initial"), ("全年预算数", "budget_full_year"),
                                       ("全年执行数", "executed"), ("分值", "weight"), ("执行率", "execution_rate"),
                                       ("得分", "score")])


def standard(cols: list[Col] | None = None, funds: Funds = STANDARD_FUNDS, head: list | None = None,
             goals: tuple = ("年度总体目标", ["预期目标", "实际完成情况"], ["{goal_expected}", "{goal_actual}"]),
             total: tuple | None = ("总分", {"weight": "{total_weight}", "score": "{total_score}"}),
             tail: list | None = None, **kw) -> Form:
    """Family A (and the A-shaped forms of B, C, E): header fields, funds, goals, indicators, 总分."""
    head = head if head is not None else [("fields", [("项目名称", "{project_name}")]),
                                          ("fields", [("主管部门", "{competent_dept}"), ("实施单位", "{implementing_unit}")])]
    blocks = [*head, ("funds", funds)] if funds else list(head)
    if goals:
        blocks.append(("goals", *goals))
    blocks.append(("indicators",))
    if total:
        blocks.append(("total", *total))
    return Form(cols or levels() + values(), blocks + (tail or []), **kw)


# ------------------------------------------------------------------ C 扶贫 绩效目标自评表: 分值 before the target
def poverty(**kw) -> Form:
    cols = levels() + values(actual="全年实际值", deviation="未完成原因及拟采取的改进措施", weight_first=True)
    funds = Funds("资金情况\n(万元)", [("全年预算数(A)", "budget_full_year"), ("全年执行数(B)", "executed"),
                                    ("分值", "weight"), ("执行率(B/A)", "execution_rate"), ("得分", "score")])
    return standard(cols, funds, **kw)


# ------------------------------------------------------------------ D Sichuan 部门预算项目支出绩效自评表
SICHUAN_COLS = levels() + [Col("指标性质", "nature_raw", 1.1), Col("指标值", "target_raw", 1.6),
                           Col("度量单位", "unit_raw", 1.1), Col("完成值", "actual_raw", 1.4),
                           Col("权重", "weight", 1.0), Col("得分", "score", 1.0),
                           Col("未完成原因分析", "deviation_note", 2.2)]
SICHUAN_FUNDS = Funds("预算执行情况\n(10分)", [("年初预算", "budget_initial"), ("调整后预算数", "budget_full_year"),
                                         ("预算执行数", "executed"), ("预算执行率", "execution_rate"),
                                         ("权重", "weight"), ("得分", "score"), ("原因", "@reason")],
                      label_head="年度预算数(万元)")


def sichuan(cut: bool = False) -> Form:
    """Family D; `cut` = the page ends after the funds header (only the table's head was published)."""
    head = [("fields", [("项目名称", "{project_code}-{project_name}")]),
            ("fields", [("主管部门", "{competent_dept}"), ("实施单位\n(盖章)", "{implementing_unit}")]),
            ("tree", [("项目基本情况", [("项目年度目标", "{goal_expected}"), ("年度目标完成情况", "{goal_actual}"),
                                  ("项目实施内容\n及过程概述", "")])])]
    if cut:
        return Form(SICHUAN_COLS, [*head, ("funds", SICHUAN_FUNDS)])
    tail = [("text", "评价结论", ""), ("text", "存在问题", ""), ("text", "改进措施", "")]
    return standard(SICHUAN_COLS, SICHUAN_FUNDS, head=head, goals=None,
                    total=("合计", {"weight": "{total_weight}", "score": "{total_score}"}), tail=tail)


# ------------------------------------------------------------------ E Hubei 项目自评表
HUBEI_FUNDS = Funds("预算执行情况(万元)\n(20分)", [("预算数(A)", "budget_full_year"), ("执行数(B)", "executed"),
                                              ("执行率(B/A)", "execution_rate"), ("得分\n(20分*执行率)", "score")])


def hubei(options: list[tuple[str, str]], funds: Funds = HUBEI_FUNDS, lead: str = "", **kw) -> Form:
    head = [("fields", [("项目名称", "{project_name}")]),
            ("fields", [("主管部门", "{competent_dept}"), ("项目实施单位", "{implementing_unit}")]),
            *[("text", label, text) for label, text in options]]
    cols = levels() + values("年初目标值(A)", "实际完成值(B)", weight="", deviation="")
    return standard(cols, funds, head=head, goals=None, total=None, lead=lead, **kw)


# ------------------------------------------------------------------ F Chongqing flat list
CHONGQING_COLS = [Col("指标名称", "name_raw", 3.0), Col("计量单位", "unit_raw", 1.0), Col("指标性质", "nature_raw", 1.2),
                  Col("年初指标值", "target_raw", 1.3), Col("调整指标值", "target_adjusted_raw", 1.3),
                  Col("全年完成值", "actual_raw", 1.3), Col("得分系数(%)", "score_coefficient_raw", 1.2),
                  Col("指标权重(分)", "weight", 1.1), Col("指标得分(分)", "score", 1.1),
                  Col("是否核心指标", "is_core", 1.1)]


def chongqing_department() -> Form:
    funds = Funds("部门预算执行\n情况(万元)", [("年初预算数", "budget_initial"), ("全年(调整)预算数", "budget_full_year"),
                                          ("全年执行数", "executed"), ("执行率(%)", "execution_rate"),
                                          ("执行率权重", "weight"), ("执行率得分(分)", "score")])
    head = [("fields", [("主管部门", ""), ("财政处室", ""), ("自评总分(分)", "{total_score}")]),
            ("fields", [("部门联系人", "曾雪莲"), ("联系电话", "")])]
    goals = ("当年绩效\n目标", ["年初绩效目标", "全年(调整)绩效目标", "全年目标实际完成情况"],
             ["无", "{goal_expected}", "{goal_actual}"])
    return standard(CHONGQING_COLS, funds, head=head, goals=goals, total=None, lead="绩效指标",
                    merge={"nature_raw": "merge"})


# ------------------------------------------------------------------ G 评分表 / 得分表 (and J, targets only)
def scoring(cols: list[Col], head: list | None = None, total: tuple | None = None, tail: list | None = None,
            **kw) -> Form:
    blocks = [*(head or []), ("indicators",)]
    if total:
        blocks.append(("total", *total))
    return Form(cols, blocks + (tail or []), **kw)
