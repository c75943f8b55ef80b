"""OCR engines behind one small interface; RapidOCR (models shipped in its wheel) is the default.

Nothing here downloads: RapidOCR gets explicit model paths inside its wheel, PaddleOCR explicit
local model directories.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class OcrBox:
    """One recognised text line; polygon and bbox in pixels of the image that was read."""

    text: str
    polygon: tuple[tuple[float, float], ...]
    score: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.polygon]
        ys = [p[1] for p in self.polygon]
        return min(xs), min(ys), max(xs), max(ys)


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[OcrBox]:
        """Detect and recognise every text line of a BGR or grayscale image."""

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise single-line crops without detection: (text, score) per crop."""

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        """Boxes (x0, y0, x1, y1) of the text lines of an image, without recognising them."""


DETECT_SIDE = 2400  # longest side the detector takes as is (an A4 page at 200 dpi); larger is shrunk


def _bgr(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.stack([image] * 3, axis=-1) if image.ndim == 2 else image)


class RapidOcrEngine:
    """RapidOCR on onnxruntime with the PP-OCRv6 det/rec models shipped in the `rapidocr` wheel."""

    name = "rapidocr"

    def __init__(self, threads: int | None = None):
        import rapidocr
        from rapidocr import RapidOCR

        models = Path(rapidocr.__file__).parent / "models"
        det, rec = models / "PP-OCRv6_det_small.onnx", models / "PP-OCRv6_rec_small.onnx"
        missing = [str(p) for p in (det, rec) if not p.is_file()]
        if missing:
            raise RuntimeError(f"rapidocr wheel lacks its bundled models: {missing}")
        threads = threads or os.cpu_count() or 1
        self._ocr = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # pages are deskewed; text is never upside down
            "Global.max_side_len": 5000,  # keep the resolution chosen by the caller
            "Global.model_root_dir": str(models),
            "Det.model_path": str(det),
            "Det.limit_type": "max",  # never upscale small crops; callers render at ~200 dpi
            "Det.limit_side_len": DETECT_SIDE,
            "Rec.model_path": str(rec),
            # narrow minimum input width: short cell crops (10, 20.00, %) are not padded to 320 px;
            # same text on the corpus, ~35% less recognition time
            "Rec.rec_img_shape": [3, 48, 96],
            "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })

    def read(self, image: np.ndarray) -> list[OcrBox]:
        out = self._ocr(_bgr(image))
        if getattr(out, "boxes", None) is None or out.txts is None:
            return []
        return [
            OcrBox(text=t, polygon=tuple((float(x), float(y)) for x, y in box), score=float(s))
            for box, t, s in zip(out.boxes, out.txts, out.scores)
        ]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """One batched pass of the recogniser (RapidOCR's public call takes one image; pinned rapidocr==3.10.0)."""
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec import TextRecInput

        res = self._ocr._load_rec_model()(TextRecInput(img=[_bgr(c) for c in crops]))
        return [(t, float(s)) for t, s in zip(res.txts, res.scores)]

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        """The detector alone (RapidOCR's public call would also recognise)."""
        res = self._ocr._load_det_model()(_bgr(image))
        if res.boxes is None:
            return []
        return [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max())) for b in res.boxes]


class PaddleOcrEngine:
    """PaddleOCR 3.x with local model directories (the package downloads models otherwise, so we refuse).

    Directories come from the arguments or JIXIAO_PADDLEOCR_DET_DIR / JIXIAO_PADDLEOCR_REC_DIR; each
    directory is named after its model (e.g. PP-OCRv5_mobile_det), as PaddleOCR expects.
    """

    name = "paddleocr"

    def __init__(self, det_dir: str | Path | None = None, rec_dir: str | Path | None = None):
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")  # no connectivity probe at import
        try:
            import paddleocr
        except ImportError as exc:
            raise RuntimeError("paddleocr engine requested but the `paddleocr` package is not installed") from exc
        det = Path(det_dir or os.environ.get("JIXIAO_PADDLEOCR_DET_DIR", ""))
        rec = Path(rec_dir or os.environ.get("JIXIAO_PADDLEOCR_REC_DIR", ""))
        if not (str(det) not in ("", ".") and det.is_dir() and str(rec) not in ("", ".") and rec.is_dir()):
            raise RuntimeError(
                "paddleocr engine needs local models: set JIXIAO_PADDLEOCR_DET_DIR and JIXIAO_PADDLEOCR_REC_DIR "
                "(or pass det_dir/rec_dir); it will not download them"
            )
        self._ocr = paddleocr.PaddleOCR(
            text_detection_model_name=det.name, text_detection_model_dir=str(det),
            text_recognition_model_name=rec.name, text_recognition_model_dir=str(rec),
            use_doc_orientation_classify=False, use_doc_unwarping=False, use_textline_orientation=False,
        )
        self._rec = paddleocr.TextRecognition(model_name=rec.name, model_dir=str(rec))

    def read(self, image: np.ndarray) -> list[OcrBox]:
        boxes: list[OcrBox] = []
        for res in self._ocr.predict(_bgr(image)):
            for text, score, poly in zip(res["rec_texts"], res["rec_scores"], res["rec_polys"]):
                if text.strip():
                    boxes.append(OcrBox(text, tuple((float(x), float(y)) for x, y in poly), float(score)))
        return boxes

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        return [(r["rec_text"], float(r["rec_score"])) for r in self._rec.predict([_bgr(c) for c in crops])]

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        return [box.bbox for box in self.read(image)]


ENGINES = {"rapidocr": RapidOcrEngine, "paddleocr": PaddleOcrEngine}


@cache
def get_engine(name: str = "rapidocr") -> OcrEngine:
    """The engine called `name`, built once per process and reused (loading models is slow)."""
    try:
        return ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {sorted(ENGINES)}") from None
