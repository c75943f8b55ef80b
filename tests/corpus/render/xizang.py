"""西藏 转移支付绩效自评报告 (seed 004): narrative plus one 绩效指标完成情况 table whose header row
repeats on every page and whose tall rows may split across a page break."""
from __future__ import annotations

from .docx_out import Doc
from .prose import XIZANG_AFTER, XIZANG_BEFORE
from .spec import C, Table
from .truth import load, percent, plain

DOC = "xizang_2023"


def build() -> Doc:
    p = load(DOC)[0]
    total = p.funds[0] if p.funds else p.row
    d = Doc(margins_cm=2.5, body_size=14)
    d.title("公安厅交管局转移支付2023年度\n绩效自评报告", size=20, after=18)
    d.prose(XIZANG_BEFORE, name=p["project_name"], full=plain(total["budget_full_year"]),
            executed=plain(total["executed"]), rate=percent(total["execution_rate"]))
    t = Table([6.6, 2.0, 2.6, 1.6, 2.4], size=11)
    t.add(*[C(h, bold=True) for h in ("三级指标", "指标性质", "年度指标值", "单位", "完成值")], header=True,
          height=24)
    for r in p.role("performance"):
        t.add(C(r["name_raw"], align="left"), C(r["nature_raw"]), C(r["target_raw"]), C(r["unit_raw"]),
              C(r["actual_raw"]))
    d.table(t)
    d.prose(XIZANG_AFTER)
    d.para("西藏自治区公安厅公安交通管理局", align="right", before=24)
    d.para("2024年3月15日", align="right")
    return d
