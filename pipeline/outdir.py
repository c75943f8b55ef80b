"""Files and folders the outputs write, created with the user's umask (never tempfile's 0600/0700).

A file is written beside its place and renamed into it; a folder (report/, dataset/) is built under
a hidden sibling name and swapped in whole, so a reader never sees half of one.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def _sibling(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}")


def write_text(path: Path, text: str) -> None:
    """Write text (UTF-8) to path through a sibling file renamed into place."""
    tmp = _sibling(path, "tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:  # open() honours the umask
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def new_dir(final: Path) -> Path:
    """An empty hidden sibling of `final` to build it in (replace_dir moves it into place)."""
    tmp = _sibling(final, "new")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def replace_dir(tmp: Path, final: Path) -> None:
    """Swap the folder built at tmp in as final, removing the previous one (or the link that stood there)."""
    old = _sibling(final, "old")
    _remove(old)
    if final.exists() or final.is_symlink():
        os.replace(final, old)
    os.replace(tmp, final)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def discard_dir(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
