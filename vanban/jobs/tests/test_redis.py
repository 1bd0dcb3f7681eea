"""The Redis (RQ) task backend, against the local Redis server (database 15).

These tests fail, not skip, when Redis is down: a deployment that chose Redis must
know its queue works."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from vanban.jobs.models import Job, WorkerHeartbeat
from vanban.jobs.tests.helpers import GOOD, build_world, start

REDIS_URL = "redis://127.0.0.1:6379/15"

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(make_unit, make_user, position):
    return build_world(make_unit, make_user, position)


def scratch_redis() -> redis.Redis:
    """The scratch database, emptied. A Redis that is down fails the test right here."""
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc} (start it with `make services`)")
    connection.flushdb()
    return connection


@pytest.fixture
def rq_backend():
    """Settings as VANBAN_TASKS_BACKEND=redis makes them, pointing at the scratch database."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES={"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}},
        INSTALLED_APPS=[*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"],
    ):
        yield


def test_import_is_queued_in_redis_and_run_by_an_rq_worker(world, rq_backend):
    import django_rq
    from rq import SimpleWorker

    scratch_redis()
    job = start(world.sysadmin)
    queue = django_rq.get_queue("default")
    assert queue.count == 1
    job.refresh_from_db()
    assert job.task_id and job.state == Job.State.QUEUED

    worker = django_rq.get_worker("default", worker_class=SimpleWorker, job_class="django_tasks_rq.Job")
    assert worker.work(burst=True) is True

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert {c["username"] for c in job.result["created"]} == GOOD
    assert (job.done, job.total) == (8, 8)
    assert queue.count == 0


def test_vanban_worker_runs_the_redis_queue_with_a_heartbeat(world, rq_backend):
    scratch_redis()
    job = start(world.sysadmin, [["a.vp", "Người Một", "", "", "VP", "Chuyên viên", "Chuyên viên"]])
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert [c["username"] for c in job.result["created"]] == ["a.vp"]
    assert WorkerHeartbeat.objects.exists()
