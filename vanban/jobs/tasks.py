from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from vanban.core import context
from vanban.core.errors import VanbanError
from vanban.jobs.models import Job
from vanban.jobs.registry import handler_for

logger = logging.getLogger(__name__)

SYSTEM_ERROR = "Lỗi hệ thống khi chạy tác vụ. Quản trị viên có thể xem chi tiết trong nhật ký máy chủ."


@task()
def run_job(job_id: str) -> str:
    """Runs one Job through its registered handler, recording progress as it goes.

    Stale connections are the worker's business (db_worker and RQ's work horse both
    start each task with fresh ones); closing them here would also break callers that
    run the task inside a transaction, such as the immediate backend in tests."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s vanished before it ran", job_id)
        return "missing"
    if job.is_finished:
        return job.state
    # Claim the row; a second delivery of the same task (a retried RQ job, two workers)
    # finds it no longer queued and leaves it alone.
    claimed = Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job.state
    job.refresh_from_db()

    def progress(done: int, total: int) -> None:
        # Autocommitted on its own, so the web page sees each step while the job runs.
        Job.objects.filter(pk=job.pk).update(done=done, total=total)
        job.done, job.total = done, total

    with context.use(context.RequestContext(channel="worker")):
        try:
            result = handler_for(job.kind)(job, progress)
        except VanbanError as exc:
            Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, error=exc.message, finished_at=timezone.now())
            return Job.State.FAILED
        except Exception:
            # The traceback goes to the server log only: the job's result is shown to its
            # owner and through the API, and must not leak paths or data of the server.
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, error=SYSTEM_ERROR, finished_at=timezone.now())
            return Job.State.FAILED
    total = job.total or job.done
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.SUCCEEDED, result=result, finished_at=timezone.now(), done=total, total=total
    )
    return Job.State.SUCCEEDED
