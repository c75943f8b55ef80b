"""What a run writes beside the four tables, built from the staged tables; a failure here costs only itself.

The one place the batch calls the report and the store: `write_extras`.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from pipeline.report import write_datapackage, write_report
from pipeline.store import write_store

log = logging.getLogger("jixiao")


def write_extras(stage_dir: Path, report: bool) -> list[str]:
    """Write the query store, and the report and data package, into the staged set; the one-line errors of the parts that failed."""
    errors = _guarded(stage_dir, "store", write_store)
    if report:
        errors += _guarded(stage_dir, "report", _write_report)
    return errors


def _write_report(stage_dir: Path) -> None:
    write_report(stage_dir)
    write_datapackage(stage_dir)


def _guarded(stage_dir: Path, what: str, write) -> list[str]:
    """Run write(stage_dir); on any failure remove what it added to the stage and return its error line."""
    before = {p.name for p in stage_dir.iterdir()}
    try:
        write(stage_dir)
        return []
    except Exception as error:  # the tables are already written: the report is the only loss
        for path in stage_dir.iterdir():
            if path.name not in before:
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        message = f"{what} not written: {type(error).__name__}: {' '.join(str(error).split())[:200]}"
        log.warning(message)
        return [message]
