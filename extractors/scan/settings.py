"""Knobs of the scan extractor and their defaults."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanSettings:
    """Knobs of the scan extractor; lengths in inches so they hold at any resolution."""

    target_dpi: float = 200.0      # render / resample resolution for OCR
    min_dpi: float = 150.0         # low-resolution sources are upsampled to at least this
    max_pixels: int = 60_000_000   # refuse to render a page larger than this
    max_skew: float = 5.0          # degrees searched by deskew
    h_kernel: float = 0.25         # shortest horizontal ruling
    v_kernel: float = 0.18         # shortest vertical ruling
    max_ruling: float = 0.05       # thickest ruling (mean thickness)
    line_tol: float = 0.03         # rulings closer than this are one line
    gap_bridge: float = 0.06       # dropouts in a ruling up to this are closed
    min_score: float = 0.5         # line reads below this are dropped (RapidOCR's own text_score default)
    separator_coverage: float = 0.6   # longest inked stretch of a slot border that separates two cells
    min_table: tuple[float, float] = (0.6, 0.25)  # smallest table (w, h)


DEFAULTS = ScanSettings()
