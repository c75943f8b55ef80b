"""The analysis outputs of a real small run: the hive-partitioned dataset and jixiao.duckdb, and the
README's example queries run on them."""
import re
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pipeline.schema import TABLES
from pipeline.store import NULL_PARTITION, PARTITIONING, _write_partitions, write_store
from small_run import copy_of, small_run  # noqa: F401 (fixture)

README = Path(__file__).resolve().parent.parent / "README.md"


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}


def readme_queries() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Querying the outputs", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def db(small_run):
    con = duckdb.connect(str(small_run / "jixiao.duckdb"), read_only=True)
    yield con
    con.close()


def test_dataset_partitions_each_table_by_province_and_year(small_run):
    t = tables(small_run)
    province_of = t["documents"].set_index("doc_id")["province"].replace("", None)
    for name in TABLES:
        read = ds.dataset(small_run / "dataset" / name, format="parquet", partitioning=PARTITIONING).to_table().to_pandas()
        assert len(read) == len(t[name]) and set(read.columns) >= set(TABLES[name]), name
        expected = Counter(zip(t[name]["doc_id"], t[name]["doc_id"].map(province_of).fillna("(none)")))
        assert Counter(zip(read["doc_id"], read["province"].fillna("(none)"))) == expected, name
    unknown = small_run / "dataset" / "documents" / f"province={NULL_PARTITION}" / f"fiscal_year={NULL_PARTITION}"
    assert unknown.is_dir()  # the truncated PDF: no province, no year
    documents = ds.dataset(small_run / "dataset" / "documents", partitioning=PARTITIONING).to_table().to_pandas()
    failed = documents[documents["status"] == "failed"].iloc[0]
    assert pd.isna(failed["province"]) and pd.isna(failed["fiscal_year"])
    indicators = ds.dataset(small_run / "dataset" / "indicators", partitioning=PARTITIONING)
    ningxia = indicators.to_table(filter=(ds.field("province") == "宁夏回族自治区") & (ds.field("fiscal_year") == 2024))
    ningxia_doc = t["documents"][t["documents"]["source_path"] == "ningxia_2024.pdf"]["doc_id"].iloc[0]
    assert ningxia.num_rows == int((t["indicators"]["doc_id"] == ningxia_doc).sum()) > 0


def test_duckdb_holds_the_four_tables_and_the_views(small_run, db):
    t = tables(small_run)
    for name in TABLES:
        assert db.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0] == len(t[name])
        assert [c for c in db.table(name).columns] == list(t[name].columns)
    facts = db.sql("SELECT project_id, seq, project_name, province, source_path FROM indicator_facts").df()
    assert len(facts) == len(t["indicators"]) and facts["project_name"].notna().all()
    projects = t["projects"].set_index("project_id")
    docs = t["documents"].set_index("doc_id")
    expected = t["indicators"]["project_id"].map(projects["doc_id"]).map(docs["source_path"])
    assert sorted(facts["source_path"]) == sorted(expected)
    assert db.sql("SELECT count(*) FROM project_facts").fetchall()[0][0] == len(t["projects"])


def test_readme_queries_answer_from_the_tables(small_run, db):
    t = tables(small_run)
    mean_scores, flagged, missed = readme_queries()
    docs = t["documents"].set_index("doc_id")
    projects = t["projects"].assign(province=lambda p: p["doc_id"].map(docs["province"]))
    scored = projects[projects["total_score"].notna()]
    expected = scored.groupby(["province", "fiscal_year"])["total_score"].agg(["count", "mean"]).reset_index()
    got = db.sql(mean_scores).fetchall()
    assert [(p, y, n) for p, y, n, _ in got] == [tuple(r) for r in expected[["province", "fiscal_year", "count"]].itertuples(index=False)]
    assert [m for *_, m in got] == pytest.approx(expected["mean"].round(2).tolist(), abs=0.006)
    assert len(got) == 2  # 宁夏 2024 and 山西 2021 print total scores; 西藏 2023 prints none

    rows = db.sql(flagged).fetchall()
    is_flagged = ~t["indicators"]["flags"].fillna("").isin(["", "placeholder_row"])
    assert sum(r[1] for r in rows) == len(t["indicators"]) and sum(r[2] for r in rows) == int(is_flagged.sum()) > 0
    assert rows[0][2] == max(r[2] for r in rows)

    found = db.sql(missed).fetchall()
    i = t["indicators"]
    gap = i[i["operator"].isin([">=", ">"]) & (i["target_value"] > 0) & (i["actual_value"] < i["target_value"])
            & (i["name_canonical"].fillna("") != "")]
    counts = gap.groupby("name_canonical").size().reset_index(name="n").sort_values(
        ["n", "name_canonical"], ascending=[False, True]).head(20)
    assert [(name, n) for name, n, _ in found] == list(counts.itertuples(index=False, name=None)) and found
    assert all(0 <= share < 1 for *_, share in found)


def test_a_second_store_replaces_the_first(tmp_path, small_run):
    out = copy_of(small_run, tmp_path / "out")
    documents = pd.read_parquet(out / "documents.parquet")
    documents.iloc[:1].to_parquet(out / "documents.parquet", index=False)
    hidden = {p.name for p in out.iterdir() if p.name.startswith(".")}  # the run's own cache, sets and lock
    write_store(out)
    with duckdb.connect(str(out / "jixiao.duckdb"), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM documents").fetchall()[0][0] == 1
    assert len(ds.dataset(out / "dataset" / "documents", partitioning=PARTITIONING).to_table()) == 1
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} == hidden


def test_the_dataset_is_written_as_it_is_read(tmp_path):
    """Each batch's rows are in their partition's file before the next batch is read, so the dataset
    holds one batch in memory whatever the size of the table."""
    schema = pa.schema([("row", pa.string()), ("province", pa.string()), ("fiscal_year", pa.int64())])
    on_disk = []

    def batches():
        for number in range(4):
            on_disk.append(sum(p.stat().st_size for p in tmp_path.rglob("*.parquet")))
            yield pa.record_batch([[f"{number}-{i}" for i in range(500)], ["宁夏回族自治区", None] * 250,
                                   [2024, 2024, None, 2023] * 125], schema=schema)

    _write_partitions(pa.RecordBatchReader.from_batches(schema, batches()), tmp_path, "t-0.parquet")
    assert on_disk[0] == 0 and on_disk == sorted(set(on_disk))  # grows with every batch read
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    ningxia, unknown = "province=%E5%AE%81%E5%A4%8F%E5%9B%9E%E6%97%8F%E8%87%AA%E6%B2%BB%E5%8C%BA", f"province={NULL_PARTITION}"
    assert files == [f"{ningxia}/fiscal_year=2024/t-0.parquet", f"{ningxia}/fiscal_year={NULL_PARTITION}/t-0.parquet",
                     f"{unknown}/fiscal_year=2023/t-0.parquet", f"{unknown}/fiscal_year=2024/t-0.parquet"]
    read = ds.dataset(tmp_path, partitioning=PARTITIONING).to_table().to_pandas()
    assert sorted(read["row"]) == sorted(f"{n}-{i}" for n in range(4) for i in range(500))
    assert Counter(zip(read["province"].fillna("-"), read["fiscal_year"].fillna(0))) == {
        ("宁夏回族自治区", 2024): 500, ("宁夏回族自治区", 0): 500, ("-", 2024): 500, ("-", 2023): 500}
    assert pq.read_schema(tmp_path / files[0]).names == ["row"]  # the keys are in the path only
