"""PDF plumbing: LibreOffice conversion, stable metadata, page lookup, font and password tricks."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
import pikepdf


def soffice_convert(sources: list[Path], out_dir: Path) -> list[Path]:
    """Convert DOCX/XLSX to PDF with a private LibreOffice profile (safe next to other soffice runs)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as tmp:
        cmd = ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, sources)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    outs = [out_dir / (s.stem + ".pdf") for s in sources]
    for o in outs:
        if not o.exists():
            raise RuntimeError(f"soffice produced no {o.name}")
        stabilize(o)
    return outs


def stabilize(path: Path) -> None:
    """Drop the conversion timestamps and give the file a content-derived /ID."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for key in ("/CreationDate", "/ModDate"):
            if key in pdf.docinfo:
                del pdf.docinfo[key]
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        for key in ("/ID", "/DocChecksum"):  # qpdf would keep the random first half of /ID
            if key in pdf.trailer:
                del pdf.trailer[key]
        pdf.save(path, deterministic_id=True)


def merge(parts: list[Path], out: Path) -> None:
    with pikepdf.new() as pdf:
        for part in parts:
            with pikepdf.open(part) as src:
                pdf.pages.extend(src.pages)
        pdf.save(out, deterministic_id=True)


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "").replace(" ", "").replace("\n", "") for page in pdf.pages]


def project_pages(path: Path, markers: list[str]) -> list[tuple[int, int]]:
    """1-based (first, last) page of each project, given one marker text per project in order.

    Every project starts on a new page and ends on the page before the next one starts; the last
    one runs to the end of the file."""
    texts = page_texts(path)
    starts: list[int] = []
    page = 0
    for m in markers:
        key = m.replace(" ", "")
        while page < len(texts) and key not in texts[page]:
            page += 1
        if page == len(texts):
            raise ValueError(f"marker {m!r} not found in {path.name}")
        starts.append(page + 1)
    ends = [s - 1 for s in starts[1:]] + [len(texts)]
    return list(zip(starts, ends))


def strip_tounicode(src: Path, out: Path) -> int:
    """Remove /ToUnicode from every font so text extraction yields (cid:N); returns fonts touched."""
    n = 0
    with pikepdf.open(src) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and "/ToUnicode" in obj:
                del obj["/ToUnicode"]
                n += 1
        pdf.save(out, deterministic_id=True)
    return n


def encrypt(src: Path, out: Path, user: str, owner: str) -> None:
    with pikepdf.open(src) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user=user, owner=owner, R=4, aes=False, metadata=False),
                 static_id=True)


def copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst
