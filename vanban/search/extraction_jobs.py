"""Background jobs: text extraction for newly linked files, and the full reindex.
Both report progress through vanban.jobs so the owner watches them on the job page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from vanban.documents.models import StoredFile
from vanban.jobs.models import Job
from vanban.jobs.registry import ProgressFn, register
from vanban.search.models import FileText

EXTRACT_KIND = "search.extract"
REINDEX_KIND = "search.reindex"


def enqueue_extraction(*, document_kind: str, document_id: int, file_id: int, owner_id: int | None) -> Job | None:
    """Called on commit of a new document file. Files already read are not queued again."""
    from vanban.jobs.services import start_job

    if owner_id is None or FileText.objects.filter(file_id=file_id).exists():
        return None
    owner = get_user_model().objects.filter(pk=owner_id).first()
    if owner is None:
        return None
    return start_job(owner=owner, kind=EXTRACT_KIND, title="Trích xuất nội dung văn bản để tìm kiếm",
                     params={"file_ids": [file_id], "document": [document_kind, document_id]}, total=1)  # fmt: skip


def _extract_all(job: Job, progress: ProgressFn, file_ids: list[int], force: bool) -> dict[str, Any]:
    from vanban.search.extraction import extract_file

    states: dict[str, int] = {}
    pages_failed = 0
    total = len(file_ids)
    progress(0, total)
    for done, file_id in enumerate(file_ids, start=1):
        stored = StoredFile.objects.filter(pk=file_id).first()
        if stored is not None:
            row = extract_file(actor=job.owner, stored=stored, force=force)
            states[row.state] = states.get(row.state, 0) + 1
            pages_failed += row.pages_failed
        progress(done, total)
    return {"files": total, "states": states, "pages_failed": pages_failed}


@register(EXTRACT_KIND)
def run_extract(job: Job, progress: ProgressFn) -> dict[str, Any]:
    return _extract_all(job, progress, [int(i) for i in job.params.get("file_ids", [])],
                        bool(job.params.get("force")))  # fmt: skip


def files_to_extract(*, force: bool = False) -> list[int]:
    """Original files linked to a document (incoming files, outgoing versions)."""
    from vanban.incoming.models import IncomingFile
    from vanban.outgoing.models import Version

    qs = StoredFile.objects.filter(derivation="").filter(
        Exists(IncomingFile.objects.filter(file=OuterRef("pk"))) | Exists(Version.objects.filter(file=OuterRef("pk")))
    )
    if not force:
        qs = qs.exclude(Exists(FileText.objects.filter(file=OuterRef("pk"))))
    return list(qs.order_by("pk").values_list("pk", flat=True))


@register(REINDEX_KIND)
def run_reindex(job: Job, progress: ProgressFn) -> dict[str, Any]:
    from vanban.search.services import rebuild_index

    force = bool(job.params.get("force"))
    file_ids = files_to_extract(force=force)
    result = _extract_all(job, progress, file_ids, force)
    result["documents"] = rebuild_index()
    return result
