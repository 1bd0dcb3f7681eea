"""The standard report: its table, Excel and PDF contents, the background job."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from vanban.audit.models import AuditEvent
from vanban.reports.report import build_report, to_pdf, to_xlsx
from vanban.reports.scope import Period, scope_for
from vanban.reports.tests.conftest import MARCH, Stats, build_stats

pytestmark = pytest.mark.django_db


def _report(viewer: Any, **kw: Any) -> Any:
    return build_report(scope=scope_for(viewer, **kw), period=Period.build(**MARCH))


def test_the_report_has_a_row_per_unit_and_a_total(stats: Stats, at_now: Any) -> None:
    report = _report(stats.leader)
    lines = {line[1]: line[2:] for line in report.table()}
    #                         received, on time, late, within, overdue, rate
    assert lines["Cục Xuất nhập khẩu"] == [3, 1, 0, 1, 1, 50.0]
    assert lines["Vụ Pháp chế"] == [1, 0, 1, 0, 0, 0.0]
    assert lines["Tổng cộng"] == [4, 1, 1, 1, 1, 33.3]
    assert "Giao trực tiếp cho cá nhân" not in lines  # empty, so left out
    assert (report.received_total, report.unassigned) == (6, 2)


def test_a_unit_clerks_report_covers_their_unit_only(stats: Stats, at_now: Any) -> None:
    lines = {line[1]: line[2:] for line in _report(stats.world.unit_clerk).table()}
    assert set(lines) == {"Cục Xuất nhập khẩu (trực tiếp)", "Phòng Quản lý xuất khẩu", "Tổng cộng"}
    assert lines["Phòng Quản lý xuất khẩu"] == [2, 1, 0, 1, 0, 100.0]
    assert lines["Tổng cộng"] == [3, 1, 0, 1, 1, 50.0]


def test_excel_export_holds_the_table(stats: Stats, at_now: Any) -> None:
    wb = load_workbook(io.BytesIO(to_xlsx(_report(stats.leader))))
    ws = wb["Báo cáo"]
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "BỘ CÔNG THƯƠNG"
    assert rows[1][0] == "BÁO CÁO THỐNG KÊ TÌNH HÌNH XỬ LÝ VĂN BẢN"
    assert rows[2][0] == "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    header = rows.index(next(r for r in rows if r[0] == "STT"))
    body = {r[1]: list(r[2:8]) for r in rows[header + 1 :] if r[1] and r[2] is not None}
    assert body["Cục Xuất nhập khẩu"] == [3, 1, 0, 1, 1, 50]
    assert body["Tổng cộng"] == [4, 1, 1, 1, 1, 33.3]


def test_pdf_export_prints_vietnamese_text(stats: Stats, at_now: Any) -> None:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(_report(stats.leader)))).pages)
    assert "BÁO CÁO THỐNG KÊ TÌNH HÌNH XỬ LÝ VĂN BẢN" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    assert "Cục Xuất nhập khẩu" in text and "Vụ Pháp chế" in text and "Tổng cộng" in text
    assert "33.3" in text
    assert "Thứ trưởng Một" in text  # the person who drew it up


def test_exports_from_the_page_are_audited(stats: Stats, at_now: Any, web_client: Any) -> None:
    client = web_client(stats.world.unit_clerk)
    query = urlencode({"date_from": "2026-03-01", "date_to": "2026-03-31"})
    page = client.get(reverse("web:reports_report") + "?" + query)
    assert page.status_code == 200 and 'data-testid="report-table"' in page.content.decode()
    xlsx = client.post(reverse("web:reports_export") + "?" + query, {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="bao-cao-xu-ly-van-ban-20260301-20260331.xlsx"'
    load_workbook(io.BytesIO(xlsx.content))
    pdf = client.post(reverse("web:reports_export") + "?" + query, {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="reports.exported").order_by("pk")
    assert [e.data["format"] for e in events] == ["xlsx", "pdf"]
    assert all(e.actor_id == stats.world.unit_clerk.pk for e in events)


def test_the_api_report_and_direct_export(stats: Stats, at_now: Any, api_client: Any) -> None:
    client = api_client(stats.leader)
    body = client.get("/api/v1/reports/processing", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()
    assert body["total"] == {
        "bucket": "",
        "name": "Tổng cộng",
        "received": 4,
        "on_time": 1,
        "late": 1,
        "within": 1,
        "overdue": 1,
        "on_time_rate": 33.3,
    }
    assert body["received_total"] == 6 and body["as_of"] == "2026-03-16"
    pdf = client.get(
        "/api/v1/reports/processing/export", {"date_from": "2026-03-01", "date_to": "2026-03-31", "format": "pdf"}
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    long = client.get("/api/v1/reports/processing/export", {"date_from": "2025-01-01", "date_to": "2026-03-31"})
    assert long.status_code == 400 and long.json()["code"] == "use_background_job"
    bad = client.get("/api/v1/reports/processing/export", {"format": "doc"})
    assert bad.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_long_report_is_built_in_the_background(
    world: Any, make_user: Any, isolated_storage: Any, web_client: Any, api_client: Any
) -> None:
    from freezegun import freeze_time

    from vanban.conftest import run_queued_jobs
    from vanban.jobs.models import Job

    stats = build_stats(world, make_user)
    with freeze_time("2026-03-16 03:00:00"):
        client = web_client(stats.leader)
        query = urlencode({"date_from": "2025-06-01", "date_to": "2026-03-31"})
        page = client.get(reverse("web:reports_report") + "?" + query)
        assert 'data-testid="report-background"' in page.content.decode()
        started = client.post(reverse("web:reports_export") + "?" + query, {"format": "xlsx"})
        job = Job.objects.get(owner=stats.leader)
        assert started.status_code == 302 and started["Location"] == reverse("web:job_detail", args=[job.pk])
        api = api_client(stats.leader).post(
            "/api/v1/reports/processing/export-jobs",
            {"date_from": "2025-06-01", "date_to": "2026-03-31", "format": "pdf"},
            format="json",
        )
        assert api.status_code == 202
        not_yet = api_client(stats.leader).get(api.json()["file_url"])
        assert not_yet.status_code == 404
        run_queued_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    client = web_client(stats.leader)  # the frozen-clock session has expired by now
    detail = client.get(reverse("web:job_detail", args=[job.pk]))
    assert 'data-testid="job-download"' in detail.content.decode()
    download = client.get(job.result["download_url"])
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(wb["Báo cáo"].iter_rows(values_only=True))
    assert any(r[1] == "Tổng cộng" and r[2] == 4 for r in rows)
    pdf = api_client(stats.leader).get(api.json()["file_url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    # Someone else's job is not theirs to download.
    assert web_client(stats.world.unit_clerk).get(job.result["download_url"]).status_code == 404
    assert api_client(stats.world.unit_clerk).get(api.json()["file_url"]).status_code == 404
