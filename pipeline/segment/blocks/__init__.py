"""Block recognizers: one class per block kind of a 自评表, all with the same small interface.

The Segmenter offers every table row to its recognizers in order (segmenter.RECOGNIZERS); the first whose
`opens(row, labels)` returns True has handled that row (a header row opening its block, or a
one-row block such as a header field or the 总分 row). A row no recognizer opens on goes to the
open block's `take(row)`. To add a block kind: subclass Recognizer, give it a `name`, put its
words in vocabulary.toml, and list it in segmenter.RECOGNIZERS at the place its header must be tried.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.segment.columns import Column

if TYPE_CHECKING:
    from pipeline.segment.segmenter import Segmenter
    from pipeline.segment.stream import Row


class Recognizer:
    """One block kind: `opens` tells (and handles) a row that starts it, `take` reads its following rows."""

    name = ""

    def __init__(self, segmenter: Segmenter):
        self.seg = segmenter
        self.columns: list[Column] = []

    def opens(self, row: Row, labels: list[str]) -> bool:
        """Does this row open the block (or is it a one-row block)? If so it has been handled."""
        return False

    def take(self, row: Row) -> None:
        """A row of the open block."""

    def open(self, columns: list[Column] | None = None) -> None:
        """Make this the open block, reading rows by these header columns."""
        if columns is not None:
            self.columns = columns
        self.seg.state = self.name
