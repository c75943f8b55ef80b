"""Outputs to analyse, built from the finished tables beside the CSV/Parquet files:

- `dataset/<table>/province=…/fiscal_year=…/*.parquet`: a hive-partitioned Parquet dataset. The
  keys are the document's province and the fiscal year of the row's project (of the document for
  documents rows); a row whose province or year is unknown goes to `__HIVE_DEFAULT_PARTITION__`,
  the Hive convention that pyarrow, Spark and DuckDB read back as NULL.
- `jixiao.duckdb`: an embedded DuckDB database with the four tables and two views:
  `project_facts` (each project with its document's columns) and `indicator_facts` (each indicator
  with its project's and its document's columns).

Both are built under a hidden name and renamed into place, with the user's umask, a bounded chunk
of rows at a time: DuckDB compresses ROW_GROUP_ROWS rows at a time, and the dataset is written a
batch at a time, each batch's rows appended to their partition's file as a row group.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.outdir import discard_dir, new_dir, replace_dir
from pipeline.schema import TABLES

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
PARTITIONING = ds.HivePartitioning(pa.schema([("province", pa.string()), ("fiscal_year", pa.int64())]),
                                    null_fallback=NULL_PARTITION)
KEYS = PARTITIONING.schema.names
BATCH_ROWS = 4096
ROW_GROUP_ROWS = 8192  # DuckDB's default (122,880) holds a thousand files' indicators in memory while it compresses them

# The one documents row per doc_id that the other tables belong to (a copy of the same bytes under
# another name has status `duplicate` and the doc_id it repeats).
PRIMARY_DOCUMENTS = (
    "SELECT * FROM documents WHERE COALESCE(doc_id, '') <> '' "
    "QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY COALESCE(status, '') = 'duplicate', source_path) = 1"
)

PROJECT_FACTS = f"""
CREATE VIEW project_facts AS
SELECT p.*, d.source_path, d.file_type, d.status AS doc_status, d.province, d.city, d.county, d.department,
       d.report_kind
FROM projects p
LEFT JOIN ({PRIMARY_DOCUMENTS}) d ON d.doc_id = p.doc_id
"""

INDICATOR_FACTS = f"""
CREATE VIEW indicator_facts AS
SELECT i.*,
       p.project_name, p.kind AS project_kind, p.table_label, p.competent_dept, p.implementing_unit,
       p.fiscal_year, p.budget_full_year, p.executed, p.execution_rate, p.total_score AS project_total_score,
       p.grade AS project_grade, p.flags AS project_flags,
       d.source_path, d.file_type, d.status AS doc_status, d.province, d.city, d.county, d.department, d.report_kind
FROM indicators i
LEFT JOIN projects p ON p.project_id = i.project_id
LEFT JOIN ({PRIMARY_DOCUMENTS}) d ON d.doc_id = COALESCE(NULLIF(i.doc_id, ''), p.doc_id)
"""

# Each table's rows with their partition keys (province, fiscal_year) as the last two columns.
PARTITIONED = {
    "documents": "SELECT * EXCLUDE (province, fiscal_year), NULLIF(province, '') AS province, "
                 "fiscal_year::BIGINT AS fiscal_year FROM documents",
    "projects": "SELECT p.* EXCLUDE (fiscal_year), NULLIF(d.province, '') AS province, "
                "p.fiscal_year::BIGINT AS fiscal_year FROM projects p "
                "LEFT JOIN primary_documents d ON d.doc_id = p.doc_id",
    "funds": "SELECT t.*, NULLIF(d.province, '') AS province, p.fiscal_year::BIGINT AS fiscal_year FROM funds t "
             "LEFT JOIN project_keys p ON p.project_id = t.project_id "
             "LEFT JOIN primary_documents d ON d.doc_id = COALESCE(NULLIF(t.doc_id, ''), p.doc_id)",
}
PARTITIONED["indicators"] = PARTITIONED["funds"].replace("FROM funds t", "FROM indicators t")


def sql_path(path: Path) -> str:
    """A path as a DuckDB string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _load(con: duckdb.DuckDBPyConnection, stage_dir: Path) -> None:
    """The four tables as DuckDB tables (an empty typed one for a table whose Parquet file is missing)."""
    from pipeline.emit import frame

    for name in TABLES:
        path = stage_dir / f"{name}.parquet"
        if path.exists():
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet({sql_path(path)})")
        else:
            empty = frame(name, [])  # noqa: F841 (read by DuckDB's replacement scan)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM empty")


def write_store(stage_dir: Path) -> None:
    """Write stage_dir/dataset/ (hive-partitioned Parquet) and stage_dir/jixiao.duckdb from the tables."""
    stage_dir = Path(stage_dir)
    final = stage_dir / "jixiao.duckdb"
    tmp = stage_dir / f".jixiao.duckdb.new-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect()
        try:
            con.execute("SET memory_limit='1GB'")
            con.execute("SET threads=1")  # a buffer set per thread; one thread writes a 1,000-file store in about a second
            con.execute(f"SET temp_directory = {sql_path(Path(f'{tmp}.tmp'))}")
            con.execute(f"ATTACH {sql_path(tmp)} AS jixiao (ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
            con.execute("USE jixiao")
            _load(con, stage_dir)
            con.execute(PROJECT_FACTS)
            con.execute(INDICATOR_FACTS)
            con.execute("CHECKPOINT")
            _write_dataset(con, stage_dir / "dataset")
        finally:
            con.close()
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


def _write_dataset(con: duckdb.DuckDBPyConnection, final: Path) -> None:
    con.execute(f"CREATE TEMP VIEW primary_documents AS {PRIMARY_DOCUMENTS}")
    con.execute("CREATE TEMP VIEW project_keys AS SELECT project_id, any_value(doc_id) AS doc_id, "
                "any_value(fiscal_year) AS fiscal_year FROM projects GROUP BY project_id")
    tmp = new_dir(final)
    try:
        for name, query in PARTITIONED.items():
            (tmp / name).mkdir()  # an empty table is an empty folder
            with con.sql(query).to_arrow_reader(batch_size=BATCH_ROWS) as reader:
                _write_partitions(reader, tmp / name, f"{name}-0.parquet")
        replace_dir(tmp, final)
    except BaseException:
        discard_dir(tmp)
        raise


def _write_partitions(reader: pa.RecordBatchReader, folder: Path, filename: str) -> None:
    """The reader's rows into folder/province=…/fiscal_year=…/filename (the keys left out of the file), a
    batch at a time: one Parquet writer per partition, each batch's rows of it appended as a row group.
    (pyarrow's write_dataset keeps the batches it has not written yet: the whole table, on a fast reader.)"""
    columns = [name for name in reader.schema.names if name not in KEYS]
    writers: dict[tuple, pq.ParquetWriter] = {}
    try:
        for batch in reader:
            rows = pa.Table.from_batches([batch])
            for key in rows.group_by(KEYS, use_threads=False).aggregate([]).to_pylist():
                where = _partition(key)
                part = rows.filter(where).select(columns)
                index = tuple(key[name] for name in KEYS)
                if index not in writers:
                    directory = folder / PARTITIONING.format(where)[0]
                    directory.mkdir(parents=True)
                    writers[index] = pq.ParquetWriter(directory / filename, part.schema)
                writers[index].write_table(part)
    finally:
        for writer in writers.values():
            writer.close()


def _partition(key: dict) -> pc.Expression:
    """The rows of one partition: each key equal to its value, or null."""
    province, year = (pc.field(name).is_null() if key[name] is None else pc.field(name) == key[name] for name in KEYS)
    return province & year
