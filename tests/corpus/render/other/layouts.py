"""The 21 real reports of other provinces (/work/wt/shared/real_reports/*.md): for each, the family
form as its publisher printed it, the text around the table, the output format and the readings of
cells the truth marks `?` (the md's best reading; absent = printed empty)."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import families as fam
from .forms import Col, Form, Funds
from .page import Chrome


@dataclass
class Output:
    kind: str  # html, xlsx, docx, pdf_docx, pdf_xlsx, scan, image
    chrome: Chrome | None = None
    dpi: int = 0
    color: bool = False
    quality: int = 55
    seal: str = ""


@dataclass
class Layout:
    doc: str  # truth folder
    family: str  # A … J of LAYOUTS.md
    output: Output
    forms: list[Form]  # one per project (the last repeats for further projects)
    title: list[str] = field(default_factory=list)  # per project, `{field}` templates
    above: list[str] = field(default_factory=list)  # lines between title and table (templates)
    below: list[str] = field(default_factory=list)  # lines after each table
    before: list[str] = field(default_factory=list)  # prose before the first title
    after: list[str] = field(default_factory=list)  # prose after the last table
    extra: list = field(default_factory=list)  # further (title, Form-less literal table) blocks
    readings: dict = field(default_factory=dict)  # (row seq, field) / (project seq, row seq, field) / ('funds', n, field) / 'project'
    note: str = ""
    landscape: bool = False

    @property
    def name(self) -> str:
        return self.doc.rsplit("_", 1)[0]


def chrome(site: str, crumbs: list[str], title: str, published: str, **kw) -> Chrome:
    return Chrome(site, ["首页", *crumbs], title, published, **kw)


def _a_cols(**kw) -> list[Col]:
    return fam.levels("一级\n指标") + fam.values(**kw)


SPLIT_FUNDS = Funds("项目资金\n(万元)", [("年初\n预算数", "budget_initial"), ("全年\n预算数", "budget_full_year"),
                                     ("全年\n执行数", "executed"), ("分值", "weight"), ("执行率", "execution_rate"),
                                     ("得分", "score")])

LAYOUTS: list[Layout] = [
    # ------------------------------------------------------------------ A
    Layout("tianchang_2022", "A",
           Output("html", chrome("天长市人民政府", ["信息公开", "天长市水利局", "财政资金"],
                                 "天长市水利局水旱灾害防御股项目支出绩效自评", "2023-12-05 15:04", nested=True)),
           [fam.standard(_a_cols(), Funds("项目资金\n(万元)", [("年初预算数", "budget_initial"),
                                                            ("全年预算数(A)", "budget_full_year"),
                                                            ("全年执行数(B)", "executed"), ("分值", "weight"),
                                                            ("执行率(B/A)", "execution_rate"), ("得分", "score")],
                                         sub_dash=True),
                         lead="年度绩效指标完成情况",
                         tail=[("row", "注:1.一级指标分值统一设置为:产出指标50分、效益指标30分、服务对象满意度指标10分、"
                                       "预算资金执行率10分。如有")])],
           title=["项目支出绩效自评表", "(2022年度)"],
           readings={(15, "name_raw"): "指标1:/", (15, "target_raw"): "/", (15, "actual_raw"): "/"},
           note="HTML article page, data table nested in the portal's layout table; 一级 cells print only "
                "(50分)/(30分); 指标1:/指标2:/…… placeholder rows; funds tags (A)/(B)/(B/A); footnote cut off"),
    Layout("langfang_2019", "A",
           Output("html", chrome("廊坊市食品工程学校", ["新闻中心", "通知公告"],
                                 "办公宿舍楼、食堂及餐厅暖通改造经费 绩效自评表(修改)", "2020-06-18",
                                 cell_paragraphs=True)),
           [fam.standard(fam.levels() + fam.values("年度\n指标值", "实际\n完成值"), SPLIT_FUNDS,
                         breaks=(22,), total=None)],
           title=["附件1", "项目支出绩效自评表", "2019年度)"],
           note="school web page, Word table saved as HTML (a <p> per cell line); every header split over two "
                "lines; 指标1工程资金金额 prefixes; 效益指标 re-printed before 可持续影响; deviation 0; cut in 满意度"),
    Layout("zhaidian_2021", "A", Output("pdf_xlsx"),
           [fam.standard(_a_cols(target="年度\n指标值", actual="实际\n完成值"),
                         Funds("项目资金\n(万元)", [("年初预算\n数", "budget_initial"), ("全年预算数", "budget_full_year"),
                                                 ("全年执行数", "executed"), ("分值", "weight"),
                                                 ("执行率", "execution_rate"), ("得分", "score")]),
                         goals=("年度\n总体\n目标", ["预期目标", "实际完成情况"], ["{goal_expected}", "{goal_actual}"]),
                         total=None)],
           title=["稷山县项目支出绩效自评表", "(2021年度)"],
           readings={(1, "level1_raw"): "产出指标", (24, "target_raw"): "14例", (24, "actual_raw"): "14例",
                     (24, "weight"): "2", (24, "score"): "2", (25, "target_raw"): "24694人",
                     (25, "actual_raw"): "22584人", (25, "weight"): "2", (25, "score"): "1.7",
                     (26, "name_raw"): "指标1:提升国家基本", (26, "level1_raw"): "产出指标",
                     ("funds", 2, "budget_full_year"): "207.4538", ("funds", 2, "executed"): "207.4538"},
           note="XLSX exported to PDF by LibreOffice; 25 rows under one 数量指标, fractional scores 1.9/1.8, "
                "年初预算数 0, 4-decimal amounts; rows 1-5 values unreadable in the source (printed empty)"),
    Layout("linxiang_2023", "A",
           Output("html", chrome("临沧市临翔区人民政府", ["信息公开", "财政预决算"],
                                 "临翔区林业和草原局2023年马鹿坑国有林场新建野生动物收容所建设项目支出绩效自评表",
                                 "2023-12-01 10:26")),
           [fam.standard(fam.levels() + fam.values(),
                         Funds("项目资金\n(万元)", fam.STANDARD_FUNDS.cols, rate_digits=2),
                         goals=("年度\n总体\n目标", ["预期目标", "实际完成情况"], ["{goal_expected}", "{goal_actual}"]),
                         lead="绩效指标", merge={"level1_raw": "first", "level2_raw": "repeat"}, total=None)],
           title=["项目支出绩效自评表", "( 2023年度)"],
           readings={(8, "name_raw"): "受益农户满意度"},
           note="HTML table; 一级 only on a block's first row, 二级 repeated; 时效 before 质量; 无 deviations; "
                "97.80% → 9; cut at 满意度"),
    Layout("lingling_2021", "A",
           Output("html", chrome("永州市零陵区林业局", ["政府信息公开", "年度报告"],
                                 "2021年林业局部门整体支出绩效自评表", "2022-04-07", cell_paragraphs=True)),
           [fam.standard(fam.levels() + fam.values("年度\n指标值", "实际\n完成值", deviation="偏差原因\n分析及\n改进措施"),
                         Funds("年度预算申请\n(万元)", fam.STANDARD_FUNDS.cols, money="wan",
                               split=("按收入性质分:", "按支出性质分:")),
                         head=[("fields", [("级预算单位名称", "{project_name}")])], total=None)],
           title=["部门整体支出绩效自评表", "2021年度)"],
           note="Hunan 部门整体 table as Word HTML (<p> per cell); amounts with 万元 in the cells, breakdown by "
                "收入性质/支出性质 as funds rows; 执行率 100% against 3824.26/4753.66; (50) and 30分) labels; cut in 生态"),
    # ------------------------------------------------------------------ B
    Layout("taibai_2021", "B",
           Output("html", chrome("绥阳县人民政府", ["乡镇(街道)", "太白镇", "财政预决算"],
                                 "绥阳县太白镇人民政府2021年度部门整体支出绩效自评表", "2022-08-24 16:12")),
           [fam.standard(fam.levels() + [Col("年度指标值(A)", "target_raw", 1.8), Col("全年实际值(B)", "actual_raw", 1.8),
                                         Col("分值", "weight", 1.0), Col("得分计算方法", "scoring_method", 2.6),
                                         Col("得分", "score", 1.0)],
                         Funds("部门(单位)总体\n资金(万元)", [("年初预算数(A)", "budget_initial"), ("全年执行数(B)", "executed"),
                                                        ("分值(10分)", "weight"), ("得分", "score"),
                                                        ("得分计算方法", "=执行率*该指标分值,最高不得超过分值上限。")],
                               label_head="资 金 来 源"),
                         head=[("fields", [("部门(单位)名称", "{project_name}")])],
                         goals=("年度总体目标", ["年初设定目标", "年度总体目标完成情况"], ["{goal_expected}", "{goal_actual}"]),
                         total=None)],
           title=["部门整体支出绩效自评表"], above=["单位(盖章):绥阳县太白镇人民政府　　　　填报日期:2022年2月3日"],
           note="HTML table; funds by 基本支出/项目支出/其他, each 10 of 10, 执行 > 预算; 得分计算方法 column; "
                "the page ends at the indicator header (no rows)"),
    Layout("jiangxi_zhengxie_2017", "B", Output("pdf_docx"),
           [fam.standard([Col("一级指标", "level1_raw", 1.3, fmt="vertical"), Col("二级指标", "level2_raw", 1.8),
                          Col("三级指标", "name_raw", 2.0), Col("分值", "weight", 1.0),
                          Col("年度指标值", "target_raw", 1.6), Col("全年实际值", "actual_raw", 1.6),
                          Col("评分标准", "scoring_method", 5.0), Col("得分", "score", 1.2, fmt="fen")],
                         None, head=[("fields", [("项目名称", "{project_name}")])], goals=None,
                         total=("总分", {"score": "{total_score}"}))],
           title=["项目支出绩效自评表", "(2017年度)"],
           below=["注:1.得分一档最高不能超过该指标分值上限。",
                  "2.评分标准:(1)定性指标根据指标完成情况分为:达成年度指标、部分达成年度指标并具有一定效果、未达成年度指标"
                  "且效果较差三档,分别按照该指标对应分值区间100-80%(含)、80-50%(含)、50-0%合理确定分值。(2)定量指标"
                  "若为正向指标,则得分计算方法应用全年实际值(B)/年度指标值(A)×该指标分值;若为反向指标,则得分计算方法应用"
                  "年度指标值(A)/全年实际值(B)×该指标分值。"],
           readings={(1, "level1_raw"): "产出指标",
                     (2, "scoring_method"): "通过省政协委员的视察、调研活动,确保履行江西省政协履行政治协商、民主监督、参政议政职能"},
           note="DOCX exported to PDF; 一级 labels printed one character a line; weights on 一级 and 二级; 评分标准 text "
                "per row; scores written `10 分`; 总分 99.3 分 and a long 注"),
    # ------------------------------------------------------------------ C
    Layout("suixi_2019", "C",
           Output("html", chrome("濉溪县人民政府", ["信息公开", "濉溪县民政局", "财政资金"],
                                 "(临时救助)绩效目标自评表", "2020-05-29 09:41", charset="gb2312")),
           [fam.poverty(head=[("fields", [("项目名称", "{project_name}")]),
                              ("fields", [("主管部门", "[{dept_code}]{competent_dept}")])],
                        goals=("年度总体目标", ["年初设定目标", "年度总体目标完成情况综述"],
                               ["{goal_expected}", "{goal_actual}"]), total=None)],
           title=["绩效目标自评表", "(2019年度)"],
           readings={(10, "target_raw"): ">=9"},
           note="HTML in GBK bytes declaring charset=gb2312; 分值 before 年度指标值, 全年实际值; ★★★ and (≥**人) left "
                "in names; [155] code before 主管部门; cut in the 满意度 row"),
    # ------------------------------------------------------------------ D
    Layout("daying_2023", "D",
           Output("html", chrome("大英县融媒体中心", ["政务", "财政预决算"],
                                 "大英县医疗保障局2023年度部门决算(项目支出绩效自评表)", "2024-09-12 17:30")),
           [fam.sichuan(), fam.sichuan(cut=True)],
           title=["部门预算项目支出绩效自评表(2023年度)"],
           below=["项目负责人:　　　　　　财务负责人:"],
           readings={(1, "level1_raw"): "产出指标", (1, "level2_raw"): "时效指标", (2, "level1_raw"): "产出指标",
                     (3, "level1_raw"): "产出指标"},
           note="HTML page with two Sichuan tables back to back; the first shows its indicator rows (完成值/得分 "
                "unfilled, 定性 row with 优良中低差 and no unit) and 合计 100; the second only its head "
                "(51092322T000000431595- code before the name)"),
    # ------------------------------------------------------------------ E
    Layout("huanggang_2020", "E", Output("image", dpi=200, color=True, quality=60, seal="黄冈市档案馆"),
           [Form([Col("", "", 3.0), Col("", "", 4.0), Col("", "", 10.0)],
                 [("tree", [("自評得分", [("", "100分")]),
                            ("績效目標\n完成情況", [("執行率情況", "檔案搶救與保護、檔案工作考評、查詢利用、檔案資料征集、數字化、編研、陳列等專項經費預算10萬元,實際支出10萬元,執行率100%。"),
                                                ("完成的績效目標", "2020年項目經費10萬元主要用於重點檔案搶救、檔案複製、檔案資料征集、數字化、編研、庫房日常管理、裝具更換、設備購置維護等。"),
                                                ("未完成的績效目標", "無")]),
                            ("存在的問題\n和原因", [("上年度績效評價結果應用情況", "無"), ("本年度績效存在的問題和原因", "無")]),
                            ("下一步擬\n改進措施", [("項目整改和績效目標調整完善等", "無"),
                                              ("自評結果應用情況,包括擬與預算安排相結合等", "無")])])]),
            fam.hubei([("項目類別", "1、上級專項　2、本級專項"), ("項目屬性", "1、持續性項目　2、新增性項目"),
                       ("項目類型", "1、一次性撥付項目　2、多次撥付項目")],
                      Funds("預算執行情況(萬元)\n(20分)", [("預算數(A)", "budget_full_year"), ("執行數(B)", "executed"),
                                                      ("執行率(B/A)", "execution_rate"), ("得分(20分*執行率)", "score")],
                            money="wan_trad"))],
           title=["項目績效自評報告", "附件2:黃岡市檔案館2020年度項目績效自評表"],
           above=["", "單位名稱:黃岡市檔案館　　　　填報日期:2021年4月"],
           note="one page image (200 dpi colour JPEG, red seal) of the traditional-character mirror: the 自评报告 "
                "as a form (自評得分100分), then 附件2 head with option rows, 20-point funds in 萬; no indicator rows"),
    Layout("huangshi_2022", "E",
           Output("html", chrome("黄石市图书馆", ["本馆概况", "信息公开"], "2022年度共享工程项目自评表", "2023-08-14 09:30")),
           [fam.hubei([("项目类别", "1、部门预算项目 ☑　2、市直专项"), ("项目属性", "1、持续性项目 ☑　2、新增性项目 □"),
                       ("项目类型", "1、常年性项目 ☑　2、延续性项目 □　3、一次性项目 □")],
                      lead="年度绩效目标1\n(80分)", merge_scores=True)],
           title=["附表2", "2022年度共享工程项目自评表"],
           above=["项目单位(盖章):黄石市图书馆　　主要领导签字:", "填报日期:2023.6.28"],
           readings={(13, "name_raw"): "在网络上设置读者满意度调查"},
           note="HTML table; ☑/□ option rows; 20-point funds; 年度绩效目标1 (80分) block; a 二级 group's score in "
                "one merged cell; a row without 三级 name (2022年全年); cut at 满意度"),
    Layout("hubeigongcheng_nd", "E", Output("scan", dpi=150, color=False, quality=50, seal="湖北工程学院"),
           [fam.hubei([("项目类别", "部门预算项目☑　省直专项□　省对下转移支付项目□"),
                       ("项目属性", "持续性项目□　新增性项目☑"), ("项目类型", "常年性项目☑　延续性项目□　一次性项目□")],
                      Funds("预算执行情况\n(万元)( 分)", [("预算数( )", "budget_full_year"), ("执行数( )", "executed"),
                                                   ("执行率( )", "execution_rate"), ("得分(分*执行率)", "score")]))],
           title=["湖北工程学院　年学生资助项目绩效目标自评表"], above=["填报日期:　　　　　　　　总分:　分"],
           readings={("project", "project_name"): "学生资助项目",
                     (1, "score"): "分(因全校总人数减少,总指标数减少,但奖励、资助比例没减少)", (8, "score"): "分"},
           note="150 dpi grey scan with a red seal; Hubei provincial form with ☑/□ rows and 总分: 分 above the table; "
                "the digits are missing as in the only copy (past 过程指标 row, a note in a score cell)"),
    Layout("hbust_2021", "E",
           Output("html", chrome("湖北科技学院信息公开网", ["信息公开目录", "财务信息"],
                                 "湖北科技学院2021年度本专科生奖助学金项目自评结果", "2022-05-20")),
           [fam.scoring(fam.levels(three="指标名称") + [Col("目标值", "target_raw", 2.0), Col("实际完成值", "actual_raw", 2.0)],
                        merge={"level1_raw": "repeat", "level2_raw": "repeat"})],
           before=["一、自评结论", "(一)评价得分情况",
                   "按照省财政厅、省教育厅关于开展项目支出绩效自评的通知要求,我校对2021年度本专科生奖助学金项目开展了绩效自评,"
                   "综合评价得分为 99.8分。", "(二)绩效目标完成情况", "1、执行率情况",
                   "根据鄂财教发[2021]40号文件,实际下达预算2596万元,全年度实际总支出2595.6208 万元,项目预算执行率99%,"
                   "未全部执行的原因是部分学生退学、休学,资金退回。", "2、完成的绩效目标"],
           after=["(三)存在的问题和原因", "资助工作信息化程度不高,家庭经济困难学生认定的精准度有待进一步提高。"],
           readings={("project", "project_name"): "本专科生奖助学金项目", ("project", "implementing_unit"): "湖北科技学院"},
           note="university HTML page: 自评结果 prose (99.8分, budget in prose) around a 5-column completion table "
                "with 一级/二级 repeated on every row, rows not grouped, no scores"),
    # ------------------------------------------------------------------ F
    Layout("xibukexuecheng_2021", "F", Output("scan", dpi=200, color=True, quality=55, seal="西部(重庆)科学城融媒体中心"),
           [fam.chongqing_department()],
           title=["部门整体绩效自评表"], landscape=True,
           readings={("project", "goal_expected"): "通过整合各级各类媒体、户外广告载体、宣传宣讲活动等,为建设成渝地区双城经济圈和"
                                                   "西部(重庆)重庆科学城营造良好氛围。保障融媒体中心正常人事基础/日常运转,有效承担"
                                                   "西部(重庆)科学城新闻宣传管理,思想文化领域建设等工作。",
                     **{(k, "target_raw"): v for k, v in {1: "100%", 3: "100%", 4: "70%", 5: "3%", 6: "2%", 7: "100%",
                                                          9: "100%", 10: "高", 11: "好", 12: "高", 13: "好", 14: "90%",
                                                          15: "26次", 18: "2200篇", 19: "90%"}.items()},
                     (10, "nature_raw"): "定性指标"},
           note="200 dpi colour scan (red seal) of the Chongqing 部门整体 form: 自评总分 97.6 in the head, 执行率 76% → "
                "7.6 of 10, three goal columns, one flat indicator list with 计量单位/指标性质/年初/调整/完成/得分系数/"
                "权重/得分/是否核心指标; cut after 业务保障能力提升"),
    Layout("pengshui_2024", "F",
           Output("html", chrome("彭水苗族土家族自治县人民政府", ["政府信息公开", "卫生健康委", "计划生育服务"],
                                 "2024年度中央对地方转移支付计划生育服务项目绩效自评表", "2025-03-19 16:05")),
           [fam.scoring([Col("一级指标\n名称", "level1_raw", 1.4, group="指标名称"),
                         Col("二级指标\n名称", "level2_raw", 1.4, group="指标名称"),
                         Col("三级指标\n名称", "name_raw", 1.6, group="指标名称"),
                         Col("指标解释", "indicator_note", 3.2), Col("自评内容", "target_raw", 2.4, group="记录"),
                         Col("完成情况", "actual_raw", 2.0, group="记录"),
                         Col("未完成原因及改进措施", "deviation_note", 1.8), Col("需提供的支撑材料", "@support", 3.2)],
                        merge={"level1_raw": "merge", "level2_raw": "merge", "name_raw": "merge",
                               "indicator_note": "merge"},
                        inserts={3: Funds("", [("年度预算资金总额)", "budget_full_year"), ("其中:中央补助", "central"),
                                               ("市级资金", "municipal"), ("本级资金(包括结转结余)", "county")],
                                          label_head="资金", money="fixed2",
                                          pivot=("central", "municipal", "county"))})],
           title=["2024年度中央对地方转移支付计划生育服务项目绩效自评表"],
           readings={(1, "@support"): "1.2024年度项目资金预算测算相关材料。 2.反映计划生育项目资金支出的数据(截图或表),以及其他"
                                      "可反映项目资金实际支出情况的相关材料,不可\"以拨代支\"。",
                     (4, "actual_raw"): "以资金文",
                     **{("funds", seq, level): amount for seq, split in ((5, ("502", "208", "53")),
                                                                         (6, ("166", "136", "20.25")))
                        for level, amount in zip(("central", "municipal", "county"), split)}},
           note="HTML checklist table: two header rows (指标名称 / 记录 over their columns), 指标解释/自评内容/完成情况/"
                "需提供的支撑材料, no scores; a funds grid by government level and sub-programme inside the table; cut"),
    # ------------------------------------------------------------------ G
    Layout("dazhou_nd", "G",
           Output("html", chrome("达州市农业农村局", ["信息公开", "财政信息"], "绩效评价得分表", "2020-07-03")),
           [fam.scoring(fam.levels() + [Col("得分", "score", 1.5)]),
            fam.scoring(fam.levels("一级\n指标", "二级\n指标") + [Col("分值", "weight", 1.2), Col("得分", "score", 1.2)],
                        head=[("fields", [("单位名称/\n项目名称", "")])])],
           title=["部门整体支出绩效评价得分表", "项目支出绩效评价得分表"],
           note="HTML page with two blank score sheets: 部门整体 (weights only inside the labels, 得分 empty) and a "
                "项目 sheet whose 一级/二级 cells lost their names ((20分), (10), (特性指标70分)); cut"),
    Layout("shouxian_2023", "G",
           Output("html", chrome("寿县人民政府", ["信息公开", "财政预决算"], "2023年度部门整体支出绩效评价自评表",
                                 "2024-06-20 11:02")),
           [fam.scoring([Col("序号", "row_no", 0.8), Col("一级\n指标", "level1_raw", 1.3), Col("二级\n指标", "level2_raw", 1.4),
                         Col("三级\n指标", "name_raw", 1.6), Col("指标分值", "weight", 1.0),
                         Col("指标解释", "indicator_note", 4.4), Col("指标说明及评分标准", "scoring_method", 4.4),
                         Col("自评得分", "score", 1.0)], head=[("fields", [("单位", "")])])],
           title=["2023年度部门整体支出绩效评价自评表"],
           readings={(6, "scoring_method"): "1、除上级政策性因素影响外,年度无预算追加(1"},
           note="HTML 评分表: 序号, weights in 一级 and 二级 labels and in 指标分值, long 指标解释 and 评分标准 "
                "text, 自评得分 only; 规划/执行 framework; cut in row 6"),
    Layout("batang_2018", "G", Output("pdf_xlsx"),
           [fam.scoring([Col("目标名称", "name_raw", 2.4), Col("", "scoring_method", 8.0), Col("分值", "weight", 1.2),
                         Col("得分", "score", 1.2)])],
           title=["港南区八塘街道2018年耕地地力保护补贴项目专项支出绩效评分细则"],
           above=["评价单位:港南区八塘街道办事处　　评价项目:2018年耕地地力保护补贴　　评价人员:"],
           readings={(9, "name_raw"): "领导重视", (9, "scoring_method"): "成立项目实施工作领导小组,有检查、有督"},
           note="XLS score sheet exported to PDF: one level (目标名称), criterion text with sub-points, 分值/得分; cut"),
    Layout("suzhou_2016", "G", Output("docx"),
           [fam.scoring([Col("内容", "level1_raw", 1.6), Col("指标", "name_raw", 5.0), Col("权重", "weight", 1.6, fmt="fixed2"),
                         Col("评分结果", "score", 1.6, fmt="fixed2"), Col("备注", "deviation_note", 4.0)],
                        head=[("fields", [("项目名称", "{project_name}"), ("单位", "{implementing_unit}")])],
                        total=("合计", {"weight": "{total_weight}", "score": "{total_score}"}))],
           title=["2016 年度市级财政支出项目绩效再评价评分表"],
           readings={(6, "level1_raw"): "投入", (6, "name_raw"): "预算执行率",
                     (2, 6, "name_raw"): "预算执"},  # the second table's last row as far as the source goes
           note="native DOCX, one 再评价评分表 per project (2): 内容/指标/权重/评分结果/备注, weights 2.33/2.37/5.34, "
                "evaluation-quality rows without 内容, target/actual in 备注, 合计; the second table cut"),
    # ------------------------------------------------------------------ I
    Layout("yueyang_2021", "I",
           Output("html", chrome("岳陽縣人民政府", ["政務公開", "財政資金"], "岳陽縣財政支出項目績效評價自評報告(森林防火專項)",
                                 "2022-07-14", source="縣林業局")),
           [Form([Col("", "", 2.2), Col("", "", 2.2), Col("", "", 3.0), Col("", "", 3.0), Col("", "", 3.0), Col("", "", 3.0)],
                 [("fields", [("項目負責人", "易滔"), ("聯系電話", "13974010178")]),
                  ("fields", [("項目地址", "岳陽縣"), ("郵編", "414100")]),
                  ("fields", [("項目起止時間", "{project_period}")]),
                  ("funds", Funds("項目資金\n情況", [("計劃安排資金(萬元)", "budget_full_year"),
                                                ("實際到位資金(萬元)", "received"), ("實際支出(萬元)", "executed"),
                                                ("結余(萬元)", "@balance")]))])],
           before=["岳陽縣財政支出項目績效評價自評報告", "評價類型:項目實施過程評價□　項目完成結果評價□√",
                   "項目名稱:森林防火專項", "項目單位:岳陽縣林業局", "主管部門:岳陽縣林業局", "評價方式:部門(單位)績效自評",
                   "評價機構:部門(單位)評價組", "報告日期: 2022 年 7 月 8 日", "岳陽縣財政局(制)"],
           title=["一、項目基本概況"],
           extra=[("二、項目支出明細情況", ["支出內容", "實際支出數", "會計憑證號", "備注"],
                   [["春節防火宣傳]", "45300", "1月11號", ""], ["大云山森林防火", "50000", "5月7號", ""],
                    ["防火宣傳", "22146", "5月8號", ""], ["節假日防撲火補助", "45300", "5月21號", ""],
                    ["風力滅火機5臺", "29000", "7月27號", ""], ["防火油料", "2015", "7月29號", ""],
                    ["防火服裝", "16900", "7月28號", ""], ["森林防火演練", "16200", "7月31號", ""],
                    ["森林防火演練", "40080", "7月31號", ""], ["防火帶規劃設計", "283059", "9月8號", ""],
                    ["支出合計", "550000", "", ""]])],
           readings={("funds", 1, "@balance"): "0", ("funds", 5, "@balance"): "0"},
           note="HTML mirror in traditional characters: the Hunan form-style 自评报告 (cover with □√, 項目基本概況 "
                "with a funds grid by government level × 计划/到位/支出/结余, an expense list in 元 with voucher dates)"),
    # ------------------------------------------------------------------ J
    Layout("ningjin_2019", "J", Output("xlsx"),
           [fam.scoring([Col("评价指标", "level1_raw", 2.6), Col("评价内容", "level2_raw", 2.2), Col("指标名称", "name_raw", 3.6),
                         Col("指标说明", "indicator_note", 2.4), Col("目标值", "target_raw", 1.8),
                         Col("分值", "weight", 1.2), Col("备注", "=", 1.6)],
                        total=("总分", {"weight": "{total_weight}"}))],
           title=["2019年度宁晋县高中助学金项目绩效评价指标表"],
           readings={(2, "level2_raw"): "产出数量指标", (2, "name_raw"): "享受资助人数", (2, "indicator_note"): "达到预计值",
                     (3, "level2_raw"): "产出数量指标"},
           note="native XLSX attachment: targets and weights only (评价指标/评价内容/指标名称/指标说明/目标值/分值/备注), "
                "总分 100; no actuals, no scores"),
]
