import csv
import io
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from normalizers.names import NameMatcher
from pipeline.cli import app
from pipeline.suggest import suggest

CORPUS = Path(__file__).parent / "corpus" / "docs"
PACKAGED = resources.files("normalizers").joinpath("data/indicator_taxonomy.csv").read_text("utf-8")


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    return NameMatcher()


def write_indicators(out_dir: Path, rows):
    columns = ["project_id", "seq", "level1", "level2", "name_raw", "name_canonical", "match_score", "flags"]
    pd.DataFrame(rows, columns=columns).to_csv(out_dir / "indicators.csv", index=False, encoding="utf-8-sig")


def test_unmapped_names_cluster_into_concepts_by_rows(tmp_path, matcher):
    write_indicators(tmp_path, [
        ("a-1", 1, "产出指标", "数量指标", "高标准农田建设面积", "", 40, ""),
        ("b-1", 1, "产出指标", "数量指标", "高标准农田建设面积", "", 40, ""),
        ("c-1", 1, "产出指标", "数量指标", "新建高标准农田面积", "", 40, ""),
        ("c-1", 2, "效益指标", "社会效益指标", "义务教育巩固率", "", 30, ""),
        ("d-1", 1, "效益指标", "社会效益指标", "九年义务教育巩固率", "", 30, ""),
        ("d-1", 2, "满意度指标", "服务对象满意度指标", "家长满意度", "", 0, ""),  # maps now: left out
        ("d-1", 3, "效益指标", "生态效益指标", "指标1:", "", "", "placeholder_row"),
    ])
    table = suggest(tmp_path, matcher)
    assert table["canonical_name"].tolist() == ["高标准农田建设面积", "义务教育巩固率"]
    assert table.loc[0, "synonyms"] == "新建高标准农田面积"
    assert table[["rows", "names"]].values.tolist() == [[3, 2], [2, 2]]
    assert table.loc[0, ["level2", "level1"]].tolist() == ["数量指标", "产出指标"]
    assert suggest(tmp_path, matcher, min_rows=3)["canonical_name"].tolist() == ["高标准农田建设面积"]


def test_a_rate_never_joins_a_count(tmp_path, matcher):
    write_indicators(tmp_path, [
        ("a-1", 1, "", "", "污水处理率", "", 40, ""),
        ("a-1", 2, "", "", "污水处理量", "", 40, ""),
    ])
    assert len(suggest(tmp_path, matcher)) == 2


def append_row(taxonomy: str, suggestions: Path, index: int) -> str:
    """The taxonomy text with the suggestion's CSV line appended as it stands."""
    lines = suggestions.read_text(encoding="utf-8").splitlines()
    return taxonomy.rstrip("\n") + "\n" + lines[1 + index] + "\n"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """`jixiao run` of a corpus report with a one-concept team taxonomy, then `taxonomy suggest`."""
    root = tmp_path_factory.mktemp("suggest")
    (root / "in").mkdir()
    shutil.copy2(CORPUS / "docx" / "quwo_2021.docx", root / "in")
    team = root / "team.csv"
    team.write_text("canonical_name,level2,synonyms,level1\n预算执行率,预算执行率,预算执行情况,过程指标\n", encoding="utf-8")
    runner = CliRunner()
    ran = runner.invoke(app, ["run", str(root / "in"), "--out", str(root / "out"), "--no-report", "--taxonomy", str(team)])
    assert ran.exit_code == 0, ran.output
    suggested = runner.invoke(app, ["taxonomy", "suggest", str(root / "out"), "--taxonomy", str(team)])
    assert suggested.exit_code == 0, suggested.output
    return root, team, runner


def test_run_uses_the_team_taxonomy(corpus_run):
    root, _, _ = corpus_run
    rows = pd.read_csv(root / "out" / "indicators.csv", dtype=str, keep_default_na=False)
    assert set(rows["name_canonical"]) == {"", "预算执行率"}
    assert {"measure", "subject"} <= set(rows.columns)
    assert set(rows.loc[rows["name_raw"] == "预算执行率", "measure"]) == {"rate"}


def test_appending_a_suggestion_makes_its_names_map(corpus_run):
    root, team, runner = corpus_run
    path = root / "out" / "taxonomy_suggestions.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(table) >= 5
    first = table.iloc[0]
    names = [first["canonical_name"], *filter(None, first["synonyms"].split("|"))]
    before = NameMatcher(team.read_text(encoding="utf-8"))
    assert all(before.match(n)[0] == "" for n in names)

    team.write_text(append_row(team.read_text(encoding="utf-8"), path, 0), encoding="utf-8")
    grown = NameMatcher(team.read_text(encoding="utf-8"))
    assert all(grown.match(n)[0] == first["canonical_name"] for n in names)
    again = runner.invoke(app, ["taxonomy", "suggest", str(root / "out"), "--taxonomy", str(team), "-o", str(root / "again.csv")])
    assert again.exit_code == 0, again.output
    assert first["canonical_name"] not in pd.read_csv(root / "again.csv", dtype=str)["canonical_name"].tolist()


def test_a_suggestion_appends_to_the_packaged_taxonomy_too(tmp_path, matcher):
    write_indicators(tmp_path, [
        ("a-1", 1, "效益指标", "社会效益指标", "义务教育巩固率", "", 30, ""),
        ("b-1", 1, "效益指标", "社会效益指标", "九年义务教育巩固率", "", 30, ""),
    ])
    suggest(tmp_path, matcher).to_csv(tmp_path / "s.csv", index=False)
    grown = NameMatcher(append_row(PACKAGED, tmp_path / "s.csv", 0))
    assert grown.match("九年义务教育巩固率", "社会效益指标") == ("义务教育巩固率", 100.0)
    assert list(csv.reader(io.StringIO(PACKAGED)))[0] == ["canonical_name", "level2", "synonyms", "level1"]


def test_a_bad_team_taxonomy_is_a_usage_error(tmp_path):
    (tmp_path / "in").mkdir()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,synonyms\n满意度,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--taxonomy", str(bad)])
    assert result.exit_code == 2
    assert "canonical_name" in result.output
