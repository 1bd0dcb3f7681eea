from __future__ import annotations

import logging
import traceback

from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks import task

from vanban.core import context
from vanban.core.errors import VanbanError
from vanban.jobs.models import Job
from vanban.jobs.registry import handler_for

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: str) -> str:
    """Runs one Job through its registered handler, recording progress as it goes."""
    close_old_connections()
    job = Job.objects.select_related("owner").get(pk=job_id)
    if job.is_finished:
        return job.state
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=timezone.now())
    job.refresh_from_db()

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)
        job.done, job.total = done, total

    with context.use(context.RequestContext(channel="worker")):
        try:
            result = handler_for(job.kind)(job, progress)
        except VanbanError as exc:
            Job.objects.filter(pk=job.pk).update(
                state=Job.State.FAILED, error=exc.message, finished_at=timezone.now()
            )
            return Job.State.FAILED
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            Job.objects.filter(pk=job.pk).update(
                state=Job.State.FAILED,
                error="Lỗi hệ thống khi chạy tác vụ. Quản trị viên có thể xem chi tiết trong nhật ký máy chủ.",
                result={"traceback": traceback.format_exc()[-4000:]},
                finished_at=timezone.now(),
            )
            return Job.State.FAILED
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.SUCCEEDED, result=result, finished_at=timezone.now(),
            done=job.total or job.done, total=job.total or job.done,
        )
    return Job.State.SUCCEEDED
