"""Exporting the standard report: at once for a short period, as a background job for
a long one (or when asked). Every export is audited with its period, scope and format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from vanban.audit import services as audit
from vanban.core.errors import NotFound, ValidationFailed
from vanban.jobs.models import Job
from vanban.jobs.registry import ProgressFn, register
from vanban.jobs.services import start_job
from vanban.organisation.models import Unit
from vanban.reports.report import build_report, to_pdf, to_xlsx
from vanban.reports.scope import Period, scope_for

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
FORMATS = {"xlsx": XLSX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}
JOB_KIND = "reports.processing_report"
# Longer periods are built in the background: their aggregates read every document of
# the period, which at a ministry's volume takes longer than a page should wait.
BACKGROUND_AFTER_DAYS = 92


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    content: bytes


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed("unknown_format", "Định dạng phải là xlsx hoặc pdf.", "format")
    return fmt


def runs_in_background(period: Period) -> bool:
    return (period.date_to - period.date_from).days + 1 > BACKGROUND_AFTER_DAYS


@transaction.atomic
def export_report(*, actor: Any, unit: Unit | None, period: Period, fmt: str) -> ReportFile:
    """Build the report as the actor sees it and return the file."""
    check_format(fmt)
    scope = scope_for(actor, unit=unit)
    report = build_report(scope=scope, period=period)
    content = to_xlsx(report) if fmt == "xlsx" else to_pdf(report)
    audit.record(
        actor=actor,
        action="reports.exported",
        target_type="reports.processing_report",
        target_id=f"{period.date_from.isoformat()}/{period.date_to.isoformat()}",
        data={**period.as_params(), "unit": unit.pk if unit else None, "format": fmt, "rows": len(report.rows)},
    )
    return ReportFile(f"{report.filename_stem}.{fmt}", FORMATS[fmt], content)


@transaction.atomic
def start_report_export(*, actor: Any, unit: Unit | None, period: Period, fmt: str) -> Job:
    """Queue the export; the checks (format, the actor's scope, the unit) run now so a
    mistake is reported on the form rather than as a failed job."""
    check_format(fmt)
    scope_for(actor, unit=unit)
    params = {**period.as_params(), "unit": unit.pk if unit else None, "format": fmt}
    title = f"Báo cáo tình hình xử lý văn bản {period.date_from:%d/%m/%Y}–{period.date_to:%d/%m/%Y} ({fmt.upper()})"
    job = start_job(owner=actor, kind=JOB_KIND, title=title, params=params, total=3)
    audit.record(actor=actor, action="reports.export_started", target=job, data=params)
    return job


@register(JOB_KIND)
def run_report_job(job: Job, progress: ProgressFn) -> dict[str, Any]:
    p = job.params
    unit = None
    if p.get("unit"):
        unit = Unit.objects.filter(pk=p["unit"]).first()
        if unit is None:
            raise NotFound("Đơn vị của báo cáo không còn tồn tại.")
    period = Period.build(
        date_from=dt.date.fromisoformat(p["date_from"]),
        date_to=dt.date.fromisoformat(p["date_to"]),
        granularity=p.get("granularity"),
    )
    progress(1, 3)
    result = export_report(actor=job.owner, unit=unit, period=period, fmt=p["format"])
    progress(2, 3)
    name = default_storage.save(f"reports/{job.pk}/{result.filename}", ContentFile(result.content))
    progress(3, 3)
    return {
        "file": name,
        "filename": result.filename,
        "content_type": result.content_type,
        "size": len(result.content),
        "download_url": reverse("web:reports_download", args=[job.pk]),
    }


def job_file(job: Job) -> tuple[Any, str, str]:
    """The finished job's file (open handle, name, content type)."""
    if job.kind != JOB_KIND or job.state != Job.State.SUCCEEDED or not job.result.get("file"):
        raise NotFound("Báo cáo chưa sẵn sàng.")
    return default_storage.open(job.result["file"], "rb"), job.result["filename"], job.result["content_type"]
