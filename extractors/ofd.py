"""OFD files (GB/T 33190, China's fixed-layout format for official e-documents) → Grid.

An OFD is a zip of XML: OFD.xml names each document's root (Document.xml), which lists its pages
(and template pages); a page's Content.xml holds layers of TextObjects (a boundary box, a font
size, TextCodes placing glyphs by X/Y and DeltaX) and PathObjects (AbbreviatedData: M/L/B/Q/A/C
drawing commands), nested in PageBlocks, optionally transformed by a CTM. No maintained Python
reader gives text with positions and the ruling paths, so this reads those parts with lxml and
hands characters and rules, in points from the page's top-left as PDFs have them, to the
text-PDF extractor's table steps (pdfplumber's lattice), so an OFD table is built exactly as the
same table in a PDF.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

import lxml.etree

from extractors.pdf_text import AXIS, edge, read_page
from pipeline.model import Grid, Table, TextLine

MM_TO_PT = 72 / 25.4
MAX_PART_BYTES = 64 * 2**20  # one XML part unpacked
MAX_PAGES = 2000
ASCENT, DESCENT = 0.85, 0.15  # share of the font size above and below the baseline
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def extract_ofd(path: Path) -> Grid:
    """Read every page of the OFD's first document into one Grid."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ValueError(f"broken OFD (not a readable zip: {error})") from None
    with archive:
        reader = Parts(archive)
        root = reader.xml("OFD.xml")
        doc_root = _text(_first(root, "DocRoot"))
        if not doc_root:
            raise ValueError("broken OFD: OFD.xml names no DocRoot")
        document = reader.xml(doc_root)
        base = PurePosixPath(doc_root.lstrip("/")).parent
        default_box = _box(_text(_first(document, "PhysicalBox"))) or (0.0, 0.0, 210.0, 297.0)
        templates = {t.get("ID"): t.get("BaseLoc") for t in _all(document, "TemplatePage")}
        pages = _all(document, "Page")[:MAX_PAGES]
        if not pages:
            raise ValueError("OFD with no pages")
        tables: list[Table] = []
        lines: list[TextLine] = []
        for number, page in enumerate(pages, start=1):
            content = reader.xml(_join(base, page.get("BaseLoc", "")))
            page_box = _box(_text(_first(content, "PhysicalBox"))) or default_box
            chars: list[dict] = []
            rules: list[dict] = []
            for template in _all(content, "Template"):
                if templates.get(template.get("TemplateID")):
                    _read_objects(reader.xml(_join(base, templates[template.get("TemplateID")])), IDENTITY, chars, rules)
            _read_objects(content, IDENTITY, chars, rules)
            top = page_box[1]
            for item in (*chars, *rules):  # page coordinates in mm from the box's corner → points
                for key in ("x0", "x1"):
                    item[key] = (item[key] - page_box[0]) * MM_TO_PT
                for key in ("top", "bottom"):
                    item[key] = (item[key] - top) * MM_TO_PT
                item["width"], item["height"] = item["x1"] - item["x0"], item["bottom"] - item["top"]
                if "doctop" in item:
                    item["doctop"] = item["top"]
            page_tables, page_lines = read_page(chars, rules, number)
            tables.extend(page_tables)
            lines.extend(page_lines)
    return Grid(tables=tuple(tables), lines=tuple(lines), pages=len(pages), page_kinds=("text",) * len(pages))


class Parts:
    """XML parts of the OFD zip, read with a size cap and without network or entity expansion."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = {name.lstrip("/").lower(): name for name in archive.namelist()}
        self.parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)

    def xml(self, name: str):
        real = self.names.get(name.lstrip("/").lower())
        if real is None:
            raise ValueError(f"broken OFD: part {name} is missing")
        info = self.archive.getinfo(real)
        if info.file_size > MAX_PART_BYTES:
            raise ValueError(f"OFD part {name} unpacks to {info.file_size / 2**20:.0f} MB: not read")
        root = lxml.etree.fromstring(self.archive.read(real), self.parser)
        if root is None:
            raise ValueError(f"broken OFD: part {name} is not XML")
        return root


def _local(element) -> str:
    return lxml.etree.QName(element).localname if isinstance(element.tag, str) else ""


def _all(root, name: str) -> list:
    return [e for e in root.iter() if _local(e) == name]


def _first(root, name: str):
    return next((e for e in root.iter() if _local(e) == name), None)


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _join(base: PurePosixPath, location: str) -> str:
    return location.lstrip("/") if location.startswith("/") else (base / location).as_posix()


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(v) for v in (text or "").replace(",", " ").split()]
    except ValueError:
        return []


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text)
    return (values[0], values[1], values[2], values[3]) if len(values) == 4 else None


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    """The transform applying inner first, then outer (a b c d e f as in OFD and PDF)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _object_matrix(element, outer: Matrix) -> Matrix:
    """Object space → page: the object's CTM, then its Boundary's offset, then the enclosing transform."""
    box = _box(element.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    ctm = _numbers(element.get("CTM"))
    local = tuple(ctm) if len(ctm) == 6 else IDENTITY
    return _compose(outer, _compose((1.0, 0.0, 0.0, 1.0, box[0], box[1]), local))


def _read_objects(root, outer: Matrix, chars: list[dict], rules: list[dict]) -> None:
    """Characters and rules of every text and path object under root (PageBlocks descended into)."""
    for element in root:
        name = _local(element)
        if name == "TextObject":
            _text_chars(element, _object_matrix(element, outer), chars)
        elif name == "PathObject":
            if element.get("Stroke", "true").lower() != "false" or element.get("Fill", "false").lower() == "true":
                _path_rules(element, _object_matrix(element, outer), rules)
        elif name in ("Content", "Layer", "PageBlock"):
            _read_objects(element, outer, chars, rules)


def _deltas(text: str | None) -> list[float]:
    """DeltaX/DeltaY values with OFD's `g N value` runs expanded."""
    tokens, values, index = (text or "").split(), [], 0
    while index < len(tokens):
        if tokens[index] == "g" and index + 2 < len(tokens):
            try:
                values.extend([float(tokens[index + 2])] * int(tokens[index + 1]))
            except ValueError:
                pass
            index += 3
            continue
        try:
            values.append(float(tokens[index]))
        except ValueError:
            pass
        index += 1
    return values


def _text_chars(element, matrix: Matrix, chars: list[dict]) -> None:
    size = float(element.get("Size") or 3.5)
    scale = (abs(matrix[0]) + abs(matrix[3])) / 2 or 1.0
    x, y = 0.0, 0.0
    for code in (e for e in element if _local(e) == "TextCode"):
        text = "".join(code.itertext())
        x = float(code.get("X") or x)
        y = float(code.get("Y") or y)
        deltas = _deltas(code.get("DeltaX"))
        for index, char in enumerate(text):
            width = deltas[index] if index < len(deltas) else size * (0.5 if ord(char) < 0x2E80 else 1.0)
            if not char.isspace():
                left, baseline = _apply(matrix, x, y)
                glyph = min(width, size) * scale
                chars.append({"text": char, "x0": left, "x1": left + glyph, "top": baseline - ASCENT * size * scale,
                              "bottom": baseline + DESCENT * size * scale, "doctop": 0.0, "upright": True,
                              "width": 0.0, "height": 0.0})
            x += width


PATH_TOKEN = re.compile(r"[A-Za-z]|-?\d*\.?\d+(?:[eE][-+]?\d+)?")
ARGUMENTS = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}


def _path_rules(element, matrix: Matrix, rules: list[dict]) -> None:
    """The axis-aligned straight segments of the path's AbbreviatedData, as rule edges."""
    data = _first(element, "AbbreviatedData")
    tokens = PATH_TOKEN.findall(_text(data))
    start = current = None
    index = 0
    while index < len(tokens):
        command = tokens[index].upper()
        count = ARGUMENTS.get(command)
        if count is None:
            index += 1
            continue
        try:
            values = [float(v) for v in tokens[index + 1:index + 1 + count]]
        except ValueError:
            break
        index += 1 + count
        if len(values) < count:
            break
        if command in ("M", "S"):
            start = current = _apply(matrix, values[0], values[1])
        elif command == "C":
            if current and start:
                _add_rule(current, start, rules)
            current = start
        elif current is not None:
            point = _apply(matrix, values[-2], values[-1])
            if command == "L":
                _add_rule(current, point, rules)
            current = point


def _add_rule(a: tuple[float, float], b: tuple[float, float], rules: list[dict]) -> None:
    (x0, y0), (x1, y1) = a, b
    if abs(x0 - x1) < AXIS / MM_TO_PT or abs(y0 - y1) < AXIS / MM_TO_PT:
        rules.append(edge(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
