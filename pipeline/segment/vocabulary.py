"""The words of 自评表 headers and labels: role synonyms per block kind, fund sources, header fields,
total / grade / end labels, and the patterns of titles, table labels and narrative facts."""
from __future__ import annotations

import re

from normalizers.text import fold

INDICATOR_ROLES = {
    "level1": ["一级指标"],
    "level2": ["二级指标", "绩效指标(二级)"],
    "name": ["三级指标", "绩效指标(三级)", "目标指标", "指标名称", "三级指标名称"],
    "nature": ["指标性质"],
    "target": ["年度指标值", "指标值", "目标值", "预期指标值", "年度目标值", "预期值", "计划值"],
    "actual": ["实际完成值", "业绩值", "完成值", "实际完成指标值", "实际值", "全年实际值", "实际完成情况值"],
    "unit": ["度量单位", "单位", "计量单位"],
    "weight": ["分值", "权重", "指标分值", "权重(分)", "分值(分)"],
    "score": ["得分", "评价得分", "指标得分", "自评得分"],
    "deviation": ["偏差原因分析及改进措施", "偏差原因", "原因分析", "未完成原因", "偏差原因分析"],
    "progress": ["完成进度", "完成率", "完成比例"],
}
FUNDS_ROLES = {
    "budget_initial": ["年初预算数", "年初预算"],
    "budget_full_year": ["全年预算数", "全年预算", "调整后预算数"],
    "executed": ["全年执行数", "执行数", "实际支出数"],
    "weight": ["分值"],
    "execution_rate": ["执行率", "预算执行率"],
    "score": ["得分"],
}
LEVEL_FUNDS_COLUMNS = {
    "total": ["年度总金额", "合计", "总金额"],
    "current_fiscal": ["小计", "财政资金"],
    "central": ["中央级", "中央"],
    "provincial": ["省级"],
    "municipal": ["市级"],
    "county": ["县区级", "县级", "区县级"],
    "carryover": ["上年结转资金", "上年结转"],
    "other": ["其他资金"],
}
LEVEL_FUNDS_ROWS = {
    "budget_initial": ["年初预算资金", "年初预算数"],
    "budget_full_year": ["全年预算资金", "全年预算数"],
    "received": ["实际到位资金", "到位资金"],
    "executed": ["全年执行资金", "全年执行数", "实际支出资金"],
    "execution_rate": ["预算执行率", "预算执行率(%)", "执行率"],
}
TASK_ROLES = {
    "label": ["任务名称"],
    "budget_full_year": ["总额"],
    "current_fiscal": ["财政拨款"],
    "other": ["其他资金"],
    "executed": ["实际支出金额", "实际支出金额(万元)"],
    "execution_rate": ["预算执行率"],
}
FUND_SOURCES = [
    ("total", ["年度资金总额", "资金总额", "合计", "总计", "预算下达资金"]),
    ("current_fiscal", ["当年财政拨款", "财政拨款", "本级财政资金"]),
    ("carryover", ["上年结转资金", "上年结转"]),
    ("superior", ["上级财政资金", "上级资金"]),
    ("central", ["中央级", "中央资金"]),
    ("provincial", ["省级", "省级预算资金"]),
    ("municipal", ["市级预算资金", "市级"]),
    ("county", ["县区级", "县级预算资金"]),
    ("other", ["其他资金", "其他"]),
]
FUNDS_ORDER = ["total", "current_fiscal", "carryover", "other"]
HEADER_FIELDS = {
    "project_name": ["项目名称"],
    "department_name": ["部门名称", "单位名称"],
    "competent_dept": ["主管部门", "主管部门(单位)", "主管单位"],
    "implementing_unit": ["实施单位", "预算单位", "项目实施单位"],
    "project_attribute": ["项目属性"],
    "project_period": ["项目期", "项目实施期"],
}
TOTAL_LABELS = {"总分", "合计", "总计", "综合得分", "总得分", "自评总分"}
GRADE_LABELS = {"评价结果等次", "评价等次", "自评等级", "等次", "等级", "评价结果"}
GRADES = {"优": "优", "良": "良", "中": "中", "差": "差", "优秀": "优", "良好": "良", "合格": "中", "不合格": "差"}
END_LABELS = {
    "其他需要说明事项", "其他需说明的问题", "其他需说明事项", "项目绩效情况", "评价人员",
    "项目概况", "项目资金使用情况", "项目组织实施情况", "备注",
}
SCORING_LEVEL1 = re.compile(r"^(投入|决策|过程|产出|效果|效益)[:：]?$")
TITLE = re.compile(r"自评表")
TABLE_LABEL = re.compile(r"(公开\s*\d+(?:\s*-\s*\d+)?\s*表|附件\s*\d+)")
YEAR = re.compile(r"(20\d{2})\s*年度")
ANY_YEAR = re.compile(r"(20\d{2})\s*年")
NARRATIVE_TOTAL = re.compile(r"总得分\s*(?:为|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
GOAL_HEADING = re.compile(r"(项目)?年度(绩效)?目标$")
NARRATIVE_GRADE = re.compile(r"属于\s*[\"“”]?(优秀|良好|合格|不合格|优|良|中|差)")
_NAME = r"(?!本|该|此|各|每|其中)([^，。：:；\s“”\"、（）()]{2,40}(?:、[^，。：:；\s“”\"、（）()]{2,40})*项目)"
NARRATIVE_NAMES = (  # `X项目绩效自评…` after a clause boundary, else a paragraph opening `X项目预算…`
    re.compile(r"(?:^|[，。：:；])" + _NAME + r"(?=绩效)", re.M),
    re.compile(r"^" + _NAME + r"(?=预算|资金)", re.M),
)
NARRATIVE_AMOUNTS = {
    "budget_initial": re.compile(r"年初预算(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "budget_full_year": re.compile(r"全年预算(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "executed": re.compile(r"全年执行(?:数|资金)?\s*(?:为)?\s*([\d,]+(?:\.\d+)?)\s*万元"),
    "execution_rate": re.compile(r"预算执行率\s*(?:为)?\s*(\d+(?:\.\d+)?\s*%)"),
}
BOILERPLATE = re.compile(r"^(第?\s*[-—]?\s*\d+\s*[-—]?\s*页?(\s*/\s*共?\s*\d+\s*页?)?|[-—]\s*\d+\s*[-—])$")
FUZZY_MIN = 88
HEADER_KEYS = {fold(name): field for field, names in HEADER_FIELDS.items() for name in names}
HEADER_LINE = re.compile(r"^(" + "|".join(re.escape(name) for names in HEADER_FIELDS.values() for name in names) + r")\s*[:：]\s*(\S.{0,60})$")
