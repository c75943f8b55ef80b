import csv
from decimal import Decimal
from pathlib import Path

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizers.numbers import parse_amount, parse_number, parse_rate
from normalizers.text import is_placeholder
from normalizers.values import OPERATORS, ParsedValue, normalize_unit, parse_value

TRUTH = Path(__file__).parent / "corpus" / "truth"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,831.00", 1831.0), ("17,612.15", 17612.15), ("23.1万", 231000.0), ("238.3万", 2383000.0),
        (">6万人次", 60000.0), ("40万余条", 400000.0), ("9万余次", 90000.0), ("录入劝导日志80万", 800000.0),
        ("8万次劝导宣传", 80000.0), ("一年", 1.0), ("两个", 2.0), ("十二", 12.0), ("三段", 3.0), ("一批", 1.0),
        ("一项", 1.0), ("3268.20万元/年", 3268.2), ("≤6万/处", 6.0), ("<1万元/处", 1.0), ("2亿元", 2.0),
        ("1.5亿人次", 150_000_000.0), ("１００％", 100.0), ("1—12月", 1.0), ("≥98%", 98.0), ("0", 0.0),
        ("满足驾驶员科目三考试需求", None), ("一般程序", None), ("十分明显", None), ("零星修缮", None),
        ("显著提升", None), ("—", None), ("", None), ("COP15安保", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,831.00", 1831.0), ("6470.8", 6470.8), ("4,600.00", 4600.0), ("23.1万", 23.1), ("—", None), ("", None), ("0", 0.0)],
)
def test_parse_amount(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("100.00%", 1.0), ("100%", 1.0), ("51%", 0.51), ("42.43%", 0.4243), ("73.43%", 0.7343), ("100.00", 1.0),
        ("100", 1.0), ("0", 0.0), ("0.95", 0.95), ("1", 1.0), ("５０％", 0.5), ("—", None), ("", None),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


# (target_raw, actual_raw, nature_raw, unit_raw) → (operator, target_value, actual_value, unit, flags)
SEED_VALUES = [
    (("≥98%", "98%"), (">=", 98.0, 98.0, "%", ())),
    ((">90%", "100%"), (">", 90.0, 100.0, "%", ())),
    ((">6万人次", "8万人次"), (">", 60000.0, 80000.0, "人次", ())),
    ((">90万个", "100万个"), (">", 900000.0, 1000000.0, "个", ())),
    (("一年", "一年"), ("=", 1.0, 1.0, "年", ())),
    (("三段", "三段"), ("=", 3.0, 3.0, "段", ())),
    (("一批", ""), ("=", 1.0, None, "批", ())),
    (("≥3次", "一项"), (">=", 3.0, 1.0, "次", ())),
    (("≥7家", "7"), (">=", 7.0, 7.0, "家", ())),
    (("12台", "0"), ("=", 12.0, 0.0, "台", ())),
    (("10TB/年", "10TB/年"), ("=", 10.0, 10.0, "TB/年", ())),
    (("3268.20万元/年", "3268.20万元/年"), ("=", 3268.2, 3268.2, "万元/年", ())),
    (("347万元/年", "180万元"), ("=", 347.0, 180.0, "万元/年", ())),
    (("<1万元/处", "<1万元/处"), ("<", 1.0, 1.0, "万元/处", ())),
    (("≤6万/处", "≤6万/处"), ("<=", 6.0, 6.0, "万/处", ())),
    (("123.33万元/段", "<123.33万元/段"), ("=", 123.33, 123.33, "万元/段", ())),
    (("≤420万元/批", ""), ("<=", 420.0, None, "万元/批", ())),
    (("1年/20个大队", "1年/20个大队"), ("=", 1.0, 1.0, "年", ())),
    (("≤4小时", "2"), ("<=", 4.0, 2.0, "小时", ())),
    ((">60%", ">60%"), (">", 60.0, 60.0, "%", ())),
    (("<1年", "<1年"), ("<", 1.0, 1.0, "年", ())),
    (("显著提升", "提升"), ("定性", None, None, "", ())),
    (("有效提高", "有效提高"), ("定性", None, None, "", ())),
    (("显著下降", "90%"), ("定性", None, None, "", ())),
    (("作用明显", "作用明显", "=", "%"), ("定性", None, None, "", ())),
    (("及时发放", "及时发放", "=", "%"), ("定性", None, None, "", ())),
    (("满足驾驶员科目三考试需求", "满足驾驶员科目三考试需求"), ("定性", None, None, "", ())),
    (("达到行业标准，满足执法要求", "能够满足执法要求"), ("定性", None, None, "", ())),
    (("有效节约 作用明显", "有效节约 作用明显", "定性", ""), ("定性", None, None, "", ())),
    (("符合国家标准", "符合国家标准", "定性", ""), ("定性", None, None, "", ())),
    (("154000", "154033", ">=", "人次"), (">=", 154000.0, 154033.0, "人次", ())),
    (("23.1万", "238.3万", ">=", "份"), (">=", 231000.0, 2383000.0, "份", ())),
    (("录入劝导日志80万", "40万余条", ">=", "次"), (">=", 800000.0, 400000.0, "次", ())),
    (("8万次劝导宣传", "90000", ">=", "次"), (">=", 80000.0, 90000.0, "次", ())),
    (("0.95", "100", "=", "%"), ("=", 0.95, 100.0, "%", ("percent_scale_suspect",))),
    (("1", "100", "=", "%"), ("=", 1.0, 100.0, "%", ("percent_scale_suspect",))),
    (("100", "1", "=", "%"), ("=", 100.0, 1.0, "%", ("percent_scale_suspect",))),
    (("100", "0", "=", "%"), ("=", 100.0, 0.0, "%", ())),
    (("0", "0", "<", "%"), ("<", 0.0, 0.0, "%", ())),
    (("90", "90.64", "=", "%"), ("=", 90.0, 90.64, "%", ())),
    (("100M", "100M", "＝", "M"), ("=", 100.0, 100.0, "M", ())),
    (("23", "23", "≥", "条"), (">=", 23.0, 23.0, "条", ())),
    (("815.31", "815.31", "≤", "万元"), ("<=", 815.31, 815.31, "万元", ())),
    (("15", "15", "≤", "分钟"), ("<=", 15.0, 15.0, "分钟", ())),
    (("1—12月", "1—12月"), ("=", 1.0, 1.0, "月", ())),
    (("8.48万", "8.48万"), ("=", 84800.0, 84800.0, "", ())),
    (("1套", "0"), ("=", 1.0, 0.0, "套", ())),
    (("23", "23处"), ("=", 23.0, 23.0, "处", ())),
    (("600", "600万元"), ("=", 600.0, 600.0, "万元", ())),
    (("100%", "100%"), ("=", 100.0, 100.0, "%", ())),
    (("95%以上", "97%"), (">=", 95.0, 97.0, "%", ())),
    (("不低于90%", "92%"), (">=", 90.0, 92.0, "%", ())),
    (("不超过2小时", "1.5小时"), ("<=", 2.0, 1.5, "小时", ())),
    (("15分钟以内", "10分钟"), ("<=", 15.0, 10.0, "分钟", ())),
    (("大于95%", "96%"), (">", 95.0, 96.0, "%", ())),
    (("小于2%", "1%"), ("<", 2.0, 1.0, "%", ())),
    (("达到100%", "100%"), (">=", 100.0, 100.0, "%", ())),
    (("1200元/生·年", ""), ("=", 1200.0, None, "元/生·年", ())),
    (("1", "0", "=", "个/标段"), ("=", 1.0, 0.0, "个/标段", ())),
    (("", "≥10%"), ("", None, 10.0, "%", ())),
    (("—", "—"), ("", None, None, "", ())),
    (("COP15安保到位", "到位"), ("定性", None, None, "", ("unparsed_value",))),
]


@pytest.mark.parametrize(("args", "expected"), SEED_VALUES, ids=[" | ".join(a) for a, _ in SEED_VALUES])
def test_parse_value_seed_forms(args, expected):
    assert parse_value(*args) == ParsedValue(*expected)


@pytest.mark.parametrize(("target", "actual", "unit"), [
    (">=530元/人*月", "583元/人*月", "元/人*月"), ("≥570元/人×月", "758元/人×月", "元/人×月"),
    ("<=5300元/户", "5830元/户", "元/户"),
])
def test_compound_unit_with_a_multiplication_sign_is_kept_whole(target, actual, unit):
    """濉溪 扶贫: a compound rate written with * or × instead of · (元/人*月) is one unit, not 元/人."""
    assert parse_value(target, actual).unit == unit


@pytest.mark.parametrize(
    ("unit", "normalized"),
    [("％", "%"), (" % ", "%"), ("万元/年", "万元/年"), ("ＴＢ／年", "TB/年"), ("百分比", "%"), ("—", ""), ("", ""), ("人次", "人次")],
)
def test_normalize_unit(unit, normalized):
    assert normalize_unit(unit) == normalized


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_parse_number_round_trips_separated_numbers(value):
    assert parse_number(f"{value:,.2f}") == float(value)
    assert parse_number(f"{value:.2f}万元") == float(value)
    assert parse_amount(f"{value:,}") == float(value)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_parse_number_resolves_wan_and_yi(value):
    assert parse_number(f"{value}万人次") == float(value * 10_000)
    assert parse_number(f"约{value}亿") == float(value * 100_000_000)
    assert parse_number(f"{value}万/处") == float(value)


@given(st.integers(min_value=1, max_value=99_999_999))
def test_parse_number_reads_chinese_numerals(n):
    assert parse_number(cn2an.an2cn(n) + "个") == n


SYMBOLS = {
    ">=": ["≥", ">=", "＞＝", "≧", "不低于", "不少于", "达到"],
    ">": [">", "＞", "大于", "高于"],
    "<=": ["≤", "<=", "＜＝", "≦", "不超过", "不高于"],
    "<": ["<", "＜", "小于", "低于"],
    "=": ["=", "＝", ""],
}


@given(
    st.sampled_from([(op, spelling) for op, spellings in SYMBOLS.items() for spelling in spellings]),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["%", "次", "人次", "万元", "小时", "个/标段", ""]),
    st.sampled_from(["", "=", ">=", "<", "定性"]),
)
def test_operator_spellings_map_consistently(op_spelling, value, unit, nature):
    operator, spelling = op_spelling
    parsed = parse_value(f"{spelling}{value}{unit}", "", nature)
    expected = operator if spelling else {"": "=", "定性": "="}.get(nature, nature)
    assert parsed.operator == expected
    assert parsed.target_value == float(value)
    assert parsed.unit == unit


@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=5), st.text(max_size=5))
def test_parse_value_never_raises(target, actual, nature, unit):
    parsed = parse_value(target, actual, nature, unit)
    assert parsed.operator in (*OPERATORS, "")
    if parsed.operator == "定性":
        assert parsed.target_value is None and parsed.actual_value is None and parsed.unit == ""
    assert set(parsed.flags) <= {"percent_scale_suspect", "unparsed_value"}


def truth_rows() -> list[dict]:
    """Every truth row whose raw cells are known (`?` marks a cell the transcription could not read)."""
    raw = ("target_raw", "actual_raw", "nature_raw", "unit_raw")
    return [row for path in sorted(TRUTH.glob("*/indicators.csv")) for row in csv.DictReader(path.open(encoding="utf-8"))
            if "?" not in (row[f] for f in raw)]


def as_number(text: str) -> float | None:
    return None if text == "" else float(Decimal(text))


@pytest.mark.skipif(not truth_rows(), reason="no truth files")
def test_parse_value_agrees_with_truth_files():
    rows = truth_rows()
    agree = dict.fromkeys(("operator", "target_value", "actual_value", "unit"), 0)
    for row in rows:
        placeholder = "placeholder_row" in row["flags"] or is_placeholder(row["name_raw"])
        parsed = ParsedValue("", None, None, "", ()) if placeholder else parse_value(
            row["target_raw"], row["actual_raw"], row["nature_raw"], row["unit_raw"]
        )
        agree["operator"] += row["operator"] in ("?", parsed.operator)
        agree["target_value"] += row["target_value"] == "?" or parsed.target_value == as_number(row["target_value"])
        agree["actual_value"] += row["actual_value"] == "?" or parsed.actual_value == as_number(row["actual_value"])
        agree["unit"] += row["unit"] in ("?", parsed.unit)
    print({field: f"{n}/{len(rows)}" for field, n in agree.items()})
    assert all(n >= 0.99 * len(rows) for n in agree.values()), agree


def test_thousands_read_as_dots_by_ocr():
    from normalizers.numbers import parse_amount

    assert parse_amount("1.831.00") == 1831.0
    assert parse_amount("12.345.678.90") == 12345678.9
    assert parse_amount("1.5") == 1.5
