"""Images a signature shows (ND30 App I): the person's handwritten signature (blue,
transparent PNG) and the organ's round red seal (transparent PNG).

Real installations upload scans of the real signature and seal; the generated ones
let a demo or a newcomer sign at once. Fonts come from matplotlib's DejaVu files (see
vanban/core/pdf.py): nothing is downloaded."""

from __future__ import annotations

import io
import math
import unicodedata

from PIL import Image, ImageDraw, ImageFont

from vanban.core.pdf import font_dir
from vanban.signatures.errors import SignatureError

INK_BLUE = (20, 55, 160, 255)
SEAL_RED = (218, 37, 29, 255)
MAX_IMAGE_PIXELS = 4000 * 4000
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _font(filename: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_dir() / filename), size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def demo_signature_png(full_name: str) -> bytes:
    """A handwriting-like signature: the given name in a slanted serif, blue, with an
    underline flourish, on a transparent background (600 × 240 px)."""
    words = unicodedata.normalize("NFC", full_name).split()
    given = words[-1] if words else "Ký"
    initials = "".join(w[0] for w in words[:-1])[:3]
    width, height = 600, 240
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = _font("DejaVuSerif-Italic.ttf", 104)
    small = _font("DejaVuSerif-Italic.ttf", 56)
    x = 40
    if initials:
        draw.text((x, 70), initials, font=small, fill=INK_BLUE)
        x += int(draw.textlength(initials, font=small)) + 12
    text_width = draw.textlength(given, font=font)
    if x + text_width > width - 30:  # a long name shrinks rather than spills out
        font = _font("DejaVuSerif-Italic.ttf", max(40, int(104 * (width - 30 - x) / text_width)))
        text_width = draw.textlength(given, font=font)
    draw.text((x, 30), given, font=font, fill=INK_BLUE)
    # A flourish under the name: a quadratic curve drawn as a thick polyline.
    start, control, end = (30, 190), (width * 0.45, 240), (min(width - 20, x + text_width + 40), 150)
    points = []
    for i in range(41):
        t = i / 40
        px = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0]
        py = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1]
        points.append((px, py))
    draw.line(points, fill=INK_BLUE, width=6, joint="curve")
    bbox = image.getbbox() or (0, 0, width, height)
    return _png(
        image.crop((max(0, bbox[0] - 8), max(0, bbox[1] - 8), min(width, bbox[2] + 8), min(height, bbox[3] + 8)))
    )


def _text_on_arc(
    image: Image.Image,
    text: str,
    font: ImageFont.FreeTypeFont,
    centre: float,
    radius: float,
    colour: tuple,
    *,
    bottom: bool = False,
) -> None:
    """Letters along a circle, read left to right: around the top centred on 12 o'clock
    (tops outwards), or along the bottom centred on 6 o'clock (tops inwards)."""
    draw = ImageDraw.Draw(image)
    spacing = font.size * 0.18
    widths = [draw.textlength(ch, font=font) + spacing for ch in text]
    total_angle = sum(widths) / radius
    total_angle = min(total_angle, math.radians(330))
    scale = total_angle / (sum(widths) / radius)
    angle = -total_angle / 2
    for ch, w in zip(text, widths, strict=True):
        step = w / radius * scale
        mid = angle + step / 2
        box = font.size * 2
        glyph = Image.new("RGBA", (box, box), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=font, fill=colour, anchor="mm")
        if bottom:
            glyph = glyph.rotate(math.degrees(mid), resample=Image.Resampling.BICUBIC)
            gx = centre + radius * math.sin(mid) - box / 2
            gy = centre + radius * math.cos(mid) - box / 2
        else:
            glyph = glyph.rotate(-math.degrees(mid), resample=Image.Resampling.BICUBIC)
            gx = centre + radius * math.sin(mid) - box / 2
            gy = centre - radius * math.cos(mid) - box / 2
        image.alpha_composite(glyph, (round(gx), round(gy)))
        angle += step


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, outer: float, colour: tuple) -> None:
    inner = outer * 0.382
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(points, fill=colour)


def demo_seal_png(organ_name: str, place: str = "") -> bytes:
    """A round red seal: two rings, the organ's name in capitals around the top, the
    place along the bottom, a five-pointed star in the middle (600 × 600 px, meant to
    be printed 36 mm wide)."""
    size = 600
    c = size / 2
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, size - 10, size - 10), outline=SEAL_RED, width=14)
    draw.ellipse((150, 150, size - 150, size - 150), outline=SEAL_RED, width=6)
    name = unicodedata.normalize("NFC", organ_name).upper()
    font = _font("DejaVuSans-Bold.ttf", 54 if len(name) <= 20 else max(30, int(54 * 20 / len(name))))
    _text_on_arc(image, name, font, c, 222, SEAL_RED)
    if place:
        place_text = unicodedata.normalize("NFC", place).upper()
        _text_on_arc(image, place_text, _font("DejaVuSans-Bold.ttf", 40), c, 212, SEAL_RED, bottom=True)
    _star(draw, c, c + 6, 100, SEAL_RED)
    return _png(image)


def check_png(data: bytes, *, name: str = "ảnh") -> Image.Image:
    """A PNG that can be drawn on a page: readable, not a decompression bomb, with an
    alpha channel (a signature on a white box would hide the text under it)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise SignatureError("image_too_large", f"Tệp {name} lớn hơn 5 MB.", "image")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SignatureError("image_not_png", f"Tệp {name} phải là ảnh PNG nền trong suốt.", "image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS or probe.width < 20 or probe.height < 20:
                raise SignatureError(
                    "image_size", f"Kích thước {name} phải từ 20 đến 4000 điểm ảnh mỗi chiều.", "image"
                )
            probe.load()
            image = probe.convert("RGBA") if probe.mode != "RGBA" else probe.copy()
    except SignatureError:
        raise
    except Exception as exc:  # Pillow raises many kinds on damaged input
        raise SignatureError("image_broken", f"Tệp {name} bị hỏng hoặc không đọc được.", "image") from exc
    alpha = image.getchannel("A")
    if alpha.getextrema()[0] == 255:
        raise SignatureError(
            "image_not_transparent",
            f"{name[:1].upper()}{name[1:]} cần nền trong suốt (PNG có kênh alpha) để không che chữ bên dưới.",
            "image",
        )
    return image
