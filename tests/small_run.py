"""One real `jixiao run` over a few corpus files, shared by the report, store and browser tests.

Import the fixture into a test module (`from small_run import small_run`); the run happens once per
session. Tests that change the output work on a copy (`copy_of`).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

DOCS = Path(__file__).parent / "corpus" / "docs"
INPUTS = {  # name in the input folder → corpus file
    "ningxia_2024.pdf": "text_pdf/ningxia_2024.pdf",
    "自评表 <jinzhong> & 附件.pdf": "text_pdf/jinzhong_2021.pdf",
    "xizang/xizang_2023.pdf": "text_pdf/xizang_2023.pdf",
    "truncated.pdf": "bad/truncated.pdf",
}
_RUN: dict[str, Path] = {}


@pytest.fixture(scope="session")
def small_run(tmp_path_factory) -> Path:
    """The output folder of `jixiao run` on INPUTS (three text reports and a truncated PDF)."""
    if "out" not in _RUN:
        base = tmp_path_factory.mktemp("small_run")
        for name, source in INPUTS.items():
            (base / "in" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DOCS / source, base / "in" / name)
        result = CliRunner().invoke(app, ["run", str(base / "in"), "--out", str(base / "out")])
        assert result.exit_code == 1, result.output  # the truncated PDF fails, the rest is read
        _RUN["out"] = base / "out"
    return _RUN["out"]


def copy_of(out: Path, target: Path) -> Path:
    """A copy of an output folder to change."""
    shutil.copytree(out, target, symlinks=True)
    return target
