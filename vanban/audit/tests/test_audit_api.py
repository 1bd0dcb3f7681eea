from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from vanban.accounts import services as accounts
from vanban.audit import services as audit
from vanban.audit.models import AuditEvent
from vanban.audit.tests.helpers import fail_login, login

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit/events"
EXPORT = "/api/v1/audit/events/export"
VERIFY = "/api/v1/audit/verify"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _token_client(user, scopes):
    token, secret = accounts.create_api_token(
        actor=user,
        user=user,
        name="Tập lệnh giám sát",
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.mark.parametrize("url", [EVENTS, EXPORT, VERIFY])
def test_system_admin_reads_the_audit_api(staff, api_client, url):
    response = api_client(staff.sysadmin).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [EVENTS, EXPORT, VERIFY])
@pytest.mark.parametrize("who", ["unit_admin", "clerk", "specialist"])
def test_others_are_refused_the_audit_api_with_a_vietnamese_error(staff, api_client, url, who):
    response = api_client(getattr(staff, who)).get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "quản trị hệ thống" in response.json()["message"]


def test_token_needs_the_admin_scope(staff):
    assert _token_client(staff.sysadmin, ["read"]).get(EVENTS).status_code == 403
    assert _token_client(staff.sysadmin, ["read", "admin"]).get(EVENTS).status_code == 200


def test_events_carry_vietnam_iso_times_people_units_and_labels(staff, api_client):
    login(staff.clerk, "2026-03-02T08:05:09+07:00")
    with transaction.atomic():
        audit.record(
            actor=staff.clerk,
            on_behalf_of=staff.unit_admin,
            action="unit.renamed",
            target=staff.unit,
            data={"before": {"name": "A"}, "after": {"name": "B"}},
        )
    response = api_client(staff.sysadmin).get(EVENTS, {"actor": staff.clerk.pk})
    body = response.json()
    assert body["count"] == 2 and body["count_exact"] is True and body["next"] is None
    renamed, login_event = body["results"]
    assert login_event["occurred_at"].startswith("2026-03-02T08:05:09") and login_event["occurred_at"].endswith(
        "+07:00"
    )
    assert login_event["action"] == "auth.login" and login_event["action_label"] == "Đăng nhập"
    assert login_event["actor"] == {"id": staff.clerk.pk, "username": "vanthu.dv", "full_name": "Tăng Thị Lụa"}
    assert login_event["actor_unit"] == {"id": staff.unit.pk, "name": staff.unit.name}
    assert renamed["on_behalf_of"]["username"] == "quantri.dv"
    assert renamed["data"] == {"before": {"name": "A"}, "after": {"name": "B"}}


def test_api_filters_match_the_page(staff, api_client):
    login(staff.clerk, "2026-03-02T10:00:00+07:00")
    login(staff.specialist, "2026-03-02T11:00:00+07:00")
    login(staff.clerk, "2026-03-05T10:00:00+07:00")
    fail_login("vanthu.dv", "2026-03-02T12:00:00+07:00")
    client = api_client(staff.sysadmin)

    def ids(**params):
        return {e["id"] for e in client.get(EVENTS, params).json()["results"]}

    march_2 = ids(date_from="2026-03-02", date_to="02/03/2026", action="auth.*")
    assert {AuditEvent.objects.get(pk=i).action for i in march_2} == {"auth.login", "auth.login_failed"}
    assert len(march_2) == 3
    assert ids(unit=staff.unit.pk, action="auth.login") == set(
        AuditEvent.objects.filter(action="auth.login", actor__in=[staff.clerk, staff.sysadmin]).values_list(
            "pk", flat=True
        )
    )
    assert ids(q="Tăng Thị", action="auth.login_failed") == set(
        AuditEvent.objects.filter(action="auth.login_failed").values_list("pk", flat=True)
    )
    assert ids(target_type="accounts.user", target_id=str(staff.specialist.pk), action="auth.login") == set(
        AuditEvent.objects.filter(action="auth.login", actor=staff.specialist).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "31/02/2026"}, "date_from"),
        ({"unit": 999999}, "unit"),
        ({"action": "DROP TABLE"}, "action"),
        ({"cursor": "x1_2"}, "cursor"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_bad_parameters_answer_400_with_the_field(staff, api_client, params, field):
    response = api_client(staff.sysadmin).get(EVENTS, params)
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"cursor": "o99999999999999999999_99999999999999999999"},
        {"cursor": "n-99999999999999999999_0"},
    ],
)
def test_extreme_dates_and_cursors_are_clamped_not_errors(staff, api_client, params):
    login(staff.clerk)
    response = api_client(staff.sysadmin).get(EVENTS, params)
    assert response.status_code == 200
    assert response.json()["results"]


def test_cursor_pages_follow_next_and_previous(staff, api_client):
    for day in range(1, 6):
        login(staff.clerk, f"2026-03-0{day}T09:00:00+07:00")
    client = api_client(staff.sysadmin)
    first = client.get(EVENTS, {"actor": staff.clerk.pk, "page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert [len(p["results"]) for p in (first, second, third)] == [2, 2, 1]
    assert third["next"] is None and first["previous"] is None
    all_ids = [e["id"] for p in (first, second, third) for e in p["results"]]
    assert all_ids == sorted(all_ids, reverse=True) and len(set(all_ids)) == 5
    assert client.get(third["previous"]).json()["results"] == second["results"]


def test_export_endpoint_returns_a_workbook_and_is_audited(staff, api_client):
    login(staff.clerk)
    response = api_client(staff.sysadmin).get(
        EXPORT, {"action": "auth.login", "actor": staff.clerk.pk}, HTTP_ACCEPT=XLSX
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["X-Export-Rows"] == "1"
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["Nhật ký"].iter_rows(values_only=True))
    assert rows[0][0] == "Mã sự kiện" and len(rows) == 2 and rows[1][3] == "vanthu.dv"
    assert AuditEvent.objects.get(action="audit.exported").data["filters"]["actor"] == staff.clerk.pk


def test_export_errors_are_json_even_when_a_workbook_was_asked_for(staff, api_client):
    response = api_client(staff.sysadmin).get(EXPORT, {"date_from": "xx"}, HTTP_ACCEPT=XLSX)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["field"] == "date_from"


def test_verify_endpoint_reports_ok_then_the_broken_event(staff, api_client):
    login(staff.clerk)
    client = api_client(staff.sysadmin)
    report = client.get(VERIFY).json()
    assert report["ok"] is True and report["broken_at"] is None and report["checked"] > 0
    victim = AuditEvent.objects.filter(action="auth.login").latest("id")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET channel = %s WHERE id = %s", ["api", victim.id])
    report = client.get(VERIFY).json()
    assert report == {
        "ok": False,
        "checked": report["checked"],
        "broken_at": victim.id,
        "reason": "nội dung sự kiện đã bị sửa",
    }


def test_events_endpoint_query_count_does_not_grow_with_rows(
    staff, api_client, make_user, django_assert_max_num_queries
):
    client = api_client(staff.sysadmin)
    with transaction.atomic():
        audit.record(actor=staff.clerk, on_behalf_of=staff.unit_admin, action="unit.renamed", target=staff.unit)
    with django_assert_max_num_queries(6) as few:
        client.get(EVENTS)
    for _ in range(20):
        person = make_user(unit=staff.sub_unit)
        with transaction.atomic():
            audit.record(actor=person, on_behalf_of=staff.clerk, action="unit.renamed", target=staff.unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(EVENTS).json()["results"]) == 50


def test_schema_documents_the_audit_endpoints_with_binary_exports(staff, api_client):
    response = api_client(staff.sysadmin).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    paths = schema["paths"]
    assert {"/api/v1/audit/events", "/api/v1/audit/events/export", "/api/v1/audit/verify"} <= set(paths)
    content = paths["/api/v1/audit/events/export"]["get"]["responses"]["200"]["content"]
    assert content[XLSX]["schema"] == {"type": "string", "format": "binary"}
    params = {p["name"] for p in paths["/api/v1/audit/events"]["get"]["parameters"]}
    assert {"actor", "q", "unit", "action", "date_from", "date_to", "target_type", "target_id", "cursor"} <= params
