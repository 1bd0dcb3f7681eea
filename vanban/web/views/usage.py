"""Usage monitoring for the IT department: logins per day, active people and actions per
unit, who has not logged in, failed logins. System administrators only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from vanban.audit.exports import XLSX_CONTENT_TYPE
from vanban.core import errors
from vanban.monitoring import charts
from vanban.monitoring.exports import export_usage
from vanban.monitoring.selectors import (
    DEFAULT_INACTIVE_DAYS,
    INACTIVE_DAY_CHOICES,
    UsageQuery,
    UsageSummary,
    usage_summary,
)
from vanban.web.forms import VanbanForm, date_field
from vanban.web.views._admin import sysadmin_required
from vanban.web.views.audit import UnitFilterMixin


class UsageForm(UnitFilterMixin, VanbanForm):
    date_from = date_field("Từ ngày", required=False)
    date_to = date_field("Đến ngày", required=False)
    unit = forms.ChoiceField(label="Đơn vị (gồm đơn vị trực thuộc)", required=False)
    inactive_days = forms.TypedChoiceField(
        label="Không đăng nhập từ",
        required=False,
        coerce=int,
        empty_value=DEFAULT_INACTIVE_DAYS,
        choices=[(d, f"{d} ngày trở lên") for d in INACTIVE_DAY_CHOICES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_unit_field("Toàn Bộ")

    def to_query(self) -> UsageQuery:
        return UsageQuery.build(
            date_from=self.cleaned_data.get("date_from"),
            date_to=self.cleaned_data.get("date_to"),
            unit=self.cleaned_data.get("unit"),
            inactive_days=self.cleaned_data.get("inactive_days"),
        )


def _query_from_request(request: HttpRequest) -> tuple[UsageForm, UsageQuery | None]:
    if not request.GET:
        query = UsageQuery.build()
        return UsageForm(
            initial={"date_from": query.date_from, "date_to": query.date_to, "inactive_days": query.inactive_days}
        ), query
    form = UsageForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        return form, form.to_query()
    except errors.VanbanError as exc:
        form.add_vanban_error(exc)
        return form, None


def _charts(summary: UsageSummary) -> dict[str, str]:
    q = summary.query
    period = f"từ {q.date_from:%d/%m/%Y} đến {q.date_to:%d/%m/%Y}"
    scope = f"{q.unit.name} và các đơn vị trực thuộc" if q.unit else "toàn Bộ"
    busiest = max(summary.logins_per_day, key=lambda p: p[1], default=None)
    logins_desc = f"Số lượt đăng nhập mỗi ngày {period}, {scope}: tổng {summary.total_logins} lượt" + (
        f"; nhiều nhất {busiest[1]} lượt ngày {busiest[0]:%d/%m/%Y}." if busiest and busiest[1] else "."
    )
    active = [(f.name, f.value) for f in summary.active_users_per_unit]
    actions = [(f.name, f.value) for f in summary.actions_per_unit]
    # Each chart escapes its own text (see monitoring.charts), so it is safe to embed.
    return {
        "logins": mark_safe(
            charts.line_chart(
                summary.logins_per_day,
                title="Số lượt đăng nhập theo ngày",
                description=logins_desc,
                chart_id="chart-logins",
                value_label="lượt đăng nhập",
            )
        ),
        "active": mark_safe(
            charts.bar_chart(
                active,
                title="Số người dùng có hoạt động theo đơn vị",
                description=f"Số người có ít nhất một thao tác hoặc lượt đăng nhập {period}, {scope}: "
                + "; ".join(f"{n}: {v}" for n, v in active[:20]),
                chart_id="chart-active",
                value_label="người",
            )
        ),
        "actions": mark_safe(
            charts.bar_chart(
                actions,
                title="Số thao tác theo đơn vị",
                description=f"Số thao tác (không tính đăng nhập, đăng xuất) {period}, {scope}: "
                + "; ".join(f"{n}: {v}" for n, v in actions[:20]),
                chart_id="chart-actions",
                value_label="thao tác",
            )
        ),
    }


@sysadmin_required
def usage_report(request: HttpRequest) -> HttpResponse:
    form, query = _query_from_request(request)
    summary = None
    chart_svgs: dict[str, str] = {}
    if query is not None:
        try:
            summary = usage_summary(viewer=request.user, query=query)
        except errors.PermissionDenied:
            raise DjangoPermissionDenied from None
        chart_svgs = _charts(summary)
    return render(
        request,
        "web/usage/report.html",
        {
            "page_title": "Giám sát khai thác, sử dụng",
            "form": form,
            "summary": summary,
            "charts": chart_svgs,
            "query_string": request.GET.urlencode(),
        },
    )


@sysadmin_required
@require_POST
def usage_export(request: HttpRequest) -> HttpResponse:
    """POST (it writes an audit event); the period and unit ride in the query string."""
    form, query = _query_from_request(request)
    if query is None:
        return render(
            request,
            "web/usage/report.html",
            {
                "page_title": "Giám sát khai thác, sử dụng",
                "form": form,
                "summary": None,
                "charts": {},
                "query_string": request.GET.urlencode(),
            },
            status=400,
        )
    try:
        result = export_usage(actor=request.user, query=query)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    return FileResponse(result.file, as_attachment=True, filename=result.filename, content_type=XLSX_CONTENT_TYPE)
