"""Job pages and the account import page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vanban.audit.models import AuditEvent
from vanban.conftest import run_queued_jobs
from vanban.jobs.models import Job
from vanban.jobs.tests.helpers import GOOD_AND_BAD, HEADER, build_world, csv_bytes, start, xlsx_bytes

transactional = pytest.mark.django_db(transaction=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(make_unit, make_user, position):
    return build_world(make_unit, make_user, position)


@pytest.fixture
def finished_import(world):
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()
    return job


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- /tac-vu/ -----------------------------------------------------------------------------------


def test_job_list_shows_own_jobs_with_state_progress_and_polling_rows(world, web_client):
    mine = start(world.vp_admin)
    start(world.sysadmin, name="cua-nguoi-khac.xlsx")
    response = web_client(world.vp_admin).get(reverse("web:jobs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.title in html and "cua-nguoi-khac.xlsx" not in html
    assert "Đang chờ" in html and "0/8 (0%)" in html
    assert f'hx-get="{reverse("web:job_row", args=[mine.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert timezone.localtime(mine.created_at).strftime("%d/%m/%Y %H:%M") in html


def test_job_list_without_jobs_says_so(world, web_client):
    response = web_client(world.specialist).get(reverse("web:jobs"))
    assert 'data-testid="empty-jobs"' in response.content.decode()


def test_job_list_query_count_does_not_grow_with_jobs(world, web_client, django_assert_max_num_queries):
    client = web_client(world.sysadmin)
    start(world.sysadmin)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("web:jobs"))
    for _ in range(10):
        start(world.sysadmin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("web:jobs"))
    assert response.content.decode().count('data-job-state="queued"') == 11


@transactional
def test_finished_job_row_stops_polling(world, web_client, finished_import):
    response = web_client(world.sysadmin).get(reverse("web:job_row", args=[finished_import.pk]))
    html = response.content.decode()
    assert 'data-job-state="succeeded"' in html and "Hoàn thành" in html and "8/8 (100%)" in html
    assert "hx-trigger" not in html


def test_queued_job_row_keeps_polling(world, web_client):
    job = start(world.sysadmin)
    html = web_client(world.sysadmin).get(reverse("web:job_row", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'hx-swap="outerHTML"' in html


@pytest.mark.parametrize("url_name", ["web:job_detail", "web:job_row", "web:job_progress", "web:job_errors_xlsx"])
def test_another_persons_job_is_not_found(world, web_client, url_name):
    job = start(world.sysadmin)
    assert web_client(world.vp_admin).get(reverse(url_name, args=[job.pk])).status_code == 404


def test_owner_sees_a_queued_job_polling_its_progress(world, web_client):
    job = start(world.sysadmin)
    response = web_client(world.sysadmin).get(reverse("web:job_detail", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="{reverse("web:job_progress", args=[job.pk])}"' in html
    assert "Tác vụ đang chờ tiến trình xử lý nền nhận việc." in html


@transactional
def test_finished_import_shows_created_accounts_passwords_and_row_errors(world, web_client, finished_import):
    response = web_client(world.sysadmin).get(reverse("web:job_detail", args=[finished_import.pk]))
    html = response.content.decode()
    # The job's progress is no longer polled (the top bar's bell polls on every page).
    assert reverse("web:job_progress", args=[finished_import.pk]) not in html
    assert "Đã tạo <strong>5</strong> tài khoản; <strong>3</strong> dòng lỗi" in html
    for entry in finished_import.result["created"]:
        assert entry["password"] in html
    assert 'data-error-code="duplicate_username"' in html and "Thư điện tử" in html
    assert "Không tìm thấy đơn vị đang hoạt động «Cục Không Tồn Tại»." in html
    assert "Xóa mật khẩu khỏi kết quả" in html
    assert reverse("web:job_errors_xlsx", args=[finished_import.pk]) in html


@transactional
def test_progress_partial_of_a_finished_import_carries_its_result(world, web_client, finished_import):
    html = web_client(world.sysadmin).get(reverse("web:job_progress", args=[finished_import.pk])).content.decode()
    assert html.startswith('<div id="job-live" data-job-state="succeeded">')
    assert 'data-testid="created-accounts"' in html


@transactional
def test_owner_downloads_the_error_report(world, web_client, finished_import):
    response = web_client(world.sysadmin).get(reverse("web:job_errors_xlsx", args=[finished_import.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == [3, 4, 5]


@transactional
def test_owner_wipes_passwords_from_the_page(world, web_client, finished_import):
    client = web_client(world.sysadmin)
    response = client.post(reverse("web:job_wipe_passwords", args=[finished_import.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:job_detail", args=[finished_import.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Đã xóa mật khẩu ban đầu khỏi kết quả nhập tài khoản." in html
    assert 'data-testid="passwords-wiped"' in html and "Xóa mật khẩu khỏi kết quả" not in html
    for entry in finished_import.result["created"]:
        assert entry["password"] not in html
    assert AuditEvent.objects.filter(action="account.import_passwords_wiped").count() == 1


@transactional
def test_someone_else_cannot_wipe_passwords_from_the_page(world, web_client, finished_import):
    response = web_client(world.vp_admin).post(reverse("web:job_wipe_passwords", args=[finished_import.pk]))
    assert response.status_code == 404
    finished_import.refresh_from_db()
    assert all(c["password"] for c in finished_import.result["created"])


# --- /quan-tri/tai-khoan/nhap/ ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sysadmin", "vp_admin"])
def test_admins_see_the_import_page_with_columns_and_template(world, web_client, who):
    response = web_client(getattr(world, who)).get(reverse("web:account_import"))
    assert response.status_code == 200
    html = response.content.decode()
    for label in HEADER:
        assert label in html
    assert reverse("web:account_import_template") in html
    assert 'enctype="multipart/form-data"' in html


def test_specialist_cannot_open_the_import_page(world, web_client):
    client = web_client(world.specialist)
    assert client.get(reverse("web:account_import")).status_code == 403
    assert (
        client.post(reverse("web:account_import"), {"file": upload(xlsx_bytes(GOOD_AND_BAD), "a.xlsx")}).status_code
        == 403
    )
    assert client.get(reverse("web:account_import_template")).status_code == 403
    assert not Job.objects.exists()


def test_admin_downloads_the_template(world, web_client):
    response = web_client(world.vp_admin).get(reverse("web:account_import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER
    # A unit administrator's catalogue lists the units they may import into.
    units = [r[0].value for r in wb["Danh mục"].iter_rows(min_row=2) if r[0].value]
    assert units == ["VP", "VP-TH"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7 hello", "danh-sach.pdf", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        (b"not a zip", "danh-sach.xlsx", "Tệp không phải bảng tính Excel (.xlsx) hợp lệ."),
        (
            csv_bytes([["nv.an", "x"]], header=["Tên đăng nhập", "Tên"]),
            "ds.csv",
            "Thiếu cột bắt buộc: Họ và tên, Đơn vị, Chức vụ.",
        ),
    ],
)
def test_bad_file_is_refused_beside_the_field_and_no_job_is_created(world, web_client, data, name, message):
    response = web_client(world.sysadmin).post(reverse("web:account_import"), {"file": upload(data, name)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-error-for="file"' in html and message in html
    assert not Job.objects.exists()


def test_good_file_becomes_a_job_and_the_admin_is_sent_to_its_page(world, web_client):
    response = web_client(world.vp_admin).post(
        reverse("web:account_import"), {"file": upload(csv_bytes(GOOD_AND_BAD, delimiter=";"), "danh-sach.csv")}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:job_detail", args=[job.pk])
    assert (job.owner, job.total, job.input_name) == (world.vp_admin, 8, "danh-sach.csv")


@transactional
def test_import_through_the_page_then_the_worker_shows_the_result(world, web_client):
    client = web_client(world.sysadmin)
    response = client.post(reverse("web:account_import"), {"file": upload(xlsx_bytes(GOOD_AND_BAD), "ds.xlsx")})
    run_queued_jobs()
    html = client.get(response["Location"]).content.decode()
    assert "Hoàn thành" in html and "8/8 (100%)" in html and 'data-testid="import-errors"' in html
