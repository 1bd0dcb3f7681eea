"""Reading an incoming document's first page into a proposal for the registration form.

`request_proposal` checks the upload like any incoming file, keeps it in a private
working folder and reads it at once when it is a PDF with a text layer (a fraction of a
second); a scan goes to a background job (OCR takes seconds) whose progress the clerk
sees. A secrecy stamp found on the page keeps nothing of the document: the working
copy is deleted and only the stamp is kept, so the form can show the refusal."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import NotFound, PermissionDenied
from vanban.documents.files import prepare_upload
from vanban.documents.models import StoredFile
from vanban.extraction.engine import catalogue_types
from vanban.extraction.errors import ExtractionError
from vanban.extraction.layout import ReadError, pdf_text_page, read_first_page
from vanban.extraction.models import Proposal
from vanban.extraction.rules import FIELDS, propose
from vanban.incoming.permissions import may_register

logger = logging.getLogger(__name__)

READABLE_KINDS = frozenset({StoredFile.Kind.PDF, StoredFile.Kind.PNG, StoredFile.Kind.JPEG, StoredFile.Kind.TIFF})
JOB_KIND = "extraction.read"
UNREADABLE = "Không đọc được trang đầu của tệp «{name}». Hãy nhập thông tin văn bản bằng tay."


def work_root() -> Path:
    return Path(settings.VAR_DIR) / "extraction"


def kept_file(proposal: Proposal) -> Path | None:
    if not proposal.work_path:
        return None
    path = work_root() / proposal.work_path
    return path if path.is_file() else None


@transaction.atomic
def request_proposal(*, actor: Any, name: str, content: Any) -> Proposal:
    """Keep the file and read it (now, or in a job for a scan). Only clerks, who
    register incoming documents, may ask."""
    if not may_register(actor):
        raise PermissionDenied("Chỉ văn thư mới dùng chức năng đọc tự động văn bản đến.")
    with prepare_upload(name, content) as upload:
        if upload.kind not in READABLE_KINDS:
            raise ExtractionError(
                "unreadable_kind",
                f"Tệp «{upload.name}» không phải PDF hay ảnh quét (PNG, JPEG, TIFF): không đọc tự động được.",
                "file",
            )
        proposal = Proposal(owner=actor, file_name=upload.name, file_sha256=upload.sha256, file_size=upload.size)
        folder = work_root() / str(proposal.id)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"page{Path(upload.name).suffix.lower()}"
        shutil.copyfile(upload.path, target)
        proposal.work_path = f"{proposal.id}/{target.name}"
        text_page = None
        if upload.kind == StoredFile.Kind.PDF:
            try:
                text_page = pdf_text_page(target)
            except ReadError:
                text_page = None
        proposal.save()
        audit.record(
            actor=actor,
            action="extraction.requested",
            target=proposal,
            target_repr=proposal.file_name[:200],
            data={"sha256": upload.sha256, "size": upload.size, "text_layer": text_page is not None},
        )
    if text_page is not None:
        started = time.perf_counter()
        _finish(proposal, propose(text_page, catalogue_types()), "text", time.perf_counter() - started)
    else:
        from vanban.jobs.services import start_job

        job = start_job(
            owner=actor,
            kind=JOB_KIND,
            title=f"Đọc tự động (OCR) «{proposal.file_name}»"[:200],
            params={"proposal": str(proposal.id)},
            input_name=proposal.file_name,
            total=3,
        )
        Proposal.objects.filter(pk=proposal.pk).update(job=job)
        proposal.job = job
    return proposal


def _finish(proposal: Proposal, result: dict[str, Any], source: str, seconds: float) -> None:
    fields = {key: result.get(key) for key in FIELDS}
    if fields.get("secrecy"):
        # A secret document must leave no trace of its content in the system.
        fields = {key: (fields["secrecy"] if key == "secrecy" else None) for key in FIELDS}
        discard_file(proposal)
    proposal.fields = fields
    proposal.source = source
    proposal.state = Proposal.State.DONE
    proposal.seconds = round(seconds, 3)
    proposal.finished_at = timezone.now()
    proposal.save(update_fields=["fields", "source", "state", "seconds", "finished_at", "work_path"])


def read_in_job(proposal_id: str, progress: Any) -> dict[str, Any]:
    """The job's work: OCR of the first page, then the layout rules."""
    proposal = Proposal.objects.get(pk=proposal_id)
    path = kept_file(proposal)
    if path is None:
        raise ExtractionError("file_gone", UNREADABLE.format(name=proposal.file_name), "file")
    progress(1, 3)
    started = time.perf_counter()
    try:
        page = read_first_page(path)
    except ReadError:
        logger.warning("extraction: first page of proposal %s unreadable", proposal.pk)
        proposal.state = Proposal.State.FAILED
        proposal.error = UNREADABLE.format(name=proposal.file_name)[:300]
        proposal.finished_at = timezone.now()
        proposal.save(update_fields=["state", "error", "finished_at"])
        raise ExtractionError("unreadable", proposal.error, "file") from None
    progress(2, 3)
    _finish(proposal, propose(page, catalogue_types()), page.source, time.perf_counter() - started)
    progress(3, 3)
    sweep_expired()
    return {"proposal": str(proposal.pk), "url": f"/van-ban-den/dang-ky/?de_xuat={proposal.pk}"}


def discard_file(proposal: Proposal) -> None:
    """Delete the working copy (after registration, for a secret document, on expiry)."""
    if proposal.work_path:
        shutil.rmtree(work_root() / str(proposal.id), ignore_errors=True)
        proposal.work_path = ""
        Proposal.objects.filter(pk=proposal.pk).update(work_path="")


# Working copies of proposals never registered are deleted after this long.
KEEP_WORKING_COPY = dt.timedelta(days=1)


def sweep_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the working copies of proposals older than KEEP_WORKING_COPY (the clerk
    did not register the document). Runs with every OCR job and as
    `vanban extraction_sweep`; returns how many copies were deleted."""
    cutoff = (now or timezone.now()) - KEEP_WORKING_COPY
    stale = list(Proposal.objects.filter(created_at__lt=cutoff).exclude(work_path=""))
    for proposal in stale:
        discard_file(proposal)
    return len(stale)


# --- Registering the kept file -------------------------------------------------------------

PROPOSAL_GONE = (
    "Tệp «{name}» đã tải lên khi đọc tự động không còn được giữ (đã dùng để đăng ký hoặc đã quá "
    "1 ngày): hãy gửi lại tệp cùng yêu cầu đăng ký."
)


def file_for_registration(*, actor: Any, proposal_id: Any) -> tuple[Proposal, str, Path]:
    """The actor's own proposal and the file it keeps, to be registered instead of a
    second upload (the registration form after «Đọc tự động», the incoming API's
    `proposal`). Someone else's or an unknown id, a used or expired working copy and a
    secret document are refused with stable codes; call `discard_file` once the
    document is registered, so a working copy is registered once."""
    from vanban.documents.catalogue import SECRET_MESSAGE, Secrecy
    from vanban.extraction.prefill import SECRECY_BY_MARK
    from vanban.extraction.selectors import get_proposal_for

    try:
        proposal = get_proposal_for(actor, proposal_id)
    except NotFound:
        raise ExtractionError(
            "proposal_not_found",
            "Không tìm thấy kết quả đọc tự động này trong các lần đọc tự động của bạn.",
            "proposal",
        ) from None
    secrecy = SECRECY_BY_MARK.get(proposal.secrecy or "")
    if secrecy:
        raise ExtractionError("secret_document", SECRET_MESSAGE.format(label=Secrecy(secrecy).label), "proposal")
    path = kept_file(proposal)
    if path is None or proposal.created_at < timezone.now() - KEEP_WORKING_COPY:
        raise ExtractionError("proposal_expired", PROPOSAL_GONE.format(name=proposal.file_name), "proposal")
    return proposal, proposal.file_name, path
