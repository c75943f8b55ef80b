"""What is this file: its kind read from its bytes (a PDF's pages are told apart by extractors/page_kinds)."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

PDF, IMAGE, DOCX, XLSX, XLS, HTML, EMPTY, UNKNOWN = (
    "pdf", "image", "docx", "xlsx", "xls", "html", "empty", "unknown",
)
DOC, WPS, ET, RTF, OFD, MHT, CSV = "doc", "wps", "et", "rtf", "ofd", "mht", "csv"
ZIP, RAR, SEVEN_ZIP = "zip", "rar", "7z"
ARCHIVES = {ZIP, RAR, SEVEN_ZIP}
ENCRYPTED_OFFICE = "encrypted_office"  # an OOXML file locked with a password (an OLE EncryptedPackage)
LEGACY_OFFICE = {DOC: "docx", WPS: "docx", RTF: "docx", ET: "xlsx"}  # kind → what LibreOffice converts it to
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
CLAIMED = {
    ".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".xls": XLS, ".html": HTML, ".htm": HTML, ".doc": DOC,
    ".wps": WPS, ".et": ET, ".rtf": RTF, ".ofd": OFD, ".mht": MHT, ".mhtml": MHT, ".csv": CSV,
    ".zip": ZIP, ".rar": RAR, ".7z": SEVEN_ZIP,
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RAR_MAGIC = (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
TABLE_TEXT_SUFFIXES = {".csv", ".xls", ".xlsx", ".et", ".txt", ".tsv"}  # names under which a delimited text is a table


def sniff(path: Path) -> str:
    """The input kind from the file's bytes; the name only tells apart kinds that share a container.

    Containers come first: a stored (uncompressed) zip of PDFs shows `%PDF-` in its first bytes
    but is an archive. A zip is a DOCX, XLSX, OFD or an archive by its members; an OLE compound
    file is a Word document (.doc, or .wps as WPS saves them) or a workbook by its streams.
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        return EMPTY
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return zip_kind(path)
    if head.startswith(OLE_MAGIC):
        return ole_kind(path)
    if head.startswith(RAR_MAGIC):
        return RAR
    if head.startswith(SEVEN_ZIP_MAGIC):
        return SEVEN_ZIP
    if head.lstrip().startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return IMAGE
    if head.lstrip().startswith(b"{\\rtf"):
        return RTF
    lowered = head.lower()
    if b"mime-version:" in lowered and b"multipart/" in lowered:
        return MHT
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered or b"<table" in lowered:
        return HTML
    if path.suffix.lower() in TABLE_TEXT_SUFFIXES and is_delimited_text(head, complete=len(head) < 4096):
        return CSV
    return UNKNOWN


def zip_kind(path: Path) -> str:
    """DOCX, XLSX or OFD by the zip's members; any other zip (or a broken one) is an archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ZIP
    if "word/document.xml" in names or any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if "OFD.xml" in names or "ofd.xml" in names:
        return OFD
    return ZIP


def ole_kind(path: Path) -> str:
    """A Word document (DOC, or WPS when named .wps), a workbook (XLS, or ET when named .et), a
    password-locked OOXML file, else UNKNOWN."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir()}
    except (OSError, ValueError, IndexError, struct.error):
        return UNKNOWN
    suffix = path.suffix.lower()
    if "worddocument" in streams:
        return WPS if suffix == ".wps" else DOC
    if "workbook" in streams or "book" in streams:
        return ET if suffix == ".et" else XLS
    if "encryptedpackage" in streams:
        return ENCRYPTED_OFFICE
    return UNKNOWN


def is_delimited_text(head: bytes, complete: bool = False) -> bool:
    """Text whose first lines all hold the same number (≥ 1) of tabs or of commas: a CSV/TSV table.

    complete: head is the whole file. A first line longer than the sample (a wide export, a row of
    long texts) is a table when it holds tabs or commas enough, as is a file of one line."""
    text = head.decode("utf-8", errors="ignore") if _decodes(head, "utf-8") else head.decode("gb18030", errors="ignore")
    if "\x00" in text:
        return False
    split = text.splitlines()
    lines = [line for line in (split if complete else split[:-1]) if line.strip()][:10]  # the last line may be cut
    if len(lines) < 2:
        first = (split or [""])[0]
        control = sum(1 for ch in first if not ch.isprintable() and ch not in "\t\ufeff")
        return (len(split) <= 1 + complete and control <= len(first) // 100
                and any(first.count(sep) >= 2 for sep in ("\t", ",")))
    return any(len({line.count(sep) for line in lines}) == 1 and lines[0].count(sep) >= 1 for sep in ("\t", ","))


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start > len(data) - 4  # a character cut at the end of the sample
    return True


def claimed_kind(path: Path) -> str:
    """The kind the file's name claims (to tell a download that is not what it says)."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return IMAGE
    return CLAIMED.get(suffix, UNKNOWN)
