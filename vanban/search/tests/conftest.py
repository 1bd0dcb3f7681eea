"""Fixtures of the search tests: the documents-core world, registered documents and
small real files in each format."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from vanban.documents.tests.docs_world import World, isolated_storage, world  # noqa: F401
from vanban.incoming.models import IncomingDocument
from vanban.incoming.tests.conftest import ministry_leader, register_doc, sample_data  # noqa: F401
from vanban.organisation.roles import Role


@pytest.fixture
def leader_of_other(world: World, make_user: Callable[..., Any]) -> Any:  # noqa: F811
    return make_user("ld.pc", roles=[Role.UNIT_LEADER], unit=world.other)


def text_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A PDF with a real text layer, Vietnamese set in the DejaVu font shipped with matplotlib."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from vanban.core.pdf import FONT, register_fonts

    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in range(pages):
        c.setFont(FONT, 13)
        y = 780
        for line in lines:
            c.drawString(60, y, f"{line}" if pages == 1 else f"{line} (trang {page + 1})")
            y -= 22
        c.showPage()
    c.save()
    return buf.getvalue()


def scan_png(lines: list[str], size: int = 40) -> bytes:
    """A clean 'scan': Vietnamese rendered with DejaVu Sans into a 300 dpi grey image."""
    from PIL import Image, ImageDraw, ImageFont

    from vanban.core.pdf import font_dir

    font = ImageFont.truetype(str(font_dir() / "DejaVuSans.ttf"), size)
    image = Image.new("L", (2000, 160 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((100, 80 + 90 * i), line, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def image_pdf(pngs: list[bytes]) -> bytes:
    """A scanned PDF: each page one image, no text layer."""
    from PIL import Image

    images = [Image.open(io.BytesIO(p)).convert("L") for p in pngs]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=300.0, save_all=True, append_images=images[1:])
    return out.getvalue()


def docx_file(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def incoming(register_doc: Any, world: World) -> Callable[..., IncomingDocument]:  # noqa: F811
    """incoming(actor=..., files=[...], **fields) with a fresh number each time."""
    counter = iter(range(100, 10_000))

    def make(actor: Any = None, **overrides: Any) -> IncomingDocument:
        overrides.setdefault("code_number", str(next(counter)))
        overrides.setdefault("confirm_duplicate", True)
        return register_doc(actor or world.ministry_clerk, **overrides)

    return make
