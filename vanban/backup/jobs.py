"""The backup as a background job, started by a system administrator from the admin
page or the API; progress shows on the job's page."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vanban.audit.services import record
from vanban.backup import services
from vanban.jobs.models import Job
from vanban.jobs.registry import ProgressFn, register
from vanban.jobs.services import start_job
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role

JOB_KIND = "backup.create"


@transaction.atomic
def start_backup(*, actor: Any) -> Job:
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    job = start_job(owner=actor, kind=JOB_KIND, title="Sao lưu hệ thống")
    record(actor=actor, action="backup.started", target=job, on_behalf_of=authority.on_behalf_of)
    return job


@register(JOB_KIND)
def run_backup(job: Job, progress: ProgressFn) -> dict[str, Any]:
    # The owner may have lost the role since starting it.
    authorize(job.owner, {Role.SYSTEM_ADMIN})
    folder = services.create_backup(actor=job.owner, progress=progress)
    return {"name": folder.name, "path": str(folder)}
