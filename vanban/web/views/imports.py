"""Importing accounts from a spreadsheet: the page that explains the columns, the
template, and the upload that becomes a background job."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.accounts import imports
from vanban.core.errors import VanbanError
from vanban.jobs.selectors import jobs_visible_to
from vanban.organisation.permissions import is_admin
from vanban.organisation.roles import Role
from vanban.web.forms import VanbanForm
from vanban.web.views.jobs import XLSX


class AccountImportForm(VanbanForm):
    file = forms.FileField(
        label="Tệp danh sách tài khoản",
        help_text="Tệp Excel (.xlsx) hoặc CSV (UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy), tối đa "
        f"{imports.MAX_ROWS} dòng, {imports.MAX_BYTES // (1024 * 1024)} MB.",
        error_messages={"required": "Vui lòng chọn tệp cần nhập.", "empty": "Tệp rỗng, không có dữ liệu."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


@login_required
def account_import(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = AccountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte over the limit is enough for the service to refuse the size,
            # without reading a huge upload into memory.
            job = imports.start_import(
                actor=request.user, filename=upload.name, data=upload.read(imports.MAX_BYTES + 1)
            )
        except VanbanError as exc:
            form.add_vanban_error(exc)
        else:
            messages.success(request, "Đã nhận tệp. Hệ thống đang tạo tài khoản; tiến độ hiển thị bên dưới.")
            return redirect("web:job_detail", pk=job.pk)
    recent = jobs_visible_to(request.user).filter(kind=imports.JOB_KIND).defer("result", "params")[:5]
    return render(
        request,
        "web/imports/account_import.html",
        {
            "page_title": "Nhập tài khoản từ tệp",
            "form": form,
            "columns": imports.COLUMNS,
            "roles": Role.choices,
            "recent": recent,
            "max_rows": imports.MAX_ROWS,
        },
    )


@login_required
def account_import_template(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    response = HttpResponse(imports.build_template(request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-tai-khoan.xlsx"'
    return response
