"""Each file's finished rows, kept by what decides them, so a re-run reads only new or changed files.

An entry is one file `out/.cache/<key[:2]>/<key>.pkl`, written beside its place and renamed in,
so a batch killed at any point keeps every entry it finished and never a torn one. The key hashes
the file's bytes, its name (the region can come from it), the pipeline's version (the package
version and a digest of its code and data files: any change to the readers makes old entries
unreachable) and the settings that change rows (OCR on/off, OCR engine). Results that depend on
this run's conditions (a time limit hit, a crashed worker) are never stored.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("pipeline", "extractors", "normalizers")
CODE_SUFFIXES = {".py", ".toml", ".csv", ".json", ".txt", ".tsv", ".yaml", ".yml"}


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """The package version plus a digest of every code and data file the rows depend on."""
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("jixiao").encode())
    except metadata.PackageNotFoundError:
        pass
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def result_key(digest: str, name: str, settings) -> str:
    """The cache key of one file's result under these settings."""
    parts = [digest, name, pipeline_version(), f"ocr={settings.ocr}", f"engine={settings.ocr_engine}"]
    if settings.taxonomy is not None:  # a team's taxonomy changes the names' mapping
        parts.append("taxonomy=" + hashlib.sha256(settings.taxonomy.read_bytes()).hexdigest())
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


class ResultCache:
    """FileResults on disk, one file per key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pkl"

    def get(self, key: str):
        """The stored FileResult, or None (absent, or unreadable: then it is simply read again)."""
        try:
            with self.path(key).open("rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            return None

    def put(self, key: str, result) -> None:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as handle:  # open() honours the umask
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def keep_only(self, keys: set[str]) -> None:
        """Remove the entries of files no longer in the folder (and torn temporaries of killed runs)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*"):
            if path.stem not in keys or path.suffix != ".pkl":
                path.unlink(missing_ok=True)
