"""The page that prints or exports a register (sổ đăng ký văn bản đến or đi) for a
period: what the incoming and the outgoing page share. Thin: the rules are in the
kind's `exports` module (`exportable_registers`, `export_register`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import ModuleType
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from vanban.core import errors
from vanban.documents.models import Register
from vanban.documents.register_exports import ExportFormat
from vanban.web.forms import VanbanForm, date_field


def _register_label(register: Register) -> str:
    owner = register.unit.name if register.unit_id else register.organ.name
    return f"{register.name} — {owner}"


class RegisterExportForm(VanbanForm):
    so = forms.TypedChoiceField(label="Sổ văn bản", coerce=int)
    tu_ngay = date_field("Từ ngày", required=False, help_text="Bỏ trống để lấy từ đầu năm của sổ.")
    den_ngay = date_field("Đến ngày", required=False, help_text="Bỏ trống để lấy đến cuối năm của sổ.")
    dinh_dang = forms.ChoiceField(label="Định dạng", choices=ExportFormat.choices)

    def __init__(self, *args: Any, registers: list[Register], register_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registers = {r.pk: r for r in registers}
        self.fields["so"].label = register_label
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
        "dinh_dang": ExportFormat.PDF,
    }


def register_export_view(
    books: ModuleType, *, template: str, page_title: str, register_label: str
) -> Callable[[HttpRequest], HttpResponseBase]:
    """The page of one kind of register (`books`: its exports module)."""

    @login_required
    def view(request: HttpRequest) -> HttpResponseBase:
        return register_export_page(
            request, books=books, template=template, page_title=page_title, register_label=register_label
        )

    return view


def register_export_page(
    request: HttpRequest, *, books: ModuleType, template: str, page_title: str, register_label: str
) -> HttpResponseBase:
    """The form (GET without `dinh_dang`) or the file (GET with it): a GET form, so the
    download is an ordinary link a clerk can bookmark or send to a colleague."""
    registers = list(books.exportable_registers(request.user))
    status = 200
    if "dinh_dang" in request.GET:
        form = RegisterExportForm(request.GET, registers=registers, register_label=register_label)
        if form.is_valid():
            data = form.cleaned_data
            try:
                export = books.export_register(
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
        form = RegisterExportForm(
            initial=_initial(registers, request), registers=registers, register_label=register_label
        )
    return render(
        request,
        template,
        {"page_title": page_title, "form": form, "has_registers": bool(registers)},
        status=status,
    )
