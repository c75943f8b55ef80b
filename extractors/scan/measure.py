"""Pixel measures every step of the scan extractor shares: lengths in inches at a resolution, runs of a 1-D ink profile."""
from __future__ import annotations

import numpy as np
def px(inches: float, dpi: float) -> int:
    """A length in inches as whole pixels at `dpi` (at least one)."""
    return max(1, int(round(inches * dpi)))


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of consecutive True values."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))
