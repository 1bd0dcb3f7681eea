"""/api/v1/jobs and /api/v1/accounts/import."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from vanban.accounts import services as accounts
from vanban.conftest import run_queued_jobs
from vanban.jobs.models import Job
from vanban.jobs.tests.helpers import GOOD, GOOD_AND_BAD, HEADER, build_world, csv_bytes, start, xlsx_bytes

transactional = pytest.mark.django_db(transaction=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT = "/api/v1/accounts/import"


@pytest.fixture
def world(make_unit, make_user, position):
    return build_world(make_unit, make_user, position)


def post_file(client: APIClient, data: bytes, name: str):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def test_jobs_list_shows_only_own_jobs_paged(world, api_client):
    mine = [start(world.vp_admin), start(world.vp_admin)]
    start(world.sysadmin)
    response = api_client(world.vp_admin).get("/api/v1/jobs", {"page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert body["results"][0]["id"] == str(mine[1].pk)
    assert "result" not in body["results"][0]
    assert body["results"][0] | {"id": None, "title": None, "created_at": None} == {
        "id": None,
        "kind": "accounts.import",
        "title": None,
        "state": "queued",
        "state_label": "Đang chờ",
        "done": 0,
        "total": 8,
        "percent": 0,
        "input_name": "tai-khoan.xlsx",
        "error": "",
        "created_at": None,
        "started_at": None,
        "finished_at": None,
    }


def test_jobs_list_query_count_does_not_grow_with_jobs(world, api_client, django_assert_max_num_queries):
    client = api_client(world.sysadmin)
    start(world.sysadmin)
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/jobs")
    for _ in range(10):
        start(world.sysadmin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/jobs").json()["count"] == 11


def test_another_persons_job_is_not_found(world, api_client):
    job = start(world.sysadmin)
    assert api_client(world.vp_admin).get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert api_client(world.sysadmin).get(f"/api/v1/jobs/{job.pk}").status_code == 200
    response = api_client(world.sysadmin).get(f"/api/v1/jobs/{uuid.uuid4()}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@transactional
def test_finished_import_job_reports_progress_result_and_times(world, api_client):
    job = start(world.sysadmin)
    run_queued_jobs()
    body = api_client(world.sysadmin).get(f"/api/v1/jobs/{job.pk}").json()
    assert (body["state"], body["done"], body["total"], body["percent"]) == ("succeeded", 8, 8, 100)
    assert body["started_at"].endswith("+07:00") and body["finished_at"]
    assert {c["username"] for c in body["result"]["created"]} == GOOD
    assert all(c["password"] for c in body["result"]["created"])
    assert [(e["row"], e["code"], e["field"]) for e in body["result"]["errors"]] == [
        (3, "duplicate_username", "username"),
        (4, "invalid_email", "email"),
        (5, "unknown_unit", "unit"),
    ]


def test_admin_uploads_a_file_and_gets_202_with_the_queued_job(world, api_client):
    response = post_file(api_client(world.vp_admin), xlsx_bytes(GOOD_AND_BAD), "danh-sach.xlsx")
    assert response.status_code == 202
    job = Job.objects.get()
    assert response.json()["id"] == str(job.pk)
    assert (response.json()["state"], response.json()["total"], job.owner) == ("queued", 8, world.vp_admin)


@transactional
def test_uploaded_csv_is_imported_by_the_worker(world, api_client):
    client = api_client(world.sysadmin)
    job_id = post_file(client, csv_bytes(GOOD_AND_BAD, delimiter=";"), "ds.csv").json()["id"]
    run_queued_jobs()
    assert client.get(f"/api/v1/jobs/{job_id}").json()["result"]["created_count"] == 5


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.7 hello", "ds.pdf", "not_a_spreadsheet"),
        (b"garbage", "ds.xlsx", "not_a_spreadsheet"),
        (csv_bytes([["nv.an"]], header=["Tên đăng nhập"]), "ds.csv", "wrong_columns"),
        (b"", "ds.csv", "empty_file"),
        (xlsx_bytes([]), "ds.xlsx", "empty_file"),
        (
            ",".join(HEADER).encode() + "\nnv.an,Nguyễn Văn An,,,VP,Chuyên viên,\n".encode("cp1258", "replace"),
            "ds.csv",
            "not_utf8",
        ),
    ],
)
def test_bad_file_is_refused_with_400_and_its_code_and_no_job(world, api_client, data, name, code):
    response = post_file(api_client(world.sysadmin), data, name)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["field"] == "file" and response.json()["message"]
    assert not Job.objects.exists()


def test_upload_without_a_file_is_refused(world, api_client):
    response = api_client(world.sysadmin).post(IMPORT, {}, format="multipart")
    assert response.status_code == 400 and response.json()["field"] == "file"


def test_specialist_cannot_import_or_download_the_template(world, api_client):
    client = api_client(world.specialist)
    assert post_file(client, xlsx_bytes(GOOD_AND_BAD), "ds.xlsx").status_code == 403
    assert client.get(f"{IMPORT}/template").status_code == 403
    assert not Job.objects.exists()


def test_token_without_admin_scope_cannot_import(world):
    _, secret = accounts.create_api_token(
        actor=world.sysadmin, user=world.sysadmin, name="Tập lệnh", scopes=["read", "write"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert post_file(client, xlsx_bytes(GOOD_AND_BAD), "ds.xlsx").status_code == 403
    _, admin_secret = accounts.create_api_token(
        actor=world.sysadmin, user=world.sysadmin, name="Quản trị", scopes=["read", "write", "admin"]
    )
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {admin_secret}")
    assert post_file(client, xlsx_bytes(GOOD_AND_BAD), "ds.xlsx").status_code == 202


@pytest.mark.parametrize("accept", ["*/*", XLSX])
def test_admin_downloads_the_template(world, api_client, accept):
    response = api_client(world.sysadmin).get(f"{IMPORT}/template", HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]] == HEADER
