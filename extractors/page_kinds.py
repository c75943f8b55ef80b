"""What each page of a PDF is: a text layer, a scan, or a text layer that lies (read by OCR)."""
from __future__ import annotations

MIN_TEXT_CHARS = 20       # fewer characters than this on a page with an image → scanned
CID_SHARE = 0.3           # share of (cid:N) glyphs above which a text layer is junk
OUTLINED_TEXT_PATHS = 50  # paths drawn on a page with next to no text: glyphs drawn as outlines


def page_kind(chars: list[dict], image_share: float, n_paths: int = 0) -> str:
    """`text`, `cid` (a text layer without a ToUnicode map: read it by OCR) or `scanned`.

    chars: the page's characters (dicts with "text"); image_share: share of the page covered by
    images; n_paths: vector paths drawn. A page with next to no characters but an image over it,
    or many paths (text converted to outlines), is read as a picture: by OCR. Blank characters (a
    text layer of spaces an OCR tool or a converter left over a scan) do not count.
    """
    chars = [char for char in chars if char["text"].strip()]  # a layer of spaces over a scan says nothing
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
