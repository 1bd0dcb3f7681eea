"""Writes of the search app: rebuilding the index and starting the reindex job."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vanban.audit import services as audit
from vanban.jobs.models import Job
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role
from vanban.search.models import SearchEntry

BATCH = 500


def rebuild_index(*, batch: int = BATCH) -> int:
    """Rewrite every entry from its document (recovery: a bulk import that bypassed the
    documents' save, an interrupted upgrade). Entries of vanished documents are removed
    by the cascade. Each batch is one transaction."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument
    from vanban.search.sync import refresh_incoming, refresh_outgoing

    n = 0
    for model, refresh in ((IncomingDocument, refresh_incoming), (OutgoingDocument, refresh_outgoing)):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                n += refresh(ids[start : start + batch])
    return n


@transaction.atomic
def start_reindex(*, actor: Any, force: bool = False) -> Job:
    """Administrators: read every file not read yet (all of them with `force`) and rewrite
    the index, in the background."""
    from vanban.jobs.services import start_job
    from vanban.search.extraction_jobs import REINDEX_KIND, files_to_extract

    authorize(actor, {Role.SYSTEM_ADMIN})
    total = len(files_to_extract(force=force))
    job = start_job(owner=actor, kind=REINDEX_KIND, title="Trích xuất nội dung và lập lại chỉ mục tìm kiếm",
                    params={"force": force}, total=total)  # fmt: skip
    audit.record(actor=actor, action="search.reindex_started", target=job,
                 data={"force": force, "files": total, "entries": SearchEntry.objects.count()})  # fmt: skip
    return job


@transaction.atomic
def record_search(*, actor: Any, params: dict[str, Any], total: int, channel: str = "web") -> None:
    """Searches are in the audit log (who looked for what, and how many they were shown)."""
    audit.record(actor=actor, action="search.searched", target=None,
                 data={"params": {k: v for k, v in params.items() if v not in ("", None)}, "total": total})  # fmt: skip
