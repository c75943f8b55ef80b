"""What a batch reads: every file under the input folder as an InputItem, in a stable order.

An item is named by its path relative to the input folder (posix). The batch reads items, not
paths, so that a file inside an archive (`bundle.zip!附件/report.pdf`) or a file nobody means as
input (listed as skipped, with the reason) is one row of documents.csv like any other.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SKIP_NAMES = {".DS_Store", "Thumbs.db", ".gitkeep"}


@dataclass(frozen=True)
class InputItem:
    source_path: str      # relative to the input folder, posix; an archive member as `a.zip!inner/x.pdf`
    path: Path            # the file on disk (the archive, for a member)
    member: str = ""      # the path inside the archive; '' for a plain file
    skip_reason: str = ""  # set for a file nobody means as input: listed as skipped, never read

    @property
    def name(self) -> str:
        return Path(self.member or self.path.name).name


def list_inputs(input_dir: Path) -> list[InputItem]:
    """Every file under input_dir (recursively), sorted by its relative path."""
    files = sorted(p for p in input_dir.rglob("*") if p.is_file() and p.name not in SKIP_NAMES)
    return [InputItem(source_path=p.relative_to(input_dir).as_posix(), path=p) for p in files]


@contextmanager
def local_file(item: InputItem) -> Iterator[Path]:
    """A path on disk holding the item's bytes, for as long as the block runs."""
    yield item.path
