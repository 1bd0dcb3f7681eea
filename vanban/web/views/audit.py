"""The event log page for the IT department: filters, keyset paging, Excel export and
the integrity check. System administrators only (403 for everyone else)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from vanban.accounts.models import User
from vanban.audit import display, exports
from vanban.audit import services as audit
from vanban.audit.selectors import (
    AuditFilter,
    CappedCount,
    EventPage,
    action_choices,
    capped_count,
    filtered_events,
    page_events,
)
from vanban.core import errors
from vanban.organisation.models import Unit
from vanban.web.forms import VanbanForm, date_field
from vanban.web.views._admin import sysadmin_required, tree_rows

_CODE_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$")
CURSOR_PARAMS = ("truoc", "sau")


def unit_choices(empty_label: str = "Tất cả đơn vị") -> list[tuple[str, str]]:
    """Units as an indented tree; closed units stay selectable because the log keeps
    their events."""
    items = [("", empty_label)]
    for unit, depth in tree_rows(Unit.objects.only("pk", "name", "parent_id", "sort_order", "status")):
        suffix = "" if unit.status == Unit.Status.ACTIVE else f" ({unit.get_status_display().lower()})"
        items.append((str(unit.pk), "\u00a0\u00a0" * depth + unit.name + suffix))
    return items


class UnitFilterMixin:
    """A `unit` choice filled per request (one query), cleaned into a Unit."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def setup_unit_field(self, empty_label: str = "Tất cả đơn vị") -> None:
        self.fields["unit"].choices = unit_choices(empty_label)

    def clean_unit(self) -> Unit | None:
        value = self.cleaned_data.get("unit")
        return Unit.objects.filter(pk=int(value)).first() if value else None


class AuditFilterForm(UnitFilterMixin, VanbanForm):
    q = forms.CharField(
        label="Người thực hiện",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": "Họ tên, tên đăng nhập hoặc thư điện tử"}),
    )
    actor = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    unit = forms.ChoiceField(label="Đơn vị (gồm đơn vị trực thuộc)", required=False)
    action = forms.ChoiceField(label="Thao tác", required=False)
    date_from = date_field("Từ ngày", required=False)
    date_to = date_field("Đến ngày", required=False)
    target_type = forms.CharField(
        label="Loại đối tượng",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "ví dụ accounts.user"}),
    )
    target_id = forms.CharField(label="Mã đối tượng", required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_unit_field()
        choices: list[Any] = [("", "Tất cả thao tác"), *action_choices()]
        known = {code for _, group in choices[1:] for code, _ in group}
        wanted = (self.data.get("action") or "").strip() if self.is_bound else ""
        # A link may name an action code that has no Vietnamese label yet.
        if wanted and wanted not in known and _CODE_RE.match(wanted):
            choices.append(("Khác", [(wanted, wanted)]))
        self.fields["action"].choices = choices

    def to_filter(self) -> AuditFilter:
        return AuditFilter.build(
            actor_id=self.cleaned_data.get("actor"),
            person=self.cleaned_data.get("q", ""),
            unit=self.cleaned_data.get("unit"),
            action=self.cleaned_data.get("action", ""),
            date_from=self.cleaned_data.get("date_from"),
            date_to=self.cleaned_data.get("date_to"),
            target_type=self.cleaned_data.get("target_type", ""),
            target_id=self.cleaned_data.get("target_id", ""),
        )


def _filter_from_request(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilter | None]:
    """The form and its filter; None when the filter is invalid (show nothing rather
    than everything)."""
    params = request.GET
    form = AuditFilterForm(params if any(params.get(k) for k in params if k not in CURSOR_PARAMS) else None)
    if not form.is_bound:
        return form, AuditFilter()
    if not form.is_valid():
        return form, None
    try:
        return form, form.to_filter()
    except errors.VanbanError as exc:
        form.add_vanban_error(exc)
        return form, None


def _query_without_cursor(params: QueryDict) -> str:
    query = params.copy()
    for key in CURSOR_PARAMS:
        query.pop(key, None)
    return query.urlencode()


@sysadmin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form, filters = _filter_from_request(request)
    page = EventPage([])
    count = CappedCount(0, True)
    if filters is not None:
        events = filtered_events(request.user, filters)
        try:
            page = page_events(events, before=request.GET.get("truoc"), after=request.GET.get("sau"))
        except errors.ValidationFailed:
            page = page_events(events)  # a stale or edited cursor: start again at the newest
        count = capped_count(events)
    chosen_actor = None
    if filters is not None and filters.actor_id:
        chosen_actor = User.objects.filter(pk=filters.actor_id).only("pk", "username", "full_name").first()
    base_query = _query_without_cursor(request.GET)
    return render(
        request,
        "web/audit/list.html",
        {
            "page_title": "Nhật ký hệ thống",
            "form": form,
            "filters": filters,
            "rows": [display.row(e) for e in page.events],
            "page": page,
            "count": count,
            "base_query": base_query,
            "chosen_actor": chosen_actor,
            "export_cap": f"{exports.EXPORT_ROW_CAP:,}".replace(",", "."),
        },
    )


@sysadmin_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    """POST (it writes an audit event); the filters ride in the query string."""
    form, filters = _filter_from_request(request)
    if filters is None:
        return render(
            request,
            "web/audit/list.html",
            {
                "page_title": "Nhật ký hệ thống",
                "form": form,
                "filters": None,
                "rows": [],
                "page": EventPage([]),
                "count": CappedCount(0, True),
                "base_query": _query_without_cursor(request.GET),
                "export_cap": f"{exports.EXPORT_ROW_CAP:,}".replace(",", "."),
            },
            status=400,
        )
    try:
        result = exports.export_events(actor=request.user, filters=filters)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    return FileResponse(
        result.file, as_attachment=True, filename=result.filename, content_type=exports.XLSX_CONTENT_TYPE
    )


@sysadmin_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    try:
        report = audit.verify_log(actor=request.user)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    context = {"report": report, "page_title": "Kiểm tra tính toàn vẹn nhật ký"}
    if getattr(request, "htmx", False):
        return render(request, "web/audit/_verify_result.html", context)
    return render(request, "web/audit/verify.html", context)
