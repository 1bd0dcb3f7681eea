from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from vanban.jobs.models import Job


@transaction.atomic
def start_job(
    *,
    owner: Any,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    input_name: str = "",
    input_bytes: bytes | None = None,
    total: int = 0,
) -> Job:
    """Create the Job row and enqueue it once the caller's transaction commits, so a
    worker never picks up a job whose row (or whose caller's other writes) rolled back.

    `total`, when known up front, lets the progress bar show "0/N" while queued."""
    job = Job(
        owner=owner, kind=kind, title=title[:200], params=params or {}, input_name=input_name[:255], total=max(0, total)
    )
    if input_bytes is not None:
        # Content-addressed and never overwritten: the same bytes uploaded again reuse
        # the stored object (same name, same content by construction).
        digest = hashlib.sha256(input_bytes).hexdigest()
        name = f"jobs/{digest[:2]}/{digest}"
        job.input_path = name if default_storage.exists(name) else default_storage.save(name, ContentFile(input_bytes))
    job.save()

    def enqueue() -> None:
        from vanban.jobs.tasks import run_job

        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def read_input(job: Job) -> bytes:
    with default_storage.open(job.input_path, "rb") as fh:
        return fh.read()
