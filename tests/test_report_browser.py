"""report.html opened from disk in headless Chromium: every document's source path is in the DOM."""
import html
import shutil
import subprocess

import pytest

from pipeline.report import write_report
from test_report import SOURCES, page_image, truth_frames

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    pytest.skip(f"no Chromium binary on PATH (looked for {', '.join(BROWSERS)})")


def test_report_renders_in_headless_chromium(tmp_path):
    binary = browser()
    frames = truth_frames()
    path = write_report(tmp_path / "out", frames, {"ningxia_2024": [page_image(tmp_path / "page-1.png")]})
    result = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )
    dom = result.stdout
    assert "<h1>jixiao QA report</h1>" in dom
    for source in [*SOURCES.values(), "raw/broken.pdf"]:
        assert html.escape(source, quote=False) in dom, source
    assert dom.count("<section id=") == len(frames["documents"])
    assert 'src="data:image/jpeg;base64,' in dom
