"""Printing and exporting văn bản đến: the register for a period (Excel or PDF for
binding) and the receipt slip of one document. Thin: the rules are in
vanban.incoming.exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from vanban.core import errors
from vanban.documents.models import Register
from vanban.incoming import exports, selectors
from vanban.web.forms import VanbanForm, date_field


def _register_label(register: Register) -> str:
    owner = register.unit.name if register.unit_id else register.organ.name
    return f"{register.name} — {owner}"


class RegisterExportForm(VanbanForm):
    so = forms.TypedChoiceField(label="Sổ văn bản đến", coerce=int)
    tu_ngay = date_field("Từ ngày", required=False, help_text="Bỏ trống để lấy từ đầu năm của sổ.")
    den_ngay = date_field("Đến ngày", required=False, help_text="Bỏ trống để lấy đến cuối năm của sổ.")
    dinh_dang = forms.ChoiceField(label="Định dạng", choices=exports.ExportFormat.choices)

    def __init__(self, *args: Any, registers: list[Register], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registers = {r.pk: r for r in registers}
        self.fields["so"].choices = [(r.pk, _register_label(r)) for r in registers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", "Đến ngày phải sau hoặc bằng từ ngày.")
        return data


def _initial(registers: list[Register], request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    register = registers[0] if registers else None
    wanted = request.GET.get("so", "")
    for r in registers:
        if str(r.pk) == wanted:
            register = r
    year = register.year if register else today.year
    end = today if year == today.year else dt.date(year, 12, 31)
    return {
        "so": register.pk if register else None,
        "tu_ngay": dt.date(year, 1, 1),
        "den_ngay": end,
        "dinh_dang": exports.ExportFormat.PDF,
    }


@login_required
def incoming_register_export(request: HttpRequest) -> HttpResponseBase:
    """The form (GET without `dinh_dang`) or the file (GET with it): a GET form, so the
    download is an ordinary link a clerk can bookmark or send to a colleague."""
    registers = list(exports.exportable_registers(request.user))
    status = 200
    if "dinh_dang" in request.GET:
        form = RegisterExportForm(request.GET, registers=registers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                export = exports.export_register(
                    actor=request.user,
                    register=form.registers[data["so"]],
                    date_from=data["tu_ngay"],
                    date_to=data["den_ngay"],
                    fmt=data["dinh_dang"],
                )
            except errors.VanbanError as exc:
                form.add_vanban_error(exc)
            else:
                return FileResponse(
                    export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
                )
        status = 400
    else:
        form = RegisterExportForm(initial=_initial(registers, request), registers=registers)
    return render(
        request,
        "web/incoming/export.html",
        {"page_title": "In, xuất sổ đăng ký văn bản đến", "form": form, "has_registers": bool(registers)},
        status=status,
    )


@login_required
def incoming_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt slip as a PDF shown in the browser, ready to print."""
    try:
        doc = selectors.get_incoming_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None
    content = exports.print_receipt(actor=request.user, document=doc)
    response = HttpResponse(content, content_type=exports.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'inline; filename="giay-bien-nhan-van-ban-den-{doc.register.year}-{doc.arrival_number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
