"""The output folder: one complete set of outputs at a time, swapped in whole, one run at a time.

Layout of `OUT/`:
- `.sets/<run>/`: a complete set (the four tables as CSV + Parquet, the report, the store …);
  a run builds its set there, beside the previous one.
- `.current`: a symbolic link to the set in force. A run commits by renaming a new link over it,
  one atomic rename: a reader, or a run killed at any instant (kill -9, Ctrl-C, a full disk), sees
  the previous complete set or the new complete set, never a mix, and no temporary file.
- `documents.csv`, `report.html`, … : links `.current/<name>`, one per entry of the set, so the
  tables stay where they always were. An entry the new set lacks (report.html after a
  `--no-report` run) has its link removed: it is no longer part of the outputs.
- `pages/<doc_id>/`: page images, named by the document's bytes, kept across runs (a set's
  `pages` entry links to it); images of documents no longer in the set are removed.
- `.cache/`: each file's rows (pipeline/cache.py). `.jixiao.lock`: held while a run writes.
  `.jixiao-output`: marks the folder as jixiao's, so it is never read back as input.

Everything is created with the user's umask.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from pathlib import Path

MARKER = ".jixiao-output"
LOCK = ".jixiao.lock"
CURRENT = ".current"
SETS = ".sets"
PAGES = "pages"
CACHE = ".cache"
# What older jixiao versions wrote straight into OUT: removed when a set without them is swapped in.
LEGACY = {f"{table}.{suffix}" for table in ("documents", "projects", "funds", "indicators") for suffix in ("csv", "parquet")} | {
    "report.html", "datapackage.json"}


class OutputError(Exception):
    """The output folder cannot be used (a file, unwritable, another run holds it): one line for the user."""


class OutputFolder:
    """The output folder of one run: locked on open, a new set staged, committed whole."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self._lock = None

    def open(self) -> None:
        """Create the folder, take its lock and mark it; raises OutputError before any file is read."""
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"--out names a file, not a folder: {self.root}")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.root / LOCK, "a+")
        except OSError as error:
            raise OutputError(f"cannot write to the output folder {self.root}: {error.strerror or error}") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.seek(0)
            holder = self._lock.read().strip() or "another process"
            self._lock.close()
            self._lock = None
            raise OutputError(f"another jixiao run ({holder}) is writing to {self.root}; wait for it to end") from None
        try:
            self._lock.seek(0)
            self._lock.truncate()
            self._lock.write(f"pid {os.getpid()}\n")
            self._lock.flush()
            (self.root / MARKER).write_text("written by jixiao; this folder is never read as input\n", encoding="utf-8")
            probe = self.root / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            self.close()
            raise OutputError(f"cannot write to the output folder {self.root}: {error.strerror or error}") from None
        self._remove_stale_sets()

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def __enter__(self) -> "OutputFolder":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE

    @property
    def pages_dir(self) -> Path:
        return self.root / PAGES

    def current_set(self) -> Path | None:
        link = self.root / CURRENT
        return (self.root / os.readlink(link)) if link.is_symlink() else None

    def stage(self) -> Path:
        """A new empty set folder (`.sets/<time>-<random>`) whose `pages` links to the kept page images."""
        stage = self.root / SETS / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        stage.mkdir(parents=True)
        self.pages_dir.mkdir(exist_ok=True)
        os.symlink(os.path.join("..", "..", PAGES), stage / PAGES)
        return stage

    def commit(self, stage: Path) -> None:
        """Swap the staged set in as the current one (one rename), then tidy links and old sets."""
        previous = self.current_set()
        names = sorted(p.name for p in stage.iterdir() if p.name != PAGES)
        for name in names:  # the links first: until the swap they show the previous set's entry (or none)
            self._link(name)
        swap = self.root / f".{CURRENT}.{os.getpid()}"
        swap.unlink(missing_ok=True)
        os.symlink(os.path.relpath(stage, self.root), swap)
        os.replace(swap, self.root / CURRENT)
        for entry in self.root.iterdir():  # entries the new set no longer has
            if entry.is_symlink() and os.readlink(entry).startswith(CURRENT + os.sep) and not entry.exists():
                entry.unlink()
            elif entry.name in LEGACY and entry.name not in names and entry.is_file() and not entry.is_symlink():
                entry.unlink()
        if previous is not None and previous != stage:
            shutil.rmtree(previous, ignore_errors=True)

    def discard(self, stage: Path) -> None:
        shutil.rmtree(stage, ignore_errors=True)

    def keep_pages(self, doc_ids: set[str]) -> None:
        """Remove the page images of documents the current set no longer has."""
        if self.pages_dir.is_dir():
            for folder in self.pages_dir.iterdir():
                if folder.name not in doc_ids:
                    shutil.rmtree(folder, ignore_errors=True)

    def _link(self, name: str) -> None:
        target = os.path.join(CURRENT, name)
        path = self.root / name
        if path.is_symlink() and os.readlink(path) == target:
            return
        if path.is_dir() and not path.is_symlink():  # a folder written by an older jixiao, outside any set
            shutil.rmtree(path)
        tmp = self.root / f".{name}.link-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, path)

    def _remove_stale_sets(self) -> None:
        """Sets left half-built by a killed run (never current), and torn link temporaries."""
        current = self.current_set()
        sets = self.root / SETS
        if sets.is_dir():
            for folder in sets.iterdir():
                if current is None or folder.resolve() != current.resolve():
                    shutil.rmtree(folder, ignore_errors=True)
        for entry in self.root.glob(".*.link-*"):
            entry.unlink(missing_ok=True)
        for entry in self.root.glob(f".{CURRENT}.*"):
            entry.unlink(missing_ok=True)
