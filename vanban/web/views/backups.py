"""Sao lưu: the system administrator's page listing backups and starting one as a
background job (progress on the job's page). Restoring is done on the server with
`vanban restore`, on a fresh install."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.backup import jobs, services
from vanban.core.errors import VanbanError
from vanban.jobs.models import Job
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role


def _sysadmin(request: HttpRequest) -> None:
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise Http404


@login_required
def backup_list(request: HttpRequest) -> HttpResponse:
    _sysadmin(request)
    recent = Job.objects.filter(kind=jobs.JOB_KIND).select_related("owner").defer("params")[:10]
    return render(request, "web/backups/list.html", {
        "page_title": "Sao lưu hệ thống", "backups": services.list_backups(), "jobs": recent,
        "root": services.backup_root(),
    })


@login_required
@require_POST
def backup_start(request: HttpRequest) -> HttpResponse:
    _sysadmin(request)
    try:
        job = jobs.start_backup(actor=request.user)
    except VanbanError as exc:
        messages.error(request, exc.message)
        return redirect("web:backups")
    messages.success(request, "Đã bắt đầu sao lưu; theo dõi tiến độ dưới đây.")
    return redirect("web:job_detail", pk=job.pk)
