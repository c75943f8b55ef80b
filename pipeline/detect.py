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
OUTLINED_TEXT_PATHS = 50  # paths drawn on a page with next to no text: glyphs drawn as outlines


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


def page_kind(chars: list[dict], image_share: float, n_paths: int = 0) -> str:
    """`text`, `cid` (a text layer without a ToUnicode map: read it by OCR) or `scanned`.

    chars: the page's characters (dicts with "text"); image_share: share of the page covered by
    images; n_paths: vector paths drawn. A page with next to no characters but an image over it,
    or many paths (text converted to outlines), is read as a picture: by OCR.
    """
    if chars and sum(1 for char in chars if is_junk(char["text"])) / len(chars) > CID_SHARE:
        return "cid"
    if len(chars) < MIN_TEXT_CHARS and (image_share > 0.3 or n_paths > OUTLINED_TEXT_PATHS):
        return "scanned"
    return "text"


LATIN_SIGNS = set("×÷°±·µ§¥£¢©®¼½¾")


def is_junk(text: str) -> bool:
    """A glyph with no real character behind it: pdfminer's `(cid:N)`, or a font's raw glyph id read
    as a code point (control codes, Latin-1/Extended letters no Chinese report prints, private use)."""
    if text.startswith("(cid:"):
        return True
    if len(text) != 1 or text in LATIN_SIGNS:
        return False
    code = ord(text)
    return code < 0x20 or 0x7F <= code < 0x300 or 0xE000 <= code <= 0xF8FF or code == 0xFFFD


def pdf_file_type(page_kinds: list[str]) -> str:
    """documents.file_type for a PDF from its pages' kinds."""
    if all(kind == "text" for kind in page_kinds):
        return "pdf_text"
    if all(kind != "text" for kind in page_kinds):
        return "pdf_scanned"
    return "pdf_mixed"
