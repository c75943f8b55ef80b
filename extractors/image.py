"""Image files (PNG, JPG, TIFF with one page per frame, BMP, WebP) → Grid through the scan extractor."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence

from extractors.ocr_engines import OcrEngine, get_engine
from extractors.scan import extract_image_page
from extractors.scan.settings import DEFAULTS, ScanSettings
from pipeline.model import Grid, Table, TextLine

MAX_PIXELS = 60_000_000  # per page: an A4 scan at 600 dpi is 35 Mpx
A4_LONG_SIDE_IN = 11.69


def image_dpi(img: Image.Image) -> float:
    """The resolution the file states, unless it is a screen default (72/96) or absurd; else assume a full A4 page."""
    stated = img.info.get("dpi")
    if stated:
        dpi = float(stated[0])
        if 100 <= dpi <= 1200 and round(dpi) not in (72, 96):
            return dpi
    return min(600.0, max(100.0, max(img.size) / A4_LONG_SIDE_IN))


def to_bgr(img: Image.Image) -> np.ndarray:
    """Any PIL mode (palette, alpha, CMYK, 16-bit) → 8-bit BGR on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        gray = np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"))[..., ::-1])


def extract_image(
    path: Path,
    engine: OcrEngine | None = None,
    debug_dir: Path | None = None,
    settings: ScanSettings = DEFAULTS,
    first_page: int = 1,
) -> Grid:
    """OCR every page (frame) of an image file, numbered from first_page; raises ValueError on pages
    over MAX_PIXELS (decompression bombs)."""
    engine = engine or get_engine("rapidocr")
    tables: list[Table] = []
    lines: list[TextLine] = []
    try:
        source = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ValueError(f"{path.name}: refused, image too large ({exc})") from exc
    with source:
        page = first_page - 1
        for frame in ImageSequence.Iterator(source):
            page += 1
            width, height = frame.size
            if width * height > MAX_PIXELS:
                raise ValueError(
                    f"{path.name}: page {page} is {width}x{height} px, over the {MAX_PIXELS:,} px limit "
                    "(decompression bomb?)"
                )
            dpi = image_dpi(frame)
            bgr = to_bgr(ImageOps.exif_transpose(frame))
            target = min(settings.target_dpi, max(settings.min_dpi, dpi))
            if abs(target / dpi - 1) > 0.05:
                f = target / dpi
                size = (max(1, round(bgr.shape[1] * f)), max(1, round(bgr.shape[0] * f)))  # a 1-px strip stays 1 px
                bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
                dpi = target
            debug = debug_dir / f"{path.stem}-p{page:03d}.png" if debug_dir else None
            t, l = extract_image_page(bgr, page, 72.0 / dpi, engine, debug_path=debug, settings=settings)
            tables += t
            lines += l
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=page, page_kinds=("scanned",) * page)


def extract_images(paths: list[Path], engine: OcrEngine | None = None, settings: ScanSettings = DEFAULTS) -> Grid:
    """Several image files read as the consecutive pages of one document (the scans pasted into a Word file)."""
    engine = engine or get_engine("rapidocr")
    tables: list[Table] = []
    lines: list[TextLine] = []
    pages = 0
    for path in paths:
        grid = extract_image(path, engine, settings=settings, first_page=pages + 1)
        tables += grid.tables
        lines += grid.lines
        pages = grid.pages
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=pages, page_kinds=("scanned",) * pages)
