"""Signature checks of stored PDFs (the receive step: "check authenticity, integrity,
completeness, signatures"): one SignatureReport per StoredFile.

A registration schedules the check of its signed PDFs; the check runs in the background
worker after the registration commits (validation of a large PDF can take a second, and
nothing in it needs the registering transaction), so the page shows "Đang kiểm tra chữ
ký…" until it is done. A person can re-check at any time (trust roots and revocation
data change); the result replaces the stored one. Every check is on the audit log.

This is a django-tasks task rather than a vanban Job: a Job belongs to a user and lists
in their "Tác vụ" page, while a signature check belongs to the file (incoming documents
from the exchange arrive with no user at all) and shows its state on the document."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from vanban.audit import services as audit
from vanban.core import context
from vanban.documents import storage
from vanban.documents.models import SignatureReport, StoredFile

logger = logging.getLogger(__name__)

SYSTEM_ERROR = "Lỗi hệ thống khi kiểm tra chữ ký số. Quản trị viên có thể xem chi tiết trong nhật ký máy chủ."


def needs_check(stored: StoredFile) -> bool:
    return stored.kind == StoredFile.Kind.PDF and stored.is_signed_pdf


def schedule_checks(files: Iterable[StoredFile]) -> list[SignatureReport]:
    """A pending report for each signed PDF that has none (or whose check failed), and
    the check queued once the caller's transaction commits. Call inside that transaction."""
    scheduled = []
    for stored in files:
        if not needs_check(stored):
            continue
        report, created = SignatureReport.objects.get_or_create(file=stored)
        if not created and report.state != SignatureReport.State.FAILED:
            continue  # the same bytes were checked (or are being checked) already
        if not created:
            SignatureReport.objects.filter(pk=report.pk).update(state=SignatureReport.State.PENDING)
        scheduled.append(report)
        transaction.on_commit(functools.partial(check_signatures_task.enqueue, stored.pk))
    return scheduled


def check_file(*, actor: Any | None, stored: StoredFile) -> SignatureReport:
    """Validate the stored bytes now and keep the result. The validation runs outside any
    transaction (it can take a second; the row is written afterwards)."""
    from vanban.signatures.validation import SignatureCheckError, validate_pdf

    if stored.kind != StoredFile.Kind.PDF:
        raise SignatureCheckError("not_pdf", "Chỉ tệp PDF mới có chữ ký số để kiểm tra.", "file")
    data = storage.read_blob(stored.sha256)
    values: dict[str, Any]
    try:
        result = validate_pdf(data)
    except SignatureCheckError as exc:
        values = {
            "state": SignatureReport.State.FAILED,
            "ok": None,
            "trusted": None,
            "signature_count": 0,
            "error_code": exc.code,
            "error_message": exc.message[:300],
            "report": {},
        }
    else:
        values = {
            "state": SignatureReport.State.DONE,
            "ok": result.ok,
            "trusted": result.trusted,
            "signature_count": len(result.signatures),
            "error_code": "",
            "error_message": "",
            "report": result.as_dict(),
        }
    return _save(actor=actor, stored=stored, values=values)


@transaction.atomic
def _save(*, actor: Any | None, stored: StoredFile, values: dict[str, Any]) -> SignatureReport:
    report, _ = SignatureReport.objects.update_or_create(file=stored, defaults={**values, "checked_at": timezone.now()})
    audit.record(
        actor=actor,
        action="file.signatures_checked",
        target=stored,
        data={
            "sha256": stored.sha256,
            "state": report.state,
            "ok": report.ok,
            "trusted": report.trusted,
            "signatures": report.signature_count,
            **({"error": report.error_code} if report.error_code else {}),
        },
    )
    return report


def reports_for(files: Iterable[StoredFile]) -> dict[int, SignatureReport]:
    """The reports of several files in one query, by StoredFile id."""
    ids = [f.pk for f in files]
    return {r.file_id: r for r in SignatureReport.objects.filter(file_id__in=ids)} if ids else {}


def report_of(stored: StoredFile) -> SignatureReport | None:
    try:
        return stored.signature_report
    except SignatureReport.DoesNotExist:
        return None


@task()
def check_signatures_task(file_id: int) -> str:
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None:
        return "missing"
    with context.use(context.RequestContext(channel="worker")):
        try:
            return check_file(actor=None, stored=stored).state
        except Exception:
            # The page must not wait forever for a check that crashed; the traceback goes
            # to the server log only.
            logger.exception("signature check of stored file %s failed", file_id)
            SignatureReport.objects.filter(file_id=file_id).update(
                state=SignatureReport.State.FAILED,
                error_code="system_error",
                error_message=SYSTEM_ERROR,
                checked_at=timezone.now(),
            )
            return SignatureReport.State.FAILED
