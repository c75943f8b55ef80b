"""Structure of every ground-truth folder (the five seeds and the 21 real reports of other provinces)."""
import csv
import re
from pathlib import Path

import pytest

from normalizers.categories import LEVEL1, LEVEL2, SCORING_LEVEL1
from normalizers.text import clean_cell
from normalizers.values import OPERATORS

TRUTH = Path(__file__).parent / "corpus" / "truth"

REAL_REPORTS = (
    "tianchang_2022", "suixi_2019", "shouxian_2023", "pengshui_2024", "xibukexuecheng_2021", "batang_2018",
    "taibai_2021", "langfang_2019", "ningjin_2019", "huanggang_2020", "huangshi_2022", "hubeigongcheng_nd",
    "hbust_2021", "lingling_2021", "yueyang_2021", "suzhou_2016", "jiangxi_zhengxie_2017", "zhaidian_2021",
    "dazhou_nd", "daying_2023", "linxiang_2023",
)

COLUMNS = {
    "projects": "project_id doc_id table_label kind project_name competent_dept implementing_unit fiscal_year "
                "project_attribute project_period budget_initial budget_full_year executed execution_rate "
                "budget_weight budget_score goal_expected goal_actual total_weight total_score grade",
    "funds": "project_id seq source label_raw budget_initial budget_full_year executed received execution_rate "
             "weight score",
    "indicators": "project_id seq table_role level1_raw level2_raw level1 level2 name_raw nature_raw operator "
                  "target_raw actual_raw unit_raw target_value actual_value unit weight score progress_raw "
                  "deviation_note flags",
}
NEW_COLUMNS = {
    "projects": "money_unit project_code dept_code review_total_score",
    "funds": "money_unit",
    "indicators": "review_score scoring_method indicator_note row_no is_core target_adjusted_raw "
                  "score_coefficient_raw level1_weight level2_weight",
}
NUMERIC = {
    "projects": "fiscal_year budget_initial budget_full_year executed execution_rate budget_weight budget_score "
                "total_weight total_score review_total_score",
    "funds": "budget_initial budget_full_year executed received execution_rate weight score",
    "indicators": "target_value actual_value weight score review_score level1_weight level2_weight",
}
RAW_TEXT = {
    "projects": "project_name competent_dept implementing_unit goal_expected goal_actual",
    "funds": "label_raw",
    "indicators": "level1_raw level2_raw name_raw target_raw actual_raw deviation_note scoring_method indicator_note",
}
SOURCES = {"total", "current_fiscal", "carryover", "other", "central", "provincial", "municipal", "county",
           "superior", "task"}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def load(doc: str, table: str) -> tuple[list[str], list[dict]]:
    with (TRUTH / doc / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


DOCS = sorted(p.name for p in TRUTH.iterdir() if p.is_dir())


def test_every_real_report_has_its_folder():
    assert set(REAL_REPORTS) <= set(DOCS)


@pytest.mark.parametrize("doc", DOCS)
def test_truth_folder_structure(doc):
    tables = {t: load(doc, t) for t in COLUMNS}
    for table, (columns, rows) in tables.items():
        required = COLUMNS[table].split() + (NEW_COLUMNS[table].split() if doc in REAL_REPORTS else [])
        assert not set(required) - set(columns), (table, set(required) - set(columns))
        for row in rows:
            for col in NUMERIC[table].split():
                value = row.get(col, "")
                assert value in ("", "?") or NUMBER.fullmatch(value), (table, row["project_id"], col, value)
            for col in RAW_TEXT[table].split():
                value = row.get(col, "")
                assert value == "?" or clean_cell(value) == value, (table, row["project_id"], col, value)
            assert row.get("money_unit", "") in ("万元", "元", ""), (table, row["project_id"])
            rate = row.get("execution_rate", "")
            assert rate in ("", "?") or 0 <= float(rate) <= 3, (table, row["project_id"], "rate as a fraction", rate)

    projects = tables["projects"][1]
    ids = [p["project_id"] for p in projects]
    assert ids == [f"{doc}-{n}" for n in range(1, len(ids) + 1)]
    assert {p["doc_id"] for p in projects} == {doc}
    assert {p["kind"] for p in projects} <= {"project", "department"}

    for table in ("funds", "indicators"):
        rows = tables[table][1]
        assert {r["project_id"] for r in rows} <= set(ids), table
        for pid in ids:
            seqs = [int(r["seq"]) for r in rows if r["project_id"] == pid]
            assert seqs == list(range(1, len(seqs) + 1)), (table, pid)
    assert {f["source"] for f in tables["funds"][1]} <= SOURCES

    for row in tables["indicators"][1]:
        where = (row["project_id"], row["seq"])
        assert row["table_role"] in ("performance", "scoring", "section"), where
        assert row["operator"] in (*OPERATORS, "", "?"), where
        assert row["level1"] in (*LEVEL1, *SCORING_LEVEL1, "", "?"), where
        assert row["level2"] in (*LEVEL2, "", "?"), where
        assert row["flags"] in ("", "placeholder_row", "?"), where
        if row["operator"] == "定性":
            assert row["target_value"] == row["actual_value"] == row["unit"] == "", where
