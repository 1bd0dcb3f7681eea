"""Previews of DOCX, ODT, XLSX and TIFF files, and the secrecy stamp read from DOCX and
ODT text (issue 3: "DOCX shown as text"; "secrecy stamp")."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from django.urls import reverse
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from PIL import Image, ImageDraw

from vanban.audit.models import AuditEvent
from vanban.documents import preview, storage
from vanban.documents.errors import DocumentError
from vanban.documents.files import prepare_upload
from vanban.documents.models import StoredFile
from vanban.documents.tests.docs_world import World, pdf_bytes
from vanban.documents.text import tcvn3
from vanban.incoming.errors import IncomingError
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import register_incoming, secrecy_stamp_in, stamp_in_line
from vanban.incoming.tests.conftest import sample_data

pytestmark = pytest.mark.django_db

# --- Builders -----------------------------------------------------------------------------


def _save(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def nd30_docx(*after_header: str, header_text: str = "", top_cell: str = "") -> bytes:
    """An official letter laid out as ND30 App I: the two-column table with the organ,
    number and national motto, then the paragraphs given."""
    document = docx.Document()
    if header_text:
        document.sections[0].header.paragraphs[0].text = header_text
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "BỘ CÔNG THƯƠNG"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    table.cell(1, 0).text = "Số: 125/BCT-XNK"
    table.cell(1, 1).text = "Độc lập - Tự do - Hạnh phúc"
    table.cell(2, 0).text = top_cell or "V/v báo cáo tình hình xuất khẩu gạo"
    table.cell(2, 1).text = "Hà Nội, ngày 20 tháng 11 năm 2026"
    for text in after_header:
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("Kính gửi: Cục Xuất nhập khẩu")
    return _save(document)


def rich_docx() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Dự thảo lần 2"
    document.add_heading("Báo cáo tình hình xuất khẩu", level=1)
    document.add_heading("I. Kết quả", level=2)
    paragraph = document.add_paragraph("Kim ngạch ")
    paragraph.add_run("tăng 12%").bold = True
    paragraph.add_run(" so với cùng kỳ.")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    table = document.add_table(rows=2, cols=3)
    for col, text in enumerate(["Mặt hàng", "Quý III", "Quý IV"]):
        table.cell(0, col).text = text
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Gạo"
    table.cell(1, 2).text = "1.200"
    # Decomposed Unicode (as some editors paste it) must come out NFC.
    document.add_paragraph(unicodedata.normalize("NFD", "Nơi nhận: Như trên"))
    return _save(document)


def with_text_box(document: Any, text: str) -> None:
    """A text box in a run, as Word writes one (DrawingML with a VML fallback)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    box = (
        f'<w:r xmlns:w="{w}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx><w:txbxContent>"
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )
    document.add_paragraph("Số: 125/BCT-XNK")._p.append(parse_xml(box))


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)


def odt_bytes(body: str, header: str = "") -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.3">'
        '<office:automatic-styles><style:style style:name="T1" style:family="text">'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="P1" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>'
        "</style:style></office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODF_NS} office:version="1.3">'
        '<office:master-styles><style:master-page style:name="Standard">'
        f"{f'<style:header>{header}</style:header>' if header else ''}"
        "</style:master-page></office:master-styles></office:document-styles>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("styles.xml", styles, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


ODT_LETTER = (
    '<text:h text:outline-level="1">Thông báo kết luận</text:h>'
    '<text:p text:style-name="P1">Kính gửi:<text:s text:c="2"/><text:span text:style-name="T1">Các Cục</text:span></text:p>'
    "<text:list><text:list-item><text:p>Một là, tăng cường kiểm tra.</text:p></text:list-item></text:list>"
    "<table:table><table:table-row><table:table-cell><text:p>Đơn vị</text:p></table:table-cell>"
    "<table:table-cell><text:p>Hạn</text:p></table:table-cell></table:table-row>"
    "<table:table-row><table:table-cell><text:p>Cục XNK</text:p></table:table-cell>"
    "<table:table-cell><text:p>30/11</text:p></table:table-cell></table:table-row></table:table>"
)


def xlsx_bytes(rows: list[list[Any]], sheets: int = 1) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        workbook.create_sheet(f"Phụ lục {n}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def tiff_bytes(pages: int = 2, size: tuple[int, int] = (2480, 3508)) -> bytes:
    frames = []
    for n in range(pages):
        image = Image.new("1", size, 1)
        ImageDraw.Draw(image).rectangle([200, 200 + n * 50, 1200, 400 + n * 50], fill=0)
        frames.append(image)
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="group4")
    return out.getvalue()


def _zip_with(base: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def _dicts(blocks: list[preview.Block]) -> list[dict[str, Any]]:
    return [b.as_dict() for b in blocks]


# --- Text previews ---------------------------------------------------------------------------


def test_docx_preview_keeps_headings_bold_tables_and_header_in_reading_order() -> None:
    result = preview.text_preview(io.BytesIO(rich_docx()), "docx")
    assert not result.truncated and result.converted_from == []
    assert [b.text for b in result.header] == ["Dự thảo lần 2"]
    heading, subheading, paragraph, table, last = result.blocks
    assert (heading.type, heading.level, heading.text) == ("heading", 1, "Báo cáo tình hình xuất khẩu")
    assert (subheading.level, subheading.text) == (2, "I. Kết quả")
    assert [(r.text, r.bold) for r in paragraph.runs] == [
        ("Kim ngạch ", False), ("tăng 12%", True), (" so với cùng kỳ.", False)
    ]
    assert paragraph.align == "justify"
    # A merged cell appears once, not once per grid column.
    assert table.rows == [["Mặt hàng", "Quý III", "Quý IV"], ["Gạo", "1.200"]]
    assert last.text == "Nơi nhận: Như trên" and unicodedata.is_normalized("NFC", result.text)


def test_docx_typed_in_tcvn3_is_shown_in_unicode() -> None:
    document = docx.Document()
    document.add_paragraph("B¸o c¸o t×nh h×nh xuÊt khÈu g¹o")
    document.add_paragraph("MËT")  # too short alone; the document's encoding decides
    result = preview.text_preview(io.BytesIO(_save(document)), "docx")
    assert [b.text for b in result.blocks] == ["Báo cáo tình hình xuất khẩu gạo", "MẬT"]
    assert result.converted_from == ["tcvn3"]


def test_odt_preview_reads_headings_spans_lists_tables_and_header() -> None:
    result = preview.text_preview(io.BytesIO(odt_bytes(ODT_LETTER, "<text:p>BỘ CÔNG THƯƠNG</text:p>")), "odt")
    assert [b.text for b in result.header] == ["BỘ CÔNG THƯƠNG"]
    heading, greeting, item, table = result.blocks
    assert (heading.type, heading.level, heading.text) == ("heading", 1, "Thông báo kết luận")
    assert [(r.text, r.bold) for r in greeting.runs] == [("Kính gửi:  ", False), ("Các Cục", True)]
    assert greeting.align == "center"
    assert item.text == "Một là, tăng cường kiểm tra."
    assert table.rows == [["Đơn vị", "Hạn"], ["Cục XNK", "30/11"]]


def test_xlsx_preview_shows_the_first_sheet_as_a_table_of_text() -> None:
    import datetime as dt

    data = xlsx_bytes(
        [["STT", "Mặt hàng", "Ngày", "Lượng"], [1, "Gạo", dt.date(2026, 11, 20), 1200.0], [2, "Cà phê", None, 12.5]],
        sheets=3,
    )
    result = preview.text_preview(io.BytesIO(data), "xlsx")
    assert (result.sheet, result.sheet_count, result.truncated) == ("Tổng hợp", 3, False)
    assert result.blocks[0].rows == [
        ["STT", "Mặt hàng", "Ngày", "Lượng"], ["1", "Gạo", "20/11/2026", "1200"], ["2", "Cà phê", "", "12.5"]
    ]
    assert result.as_dict()["sheet"] == "Tổng hợp"


def test_long_sheets_and_documents_are_cut_and_say_so() -> None:
    rows = [[n, f"Dòng {n}"] for n in range(preview.SHEET_ROWS + 50)]
    sheet = preview.text_preview(io.BytesIO(xlsx_bytes(rows)), "xlsx")
    assert sheet.truncated and len(sheet.blocks[0].rows) == preview.SHEET_ROWS
    document = docx.Document()
    for n in range(200):
        document.add_paragraph(f"Đoạn văn số {n} của một văn bản rất dài.")
    long = preview.text_preview(io.BytesIO(_save(document)), "docx", max_chars=1000)
    assert long.truncated and len(long.text) <= 1000 + len(long.blocks)
    few = preview.text_preview(io.BytesIO(_save(document)), "docx", max_blocks=10)
    assert few.truncated and len(few.blocks) == 10


def test_zip_bomb_is_refused_before_it_is_inflated() -> None:
    # 60 MB of XML compress to about 60 kB; the declared size stops it before reading.
    bomb = _zip_with(rich_docx(), {"word/bomb.xml": b" " * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DocumentError) as exc:
        preview.text_preview(io.BytesIO(bomb), "docx")
    assert exc.value.code == "preview_too_large"


def test_large_pictures_are_not_inflated_for_a_text_preview() -> None:
    heavy = _zip_with(rich_docx(), {"word/media/scan.png": b"\x00" * (60 * 1024 * 1024)})
    result = preview.text_preview(io.BytesIO(heavy), "docx")
    assert result.blocks[0].text == "Báo cáo tình hình xuất khẩu"


def test_xml_entities_are_never_expanded_or_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT KHẨU")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE office:document-content [<!ENTITY x SYSTEM "file://{secret}">]>'
        f"<office:document-content {ODF_NS}><office:body><office:text><text:p>A&x;B</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    data = odt_bytes("")
    data = _zip_with_replaced(data, "content.xml", body.encode())
    assert preview.text_preview(io.BytesIO(data), "odt").text == "AB"


def _zip_with_replaced(base: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info))
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("docx", b"PK\x03\x04 not a zip"),
        ("docx", _zip_with_replaced(rich_docx(), "word/document.xml", b"<w:document><unclosed>")),
        ("odt", _zip_with_replaced(odt_bytes("<text:p>x</text:p>"), "content.xml", b"<<<")),
        ("xlsx", b"PK\x05\x06" + b"\x00" * 18),
    ],
)
def test_damaged_files_fail_with_a_code(kind: str, content: bytes) -> None:
    with pytest.raises(DocumentError) as exc:
        preview.text_preview(io.BytesIO(content), kind)
    assert exc.value.code == "preview_failed"


def test_pdf_and_images_need_no_preview() -> None:
    with pytest.raises(DocumentError) as exc:
        preview.text_preview(io.BytesIO(pdf_bytes()), "pdf")
    assert exc.value.code == "preview_unsupported"


# --- TIFF ------------------------------------------------------------------------------------


def test_tiff_first_page_becomes_a_png_for_the_screen() -> None:
    result = preview.image_preview(io.BytesIO(tiff_bytes(pages=3)))
    assert result.page_count == 3
    assert max(result.width, result.height) == preview.IMAGE_SIDE
    with Image.open(io.BytesIO(result.png)) as png:
        assert png.format == "PNG" and png.size == (result.width, result.height)
        assert png.getpixel((300 * result.width // 2480, 300 * result.height // 3508)) < 128  # the drawn bar


def test_oversized_or_broken_tiff_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(DocumentError) as exc:
        preview.image_preview(io.BytesIO(tiff_bytes(pages=1)))
    assert exc.value.code == "preview_too_large"
    with pytest.raises(DocumentError) as exc:
        preview.image_preview(io.BytesIO(b"II*\x00" + b"\x00" * 60))
    assert exc.value.code == "preview_failed"


# --- Web and API ------------------------------------------------------------------------------


def _register(world: World, files: list[tuple[str, bytes]]) -> IncomingDocument:
    return register_incoming(actor=world.ministry_clerk, data=sample_data(), files=files)


def test_clerk_previews_a_docx_on_the_document_page_and_it_is_on_record(
    world: World, web_client: Any, isolated_storage: Any
) -> None:
    original = rich_docx()
    doc = _register(world, [("bao-cao.docx", original), ("phu-luc.pdf", pdf_bytes())])
    link = doc.files.get(position=1)
    client = web_client(world.ministry_clerk)
    url = reverse("web:incoming_file_preview", args=[doc.pk, link.pk])
    detail = client.get(reverse("web:incoming_detail", args=[doc.pk])).content.decode()
    assert f'href="{url}"' in detail and f'src="{url}?nhung=1"' in detail
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<strong>tăng 12%</strong>" in body and "<td class=\"vb-preview-text\">Quý IV</td>" in body
    assert "Dự thảo lần 2" in body and link.file.sha256 in body
    embed = client.get(url + "?nhung=1").content.decode()
    assert "Báo cáo tình hình xuất khẩu" in embed and 'data-testid="main-nav"' not in embed
    events = AuditEvent.objects.filter(action="incoming.file_viewed", target_id=str(doc.pk))
    assert events.count() == 2 and events.first().data["file"] == link.pk
    # The original is unchanged: same bytes under the same hash.
    assert storage.read_blob(link.file.sha256) == original
    assert hashlib.sha256(original).hexdigest() == link.file.sha256


def test_preview_escapes_what_the_file_says(world: World, web_client: Any, isolated_storage: Any) -> None:
    document = docx.Document()
    document.add_paragraph('<script>alert("x")</script><img src=x onerror=alert(1)>')
    doc = _register(world, [("xss.docx", _save(document))])
    link = doc.files.get()
    body = web_client(world.ministry_clerk).get(reverse("web:incoming_file_preview", args=[doc.pk, link.pk]))
    text = body.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text and "<img src=x" not in text


def test_tiff_preview_is_a_png_and_on_record(world: World, web_client: Any, isolated_storage: Any) -> None:
    scan = tiff_bytes(pages=2)
    doc = _register(world, [("scan.tif", scan)])
    link = doc.files.get()
    client = web_client(world.ministry_clerk)
    image_url = reverse("web:incoming_file_preview_image", args=[doc.pk, link.pk])
    assert f'src="{image_url}"' in client.get(reverse("web:incoming_detail", args=[doc.pk])).content.decode()
    assert image_url in client.get(reverse("web:incoming_file_preview", args=[doc.pk, link.pk])).content.decode()
    assert not AuditEvent.objects.filter(action="incoming.file_viewed").exists()  # the page itself shows nothing
    response = client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="incoming.file_viewed", target_id=str(doc.pk)).count() == 1
    assert storage.read_blob(link.file.sha256) == scan


def test_preview_urls_of_other_kinds_and_other_peoples_documents(
    world: World, web_client: Any, isolated_storage: Any
) -> None:
    doc = _register(world, [("cv.pdf", pdf_bytes()), ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)])
    pdf, old = doc.files.order_by("position")
    client = web_client(world.ministry_clerk)
    redirect = client.get(reverse("web:incoming_file_preview", args=[doc.pk, pdf.pk]))
    assert redirect.status_code == 302 and redirect["Location"].endswith("?xem=1")
    assert client.get(reverse("web:incoming_file_preview", args=[doc.pk, old.pk])).status_code == 404
    assert client.get(reverse("web:incoming_file_preview_image", args=[doc.pk, pdf.pk])).status_code == 404
    outsider = web_client(world.specialist)
    assert outsider.get(reverse("web:incoming_file_preview", args=[doc.pk, pdf.pk])).status_code == 404


def test_unreadable_docx_page_says_so(world: World, web_client: Any, isolated_storage: Any) -> None:
    broken = _zip_with_replaced(rich_docx(), "word/document.xml", b"<w:document><unclosed>")
    doc = _register(world, [("hong.docx", broken)])
    page = web_client(world.ministry_clerk).get(reverse("web:incoming_file_preview", args=[doc.pk, doc.files.get().pk]))
    assert page.status_code == 200 and "Không đọc được nội dung tệp" in page.content.decode()
    assert not AuditEvent.objects.filter(action="incoming.file_viewed").exists()


def test_api_preview_json_png_and_errors(world: World, api_client: Any, isolated_storage: Any) -> None:
    doc = _register(world, [("bc.docx", rich_docx()), ("tk.xlsx", xlsx_bytes([["A", "B"]])), ("s.tiff", tiff_bytes(1)),
                            ("cv.pdf", pdf_bytes())])  # fmt: skip
    docx_link, xlsx_link, tiff_link, pdf_link = doc.files.order_by("position")
    client = api_client(world.ministry_clerk)
    base = f"/api/v1/incoming/{doc.pk}/files"
    body = client.get(f"{base}/{docx_link.pk}/preview").json()
    assert body["kind"] == "docx" and body["truncated"] is False
    assert body["blocks"][0] == {
        "type": "heading", "level": 1, "text": "Báo cáo tình hình xuất khẩu",
        "runs": [{"text": "Báo cáo tình hình xuất khẩu", "bold": False, "italic": False}],
    }  # fmt: skip
    assert body["blocks"][3]["rows"][1] == ["Gạo", "1.200"] and body["header"][0]["text"] == "Dự thảo lần 2"
    sheet = client.get(f"{base}/{xlsx_link.pk}/preview").json()
    assert sheet["sheet"] == "Tổng hợp" and sheet["blocks"] == [{"type": "table", "rows": [["A", "B"]]}]
    png = client.get(f"{base}/{tiff_link.pk}/preview")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    unsupported = client.get(f"{base}/{pdf_link.pk}/preview")
    assert unsupported.status_code == 400 and unsupported.json()["code"] == "preview_unsupported"
    assert AuditEvent.objects.filter(action="incoming.file_viewed").count() == 3
    assert api_client(world.specialist).get(f"{base}/{docx_link.pk}/preview").status_code == 404
    assert client.get(f"{base}/999999/preview").status_code == 404


# --- Secrecy stamp in DOCX and ODT --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("MẬT", "MẬT"), ("mật", "MẬT"), ("M Ậ T", "MẬT"), ("(MẬT)", "MẬT"), ("Tối mật", "TỐI MẬT"),
        ("T U Y Ệ T   M Ậ T", "TUYỆT MẬT"), ("Độ mật: Mật", "MẬT"), ("TOI MAT", "TỐI MẬT"),
        (unicodedata.normalize("NFD", "TUYỆT MẬT"), "TUYỆT MẬT"),
        ("Thông tin bí mật nhà nước", None), ("bí mật", None), ("MẶT HÀNG", None), ("Mặt", None), ("Mát", None),
        ("Số: 125/BCT-XNK", None), ("", None),
    ],
)  # fmt: skip
def test_stamp_is_a_line_of_its_own(line: str, stamp: str | None) -> None:
    assert stamp_in_line(line) == stamp


def _stamp_of(name: str, content: bytes) -> str | None:
    with prepare_upload(name, content) as upload:
        return secrecy_stamp_in(upload)


@pytest.mark.parametrize(
    ("content", "stamp"),
    [
        (nd30_docx("MẬT"), "MẬT"),
        (nd30_docx("tối   mật"), "TỐI MẬT"),
        (nd30_docx("H Ỏ A  T Ố C", "T U Y Ệ T  M Ậ T"), "TUYỆT MẬT"),
        (nd30_docx(header_text="MẬT"), "MẬT"),
        (nd30_docx(top_cell="Mật"), "MẬT"),
        (nd30_docx("V/v bảo vệ bí mật nhà nước trong hoạt động thương mại"), None),
        (nd30_docx("Tài liệu này không chứa bí mật."), None),
        (nd30_docx(), None),
    ],
)
def test_secrecy_stamp_is_read_from_docx(content: bytes, stamp: str | None) -> None:
    assert _stamp_of("cv.docx", content) == stamp


def test_secrecy_stamp_in_a_text_box_and_tcvn3_docx() -> None:
    document = docx.Document()
    document.add_paragraph("BỘ CÔNG THƯƠNG")
    with_text_box(document, "TỐI MẬT")
    assert _stamp_of("hop.docx", _save(document)) == "TỐI MẬT"
    legacy = docx.Document()
    for text in ("Bộ Công Thương", "Số: 125/BCT-XNK", "V/v báo cáo tình hình xuất khẩu gạo", "MẬT"):
        legacy.add_paragraph(tcvn3.encode(text))  # typed with a .VnTime font
    assert _stamp_of("vntime.docx", _save(legacy)) == "MẬT"


def test_stamp_far_below_the_top_is_not_a_stamp() -> None:
    document = docx.Document()
    for n in range(40):
        document.add_paragraph(f"Điều {n}. Nội dung quy định")
    document.add_paragraph("MẬT")
    assert _stamp_of("dai.docx", _save(document)) is None


def test_secrecy_stamp_is_read_from_odt() -> None:
    assert _stamp_of("cv.odt", odt_bytes('<text:p>BỘ CÔNG THƯƠNG</text:p><text:p text:style-name="P1">MẬT</text:p>'))
    assert _stamp_of("cv.odt", odt_bytes("<text:p>x</text:p>", header="<text:p>TUYỆT MẬT</text:p>")) == "TUYỆT MẬT"
    assert _stamp_of("cv.odt", odt_bytes(ODT_LETTER)) is None


def test_docx_stamp_warns_until_the_clerk_confirms(world: World, isolated_storage: Any) -> None:
    stamped = nd30_docx("MẬT")
    with pytest.raises(IncomingError) as exc:
        register_incoming(actor=world.ministry_clerk, data=sample_data(), files=[("cv.docx", stamped)])
    assert (exc.value.code, exc.value.field) == ("secrecy_stamp_suspected", "confirm_not_secret")
    assert "«MẬT»" in exc.value.message
    assert not StoredFile.objects.exists() and not IncomingDocument.objects.exists()
    doc = register_incoming(
        actor=world.ministry_clerk, data=sample_data(), files=[("cv.docx", stamped)], confirm_not_secret=True
    )
    assert doc.files.get().file.kind == "docx"


def test_api_docx_stamp_answers_with_the_code(world: World, api_client: Any, isolated_storage: Any) -> None:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from vanban.documents.models import DocumentType

    body = {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "issuing_organ_name": "Bộ Công Thương",
        "code_number": "125",
        "code_notation": "BCT-XNK",
        "issued_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "subject": "V/v báo cáo",
        "files": [SimpleUploadedFile("cv.docx", nd30_docx("Tối mật"), "application/octet-stream")],
    }
    response = api_client(world.ministry_clerk).post("/api/v1/incoming", body, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "secrecy_stamp_suspected"
