"""Usage monitoring figures for programs; the same SQL aggregates as the web page."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.serializers.common import QuerySerializer, bounded_id, errors
from vanban.api.views.audit import DATE_FORMATS, SystemAdminView, UnitRefSerializer, XlsxExportView, xlsx_responses
from vanban.audit.exports import XLSX_CONTENT_TYPE
from vanban.core.errors import ValidationFailed
from vanban.monitoring.exports import export_usage
from vanban.monitoring.selectors import DEFAULT_INACTIVE_DAYS, UsageQuery, usage_summary
from vanban.organisation.models import Unit

INACTIVE_LIMIT = 200
MAX_INACTIVE_LIMIT = 10_000


class UsageQuerySerializer(QuerySerializer):
    date_from = serializers.DateField(
        required=False, input_formats=DATE_FORMATS, help_text="Từ ngày (mặc định: 29 ngày trước đến ngày)"
    )
    date_to = serializers.DateField(
        required=False, input_formats=DATE_FORMATS, help_text="Đến ngày (mặc định: hôm nay)"
    )
    unit = bounded_id(required=False, help_text="Chỉ tính đơn vị này và các đơn vị trực thuộc")
    inactive_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        default=DEFAULT_INACTIVE_DAYS,
        help_text="Số ngày không đăng nhập để coi là không sử dụng",
    )

    def to_query(self) -> UsageQuery:
        data = self.validated_data
        unit = None
        if data.get("unit"):
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise ValidationFailed("unknown_unit", "Không tìm thấy đơn vị.", "unit")
        return UsageQuery.build(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            unit=unit,
            inactive_days=data.get("inactive_days"),
        )


class UsageSummaryQuerySerializer(UsageQuerySerializer):
    inactive_limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INACTIVE_LIMIT,
        default=INACTIVE_LIMIT,
        help_text="Số người tối đa trong inactive_people",
    )


class DayCountSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class UnitCountSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField(allow_null=True, help_text="null: người chưa thuộc đơn vị nào")
    name = serializers.CharField()
    count = serializers.IntegerField()


class InactivePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    unit_id = serializers.IntegerField(allow_null=True)
    unit_name = serializers.CharField(allow_blank=True)
    last_login_at = serializers.DateTimeField(allow_null=True, help_text="null: chưa đăng nhập lần nào")
    date_joined = serializers.DateTimeField()


class InactiveUnitSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    name = serializers.CharField()
    members = serializers.IntegerField()
    inactive = serializers.IntegerField()
    nobody_logged_in = serializers.BooleanField()
    last_login_at = serializers.DateTimeField(allow_null=True)


class UsernameCountSerializer(serializers.Serializer):
    username = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()


class UsageSummarySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    unit = UnitRefSerializer(allow_null=True)
    inactive_days = serializers.IntegerField()
    total_logins = serializers.IntegerField()
    active_users = serializers.IntegerField(help_text="Số người (không trùng lặp) có ít nhất một sự kiện")
    actions = serializers.IntegerField(help_text="Số thao tác, không tính đăng nhập, đăng xuất")
    failed_logins = serializers.IntegerField()
    lockouts = serializers.IntegerField()
    logins_per_day = DayCountSerializer(many=True)
    active_users_per_unit = UnitCountSerializer(many=True)
    actions_per_unit = UnitCountSerializer(many=True)
    inactive_units = InactiveUnitSerializer(many=True)
    inactive_people = InactivePersonSerializer(many=True)
    inactive_people_total = serializers.IntegerField()
    failed_by_username = UsernameCountSerializer(many=True)


def _payload(summary: Any) -> dict[str, Any]:
    q = summary.query
    return {
        "date_from": q.date_from,
        "date_to": q.date_to,
        "unit": {"id": q.unit.pk, "name": q.unit.name} if q.unit else None,
        "inactive_days": q.inactive_days,
        "total_logins": summary.total_logins,
        "active_users": summary.active_users,
        "actions": summary.actions,
        "failed_logins": summary.failed_logins,
        "lockouts": summary.lockouts,
        "logins_per_day": [{"date": d, "count": n} for d, n in summary.logins_per_day],
        "active_users_per_unit": [
            {"unit_id": f.unit_id, "name": f.name, "count": f.value} for f in summary.active_users_per_unit
        ],
        "actions_per_unit": [
            {"unit_id": f.unit_id, "name": f.name, "count": f.value} for f in summary.actions_per_unit
        ],
        "inactive_units": [
            {
                "unit_id": u.unit_id,
                "name": u.name,
                "members": u.members,
                "inactive": u.inactive,
                "nobody_logged_in": u.nobody_logged_in,
                "last_login_at": u.last_login_at,
            }
            for u in summary.inactive_units
        ],
        "inactive_people": [
            {
                "id": p.user_id,
                "username": p.username,
                "full_name": p.full_name,
                "unit_id": p.unit_id,
                "unit_name": p.unit_name,
                "last_login_at": p.last_login_at,
                "date_joined": p.date_joined,
            }
            for p in summary.inactive_people
        ],
        "inactive_people_total": summary.inactive_people_total,
        "failed_by_username": [{"username": u, "count": n} for u, n in summary.failed_by_username],
    }


class UsageSummaryView(SystemAdminView):
    @extend_schema(
        parameters=[UsageSummaryQuerySerializer],
        responses={200: UsageSummarySerializer, **errors(400)},
        tags=["usage"],
        operation_id="usage_summary",
        summary="Giám sát sử dụng: đăng nhập theo ngày, người dùng và thao tác theo đơn vị, người không đăng nhập",
    )
    def get(self, request: Request) -> Response:
        params = UsageSummaryQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        summary = usage_summary(
            viewer=request.user, query=params.to_query(), inactive_limit=params.validated_data["inactive_limit"]
        )
        return Response(UsageSummarySerializer(_payload(summary)).data)


class UsageExportView(XlsxExportView):
    @extend_schema(
        parameters=[UsageQuerySerializer],
        responses=xlsx_responses(400),
        tags=["usage"],
        operation_id="usage_export",
        summary="Xuất báo cáo giám sát sử dụng ra Excel (mỗi bảng một trang tính)",
    )
    def get(self, request: Request) -> FileResponse:
        params = UsageQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        result = export_usage(actor=request.user, query=params.to_query())
        return FileResponse(result.file, as_attachment=True, filename=result.filename, content_type=XLSX_CONTENT_TYPE)
