"""Lịch làm việc and quy tắc hạn xử lý: the system administrator's pages. Thin: the
rules are in vanban.workcalendar.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.documents.catalogue import Urgency
from vanban.documents.models import DocumentType
from vanban.web.forms import VanbanForm, date_field
from vanban.web.views._admin import run_action, run_with_form, sysadmin_required
from vanban.workcalendar import services
from vanban.workcalendar.calendar import get_settings
from vanban.workcalendar.models import CalendarDay, DeadlineRule

WEEKDAYS = [(0, "Thứ Hai"), (1, "Thứ Ba"), (2, "Thứ Tư"), (3, "Thứ Năm"), (4, "Thứ Sáu"), (5, "Thứ Bảy"),
            (6, "Chủ nhật")]  # fmt: skip


class DayForm(VanbanForm):
    date = date_field("Ngày")
    kind = forms.ChoiceField(label="Loại", choices=CalendarDay.Kind.choices)
    name = forms.CharField(label="Tên", max_length=200, help_text="Ví dụ: Tết Nguyên đán, Nghỉ bù Quốc khánh")


class CopyForm(VanbanForm):
    source = forms.IntegerField(label="Từ năm", min_value=2000, max_value=2100)
    target = forms.IntegerField(label="Sang năm", min_value=2000, max_value=2100)


class SettingsForm(VanbanForm):
    weekend_days = forms.TypedMultipleChoiceField(label="Ngày nghỉ hằng tuần", choices=WEEKDAYS, coerce=int,
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    reminder_days = forms.IntegerField(label="Nhắc trước hạn (ngày làm việc)", min_value=0, max_value=60)
    escalation_days = forms.IntegerField(label="Báo cáo người giao việc khi quá hạn (ngày làm việc)",
                                         min_value=0, max_value=60)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("nam") or request.POST.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@sysadmin_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    config = get_settings()
    action = request.POST.get("action", "")
    day_form = DayForm(request.POST if action == "add" else None, initial={"kind": CalendarDay.Kind.HOLIDAY})
    copy_form = CopyForm(request.POST if action == "copy" else None, initial={"source": year - 1, "target": year})
    settings_form = SettingsForm(request.POST if action == "settings" else None, initial={
        "weekend_days": config.weekend_days, "reminder_days": config.reminder_days,
        "escalation_days": config.escalation_days,
    })
    if request.method == "POST":
        if action == "add" and day_form.is_valid():
            d = day_form.cleaned_data
            ok, day = run_with_form(day_form, services.add_day, actor=request.user, date=d["date"], name=d["name"],
                                    kind=d["kind"])
            if ok:
                messages.success(request, f"Đã thêm {day.get_kind_display().lower()} {day.date:%d/%m/%Y}.")
                return redirect(f"{request.path}?nam={day.date.year}")
        elif action == "copy" and copy_form.is_valid():
            d = copy_form.cleaned_data
            ok, created = run_with_form(copy_form, services.copy_year, actor=request.user, source=d["source"],
                                        target=d["target"])
            if ok:
                messages.success(request, f"Đã sao chép {len(created)} ngày sang năm {d['target']}. "
                                          "Hãy sửa lại các ngày theo âm lịch (Tết Nguyên đán, Giỗ Tổ Hùng Vương).")
                return redirect(f"{request.path}?nam={d['target']}")
        elif action == "settings" and settings_form.is_valid():
            d = settings_form.cleaned_data
            ok, _ = run_with_form(settings_form, services.update_settings, actor=request.user,
                                  weekend_days=d["weekend_days"], reminder_days=d["reminder_days"],
                                  escalation_days=d["escalation_days"])
            if ok:
                messages.success(request, "Đã lưu cấu hình lịch làm việc.")
                return redirect(f"{request.path}?nam={year}")
    return render(request, "web/workcalendar/calendar.html", {
        "page_title": f"Lịch làm việc năm {year}",
        "year": year,
        "days": CalendarDay.objects.filter(date__year=year),
        "day_form": day_form,
        "copy_form": copy_form,
        "settings_form": settings_form,
        "weekend_names": [name for value, name in WEEKDAYS if value in set(config.weekend_days)],
    }, status=400 if request.method == "POST" else 200)


@sysadmin_required
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(CalendarDay, pk=pk)
    year = day.date.year
    run_action(request, services.remove_day, f"Đã xóa ngày {day.date:%d/%m/%Y} khỏi lịch.", actor=request.user,
               day=day)
    return redirect(f"/quan-tri/lich-lam-viec/?nam={year}")


class RuleForm(VanbanForm):
    document_type = forms.ChoiceField(label="Loại văn bản", required=False)
    urgency = forms.ChoiceField(label="Độ khẩn", required=False, choices=[("", "Mọi độ khẩn"), *Urgency.choices])
    working_days = forms.IntegerField(label="Số ngày làm việc", min_value=1, max_value=365)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [("", "Mọi loại văn bản")] + [
            (t.pk, t.name) for t in DocumentType.objects.filter(is_active=True).order_by("sort_order", "name")
        ]


@sysadmin_required
def deadline_rules(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _ = run_with_form(form, services.set_rule, actor=request.user, document_type=d["document_type"],
                              urgency=d["urgency"], working_days=d["working_days"])
        if ok:
            messages.success(request, "Đã lưu quy tắc hạn xử lý.")
            return redirect("web:deadline_rules")
    rules = DeadlineRule.objects.select_related("document_type").order_by("document_type__name", "urgency")
    return render(request, "web/workcalendar/rules.html", {
        "page_title": "Hạn xử lý mặc định", "rules": rules, "form": form,
    }, status=400 if request.method == "POST" else 200)


@sysadmin_required
@require_POST
def deadline_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(DeadlineRule, pk=pk)
    run_action(request, services.delete_rule, "Đã xóa quy tắc.", actor=request.user, rule=rule)
    return redirect("web:deadline_rules")
