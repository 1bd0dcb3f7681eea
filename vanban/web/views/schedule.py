"""Lịch công tác: the week view, the entry form, approval actions and printing.
Thin: the rules are in vanban.schedule.services and .selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vanban.core import errors
from vanban.core.timeutil import today
from vanban.incoming.selectors import incoming_visible_to
from vanban.organisation.models import Unit
from vanban.outgoing.selectors import outgoing_visible_to
from vanban.schedule import permissions, printing, selectors, services
from vanban.schedule.models import Schedule, ScheduleEntry
from vanban.web.forms import VanbanForm, date_field


def _ids(text: str, field: str) -> list[int]:
    try:
        return sorted({int(x) for x in text.replace(";", ",").split(",") if x.strip()})
    except ValueError:
        raise errors.ValidationFailed("bad_document_ids", "Nhập mã số văn bản là các số, cách nhau dấu phẩy.",
                                      field) from None


class EntryForm(VanbanForm):
    date = date_field("Ngày")
    start_time = forms.TimeField(label="Giờ bắt đầu", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label="Giờ kết thúc", required=False,
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    content = forms.CharField(label="Nội dung công việc", widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="Địa điểm", required=False, max_length=300)
    chair = forms.ModelChoiceField(label="Chủ trì", required=False, queryset=get_user_model().objects.none())
    participants = forms.ModelMultipleChoiceField(label="Thành phần (cá nhân)", required=False,
                                                  queryset=get_user_model().objects.none(),
                                                  widget=forms.SelectMultiple(attrs={"size": 6}))
    participant_units = forms.ModelMultipleChoiceField(label="Thành phần (đơn vị)", required=False,
                                                       queryset=Unit.objects.none(),
                                                       widget=forms.SelectMultiple(attrs={"size": 6}))
    preparing_unit = forms.ModelChoiceField(label="Đơn vị chuẩn bị", required=False, queryset=Unit.objects.none())
    incoming_ids = forms.CharField(label="Văn bản đến liên quan (mã số, cách nhau dấu phẩy)", required=False)
    outgoing_ids = forms.CharField(label="Văn bản đi liên quan (mã số, cách nhau dấu phẩy)", required=False)
    notes = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.filter(is_active=True).order_by("full_name")
        units = Unit.objects.filter(status=Unit.Status.ACTIVE).order_by("path")
        for name in ("chair", "participants"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]
        for name in ("participant_units", "preparing_unit"):
            self.fields[name].queryset = units  # type: ignore[attr-defined]

    def entry_data(self, user: Any) -> services.EntryData:
        d = self.cleaned_data
        incoming = list(incoming_visible_to(user).filter(pk__in=_ids(d.get("incoming_ids", ""), "incoming_ids")))
        outgoing = list(outgoing_visible_to(user).filter(pk__in=_ids(d.get("outgoing_ids", ""), "outgoing_ids")))
        if len(incoming) != len(_ids(d.get("incoming_ids", ""), "incoming_ids")):
            raise errors.ValidationFailed("document_not_visible", "Không tìm thấy văn bản đến được liên kết.",
                                          "incoming_ids")
        if len(outgoing) != len(_ids(d.get("outgoing_ids", ""), "outgoing_ids")):
            raise errors.ValidationFailed("document_not_visible", "Không tìm thấy văn bản đi được liên kết.",
                                          "outgoing_ids")
        return services.EntryData(
            date=d["date"], start_time=d["start_time"], end_time=d.get("end_time"), content=d["content"],
            place=d.get("place", ""), chair=d.get("chair"), participants=list(d.get("participants") or []),
            participant_units=list(d.get("participant_units") or []), preparing_unit=d.get("preparing_unit"),
            incoming_documents=incoming, outgoing_documents=outgoing, notes=d.get("notes", ""),
        )


def _schedule(request: HttpRequest, pk: int) -> Schedule:
    try:
        return selectors.get_schedule_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


def _entry(request: HttpRequest, pk: int) -> ScheduleEntry:
    try:
        return selectors.get_entry_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


def _parse_week(value: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if value else today()
    except ValueError:
        day = today()
    return selectors.monday_of(day)


def _page(request: HttpRequest, schedule: Schedule | None, unit: Unit | None, week: dt.date) -> HttpResponse:
    user = request.user
    scopes = selectors.schedule_scopes(user)
    context = {
        "page_title": "Lịch công tác",
        "schedule": schedule,
        "unit": unit,
        "week": week,
        "prev_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7),
        "days": selectors.week_grid(schedule, week),
        "units": Unit.objects.filter(status=Unit.Status.ACTIVE).order_by("path"),
        "can_edit": permissions.can_edit(user, unit),
        "can_approve": permissions.can_approve(user, unit),
        "scopes": scopes,
    }
    return render(request, "web/schedule/week.html", context)


@login_required
def week(request: HttpRequest) -> HttpResponse:
    unit_param = request.GET.get("don-vi", "")
    unit = None
    if unit_param:
        if not unit_param.isdigit():
            raise Http404
        unit = Unit.objects.filter(pk=int(unit_param)).first()
        if unit is None:
            raise Http404
    week_start = _parse_week(request.GET.get("tuan"))
    schedule = selectors.find_schedule(request.user, unit=unit, week_start=week_start)
    return _page(request, schedule, unit, week_start)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    return _page(request, schedule, schedule.unit, schedule.week_start)


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    unit_param = request.POST.get("unit", "")
    unit = Unit.objects.filter(pk=int(unit_param)).first() if unit_param.isdigit() else None
    if unit_param and unit is None:
        raise Http404
    try:
        schedule = services.create_schedule(actor=request.user, unit=unit, week_start=_parse_week(request.POST.get("week")))
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
        return redirect(request.META.get("HTTP_REFERER") or reverse("web:schedule"))
    messages.success(request, "Đã lập lịch công tác tuần. Thêm các mục lịch rồi trình duyệt.")
    return redirect("web:schedule_detail", pk=schedule.pk)


def _form_page(request: HttpRequest, form: EntryForm, schedule: Schedule, entry: ScheduleEntry | None,
               warnings: list[str] | None = None) -> HttpResponse:
    return render(request, "web/schedule/entry_form.html", {
        "page_title": "Sửa mục lịch" if entry else "Thêm mục lịch", "form": form, "schedule": schedule,
        "entry": entry, "warnings": warnings or [],
    })


@login_required
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    if not permissions.can_edit(request.user, schedule.unit):
        raise Http404
    if request.method != "POST":
        return _form_page(request, EntryForm(initial={"date": schedule.week_start}), schedule, None)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            _, warnings = services.add_entry(actor=request.user, schedule=schedule, data=form.entry_data(request.user))
        except errors.VanbanError as exc:
            form.add_vanban_error(exc)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, "Đã thêm mục lịch.")
            return redirect("web:schedule_detail", pk=schedule.pk)
    return _form_page(request, form, schedule, None, _form_warnings(form))


def _initial(entry: ScheduleEntry) -> dict[str, Any]:
    return {
        "date": entry.date, "start_time": entry.start_time, "end_time": entry.end_time, "content": entry.content,
        "place": entry.place, "chair": entry.chair_id, "participants": list(entry.participants.all()),
        "participant_units": list(entry.participant_units.all()), "preparing_unit": entry.preparing_unit_id,
        "incoming_ids": ", ".join(str(i) for i in entry.incoming_documents.values_list("pk", flat=True)),
        "outgoing_ids": ", ".join(str(i) for i in entry.outgoing_documents.values_list("pk", flat=True)),
        "notes": entry.notes,
    }


def _form_warnings(form: EntryForm, exclude_pk: int | None = None) -> list[str]:
    d = getattr(form, "cleaned_data", {})
    if d.get("chair") and d.get("date") and d.get("start_time"):
        data = services.EntryData(date=d["date"], start_time=d["start_time"], end_time=d.get("end_time"),
                                  content="", chair=d["chair"])
        return services.overlap_warnings(data, exclude_pk=exclude_pk)
    return []


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    schedule = entry.schedule
    if not permissions.can_edit(request.user, schedule.unit):
        raise Http404
    if request.method != "POST":
        form = EntryForm(initial=_initial(entry))
        warnings = services.overlap_warnings(entry, exclude_pk=entry.pk)
        return _form_page(request, form, schedule, entry, warnings)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            _, warnings = services.update_entry(actor=request.user, entry=entry, data=form.entry_data(request.user))
        except errors.VanbanError as exc:
            form.add_vanban_error(exc)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, "Đã lưu mục lịch.")
            return redirect("web:schedule_detail", pk=schedule.pk)
    return _form_page(request, form, schedule, entry, _form_warnings(form, entry.pk))


@login_required
def overlap_check(request: HttpRequest) -> HttpResponse:
    """The warning area of the entry form, refreshed by htmx as the chair, date or
    time change."""
    form = EntryForm(request.GET)
    form.is_valid()
    entry = request.GET.get("entry", "")
    warnings = _form_warnings(form, int(entry) if entry.isdigit() else None)
    return render(request, "web/schedule/_warnings.html", {"warnings": warnings})


@login_required
@require_POST
def entry_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    try:
        services.cancel_entry(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
        messages.success(request, "Đã hủy mục lịch.")
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
    return redirect("web:schedule_detail", pk=entry.schedule_id)


ACTIONS = {
    "trinh": (services.submit, "Đã trình lãnh đạo duyệt lịch."),
    "duyet": (services.approve, "Đã duyệt lịch công tác."),
    "cong-bo": (services.publish, "Đã công bố lịch công tác."),
}


@login_required
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    schedule = _schedule(request, pk)
    try:
        if name == "tra-lai":
            services.return_schedule(actor=request.user, schedule=schedule, reason=request.POST.get("reason", ""))
            messages.success(request, "Đã trả lại lịch để sửa.")
        elif name in ACTIONS:
            fn, text = ACTIONS[name]
            fn(actor=request.user, schedule=schedule)
            messages.success(request, text)
        else:
            raise Http404
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
    return redirect("web:schedule_detail", pk=schedule.pk)


@login_required
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    return render(request, "web/schedule/print.html", {
        "schedule": schedule, "days": selectors.week_grid(schedule, schedule.week_start),
    })


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    response = HttpResponse(printing.schedule_pdf(schedule), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lich-cong-tac-{schedule.week_start:%Y%m%d}.pdf"'
    return response
