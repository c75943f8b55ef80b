import pandas as pd

from pipeline.unmapped import unmapped_names


def write_indicators(out_dir, rows):
    columns = ["project_id", "seq", "level2", "name_raw", "name_canonical", "match_score", "flags"]
    pd.DataFrame(rows, columns=columns).to_csv(out_dir / "indicators.csv", index=False, encoding="utf-8-sig")


def test_lists_unmapped_names_by_frequency_with_candidates(tmp_path):
    write_indicators(tmp_path, [
        ("d-1", 1, "数量指标", "汽车类驾驶证许可", "", 19.1, ""),
        ("d-1", 2, "数量指标", "汽车类驾驶证许可", "", 19.1, ""),
        ("d-1", 3, "数量指标", "汽车类驾驶证许可", "", 19.1, ""),
        ("d-1", 4, "时效指标", "系统故障恢复时长", "", 66.6, ""),
        ("d-1", 5, "质量指标", "验收合格率", "验收合格率", 100, ""),
        ("d-1", 6, "经济效益指标", "指标1:", "", "", "placeholder_row"),
        ("d-1", 7, "生态效益指标", "0", "", "", ""),
    ])
    table = unmapped_names(tmp_path)
    assert table["name_raw"].tolist() == ["汽车类驾驶证许可", "系统故障恢复时长"]
    assert table["count"].tolist() == [3, 1]
    assert table.loc[0, "candidate_1"].startswith("汽车类驾驶证许可科目")
    assert table.loc[1, "candidate_1"] == "故障修复时间"
    assert table.loc[1, "score_1"] >= table.loc[1, "score_2"] >= table.loc[1, "score_3"]
    assert unmapped_names(tmp_path, top=1)["name_raw"].tolist() == ["汽车类驾驶证许可"]


def test_everything_mapped_gives_an_empty_table(tmp_path):
    write_indicators(tmp_path, [("d-1", 1, "质量指标", "验收合格率", "验收合格率", 100, "")])
    table = unmapped_names(tmp_path)
    assert table.empty
    assert "candidate_1" in table.columns
