"""OCR character accuracy on Vietnamese scans (issue 8: at least 98%).

A page of administrative prose with every kind of Vietnamese diacritic is set in a
Debian font, rasterised by poppler like a scanner would, tilted and grained, and read
by the path the extraction job runs (`extract_file`: ocrmypdf + tesseract `vie`, then
the Unicode guard). Accuracy is 1 - Levenshtein distance / reference length, both
texts in NFC with runs of whitespace made one space: line breaks are layout, not
characters the reader got wrong."""

from __future__ import annotations

import io
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from vanban.documents.services import store_file
from vanban.documents.tests.docs_world import World
from vanban.search.extraction import extract_file
from vanban.search.models import FileText

pytestmark = pytest.mark.django_db

MIN_ACCURACY = 0.98

# Every tone mark on every vowel family (a ă â e ê i o ô ơ u ư y), đ/Đ, capitals with
# marks, numbers, dates and the punctuation of a real instruction.
PARAGRAPHS = (
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư; "
    "thực hiện chỉ đạo của Thủ tướng Chính phủ về việc chủ động ứng phó với mưa lũ, sạt lở đất tại "
    "các tỉnh miền núi phía Bắc, Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành và Ủy ban nhân dân "
    "các huyện, thị xã, thành phố triển khai ngay các nội dung sau đây.",
    "Thứ nhất, tổ chức kiểm tra, rà soát toàn bộ các khu dân cư ven sông, suối, sườn đồi có nguy cơ "
    "xảy ra lũ quét, sạt lở; kiên quyết di dời người dân ra khỏi khu vực nguy hiểm trước ngày 15 "
    "tháng 7 năm 2026, bảo đảm an toàn tuyệt đối về tính mạng và tài sản của Nhân dân.",
    "Thứ hai, Sở Nông nghiệp và Phát triển nông thôn chủ trì, phối hợp với Sở Tài nguyên và Môi "
    "trường hướng dẫn các địa phương xây dựng phương án ứng phó phù hợp với từng cấp độ rủi ro "
    "thiên tai; tổng hợp nhu cầu kinh phí, báo cáo Ủy ban nhân dân tỉnh xem xét, quyết định.",
    "Thứ ba, Đài Phát thanh và Truyền hình tỉnh, Cổng thông tin điện tử tỉnh thường xuyên cập nhật "
    "diễn biến thời tiết, tuyên truyền để người dân chủ động phòng tránh; không để xảy ra tình trạng "
    "chủ quan, lơ là trong công tác phòng, chống thiên tai. Những hộ gia đình đã được hỗ trợ kinh "
    "phí nhưng chưa di dời phải được thống kê, lập danh sách gửi về Sở Xây dựng.",
    "Yêu cầu Thủ trưởng các cơ quan, đơn vị nghiêm túc triển khai thực hiện; trong quá trình thực "
    "hiện, nếu có khó khăn, vướng mắc, kịp thời phản ánh về Văn phòng Ủy ban nhân dân tỉnh để tổng "
    "hợp, báo cáo Chủ tịch Ủy ban nhân dân tỉnh xem xét, giải quyết./.",
)

# Fonts from Debian packages (fonts-liberation2: the metric twin of Times New Roman that
# ND30 prescribes; fonts-noto-core), as in the labelled extraction set.
FONTS = {
    "liberation-serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "noto-serif": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
}


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1), two rows."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_accuracy(reference: str, read: str) -> float:
    ref, got = normalise(reference), normalise(read)
    return 1 - edit_distance(ref, got) / len(ref)


def test_accuracy_measure_counts_each_wrong_character() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert character_accuracy("sạt  lở\nđất", "sạt lở đất") == 1.0
    # A lost tone mark is a wrong character: "lở" read as "lo" is 2 of 10 wrong.
    assert character_accuracy("sạt lở đất", "sạt lo dất") == pytest.approx(0.8)
    # Decomposed input (NFD, as some scanners' software writes) compares equal.
    assert character_accuracy("Ủy ban", unicodedata.normalize("NFD", "Ủy ban")) == 1.0


def printed_page(font_key: str, size: float = 13) -> bytes:
    """An A4 page of the paragraphs, ND30 margins and first-line indent."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    name = f"ocr-accuracy-{font_key}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, FONTS[font_key]))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(name, size)
    y = A4[1] - 25 * mm
    for paragraph in PARAGRAPHS:
        line, indent = "", 12 * mm
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if line and pdfmetrics.stringWidth(trial, name, size) > 160 * mm - indent:
                c.drawString(30 * mm + indent, y, line)
                y -= size * 1.35
                line, indent = word, 0
            else:
                line = trial
        c.drawString(30 * mm + indent, y, line)
        y -= size * 1.35 + 6
    c.showPage()
    c.save()
    return buf.getvalue()


def scanned(pdf: bytes, *, dpi: int, skew: float, grain: float, specks: float, fmt: str, seed: int) -> bytes:
    """What a scanner makes of the printed page: grey raster, a slight tilt, sensor grain
    and dust specks, saved as a PNG or an image-only PDF."""
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="vanban-ocr-accuracy-") as tmp:
        (Path(tmp) / "page.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", f"{tmp}/page.pdf", f"{tmp}/page"],
                       check=True, capture_output=True)  # fmt: skip
        image = Image.open(Path(tmp) / "page.pgm").convert("L")
        image.load()
    image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image).astype(np.float32)
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * grain
    pixels[rng.random(pixels.shape, dtype=np.float32) < specks] = 0
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(
        out, fmt, **({"dpi": (dpi, dpi)} if fmt == "PNG" else {"resolution": float(dpi)})
    )
    return out.getvalue()


@pytest.mark.parametrize(
    ("font", "dpi", "skew", "grain", "specks", "fmt"),
    [
        pytest.param("liberation-serif", 300, 0.6, 8.0, 0.0005, "PNG", id="300dpi-png"),
        pytest.param("noto-serif", 200, -1.2, 14.0, 0.001, "PDF", id="200dpi-noisy-scanned-pdf"),
    ],
)
def test_ocr_reads_a_vietnamese_scan_with_at_least_98_percent_character_accuracy(
    world: World,
    isolated_storage: Any,
    record_property: Any,
    font: str,
    dpi: int,
    skew: float,
    grain: float,
    specks: float,
    fmt: str,
) -> None:
    data = scanned(printed_page(font), dpi=dpi, skew=skew, grain=grain, specks=specks, fmt=fmt, seed=dpi)
    stored = store_file(actor=world.ministry_clerk, name=f"cong-van-quet.{fmt.lower()}", data=data)
    row = extract_file(actor=world.ministry_clerk, stored=stored)
    assert row.method == FileText.Method.OCR and row.state == FileText.State.DONE, row.error
    accuracy = character_accuracy(" ".join(PARAGRAPHS), row.text)
    record_property("character_accuracy", round(accuracy, 4))  # in --junitxml reports
    assert accuracy >= MIN_ACCURACY, f"{accuracy:.4f}\n{normalise(row.text)}"
