"""What a signature looks like on the page (ND30 App I) and the text the clerk fills in,
drawn as pyHanko appearance streams.

* Person: the handwritten signature image, with the signer's name and the signing time
  (ISO 8601, Vietnam time) in small type under it.
* Organ, main document: the red seal image only, actual size.
* Organ, attachment in a separate file: no image; number/symbol and signing time,
  10 pt serif, black, at the top right of page 1.

Fonts: pyHanko writes glyph widths in font units but PDF wants thousandths of an em,
which only agree for 1000-unit fonts. DejaVu (from matplotlib, see vanban/core/pdf.py)
has 2048 units per em, so a copy scaled to 1000 units is made once and cached; without
it every glyph would be spaced twice too wide.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import AppearanceContent
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import TextStampStyle
from pyhanko.stamp.base import BaseStamp

from vanban.core.pdf import font_dir

# fontTools reports every subset it makes at INFO (and "FFTM NOT subset" at WARNING):
# one signature would flood the log.
logging.getLogger("fontTools").setLevel(logging.ERROR)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# pyHanko hands a stamp the signing time as text in this format; it is parsed back so
# the page shows exactly the time in the signature, in Vietnam time.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

SERIF = "DejaVuSerif.ttf"
SERIF_BOLD = "DejaVuSerif-Bold.ttf"
SERIF_ITALIC = "DejaVuSerif-Italic.ttf"

# Organ seal printed at actual size: Vietnamese organ seals are 35–42 mm across.
SEAL_DIAMETER_PT = 36 / 25.4 * 72
# Part of the person's box given to the name and time under the image.
PERSON_TEXT_HEIGHT = 20.0
PERSON_TEXT_SIZE = 7


def iso_vietnam(moment: dt.datetime) -> str:
    """`2025-03-05T14:30:12+07:00`: the form ND30 App I prints."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def _cache_dir() -> Path:
    return Path(settings.VAR_DIR) / "cache" / "fonts"


@functools.cache
def font_path(filename: str) -> str:
    """A copy of a DejaVu font scaled to 1000 units per em, without hinting (hinting
    programs are written for the original grid) nor layout tables, cached under VAR_DIR."""
    source = font_dir() / filename
    data = source.read_bytes()
    target = _cache_dir() / f"{source.stem}-1000-v2-{hashlib.sha256(data).hexdigest()[:12]}.ttf"
    if target.is_file():
        return str(target)
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(io.BytesIO(data))
    scale_upem(font, 1000)
    # Layout tables go too: stamps are NFC text, whose precomposed Vietnamese letters
    # need no shaping, and subsetting GPOS/GSUB/MATH was a third of a signature's time.
    for table in ("fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH", "GPOS", "GSUB", "GDEF", "MATH", "FFTM"):
        if table in font:
            del font[table]
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: two processes making the cache at once each get a whole file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        font.save(out)
    os.replace(tmp, target)
    return str(target)


def text_style(
    filename: str = SERIF,
    size: int = 10,
    *,
    x_align: layout.AxisAlignment = layout.AxisAlignment.ALIGN_MIN,
    y_align: layout.AxisAlignment = layout.AxisAlignment.ALIGN_MID,
    margin: int = 1,
) -> TextBoxStyle:
    return TextBoxStyle(
        font=GlyphAccumulatorFactory(font_path(filename), font_size=size),
        font_size=size,
        leading=round(size * 1.25),
        text_color=(0, 0, 0),
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=x_align, y_align=y_align, margins=layout.Margins.uniform(margin)
        ),
    )


def _signing_time(text_params: dict[str, Any]) -> str:
    raw = text_params.get("ts", "")
    try:
        return iso_vietnam(dt.datetime.strptime(raw, TIME_FORMAT))
    except ValueError:
        return raw


def image_box(width: float, height: float, image_size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Where the person's signature image sits inside their signature box (x, y, w, h
    from the box's lower left): the space above the text, aspect ratio kept, centred.
    The organ seal uses the same rule to find the image it must overlap."""
    area_h = max(height - PERSON_TEXT_HEIGHT, height * 0.5)
    scale = min(width / image_size[0], area_h / image_size[1])
    w, h = image_size[0] * scale, image_size[1] * scale
    return (width - w) / 2, height - area_h + (area_h - h) / 2, w, h


# --- Stamps (signature appearances) -------------------------------------------------------------


class _Stamp(BaseStamp):
    def __init__(self, writer: BasePdfFileWriter, style: Any, box: layout.BoxConstraints, text_params: dict) -> None:
        super().__init__(writer=writer, style=style, box=box)
        self.text_params = text_params

    def _image(self, image: Image.Image, x: float, y: float, w: float, h: float) -> bytes:
        pdf_image = PdfImage(image, writer=self.writer, box=layout.BoxConstraints(width=w, height=h))
        rendered = pdf_image.render()
        self.import_resources(pdf_image.resources)
        return b"q 1 0 0 1 %.3f %.3f cm %s Q" % (x, y, rendered)

    def _text(self, text: str, style: TextBoxStyle, x: float, y: float, w: float, h: float) -> bytes:
        box = TextBox(style, writer=self.writer, resources=self.resources, box=layout.BoxConstraints(width=w, height=h))
        box.content = text
        return b"q 1 0 0 1 %.3f %.3f cm %s Q" % (x, y, box.render())


class _PersonStamp(_Stamp):
    def _render_inner_content(self) -> list[bytes]:
        style: PersonStampStyle = self.style
        w, h = self.box.width, self.box.height
        ix, iy, iw, ih = image_box(w, h, style.image.size)
        lines = "\n".join(x for x in (self.text_params.get("signer", ""), _signing_time(self.text_params)) if x)
        text = text_style(SERIF, PERSON_TEXT_SIZE, x_align=layout.AxisAlignment.ALIGN_MID)
        return [
            self._image(style.image, ix, iy, iw, ih),
            self._text(lines, text, 0, 0, w, min(PERSON_TEXT_HEIGHT, h / 2)),
        ]


class _SealStamp(_Stamp):
    def _render_inner_content(self) -> list[bytes]:
        style: SealStampStyle = self.style
        w, h = self.box.width, self.box.height
        scale = min(w / style.image.width, h / style.image.height)
        iw, ih = style.image.width * scale, style.image.height * scale
        return [self._image(style.image, (w - iw) / 2, (h - ih) / 2, iw, ih)]


class _OrganTextStamp(_Stamp):
    def _render_inner_content(self) -> list[bytes]:
        style: OrganTextStampStyle = self.style
        lines = "\n".join(x for x in (style.heading, _signing_time(self.text_params)) if x)
        text = text_style(SERIF, 10, x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX)
        return [self._text(lines, text, 0, 0, self.box.width, self.box.height)]


@dataclass(frozen=True)
class _VanbanStampStyle(TextStampStyle):
    # A TextStampStyle so that pyHanko passes the signing time in text_params["ts"].
    border_width: int = 0
    timestamp_format: str = TIME_FORMAT
    stamp_class: type = field(default=_Stamp)

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict) -> Any:
        return self.stamp_class(writer, self, box, dict(text_params or {}))


@dataclass(frozen=True)
class PersonStampStyle(_VanbanStampStyle):
    image: Image.Image = field(default_factory=lambda: Image.new("RGBA", (1, 1)))
    stamp_class: type = field(default=_PersonStamp)


@dataclass(frozen=True)
class SealStampStyle(_VanbanStampStyle):
    image: Image.Image = field(default_factory=lambda: Image.new("RGBA", (1, 1)))
    stamp_class: type = field(default=_SealStamp)


@dataclass(frozen=True)
class OrganTextStampStyle(_VanbanStampStyle):
    heading: str = ""
    stamp_class: type = field(default=_OrganTextStamp)


# --- Filled text fields (number and date) -------------------------------------------------------


class FilledFieldAppearance(AppearanceContent):
    """A filled, read-only text field: an opaque white box (it covers the placeholder
    the draft printed, e.g. "Số:      /QĐ-BCT") with the text on it."""

    def __init__(self, writer: BasePdfFileWriter, text: str, style: TextBoxStyle, width: float, height: float) -> None:
        super().__init__(writer=writer, box=layout.BoxConstraints(width=width, height=height))
        self.text = text
        self.style = style

    def render(self) -> bytes:
        box = TextBox(self.style, writer=self.writer, resources=self.resources, box=self.box)
        box.content = self.text
        return b"q 1 1 1 rg 0 0 %.3f %.3f re f Q %s" % (self.box.width, self.box.height, box.render())
