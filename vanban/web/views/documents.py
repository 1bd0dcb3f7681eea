"""Registers (sổ văn bản) for clerks and administrators, and the document-type
catalogue for the system administrator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vanban.documents import numbering, selectors
from vanban.documents import services as documents
from vanban.documents.catalogue import TypeGroup
from vanban.documents.models import DocumentType, Register
from vanban.documents.permissions import may_use_registers
from vanban.organisation.models import Organ, Unit
from vanban.web.forms import VanbanForm
from vanban.web.views._admin import run_action, run_with_form, sysadmin_required

# --- Forms ------------------------------------------------------------------------------


def _owner_key(owner: Organ | Unit) -> str:
    return f"unit:{owner.pk}" if isinstance(owner, Unit) else f"organ:{owner.pk}"


def _owner_label(owner: Organ | Unit) -> str:
    return f"{owner.name} (đơn vị)" if isinstance(owner, Unit) else f"{owner.name} (cơ quan)"


class RegisterOpenForm(VanbanForm):
    owner = forms.ChoiceField(label="Sổ của")
    kind = forms.ChoiceField(label="Loại sổ", choices=Register.Kind.choices)
    year = forms.TypedChoiceField(label="Năm", coerce=int)

    def __init__(self, *args: Any, owners: list[Organ | Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {_owner_key(o): o for o in owners}
        self.fields["owner"].choices = [(key, _owner_label(o)) for key, o in self.owners.items()]
        year = numbering.current_year()
        self.fields["year"].choices = [(year, str(year)), (year + 1, str(year + 1))]

    def owner_object(self) -> Organ | Unit:
        return self.owners[self.cleaned_data["owner"]]


class DocumentTypeForm(VanbanForm):
    name = forms.CharField(label="Tên loại văn bản", max_length=100)
    abbreviation = forms.CharField(
        label="Chữ viết tắt",
        max_length=10,
        required=False,
        help_text="Viết đúng như quy định, ví dụ QĐ, TTr, QyĐ. Bỏ trống nếu loại văn bản không có chữ viết tắt.",
    )
    group = forms.ChoiceField(label="Nhóm", choices=TypeGroup.choices, initial=TypeGroup.ADMINISTRATIVE)


# --- Registers --------------------------------------------------------------------------


def _require_register_user(request: HttpRequest) -> None:
    if not may_use_registers(request.user):
        raise DjangoPermissionDenied


def _year_from(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        return numbering.current_year()
    return year if 2000 <= year <= 9999 else numbering.current_year()


def _registers_page(request: HttpRequest, form: RegisterOpenForm | None = None, status: int = 200) -> HttpResponse:
    year = _year_from(request)
    owners = selectors.register_owners_for(request.user)
    registers = list(selectors.registers_visible_to(request.user, year=year))
    opened = {(r.organ_id, r.unit_id, r.kind) for r in registers if r.is_default}
    # Owners whose register of this year is not open yet: it opens itself at the first
    # registration, so the page shows what the first number will be.
    pending = []
    if year == numbering.current_year():
        for owner in owners:
            organ, unit = numbering.split_owner(owner)
            for kind, label in Register.Kind.choices:
                if (organ.pk, unit.pk if unit else None, kind) not in opened:
                    name = numbering.default_register_name(kind, year)
                    pending.append({"owner": owner, "kind_label": label, "name": name})
    known_years = selectors.registers_visible_to(request.user).order_by().values_list("year", flat=True).distinct()
    years = sorted({numbering.current_year(), year, *known_years}, reverse=True)
    return render(
        request,
        "web/documents/registers.html",
        {
            "page_title": "Sổ văn bản",
            "year": year,
            "years": years,
            "registers": registers,
            "pending": pending,
            "form": (form or RegisterOpenForm(owners=owners)) if owners else None,
        },
        status=status,
    )


@login_required
def register_list(request: HttpRequest) -> HttpResponse:
    _require_register_user(request)
    return _registers_page(request)


@login_required
@require_POST
def register_open(request: HttpRequest) -> HttpResponse:
    _require_register_user(request)
    owners = selectors.register_owners_for(request.user)
    form = RegisterOpenForm(request.POST, owners=owners)
    if form.is_valid():
        ok, register = run_with_form(
            form,
            documents.open_register,
            actor=request.user,
            owner=form.owner_object(),
            kind=form.cleaned_data["kind"],
            year=form.cleaned_data["year"],
        )
        if ok:
            messages.success(request, f"Đã mở «{register.name}» của {register.owner.name}. Số đầu tiên là 1.")
            return redirect(f"{reverse('web:registers')}?nam={register.year}")
    return _registers_page(request, form=form, status=400)


@login_required
def register_next_number(request: HttpRequest, pk: int) -> HttpResponse:
    """The number the next registration would get, for a form to show and refresh
    (htmx). Outside the person's registers: 404."""
    if not may_use_registers(request.user):
        raise Http404
    register = get_object_or_404(selectors.registers_visible_to(request.user), pk=pk)
    return render(
        request,
        "web/documents/_next_number.html",
        {"register": register, "next_number": numbering.peek_next_number(register)},
    )


# --- Document types ---------------------------------------------------------------------


@sysadmin_required
def document_type_list(request: HttpRequest) -> HttpResponse:
    form = DocumentTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, document_type = run_with_form(
            form,
            documents.create_document_type,
            actor=request.user,
            name=data["name"],
            abbreviation=data["abbreviation"],
            group=data["group"],
        )
        if ok:
            messages.success(request, f"Đã thêm loại văn bản «{document_type.name}».")
            return redirect("web:document_types")
    types = list(selectors.document_types(include_inactive=True))
    groups = []
    for value, label in TypeGroup.choices:
        rows = [t for t in types if t.group == value]
        if rows:
            groups.append({"label": label, "types": rows})
    active_count = sum(1 for t in types if t.is_active)
    return render(
        request,
        "web/documents/document_types.html",
        {
            "page_title": "Loại văn bản",
            "groups": groups,
            "active_count": active_count,
            "inactive_count": len(types) - active_count,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@sysadmin_required
@require_POST
def document_type_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    document_type = get_object_or_404(DocumentType, pk=pk)
    run_action(
        request,
        documents.deactivate_document_type,
        f"Đã ngừng sử dụng loại văn bản «{document_type.name}».",
        actor=request.user,
        document_type=document_type,
    )
    return redirect("web:document_types")


@sysadmin_required
@require_POST
def document_type_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    document_type = get_object_or_404(DocumentType, pk=pk)
    run_action(
        request,
        documents.reactivate_document_type,
        f"Đã dùng lại loại văn bản «{document_type.name}».",
        actor=request.user,
        document_type=document_type,
    )
    return redirect("web:document_types")
