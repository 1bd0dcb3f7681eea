"""The incoming register printed and exported (ND30 App IV) and the receipt slip:
content of the files, the period, who may export what, bad input, the audit trail,
through the services, the web pages and the API."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
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
from vanban.core.pdf import FONT, register_fonts, wrap
from vanban.documents.models import Register
from vanban.documents.tests.docs_world import World
from vanban.incoming import exports
from vanban.incoming.exports import COLUMNS, Period, RegisterRow, RegisterSheet
from vanban.incoming.models import IncomingDocument
from vanban.incoming.printing import build_register_pdf

pytestmark = pytest.mark.django_db

# 10:00 in Hà Nội on 20 June: every arrival below falls in the 2026 registers.
NOW = "2026-06-20 03:00:00"
YEAR = 2026


def _at(day: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, 6, day, hour, 30))


def _text(reader: PdfReader, page: int) -> str:
    """Page text with runs of white space as one space (cells wrap over lines)."""
    return " ".join(reader.pages[page].extract_text().split())


def _pdf(export: Any) -> PdfReader:
    data = export.file.read()
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


@pytest.fixture
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def dept_docs(frozen: None, world: World, register_doc: Callable[..., IncomingDocument]) -> list[IncomingDocument]:
    """Five documents in the register of Cục Xuất nhập khẩu, arriving 1, 5, 10, 15 and
    20 June, numbered 1–5 in that order, and one in the ministry's register."""
    docs = []
    for i, day in enumerate((1, 5, 10, 15, 20), start=1):
        docs.append(
            register_doc(
                world.unit_clerk,
                arrival_date=_at(day, 8 if day == 20 else 9),
                issued_date=dt.date(YEAR, 6, day),
                code_number=str(100 + i),
                subject=f"V/v báo cáo tình hình xuất khẩu gạo đợt {i}",
                to_places="Phòng Quản lý xuất khẩu" if i == 2 else "",
                urgency="khan" if i == 3 else "normal",
                description="Bản chính gửi qua bưu điện" if i == 3 else "",
            )
        )
    register_doc(
        world.ministry_clerk,
        arrival_date=_at(3),
        issued_date=dt.date(YEAR, 6, 1),
        code_number="900",
        code_notation="BTC-TCHQ",
    )
    return docs


def _dept_register(docs: list[IncomingDocument]) -> Register:
    return docs[0].register


# --- Excel ---------------------------------------------------------------------------------


def test_xlsx_holds_the_period_in_register_order_with_app_iv_columns(world: World, dept_docs: Any) -> None:
    register = _dept_register(dept_docs)
    export = exports.export_register(
        actor=world.unit_clerk, register=register, date_from=dt.date(YEAR, 6, 5), date_to=dt.date(YEAR, 6, 15)
    )
    assert export.content_type == exports.XLSX_CONTENT_TYPE and export.filename.endswith(".xlsx")
    assert export.rows == 3
    ws = load_workbook(export.file).active
    assert ws.title == "Sổ văn bản đến"
    assert ws["A1"].value == world.organ.name.upper()
    assert ws["A2"].value == "CỤC XUẤT NHẬP KHẨU"
    assert ws["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert "Từ ngày 05/06/2026 đến ngày 15/06/2026" in ws["A4"].value and "Từ số 2 đến số 4" in ws["A4"].value
    assert [c.value for c in ws[6]] == list(COLUMNS)
    assert [c.value for c in ws[7]] == [f"({i})" for i in range(1, 11)]
    assert ws.freeze_panes == "A8"
    assert ws.print_title_rows == "$6:$7"
    assert ws.page_setup.orientation == "landscape"
    assert "A3:J3" in {str(r) for r in ws.merged_cells.ranges}
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=8)]
    assert [r[1] for r in rows] == [2, 3, 4]
    second = rows[0]
    assert second[0] == dt.datetime(YEAR, 6, 5, 9, 30)  # Vietnam time, as the clerk saw it
    assert ws.cell(row=8, column=1).number_format == "dd/mm/yyyy hh:mm"
    assert second[2] == "UBND tỉnh Nghệ An"
    assert second[3] == "102/UBND-KT"
    assert second[4] == dt.datetime(YEAR, 6, 5)
    assert ws.cell(row=8, column=5).number_format == "dd/mm/yyyy"
    assert second[5] == "Công văn\nV/v báo cáo tình hình xuất khẩu gạo đợt 2"
    assert second[6] == "Phòng Quản lý xuất khẩu"
    assert rows[1][9] == "Khẩn; Bản chính gửi qua bưu điện"
    assert ws.cell(row=8, column=6).alignment.wrap_text
    assert ws.column_dimensions["F"].width == 60


def test_dates_are_whole_vietnamese_days_and_default_to_the_register_year(world: World, dept_docs: Any) -> None:
    register = _dept_register(dept_docs)
    # Document 5 arrived at 08:30 on 20 June in Hà Nội, i.e. 01:30 UTC the same day.
    only_last = exports.export_register(
        actor=world.unit_clerk, register=register, date_from=dt.date(YEAR, 6, 20), date_to=dt.date(YEAR, 6, 20)
    )
    assert [r[1].value for r in load_workbook(only_last.file).active.iter_rows(min_row=8)] == [5]
    whole = exports.export_register(actor=world.unit_clerk, register=register)
    ws = load_workbook(whole.file).active
    assert [r[1].value for r in ws.iter_rows(min_row=8)] == [1, 2, 3, 4, 5]
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in ws["A4"].value


def test_an_empty_period_says_so(world: World, dept_docs: Any) -> None:
    register = _dept_register(dept_docs)
    export = exports.export_register(
        actor=world.unit_clerk, register=register, date_from=dt.date(YEAR, 2, 1), date_to=dt.date(YEAR, 2, 28)
    )
    ws = load_workbook(export.file).active
    assert "Không có văn bản nào trong khoảng thời gian này" in ws["A4"].value
    assert ws.max_row == 7
    pdf = exports.export_register(
        actor=world.unit_clerk,
        register=register,
        date_from=dt.date(YEAR, 2, 1),
        date_to=dt.date(YEAR, 2, 28),
        fmt="pdf",
    )
    assert "Không có văn bản đến nào trong khoảng thời gian này." in _text(_pdf(pdf), 1)


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_register_has_the_cover_the_headings_and_the_rows(world: World, dept_docs: Any) -> None:
    register = _dept_register(dept_docs)
    export = exports.export_register(
        actor=world.unit_clerk,
        register=register,
        date_from=dt.date(YEAR, 6, 1),
        date_to=dt.date(YEAR, 6, 30),
        fmt="pdf",
    )
    assert export.content_type == "application/pdf" and export.filename.endswith(".pdf")
    reader = _pdf(export)
    assert len(reader.pages) == 2
    assert reader.pages[1].mediabox.width > reader.pages[1].mediabox.height  # landscape
    cover = _text(reader, 0)
    for text in ("CỤC XUẤT NHẬP KHẨU", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm: 2026", "Từ ngày 01/06/2026 đến ngày 30/06/2026",
                 "Từ số 1 đến số 5", "Quyển số"):  # fmt: skip
        assert text in cover
    table = _text(reader, 1)
    for heading in COLUMNS:
        assert heading in table
    for i in range(1, 6):
        assert f"{100 + i}/UBND-KT" in table
        assert f"V/v báo cáo tình hình xuất khẩu gạo đợt {i}" in table
    assert "BTC-TCHQ" not in table  # the ministry's register is another book
    assert "Trang 1" in table
    assert table.index("101/UBND-KT") < table.index("105/UBND-KT")
    assert reader.metadata.title == "Sổ đăng ký văn bản đến năm 2026 — Cục Xuất nhập khẩu"


def test_many_rows_fill_many_pages_with_headings_repeated(world: World, frozen: None, register_doc: Any) -> None:
    for i in range(1, 31):
        register_doc(
            world.unit_clerk,
            arrival_date=_at(1 + i % 19),
            issued_date=dt.date(YEAR, 6, 1),
            code_number=str(i),
            subject=f"Văn bản thứ {i}: đề nghị cung cấp số liệu xuất khẩu nông sản, thủy sản sang thị trường EU",
        )
    register = IncomingDocument.objects.filter(registered_by=world.unit_clerk).first().register
    reader = _pdf(exports.export_register(actor=world.unit_clerk, register=register, fmt="pdf"))
    assert len(reader.pages) >= 3
    table_pages = [_text(reader, p) for p in range(1, len(reader.pages))]
    for number, page in enumerate(table_pages, start=1):
        assert "Tên loại và trích yếu nội dung" in page and "Ký nhận" in page
        assert f"Trang {number}" in page
    everything = " ".join(table_pages)
    assert all(f"Văn bản thứ {i}:" in everything for i in range(1, 31))


def _row(n: int, **overrides: Any) -> RegisterRow:
    values: dict[str, Any] = {
        "arrival_date": dt.datetime(YEAR, 1, 2, 8, 0) + dt.timedelta(minutes=n),
        "arrival_number": n,
        "author": "Ủy ban nhân dân tỉnh Quảng Ngãi",
        "number_symbol": f"{n}/UBND-KTTH",
        "issued_date": dt.date(YEAR, 1, 1),
        "type_name": "Quyết định",
        "subject": "Về việc phê duyệt kế hoạch phát triển thương mại điện tử giai đoạn 2026–2030",
        "recipients": "Cục Thương mại điện tử và Kinh tế số",
        "transferred_on": None,
        "note": "",
    }
    values.update(overrides)
    return RegisterRow(**values)


def _sheet(count: int) -> RegisterSheet:
    return RegisterSheet(
        organ_name="Bộ Công Thương",
        unit_name="",
        register_name="Sổ đăng ký văn bản đến năm 2026",
        year=YEAR,
        period=Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
        first_number=1,
        last_number=count,
        count=count,
        printed_at=dt.datetime(YEAR, 12, 31, 16, 0),
        printed_by="Nguyễn Thị Hoa (vanthu.bo)",
    )


def test_a_long_register_repeats_headings_and_numbers_every_page() -> None:
    reader = PdfReader(build_register_pdf(_sheet(250), (_row(n) for n in range(1, 251))))
    assert len(reader.pages) > 10
    last = _text(reader, len(reader.pages) - 1)
    assert "250/UBND-KTTH" in last and f"Trang {len(reader.pages) - 1}" in last
    assert "Số, ký hiệu" in last and "Đơn vị hoặc người nhận" in last
    assert "BỘ CÔNG THƯƠNG" in _text(reader, 0)


def test_a_cell_longer_than_a_page_is_cut_visibly_and_long_words_wrap() -> None:
    huge = "Các đơn vị thuộc Bộ " * 60  # 1 200 characters in a narrow column
    reader = PdfReader(build_register_pdf(_sheet(2), [_row(1, recipients=huge), _row(2, number_symbol="9" * 60)]))
    assert len(reader.pages) == 3  # the clipped row fills its page, the next row starts another
    assert "…" in _text(reader, 1) and "999999" in _text(reader, 2)
    register_fonts()
    lines = wrap("123456789/QĐ-UBND-KTTH-XNK-2026-TCHQ", FONT, 8, 40)
    assert len(lines) > 1 and "".join(lines) == "123456789/QĐ-UBND-KTTH-XNK-2026-TCHQ"
    assert wrap("", FONT, 8, 40) == []


# --- Receipt slip ----------------------------------------------------------------------------


def test_receipt_slip_names_the_document_and_has_signature_lines(world: World, dept_docs: Any) -> None:
    doc = dept_docs[1]
    reader = PdfReader(io.BytesIO(exports.print_receipt(actor=world.unit_clerk, document=doc)))
    assert len(reader.pages) == 1
    text = _text(reader, 0)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CỤC XUẤT NHẬP KHẨU",
        "GIẤY BIÊN NHẬN VĂN BẢN ĐẾN",
        "Số đến: 2",
        "05/06/2026 lúc 09:30",
        "UBND tỉnh Nghệ An",
        "102/UBND-KT",
        "V/v báo cáo tình hình xuất khẩu gạo đợt 2",
        "Phòng Quản lý xuất khẩu",
        "NGƯỜI GIAO VĂN BẢN",
        "VĂN THƯ NHẬN",
        "(Ký, ghi rõ họ tên)",
        world.unit_clerk.full_name,
    ):
        assert expected in text, expected
    event = AuditEvent.objects.get(action="incoming.receipt_printed")
    assert event.target_id == str(doc.pk) and event.actor_id == world.unit_clerk.pk


# --- Who may export ----------------------------------------------------------------------


def test_registers_offered_are_those_whose_documents_the_user_may_read(
    world: World, dept_docs: Any, ministry_leader: Any
) -> None:
    dept, ministry = dept_docs[0].register, IncomingDocument.objects.get(code_number="900").register
    assert list(exports.exportable_registers(world.unit_clerk)) == [dept]
    assert set(exports.exportable_registers(ministry_leader)) == {dept, ministry}
    assert set(exports.exportable_registers(world.ministry_clerk)) == {dept, ministry}
    for outsider in (world.other_clerk, world.specialist, world.sysadmin):
        assert not exports.exportable_registers(outsider).exists()
        with pytest.raises(NotFound):
            exports.get_exportable_register(outsider, dept.pk)
    leader_export = exports.export_register(actor=ministry_leader, register=dept)
    assert leader_export.rows == 5


def test_bad_input_is_refused_with_codes(world: World, dept_docs: Any) -> None:
    register = _dept_register(dept_docs)
    with pytest.raises(ValidationFailed) as exc:
        exports.export_register(
            actor=world.unit_clerk, register=register, date_from=dt.date(YEAR, 6, 10), date_to=dt.date(YEAR, 6, 1)
        )
    assert exc.value.code == "invalid_period" and "10/06/2026" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        exports.export_register(actor=world.unit_clerk, register=register, fmt="docx")
    assert exc.value.code == "unknown_format" and exc.value.field == "format"
    for bad in ("2026-13-01", "20260601", "hôm qua", "2026-6-1"):
        with pytest.raises(ValidationFailed) as exc:
            exports.parse_date(bad, "from")
        assert exc.value.code == "invalid_date" and exc.value.field == "from"
    assert exports.parse_date("", "to") is None
    assert not AuditEvent.objects.filter(action="incoming.register_exported").exists()


def test_too_many_rows_asks_for_a_shorter_period(world: World, dept_docs: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(exports, "EXPORT_ROW_CAP", 4)
    with pytest.raises(ValidationFailed) as exc:
        exports.export_register(actor=world.unit_clerk, register=_dept_register(dept_docs))
    assert exc.value.code == "too_many_rows"
    assert (
        exports.export_register(
            actor=world.unit_clerk, register=_dept_register(dept_docs), date_from=dt.date(YEAR, 6, 5)
        ).rows
        == 4
    )


def test_export_is_audited_with_register_period_count_and_format(world: World, dept_docs: Any) -> None:
    register = _dept_register(dept_docs)
    exports.export_register(
        actor=world.unit_clerk,
        register=register,
        date_from=dt.date(YEAR, 6, 2),
        date_to=dt.date(YEAR, 6, 30),
        fmt="pdf",
    )
    event = AuditEvent.objects.get(action="incoming.register_exported")
    assert event.actor_id == world.unit_clerk.pk
    assert (event.target_type, event.target_id) == ("documents.register", str(register.pk))
    assert event.data == {
        "register": register.pk,
        "register_name": register.name,
        "from": "2026-06-02",
        "to": "2026-06-30",
        "count": 4,
        "format": "pdf",
    }


def test_export_queries_do_not_grow_with_rows(world: World, dept_docs: Any, register_doc: Any) -> None:
    register = _dept_register(dept_docs)

    def count(fmt: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            exports.export_register(actor=world.unit_clerk, register=register, fmt=fmt)
        return len(ctx.captured_queries)

    few = {fmt: count(fmt) for fmt in ("xlsx", "pdf")}
    for i in range(6):
        register_doc(world.unit_clerk, arrival_date=_at(19), code_number=str(500 + i), issued_date=dt.date(YEAR, 6, 1))
    assert {fmt: count(fmt) for fmt in ("xlsx", "pdf")} == few
    assert few["xlsx"] <= 15


# --- Web -----------------------------------------------------------------------------------

EXPORT_URL = "web:incoming_register_export"


def test_web_form_offers_the_clerks_register_and_downloads_the_pdf(
    world: World, dept_docs: Any, web_client: Any
) -> None:
    client = web_client(world.unit_clerk)
    register = _dept_register(dept_docs)
    page = client.get(reverse(EXPORT_URL))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{register.pk}"' in html and "Sổ đăng ký văn bản đến năm 2026 — Cục Xuất nhập khẩu" in html
    list_page = client.get(reverse("web:incoming_list")).content.decode()
    assert reverse(EXPORT_URL) in list_page
    response = client.get(
        reverse(EXPORT_URL), {"so": register.pk, "tu_ngay": "2026-06-01", "den_ngay": "2026-06-10", "dinh_dang": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert "Từ số 1 đến số 3" in _text(reader, 0)
    xlsx = client.get(reverse(EXPORT_URL), {"so": register.pk, "dinh_dang": "xlsx"})
    assert xlsx["Content-Type"] == exports.XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [r[1].value for r in ws.iter_rows(min_row=8)] == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.filter(action="incoming.register_exported").count() == 2


def test_web_refuses_other_registers_and_bad_periods(world: World, dept_docs: Any, web_client: Any) -> None:
    register = _dept_register(dept_docs)
    outsider = web_client(world.other_clerk)
    page = outsider.get(reverse(EXPORT_URL))
    assert page.status_code == 200 and 'data-testid="register-export-empty"' in page.content.decode()
    refused = outsider.get(reverse(EXPORT_URL), {"so": register.pk, "dinh_dang": "pdf"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    clerk = web_client(world.unit_clerk)
    backwards = clerk.get(
        reverse(EXPORT_URL), {"so": register.pk, "tu_ngay": "2026-06-10", "den_ngay": "2026-06-01", "dinh_dang": "pdf"}
    )
    assert backwards.status_code == 400
    assert "Đến ngày phải sau hoặc bằng từ ngày." in backwards.content.decode()
    assert not AuditEvent.objects.filter(action="incoming.register_exported").exists()


def test_web_receipt_slip_inline_for_readers_404_for_others(world: World, dept_docs: Any, web_client: Any) -> None:
    doc = dept_docs[0]
    url = reverse("web:incoming_receipt", args=[doc.pk])
    assert url == f"/van-ban-den/{doc.pk}/phieu-nhan/"
    response = web_client(world.unit_clerk).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "GIẤY BIÊN NHẬN VĂN BẢN ĐẾN" in _text(PdfReader(io.BytesIO(response.content)), 0)
    for outsider in (world.other_clerk, world.specialist):
        assert web_client(outsider).get(url).status_code == 404
    assert web_client(world.unit_clerk).get(reverse("web:incoming_receipt", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="incoming.receipt_printed").count() == 1


# --- API -----------------------------------------------------------------------------------


def test_api_exports_the_register_as_xlsx_and_pdf(world: World, dept_docs: Any, api_client: Any) -> None:
    register = _dept_register(dept_docs)
    client = api_client(world.unit_clerk)
    url = f"/api/v1/registers/{register.pk}/export"
    xlsx = client.get(url, {"from": "2026-06-05", "to": "2026-06-15"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == exports.XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [r[1].value for r in ws.iter_rows(min_row=8)] == [2, 3, 4]
    pdf = client.get(url, {"format": "pdf"}, HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Từ số 1 đến số 5" in _text(PdfReader(io.BytesIO(b"".join(pdf.streaming_content))), 0)
    formats = AuditEvent.objects.filter(action="incoming.register_exported").values_list("data__format", flat=True)
    assert sorted(formats) == ["pdf", "xlsx"]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "2026-06-10", "to": "2026-06-01"}, "invalid_period", "to"),
        ({"from": "10/06/2026"}, "invalid_date", "from"),
        ({"to": "2026-02-30"}, "invalid_date", "to"),
        ({"format": "docx"}, "unknown_format", "format"),
    ],
)
def test_api_bad_input_answers_400_with_a_code(
    world: World, dept_docs: Any, api_client: Any, params: dict[str, str], code: str, field: str
) -> None:
    response = api_client(world.unit_clerk).get(f"/api/v1/registers/{_dept_register(dept_docs).pk}/export", params)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"] and body["message"] == body["message"].strip()


def test_api_outsiders_get_404(world: World, dept_docs: Any, api_client: Any) -> None:
    register, doc = _dept_register(dept_docs), dept_docs[0]
    for outsider in (world.other_clerk, world.specialist, world.sysadmin):
        client = api_client(outsider)
        export = client.get(f"/api/v1/registers/{register.pk}/export")
        assert export.status_code == 404 and export.json()["code"] == "not_found"
        assert client.get(f"/api/v1/incoming/{doc.pk}/receipt").status_code == 404
    assert api_client(world.unit_clerk).get("/api/v1/registers/999999/export").status_code == 404
    assert not AuditEvent.objects.filter(action__in=["incoming.register_exported", "incoming.receipt_printed"]).exists()


def test_api_receipt_slip(world: World, dept_docs: Any, api_client: Any) -> None:
    doc = dept_docs[2]
    response = api_client(world.unit_clerk).get(f"/api/v1/incoming/{doc.pk}/receipt")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(PdfReader(io.BytesIO(response.content)), 0)
    assert "Số đến: 3" in text and "Khẩn" in text


def test_schema_documents_binary_answers(client: Any) -> None:
    schema = client.get("/api/v1/schema/?format=json").json()
    export = schema["paths"]["/api/v1/registers/{id}/export"]["get"]
    assert set(export["responses"]["200"]["content"]) == {exports.XLSX_CONTENT_TYPE, "application/pdf"}
    assert {p["name"] for p in export["parameters"]} >= {"id", "from", "to", "format"}
    receipt = schema["paths"]["/api/v1/incoming/{id}/receipt"]["get"]
    assert set(receipt["responses"]["200"]["content"]) == {"application/pdf"}
