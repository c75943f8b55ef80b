"""Make zip-based office files byte-stable: fixed timestamps, fixed entry order."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

STAMP = (2024, 3, 1, 9, 0, 0)


def pin_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    entries = [(n, _pin_dates(d) if n == "docProps/core.xml" else d) for n, d in entries]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def _pin_dates(xml: bytes) -> bytes:
    """Fixed dcterms:created / dcterms:modified (writers stamp the current time on save)."""
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2024-03-01T09:00:00Z", xml)
