"""Generated ND30 first pages with their labels: the labelled set that measures the
auto-fill (bench/extraction_set.py, bench/extraction.py) and the documents its tests
read. reportlab draws the page in the Appendix I layout with Vietnamese text in fonts
from Debian packages (fonts-dejavu-core, fonts-liberation2 — version 1 has no Vietnamese letters —,
fonts-noto-core); a "scan"
is that page rasterised by pdftoppm at a lower resolution, rotated a little and
speckled with noise. Everything derives from one seed, so the set is reproducible."""

from __future__ import annotations

import io
import json
import random
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SEED = 20201226  # the set's seed (ND30 took effect on 05/3/2020; any fixed value works)

FONT_DIRS = {
    "dejavu-serif": ("/usr/share/fonts/truetype/dejavu/", "DejaVuSerif", "-Bold", "-Italic"),
    "dejavu-sans": ("/usr/share/fonts/truetype/dejavu/", "DejaVuSans", "-Bold", "-Oblique"),
    "liberation-serif": ("/usr/share/fonts/truetype/liberation2/", "LiberationSerif", "-Bold", "-Italic"),
    "liberation-sans": ("/usr/share/fonts/truetype/liberation2/", "LiberationSans", "-Bold", "-Italic"),
    "noto-serif": ("/usr/share/fonts/truetype/noto/", "NotoSerif", "-Bold", "-Italic"),
    "noto-sans": ("/usr/share/fonts/truetype/noto/", "NotoSans", "-Bold", "-Italic"),
}

# (parent organ or None, organ, organ abbreviation for the symbol)
ORGANS: tuple[tuple[str | None, str, str], ...] = (
    ("BỘ CÔNG THƯƠNG", "CỤC XUẤT NHẬP KHẨU", "XNK"),
    ("BỘ CÔNG THƯƠNG", "VỤ PHÁP CHẾ", "PC"),
    ("BỘ TÀI CHÍNH", "TỔNG CỤC HẢI QUAN", "TCHQ"),
    (None, "BỘ TÀI CHÍNH", "BTC"),
    (None, "BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "BKHĐT"),
    (None, "BỘ NỘI VỤ", "BNV"),
    (None, "VĂN PHÒNG CHÍNH PHỦ", "VPCP"),
    ("UBND TỈNH NGHỆ AN", "SỞ CÔNG THƯƠNG", "SCT"),
    ("UBND THÀNH PHỐ HÀ NỘI", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "STNMT"),
    (None, "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH", "UBND"),
    (None, "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", "UBND"),
    ("BỘ Y TẾ", "CỤC QUẢN LÝ DƯỢC", "QLD"),
    ("TẬP ĐOÀN ĐIỆN LỰC VIỆT NAM", "TỔNG CÔNG TY ĐIỆN LỰC MIỀN BẮC", "EVNNPC"),
    ("BỘ GIAO THÔNG VẬN TẢI", "CỤC ĐƯỜNG BỘ VIỆT NAM", "CĐBVN"),
    ("BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "CỤC THỦY LỢI", "TL"),
    (None, "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "BTTTT"),
    (None, "ỦY BAN NHÂN DÂN HUYỆN ĐÔNG ANH", "UBND"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "TRƯỜNG THPT CHU VĂN AN", "THPTCVA"),
)
PLACES = ("Hà Nội", "Vinh", "Hạ Long", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Huế", "Cần Thơ", "Hải Phòng", "Nghệ An")

# (catalogue name, printed title, abbreviation, is_legal)
TYPES: tuple[tuple[str, str, str, bool], ...] = (
    ("Quyết định (cá biệt)", "QUYẾT ĐỊNH", "QĐ", False),
    ("Thông báo", "THÔNG BÁO", "TB", False),
    ("Kế hoạch", "KẾ HOẠCH", "KH", False),
    ("Báo cáo", "BÁO CÁO", "BC", False),
    ("Tờ trình", "TỜ TRÌNH", "TTr", False),
    ("Giấy mời", "GIẤY MỜI", "GM", False),
    ("Hướng dẫn", "HƯỚNG DẪN", "HD", False),
    ("Chỉ thị", "CHỈ THỊ", "CT", False),
    ("Chương trình", "CHƯƠNG TRÌNH", "CTr", False),
    ("Công điện", "CÔNG ĐIỆN", "CĐ", False),
    ("Thông tư", "THÔNG TƯ", "TT", True),
    ("Quyết định (quy phạm pháp luật)", "QUYẾT ĐỊNH", "QĐ", True),
    ("Công văn", "", "", False),
)
TYPE_WEIGHTS = (12, 8, 7, 6, 4, 4, 4, 3, 3, 2, 4, 3, 30)

SUMMARY_HEADS = (
    "Về việc", "Ban hành", "Triển khai", "Tăng cường", "Hướng dẫn thực hiện", "Tổ chức",
    "Kiểm tra", "Đề nghị góp ý", "Phê duyệt", "Báo cáo tình hình",
)  # fmt: skip
SUMMARY_OBJECTS = (
    "công tác phòng, chống thiên tai năm {year}",
    "quy chế quản lý văn bản điện tử",
    "kế hoạch cải cách hành chính giai đoạn 2021 - 2025",
    "xuất khẩu gạo sang thị trường châu Âu",
    "dự thảo Thông tư quy định về thương mại điện tử",
    "kiểm tra việc chấp hành pháp luật về an toàn thực phẩm",
    "hội nghị tổng kết công tác năm {year}",
    "chuyển đổi số trong cơ quan nhà nước",
    "phân bổ dự toán ngân sách nhà nước năm {year}",
    "quản lý giá điện và sử dụng năng lượng tiết kiệm",
    "tuyển dụng công chức đợt {n} năm {year}",
    "bảo đảm trật tự an toàn giao thông dịp Tết Nguyên đán",
    "phòng chống sạt lở đất và lũ quét tại các tỉnh miền núi",
    "thanh tra chuyên ngành đối với doanh nghiệp khai thác khoáng sản",
)
SIGNERS = (
    "Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Long", "Phạm Minh Đức", "Hoàng Thị Hương",
    "Đặng Quốc Khánh", "Vũ Đình Hải", "Bùi Thị Thu Trang", "Đỗ Mạnh Hùng", "Ngô Thanh Sơn",
    "Dương Văn Thắng", "Lý Thị Lan", "Phan Tuấn Anh", "Trịnh Xuân Trường", "Hồ Thị Mỹ Linh",
)  # fmt: skip
# (authority or None, on-behalf line after the authority, position printed, organ head title)
SIGNING_BLOCKS = (
    (None, None, "BỘ TRƯỞNG"),
    ("KT.", "BỘ TRƯỞNG", "THỨ TRƯỞNG"),
    ("TL.", "BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ PHÁP CHẾ"),
    ("TM.", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ("Q.", None, "CỤC TRƯỞNG"),
    (None, None, "CỤC TRƯỞNG"),
    ("KT.", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG"),
    ("TUQ.", "BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG"),
    (None, None, "GIÁM ĐỐC"),
    ("KT.", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
)
URGENCIES = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC")
SECRECIES = ("MẬT", "TỐI MẬT", "TUYỆT MẬT")
BODY_SENTENCES = (
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Thực hiện chỉ đạo của Thủ tướng Chính phủ tại văn bản số 123/TTg-KTTH,",
    "Để bảo đảm tiến độ thực hiện nhiệm vụ được giao, đề nghị các đơn vị khẩn trương rà soát và báo cáo kết quả.",
    "Các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành văn bản này.",
    "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh kịp thời để được hướng dẫn giải quyết.",
    "Giao Văn phòng chủ trì, phối hợp với các đơn vị liên quan theo dõi, đôn đốc và tổng hợp kết quả thực hiện.",
    "Báo cáo gửi về trước ngày 30 tháng 6 để tổng hợp, trình lãnh đạo xem xét, quyết định.",
)
RECIPIENTS = ("- Như trên;", "- Lãnh đạo Bộ;", "- Các Vụ, Cục;", "- Lưu: VT, PC.")
LABEL_KEYS = (
    "organ_parent", "organ", "number", "symbol", "number_symbol", "place", "date", "doc_type",
    "summary", "signer_name", "signer_position", "signing_authority", "urgency", "secrecy",
)  # fmt: skip


@dataclass
class Sample:
    name: str  # file name in the set
    form: str  # "pdf" (text layer), "scan-png", "scan-jpeg", "scan-pdf"
    font: str
    dpi: int
    skew: float
    labels: dict[str, Any]
    body: list[str]
    recipients: list[str]


def make_sample(rng: random.Random, index: int, form: str | None = None) -> Sample:
    parent, organ, organ_abbr = rng.choice(ORGANS)
    doc_type, title, type_abbr, legal = rng.choices(TYPES, weights=TYPE_WEIGHTS)[0]
    year = rng.randint(2019, 2026)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    number = str(rng.randint(1, 2999))
    if rng.random() < 0.15:
        number = number.zfill(2) if len(number) == 1 else number
    if legal:
        symbol = f"{year}/{type_abbr}-{organ_abbr}"
    elif type_abbr:
        symbol = f"{type_abbr}-{organ_abbr}"
    else:
        symbol = f"{organ_abbr}-{rng.choice(('VP', 'KH', 'TCCB', 'QLTT', 'KTTH'))}"
    # A công văn prints "V/v" (về việc) before its summary, so its summary never repeats it.
    head = rng.choice(SUMMARY_HEADS[1:] if not title else SUMMARY_HEADS)
    obj = rng.choice(SUMMARY_OBJECTS).format(year=year, n=rng.randint(1, 3))
    summary = f"{head} {obj}"
    authority, on_behalf, position = rng.choice(SIGNING_BLOCKS)
    urgency = rng.choice(URGENCIES) if rng.random() < 0.25 else None
    secrecy = rng.choice(SECRECIES) if rng.random() < 0.12 else None
    labels: dict[str, Any] = {
        "organ_parent": parent,
        "organ": organ,
        "number": number,
        "symbol": symbol,
        "number_symbol": f"{number}/{symbol}",
        "place": rng.choice(PLACES),
        "date": f"{year:04d}-{month:02d}-{day:02d}",
        "doc_type": doc_type,
        "summary": summary,
        "signer_name": rng.choice(SIGNERS),
        "signer_position": position,
        "signing_authority": authority,
        "urgency": urgency,
        "secrecy": secrecy,
        "_title": title,
        "_on_behalf": on_behalf,
    }
    body = rng.sample(BODY_SENTENCES, k=rng.randint(3, 5))
    recipients = list(RECIPIENTS[: rng.randint(2, 4)])
    if form is None:
        form = rng.choices(("pdf", "scan-png", "scan-jpeg", "scan-pdf"), weights=(25, 35, 25, 15))[0]
    dpi = 300 if form == "pdf" else rng.choice((150, 200, 200, 300))
    skew = 0.0 if form == "pdf" else round(rng.uniform(-1.5, 1.5), 2)
    font = rng.choice(sorted(FONT_DIRS))
    ext = {"pdf": "pdf", "scan-png": "png", "scan-jpeg": "jpg", "scan-pdf": "pdf"}[form]
    return Sample(f"doc{index:04d}.{ext}", form, font, dpi, skew, labels, body, recipients)


_registered: set[str] = set()


def _fonts(key: str) -> tuple[str, str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder, base, bold, italic = FONT_DIRS[key]
    names = (f"{key}", f"{key}-bold", f"{key}-italic")
    if key not in _registered:
        # DejaVu names its regular face without a suffix; Liberation and Noto add -Regular.
        plain = f"{folder}{base}.ttf" if base.startswith("DejaVu") else f"{folder}{base}-Regular.ttf"
        pdfmetrics.registerFont(TTFont(names[0], plain))
        pdfmetrics.registerFont(TTFont(names[1], f"{folder}{base}{bold}.ttf"))
        pdfmetrics.registerFont(TTFont(names[2], f"{folder}{base}{italic}.ttf"))
        _registered.add(key)
    return names


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def draw_pdf(sample: Sample) -> bytes:
    """The first page as a PDF with a text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    regular, bold, italic = _fonts(sample.font)
    lab = sample.labels
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    # The two header blocks never touch (ND30 App I: left ~ 0-70 mm, right from ~75 mm).
    left_cx = 30 * mm + 32 * mm
    right_cx = 30 * mm + 118 * mm
    y = height - 20 * mm
    size = 12

    def centred(text: str, cx: float, yy: float, font: str, sz: float) -> None:
        c.setFont(font, sz)
        c.drawCentredString(cx, yy, text)

    # Left block: organ lines, "Số:", V/v, marks.
    ly = y
    if lab["organ_parent"]:
        for line in _wrap(lab["organ_parent"], regular, size, 62 * mm):
            centred(line, left_cx, ly, regular, size)
            ly -= 15
    for line in _wrap(lab["organ"], bold, size, 62 * mm):
        centred(line, left_cx, ly, bold, size)
        ow = stringWidth(line, bold, size) / 3
        ly -= 15
    c.line(left_cx - ow / 2, ly + 11, left_cx + ow / 2, ly + 11)
    ly -= 11
    centred(f"Số: {lab['number_symbol']}", left_cx, ly, regular, 13)
    number_y = ly
    ly -= 16
    if lab["doc_type"] == "Công văn":
        for i, line in enumerate(_wrap(lab["summary"], regular, 12, 60 * mm)):
            centred(("V/v " if i == 0 else "") + line, left_cx, ly, regular, 12)
            ly -= 14
        ly -= 4
    for mark in (lab["secrecy"], lab["urgency"]):
        if mark:
            ly -= 6
            centred(mark, left_cx, ly, bold, 13)
            mw = stringWidth(mark, bold, 13)
            c.rect(left_cx - mw / 2 - 5, ly - 5, mw + 10, 19)
            ly -= 22
    # Right block: motto, place and date.
    centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_cx, y, bold, 11.5)
    centred("Độc lập - Tự do - Hạnh phúc", right_cx, y - 15, bold, 13)
    mw = stringWidth("Độc lập - Tự do - Hạnh phúc", bold, 13)
    c.line(right_cx - mw / 2, y - 19, right_cx + mw / 2, y - 19)
    yy, mm_, dd = lab["date"].split("-")
    day, month = int(dd), int(mm_)
    # ND30: days below 10 and months below 3 are written with a leading zero.
    day_s = f"{day:02d}"
    month_s = f"{month:02d}" if month < 3 else str(month)
    date_y = min(number_y, y - 40)
    centred(f"{lab['place']}, ngày {day_s} tháng {month_s} năm {yy}", right_cx, date_y, italic, 13)
    # Title and summary.
    ty = min(ly, date_y - 20) - 18
    if lab["_title"]:
        centred(lab["_title"], width / 2, ty, bold, 14)
        ty -= 17
        for line in _wrap(lab["summary"], bold, 13.5, 150 * mm):
            centred(line, width / 2, ty, bold, 13.5)
            ty -= 16
        c.line(width / 2 - 20 * mm, ty + 10, width / 2 + 20 * mm, ty + 10)
        ty -= 16
    else:
        ty -= 6
    # Body.
    c.setFont(regular, 13)
    for sentence in sample.body:
        for i, line in enumerate(_wrap(sentence, regular, 13, 160 * mm)):
            c.drawString(30 * mm + (12 * mm if i == 0 else 0), ty, line)
            ty -= 17
        ty -= 4
    # Signature block and recipients.
    sy = max(ty - 20, 80 * mm)
    c.setFont(f"{bold}", 11)
    c.drawString(30 * mm, sy, "Nơi nhận:")
    c.setFont(regular, 10.5)
    ry = sy - 13
    for r in sample.recipients:
        c.drawString(30 * mm, ry, r)
        ry -= 12
    sig_cx = 30 * mm + 120 * mm
    by = sy
    if lab["signing_authority"] and lab["_on_behalf"]:
        centred(f"{lab['signing_authority']} {lab['_on_behalf']}", sig_cx, by, bold, 13)
        by -= 16
        centred(lab["signer_position"], sig_cx, by, bold, 13)
    elif lab["signing_authority"]:
        # "Q. CỤC TRƯỞNG": a deputy acting in the post signs on one line.
        centred(f"{lab['signing_authority']} {lab['signer_position']}", sig_cx, by, bold, 13)
    else:
        centred(lab["signer_position"], sig_cx, by, bold, 13)
    by -= 70
    centred(lab["signer_name"], sig_cx, by, bold, 13)
    c.showPage()
    c.save()
    return buf.getvalue()


def scan(sample: Sample, pdf: bytes, rng: random.Random) -> bytes:
    """Rasterise, rotate, speckle: what a clerk's scanner makes of the printed page."""
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="vanban-scan-") as tmp:
        src = Path(tmp) / "page.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(sample.dpi), "-gray", "-singlefile", str(src), str(Path(tmp) / "page")],
            check=True,
            capture_output=True,
        )
        img = Image.open(Path(tmp) / "page.pgm").convert("L")
        img.load()
    img = img.rotate(sample.skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    arr = np.asarray(img).astype(np.float32)
    noise_rng = np.random.default_rng(rng.randint(0, 2**31))
    arr += noise_rng.standard_normal(arr.shape, dtype=np.float32) * rng.uniform(6, 18)
    speckles = noise_rng.random(arr.shape, dtype=np.float32) < rng.uniform(0.0005, 0.002)
    arr[speckles] = 0
    arr = np.clip(arr, 0, 255).astype(np.uint8)
    out = Image.fromarray(arr)
    buf = io.BytesIO()
    if sample.form == "scan-jpeg":
        out.save(buf, "JPEG", quality=rng.randint(55, 85), dpi=(sample.dpi, sample.dpi))
    elif sample.form == "scan-pdf":
        out.save(buf, "PDF", resolution=float(sample.dpi))
    else:
        # Noise does not compress: the fastest level makes nearly the same file.
        out.save(buf, "PNG", dpi=(sample.dpi, sample.dpi), compress_level=1)
    return buf.getvalue()


def render(sample: Sample, rng: random.Random) -> bytes:
    pdf = draw_pdf(sample)
    return pdf if sample.form == "pdf" else scan(sample, pdf, rng)


def public_labels(sample: Sample) -> dict[str, Any]:
    return {k: sample.labels[k] for k in LABEL_KEYS}


def build_set(out: Path, count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """Write `count` documents and labels.json into `out`; returns the label rows."""
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(1, count + 1):
        sample = make_sample(rng, i)
        (out / sample.name).write_bytes(render(sample, rng))
        meta = {k: v for k, v in asdict(sample).items() if k not in ("labels", "body", "recipients")}
        rows.append({**meta, "labels": public_labels(sample)})
    (out / "labels.json").write_text(json.dumps({"seed": seed, "documents": rows}, ensure_ascii=False, indent=1))
    return rows
