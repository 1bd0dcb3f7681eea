"""What every printed PDF shares: a TrueType font with Vietnamese glyphs, registered
once per process with reportlab, and plain-text line wrapping that is fast enough for
registers of tens of thousands of rows.

Why these fonts come from matplotlib: reportlab only bundles Bitstream Vera, which has
no Vietnamese letters (ư, ơ, ạ, ề…), and nothing may be fetched at run time. matplotlib
has shipped the DejaVu family (full Vietnamese coverage, free licence) inside its wheel
as its default font since 2017 and is among the best-kept Python packages, so a plain
`pip install` brings the fonts on every machine with no system package. Only the
files are used: matplotlib (and numpy) is never imported here. The alternatives were
a Debian package (fonts-dejavu-core, would make `make run` need apt) or young
single-maintainer font wheels (variable fonts that reportlab cannot set in bold).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from vanban.core.errors import VanbanError

# DejaVu Serif: official Vietnamese papers are set in a serif face (Times New Roman
# in ND30 App I), and DejaVu Serif is the closest face available offline.
FONT = "VanbanSerif"
FONT_BOLD = "VanbanSerif-Bold"
FONT_ITALIC = "VanbanSerif-Italic"
FONT_BOLD_ITALIC = "VanbanSerif-BoldItalic"
_FILES = {
    FONT: "DejaVuSerif.ttf",
    FONT_BOLD: "DejaVuSerif-Bold.ttf",
    FONT_ITALIC: "DejaVuSerif-Italic.ttf",
    FONT_BOLD_ITALIC: "DejaVuSerif-BoldItalic.ttf",
}


def font_dir() -> Path:
    # find_spec locates the package without importing it (no numpy in the web worker).
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise VanbanError("pdf_font_missing", "Thiếu phông chữ tiếng Việt để in PDF (gói matplotlib chưa được cài).")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@functools.cache
def register_fonts() -> str:
    """Register the family with reportlab (idempotent) and return the regular name."""
    folder = font_dir()
    for name, filename in _FILES.items():
        path = folder / filename
        if not path.is_file():
            raise VanbanError("pdf_font_missing", f"Thiếu tệp phông chữ {filename} để in PDF.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # <b>/<i> in reportlab Paragraphs pick the right face through these mappings.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)
    return FONT


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`: words wrap at spaces, explicit newlines
    are kept, and a word wider than the line (a long number and symbol) is cut
    between characters rather than spilling into the next column."""
    if not text.strip():
        return []
    lines: list[str] = []
    space = pdfmetrics.stringWidth(" ", font, size)
    for paragraph in text.split("\n"):
        current: list[str] = []
        current_width = 0.0
        for word in paragraph.split():
            word_width = pdfmetrics.stringWidth(word, font, size)
            if word_width > width:
                if current:
                    lines.append(" ".join(current))
                    current, current_width = [], 0.0
                piece = ""
                for char in word:
                    if pdfmetrics.stringWidth(piece + char, font, size) > width and piece:
                        lines.append(piece)
                        piece = char
                    else:
                        piece += char
                current, current_width = [piece], pdfmetrics.stringWidth(piece, font, size)
                continue
            needed = word_width if not current else current_width + space + word_width
            if needed <= width:
                current.append(word)
                current_width = needed
            else:
                lines.append(" ".join(current))
                current, current_width = [word], word_width
        lines.append(" ".join(current))
    return lines
