"""Notifications as their recipient sees them, and the person's e-mail preferences."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.notifications import kinds, selectors
from vanban.notifications.models import EmailDelivery, EmailMode, Notification

EMAIL_STATES = [
    ("sent", "Đã gửi thư"),
    ("pending", "Chờ gửi thư (hoặc chờ gửi lại)"),
    ("failed", "Gửi thư không thành công"),
    ("abandoned", "Quản trị đã bỏ qua thư gửi lỗi"),
    ("digest", "Gộp vào thư tổng hợp hằng ngày"),
    ("", "Không gửi thư"),
]


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField(help_text="Loại thông báo bằng tiếng Việt")
    actor_name = serializers.SerializerMethodField(help_text="Người thực hiện hành động, nếu có")
    is_read = serializers.SerializerMethodField()
    email_state = serializers.SerializerMethodField(
        help_text="sent, pending, failed, digest, hoặc rỗng khi không gửi thư"
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "body",
            "url",
            "actor",
            "actor_name",
            "target_type",
            "target_id",
            "created_at",
            "read_at",
            "is_read",
            "email_state",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj: Notification) -> str:
        return kinds.label(obj.kind)

    def get_actor_name(self, obj: Notification) -> str:
        return obj.actor.get_full_name() if obj.actor is not None else ""

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    def get_email_state(self, obj: Notification) -> str:
        return selectors.email_state(obj)


class NotificationFilterSerializer(QuerySerializer):
    unread = serializers.BooleanField(required=False, help_text="1: chỉ thông báo chưa đọc")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(min_value=0, help_text="Số thông báo chưa đọc")


class MarkReadSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=bounded_id(), required=False, max_length=500, help_text="Các thông báo cần đánh dấu đã đọc"
    )
    all = serializers.BooleanField(required=False, default=False, help_text="true: đánh dấu mọi thông báo đã đọc")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("all") and attrs.get("ids"):
            raise serializers.ValidationError({"ids": "Chọn «ids» hoặc «all», không cả hai."})
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError({"ids": "Hãy cho danh sách «ids» hoặc «all»: true."})
        return attrs


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(min_value=0, help_text="Số thông báo vừa được đánh dấu đã đọc")
    unread = serializers.IntegerField(min_value=0, help_text="Số thông báo chưa đọc còn lại")


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Loại thông báo, ví dụ assignment.urged")
    label = serializers.CharField(help_text="Tên loại thông báo bằng tiếng Việt")
    in_app = serializers.BooleanField(default=True, help_text="Luôn hiện trong ứng dụng (chuông)")
    email = serializers.ChoiceField(choices=EmailMode.choices, help_text="immediate, digest hoặc off")
    default_email = serializers.ChoiceField(choices=EmailMode.choices, help_text="Cách gửi thư mặc định")


class PreferencesSerializer(serializers.Serializer):
    digest_time = serializers.CharField(help_text="Giờ gửi thư tổng hợp hằng ngày (giờ Việt Nam), HH:MM")
    preferences = PreferenceSerializer(many=True)


class PreferenceChangeSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=list(kinds.KINDS.items()), help_text="Loại thông báo")
    email = serializers.ChoiceField(choices=EmailMode.choices, help_text="immediate, digest hoặc off")


class PreferencesUpdateSerializer(StrictSerializer):
    preferences = PreferenceChangeSerializer(
        many=True, allow_empty=False, help_text="Các loại cần đổi; loại không nêu giữ nguyên"
    )

    def validate_preferences(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen = set()
        for item in value:
            if item["kind"] in seen:
                raise serializers.ValidationError(f"Loại «{item['kind']}» được nêu hai lần.")
            seen.add(item["kind"])
        return value


# --- E-mails that could not be sent (system administrator) -----------------------------------


class EmailProblemFilterSerializer(QuerySerializer):
    state = serializers.ChoiceField(
        choices=list(selectors.EMAIL_PROBLEMS.items()), default="failed",
        help_text="failed: đã dừng sau lần thử cuối; retrying: đang lỗi, chờ thử lại; abandoned: đã bỏ qua",
    )


class EmailDeliverySerializer(serializers.ModelSerializer):
    recipient_name = serializers.SerializerMethodField()
    recipient_email = serializers.SerializerMethodField(help_text="Địa chỉ thư hiện tại của người nhận")
    title = serializers.SerializerMethodField(help_text="Tiêu đề thông báo (thư ngay) hoặc ngày của thư tổng hợp")

    class Meta:
        model = EmailDelivery
        fields = ["id", "recipient", "recipient_name", "recipient_email", "kind", "state", "attempts", "last_error",
                  "created_at", "next_attempt_at", "sent_at", "notification", "digest_date", "title"]  # fmt: skip
        read_only_fields = fields

    def get_recipient_name(self, obj: EmailDelivery) -> str:
        return obj.recipient.full_name or obj.recipient.username

    def get_recipient_email(self, obj: EmailDelivery) -> str:
        return obj.recipient.email

    def get_title(self, obj: EmailDelivery) -> str:
        if obj.notification is not None:
            return obj.notification.title
        return f"Thư tổng hợp ngày {obj.digest_date:%d/%m/%Y}" if obj.digest_date else ""


class EmailAbandonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
