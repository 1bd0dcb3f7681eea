from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.utils import timezone

from vanban.jobs.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _beat(seconds_ago: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, started_at=now,
                                   last_seen=now - dt.timedelta(seconds=seconds_ago))


def test_healthz_is_ok_with_a_live_worker():
    _beat(1)
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_names_the_worker_when_it_is_down():
    _beat(3600)
    body = Client().get("/healthz").json()
    assert body["status"] == "down" and body["down"] == ["worker"]
    assert "không phản hồi" in body["checks"]["worker"]["detail"]


def test_healthz_names_the_storage_when_it_cannot_write(tmp_path):
    _beat(1)
    in_the_way = tmp_path / "media"
    in_the_way.write_text("a file where the storage folder should be")  # fails even for root
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                            "OPTIONS": {"location": str(in_the_way)}},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages):
        response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["down"] == ["storage"]


def test_check_deploy_refuses_unsafe_settings():
    with pytest.raises(SystemCheckError) as exc:
        call_command("check", "--deploy")
    text = str(exc.value)
    assert "vanban.E002" in text and "vanban.E003" in text


@override_settings(DEBUG=False, SECRET_KEY="x" * 64, HTTPS=True, SECURE_SSL_REDIRECT=True,
                   SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SECURE_HSTS_SECONDS=31536000,
                   SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_check_deploy_passes_production_settings():
    call_command("check", "--deploy", "--fail-level", "ERROR")
