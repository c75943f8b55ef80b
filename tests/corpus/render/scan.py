"""Fake scans: rasterize PDF pages, stamp a red 公章, rotate, blur, add noise, JPEG-compress, and pack
the pages back into an image-only PDF or save them as page images. Every step draws from one seeded RNG."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SEAL_FONT_INDEX = 2  # Noto Sans CJK SC inside the collection
SEAL_ANCHORS = ["总分", "总 分", "综合得分", "填报单位", "西藏自治区公安厅公安交通管理局", "其他需要说明事项",
                "其他需说明事项", "完成值"]


@dataclass
class ScanStyle:
    dpi: int
    color: bool = False
    quality: int = 60
    seal: str = ""  # text around the seal; empty = no seal
    max_angle: float = 2.0


@dataclass
class Page:
    jpeg: bytes
    width: int
    height: int
    dpi: int
    color: bool


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(SEAL_FONT, size, index=SEAL_FONT_INDEX)


def seal_image(text: str, diameter: int, rng: np.random.Generator) -> Image.Image:
    """A red round official seal (RGBA): double ring, text around the upper arc, a star in the middle."""
    scale = 3
    d = diameter * scale
    img = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(img)
    c = d / 2
    ring = max(4, d // 28)
    draw.ellipse([ring / 2, ring / 2, d - ring / 2, d - ring / 2], outline=255, width=ring)
    span = math.radians(250)
    fs = int(min(d * 0.13, c * 0.78 * span / len(text) * 0.9))
    font = _font(fs)
    radius = c - ring * 1.6 - fs * 0.62
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(glyph).text((fs, fs), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a + math.pi / 2), resample=Image.BICUBIC)
        x, y = c + radius * math.cos(a), c + radius * math.sin(a)
        img.paste(glyph, (int(x - fs), int(y - fs)), glyph)
    r_out, r_in = d * 0.16, d * 0.16 * 0.382
    pts = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(pts, fill=255)
    img = img.resize((diameter, diameter), Image.LANCZOS)
    alpha = np.asarray(img, dtype=np.float32) / 255
    ink = rng.uniform(0.55, 1.0, size=(diameter // 8 + 1, diameter // 8 + 1)).astype(np.float32)
    ink = cv2.resize(ink, (diameter, diameter), interpolation=cv2.INTER_CUBIC)
    alpha = np.clip(alpha * ink * rng.uniform(0.7, 0.85), 0, 1)
    rgba = np.zeros((diameter, diameter, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 215, 30, 35
    rgba[..., 3] = (alpha * 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def _stamp(page: np.ndarray, seal: Image.Image, center: tuple[int, int]) -> np.ndarray:
    """Multiply-blend the seal onto an RGB page (ink over print, like a real stamp)."""
    s = np.asarray(seal, dtype=np.float32)
    h, w = s.shape[:2]
    x0, y0 = center[0] - w // 2, center[1] - h // 2
    H, W = page.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    if xa >= xb or ya >= yb:
        return page
    region = page[ya:yb, xa:xb].astype(np.float32)
    sub = s[ya - y0:yb - y0, xa - x0:xb - x0]
    a = sub[..., 3:4] / 255
    tint = sub[..., :3] / 255
    page[ya:yb, xa:xb] = np.clip(region * (1 - a + a * tint), 0, 255).astype(np.uint8)
    return page


def _anchor(plumber_page, rng: np.random.Generator) -> tuple[float, float]:
    """A point (PDF units, top-left origin) on a labelled row near the table's end, else on the last
    table's bottom-right cells, else mid-page."""
    for key in SEAL_ANCHORS:
        hits = plumber_page.search(key, regex=False)
        if hits:
            h = hits[-1]
            x = min(h["x1"] + rng.uniform(60, 160), plumber_page.width - 75)
            return (x, (h["top"] + h["bottom"]) / 2 + rng.uniform(-25, 10))
    tables = plumber_page.find_tables()
    if tables:
        x0, _, x1, bottom = tables[-1].bbox
        return (x0 + (x1 - x0) * rng.uniform(0.55, 0.85), bottom - rng.uniform(0, 40))
    return (plumber_page.width * rng.uniform(0.55, 0.75), plumber_page.height * rng.uniform(0.45, 0.7))


def _degrade(rgb: np.ndarray, style: ScanStyle, rng: np.random.Generator) -> np.ndarray:
    h, w = rgb.shape[:2]
    angle = rng.uniform(-style.max_angle, style.max_angle)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += rng.uniform(-0.01, 0.01, size=2) * (w, h)
    out = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    sigma = rng.uniform(0.5, 0.9) * style.dpi / 200
    out = cv2.GaussianBlur(out, (0, 0), sigma).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1 - 0.05 * ((xx / w - rng.uniform(0.3, 0.7)) ** 2 + (yy / h - rng.uniform(0.3, 0.7)) ** 2)
    paper = rng.uniform(0.93, 0.98) * np.array([1.0, 0.99, 0.965] if style.color else [1.0] * 3, np.float32)
    out = out * light[..., None] * paper
    out += rng.normal(0, rng.uniform(3, 6), size=(h, w, 1)).astype(np.float32)
    specks = rng.random((h, w)) < 0.0004
    out[specks] *= 0.35
    return np.clip(out, 0, 255).astype(np.uint8)


def scan_pages(pdf_path: Path, pages: list[int], style: ScanStyle, rng: np.random.Generator,
               seal_pages: set[int] = frozenset()) -> list[Page]:
    """Scan the 1-based `pages` of a PDF; pages in `seal_pages` get the style's seal."""
    out = []
    doc = pdfium.PdfDocument(str(pdf_path))
    with pdfplumber.open(pdf_path) as plumb:
        for n in pages:
            bitmap = doc[n - 1].render(scale=style.dpi / 72)
            rgb = np.array(bitmap.to_pil().convert("RGB"))
            if style.seal and n in seal_pages:
                diameter = int(4.2 / 2.54 * style.dpi)
                x, y = _anchor(plumb.pages[n - 1], rng)
                k = style.dpi / 72
                rgb = _stamp(rgb, seal_image(style.seal, diameter, rng), (int(x * k), int(y * k)))
            rgb = _degrade(rgb, style, rng)
            img = Image.fromarray(rgb) if style.color else Image.fromarray(rgb).convert("L")
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=style.quality, dpi=(style.dpi, style.dpi), optimize=True)
            out.append(Page(buf.getvalue(), img.width, img.height, style.dpi, style.color))
    doc.close()
    return out


def image_pdf_pages(pdf: pikepdf.Pdf, pages: list[Page]) -> list[pikepdf.Page]:
    """Add one image-only page per scan to `pdf` (not yet inserted in its page list)."""
    out = []
    for p in pages:
        image = pikepdf.Stream(pdf, p.jpeg)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = p.width, p.height, 8
        image.ColorSpace = pikepdf.Name.DeviceRGB if p.color else pikepdf.Name.DeviceGray
        image.Filter = pikepdf.Name.DCTDecode
        w, h = p.width * 72 / p.dpi, p.height * 72 / p.dpi
        content = pikepdf.Stream(pdf, f"q {w:.2f} 0 0 {h:.2f} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, round(w, 2), round(h, 2)],
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
                                  Contents=content)
        out.append(pikepdf.Page(pdf.make_indirect(page)))
    return out


def write_pdf(pages: list[Page], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with pikepdf.new() as pdf:
        for page in image_pdf_pages(pdf, pages):
            pdf.pages.append(page)
        pdf.save(out, deterministic_id=True)


def mixed_pdf(text_pdf: Path, scanned: dict[int, Page], out: Path) -> None:
    """The text PDF with the pages in `scanned` (1-based) replaced by their scans."""
    with pikepdf.open(text_pdf) as src, pikepdf.new() as pdf:
        for n, page in enumerate(src.pages, start=1):
            if n in scanned:
                pdf.pages.append(image_pdf_pages(pdf, [scanned[n]])[0])
            else:
                pdf.pages.append(page)
        pdf.save(out, deterministic_id=True)


def write_image(page: Page, out: Path) -> None:
    """The page as .jpg (the scanner's bytes) or .png (re-encoded losslessly, 16 grey levels)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".png":
        img = Image.open(io.BytesIO(page.jpeg))
        if not page.color:
            img = img.quantize(16)
        img.save(out, "PNG", optimize=True, dpi=(page.dpi, page.dpi))
    else:
        out.write_bytes(page.jpeg)
