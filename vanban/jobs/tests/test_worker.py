"""The worker: running queued jobs, their failures, and the heartbeat /healthz reads."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from freezegun import freeze_time

from vanban.conftest import run_queued_jobs
from vanban.core.errors import ValidationFailed
from vanban.jobs import registry
from vanban.jobs.heartbeat import Heartbeat
from vanban.jobs.models import Job, WorkerHeartbeat
from vanban.jobs.services import start_job
from vanban.jobs.tasks import SYSTEM_ERROR, run_job
from vanban.jobs.tests.helpers import GOOD, build_world, start

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_unit, make_user, position):
    return build_world(make_unit, make_user, position)


def heartbeat_threads():
    return [t for t in threading.enumerate() if t.name == "vanban-heartbeat" and t.is_alive()]


@transactional
def test_worker_command_writes_a_heartbeat_runs_queued_jobs_and_stops_its_heartbeat(world):
    job = start(world.sysadmin)
    call_command("worker", batch=True, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert {c["username"] for c in job.result["created"]} == GOOD
    beat = WorkerHeartbeat.objects.get()
    assert beat.pid == os.getpid() and beat.last_seen >= beat.started_at
    assert heartbeat_threads() == []


@transactional
def test_worker_stops_after_max_tasks(world):
    first = start(world.sysadmin, [["a.vp", "Người Một", "", "", "VP", "Chuyên viên", ""]])
    second = start(world.sysadmin, [["b.vp", "Người Hai", "", "", "VP", "Chuyên viên", ""]])
    call_command("worker", max_tasks=1, interval=0, verbosity=0)
    states = dict(Job.objects.values_list("pk", "state"))
    assert (states[first.pk], states[second.pk]) == (Job.State.SUCCEEDED, Job.State.QUEUED)
    assert heartbeat_threads() == []


@transactional
def test_worker_outlives_the_database_going_away(world, monkeypatch):
    """db_worker's loop raises when the connection drops; the process waits and runs the
    loop again instead of exiting (found by exchange/tests/test_chaos.py)."""
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Worker

    from vanban.jobs.management.commands import worker as command

    job = start(world.sysadmin)
    real_run, calls, pauses = Worker.run, [], []

    def flaky_run(self):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real_run(self)

    monkeypatch.setattr(Worker, "run", flaky_run)
    monkeypatch.setattr(command.time, "sleep", pauses.append)
    call_command("worker", max_tasks=1, interval=0, no_periodic=True, verbosity=0)
    assert len(calls) == 3 and pauses == [1.0, 2.0]
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    # A batch run (cron) still fails loudly: its caller decides.
    calls.clear()
    with pytest.raises(OperationalError):
        call_command("worker", batch=True, interval=0, no_periodic=True, verbosity=0)


def test_worker_refuses_to_start_when_tasks_run_inline(db):
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate), pytest.raises(CommandError, match="không cần tiến trình xử lý nền"):
        call_command("worker", batch=True, verbosity=0)


@transactional
def test_heartbeat_thread_beats_until_stopped():
    heartbeat = Heartbeat(interval=0.05)
    heartbeat.beat()
    first = WorkerHeartbeat.objects.get(worker_id=heartbeat.worker_id).last_seen
    heartbeat.start()
    deadline = time.monotonic() + 5
    while WorkerHeartbeat.objects.get(worker_id=heartbeat.worker_id).last_seen == first:
        assert time.monotonic() < deadline, "the heartbeat thread never beat"
        time.sleep(0.05)
    heartbeat.stop()
    assert not heartbeat.is_alive()


def test_new_worker_prunes_heartbeats_of_workers_gone_for_a_day(db):
    with freeze_time("2026-01-01 08:00:00"):
        gone = Heartbeat()
        gone.beat()
    with freeze_time("2026-01-01 20:00:00"):
        recent = Heartbeat()
        recent.beat()
    with freeze_time("2026-01-02 12:00:00"):
        Heartbeat().prune()
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {recent.worker_id}


@transactional
def test_job_whose_handler_refuses_fails_with_its_vietnamese_message(make_user, monkeypatch):
    def refuse(job, progress):
        raise ValidationFailed("bad_input", "Dữ liệu đầu vào không hợp lệ.")

    monkeypatch.setitem(registry._handlers, "test.refuse", refuse)
    job = start_job(owner=make_user(), kind="test.refuse", title="Thử")
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, "Dữ liệu đầu vào không hợp lệ.")
    assert job.finished_at is not None


@transactional
def test_job_crashing_fails_with_a_plain_message_and_no_traceback_for_its_owner(make_user, monkeypatch):
    def crash(job, progress):
        progress(1, 4)
        raise RuntimeError("secret path /srv/vanban/settings.py")

    monkeypatch.setitem(registry._handlers, "test.crash", crash)
    job = start_job(owner=make_user(), kind="test.crash", title="Thử")
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.state, job.error, job.result) == (Job.State.FAILED, SYSTEM_ERROR, {})
    assert (job.done, job.total) == (1, 4)


@transactional
def test_job_delivered_twice_runs_once(make_user, monkeypatch):
    calls = []

    def count(job, progress):
        calls.append(job.pk)
        progress(1, 1)
        return {"ok": True}

    monkeypatch.setitem(registry._handlers, "test.count", count)
    job = start_job(owner=make_user(), kind="test.count", title="Thử")
    run_job.enqueue(str(job.pk))  # a second delivery of the same job
    run_queued_jobs()
    job.refresh_from_db()
    assert calls == [job.pk]
    assert (job.state, job.result, job.percent) == (Job.State.SUCCEEDED, {"ok": True}, 100)
    assert job.task_id


@transactional
def test_job_of_an_unknown_kind_fails_instead_of_staying_queued(make_user):
    job = start_job(owner=make_user(), kind="test.nobody_handles_this", title="Thử")
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, SYSTEM_ERROR)
