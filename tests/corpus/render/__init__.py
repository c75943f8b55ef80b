"""Render the test corpus (DOCX, XLSX, PDF, scans, hard and bad files) from the hand-written truth.

`python -m tests.corpus.render` from the repository root regenerates tests/corpus/docs/ and
tests/corpus/manifest.csv. Every layout reproduces the printed form of one seed report.
"""
