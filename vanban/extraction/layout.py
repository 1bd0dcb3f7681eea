"""The first page as positioned text: words with boxes from a PDF's text layer
(poppler's `pdftotext -bbox-layout`) or from tesseract's TSV output, grouped into
line segments. A segment is a run of words on one line without a wide gap, so the
left block (organ, "Số:") and the right block (motto, place and date) of an ND30
header that share a baseline stay apart."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from vanban.documents.text import guard_text

# A PDF page with fewer characters than this in its text layer is a scan.
MIN_TEXT_LAYER_CHARS = 40
OCR_DPI = 300
OCR_TIMEOUT_SECONDS = 60


class ReadError(Exception):
    """The file could not be read as a page (not a PDF or image, or a tool failed)."""


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float = 100.0


@dataclass
class Segment:
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return statistics.median(w.y1 - w.y0 for w in self.words)


@dataclass
class Page:
    """Word boxes in units of the page width and height (0..1), so the layout rules do
    not depend on resolution."""

    segments: list[Segment]
    source: str  # "text" (PDF text layer) or "ocr"
    width: float = 1.0
    height: float = 1.0


def _clean(text: str) -> str:
    cleaned, _ = guard_text(text)
    return cleaned.strip()


def _has_letter(text: str) -> bool:
    """A letter or digit, not only a detached mark ("ˆ" is a modifier letter)."""
    import unicodedata

    return any(c.isalnum() and unicodedata.category(c) != "Lm" for c in text)


def _group_lines(words: list[Word]) -> list[list[Word]]:
    """Words whose vertical centres agree form a line, whatever line the reader (poppler,
    tesseract) put them in: tesseract often puts "Số:" and the number in different
    blocks, and poppler joins the organ and the motto into one line."""
    words = [w for w in words if w.text.strip()]
    if not words:
        return []
    median_h = statistics.median(w.y1 - w.y0 for w in words) or 0.01
    # Specks and rules read as tiny "words"; a dash is small but belongs to the text
    # ("2021 - 2025", "Độc lập - Tự do - Hạnh phúc").
    words = [w for w in words if w.text in ("-", "–", "—") or ((w.y1 - w.y0) >= 0.4 * median_h and _has_letter(w.text))]
    lines: list[list[Word]] = []
    centres: list[float] = []
    for word in sorted(words, key=lambda w: (w.y0 + w.y1) / 2):
        cy = (word.y0 + word.y1) / 2
        placed = False
        for i in range(len(lines) - 1, max(-1, len(lines) - 6), -1):
            if abs(centres[i] - cy) <= 0.45 * median_h and not any(
                min(o.x1, word.x1) - max(o.x0, word.x0) > 0.3 * (word.x1 - word.x0) for o in lines[i]
            ):
                lines[i].append(word)
                centres[i] = statistics.fmean((w.y0 + w.y1) / 2 for w in lines[i])
                placed = True
                break
        if not placed:
            lines.append([word])
            centres.append(cy)
    return lines


# A new segment starts at these words even without a gap: the motto's two lines.
_ANCHORS = (("cong", "hoa"), ("doc", "lap"))


def _fold_word(text: str) -> str:
    import unicodedata

    return "".join("d" if c in "đĐðÐ" else unicodedata.normalize("NFD", c)[:1].lower() for c in text if c.isalpha())


def _segments_from_lines(lines: list[list[Word]]) -> list[Segment]:
    """Split each line at gaps wider than two character heights and before the motto."""
    segments: list[Segment] = []
    for line in lines:
        words = sorted((w for w in line if w.text.strip()), key=lambda w: w.x0)
        if not words:
            continue
        height = statistics.median(w.y1 - w.y0 for w in words) or 0.01
        current = Segment([words[0]])
        for i, word in enumerate(words[1:], start=1):
            nxt = _fold_word(words[i + 1].text) if i + 1 < len(words) else ""
            anchor = (_fold_word(word.text), nxt) in _ANCHORS
            if word.x0 - current.words[-1].x1 > 2.0 * height or anchor:
                segments.append(current)
                current = Segment([word])
            else:
                current.words.append(word)
        segments.append(current)
    segments.sort(key=lambda s: (round(s.cy, 3), s.x0))
    return segments


# --- PDF text layer --------------------------------------------------------------------


def pdf_text_page(path: Path) -> Page | None:
    """The first page's text layer with word boxes, or None when it has (almost) no
    text (a scan)."""
    try:
        out = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", "-bbox-layout", str(path), "-"],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        raise ReadError(str(exc)) from exc
    text = out.decode("utf-8", errors="replace")
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    text = re.sub(r'\sxmlns="[^"]*"', "", text, count=1)
    try:
        # poppler's own XHTML, entity-escaped and with its DOCTYPE removed above.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise ReadError(str(exc)) from exc
    page = root.find(".//page")
    if page is None:
        return None
    width, height = float(page.get("width", "1")), float(page.get("height", "1"))
    words: list[Word] = []
    chars = 0
    for line in page.iter("line"):
        for w in line.iter("word"):
            value = _clean(w.text or "")
            if not value:
                continue
            chars += len(value)
            words.append(
                Word(
                    value,
                    float(w.get("xMin", 0)) / width,
                    float(w.get("yMin", 0)) / height,
                    float(w.get("xMax", 0)) / width,
                    float(w.get("yMax", 0)) / height,
                )
            )
    if chars < MIN_TEXT_LAYER_CHARS:
        return None
    return Page(_segments_from_lines(_group_lines(words)), source="text")


def render_pdf_first_page(path: Path, workdir: Path, dpi: int = OCR_DPI) -> Path:
    prefix = workdir / "page"
    try:
        # PGM, not PNG: compressing a noisy scan takes longer than reading it.
        subprocess.run(
            ["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-gray", "-singlefile", str(path), str(prefix)],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise ReadError(str(exc)) from exc
    return prefix.with_suffix(".pgm")


# --- OCR ---------------------------------------------------------------------------------


def _prepare_image(source: Path, workdir: Path) -> Path:
    """Grey scale, first frame, scaled so that body text is ~25-35 px high (tesseract
    reads small low-resolution glyphs badly, and large pages only cost time), and
    straightened. Written uncompressed: encoding a noisy scan as PNG costs seconds."""
    from PIL import Image, ImageFilter, ImageOps

    with Image.open(source) as im:
        im.seek(0)
        img = ImageOps.exif_transpose(im).convert("L")
    # An A4 page 2100 px wide is ~250 dpi.
    if not 1900 <= img.width <= 2600:
        target = 2100 if img.width < 1900 else 2480
        img = img.resize((target, round(img.height * target / img.width)), Image.Resampling.LANCZOS)
    # Scanner noise (grain, specks) makes tesseract invent letters and merge columns: a
    # light blur removes both far faster than a median filter.
    # Grey levels are kept: tesseract binarises better itself, and a fixed threshold
    # erases the hook above (ả, ể, ổ) at low resolution, which then reads as an acute.
    img = img.filter(ImageFilter.GaussianBlur(1.0))
    angle = estimate_skew(img)
    if abs(angle) >= 0.2:
        img = img.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    # Framed marks (MẬT, KHẨN) are taken for pictures by tesseract's layout analysis
    # while their frames are there; rules under the organ and the motto become junk.
    img = _without_rules(img, img.size)
    out = workdir / "ocr.pgm"
    img.save(out)
    return out


def estimate_skew(img: object, limit: float = 4.0, step: float = 0.25) -> float:
    """The rotation (degrees) that makes text lines horizontal: the angle whose row
    profile of dark pixels is sharpest, searched on a reduced copy."""
    import numpy as np
    from PIL import Image

    small = img.copy()  # type: ignore[attr-defined]
    small.thumbnail((700, 700))
    best, best_score = 0.0, -1.0
    angle = -limit
    while angle <= limit + 1e-9:
        rotated = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
        dark = np.asarray(rotated) < 128
        profile = dark.sum(axis=1).astype(float)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = angle, score
        angle += step
    return best


def _tesseract_words(image: Path, psm: int, box: tuple[int, int, int, int], size: tuple[int, int]) -> list[Word]:
    """Words of `image` (a crop at `box` of a page of `size` pixels) in page units."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        out = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "vie", "--psm", str(psm), "tsv"],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=True,
            env=env,
        ).stdout.decode("utf-8", errors="replace")
    except (subprocess.SubprocessError, OSError) as exc:
        raise ReadError(str(exc)) from exc
    width, height = size
    dx, dy = box[0], box[1]
    words: list[Word] = []
    for row in out.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        value = _clean(cols[11])
        if not value:
            continue
        left, top, w, h = (int(c) for c in cols[6:10])
        left, top = left + dx, top + dy
        words.append(Word(value, left / width, top / height, (left + w) / width, (top + h) / height, float(cols[10])))
    return words


def _overlaps(a: Word, b: Word) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)


def _without_rules(img: Any, page_size: tuple[int, int]) -> Any:
    """The grey image with long straight strokes (the frames of stamps, rules under the organ
    and the motto) whitened, so only letters are left."""
    import numpy as np
    from PIL import Image

    grey = np.asarray(img)
    dark = grey < 128

    def runs(mask: Any, length: int) -> Any:
        # Pixels on a horizontal run of at least `length` dark pixels.
        c = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int32)
        np.cumsum(mask, axis=1, out=c[:, 1:])
        full = (c[:, length:] - c[:, :-length]) == length
        f = np.zeros((mask.shape[0], full.shape[1] + 1), dtype=np.int32)
        np.cumsum(full, axis=1, out=f[:, 1:])
        idx = np.arange(mask.shape[1])
        hi = np.minimum(idx + 1, full.shape[1])
        lo = np.clip(idx - length + 1, 0, full.shape[1])
        covered = (f[:, hi] - f[:, lo]) > 0
        return covered

    # Longer than any stroke of a letter: ~7 mm across, ~5 mm down on an A4 page.
    page_width, page_height = page_size
    lines = runs(dark, max(20, page_width // 30)) | runs(dark.T, max(20, page_height // 62)).T
    # Whiten the strokes and their blurred edges.
    edges = lines | np.roll(lines, 1, 0) | np.roll(lines, -1, 0) | np.roll(lines, 1, 1) | np.roll(lines, -1, 1)
    clean = np.where(edges, 255, grey).astype(np.uint8)
    return Image.fromarray(clean)


def ocr_page(image: Path, workdir: Path) -> Page:
    prepared = _prepare_image(image, workdir)
    from PIL import Image

    with Image.open(prepared) as im:
        size = im.size
    return Page(_segments_from_lines(_group_lines(_tesseract_words(prepared, 3, (0, 0, *size), size))), source="ocr")


def read_first_page(path: Path) -> Page:
    """The first page of a PDF (text layer, else OCR of the rendered page) or an image."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    with tempfile.TemporaryDirectory(prefix="vanban-extract-") as tmp:
        workdir = Path(tmp)
        if head.startswith(b"%PDF"):
            page = pdf_text_page(path)
            if page is not None:
                return page
            return ocr_page(render_pdf_first_page(path, workdir), workdir)
        try:
            from PIL import Image

            with Image.open(path) as im:
                im.verify()
        except Exception as exc:
            raise ReadError("not an image or PDF") from exc
        return ocr_page(path, workdir)
