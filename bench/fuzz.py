"""`python -m bench.fuzz`: mutate corpus files into N bad inputs, run the batch over them, count crashes and hangs.

The mutator is deterministic (one seed → the same files): byte flips, truncations, chunk deletion
and duplication, garbage around the file, xref/trailer damage, stream /Length lies, zeroed
(object) streams, pikepdf-level damage (a /Root entry dropped, /Kids loops, huge or negative
/MediaBox, deeply nested arrays), and for DOCX/XLSX a corrupt or missing zip member, plus files
saved under another kind's suffix. Sources are the corpus's text PDFs, DOCX and XLSX, and a few
one-page 150 dpi scans (read with OCR; the other mutants without), exact duplicates, formula-only XLSX and
GBK-bytes names; then `--kills` runs SIGKILLed at random instants of their write phase (previous or new
complete set, never a mix). A batch crash is run_batch
raising or a file without exactly one documents row; a hang is a file that hit the time limit
(20 s; 60 s for the OCR'd scan mutants).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import psutil

from pipeline.batch import run_batch
from pipeline.run import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "tests" / "corpus" / "docs"
STATUSES = ("ok", "partial", "failed", "skipped", "duplicate")
DUPLICATE_SHARE = 0.03   # exact copies of an earlier mutant under another name: status duplicate
FORMULA_SHARE = 0.02     # XLSX whose numbers are formulas saved without cached values
SCAN_SHARE = 0.02
KIND_SHARES = (("pdf", 0.5), ("docx", 0.2), ("xlsx", 0.1), ("archive", 0.09), ("web", 0.05), ("ofd", 0.03),
               ("office97", 0.03))
GBK_NAME_SHARE = 0.05  # files whose name is written as GBK bytes (a Chinese-Windows zip unpacked on Linux)
DOWNLOAD = "download_folder"
SCAN_PDFS = ("ningxia_2024_scan150.pdf", "qujing_2022_14-1_to_14-5_scan150.pdf")  # page 1 holds a whole 自评表


@dataclass(frozen=True)
class Source:
    name: str
    kind: str  # pdf, docx, xlsx, scan_pdf, image
    data: bytes
    suffix: str


def load_sources(docs: Path = DOCS) -> list[Source]:
    """The corpus files to mutate, read once (the corpus may be regenerated meanwhile)."""
    sources = [Source(p.stem, "pdf", p.read_bytes(), ".pdf") for p in sorted((docs / "text_pdf").glob("*.pdf"))]
    sources += [Source(p.stem, "docx", p.read_bytes(), ".docx") for p in sorted((docs / "docx").glob("*.docx"))]
    sources += [Source(p.stem, "xlsx", p.read_bytes(), ".xlsx") for p in sorted((docs / "xlsx").glob("*.xlsx"))]
    sources += [Source(p.stem, "image", p.read_bytes(), p.suffix) for p in sorted((docs / "image").glob("*150dpi*"))]
    for path in [docs / "scan_pdf" / name for name in SCAN_PDFS if (docs / "scan_pdf" / name).exists()]:
        with pikepdf.open(path) as pdf:  # first page only: OCR is the slow path
            del pdf.pages[1:]
            sources.append(Source(path.stem + "_p1", "scan_pdf", saved(pdf), ".pdf"))
    download = docs / DOWNLOAD
    for path in sorted(download.glob("*")) if download.is_dir() else []:
        kind = {".zip": "archive", ".rar": "archive", ".7z": "archive", ".ofd": "ofd", ".mht": "web", ".html": "web",
                ".xls": "web", ".doc": "office97", ".wps": "office97", ".rtf": "office97", ".et": "office97"}.get(path.suffix)
        if path.name == "xizang_2023_web.doc":
            kind = "web"
        if kind:
            sources.append(Source(path.stem, kind, path.read_bytes(), path.suffix))
    if not any(s.kind == "pdf" for s in sources):
        raise SystemExit(f"fuzz: no corpus text PDFs under {docs} (run `make corpus`)")
    return sources


def saved(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


# -- byte-level mutations (any file) --------------------------------------------------------

def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def delete_chunk(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    size = rng.randint(1, min(65536, len(data) - start))
    return data[:start] + data[start + size:]


def duplicate_chunk(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    end = start + rng.randint(1, min(65536, len(data) - start))
    return data[:end] + data[start:end] + data[end:]


def append_garbage(rng: random.Random, data: bytes) -> bytes:
    return data + rng.randbytes(rng.randint(1, 65536))


def prepend_garbage(rng: random.Random, data: bytes) -> bytes:
    return rng.randbytes(rng.randint(1, 4096)) + data


# -- raw PDF mutations ---------------------------------------------------------------------

def break_xref(rng: random.Random, data: bytes) -> bytes:
    """Wrong offsets in the xref table, a wrong startxref, or no xref keyword at all."""
    entries = [m.start(1) for m in re.finditer(rb"\n(\d{10}) \d{5} n", data)]
    how = rng.choice(("entries", "startxref", "keyword"))
    if how == "entries" and entries:
        out = bytearray(data)
        for spot in rng.sample(entries, min(len(entries), rng.randint(1, 20))):
            out[spot:spot + 10] = b"%010d" % rng.randrange(10**10)
        return bytes(out)
    if how == "keyword":
        return data.replace(b"xref", b"xrfe")
    at = data.rfind(b"startxref")
    if at < 0:
        return flip_bytes(rng, data)
    return data[:at] + re.sub(rb"startxref\s+\d+", b"startxref\n%d" % rng.randrange(len(data) * 2), data[at:], count=1)


def damage_trailer(rng: random.Random, data: bytes) -> bytes:
    """The trailer loses /Root, gets a lying /Size, or is cut off."""
    how = rng.choice(("root", "size", "cut"))
    if how == "root" and b"/Root" in data:
        at = data.rfind(b"/Root")
        return data[:at] + b"/Rxxt" + data[at + 5:]
    if how == "size" and b"/Size" in data:
        at = data.rfind(b"/Size")
        return data[:at] + re.sub(rb"/Size\s+\d+", b"/Size %d" % rng.choice((0, 1, 2**31)), data[at:], count=1)
    at = max(data.rfind(b"trailer"), data.rfind(b"startxref"))
    return data[:at] if at > 0 else truncate(rng, data)


def lie_stream_length(rng: random.Random, data: bytes) -> bytes:
    """Some /Length values replaced by a same-width lie (0, all nines, or random), so offsets stay put."""
    spans = [m.span(1) for m in re.finditer(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", data)]
    if not spans:
        return flip_bytes(rng, data)
    out = bytearray(data)
    for start, end in rng.sample(spans, min(len(spans), rng.randint(1, 8))):
        width = end - start
        lie = rng.choice((b"0" * width, b"9" * width, b"%0*d" % (width, rng.randrange(10**width))))
        out[start:end] = lie
    return bytes(out)


def stream_spans(data: bytes) -> list[tuple[int, int, bytes]]:
    """(start, end, dictionary text before it) of every stream body."""
    spans = []
    for match in re.finditer(rb"stream\r?\n", data):
        if data[match.start() - 3:match.start()] == b"end":
            continue
        end = data.find(b"endstream", match.end())
        if end > 0:
            spans.append((match.end(), end, data[max(0, match.start() - 400):match.start()]))
    return spans


def zero_stream(rng: random.Random, data: bytes) -> bytes:
    spans = stream_spans(data)
    if not spans:
        return flip_bytes(rng, data)
    start, end, _ = rng.choice(spans)
    return data[:start] + bytes(end - start) + data[end:]


def zero_object_stream(rng: random.Random, data: bytes) -> bytes:
    """Re-save with object streams, then zero one or all of them."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        data = saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    spans = [span for span in stream_spans(data) if b"/ObjStm" in span[2].rsplit(b" obj", 1)[-1]]
    if not spans:
        return zero_stream(rng, data)
    for start, end, _ in spans if rng.random() < 0.3 else [rng.choice(spans)]:
        data = data[:start] + bytes(end - start) + data[end:]
    return data


# -- pikepdf-level mutations ---------------------------------------------------------------

def with_pdf(change):
    """A mutation that edits the parsed PDF and saves it again."""
    def mutation(rng: random.Random, data: bytes) -> bytes:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            change(rng, pdf)
            return saved(pdf)
    mutation.__name__ = change.__name__
    mutation.__doc__ = change.__doc__
    return mutation


@with_pdf
def drop_root_key(rng: random.Random, pdf: pikepdf.Pdf) -> None:
    del pdf.Root[rng.choice(sorted(pdf.Root.keys()))]


@with_pdf
def kids_loop(rng: random.Random, pdf: pikepdf.Pdf) -> None:
    """The page tree refers back to itself, directly or through a page's /Parent."""
    pages = pdf.Root.Pages
    how = rng.choice(("append", "only", "nested"))
    if how == "append":
        pages.Kids.append(pages)
    elif how == "only":
        pages.Kids = pikepdf.Array([pages])
    else:
        node = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Parent=pages, Count=1))
        node.Kids = pikepdf.Array([node, pages])
        pages.Kids.insert(0, node)


def page_objects(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [page.obj for page in pdf.pages]


@with_pdf
def huge_mediabox(rng: random.Random, pdf: pikepdf.Pdf) -> None:
    side = rng.choice((1e6, 1e9, 3.4e38))
    for page in page_objects(pdf):
        page.MediaBox = pikepdf.Array([0, 0, side, side])


@with_pdf
def negative_mediabox(rng: random.Random, pdf: pikepdf.Pdf) -> None:
    box = rng.choice(([0, 0, -595, -842], [595, 842, 0, 0], [0, 0, 0, 0], [-1e9, -1e9, -1e9 + 1, -1e9 + 1]))
    for page in page_objects(pdf):
        page.MediaBox = pikepdf.Array(box)


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    """A page gets an array nested thousands deep, in its content stream or (by an appended
    incremental update: qpdf itself overflows its stack writing one) in its dictionary."""
    depth = rng.randint(1000, 20000)
    nest = b"[" * depth + b"]" * depth
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = rng.choice(pdf.pages)
        if rng.random() < 0.5:
            page.contents_add(pdf.make_stream(nest + b" pop\n"), prepend=True)
            return saved(pdf)
        number, generation = page.obj.objgen
        body = page.obj.unparse(resolved=True)[:-2] + b" /Fuzz " + nest + b" >>"
        root, size = pdf.Root.objgen, int(pdf.trailer.Size)
    previous = re.findall(rb"startxref\s+(\d+)", data)
    if not previous:
        return flip_bytes(rng, data)
    data += b"\n"
    xref = len(data) + len(b"%d %d obj\n%s\nendobj\n" % (number, generation, body))
    return data + b"".join((
        b"%d %d obj\n%s\nendobj\n" % (number, generation, body),
        b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n" % (number, len(data), generation),
        b"trailer\n<< /Size %d /Root %d %d R /Prev %s >>\n" % (size, *root, previous[-1]),
        b"startxref\n%d\n%%%%EOF\n" % xref,
    ))


# -- DOCX / XLSX mutations -----------------------------------------------------------------

def rezip(data: bytes, change) -> bytes:
    """Copy a zip member by member; change(name, bytes) returns new bytes or None to drop it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = change(info.filename, source.read(info))
            if body is not None:
                target.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), body, zipfile.ZIP_DEFLATED)  # no clock in the bytes
    return out.getvalue()


def corrupt_member(rng: random.Random, data: bytes) -> bytes:
    """One XML member truncated, garbled or made non-UTF-8, in an otherwise valid zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".xml")]
    main = [n for n in names if n in ("word/document.xml", "xl/workbook.xml") or n.startswith("xl/worksheets/")]
    victim = rng.choice(main if main and rng.random() < 0.7 else names)

    def change(name: str, body: bytes) -> bytes:
        if name != victim:
            return body
        how = rng.choice(("truncate", "flip", "encoding"))
        if how == "truncate":
            return truncate(rng, body) if body else body
        if how == "flip":
            return flip_bytes(rng, body) if body else body
        return body.decode("utf-8", "replace").encode("utf-16")
    return rezip(data, change)


def drop_member(rng: random.Random, data: bytes) -> bytes:
    """A sheet XML, the document body, the workbook or [Content_Types].xml goes missing."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    wanted = [n for n in names if n.startswith("xl/worksheets/sheet") or n in (
        "word/document.xml", "xl/workbook.xml", "xl/sharedStrings.xml", "word/styles.xml", "[Content_Types].xml")]
    victim = rng.choice(wanted or names)
    return rezip(data, lambda name, body: None if name == victim else body)


# -- archive mutations ----------------------------------------------------------------------

class GBKName(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as Chinese-Windows zip tools write them."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk", "replace"), self.flag_bits & ~0x800


def hostile_zip(rng: random.Random, data: bytes) -> bytes:
    """A zip a careless or hostile sender makes: members named `../`, a bomb, the encryption flag,
    a zip nested three deep, GBK names, a __MACOSX fork, or no members at all; the source's first
    member rides along (a zip source's, else the source itself)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            first = archive.infolist()[0]
            payload, payload_name = archive.read(first), Path(first.filename).name
    except (zipfile.BadZipFile, IndexError):
        payload, payload_name = data, "report.bin"
    how = rng.choice(("traversal", "bomb", "encrypted", "deep", "gbk", "macosx", "empty"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if how == "traversal":
            archive.writestr(rng.choice(("../../", "/tmp/", "a/../../")) + payload_name, payload)
        elif how == "bomb":
            archive.writestr("bomb.pdf", b"%PDF-1.4\n" + bytes(rng.choice((20, 40)) * 2**20))
        elif how == "deep":
            inner = payload
            for depth in range(3):
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as nested:
                    nested.writestr(f"level{depth}/{payload_name}" if depth == 0 else f"level{depth}.zip", inner)
                inner = buffer.getvalue()
            archive.writestr("nested.zip", inner)
        elif how == "gbk":
            archive.writestr(GBKName("附件/" + payload_name), payload)
        elif how == "macosx":
            archive.writestr(payload_name, payload)
            archive.writestr(f"__MACOSX/._{payload_name}", b"\x00\x05\x16\x07" + bytes(60))
        elif how != "empty":
            archive.writestr(payload_name, payload)
    data = bytearray(out.getvalue())
    if how == "encrypted" and data:
        data[6] |= 0x1
        central = data.rfind(b"PK\x01\x02")
        data[central + 8] |= 0x1
    return bytes(data)


BYTES = (flip_bytes, truncate, delete_chunk, duplicate_chunk, append_garbage, prepend_garbage)
PDF = (break_xref, damage_trailer, lie_stream_length, zero_stream, zero_object_stream,
       drop_root_key, kids_loop, huge_mediabox, negative_mediabox, deep_nesting)
ZIP = (corrupt_member, drop_member)
SWAP = "swap_suffix"
SCANS = ("scan_pdf", "image")
MUTATIONS = {
    "pdf": [*BYTES, *PDF, SWAP], "scan_pdf": [*BYTES, *PDF], "image": list(BYTES),
    "docx": [*BYTES, *ZIP, SWAP], "xlsx": [*BYTES, *ZIP, SWAP],
    "archive": [*BYTES, hostile_zip, hostile_zip, SWAP], "ofd": [*BYTES, *ZIP, SWAP], "web": [*BYTES, SWAP],
    "office97": [*BYTES, SWAP],
}
PARTS = {"office97": "office97"}  # kinds read in a batch of their own (LibreOffice: seconds per file)


def pick_source(rng: random.Random, sources: list[Source], scans: bool, office97: bool = True) -> Source:
    scanned = [s for s in sources if s.kind in SCANS]
    if scans and scanned and rng.random() < SCAN_SHARE:
        return rng.choice(scanned)
    kinds = [kind for kind, _ in KIND_SHARES if any(s.kind == kind for s in sources) and (office97 or kind != "office97")]
    kind = rng.choices(kinds, weights=[share for k, share in KIND_SHARES if k in kinds])[0]
    return rng.choice([s for s in sources if s.kind == kind])


def formula_only(rng: random.Random, data: bytes) -> bytes:
    """The workbook's first sheets with every number a formula saved without its value (as openpyxl saves)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets[rng.randint(1, 2):]:
        book.remove(ws)
    for ws in book.worksheets:
        for cell in list(ws._cells.values()):
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.value = f"=ROUND({cell.value}*3/3,6)"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_mutants(n: int, seed: int, folder: Path, sources: list[Source], scans: bool = True,
                  office97: bool = True) -> dict[str, str]:
    """Write n mutated files under folder (scan mutants in ocr/, legacy Office/WPS in office97/, the
    rest in plain/); return {path relative to folder, as jixiao lists it: mutation name}. Some are
    exact copies of an earlier plain mutant (`duplicate`), formula-only workbooks (`formula_only`),
    and some names are written as GBK bytes."""
    rng = random.Random(seed)
    written: dict[str, str] = {}
    plain: list[str] = []
    for index in range(n):
        draw = rng.random()
        if draw < DUPLICATE_SHARE and plain:
            original = rng.choice(plain)
            name = f"plain/copies/{index:04d}_duplicate_{Path(original).name}"
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes((folder / original).read_bytes())
            written[name] = "duplicate"
            continue
        xlsx = [s for s in sources if s.kind == "xlsx"]
        if draw < DUPLICATE_SHARE + FORMULA_SHARE and xlsx:
            source = rng.choice(xlsx)
            name = f"plain/{index:04d}_formula_only_{source.name}.xlsx"
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(formula_only(rng, source.data))
            written[name] = "formula_only"
            plain.append(name)
            continue
        source = pick_source(rng, sources, scans, office97)
        mutation = rng.choice(MUTATIONS[source.kind])
        suffix = source.suffix
        if mutation == SWAP:
            data = source.data
            suffix = rng.choice([s for s in (".pdf", ".docx", ".xlsx", ".xls", ".doc", ".zip") if s != source.suffix])
        else:
            try:
                data = mutation(rng, source.data)
            except Exception:  # the source cannot take this mutation (pikepdf refused): flip bytes instead
                mutation = flip_bytes
                data = flip_bytes(rng, source.data)
            mutation = mutation.__name__
        part = "ocr" if source.kind in SCANS else PARTS.get(source.kind, "plain")
        name = f"{part}/{index:04d}_{mutation}_{source.name}{suffix}"
        on_disk = name
        if rng.random() < GBK_NAME_SHARE:
            name = f"{part}/附件{index:04d}_{mutation}{suffix}"
            on_disk = os.fsdecode(name.encode("gbk"))
        (folder / on_disk).parent.mkdir(parents=True, exist_ok=True)
        (folder / on_disk).write_bytes(data)
        written[name] = mutation
        if source.kind not in SCANS and name == on_disk:
            plain.append(name)
    return written


class PeakRss:
    """Polls the resident memory of this process and its children (forkserver, workers) in a thread."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.tree, self.worker = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        me = psutil.Process(os.getpid())
        while not self._stop.is_set():
            try:
                sizes = [p.memory_info().rss for p in me.children(recursive=True)]
                self.tree = max(self.tree, me.memory_info().rss + sum(sizes))
                self.worker = max(self.worker, *sizes, 0)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def lost_rows(written: dict[str, str], rows: Counter) -> list[str]:
    """Files without their rows: a plain file has exactly one row; an archive has one row of its own
    (when it cannot be opened) or one row per member (`name!member`), never both, none twice."""
    members: dict[str, list[str]] = {}
    for row in rows:
        if "!" in row:
            members.setdefault(row.split("!", 1)[0], []).append(row)
    lost = [row for row, count in rows.items() if count != 1 or row.split("!", 1)[0] not in written]
    for name in written:
        whole, inner = rows.get(name, 0), members.get(name, [])
        if not ((whole == 1 and not inner) or (whole == 0 and inner)):
            lost.append(name)
    return sorted(set(lost))


def fuzz(n: int, seed: int, workdir: Path, timeout: float = 20.0, jobs: int = 2, ocr: bool = True,
         scans: bool = True, ocr_timeout: float = 60.0, office97: bool = True, office97_timeout: float = 90.0) -> dict:
    """Write n mutants under workdir/in, run the batch over them, and summarize what happened.

    Mutants of text PDFs and office files are read with OCR off: a damaged font turns a text page
    into one for OCR, which is seconds of legitimate work per page, not a hang. Scan mutants get
    OCR (when ocr is true) in a batch of their own, with ocr_timeout (one 150 dpi page takes 3-25 s
    on 2 busy cores); legacy Office/WPS mutants too, with office97_timeout (a LibreOffice start
    takes 5-15 s on 2 busy cores). Converted files are cached under workdir, not the user's cache.
    """
    folder = Path(workdir) / "in"
    written = write_mutants(n, seed, folder, load_sources(), scans=scans, office97=office97)
    os.environ["JIXIAO_CACHE"] = str(Path(workdir) / "cache")
    started = time.perf_counter()
    crashes = []
    documents = []
    scores_lost: list[str] = []
    with PeakRss() as rss:
        for part, use_ocr, limit in (("plain", False, timeout), ("ocr", ocr, ocr_timeout),
                                     ("office97", False, office97_timeout)):
            if not (folder / part).is_dir():
                continue
            try:
                results = run_batch(folder / part, Settings(timeout=limit, jobs=jobs, ocr=use_ocr))
            except BaseException as error:  # the one thing that must never happen
                crashes.append(f"run_batch raised {type(error).__name__}: {error}")
                continue
            documents += [{**r.document, "source_path": f"{part}/{r.document['source_path']}"} for r in results]
            scores_lost += [f"{part}/{r.document['source_path']}" for r in results if r.document["status"] == "ok"
                            and any(i.get("weight") is not None and i.get("score") is None for i in r.indicators)
                            and written.get(f"{part}/{r.document['source_path']}") == "formula_only"]
    seconds = time.perf_counter() - started
    rows = Counter(d["source_path"] for d in documents)
    missing = lost_rows(written, rows)
    errors = Counter(d["error"].replace(Path(d["source_path"]).name, "FILE") for d in documents if d["status"] != "ok")
    by_mutation: dict[str, Counter] = {}
    for document in documents:
        mutation = written.get(document["source_path"].split("!", 1)[0], "?")
        by_mutation.setdefault(mutation, Counter())[document["status"]] += 1
    slowest = max(documents, key=lambda d: d.get("seconds") or 0, default={})
    return {
        "files": n,
        "rows": len(documents),
        "files_with_rows": sum(1 for name in written if name in rows or any(r.startswith(name + "!") for r in rows)),
        "statuses": dict(Counter(d["status"] for d in documents)),
        "batch_crashes": len(crashes) + len(missing),
        "crashes": crashes,
        "ocr": ocr,
        "missing_rows": missing,
        "duplicates_not_flagged": sorted(d["source_path"] for d in documents
                                         if written.get(d["source_path"]) == "duplicate" and d["status"] != "duplicate"),
        "formula_ok_with_scores_lost": scores_lost,
        "timeouts": sum(1 for d in documents if d["error"].startswith("timed out")),
        "hung_workers": sum(1 for d in documents if d["error"].startswith("reader hung")),
        "reader_crashes": sum(1 for d in documents if d["error"].startswith("reader crashed")),
        "bad_errors": [d for d in documents if d["status"] not in STATUSES or (
            d["status"] != "ok" and (not d["error"].strip() or "\n" in d["error"]))],
        "slowest_seconds": slowest.get("seconds") or 0.0,
        "slowest_file": slowest.get("source_path", ""),
        "peak_rss_mb": round(rss.tree / 2**20),
        "peak_worker_rss_mb": round(rss.worker / 2**20),
        "seconds": round(seconds, 1),
        "errors": errors,
        "by_mutation": by_mutation,
        "documents": documents,
    }


def cli_run(source: Path, out: Path, *options: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline.cli", "run", str(source), "--out", str(out), "--jobs", "1", *options]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def visible_set(out: Path) -> tuple[frozenset, dict[str, int]] | None:
    """The source paths and row counts the output folder shows now (None: no tables); raises if they disagree."""
    if not (out / "documents.parquet").exists():
        return None
    import pandas as pd

    counts = {}
    for name in ("documents", "projects", "funds", "indicators"):
        parquet, csv = pd.read_parquet(out / f"{name}.parquet"), pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig")
        if len(parquet) != len(csv):
            raise ValueError(f"{name}: {len(parquet)} Parquet rows, {len(csv)} CSV rows")
        counts[name] = len(parquet)
    return frozenset(pd.read_parquet(out / "documents.parquet")["source_path"]), counts


def interrupted_writes(workdir: Path, tries: int, seed: int) -> dict:
    """SIGKILL a run at a random instant of its write phase, `tries` times, alternating between two input
    sets; after each kill the folder must show the previous complete set or the new one, never a mix,
    and no temporary file among its outputs."""
    rng = random.Random(seed)
    source, out = workdir / "kill-in", workdir / "kill-out"
    source.mkdir(parents=True)
    texts = sorted((DOCS / "text_pdf").glob("*.pdf"))
    for i, path in enumerate(texts[:3]):
        (source / path.name).write_bytes(path.read_bytes())
    extra = source / "extra.pdf"
    expected = {}
    for state in (False, True):  # the two complete sets, and each one's write-phase duration
        extra.write_bytes(texts[-1].read_bytes()) if state else extra.unlink(missing_ok=True)
        process = cli_run(source, out)
        sets_before = set((out / ".sets").iterdir()) if (out / ".sets").is_dir() else set()
        started = None
        while process.poll() is None:
            if started is None and (out / ".sets").is_dir() and set((out / ".sets").iterdir()) - sets_before:
                started = time.perf_counter()
            time.sleep(0.005)
        shown = visible_set(out)
        expected[shown[0]] = shown[1]
        write_seconds = time.perf_counter() - (started or time.perf_counter())
    outcomes: Counter = Counter()
    problems: list[str] = []
    state = True
    for attempt in range(tries):
        before = visible_set(out)
        state = not state
        extra.write_bytes(texts[-1].read_bytes()) if state else extra.unlink(missing_ok=True)
        options = () if rng.random() < 0.5 else ("--no-report",)
        sets_before = set((out / ".sets").iterdir()) if (out / ".sets").is_dir() else set()
        process = cli_run(source, out, *options)
        while process.poll() is None and not (set((out / ".sets").iterdir()) - sets_before):
            time.sleep(0.002)
        time.sleep(rng.uniform(0, write_seconds * 1.3))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        try:
            shown = visible_set(out)
        except Exception as error:  # a table unreadable or CSV and Parquet of two sets
            outcomes["mixed"] += 1
            problems.append(f"try {attempt}: {type(error).__name__}: {error}")
            continue
        leftovers = [p.name for p in out.iterdir() if not p.name.startswith(".") and (p.name.endswith(".tmp") or not p.exists())]
        if shown is None or expected.get(shown[0]) != shown[1] or leftovers:
            outcomes["mixed"] += 1
            problems.append(f"try {attempt}: shows {shown}, leftovers {leftovers}")
        else:
            outcomes["previous" if shown == before else "new"] += 1
    return {"tries": tries, "outcomes": dict(outcomes), "mixed_sets": outcomes["mixed"], "problems": problems,
            "write_phase_seconds": round(write_seconds, 2)}


def report(summary: dict) -> None:
    print(f"files {summary['files']}  rows {summary['rows']}  statuses {summary['statuses']}  "
          f"(OCR {'on for the scan mutants only' if summary['ocr'] else 'off'})")
    print(f"batch crashes {summary['batch_crashes']}  missing rows {len(summary['missing_rows'])}  "
          f"hangs {summary['timeouts'] + summary['hung_workers']} (timed out {summary['timeouts']}, "
          f"worker killed {summary['hung_workers']})  reader crashes {summary['reader_crashes']}  "
          f"bad error lines {len(summary['bad_errors'])}")
    print(f"duplicates not flagged {len(summary['duplicates_not_flagged'])}  "
          f"formula-only XLSX ok with scores lost {len(summary['formula_ok_with_scores_lost'])}")
    kills = summary.get("interrupted_writes")
    if kills:
        print(f"SIGKILL during the write phase: {kills['tries']} tries, outcomes {kills['outcomes']}, "
              f"mixed sets {kills['mixed_sets']} (write phase ~{kills['write_phase_seconds']} s)")
        for problem in kills["problems"][:10]:
            print(f"  {problem}")
    print(f"slowest file {summary['slowest_seconds']:.1f} s ({summary['slowest_file']})  "
          f"peak RSS {summary['peak_rss_mb']} MB (largest worker {summary['peak_worker_rss_mb']} MB)  "
          f"total {summary['seconds']:.0f} s")
    for crash in summary["crashes"]:
        print(crash)
    for name in summary["missing_rows"][:20]:
        print(f"missing, duplicated or unexpected row: {name}")
    print("\nstatuses by mutation:")
    for mutation, counts in sorted(summary["by_mutation"].items()):
        print(f"  {mutation:20} " + "  ".join(f"{s} {counts[s]}" for s in STATUSES if counts[s]))
    print(f"\n{len(summary['errors'])} distinct error messages (the file's name as FILE); the 20 most frequent:")
    for error, count in summary["errors"].most_common(20):
        print(f"  {count:4}  {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=20.0, help="per-file time limit, seconds")
    parser.add_argument("--ocr-timeout", type=float, default=60.0, help="per-file time limit for the scan mutants")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-ocr", action="store_true", help="read the scan mutants without OCR too")
    parser.add_argument("--kills", type=int, default=50, help="runs SIGKILLed at a random instant of their write phase")
    parser.add_argument("--workdir", type=Path, help="keep the mutants here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jixiao-fuzz-") as temporary:
        workdir = args.workdir or Path(temporary)
        summary = fuzz(args.files, args.seed, workdir, timeout=args.timeout,
                       jobs=args.jobs, ocr=not args.no_ocr, ocr_timeout=args.ocr_timeout)
        if args.kills:
            summary["interrupted_writes"] = interrupted_writes(workdir, args.kills, args.seed)
    report(summary)
    bad = (summary["batch_crashes"] or summary["duplicates_not_flagged"] or summary["formula_ok_with_scores_lost"]
           or summary.get("interrupted_writes", {}).get("mixed_sets"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
