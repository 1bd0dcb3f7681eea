from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vanban.conftest import run_queued_jobs
from vanban.documents.tests.docs_world import World, isolated_storage, world  # noqa: F401
from vanban.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_root(settings: Any, tmp_path: Path) -> Path:
    settings.BACKUP_ROOT = str(tmp_path / "backups")
    return tmp_path / "backups"


def test_admin_starts_a_backup_job_from_the_page_and_sees_it_listed(world, isolated_storage, web_client):  # noqa: F811
    client = web_client(world.sysadmin)
    page = client.get("/quan-tri/sao-luu/")
    assert page.status_code == 200 and "Chưa có bản sao lưu nào." in page.content.decode()
    response = client.post("/quan-tri/sao-luu/tao/")
    job = Job.objects.get(kind="backup.create")
    assert response.status_code == 302 and response["Location"] == f"/tac-vu/{job.pk}/"
    run_queued_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.percent == 100 and job.result["name"].startswith("vanban-")
    listing = client.get("/quan-tri/sao-luu/").content.decode()
    assert job.result["name"] in listing and "Hoàn thành" in listing


def test_api_lists_and_starts_backups_for_system_admins_only(world, isolated_storage, api_client):  # noqa: F811
    admin = api_client(world.sysadmin)
    started = admin.post("/api/v1/backups")
    assert started.status_code == 202 and started.json()["kind"] == "backup.create"
    run_queued_jobs()
    listed = admin.get("/api/v1/backups").json()
    assert len(listed) == 1 and listed[0]["rows"] > 0 and listed[0]["engine"] in ("sqlite", "postgresql")
    clerk = api_client(world.ministry_clerk)
    assert clerk.get("/api/v1/backups").status_code == 403
    assert clerk.post("/api/v1/backups").status_code == 403
    assert not Job.objects.filter(owner=world.ministry_clerk).exists()


def test_other_people_do_not_find_the_backup_page(world, web_client):  # noqa: F811
    assert web_client(world.ministry_clerk).get("/quan-tri/sao-luu/").status_code == 404
    assert web_client(world.ministry_clerk).post("/quan-tri/sao-luu/tao/").status_code == 404
