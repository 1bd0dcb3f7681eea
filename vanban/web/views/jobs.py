"""The person's own background jobs: the list, one job with live progress, and what an
account import left behind (created accounts, initial passwords, per-row errors)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vanban.accounts import imports
from vanban.core.errors import VanbanError
from vanban.jobs.models import Job
from vanban.jobs.selectors import jobs_visible_to

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _own_job(request: HttpRequest, pk: uuid.UUID, *, with_result: bool = True) -> Job:
    jobs = jobs_visible_to(request.user)
    if not with_result:
        jobs = jobs.defer("result", "params")
    return get_object_or_404(jobs, pk=pk)


def _live_context(job: Job) -> dict[str, Any]:
    context: dict[str, Any] = {"job": job, "is_import": job.kind == imports.JOB_KIND}
    if context["is_import"] and job.state == Job.State.SUCCEEDED:
        result = job.result or {}
        context.update(
            created=result.get("created", []),
            errors=imports.import_errors(job),
            passwords_wiped=result.get("passwords_wiped", False),
            has_passwords=any(c.get("password") for c in result.get("created", [])),
        )
    return context


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(request.user).defer("result", "params")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/jobs/list.html", {"page_title": "Tác vụ nền", "page": page})


@login_required
def job_row(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """One row of the list, polled by htmx while the job is queued or running."""
    return render(request, "web/jobs/_row.html", {"job": _own_job(request, pk, with_result=False)})


@login_required
def job_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "web/jobs/detail.html", {"page_title": job.title, **_live_context(job)})


@login_required
def job_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The live part of the job page, polled by htmx until the job finishes."""
    return render(request, "web/jobs/_live.html", _live_context(_own_job(request, pk)))


@login_required
def job_errors_xlsx(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    if job.kind != imports.JOB_KIND or job.state != Job.State.SUCCEEDED:
        raise Http404
    response = HttpResponse(imports.error_report(job), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-tai-khoan-{job.created_at:%Y%m%d-%H%M}.xlsx"'
    return response


@login_required
@require_POST
def job_wipe_passwords(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk, with_result=False)
    try:
        imports.wipe_passwords(actor=request.user, job=job)
        messages.success(request, "Đã xóa mật khẩu ban đầu khỏi kết quả nhập tài khoản.")
    except VanbanError as exc:
        messages.error(request, exc.message)
    return redirect("web:job_detail", pk=job.pk)
