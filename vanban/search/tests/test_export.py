"""«Xuất Excel» of search results: all matches the person may open, Vietnamese intact,
audited."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from vanban.audit.models import AuditEvent
from vanban.core.errors import ValidationFailed
from vanban.documents.tests.docs_world import World
from vanban.search import exports

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in wb["Kết quả tìm kiếm"].iter_rows(values_only=True)]


def test_export_holds_every_match_not_just_the_page(world: World, incoming: Any) -> None:
    for i in range(25):  # more than one page of results (20)
        incoming(subject=f"Báo cáo tiến độ dự án đường dây 500kV số {i}")
    export = exports.export_results(actor=world.ministry_clerk, params={"q": "tien do du an", "page": "1"})
    rows = _rows(export.file.read())
    assert rows[0] == exports.COLUMNS
    assert export.rows == 25 and len(rows) == 26
    assert [r[0] for r in rows[1:]] == list(range(1, 26))


def test_export_has_the_clerks_columns_with_vietnamese_intact(world: World, incoming: Any,
                                                               ministry_leader: Any) -> None:
    from vanban.workflow import services as workflow
    from vanban.workflow.services import AssigneeSpec

    doc = incoming(code_number="125", code_notation="UBND-KT", subject="Về việc đẩy mạnh xuất khẩu gạo, cà phê",
                   urgency="khan", signer_name="Nguyễn Thị Hương")  # fmt: skip
    pres = workflow.present(actor=world.ministry_clerk, document=doc, leader=ministry_leader)
    workflow.direct(actor=ministry_leader, presentation=pres, text="Giao Cục XNK chủ trì.",
                    assignees=[AssigneeSpec("lead", unit=world.dept)])  # fmt: skip
    doc.refresh_from_db()
    export = exports.export_results(actor=world.ministry_clerk, params={"q": "xuất khẩu gạo"})
    header, row = _rows(export.file.read())
    values = dict(zip(header, row, strict=True))
    assert values["Văn bản"] == "Đến" and values["Số, ký hiệu"] == "125/UBND-KT"
    assert values["Số đến"] == doc.arrival_number
    assert values["Trích yếu"] == "Về việc đẩy mạnh xuất khẩu gạo, cà phê"
    assert values["Cơ quan ban hành"] == "UBND tỉnh Nghệ An" and values["Người ký"] == "Nguyễn Thị Hương"
    assert values["Độ khẩn"] == "Khẩn" and values["Trạng thái"] == doc.get_status_display() != "Đã đăng ký, chờ trình"
    assert values["Đơn vị xử lý"] == "Cục Xuất nhập khẩu"
    assert values["Loại văn bản"] == "Công văn" and values["Sổ văn bản"] == doc.register.name
    assert values["Ngày văn bản"].date() == doc.issued_date


def test_export_never_holds_what_the_person_may_not_open(world: World, incoming: Any, web_client: Any) -> None:
    mine = incoming(world.unit_clerk, subject="Kế hoạch kiểm tra chất lượng hàng xuất khẩu")
    incoming(world.ministry_clerk, subject="Kế hoạch kiểm tra chất lượng hàng nhập khẩu")
    rows = _rows(exports.export_results(actor=world.unit_clerk, params={"q": "ke hoach kiem tra"}).file.read())
    assert [r[8] for r in rows[1:]] == [mine.subject]
    assert len(_rows(exports.export_results(actor=world.ministry_clerk, params={"q": "ke hoach kiem tra"})
                     .file.read())) == 3  # fmt: skip
    assert len(_rows(exports.export_results(actor=world.specialist, params={"q": "ke hoach"}).file.read())) == 1
    event = AuditEvent.objects.filter(action="search.exported", actor=world.unit_clerk).get()
    assert event.data == {"params": {"q": "ke hoach kiem tra"}, "count": 1, "format": "xlsx"}


def test_export_refuses_bad_parameters_and_too_many_rows(world: World, incoming: Any, monkeypatch: Any) -> None:
    incoming(subject="Thông báo lịch trực Tết")
    incoming(subject="Thông báo lịch trực lễ")
    with pytest.raises(ValidationFailed) as exc:
        exports.export_results(actor=world.ministry_clerk, params={"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert exc.value.code == "invalid_date_to"
    monkeypatch.setattr(exports, "EXPORT_ROW_CAP", 1)
    with pytest.raises(ValidationFailed) as exc:
        exports.export_results(actor=world.ministry_clerk, params={"q": "lich truc"})
    assert exc.value.code == "too_many_rows" and "Có 2 văn bản phù hợp" in exc.value.message
    assert not AuditEvent.objects.filter(action="search.exported").exists()


def test_page_and_api_export(world: World, incoming: Any, web_client: Any, api_client: Any) -> None:
    incoming(subject="Chỉ thị về tăng cường kỷ luật hành chính")
    page = web_client(world.ministry_clerk).get("/tim-kiem/", {"q": "ky luat"}).content.decode()
    assert 'href="/tim-kiem/xuat-excel/?q=ky+luat"' in page and "Xuất Excel" in page
    response = web_client(world.ministry_clerk).get("/tim-kiem/xuat-excel/", {"q": "ky luat"})
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert 'filename="ket-qua-tim-kiem-' in response["Content-Disposition"]
    rows = _rows(b"".join(response.streaming_content))
    assert rows[1][8] == "Chỉ thị về tăng cường kỷ luật hành chính"
    bad = web_client(world.ministry_clerk).get("/tim-kiem/xuat-excel/", {"date_from": "2026-05-01",
                                                                        "date_to": "2026-04-01"}, follow=True)
    assert bad.redirect_chain[0][0].startswith("/tim-kiem/?")
    assert "Ngày kết thúc phải sau ngày bắt đầu." in bad.content.decode()
    api = api_client(world.ministry_clerk).get("/api/v1/search/export", {"q": "ky luat"})
    assert api.status_code == 200 and len(_rows(b"".join(api.streaming_content))) == 2
    err = api_client(world.ministry_clerk).get("/api/v1/search/export", {"sort": "x"})
    assert err.status_code == 400 and err.json()["field"] == "sort"
    assert AuditEvent.objects.filter(action="search.exported").count() == 2
