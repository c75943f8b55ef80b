"""What is this file, and for a PDF, what is each page: a text layer, a scan, or a junk text layer."""
from __future__ import annotations

import zipfile
from pathlib import Path

PDF, IMAGE, DOCX, XLSX, XLS, HTML, EMPTY, UNKNOWN = (
    "pdf", "image", "docx", "xlsx", "xls", "html", "empty", "unknown",
)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
MIN_TEXT_CHARS = 20       # fewer characters than this on a page with an image → scanned
CID_SHARE = 0.3           # share of (cid:N) glyphs above which a text layer is junk


def sniff(path: Path) -> str:
    """The input kind from the file's leading bytes (the suffix only breaks ties)."""
    with path.open("rb") as handle:
        head = handle.read(2048)
    if not head:
        return EMPTY
    if head.lstrip().startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return IMAGE
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return UNKNOWN
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
        return UNKNOWN
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return XLS if path.suffix.lower() in {".xls", ".et"} else UNKNOWN
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
        return HTML
    return UNKNOWN


def claimed_kind(path: Path) -> str:
    """The kind the file's name claims (to tell a download that is not what it says)."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return IMAGE
    return {".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".xls": XLS, ".html": HTML, ".htm": HTML}.get(suffix, UNKNOWN)


def page_kind(page) -> str:
    """`text`, `cid` (text layer without a ToUnicode map: read it by OCR) or `scanned`, for a pdfplumber page."""
    chars = page.chars
    if len(chars) >= MIN_TEXT_CHARS:
        junk = sum(1 for char in chars if char["text"].startswith("(cid:"))
        return "cid" if junk / len(chars) > CID_SHARE else "text"
    page_area = float(page.width * page.height) or 1.0
    image_area = sum(
        max(0.0, float(image["x1"] - image["x0"])) * max(0.0, float(image["bottom"] - image["top"]))
        for image in page.images
    )
    return "scanned" if image_area / page_area > 0.3 else "text"


def pdf_file_type(page_kinds: list[str]) -> str:
    """documents.file_type for a PDF from its pages' kinds."""
    if all(kind == "text" for kind in page_kinds):
        return "pdf_text"
    if all(kind != "text" for kind in page_kinds):
        return "pdf_scanned"
    return "pdf_mixed"
