"""Inputs that misbehave inside a jixiao worker process (and only there): a reader that crashes or hangs.

They stand in for the native crashes and hangs real files cause, which no small file reproduces at
will. Each is an InputItem whose unpickling in `python -m pipeline.workers` crashes or blocks.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from pipeline.inputs import InputItem


def _in_worker() -> bool:
    return Path(sys.argv[0]).name == "workers.py"


def _crashing(source_path: str, path: str) -> InputItem:
    if _in_worker():
        os.kill(os.getpid(), signal.SIGSEGV)
    return CrashingItem(source_path=source_path, path=Path(path))


def _hanging(source_path: str, path: str) -> InputItem:
    if _in_worker():
        time.sleep(3600)  # blocked without using CPU time, as in a stuck C call
    return HangingItem(source_path=source_path, path=Path(path))


class CrashingItem(InputItem):
    def __reduce__(self):
        return _crashing, (self.source_path, str(self.path))


class HangingItem(InputItem):
    def __reduce__(self):
        return _hanging, (self.source_path, str(self.path))
