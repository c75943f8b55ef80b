"""Files the pipeline must fail or skip cleanly: broken bytes, locked PDFs, and PDFs that are fine
but are not self-evaluation reports."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .docx_out import SANS, Doc
from .prose import NOTICE
from .spec import C, Table

ERROR_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>502 Bad Gateway</title>
<style>body{font-family:"Microsoft YaHei",sans-serif;text-align:center;color:#555}</style></head>
<body>
<h1>502 Bad Gateway</h1>
<p>抱歉，您访问的页面暂时无法显示，请稍后再试。</p>
<p><a href="/">返回首页</a></p>
<hr><center>nginx</center>
</body>
</html>
"""

INCOME = [("一、一般公共预算拨款收入", "16,302.79"), ("二、政府性基金预算拨款收入", ""),
          ("三、国有资本经营预算拨款收入", ""), ("四、财政专户管理资金收入", "1,309.36"),
          ("五、单位资金", ""), ("", ""), ("", "")]
SPENDING = [("一、公共安全支出", "15,842.51"), ("二、社会保障和就业支出", "896.42"),
            ("三、卫生健康支出", "311.87"), ("四、住房保障支出", "561.35"), ("五、其他支出", ""),
            ("", ""), ("", "")]


def empty(out: Path) -> None:
    out.write_bytes(b"")


def truncated(src: Path, out: Path, keep: float = 0.3) -> None:
    data = src.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])


def random_bytes(out: Path, rng: np.random.Generator, size: int = 48_000) -> None:
    out.write_bytes(rng.integers(0, 256, size=size, dtype=np.uint8).tobytes())


def error_page(out: Path) -> None:
    out.write_text(ERROR_PAGE, encoding="utf-8")


def budget_disclosure() -> Doc:
    """A 部门预算公开 收支总表: a ruled table of budget figures, not a performance self-evaluation."""
    d = Doc(margins_cm=2.0)
    d.para("公开01表", size=11, align="right")
    d.title("曲靖市公安局交通警察支队2023年部门收支总表", size=16)
    d.para("单位：万元", size=10, align="right", after=2)
    t = Table([5.2, 3.3, 5.2, 3.3], size=10)
    t.add(C("收入", cs=2, bold=True), C("支出", cs=2, bold=True), header=True)
    t.add(C("项目", bold=True), C("预算数", bold=True), C("项目", bold=True), C("预算数", bold=True), header=True)
    for (a, x), (b, y) in zip(INCOME, SPENDING):
        t.add(C(a, align="left"), C(x, align="right"), C(b, align="left"), C(y, align="right"))
    t.add(C("本年收入合计", bold=True), C("17,612.15", align="right"), C("本年支出合计", bold=True),
          C("17,612.15", align="right"))
    t.add(C("上年结转结余"), C("", align="right"), C("结转下年"), C("", align="right"))
    t.add(C("收入总计", bold=True), C("17,612.15", align="right"), C("支出总计", bold=True),
          C("17,612.15", align="right"))
    d.table(t)
    d.para("备注：本表反映部门本年度的总收支和年末结转结余情况。", size=10, before=4)
    return d


def notice() -> Doc:
    """A 财政厅 notice about self-evaluation work: narrative only, no tables, not a report."""
    d = Doc(margins_cm=2.6, body_size=15)
    d.title("关于开展2023年度预算绩效自评工作的通知", size=20, after=18)
    d.prose(NOTICE)
    d.para("自治区财政厅", align="right", before=24)
    d.para("2024年1月18日", align="right")
    d.para("（此件公开发布）", font=SANS, size=12, before=12)
    return d
