"""Reconciliation flags on the five seed reports' ground truth, and on small hand-made tables."""
import csv
from pathlib import Path

import pandas as pd
import pytest

from pipeline.emit import frame
from pipeline.reconcile import reconcile

TRUTH = Path(__file__).resolve().parent / "corpus" / "truth"
DOCS = ["jinzhong_2021", "ningxia_2024", "qujing_2022", "quwo_2021", "xizang_2023"]
CHECK_FLAGS = {
    "score_sum_mismatch", "weights_not_100", "rate_mismatch", "funds_rate_mismatch",
    "budget_score_mismatch", "budget_score_exceeds_weight", "grade_inconsistent",
}


def load_truth() -> dict[str, pd.DataFrame]:
    """The truth CSVs of all five docs as pipeline-typed frames (doc_id = the folder name)."""
    tables: dict[str, list[dict]] = {"projects": [], "funds": [], "indicators": []}
    for doc in DOCS:
        for name, rows in tables.items():
            with (TRUTH / doc / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
                rows.extend({**row, "doc_id": doc} for row in csv.DictReader(f))
    return {name: frame(name, rows) for name, rows in tables.items()}


@pytest.fixture(scope="module")
def truth():
    return load_truth()


@pytest.fixture(scope="module")
def flagged(truth):
    return reconcile(truth["projects"], truth["funds"], truth["indicators"])


def project_flags(projects: pd.DataFrame) -> dict[str, set[str]]:
    return {pid: set(f.split(";")) for pid, f in zip(projects["project_id"], projects["flags"]) if f}


def rows_with(indicators: pd.DataFrame, flag: str) -> set[tuple[str, int]]:
    hit = indicators[indicators["flags"].str.split(";").apply(lambda fs: flag in fs)]
    return {(pid, int(seq)) for pid, seq in zip(hit["project_id"], hit["seq"])}


def test_every_published_inconsistency_is_flagged_and_nothing_else(flagged):
    projects, _ = flagged
    assert project_flags(projects) == {
        "jinzhong_2021-1": {"grade_inconsistent"},  # 综合得分 97.66 graded 差
        "ningxia_2024-2": {"budget_score_mismatch", "budget_score_exceeds_weight"},  # 物业费: 得分 100, 分值 10
        "qujing_2022-15": {"weights_not_100", "score_sum_mismatch"},  # 14-14: 85 + 10 = 95 under 总分 100
        "qujing_2022-1": {"funds_rate_mismatch"},  # 13表 基本支出 6245.02 / 5707.79 printed 100.00
    }


CONSISTENT = (
    ["ningxia_2024-1", "ningxia_2024-3", "ningxia_2024-4", "ningxia_2024-5", "ningxia_2024-6", "ningxia_2024-7"]
    + [f"qujing_2022-{n}" for n in range(2, 15)] + [f"qujing_2022-{n}" for n in range(16, 20)]
    + ["quwo_2021-1", "xizang_2023-1"]
)


@pytest.mark.parametrize("project_id", CONSISTENT)
def test_consistent_tables_get_no_score_weight_grade_or_rate_flag(flagged, project_id):
    projects, _ = flagged
    flags = projects.loc[projects["project_id"] == project_id, "flags"].item()
    assert not set(flags.split(";")) & CHECK_FLAGS


def test_both_total_conventions_are_accepted(flagged):
    projects, _ = flagged
    flags = dict(zip(projects["project_id"], projects["flags"]))
    assert flags["ningxia_2024-3"] == ""  # 88 = indicator scores alone; rate 51% for 180/354
    assert flags["qujing_2022-8"] == ""  # 95 = indicator scores 85 + funds 得分 10
    assert flags["jinzhong_2021-1"] == "grade_inconsistent"  # 97.66 = the 评分表's sum


def test_percent_scale_slips(flagged):
    _, indicators = flagged
    assert rows_with(indicators, "percent_scale_suspect") == {
        *(("qujing_2022-4", s) for s in (4, 5, 6, 7)),  # 14-3: 0.95 % and 1 % against 100
        *(("qujing_2022-6", s) for s in (4, 5, 6, 7)),  # 14-5 repeats them
        ("qujing_2022-18", 5),  # 14-17: 100 % against 1
    }


def test_full_scores_for_missed_targets(flagged):
    _, indicators = flagged
    assert rows_with(indicators, "target_missed_full_score") == {
        ("ningxia_2024-1", 9),  # 宣传活动场次 ≥3次, actual 一项, 1 of 1
        *(("qujing_2022-3", s) for s in (1, 2, 4, 5, 6, 7)),  # 14-2 not carried out, scored 90
        *(("qujing_2022-5", s) for s in (1, 2, 3, 4, 5)),
        *(("qujing_2022-7", s) for s in (1, 2, 3, 4)),
        ("qujing_2022-13", 1), ("qujing_2022-13", 2), ("qujing_2022-13", 4),
    }


def test_truncated_names(flagged):
    _, indicators = flagged
    hits = rows_with(indicators, "truncated_name")
    assert {("qujing_2022-1", s) for s in (1, 2, 3, 4)} <= hits  # four 汽车类驾驶证许可
    assert {("qujing_2022-9", s) for s in (1, 2, 3, 4)} <= hits  # four 汽车类驾驶证许可科
    assert ("qujing_2022-1", 12) in hits  # 道路交通事故一般, 14-1 prints 道路交通事故一般案
    assert ("qujing_2022-1", 23) in hits  # 完成“曲靖智慧交: the quote never closes
    assert ("qujing_2022-1", 32) in hits and ("qujing_2022-1", 69) in hits  # 设施设备（系统）…
    assert {pid.rsplit("-", 1)[0] for pid, _ in hits} == {"qujing_2022"}
    # quantity / cost pairs under one name (网络云服务储存, 驾驶人社会考场服务) are not truncation
    assert ("ningxia_2024-1", 7) not in hits and ("jinzhong_2021-1", 1) not in hits


def test_placeholder_flags_are_kept(truth, flagged):
    _, indicators = flagged
    before = truth["indicators"]["flags"] == "placeholder_row"
    assert before.sum() == 15
    assert (indicators.loc[before, "flags"] == "placeholder_row").all()


def test_published_numbers_never_change(truth, flagged):
    for name, after in zip(("projects", "indicators"), flagged):
        before = truth[name]
        assert list(after.columns) == list(before.columns)
        pd.testing.assert_frame_equal(after.drop(columns="flags"), before.drop(columns="flags"))
        assert after["flags"].dtype == before["flags"].dtype
    assert truth["projects"]["flags"].eq("").all()  # the inputs are not modified in place


def test_reconcile_is_idempotent(flagged, truth):
    projects, indicators = reconcile(flagged[0], truth["funds"], flagged[1])
    pd.testing.assert_frame_equal(projects, flagged[0])
    pd.testing.assert_frame_equal(indicators, flagged[1])


# --- small hand-made tables -------------------------------------------------------------------

def project(**values) -> dict:
    return {"project_id": "d-1", "doc_id": "d", "fiscal_year": 2024, "project_name": "物业费", **values}


def indicator(seq: int, **values) -> dict:
    return {"project_id": "d-1", "doc_id": "d", "seq": seq, "table_role": "performance", **values}


def run(projects: list[dict], indicators: list[dict], funds: list[dict] | None = None):
    return reconcile(frame("projects", projects), frame("funds", funds or []), frame("indicators", indicators))


def test_placeholder_rows_are_left_out_of_sums():
    rows = [indicator(1, weight=100, score=90), indicator(2, weight=5, score=5, flags="placeholder_row")]
    projects, indicators = run([project(total_weight=100, total_score=90)], rows)
    assert projects["flags"].item() == ""
    assert indicators["flags"].tolist() == ["", "placeholder_row"]


def test_score_exceeds_weight_and_existing_flags_deduped():
    rows = [
        indicator(1, weight=10, score=12),
        indicator(2, weight=10, score=10, unit="%", target_value=0.95, actual_value=100,
                  flags="percent_scale_suspect;low_ocr_confidence"),
    ]
    _, indicators = run([project()], rows)
    assert indicators["flags"].tolist() == ["score_exceeds_weight", "low_ocr_confidence;percent_scale_suspect"]


@pytest.mark.parametrize("rate, flagged", [(0.51, False), (0.505, False), (0.6, True), (0.5, True)])
def test_rate_within_half_a_percentage_point(rate, flagged):
    projects, _ = run([project(budget_full_year=354, executed=180, execution_rate=rate)], [])
    assert ("rate_mismatch" in projects["flags"].item()) is flagged


@pytest.mark.parametrize("score, weight, grade, flagged", [
    (90, 100, "优", False), (89.99, 100, "优", True), (80, 100, "良", False), (79.9, 100, "良", True),
    (60, 100, "中", False), (59, 100, "差", False), (97.66, 100, "差", True), (46, 50, "优", False),
    (97, 100, "", False),
])
def test_grade_bands(score, weight, grade, flagged):
    projects, _ = run([project(total_score=score, total_weight=weight, grade=grade)], [])
    assert (projects["flags"].item() == "grade_inconsistent") is flagged


def test_budget_score_from_the_funds_total_line():
    funds = [{"project_id": "d-1", "source": "total", "execution_rate": 0.8, "weight": 10, "score": 10}]
    projects, _ = run([project()], [], funds)
    assert projects["flags"].item() == "budget_score_mismatch"  # 10 × 0.8 = 8, not 10


def test_duplicate_project_across_documents(truth):
    copy = truth["projects"][truth["projects"]["doc_id"] == "ningxia_2024"].copy()
    copy["doc_id"] = "ningxia_copy"
    copy["project_id"] = copy["project_id"].str.replace("ningxia_2024", "ningxia_copy")
    copy["project_name"] = copy["project_name"].str.replace("交警总队", "交警 总队").astype("string")
    projects, _ = reconcile(pd.concat([truth["projects"], copy], ignore_index=True),
                            truth["funds"], truth["indicators"])
    dup = projects[projects["flags"].str.contains("duplicate_project")]
    assert sorted(dup["doc_id"].unique()) == ["ningxia_2024", "ningxia_copy"]
    assert len(dup) == 14
    single, _ = reconcile(truth["projects"], truth["funds"], truth["indicators"])
    assert not single["flags"].str.contains("duplicate_project").any()


def test_same_name_with_other_budget_is_not_a_duplicate():
    other = {**project(budget_full_year=11), "project_id": "e-1", "doc_id": "e"}
    projects, _ = run([project(budget_full_year=10), other], [])
    assert projects["flags"].tolist() == ["", ""]
