"""The caller's own notifications and e-mail preferences. Another person's
notification is 404, exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.serializers.common import errors, id_parameter
from vanban.api.serializers.notifications import (
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
from vanban.notifications.models import Notification

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
