"""Thống kê: the dashboard per role, the documents behind each figure, and the standard
report "Báo cáo thống kê tình hình xử lý văn bản" (Excel/PDF, in the background for long
periods). Thin: the figures come from vanban.reports."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from vanban.core import errors
from vanban.jobs.selectors import jobs_visible_to
from vanban.organisation.models import Unit
from vanban.reports import charts, services
from vanban.reports.report import COLUMNS, NOTES, build_report
from vanban.reports.scope import ALL, GRANULARITIES, OWN, UNITS, Period, Scope, scope_for
from vanban.reports.selectors import WORK_CLASSES, Count_, Dashboard, dashboard, figure_documents, no_jit
from vanban.web.forms import VanbanForm, date_field
from vanban.web.views.audit import unit_choices

PAGE_SIZE = 50


class StatsForm(VanbanForm):
    date_from = date_field("Từ ngày", required=False)
    date_to = date_field("Đến ngày", required=False)
    unit = forms.ChoiceField(label="Đơn vị (gồm đơn vị trực thuộc)", required=False)
    granularity = forms.ChoiceField(label="Kỳ", required=False, choices=[("", "Tự động"), *GRANULARITIES.items()])

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(viewer)

    def clean_unit(self) -> Unit | None:
        value = self.cleaned_data.get("unit")
        return Unit.objects.filter(pk=int(value)).first() if value else None


def _unit_choices(viewer: Any) -> list[tuple[str, str]]:
    try:
        scope = scope_for(viewer)
    except errors.PermissionDenied:
        return [("", "—")]
    label = {ALL: "Toàn Bộ", UNITS: "Các đơn vị tôi phụ trách", OWN: "Tất cả việc của tôi"}[scope.kind]
    choices = unit_choices(label)
    if scope.kind == UNITS:
        allowed = {str(pk) for pk in scope.unit_ids or ()}
        choices = [c for c in choices if c[0] == "" or c[0] in allowed]
    return choices


def _parse(request: HttpRequest, data: Any) -> tuple[StatsForm, Scope | None, Period | None]:
    form = StatsForm(data or None, viewer=request.user)
    if data and not form.is_valid():
        return form, None, None
    cleaned = form.cleaned_data if data else {}
    try:
        period = Period.build(
            date_from=cleaned.get("date_from"), date_to=cleaned.get("date_to"), granularity=cleaned.get("granularity")
        )
        scope = scope_for(request.user, unit=cleaned.get("unit"))
    except errors.PermissionDenied as exc:
        if not data:
            raise DjangoPermissionDenied from None
        form.add_vanban_error(errors.ValidationFailed("unit_outside_scope", exc.message, "unit"))
        return form, None, None
    except errors.VanbanError as exc:
        form.add_vanban_error(exc)
        return form, None, None
    if not data:
        form = StatsForm(initial={"date_from": period.date_from, "date_to": period.date_to}, viewer=request.user)
    return form, scope, period


def figure_urls(scope: Scope, period: Period) -> Any:
    """url(params) of a figure's list; the shared part of the query is encoded once
    (a dashboard has a few hundred links)."""
    prefix = reverse("web:reports_figure") + "?" + urlencode({**period.as_params(), **scope.as_params()}) + "&"

    def url(params: dict[str, str]) -> str:
        return prefix + urlencode(params)

    return url


def _bars(items: list[Count_], url: Any) -> list[charts.Bar]:
    return [charts.Bar(c.label, c.value, url(c.params())) for c in items]


def _charts(d: Dashboard, url: Any) -> dict[str, str]:
    period_desc = d.period.describe()
    scope_desc = d.scope.describe()
    labels = [c.label for c in d.incoming_by_period]
    work_rows = []
    for row in d.work_by_unit:
        segs = [
            charts.Segment(
                k,
                WORK_CLASSES[k],
                getattr(row.counts, k),
                url({"figure": "work", "value": k, "bucket": row.bucket.key}),
            )
            for k in ("on_time", "late", "within", "overdue")
        ]
        if row.bucket.key != "none" or row.counts.all:
            work_rows.append((row.bucket.label, segs))

    def desc(items: list[Count_]) -> str:
        return "; ".join(f"{c.label}: {c.value}" for c in items[:20])

    svgs = {
        "period": charts.column_chart(
            labels,
            [
                ("Văn bản đến", charts.BAR_COLOUR, _bars(d.incoming_by_period, url)),
                ("Văn bản đi", charts.SECOND_COLOUR, _bars(d.outgoing_by_period, url)),
            ],
            title="Văn bản đến và đi theo kỳ",
            description=f"Số văn bản đến và văn bản đi đã ban hành {period_desc}, {scope_desc}. "
            f"Đến: {desc(d.incoming_by_period)}. Đi: {desc(d.outgoing_by_period)}.",
            chart_id="chart-period",
        ),
        "work": charts.stacked_chart(
            work_rows,
            title="Tình hình xử lý theo đơn vị chủ trì",
            description=f"Việc chủ trì của văn bản đến {period_desc}, {scope_desc}: "
            + "; ".join(f"{label}: " + ", ".join(f"{s.label} {s.value}" for s in segs) for label, segs in work_rows),
            chart_id="chart-work",
        ),
        "type": charts.hbar_chart(
            _bars(d.incoming_by_type, url),
            title="Văn bản đến theo loại",
            description=f"Văn bản đến theo loại {period_desc}: {desc(d.incoming_by_type)}",
            chart_id="chart-type",
        ),
        "organ": charts.hbar_chart(
            _bars(d.incoming_by_organ, url),
            title="Văn bản đến theo cơ quan ban hành",
            description=f"Văn bản đến theo cơ quan ban hành {period_desc}: {desc(d.incoming_by_organ)}",
            chart_id="chart-organ",
        ),
        "outgoing_unit": charts.hbar_chart(
            _bars(d.outgoing_by_unit, url),
            title="Văn bản đi theo đơn vị soạn thảo",
            description=f"Văn bản đi đã ban hành theo đơn vị soạn thảo {period_desc}: {desc(d.outgoing_by_unit)}",
            chart_id="chart-outgoing-unit",
            colour=charts.SECOND_COLOUR,
        ),
        "leaders": charts.hbar_chart(
            _bars(d.backlog_by_leader, url),
            title="Văn bản chờ lãnh đạo cho ý kiến",
            description=f"Số văn bản đang chờ từng lãnh đạo cho ý kiến: {desc(d.backlog_by_leader)}",
            chart_id="chart-leaders",
        ),
    }
    # Each chart escapes its own text (see reports.charts), so it is safe to embed.
    return {k: mark_safe(v) for k, v in svgs.items()}


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    form, scope, period = _parse(request, request.GET)
    context: dict[str, Any] = {"page_title": "Thống kê", "form": form, "d": None}
    if scope is not None and period is not None:
        d = dashboard(scope=scope, period=period)

        url = figure_urls(scope, period)
        context.update(
            d=d,
            charts=_charts(d, url),
            link=url,
            work_classes=WORK_CLASSES,
            filters=urlencode({**period.as_params(), **scope.as_params()}),
        )
        context["work_table"] = [
            (
                row,
                [
                    (k, getattr(row.counts, k), url({"figure": "work", "value": k, "bucket": row.bucket.key}))
                    for k in ("all", "on_time", "late", "within", "overdue")
                ],
            )
            for row in d.work_by_unit
            if row.bucket.key != "none" or row.counts.all
        ]
        context["rates"] = {k: d.work.rate(k) for k in ("on_time", "late", "overdue")}
        context["work_headers"] = [(k, WORK_CLASSES[k]) for k in ("all", "on_time", "late", "within", "overdue")]
        context["period_rows"] = [
            (
                {"label": i.label, "value": i.value, "url": url(i.params())},
                {"label": o.label, "value": o.value, "url": url(o.params())},
            )
            for i, o in zip(d.incoming_by_period, d.outgoing_by_period, strict=True)
        ]
        context["backlog_table"] = [
            (
                row,
                url({"figure": "backlog", "value": "open", "bucket": row.bucket.key}),
                url({"figure": "backlog", "value": "overdue", "bucket": row.bucket.key}),
            )
            for row in d.backlog_by_unit
            if row.counts.all
        ]
    return render(
        request, "web/reports/dashboard.html", context, status=200 if context["d"] or not request.GET else 400
    )


@login_required
def figure_view(request: HttpRequest) -> HttpResponse:
    form, scope, period = _parse(request, request.GET.copy() if request.GET else None)
    if scope is None or period is None:
        return render(
            request, "web/reports/dashboard.html", {"page_title": "Thống kê", "form": form, "d": None}, status=400
        )
    try:
        figure = figure_documents(
            scope=scope,
            period=period,
            figure=request.GET.get("figure", ""),
            value=request.GET.get("value", ""),
            bucket=request.GET.get("bucket", ""),
        )
    except errors.VanbanError:
        raise Http404 from None
    with no_jit():
        page = Paginator(figure.rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    back = reverse("web:reports_dashboard") + "?" + urlencode({**period.as_params(), **scope.as_params()})
    return render(
        request,
        "web/reports/figure.html",
        {
            "page_title": figure.title,
            "figure": figure,
            "page": page,
            "query": query.urlencode(),
            "scope": scope,
            "period": period,
            "back": back,
        },
    )


@login_required
def report_view(request: HttpRequest) -> HttpResponse:
    form, scope, period = _parse(request, request.GET)
    context: dict[str, Any] = {
        "page_title": "Báo cáo tình hình xử lý văn bản",
        "form": form,
        "report": None,
        "columns": COLUMNS,
        "notes": NOTES,
        "query": request.GET.urlencode(),
    }
    if scope is not None and period is not None:
        context["report"] = build_report(scope=scope, period=period)
        context["background"] = services.runs_in_background(period)
    return render(request, "web/reports/report.html", context, status=200 if context["report"] else 400)


@login_required
@require_POST
def report_export(request: HttpRequest) -> HttpResponse:
    """POST (it writes an audit event); filters ride in the query string, the format in
    the body. Long periods go to a background job and the browser goes to its page."""
    form, scope, period = _parse(request, request.GET)
    if scope is None or period is None:
        return render(
            request,
            "web/reports/report.html",
            {"page_title": "Báo cáo tình hình xử lý văn bản", "form": form, "report": None, "columns": COLUMNS},
            status=400,
        )
    fmt = request.POST.get("format", "xlsx")
    try:
        if services.runs_in_background(period) or request.POST.get("background"):
            job = services.start_report_export(actor=request.user, unit=scope.unit, period=period, fmt=fmt)
            return redirect("web:job_detail", pk=job.pk)
        result = services.export_report(actor=request.user, unit=scope.unit, period=period, fmt=fmt)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except errors.VanbanError:
        raise Http404 from None
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@login_required
def report_download(request: HttpRequest, pk: uuid.UUID) -> FileResponse:
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk, kind=services.JOB_KIND)
    try:
        handle, filename, content_type = services.job_file(job)
    except errors.NotFound:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
