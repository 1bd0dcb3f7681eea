from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from vanban.jobs.models import Job


def start_job(
    *, owner: Any, kind: str, title: str, params: dict[str, Any] | None = None,
    input_name: str = "", input_bytes: bytes | None = None,
) -> Job:
    """Create the Job row and enqueue it once the caller's transaction commits."""
    job = Job(owner=owner, kind=kind, title=title, params=params or {}, input_name=input_name)
    if input_bytes is not None:
        digest = hashlib.sha256(input_bytes).hexdigest()
        job.input_path = default_storage.save(f"jobs/{digest[:2]}/{digest}", ContentFile(input_bytes))
    job.save()

    def enqueue() -> None:
        from vanban.jobs.tasks import run_job

        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def read_input(job: Job) -> bytes:
    with default_storage.open(job.input_path, "rb") as fh:
        return fh.read()
