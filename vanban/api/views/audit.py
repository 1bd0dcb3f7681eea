"""The event log for programs: filtered, keyset-paged events, the Excel export and the
integrity check. System administrators only, and tokens need the "admin" scope."""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import QuerySerializer, bounded_id, errors
from vanban.audit import display, exports
from vanban.audit import services as audit
from vanban.audit.actions import label as action_label
from vanban.audit.selectors import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    AuditFilter,
    capped_count,
    filtered_events,
    page_events,
)
from vanban.core.errors import ValidationFailed
from vanban.organisation.models import Unit
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
_OLDER, _NEWER = "o", "n"


class IsSystemAdministrator(BasePermission):
    message = "Chỉ quản trị hệ thống mới được xem nhật ký và số liệu giám sát sử dụng."

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_role(request.user, Role.SYSTEM_ADMIN)


class SystemAdminView(APIView):
    required_scope = "admin"
    permission_classes = [IsAuthenticated, TokenScopes, IsSystemAdministrator]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # An unknown Accept header or ?format= gets the documented body, not a 404/406.
        return super().perform_content_negotiation(request, force=True)


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the workbook with `Accept: <xlsx media type>`."""

    media_type = exports.XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()


class XlsxExportView(SystemAdminView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    def finalize_response(self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any) -> Any:
        # Errors are JSON even when the client asked for a workbook.
        if isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def xlsx_responses(*statuses: int) -> dict[Any, Any]:
    return {
        (200, exports.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Tệp Excel (.xlsx)"),
        **{(status, "application/json"): response for status, response in errors(*statuses).items()},
    }


# --- Serializers ---------------------------------------------------------------------------


class AuditFilterQuerySerializer(QuerySerializer):
    actor = bounded_id(required=False, help_text="Mã người thực hiện")
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="Tìm người thực hiện theo họ tên, tên đăng nhập hoặc thư điện tử (không phân biệt dấu)",
    )
    unit = bounded_id(required=False, help_text="Mã đơn vị của người thực hiện (gồm các đơn vị trực thuộc)")
    action = serializers.RegexField(
        r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$",
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="Mã thao tác (ví dụ auth.login) hoặc cả nhóm (auth.*)",
    )
    date_from = serializers.DateField(required=False, input_formats=DATE_FORMATS, help_text="Từ ngày (giờ Việt Nam)")
    date_to = serializers.DateField(required=False, input_formats=DATE_FORMATS, help_text="Đến ngày (giờ Việt Nam)")
    target_type = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="Loại đối tượng, ví dụ accounts.user"
    )
    target_id = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def to_filter(self) -> AuditFilter:
        data = dict(self.validated_data)
        unit = None
        if data.get("unit"):
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise ValidationFailed("unknown_unit", "Không tìm thấy đơn vị.", "unit")
        return AuditFilter.build(
            actor_id=data.get("actor"),
            person=data.get("q", ""),
            unit=unit,
            action=data.get("action", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            target_type=data.get("target_type", ""),
            target_id=data.get("target_id", ""),
        )


class AuditEventQuerySerializer(AuditFilterQuerySerializer):
    cursor = serializers.RegexField(
        r"^[on]-?\d{1,20}_\d{1,20}$",
        required=False,
        allow_blank=True,
        help_text="Con trỏ trang, lấy từ `next` hoặc `previous` của trang trước",
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField(help_text="ISO 8601, giờ Việt Nam (+07:00)")
    actor = PersonRefSerializer(allow_null=True)
    actor_username = serializers.CharField(help_text="Tên đăng nhập lúc xảy ra (với đăng nhập thất bại: tên đã nhập)")
    actor_unit = UnitRefSerializer(allow_null=True, help_text="Đơn vị chính của người thực hiện lúc xảy ra")
    on_behalf_of = PersonRefSerializer(allow_null=True, help_text="Người ủy quyền, khi thao tác được thực hiện thay")
    action = serializers.CharField()
    action_label = serializers.CharField(help_text="Tên thao tác tiếng Việt")
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    target_repr = serializers.CharField()
    data = serializers.JSONField(help_text="Dữ liệu kèm theo, thường là {before, after}")
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    channel = serializers.CharField()
    channel_label = serializers.CharField(help_text="Kênh: Web, API, Dòng lệnh, Tác vụ nền, Hệ thống")


class AuditEventPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Số sự kiện phù hợp, tối đa đến ngưỡng đếm")
    count_exact = serializers.BooleanField(help_text="false: có nhiều hơn `count` sự kiện (đếm có giới hạn)")
    next = serializers.URLField(allow_null=True, help_text="Trang sự kiện cũ hơn")
    previous = serializers.URLField(allow_null=True, help_text="Trang sự kiện mới hơn")
    results = AuditEventSerializer(many=True)


class ChainReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="Số sự kiện hợp lệ đã kiểm tra")
    broken_at = serializers.IntegerField(allow_null=True, help_text="Mã sự kiện tại liên kết hỏng đầu tiên")
    reason = serializers.CharField(allow_blank=True)


# --- Views -------------------------------------------------------------------------------


def _page_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class AuditEventListView(SystemAdminView):
    @extend_schema(
        parameters=[AuditEventQuerySerializer],
        responses={200: AuditEventPageSerializer, **errors(400)},
        tags=["audit"],
        operation_id="audit_events_list",
        summary="Nhật ký hệ thống: sự kiện theo điều kiện lọc, mới nhất trước",
    )
    def get(self, request: Request) -> Response:
        params = AuditEventQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        events = filtered_events(request.user, params.to_filter())
        cursor = params.validated_data.get("cursor") or ""
        direction, position = (cursor[0], cursor[1:]) if cursor else (_OLDER, "")
        page = page_events(
            events,
            before=position if direction == _OLDER and position else None,
            after=position if direction == _NEWER else None,
            size=params.validated_data["page_size"],
        )
        count = capped_count(events)
        payload = {
            "count": count.value,
            "count_exact": count.exact,
            "next": _page_url(request, _OLDER + page.next_cursor if page.next_cursor else None),
            "previous": _page_url(request, _NEWER + page.prev_cursor if page.prev_cursor else None),
            "results": [_event_payload(e) for e in page.events],
        }
        return Response(AuditEventPageSerializer(payload).data)


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "username": user.username, "full_name": user.full_name} if user else None


def _event_payload(event: Any) -> dict[str, Any]:
    return {
        **{
            f: getattr(event, f)
            for f in (
                "id",
                "occurred_at",
                "actor_username",
                "action",
                "target_type",
                "target_id",
                "target_repr",
                "data",
                "ip_address",
                "user_agent",
                "channel",
            )
        },
        "actor": _person(event.actor) if event.actor_id else None,
        "actor_unit": {"id": event.actor_unit.pk, "name": event.actor_unit.name} if event.actor_unit_id else None,
        "on_behalf_of": _person(event.on_behalf_of) if event.on_behalf_of_id else None,
        "action_label": action_label(event.action),
        "channel_label": display.channel_label(event.channel),
    }


class AuditEventExportView(XlsxExportView):
    @extend_schema(
        parameters=[AuditFilterQuerySerializer],
        responses=xlsx_responses(400),
        tags=["audit"],
        operation_id="audit_events_export",
        summary=f"Xuất nhật ký ra Excel (tối đa {exports.EXPORT_ROW_CAP} dòng, mới nhất trước)",
    )
    def get(self, request: Request) -> FileResponse:
        params = AuditFilterQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        result = exports.export_events(actor=request.user, filters=params.to_filter())
        response = FileResponse(
            result.file, as_attachment=True, filename=result.filename, content_type=exports.XLSX_CONTENT_TYPE
        )
        response["X-Export-Rows"] = str(result.rows)
        response["X-Export-Truncated"] = "true" if result.truncated else "false"
        return response


class AuditVerifyView(SystemAdminView):
    @extend_schema(
        responses={200: ChainReportSerializer, **errors()},
        tags=["audit"],
        operation_id="audit_verify",
        summary="Kiểm tra tính toàn vẹn của chuỗi băm nhật ký",
    )
    def get(self, request: Request) -> Response:
        report = audit.verify_log(actor=request.user)
        return Response(
            ChainReportSerializer(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "broken_at": report.broken_at,
                    "reason": report.reason,
                }
            ).data
        )
