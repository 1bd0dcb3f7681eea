from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.urls import reverse
from freezegun import freeze_time

from vanban.audit.models import AuditEvent
from vanban.audit.tests.helpers import fail_login, login, sheet_rows, workbook

pytestmark = pytest.mark.django_db

USAGE = "/quan-tri/giam-sat/"
SUMMARY = "/api/v1/usage/summary"
EXPORT = "/api/v1/usage/export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = {"date_from": "01/03/2026", "date_to": "05/03/2026"}


@pytest.fixture
def usage(staff):
    """Two days of logins in March, one failure; the admin looks on 10/03."""
    login(staff.clerk, "2026-03-02T09:00:00+07:00")
    login(staff.clerk, "2026-03-03T09:00:00+07:00")
    login(staff.specialist, "2026-03-03T10:00:00+07:00")
    fail_login("vanthu.dv", "2026-03-03T08:00:00+07:00")
    return staff


def _svgs(body: str) -> list[ET.Element]:
    """The charts (the page's icons, such as the bell, are decorative SVGs hidden from readers)."""
    found = [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", body, flags=re.S)]  # noqa: S314
    return [s for s in found if s.get("aria-hidden") != "true"]


def test_url_names_resolve_to_the_admin_paths():
    assert reverse("web:usage") == USAGE
    assert reverse("web:usage_export") == USAGE + "xuat-excel/"


def test_system_admin_sees_figures_and_charts(usage):
    client = login(usage.sysadmin)
    with freeze_time("2026-03-10T12:00:00+07:00"):
        response = client.get(USAGE, PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'data-figure="logins">3<', body)
    assert re.search(r'data-figure="active">2<', body)
    assert re.search(r'data-figure="failed">1<', body)
    svgs = _svgs(body)
    assert len(svgs) == 3
    titles = [s.find("{http://www.w3.org/2000/svg}title").text for s in svgs]
    assert titles == [
        "Số lượt đăng nhập theo ngày",
        "Số người dùng có hoạt động theo đơn vị",
        "Số thao tác theo đơn vị",
    ]
    assert "Cục Thương mại điện tử và Kinh tế số" in body and "Vụ Pháp chế" in body
    assert "03/03/2026: 2 lượt đăng nhập" in body
    assert 'data-person="quantri.dv"' in body  # the unit admin never logged in
    assert 'data-person="vanthu.dv"' not in body


@pytest.mark.parametrize("who", ["unit_admin", "clerk", "specialist"])
def test_non_system_admins_are_refused_the_usage_page(staff, web_client, who):
    client = web_client(getattr(staff, who))
    assert client.get(USAGE).status_code == 403
    assert client.post(reverse("web:usage_export")).status_code == 403
    assert not AuditEvent.objects.filter(action="monitoring.exported").exists()


def test_page_defaults_to_the_last_30_days(staff):
    client = login(staff.sysadmin)
    with freeze_time("2026-03-10T12:00:00+07:00"):
        response = client.get(USAGE)
    query = response.context["summary"].query
    assert (query.date_from, query.date_to, query.inactive_days) == (dt.date(2026, 2, 9), dt.date(2026, 3, 10), 30)
    assert 'value="2026-02-09"' in response.content.decode()


def test_invalid_period_is_explained_beside_the_field(staff):
    response = login(staff.sysadmin).get(USAGE, {"date_from": "05/03/2026", "date_to": "01/03/2026"})
    body = response.content.decode()
    assert response.status_code == 200 and response.context["summary"] is None
    assert 'data-error-for="date_to"' in body and "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." in body


def test_export_has_one_sheet_per_table_and_is_audited(usage):
    client = login(usage.sysadmin)
    with freeze_time("2026-03-10T12:00:00+07:00"):
        response = client.post(reverse("web:usage_export") + "?date_from=01/03/2026&date_to=05/03/2026&inactive_days=7")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = workbook(response)
    assert wb.sheetnames == [
        "Đăng nhập theo ngày",
        "Người dùng hoạt động",
        "Thao tác theo đơn vị",
        "Đơn vị không đăng nhập",
        "Người không đăng nhập",
        "Đăng nhập thất bại",
        "Thông tin",
    ]
    days = sheet_rows(wb["Đăng nhập theo ngày"])
    assert days[0] == ("Ngày", "Số lượt đăng nhập")
    assert [(d.strftime("%d/%m/%Y"), n) for d, n in days[1:6]] == [
        ("01/03/2026", 0),
        ("02/03/2026", 1),
        ("03/03/2026", 2),
        ("04/03/2026", 0),
        ("05/03/2026", 0),
    ]
    assert days[6] == ("Tổng cộng", 3)
    active = dict(sheet_rows(wb["Người dùng hoạt động"])[1:])
    assert active["Cục Thương mại điện tử và Kinh tế số"] == 1 and active["Vụ Pháp chế"] == 1
    people = sheet_rows(wb["Người không đăng nhập"])
    assert people[0][:3] == ("Họ và tên", "Tên đăng nhập", "Đơn vị")
    usernames = {r[1] for r in people[1:]}
    assert {"quantri.dv", "vanthu.dv", "chuyenvien"} <= usernames  # last logins 02–03/03, older than 7 days
    failed = sheet_rows(wb["Đăng nhập thất bại"])
    assert ("vanthu.dv", 1) in failed
    event = AuditEvent.objects.get(action="monitoring.exported")
    assert event.actor == usage.sysadmin and event.data["query"]["inactive_days"] == 7


def test_usage_page_query_count_does_not_grow_with_people(staff, make_user, django_assert_max_num_queries):
    client = login(staff.sysadmin)
    with django_assert_max_num_queries(22) as few:
        client.get(USAGE)
    for _ in range(15):
        person = make_user(unit=staff.sub_unit)
        login(person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(USAGE).status_code == 200


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SUMMARY, EXPORT])
def test_system_admin_reads_the_usage_api(staff, api_client, url):
    assert api_client(staff.sysadmin).get(url).status_code == 200


@pytest.mark.parametrize("url", [SUMMARY, EXPORT])
@pytest.mark.parametrize("who", ["unit_admin", "clerk", "specialist"])
def test_others_are_refused_the_usage_api(staff, api_client, url, who):
    response = api_client(getattr(staff, who)).get(url)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_summary_endpoint_returns_the_figures(usage, api_client):
    with freeze_time("2026-03-10T12:00:00+07:00"):
        body = (
            api_client(usage.sysadmin)
            .get(SUMMARY, {"date_from": "2026-03-01", "date_to": "2026-03-05", "unit": usage.unit.pk})
            .json()
        )
    assert body["unit"] == {"id": usage.unit.pk, "name": usage.unit.name}
    assert [d["count"] for d in body["logins_per_day"]] == [0, 1, 1, 0, 0]
    assert body["logins_per_day"][0]["date"] == "2026-03-01"
    assert body["total_logins"] == 2 and body["active_users"] == 1
    assert {u["name"]: u["count"] for u in body["active_users_per_unit"]} == {
        "Cục Thương mại điện tử và Kinh tế số (trực tiếp)": 1,
        "Phòng Công nghệ thông tin": 0,
    }
    assert body["failed_logins"] == 1 and body["lockouts"] == 0
    people = {p["username"]: p for p in body["inactive_people"]}
    assert set(people) == {"quantri.dv", "quantri.he"}
    assert people["quantri.dv"]["last_login_at"] is None


def test_summary_times_are_vietnam_iso(usage, api_client):
    with freeze_time("2026-04-20T12:00:00+07:00"):
        body = api_client(usage.sysadmin).get(SUMMARY, {"date_from": "2026-03-01", "date_to": "2026-03-05"}).json()
    clerk = next(p for p in body["inactive_people"] if p["username"] == "vanthu.dv")
    assert clerk["last_login_at"].startswith("2026-03-03T09:00:00") and clerk["last_login_at"].endswith("+07:00")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "date_to"),
        ({"unit": 987654}, "unit"),
        ({"inactive_days": 0}, "inactive_days"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "date_from"),
    ],
)
def test_summary_rejects_bad_parameters(staff, api_client, params, field):
    response = api_client(staff.sysadmin).get(SUMMARY, params)
    assert response.status_code == 400 and response.json()["field"] == field


@pytest.mark.parametrize(
    "params, period",
    [
        ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, ("2000-01-01", "2000-01-01")),
        ({"date_to": "9999-12-31"}, ("2099-12-02", "2099-12-31")),
    ],
)
def test_summary_clamps_dates_outside_the_systems_life(staff, api_client, params, period):
    body = api_client(staff.sysadmin).get(SUMMARY, params).json()
    assert (body["date_from"], body["date_to"]) == period and body["total_logins"] == 0


def test_export_endpoint_returns_the_workbook(usage, api_client):
    response = api_client(usage.sysadmin).get(
        EXPORT, {"date_from": "2026-03-01", "date_to": "2026-03-05"}, HTTP_ACCEPT=XLSX
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "Đăng nhập theo ngày" in wb.sheetnames
    assert AuditEvent.objects.filter(action="monitoring.exported", actor=usage.sysadmin).count() == 1


def test_summary_endpoint_query_count_does_not_grow_with_people(
    staff, api_client, make_user, django_assert_max_num_queries
):
    client = api_client(staff.sysadmin)
    with django_assert_max_num_queries(12) as few:
        client.get(SUMMARY)
    for _ in range(15):
        login(make_user(unit=staff.sub_unit))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(SUMMARY).status_code == 200


def test_schema_documents_the_usage_endpoints(staff, api_client):
    schema = api_client(staff.sysadmin).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    export = schema["paths"]["/api/v1/usage/export"]["get"]["responses"]["200"]["content"]
    assert export[XLSX]["schema"] == {"type": "string", "format": "binary"}
    summary = schema["paths"]["/api/v1/usage/summary"]["get"]
    assert {p["name"] for p in summary["parameters"]} >= {"date_from", "date_to", "unit", "inactive_days"}
