"""Thống kê for programs: the dashboard figures (each with the query parameters of its
drill-down), the documents behind a figure, the standard processing report and its
Excel/PDF export (directly, or as a background job for long periods). Every figure
counts only what the caller may see; the same selectors as the web pages."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id, errors
from vanban.api.views.audit import DATE_FORMATS
from vanban.api.views.base import JsonView, validated
from vanban.core.errors import NotFound, ValidationFailed
from vanban.jobs.selectors import jobs_visible_to
from vanban.organisation.models import Unit
from vanban.reports import services
from vanban.reports.report import build_report
from vanban.reports.scope import GRANULARITIES, Period, Scope, scope_for
from vanban.reports.selectors import FIGURES, Count_, WorkCounts, dashboard, figure_documents

PERMISSIONS = [IsAuthenticated, TokenScopes]


class StatsQuerySerializer(QuerySerializer):
    date_from = serializers.DateField(
        required=False, input_formats=DATE_FORMATS, help_text="Từ ngày (mặc định: ngày 1 của tháng trước nữa)"
    )
    date_to = serializers.DateField(
        required=False, input_formats=DATE_FORMATS, help_text="Đến ngày (mặc định: hôm nay)"
    )
    unit = bounded_id(required=False, help_text="Chỉ tính đơn vị này và các đơn vị trực thuộc")
    granularity = serializers.ChoiceField(
        choices=list(GRANULARITIES), required=False, help_text="Kỳ: month (tháng) hoặc week (tuần)"
    )

    def to_scope(self, viewer: Any) -> tuple[Scope, Period]:
        data = self.validated_data
        unit = None
        if data.get("unit"):
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise ValidationFailed("unknown_unit", "Không tìm thấy đơn vị.", "unit")
        period = Period.build(
            date_from=data.get("date_from"), date_to=data.get("date_to"), granularity=data.get("granularity")
        )
        return scope_for(viewer, unit=unit), period


class FigureQuerySerializer(StatsQuerySerializer):
    figure = serializers.ChoiceField(
        choices=list(FIGURES),
        required=False,
        default="incoming",
        help_text="Mã chỉ tiêu (trường figure của số liệu); mặc định incoming: văn bản đến trong kỳ",
    )
    value = serializers.RegexField(
        r"^([a-z_]{1,20}|[0-9]{1,19}|[0-9]{4}-[0-9]{2}-[0-9]{2})?$",
        required=False,
        allow_blank=True,
        help_text="Giá trị (trường value): trạng thái, loại việc, mã số, ngày đầu kỳ hoặc other",
    )
    bucket = serializers.RegexField(
        r"^([0-9]{1,19}|none)?$", required=False, allow_blank=True, help_text="Dòng đơn vị (trường bucket), nếu có"
    )


class ExportJobSerializer(StrictSerializer):
    date_from = serializers.DateField(input_formats=DATE_FORMATS)
    date_to = serializers.DateField(input_formats=DATE_FORMATS)
    unit = bounded_id(required=False, allow_null=True)
    format = serializers.ChoiceField(choices=list(services.FORMATS), default="xlsx")


class CountSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.IntegerField()
    drilldown = serializers.DictField(
        child=serializers.CharField(), help_text="Tham số truy vấn của GET /api/v1/reports/documents"
    )


class WorkSerializer(serializers.Serializer):
    all = serializers.IntegerField(help_text="Tổng số việc chủ trì")
    on_time = serializers.IntegerField(help_text="Hoàn thành đúng hạn")
    late = serializers.IntegerField(help_text="Hoàn thành quá hạn")
    within = serializers.IntegerField(help_text="Đang xử lý trong hạn")
    overdue = serializers.IntegerField(help_text="Quá hạn chưa hoàn thành")
    on_time_rate = serializers.FloatField(allow_null=True)
    late_rate = serializers.FloatField(allow_null=True)
    overdue_rate = serializers.FloatField(allow_null=True)
    average_days = serializers.FloatField(allow_null=True)
    drilldown = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class UnitWorkSerializer(WorkSerializer):
    bucket = serializers.CharField(help_text="Mã đơn vị, hoặc none: giao trực tiếp cho cá nhân")
    name = serializers.CharField()


class ProcessingSerializer(serializers.Serializer):
    completed = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)
    drilldown = serializers.DictField(child=serializers.CharField())


class DashboardSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    granularity = serializers.CharField()
    scope = serializers.CharField(help_text="all: toàn Bộ; units: các đơn vị phụ trách; own: việc của bản thân")
    scope_label = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    incoming_total = CountSerializer()
    incoming_by_status = CountSerializer(many=True)
    incoming_by_period = CountSerializer(many=True)
    incoming_by_type = CountSerializer(many=True)
    incoming_by_organ = CountSerializer(many=True)
    outgoing_total = CountSerializer()
    outgoing_by_period = CountSerializer(many=True)
    outgoing_by_unit = CountSerializer(many=True)
    outgoing_by_type = CountSerializer(many=True)
    work = WorkSerializer()
    work_by_unit = UnitWorkSerializer(many=True)
    backlog = WorkSerializer()
    backlog_by_unit = UnitWorkSerializer(many=True)
    backlog_by_leader = CountSerializer(many=True)
    processing = ProcessingSerializer()


class FigureRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["incoming", "outgoing", "work"])
    document_id = serializers.IntegerField(allow_null=True, help_text="null cho việc giao trực tiếp (xem task_id)")
    task_id = serializers.IntegerField(allow_null=True, help_text="Công việc giao trực tiếp (không từ văn bản)")
    number = serializers.CharField(
        allow_blank=True, help_text="Số đến (văn bản đến) hoặc số, ký hiệu (văn bản đi); rỗng cho việc giao trực tiếp"
    )
    date = serializers.DateField(help_text="Ngày đến, ngày ban hành hoặc ngày giao việc")
    subject = serializers.CharField(help_text="Trích yếu, hoặc tên công việc giao trực tiếp")
    document_type = serializers.CharField()
    status = serializers.CharField()
    assignment_id = serializers.IntegerField(allow_null=True)
    assignee = serializers.CharField(allow_blank=True)
    deadline = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class ReportRowSerializer(serializers.Serializer):
    bucket = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    within = serializers.IntegerField()
    overdue = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    as_of = serializers.DateField()
    scope_label = serializers.CharField()
    received_total = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    rows = ReportRowSerializer(many=True)
    total = ReportRowSerializer()


class JobRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    state = serializers.CharField()
    url = serializers.CharField(help_text="GET: trạng thái tác vụ")
    file_url = serializers.CharField(help_text="GET khi tác vụ hoàn thành: tệp báo cáo")


# --- payloads ----------------------------------------------------------------------------------


def _base(scope: Scope, period: Period) -> dict[str, str]:
    return {**period.as_params(), **scope.as_params()}


def _count(c: Count_, base: dict[str, str]) -> dict[str, Any]:
    return {"label": c.label, "value": c.value, "drilldown": {**base, **c.params()}}


def _work(counts: WorkCounts, base: dict[str, str], figure: str, bucket: str = "") -> dict[str, Any]:
    extra = {"bucket": bucket} if bucket else {}
    classes = ("all", "on_time", "late", "within", "overdue") if figure == "work" else ("all", "within", "overdue")
    return {
        "all": counts.all,
        "on_time": counts.on_time,
        "late": counts.late,
        "within": counts.within,
        "overdue": counts.overdue,
        "on_time_rate": counts.rate("on_time"),
        "late_rate": counts.rate("late"),
        "overdue_rate": counts.rate("overdue"),
        "average_days": counts.average_days,
        "drilldown": {k: {**base, "figure": figure, "value": k, **extra} for k in classes},
    }


def dashboard_payload(scope: Scope, period: Period) -> dict[str, Any]:
    d = dashboard(scope=scope, period=period)
    base = _base(scope, period)
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "granularity": period.granularity,
        "scope": scope.kind,
        "scope_label": scope.describe(),
        "unit": scope.unit.pk if scope.unit else None,
        "incoming_total": _count(Count_("Văn bản đến", d.incoming_total, "incoming"), base),
        "incoming_by_status": [_count(c, base) for c in d.incoming_by_status],
        "incoming_by_period": [_count(c, base) for c in d.incoming_by_period],
        "incoming_by_type": [_count(c, base) for c in d.incoming_by_type],
        "incoming_by_organ": [_count(c, base) for c in d.incoming_by_organ],
        "outgoing_total": _count(Count_("Văn bản đi đã ban hành", d.outgoing_total, "outgoing"), base),
        "outgoing_by_period": [_count(c, base) for c in d.outgoing_by_period],
        "outgoing_by_unit": [_count(c, base) for c in d.outgoing_by_unit],
        "outgoing_by_type": [_count(c, base) for c in d.outgoing_by_type],
        "work": _work(d.work, base, "work"),
        "work_by_unit": [
            {"bucket": r.bucket.key, "name": r.bucket.label, **_work(r.counts, base, "work", r.bucket.key)}
            for r in d.work_by_unit
        ],
        "backlog": _work(d.backlog, base, "backlog"),
        "backlog_by_unit": [
            {"bucket": r.bucket.key, "name": r.bucket.label, **_work(r.counts, base, "backlog", r.bucket.key)}
            for r in d.backlog_by_unit
        ],
        "backlog_by_leader": [_count(c, base) for c in d.backlog_by_leader],
        "processing": {
            "completed": d.processing.completed,
            "average_days": d.processing.average_days,
            "median_days": d.processing.median_days,
            "p90_days": d.processing.p90_days,
            "drilldown": {**base, "figure": "processing"},
        },
    }


def _row(kind: str, obj: Any) -> dict[str, Any]:
    """A drill-down row: what it is about (an outgoing or incoming document, or a piece of
    work's document or direct task), its status, and the work's own fields."""
    if kind == "outgoing":
        about = {"document_id": obj.pk, "task_id": None, "number": obj.number_symbol, "date": obj.issued_date,
                 "subject": obj.subject, "document_type": obj.document_type.name}  # fmt: skip
    elif kind == "incoming":
        about = _incoming_fields(obj)
    elif obj.task_id:
        about = {"document_id": None, "task_id": obj.task_id, "number": "",
                 "date": timezone.localtime(obj.task.created_at).date(), "subject": obj.task.title,
                 "document_type": "Công việc giao trực tiếp"}  # fmt: skip
    else:
        about = _incoming_fields(obj.document)
    if kind == "work":
        work = {"assignment_id": obj.pk, "assignee": obj.assignee_label, "deadline": obj.deadline,
                "closed_at": obj.closed_at}  # fmt: skip
    else:
        work = {"assignment_id": None, "assignee": "", "deadline": None, "closed_at": None}
    return {"kind": kind, **about, "status": obj.status, **work}


def _incoming_fields(doc: Any) -> dict[str, Any]:
    return {"document_id": doc.pk, "task_id": None, "number": str(doc.arrival_number),
            "date": timezone.localtime(doc.arrival_date).date(), "subject": doc.subject,
            "document_type": doc.document_type.name}  # fmt: skip


def _report_row(bucket: str, name: str, c: WorkCounts) -> dict[str, Any]:
    return {
        "bucket": bucket,
        "name": name,
        "received": c.all,
        "on_time": c.on_time,
        "late": c.late,
        "within": c.within,
        "overdue": c.overdue,
        "on_time_rate": c.rate("on_time"),
    }


# --- views ------------------------------------------------------------------------------------


class DashboardView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        parameters=[StatsQuerySerializer],
        responses={200: DashboardSerializer, **errors(400)},
        tags=["reports"],
        operation_id="reports_dashboard",
    )
    def get(self, request: Request) -> Response:
        """Số liệu thống kê theo vai trò: Lãnh đạo Bộ, Văn thư Bộ xem toàn Bộ; lãnh đạo, văn thư đơn vị xem
        đơn vị mình (gồm đơn vị trực thuộc); chuyên viên xem việc của mình. Mỗi số liệu có `drilldown`: tham số
        của GET /api/v1/reports/documents để lấy danh sách văn bản tạo nên số liệu đó. Lỗi: invalid_period,
        period_too_long, unknown_unit, permission_denied (đơn vị ngoài phạm vi)."""
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        scope, period = params.to_scope(request.user)
        return Response(DashboardSerializer(dashboard_payload(scope, period)).data)


class FigureDocumentsView(generics.ListAPIView):
    permission_classes = PERMISSIONS
    serializer_class = FigureRowSerializer

    def get_queryset(self) -> Any:
        params = FigureQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        scope, period = params.to_scope(self.request.user)
        data = params.validated_data
        self.figure = figure_documents(
            scope=scope,
            period=period,
            figure=data["figure"],
            value=data.get("value", ""),
            bucket=data.get("bucket", ""),
        )
        return self.figure.rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        data = FigureRowSerializer([_row(self.figure.kind, r) for r in rows], many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: FigureRowSerializer(many=True), **errors(400)},
        tags=["reports"],
        operation_id="reports_documents",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Danh sách văn bản (hoặc việc chủ trì) tạo nên một số liệu thống kê, cùng bộ lọc; số phần tử (count)
        bằng đúng số liệu. Lỗi: unknown_figure, unknown_value, unknown_bucket."""
        return super().get(request, *args, **kwargs)


class ProcessingReportView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        parameters=[StatsQuerySerializer],
        responses={200: ReportSerializer, **errors(400)},
        tags=["reports"],
        operation_id="reports_processing",
    )
    def get(self, request: Request) -> Response:
        """Báo cáo thống kê tình hình xử lý văn bản: mỗi đơn vị một dòng (tiếp nhận, đúng hạn, quá hạn, đang xử lý
        trong hạn, quá hạn chưa xử lý) và dòng tổng cộng."""
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        scope, period = params.to_scope(request.user)
        report = build_report(scope=scope, period=period)
        body = {
            "date_from": period.date_from,
            "date_to": period.date_to,
            "as_of": report.as_of,
            "scope_label": scope.describe(),
            "received_total": report.received_total,
            "unassigned": report.unassigned,
            "rows": [_report_row(r.bucket.key, r.bucket.label, r.counts) for r in report.rows],
            "total": _report_row("", "Tổng cộng", report.total),
        }
        return Response(ReportSerializer(body).data)


class FileView(JsonView):
    permission_classes = PERMISSIONS

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ?format= is this endpoint's own parameter; an Accept of a file type is fine.
        return super().perform_content_negotiation(request, force=True)


FILE_RESPONSES = {
    (200, services.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Báo cáo dạng Excel"),
    (200, services.PDF_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Báo cáo dạng PDF để in"),
}


class ExportQuerySerializer(StatsQuerySerializer):
    format = serializers.ChoiceField(choices=list(services.FORMATS), default="xlsx", help_text="xlsx hoặc pdf")


class ProcessingExportView(FileView):
    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={**FILE_RESPONSES, **errors(400)},
        tags=["reports"],
        operation_id="reports_processing_export",
    )
    def get(self, request: Request) -> HttpResponse:
        """Tải ngay báo cáo (xlsx hoặc pdf) cho khoảng thời gian tối đa 92 ngày; dài hơn thì lỗi
        use_background_job: gửi POST /api/v1/reports/processing/export-jobs. Mỗi lần xuất được ghi nhật ký
        (reports.exported)."""
        params = ExportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        scope, period = params.to_scope(request.user)
        if services.runs_in_background(period):
            raise ValidationFailed(
                "use_background_job",
                f"Khoảng thời gian dài hơn {services.BACKGROUND_AFTER_DAYS} ngày: hãy lập báo cáo trong tác vụ nền.",
                "date_from",
            )
        result = services.export_report(
            actor=request.user, unit=scope.unit, period=period, fmt=params.validated_data["format"]
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ProcessingExportJobView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=ExportJobSerializer,
        responses={202: JobRefSerializer, **errors(400)},
        tags=["reports"],
        operation_id="reports_processing_export_job",
    )
    def post(self, request: Request) -> Response:
        """Lập báo cáo trong tác vụ nền (mọi khoảng thời gian). Theo dõi tại GET /api/v1/jobs/{id}; khi hoàn thành
        tải tệp tại file_url."""
        data = validated(ExportJobSerializer, request.data)
        unit = None
        if data.get("unit"):
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise ValidationFailed("unknown_unit", "Không tìm thấy đơn vị.", "unit")
        period = Period.build(date_from=data["date_from"], date_to=data["date_to"])
        job = services.start_report_export(actor=request.user, unit=unit, period=period, fmt=data["format"])
        body = {
            "id": job.pk,
            "title": job.title,
            "state": job.state,
            "url": f"/api/v1/jobs/{job.pk}",
            "file_url": f"/api/v1/reports/export-jobs/{job.pk}",
        }
        return Response(JobRefSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class ExportJobFileView(FileView):
    @extend_schema(responses={**FILE_RESPONSES, **errors(404)}, tags=["reports"], operation_id="reports_export_file")
    def get(self, request: Request, pk: uuid.UUID) -> FileResponse:
        """Tệp báo cáo của một tác vụ nền đã hoàn thành (chỉ người tạo). Chưa xong hoặc không có: 404."""
        job = jobs_visible_to(request.user).filter(pk=pk, kind=services.JOB_KIND).first()
        if job is None:
            raise Http404
        try:
            handle, filename, content_type = services.job_file(job)
        except NotFound:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
