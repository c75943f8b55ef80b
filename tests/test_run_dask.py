"""`--dask-scheduler`: the same per-file work on a Dask cluster of two worker processes gives the same tables."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.batch import Plan, ResultStore, read_all
from pipeline.cli import app
from pipeline.inputs import InputItem
from pipeline.run import Settings
from pipeline.schema import TABLES
from tests.batch_hooks import CrashingItem, HangingItem

DOCS = Path(__file__).resolve().parent / "corpus" / "docs"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local.scheduler_address


def folder_tables(out: Path) -> dict[str, pd.DataFrame]:
    frames = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    frames["documents"] = frames["documents"].drop(columns=["seconds"])
    return frames


def test_a_dask_cluster_gives_the_tables_of_a_local_run(cluster, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for path in [DOCS / "text_pdf" / "quwo_2021.pdf", DOCS / "text_pdf" / "jinzhong_2021.pdf", DOCS / "docx" / "xizang_2023.docx"]:
        shutil.copy(path, source / path.name)
    shutil.copy(DOCS / "text_pdf" / "quwo_2021.pdf", source / "quwo_2021 copy.pdf")
    (source / "empty.pdf").write_bytes(b"")
    runner = CliRunner()
    local = runner.invoke(app, ["run", str(source), "--out", str(tmp_path / "local"), "--no-report", "--jobs", "1"])
    remote = runner.invoke(app, ["run", str(source), "--out", str(tmp_path / "dask"), "--no-report", "--dask-scheduler", cluster])
    assert local.exit_code == remote.exit_code == 1, (local.output, remote.output)  # empty.pdf failed, in both
    ours, theirs = folder_tables(tmp_path / "local"), folder_tables(tmp_path / "dask")
    assert len(ours["indicators"]) > 0
    for name in TABLES:
        pd.testing.assert_frame_equal(ours[name], theirs[name], obj=name)


def test_a_hung_or_crashing_file_on_a_dask_worker_costs_only_its_row(cluster, tmp_path):
    paths = []
    for i, source in enumerate([DOCS / "text_pdf" / "quwo_2021.pdf"] * 3):
        paths.append(tmp_path / f"report_{i}.pdf")
        paths[-1].write_bytes(source.read_bytes() + b"\n%%copy %d\n" % i)
    items = [CrashingItem(paths[0].name, paths[0]), HangingItem(paths[1].name, paths[1]), InputItem(paths[2].name, paths[2])]
    store = ResultStore(cache=None)
    read_all(Plan.of(items), Settings(ocr=False, timeout=20, wall_timeout=8), store, scheduler=cluster)
    crashed, hung, good = (store.get(i).document for i in range(3))
    assert crashed["status"] == "failed" and "SIGSEGV" in crashed["error"]
    assert hung["status"] == "failed" and "hung" in hung["error"]
    assert good["status"] == "ok" and good["n_indicators"] > 0
