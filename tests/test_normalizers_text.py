import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizers.text import clean_cell, fold, is_placeholder

CJK_GAP = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("产出 指标 (40分)", "产出指标(40分)"),
        ("绩效指标\n(40分)", "绩效指标(40分)"),
        ("宁夏 TB (备用)", "宁夏 TB (备用)"),
        ("年度 总体 目标", "年度总体目标"),
        ("绩效 指标 (40分)", "绩效指标(40分)"),
        ("服务对象 满意度 指标", "服务对象满意度指标"),
        ("科目二考场、4G执法记录仪及平台\n融媒体中心、酒检中心办案区", "科目二考场、4G执法记录仪及平台融媒体中心、酒检中心办案区"),
        ("产出\n指标", "产出指标"),
        ("交管\n12123", "交管12123"),
        ("Hello\nWorld", "Hello World"),
        ("100%\n以上", "100%以上"),
        ("有效节约 作用明显", "有效节约作用明显"),
        ("维护道路交通安全    能够为公众提供", "维护道路交通安全能够为公众提供"),
        ("交通违法行为 533000起", "交通违法行为 533000起"),
        ("COP15 安保", "COP15 安保"),
        ("  a   b  ", "a b"),
        ("群众\u3000满意度", "群众满意度"),
        ("交通\r\n安全", "交通安全"),
        ("＞95％", "＞95％"),
        ("群众满意度（%）", "群众满意度（%）"),
        ("方便群众， 提供", "方便群众，提供"),
        ("", ""),
        ("\n \n", ""),
    ],
)
def test_clean_cell(raw, clean):
    assert clean_cell(raw) == clean


@given(st.text(alphabet=st.sampled_from(list("产出指标满意度率 \n\t\u3000ab12%（）,，")), max_size=40))
def test_clean_cell_keeps_every_printed_character_and_is_idempotent(text):
    cleaned = clean_cell(text)
    assert "".join(cleaned.split()) == "".join(text.split())
    assert clean_cell(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned and "\n" not in cleaned
    assert not CJK_GAP.search(cleaned)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("产出 指标 （40分）", "产出指标(40分)"),
        ("其中：当年财政拨款", "其中:当年财政拨款"),
        ("【１２３】", "(123)"),
        ("〔2018〕85号", "(2018)85号"),
        ("ＴＢ／年", "tb/年"),
    ],
)
def test_fold(raw, key):
    assert fold(raw) == key


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_spaceless(text):
    key = fold(text)
    assert fold(key) == key
    assert not any(ch.isspace() for ch in key)


@pytest.mark.parametrize("name", ["指标1:", "指标1：", "指标 2 ：", "—", "-", "——", ".....", "…", "0", "0.00", "", "  ", "无", "/"])
def test_placeholders(name):
    assert is_placeholder(name)


@pytest.mark.parametrize("name", ["验收合格率", "0.95", "10", "指标值", "设备在线率", "方便群众,提高便利", "无人机巡查次数"])
def test_real_names_are_not_placeholders(name):
    assert not is_placeholder(name)
