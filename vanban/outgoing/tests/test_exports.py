"""The outgoing register printed and exported (ND30 App IV "Sổ đăng ký văn bản đi"):
content of the files, the period, recalled documents, who may export what, bad input,
the audit trail, through the service, the web page and the API.

Issued documents are written with the ORM (number, symbol, date, recipients as the
issuing service leaves them): the register only reads them, and signing is tested
elsewhere."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader

from vanban.audit.models import AuditEvent
from vanban.core.errors import NotFound, ValidationFailed
from vanban.documents import register_exports
from vanban.documents.models import DocumentType, Register
from vanban.documents.numbering import register_for
from vanban.documents.register_exports import Period, RegisterSheet
from vanban.documents.tests.docs_world import World
from vanban.organisation import services as organisation
from vanban.organisation.roles import Role
from vanban.outgoing import exports
from vanban.outgoing.exports import COLUMNS, RegisterRow
from vanban.outgoing.models import OutgoingDocument, Recipient
from vanban.outgoing.printing import build_register_pdf

pytestmark = pytest.mark.django_db

# 10:00 in Hà Nội on 20 June 2026.
NOW = "2026-06-20 03:00:00"
YEAR = 2026
RECALL_REASON = "Sai số liệu tại Phụ lục I, sẽ ban hành văn bản thay thế"


def _local(day: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, 6, day, hour, 0))


def _text(reader: PdfReader, page: int) -> str:
    """Page text with runs of white space as one space (cells wrap over lines)."""
    return " ".join(reader.pages[page].extract_text().split())


def _pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _data_rows(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=register_exports.FIRST_DATA_ROW)]


@dataclass
class Book:
    register: Register
    docs: list[OutgoingDocument]  # numbers 1–5
    signer: Any
    finance: Any  # an external organ


@pytest.fixture
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def _issue(world: World, register: Register, number: int, day: int, *, signer: Any, type_code: str = "cong-van",
           notation: str = "BCT-XNK", status: str = "issued", **kw: Any) -> OutgoingDocument:  # fmt: skip
    return OutgoingDocument.objects.create(
        organ=world.organ,
        drafting_unit=kw.pop("drafting_unit", world.dept),
        document_type=DocumentType.objects.get(code=type_code),
        subject=kw.pop("subject", f"V/v báo cáo tình hình xuất khẩu gạo đợt {number}"),
        signer=signer,
        signer_position="Thứ trưởng",
        signing_authority="KT",
        status=status,
        created_by=world.specialist,
        register=register,
        number=number,
        code_notation=notation,
        issued_date=kw.pop("issued_date", dt.date(YEAR, 6, day)),
        issued_at=_local(day, 16),
        issued_by=world.ministry_clerk,
        **kw,
    )


@pytest.fixture
def book(frozen: None, world: World, make_user: Callable[..., Any]) -> Book:
    """The ministry's outgoing register of 2026: five issued documents (1 June to
    20 June), number 3 recalled, number 4 restricted and without structured recipients,
    number 5 replacing number 3; plus a draft and a document of the 2025 register."""
    signer = make_user("tt.bo", roles=[Role.MINISTRY_LEADER], unit=world.other, full_name="Trương Thanh Hoài")
    finance = organisation.create_organ(actor=None, organ_id="000.00.00.G09", name="Bộ Tài chính", short_name="BTC")
    register = register_for(world.organ, Register.Kind.OUTGOING, YEAR)
    docs = [
        _issue(world, register, 1, 1, signer=signer),
        _issue(world, register, 2, 5, signer=signer, type_code="quyet-dinh-ca-biet", notation="QĐ-BCT",
               subject="Về việc giao chỉ tiêu xuất khẩu năm 2026", urgency="khan"),  # fmt: skip
        _issue(world, register, 3, 10, signer=signer, status="recalled", recall_reason=RECALL_REASON,
               recalled_at=_local(12, 9)),  # fmt: skip
        _issue(world, register, 4, 15, signer=signer, restricted=True, to_places="Như trên; Lưu: VT, XNK."),
        _issue(world, register, 5, 20, signer=signer),
    ]
    OutgoingDocument.objects.filter(pk=docs[4].pk).update(relation="replace", relates_to=docs[2])
    Recipient.objects.create(document=docs[0], unit=world.other, delivery="delivered", delivered_at=_local(1, 17))
    Recipient.objects.create(document=docs[0], organ=finance, delivery="queued")
    Recipient.objects.create(document=docs[1], unit=world.team, delivery="delivered", delivered_at=_local(6, 8))
    Recipient.objects.create(document=docs[2], unit=world.other, delivery="delivered", delivered_at=_local(10, 17))
    Recipient.objects.create(document=docs[4], organ=finance, delivery="queued")
    OutgoingDocument.objects.create(
        organ=world.organ, drafting_unit=world.dept, document_type=DocumentType.objects.get(code="cong-van"),
        subject="Dự thảo chưa ban hành", created_by=world.specialist, status="approved",
    )  # fmt: skip
    _issue(world, register_for(world.organ, Register.Kind.OUTGOING, YEAR - 1), 1, 3, signer=signer,
           subject="Văn bản của sổ năm trước", issued_date=dt.date(YEAR - 1, 12, 3))  # fmt: skip
    return Book(register=register, docs=docs, signer=signer, finance=finance)


# --- Excel ---------------------------------------------------------------------------------


def test_xlsx_holds_the_period_in_number_order_with_app_iv_columns(world: World, book: Book) -> None:
    export = exports.export_register(
        actor=world.ministry_clerk, register=book.register, date_from=dt.date(YEAR, 6, 5), date_to=dt.date(YEAR, 6, 15)
    )
    assert export.content_type == register_exports.XLSX_CONTENT_TYPE and export.filename.endswith(".xlsx")
    assert export.filename.startswith("so-van-ban-di-2026-20260605-20260615-")
    assert export.rows == 3
    ws = load_workbook(export.file).active
    assert ws.title == "Sổ văn bản đi"
    assert ws["A1"].value == "BỘ CÔNG THƯƠNG" and ws["A1"].font.b
    assert ws["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    assert "Từ ngày 05/06/2026 đến ngày 15/06/2026" in ws["A4"].value and "Từ số 2 đến số 4" in ws["A4"].value
    assert "3 văn bản" in ws["A5"].value and "vanthu.bo" in ws["A5"].value
    assert [c.value for c in ws[6]] == list(COLUMNS)
    assert COLUMNS[0] == "Số, ký hiệu văn bản" and COLUMNS[5] == "Đơn vị, người nhận bản lưu"
    assert [c.value for c in ws[7]] == [f"({i})" for i in range(1, 11)]
    assert ws.freeze_panes == "A8" and ws.print_title_rows == "$6:$7"
    assert ws.page_setup.orientation == "landscape"
    rows = _data_rows(ws)
    assert [r[0] for r in rows] == ["02/QĐ-BCT", "03/BCT-XNK", "04/BCT-XNK"]
    decision, recalled, restricted = rows
    assert decision[1] == dt.datetime(YEAR, 6, 5) and ws.cell(row=8, column=2).number_format == "dd/mm/yyyy"
    assert decision[2] == "Quyết định\nVề việc giao chỉ tiêu xuất khẩu năm 2026"
    assert decision[3] == "Trương Thanh Hoài\nThứ trưởng"
    assert decision[4] == "Phòng Quản lý xuất khẩu"
    assert decision[5] == "Cục Xuất nhập khẩu"
    assert decision[6] is None  # Số lượng bản: paper copies are counted by hand
    assert decision[7] == dt.datetime(YEAR, 6, 6)  # delivered 08:00 on 6 June in Hà Nội
    assert decision[8] is None
    assert decision[9] == "Khẩn"
    assert recalled[9] == f"Đã thu hồi: {RECALL_REASON}"
    assert restricted[4] == "Như trên; Lưu: VT, XNK."  # no structured recipients: the text as written
    assert restricted[7] is None and restricted[9] == "Hạn chế công bố"
    assert ws.cell(row=8, column=3).alignment.wrap_text
    assert ws.column_dimensions["C"].width == 60


def test_whole_year_by_default_with_recipients_replacement_and_nothing_else(world: World, book: Book) -> None:
    ws = load_workbook(exports.export_register(actor=world.ministry_clerk, register=book.register).file).active
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in ws["A4"].value and "Từ số 1 đến số 5" in ws["A4"].value
    rows = _data_rows(ws)
    assert [r[0] for r in rows] == ["01/BCT-XNK", "02/QĐ-BCT", "03/BCT-XNK", "04/BCT-XNK", "05/BCT-XNK"]
    assert rows[0][4] == "Vụ Pháp chế; Bộ Tài chính"
    assert rows[0][7] == dt.datetime(YEAR, 6, 1)
    assert rows[4][9] == "Thay thế văn bản số 03/BCT-XNK"
    assert rows[4][7] is None  # only queued for the exchange: not handed on yet
    flat = str(rows)
    assert "Dự thảo chưa ban hành" not in flat and "Văn bản của sổ năm trước" not in flat


def test_an_empty_period_says_so(world: World, book: Book) -> None:
    february = {"date_from": dt.date(YEAR, 2, 1), "date_to": dt.date(YEAR, 2, 28)}
    ws = load_workbook(exports.export_register(actor=world.ministry_clerk, register=book.register, **february).file)
    assert "Không có văn bản nào trong khoảng thời gian này" in ws.active["A4"].value
    assert ws.active.max_row == 7
    pdf = exports.export_register(actor=world.ministry_clerk, register=book.register, fmt="pdf", **february)
    reader = _pdf(pdf.file.read())
    assert "Không có văn bản đi nào trong khoảng thời gian này." in _text(reader, 1)


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_register_has_the_cover_the_headings_and_the_rows(world: World, book: Book) -> None:
    export = exports.export_register(actor=world.ministry_clerk, register=book.register, fmt="pdf",
                                     date_from=dt.date(YEAR, 6, 1), date_to=dt.date(YEAR, 6, 30))  # fmt: skip
    assert export.content_type == "application/pdf" and export.filename.endswith(".pdf")
    reader = _pdf(export.file.read())
    assert len(reader.pages) == 2
    assert reader.pages[1].mediabox.width > reader.pages[1].mediabox.height  # landscape
    cover = _text(reader, 0)
    for text in ("BỘ CÔNG THƯƠNG", "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Năm: 2026", "Từ ngày 01/06/2026 đến ngày 30/06/2026",
                 "Từ số 1 đến số 5", "Quyển số"):  # fmt: skip
        assert text in cover, text
    table = _text(reader, 1)
    for heading in ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Người ký", "Nơi nhận văn bản", "Số lượng bản",
                    "Ngày chuyển", "Ký nhận", "Ghi chú"):  # fmt: skip
        assert heading in table, heading
    for n in (1, 3, 4, 5):
        assert f"V/v báo cáo tình hình xuất khẩu gạo đợt {n}" in table
    for text in ("02/QĐ-BCT", "Về việc giao chỉ tiêu xuất khẩu năm 2026", "Trương Thanh Hoài", "Thứ trưởng",
                 "Phòng Quản lý xuất khẩu", "Cục Xuất nhập khẩu", "Đã thu hồi:", "Hạn chế công bố", "01/06/2026",
                 "Trang 1"):  # fmt: skip
        assert text in table, text
    assert "Phụ lục I" in table  # the recall reason, wrapped in its column
    assert table.index("01/BCT-XNK") < table.index("02/QĐ-BCT") < table.index("05/BCT-XNK")
    assert "Văn bản của sổ năm trước" not in table and "Dự thảo chưa ban hành" not in table
    assert reader.metadata.title == "Sổ đăng ký văn bản đi năm 2026 — Bộ Công Thương"


def _row(n: int) -> RegisterRow:
    return RegisterRow(
        number=n, number_symbol=f"{n:02d}/BCT-TMĐT", issued_date=dt.date(YEAR, 1, 2), type_name="Công văn",
        subject="V/v hướng dẫn thực hiện Nghị định về thương mại điện tử đối với các sàn giao dịch xuyên biên giới",
        signer="Nguyễn Sinh Nhật Tân", signer_position="Thứ trưởng",
        recipients="Sở Công Thương các tỉnh, thành phố trực thuộc Trung ương; Hiệp hội Thương mại điện tử Việt Nam",
        kept_by="Cục Thương mại điện tử và Kinh tế số", copies=None, transferred_on=dt.date(YEAR, 1, 3),
        note="Hỏa tốc" if n % 50 == 0 else "",
    )  # fmt: skip


def test_a_long_register_repeats_headings_and_numbers_every_page() -> None:
    sheet = RegisterSheet(
        organ_name="Bộ Công Thương", unit_name="", register_name="Sổ đăng ký văn bản đi năm 2026", year=YEAR,
        period=Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), first_number=1, last_number=200, count=200,
        printed_at=dt.datetime(YEAR, 12, 31, 16, 0), printed_by="Nguyễn Thị Hoa (vanthu.bo)",
    )  # fmt: skip
    reader = PdfReader(build_register_pdf(sheet, (_row(n) for n in range(1, 201))))
    assert len(reader.pages) > 8
    for page in range(1, len(reader.pages)):
        text = _text(reader, page)
        assert "Tên loại và trích yếu nội dung văn bản" in text and "Đơn vị, người nhận bản lưu" in text
        assert f"Trang {page}" in text
    assert "200/BCT-" in _text(reader, len(reader.pages) - 1)  # the symbol wraps in its column
    assert "Hỏa tốc" in " ".join(_text(reader, p) for p in range(1, len(reader.pages)))


# --- Who may export ----------------------------------------------------------------------


def test_registers_offered_are_those_with_issued_documents_the_user_may_read(world: World, book: Book) -> None:
    last_year = Register.objects.get(kind="outgoing", year=YEAR - 1)
    assert list(exports.exportable_registers(world.ministry_clerk)) == [book.register, last_year]
    # The clerk of Vụ Pháp chế sees what was sent to the unit (numbers 1 and 3) and
    # the clerk of Cục Xuất nhập khẩu what went to its team (number 2).
    for user, numbers in ((world.other_clerk, [1, 3]), (world.unit_clerk, [2]), (book.signer, [1, 2, 3, 4, 5])):
        assert list(exports.exportable_registers(user)) in ([book.register], [book.register, last_year])
        ws = load_workbook(exports.export_register(actor=user, register=book.register).file).active
        assert [int(r[0].split("/")[0]) for r in _data_rows(ws)] == numbers
    for outsider in (world.sysadmin, world.unit_admin):
        assert not exports.exportable_registers(outsider).exists()
        with pytest.raises(NotFound) as exc:
            exports.get_exportable_register(outsider, book.register.pk)
        assert exc.value.message == "Không tìm thấy sổ văn bản đi."
    # The incoming lookup never hands out an outgoing register, nor the reverse.
    with pytest.raises(NotFound):
        exports.get_exportable_register(world.ministry_clerk, "abc")
    from vanban.incoming import exports as incoming_exports

    with pytest.raises(NotFound):
        incoming_exports.get_exportable_register(world.ministry_clerk, book.register.pk)


def test_a_register_holding_no_issued_document_is_not_offered(world: World, frozen: None) -> None:
    register = register_for(world.organ, Register.Kind.OUTGOING, YEAR)
    _issue(world, register, 1, 2, signer=None, status="signed")
    assert not exports.exportable_registers(world.ministry_clerk).exists()
    assert not exports.exportable_registers(world.specialist).exists()


# --- Bad input, cap, audit ------------------------------------------------------------------


def test_bad_input_is_refused_with_codes(world: World, book: Book) -> None:
    with pytest.raises(ValidationFailed) as exc:
        exports.export_register(actor=world.ministry_clerk, register=book.register,
                                date_from=dt.date(YEAR, 6, 10), date_to=dt.date(YEAR, 6, 1))  # fmt: skip
    assert exc.value.code == "invalid_period" and exc.value.field == "to" and "10/06/2026" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        exports.export_register(actor=world.ministry_clerk, register=book.register, fmt="docx")
    assert exc.value.code == "unknown_format" and exc.value.field == "format"
    assert not AuditEvent.objects.filter(action="outgoing.register_exported").exists()


def test_too_many_rows_asks_for_a_shorter_period(world: World, book: Book, monkeypatch: Any) -> None:
    monkeypatch.setattr(register_exports, "EXPORT_ROW_CAP", 4)
    with pytest.raises(ValidationFailed) as exc:
        exports.export_register(actor=world.ministry_clerk, register=book.register)
    assert exc.value.code == "too_many_rows" and "vượt quá 4 văn bản" in exc.value.message
    assert exports.export_register(actor=world.ministry_clerk, register=book.register,
                                   date_from=dt.date(YEAR, 6, 2)).rows == 4  # fmt: skip


def test_export_is_audited_with_register_period_count_and_format(world: World, book: Book) -> None:
    exports.export_register(actor=world.ministry_clerk, register=book.register, fmt="pdf",
                            date_from=dt.date(YEAR, 6, 2), date_to=dt.date(YEAR, 6, 30))  # fmt: skip
    event = AuditEvent.objects.get(action="outgoing.register_exported")
    assert event.actor_id == world.ministry_clerk.pk
    assert (event.target_type, event.target_id) == ("documents.register", str(book.register.pk))
    assert event.data == {"register": book.register.pk, "register_name": book.register.name, "from": "2026-06-02",
                          "to": "2026-06-30", "count": 4, "format": "pdf"}  # fmt: skip
    assert not AuditEvent.objects.filter(action="incoming.register_exported").exists()


def test_export_queries_do_not_grow_with_rows(world: World, book: Book) -> None:
    def count(fmt: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            exports.export_register(actor=world.ministry_clerk, register=book.register, fmt=fmt)
        return len(ctx.captured_queries)

    count("xlsx")  # warms the per-process caches (content types) the audit event reads
    few = {fmt: count(fmt) for fmt in ("xlsx", "pdf")}
    for n in range(6, 12):
        doc = _issue(world, book.register, n, 19, signer=book.signer)
        Recipient.objects.create(document=doc, unit=world.other, delivery="delivered", delivered_at=_local(19, 17))
        Recipient.objects.create(document=doc, organ=book.finance, delivery="queued")
    assert {fmt: count(fmt) for fmt in ("xlsx", "pdf")} == few
    assert few["xlsx"] <= 15


# --- Web -----------------------------------------------------------------------------------

EXPORT_URL = "web:outgoing_register_export"


def test_web_form_offers_the_register_and_downloads_both_formats(world: World, book: Book, web_client: Any) -> None:
    assert reverse(EXPORT_URL) == "/van-ban-di/xuat-so/"
    client = web_client(world.ministry_clerk)
    page = client.get(reverse(EXPORT_URL))
    assert page.status_code == 200
    html = page.content.decode()
    assert "In, xuất sổ đăng ký văn bản đi" in html and "Sổ văn bản đi" in html
    assert f'value="{book.register.pk}"' in html and f"{book.register.name} — Bộ Công Thương" in html
    response = client.get(reverse(EXPORT_URL), {"so": book.register.pk, "tu_ngay": "2026-06-01",
                                                "den_ngay": "2026-06-10", "dinh_dang": "pdf"})  # fmt: skip
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "so-van-ban-di-" in response["Content-Disposition"]
    assert "Từ số 1 đến số 3" in _text(_pdf(b"".join(response.streaming_content)), 0)
    xlsx = client.get(reverse(EXPORT_URL), {"so": book.register.pk, "dinh_dang": "xlsx"})
    assert xlsx["Content-Type"] == register_exports.XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert len(_data_rows(ws)) == 5
    assert AuditEvent.objects.filter(action="outgoing.register_exported").count() == 2


def test_web_refuses_other_registers_and_bad_periods(world: World, book: Book, web_client: Any) -> None:
    outsider = web_client(world.sysadmin)
    page = outsider.get(reverse(EXPORT_URL))
    assert page.status_code == 200 and 'data-testid="register-export-empty"' in page.content.decode()
    refused = outsider.get(reverse(EXPORT_URL), {"so": book.register.pk, "dinh_dang": "pdf"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    backwards = web_client(world.ministry_clerk).get(
        reverse(EXPORT_URL), {"so": book.register.pk, "tu_ngay": "2026-06-10", "den_ngay": "2026-06-01", "dinh_dang": "pdf"}
    )
    assert backwards.status_code == 400
    assert "Đến ngày phải sau hoặc bằng từ ngày." in backwards.content.decode()
    assert not AuditEvent.objects.filter(action="outgoing.register_exported").exists()


# --- API -----------------------------------------------------------------------------------


def test_api_exports_an_outgoing_register_in_its_own_layout(world: World, book: Book, api_client: Any) -> None:
    client = api_client(world.ministry_clerk)
    url = f"/api/v1/registers/{book.register.pk}/export"
    xlsx = client.get(url, {"from": "2026-06-05", "to": "2026-06-15"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == register_exports.XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert ws["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    assert [r[0] for r in _data_rows(ws)] == ["02/QĐ-BCT", "03/BCT-XNK", "04/BCT-XNK"]
    pdf = client.get(url, {"format": "pdf"}, HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = _pdf(b"".join(pdf.streaming_content))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in _text(reader, 0) and f"Đã thu hồi: {RECALL_REASON}" in _text(reader, 1)
    formats = AuditEvent.objects.filter(action="outgoing.register_exported").values_list("data__format", flat=True)
    assert sorted(formats) == ["pdf", "xlsx"]
    assert not AuditEvent.objects.filter(action="incoming.register_exported").exists()


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "2026-06-10", "to": "2026-06-01"}, "invalid_period", "to"),
        ({"from": "10/06/2026"}, "invalid_date", "from"),
        ({"to": "2026-02-30"}, "invalid_date", "to"),
        ({"format": "docx"}, "unknown_format", "format"),
    ],
)
def test_api_bad_input_answers_400_with_a_code(world: World, book: Book, api_client: Any, params: dict[str, str],
                                               code: str, field: str) -> None:  # fmt: skip
    response = api_client(world.ministry_clerk).get(f"/api/v1/registers/{book.register.pk}/export", params)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, field) and body["message"]


def test_api_outsiders_get_404(world: World, book: Book, api_client: Any) -> None:
    for outsider in (world.sysadmin, world.unit_admin):
        response = api_client(outsider).get(f"/api/v1/registers/{book.register.pk}/export", {"format": "pdf"})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # A clerk who reads part of the register gets that part only.
    partial = api_client(world.other_clerk).get(f"/api/v1/registers/{book.register.pk}/export")
    ws = load_workbook(io.BytesIO(b"".join(partial.streaming_content))).active
    assert [r[0] for r in _data_rows(ws)] == ["01/BCT-XNK", "03/BCT-XNK"]
    assert AuditEvent.objects.filter(action="outgoing.register_exported").count() == 1
