"""The caller's own notifications and e-mail preferences. Another person's
notification is 404, exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors, id_parameter
from vanban.api.serializers.notifications import (
    EmailAbandonSerializer,
    EmailDeliverySerializer,
    EmailProblemFilterSerializer,
    MarkReadResultSerializer,
    MarkReadSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    UnreadCountSerializer,
)
from vanban.api.views.base import JsonListView, JsonView, get_or_404, query_params, validated
from vanban.notifications import selectors, services
from vanban.notifications.models import EmailDelivery, Notification
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role

TAGS = ["notifications"]


class NotificationListView(JsonListView):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        filters = query_params(NotificationFilterSerializer, self.request)
        return selectors.for_user(self.request.user, unread=bool(filters.get("unread")))

    @extend_schema(
        tags=TAGS,
        parameters=[NotificationFilterSerializer],
        responses={200: NotificationSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Thông báo của bạn, mới nhất trước (phân trang); `?unread=1` chỉ lấy thông báo chưa đọc."""
        return super().get(request, *args, **kwargs)


class NotificationDetailView(JsonView):
    @extend_schema(tags=TAGS, parameters=[id_parameter()], responses={200: NotificationSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một thông báo của bạn (không đánh dấu đã đọc). Thông báo của người khác: 404."""
        return Response(NotificationSerializer(get_or_404(selectors.for_user(request.user), pk)).data)


class UnreadCountView(JsonView):
    @extend_schema(tags=TAGS, responses={200: UnreadCountSerializer, **errors()})
    def get(self, request: Request) -> Response:
        """Số thông báo chưa đọc (con số trên biểu tượng chuông)."""
        return Response({"unread": selectors.unread_count(request.user)})


class MarkReadView(JsonView):
    @extend_schema(tags=TAGS, request=MarkReadSerializer, responses={200: MarkReadResultSerializer, **errors(400, 404)})
    def post(self, request: Request) -> Response:
        """Đánh dấu đã đọc: `{"ids": [...]}` các thông báo đã chọn, hoặc `{"all": true}` mọi thông báo.

        Nếu một mã trong `ids` không phải thông báo của bạn, trả 404 và không đánh dấu thông báo nào."""
        data = validated(MarkReadSerializer, request.data)
        marked = services.mark_read(user=request.user, ids=None if data.get("all") else data["ids"])
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})


def _preferences_payload(user: Any) -> dict[str, Any]:
    return {
        "digest_time": settings.VANBAN_NOTIFICATIONS_DIGEST_TIME,
        "preferences": [{**p, "in_app": True} for p in services.preferences_of(user)],
    }


class PreferencesView(JsonView):
    @extend_schema(tags=TAGS, responses={200: PreferencesSerializer, **errors()})
    def get(self, request: Request) -> Response:
        """Cách nhận thông báo của bạn theo từng loại: luôn trong ứng dụng; thư điện tử gửi ngay
        (immediate), gộp vào thư tổng hợp hằng ngày (digest) hoặc không gửi (off)."""
        return Response(PreferencesSerializer(_preferences_payload(request.user)).data)

    @extend_schema(
        tags=TAGS, request=PreferencesUpdateSerializer, responses={200: PreferencesSerializer, **errors(400)}
    )
    def put(self, request: Request) -> Response:
        """Đổi cách gửi thư cho các loại được nêu (các loại khác giữ nguyên); trả về toàn bộ cách nhận."""
        data = validated(PreferencesUpdateSerializer, request.data)
        services.set_preferences(
            actor=request.user, user=request.user, email={p["kind"]: p["email"] for p in data["preferences"]}
        )
        return Response(PreferencesSerializer(_preferences_payload(request.user)).data)


# --- E-mails that could not be sent (system administrator) -----------------------------------


class IsSystemAdmin(BasePermission):
    message = "Chỉ quản trị hệ thống mới được quản lý thư điện tử gửi lỗi."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and has_role(request.user, Role.SYSTEM_ADMIN))


class _SysadminScoped:
    permission_classes = [IsAuthenticated, TokenScopes, IsSystemAdmin]
    required_scope = "admin"


class EmailProblemListView(_SysadminScoped, JsonListView):
    serializer_class = EmailDeliverySerializer

    def get_queryset(self) -> QuerySet[EmailDelivery]:
        return selectors.email_problems(query_params(EmailProblemFilterSerializer, self.request)["state"])

    @extend_schema(tags=TAGS, parameters=[EmailProblemFilterSerializer],
                   responses={200: EmailDeliverySerializer(many=True), **errors(400, 403)})  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Thư thông báo gửi lỗi (quản trị hệ thống): người nhận, loại, số lần thử, lỗi gần nhất, thời điểm."""
        return super().get(request, *args, **kwargs)


class EmailRetryView(_SysadminScoped, JsonView):
    @extend_schema(tags=TAGS, parameters=[id_parameter()], request=None,
                   responses={200: EmailDeliverySerializer, **errors(403, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        """Gửi lại ngay thư đã gửi không thành công hoặc đã bỏ qua (đưa vào hàng đợi, số lần thử tính lại từ đầu).
        Thư đang chờ gửi lại hoặc đã gửi: 409."""
        row = services.retry_email(actor=request.user, delivery=get_or_404(EmailDelivery.objects.all(), pk))
        return Response(EmailDeliverySerializer(row).data)


class EmailAbandonView(_SysadminScoped, JsonView):
    @extend_schema(tags=TAGS, parameters=[id_parameter()], request=EmailAbandonSerializer,
                   responses={200: EmailDeliverySerializer, **errors(400, 403, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        """Bỏ qua thư gửi lỗi: thôi không gửi nữa (thư vẫn trong danh sách, thông báo vẫn trong chuông)."""
        values = validated(EmailAbandonSerializer, request.data)
        row = services.abandon_email(actor=request.user, delivery=get_or_404(EmailDelivery.objects.all(), pk),
                                     reason=values["reason"])  # fmt: skip
        return Response(EmailDeliverySerializer(row).data)
