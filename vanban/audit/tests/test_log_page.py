from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.urls import reverse

from vanban.audit import services as audit
from vanban.audit.models import AuditEvent
from vanban.audit.tests.helpers import fail_login, login, sheet_rows, workbook
from vanban.core import context
from vanban.organisation import services as org

pytestmark = pytest.mark.django_db

AUDIT = "/quan-tri/nhat-ky/"


def test_url_names_resolve_to_the_admin_paths():
    assert reverse("web:audit") == AUDIT
    assert reverse("web:audit_export") == AUDIT + "xuat-excel/"
    assert reverse("web:audit_verify") == AUDIT + "kiem-tra-toan-ven/"


def test_system_admin_opens_the_log_page(staff, web_client):
    response = web_client(staff.sysadmin).get(AUDIT)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nhật ký hệ thống" in body
    assert "Kiểm tra tính toàn vẹn" in body


@pytest.mark.parametrize("who", ["unit_admin", "clerk", "specialist"])
def test_non_system_admins_are_refused_the_log_page(staff, web_client, who):
    client = web_client(getattr(staff, who))
    assert client.get(AUDIT).status_code == 403
    assert client.post(reverse("web:audit_export")).status_code == 403
    assert client.post(reverse("web:audit_verify")).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["audit.exported", "audit.verified"]).exists()


def test_anonymous_visitor_is_sent_to_the_login_page(db):
    from django.test import Client

    response = Client().get(AUDIT)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_rows_show_vietnam_time_person_unit_label_ip_and_channel(staff):
    with context.use(context.RequestContext(ip_address="10.20.30.40", user_agent="Firefox/140", channel="web")):
        login(staff.clerk, "2026-03-02T08:05:09+07:00")
    body = login(staff.sysadmin).get(AUDIT, {"actor": staff.clerk.pk, "action": "auth.login"}).content.decode()
    assert "02/03/2026 08:05:09" in body  # 01:05:09 UTC shown in Vietnam time
    assert "Tăng Thị Lụa (vanthu.dv)" in body
    assert "Cục Thương mại điện tử và Kinh tế số" in body
    assert "Đăng nhập" in body
    assert "10.20.30.40" in body
    assert ">Web<" in body


def test_row_shows_on_behalf_of_and_the_before_after_data(staff):
    with transaction.atomic():
        audit.record(
            actor=staff.clerk,
            on_behalf_of=staff.unit_admin,
            action="unit.renamed",
            target=staff.unit,
            data={"before": {"name": "Cục cũ"}, "after": {"name": "Cục mới"}},
        )
    response = login(staff.sysadmin).get(AUDIT, {"action": "unit.renamed"})
    body = response.content.decode()
    assert "thay mặt Cao Minh Đức (quantri.dv)" in body
    assert "Đổi tên đơn vị" in body
    assert "Cục cũ" in body and "Cục mới" in body
    assert "Trước" in body and "Sau" in body


def test_filter_by_person_search_ignores_case_and_diacritics(staff):
    login(staff.clerk)
    login(staff.specialist)
    fail_login("vanthu.dv")
    client = login(staff.sysadmin)
    body = client.get(AUDIT, {"q": "tang thi lua"}).content.decode()
    shown = {int(pk) for pk in _event_ids(body)}
    clerk_events = set(AuditEvent.objects.filter(actor=staff.clerk).values_list("pk", flat=True))
    failed = set(
        AuditEvent.objects.filter(action="auth.login_failed", actor_username="vanthu.dv").values_list("pk", flat=True)
    )
    assert failed and clerk_events
    assert shown == clerk_events | failed


def test_filter_by_unit_includes_sub_units_only(staff, make_user):
    in_sub = make_user("cv.cntt", unit=staff.sub_unit)
    login(in_sub)
    login(staff.clerk)
    login(staff.specialist)
    client = login(staff.sysadmin)
    body = client.get(AUDIT, {"unit": staff.unit.pk, "action": "auth.login"}).content.decode()
    actors = set(AuditEvent.objects.filter(pk__in=_event_ids(body)).values_list("actor_id", flat=True))
    assert actors == {in_sub.pk, staff.clerk.pk, staff.sysadmin.pk}
    body = client.get(AUDIT, {"unit": staff.sub_unit.pk, "action": "auth.login"}).content.decode()
    actors = set(AuditEvent.objects.filter(pk__in=_event_ids(body)).values_list("actor_id", flat=True))
    assert actors == {in_sub.pk, staff.sysadmin.pk}


def test_filter_by_period_uses_vietnam_days(staff):
    login(staff.clerk, "2026-03-01T23:30:00+07:00")
    login(staff.clerk, "2026-03-02T00:30:00+07:00")  # 1 March 17:30 UTC, yet 2 March in Hà Nội
    login(staff.clerk, "2026-03-03T10:00:00+07:00")
    client = login(staff.sysadmin)
    body = client.get(
        AUDIT, {"actor": staff.clerk.pk, "action": "auth.login", "date_from": "02/03/2026", "date_to": "2026-03-02"}
    ).content.decode()
    assert len(_event_ids(body)) == 1
    assert "02/03/2026 00:30:00" in body


def test_filter_by_action_group_and_target(staff):
    login(staff.clerk)
    fail_login("ai.do")
    org.rename_unit(actor=staff.sysadmin, unit=staff.other_unit, name="Vụ Pháp chế và Cải cách")
    client = login(staff.sysadmin)
    body = client.get(AUDIT, {"action": "auth.*"}).content.decode()
    actions = set(AuditEvent.objects.filter(pk__in=_event_ids(body)).values_list("action", flat=True))
    assert actions == {"auth.login", "auth.login_failed"}
    body = client.get(
        AUDIT, {"target_type": "organisation.unit", "target_id": str(staff.other_unit.pk)}
    ).content.decode()
    events = AuditEvent.objects.filter(pk__in=_event_ids(body))
    assert set(events.values_list("action", flat=True)) == {"unit.created", "unit.renamed"}


def test_invalid_period_shows_the_message_beside_the_field_and_no_events(staff):
    response = login(staff.sysadmin).get(AUDIT, {"date_from": "05/03/2026", "date_to": "01/03/2026"})
    body = response.content.decode()
    assert 'data-error-for="date_to"' in body
    assert "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." in body
    assert not _event_ids(body)


def test_keyset_pages_walk_older_and_back_newer_without_gaps(staff, monkeypatch):
    from vanban.audit import selectors

    for i in range(7):
        login(staff.clerk, f"2026-03-0{i + 1}T09:00:00+07:00")
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    monkeypatch.setattr(
        "vanban.web.views.audit.page_events", lambda events, **kw: selectors.page_events(events, size=3, **kw)
    )
    client = login(staff.sysadmin)
    params = {"actor": staff.clerk.pk, "action": "auth.login"}
    expected = list(
        AuditEvent.objects.filter(actor=staff.clerk, action="auth.login")
        .order_by("-occurred_at")
        .values_list("pk", flat=True)
    )
    seen: list[int] = []
    page = client.get(AUDIT, params)
    pages = []
    while True:
        ids = _event_ids(page.content.decode())
        pages.append(ids)
        seen += ids
        cursor = page.context["page"].next_cursor
        if not cursor:
            break
        page = client.get(AUDIT, {**params, "truoc": cursor})
    assert seen == expected and [len(p) for p in pages] == [3, 3, 1]
    back = client.get(AUDIT, {**params, "sau": page.context["page"].prev_cursor})
    assert _event_ids(back.content.decode()) == pages[1]


def test_count_is_capped_rather_than_counting_the_whole_table(staff, monkeypatch):
    from vanban.audit import selectors

    for _ in range(4):
        login(staff.clerk)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    monkeypatch.setattr("vanban.web.views.audit.capped_count", lambda events: selectors.capped_count(events, cap=2))
    body = login(staff.sysadmin).get(AUDIT).content.decode()
    assert "hơn 2 sự kiện" in body


def test_a_forged_cursor_starts_again_at_the_newest(staff):
    response = login(staff.sysadmin).get(AUDIT, {"truoc": "abc_99999999999999999999"})
    assert response.status_code == 200
    assert _event_ids(response.content.decode())


def test_export_contains_the_filtered_rows_with_vietnamese_headers_and_is_audited(staff):
    login(staff.clerk, "2026-03-02T08:00:00+07:00")
    login(staff.specialist, "2026-03-02T09:00:00+07:00")
    client = login(staff.sysadmin)
    response = client.post(
        reverse("web:audit_export") + f"?action=auth.login&unit={staff.unit.pk}&date_from=02/03/2026&date_to=02/03/2026"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    wb = workbook(response)
    assert wb.sheetnames == ["Nhật ký", "Thông tin"]
    rows = sheet_rows(wb["Nhật ký"])
    assert rows[0][:7] == (
        "Mã sự kiện",
        "Thời gian",
        "Người thực hiện",
        "Tên đăng nhập",
        "Thay mặt",
        "Đơn vị",
        "Thao tác",
    )
    assert len(rows) == 2
    assert rows[1][2] == "Tăng Thị Lụa (vanthu.dv)"
    assert rows[1][1].strftime("%d/%m/%Y %H:%M") == "02/03/2026 08:00"
    assert rows[1][6] == "Đăng nhập"
    info = dict((r[0], r[1]) for r in sheet_rows(wb["Thông tin"]) if len(r) > 1 and r[0])
    assert info["Số sự kiện đã xuất"] == 1
    assert info["Từ ngày"] == "02/03/2026"
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == staff.sysadmin
    assert exported.data["rows"] == 1 and exported.data["filters"]["unit"] == staff.unit.pk


def test_export_stops_at_the_cap_and_says_so(staff, monkeypatch):
    from vanban.audit import exports

    for _ in range(4):
        login(staff.clerk)
    monkeypatch.setattr(exports, "EXPORT_ROW_CAP", 3)
    response = login(staff.sysadmin).post(reverse("web:audit_export") + "?action=auth.login")
    rows = sheet_rows(workbook(response)["Nhật ký"])
    data_rows = [r for r in rows[1:] if isinstance(r[0], int)]
    assert len(data_rows) == 3
    assert any(r[0] and "Đã đạt giới hạn 3 dòng" in str(r[0]) for r in rows)
    assert AuditEvent.objects.get(action="audit.exported").data["truncated"] is True


def test_export_keeps_formula_like_text_as_text(staff):
    with transaction.atomic():
        audit.record(
            actor=staff.clerk,
            action="unit.renamed",
            target_type="organisation.unit",
            target_id="1",
            target_repr='=HYPERLINK("http://x.example","bấm")',
        )
    response = login(staff.sysadmin).post(reverse("web:audit_export") + "?action=unit.renamed")
    ws = workbook(response)["Nhật ký"]
    cell = ws.cell(row=2, column=9)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_export_needs_post(staff):
    assert login(staff.sysadmin).get(reverse("web:audit_export")).status_code == 405


def test_verify_button_reports_an_intact_chain_and_is_audited(staff):
    client = login(staff.sysadmin)
    response = client.post(reverse("web:audit_verify"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="verify-ok"' in body and "<html" not in body
    event = AuditEvent.objects.get(action="audit.verified")
    assert event.data["ok"] is True and event.actor == staff.sysadmin


def test_verify_button_reports_a_tampered_event(staff):
    login(staff.clerk)
    victim = AuditEvent.objects.filter(action="auth.login").latest("id")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET ip_address = %s WHERE id = %s", ["10.9.9.9", victim.id])
    response = login(staff.sysadmin).post(reverse("web:audit_verify"))
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert 'data-testid="verify-broken"' in body
    assert f"#{victim.id}" in body


def test_log_page_query_count_does_not_grow_with_rows(staff, django_assert_max_num_queries, make_user):
    client = login(staff.sysadmin)
    for i in range(3):
        with transaction.atomic():
            audit.record(actor=staff.clerk, on_behalf_of=staff.unit_admin, action="unit.renamed", target=staff.unit)
    with django_assert_max_num_queries(14) as few:
        client.get(AUDIT)
    for i in range(30):
        person = make_user(unit=staff.sub_unit)
        with transaction.atomic():
            audit.record(actor=person, on_behalf_of=staff.clerk, action="unit.renamed", target=staff.unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(AUDIT)
    assert len(_event_ids(response.content.decode())) == 50


def _event_ids(body: str) -> list[int]:
    import re

    return [int(x) for x in re.findall(r'<tr data-event="(\d+)"', body)]


def test_a_malformed_person_id_is_reported_not_ignored(staff):
    body = login(staff.sysadmin).get(AUDIT, {"actor": "abc"}).content.decode()
    assert 'data-error-for="actor"' in body
    assert not _event_ids(body)
