"""Find the blocks of 自评表 in a Grid: project header, funds, goals, indicator tables, totals."""
from pipeline.segment.segmenter import Segmenter, segment

__all__ = ["Segmenter", "segment"]
