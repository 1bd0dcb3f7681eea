"""Serializers of the exchange transport: partners, the outbox, received messages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.exchange.models import ChangeRequest, OutboxMessage, Partner, ReceivedMessage, RecipientStatus


class PartnerSerializer(serializers.ModelSerializer):
    has_inbound_token = serializers.BooleanField(read_only=True)
    has_outbound_token = serializers.BooleanField(read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "organ_id", "name", "transport", "endpoint", "cert_fingerprint", "is_active",
                  "has_inbound_token", "has_outbound_token", "created_at", "updated_at"]  # fmt: skip


class PartnerInputSerializer(StrictSerializer):
    organ_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=500)
    transport = serializers.ChoiceField(choices=Partner.Transport.choices, default=Partner.Transport.HTTP)
    endpoint = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    inbound_token = serializers.CharField(
        max_length=500, required=False, allow_blank=True, allow_null=True, default=None,
        help_text="Mã đối tác gửi kèm khi gửi đến (chỉ lưu mã băm); bỏ trống: giữ nguyên, \"\": xóa",
    )  # fmt: skip
    outbound_token = serializers.CharField(
        max_length=500, required=False, allow_blank=True, allow_null=True, default=None,
        help_text="Mã mình gửi kèm khi gửi đến đối tác (lưu mã hóa)",
    )  # fmt: skip
    cert_fingerprint = serializers.CharField(max_length=120, required=False, allow_blank=True, allow_null=True,
                                             default=None)  # fmt: skip
    is_active = serializers.BooleanField(default=True)


class PartnerImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class PartnerImportErrorSerializer(serializers.Serializer):
    """400: the usual error, plus for a file with bad rows every row's error (nothing saved)."""

    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class OutboxSerializer(serializers.ModelSerializer):
    partner_organ_id = serializers.CharField(source="partner.organ_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = OutboxMessage
        fields = ["id", "partner", "partner_organ_id", "partner_name", "kind", "state", "idempotency_key",
                  "business_doc_type", "status_code", "document_id", "summary", "outgoing", "received", "size",
                  "attempts", "next_attempt_at", "last_error", "created_at", "sent_at"]  # fmt: skip


class OutboxFilterSerializer(QuerySerializer):
    state = serializers.ChoiceField(choices=[("problems", "Lỗi và không gửi được"), *OutboxMessage.State.choices],
                                    required=False, default="problems")  # fmt: skip


class AbandonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class InboxResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created = serializers.BooleanField()
    kind = serializers.CharField()
    status_code = serializers.CharField(allow_blank=True)


class ChangeRequestSerializer(serializers.ModelSerializer):
    """A revocation (1), update (2), replacement (3) or take-back (status 13, kind 1)
    the sender asked for; `message` is the received message carrying it, `target` the
    received document it is about, `incoming` that document once registered."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    from_organ_id = serializers.CharField(source="message.from_organ_id", read_only=True)
    take_back = serializers.SerializerMethodField(help_text="Yêu cầu lấy lại bằng thông điệp trạng thái 13")

    class Meta:
        model = ChangeRequest
        fields = ["id", "message", "kind", "kind_label", "take_back", "state", "state_label", "from_organ_id",
                  "reference", "target", "incoming", "replacement", "reason", "refusal_reason", "created_at",
                  "decided_at", "decided_by"]  # fmt: skip

    def get_take_back(self, obj: ChangeRequest) -> bool:
        return obj.message.kind == ReceivedMessage.Kind.STATUS


class ReceivedSerializer(serializers.ModelSerializer):
    change_request = serializers.SerializerMethodField()

    class Meta:
        model = ReceivedMessage
        fields = ["id", "kind", "status", "from_organ_id", "from_organ_name", "document_id", "code_number",
                  "code_notation", "promulgation_date", "subject", "business_doc_type", "status_code", "channel",
                  "received_at", "incoming", "refusal_reason", "decided_at", "warnings", "change_request"]  # fmt: skip

    @extend_schema_field(ChangeRequestSerializer(allow_null=True))
    def get_change_request(self, obj: ReceivedMessage) -> dict[str, Any] | None:
        try:
            request = obj.change_request  # select_related by the list's query
        except ChangeRequest.DoesNotExist:
            return None
        return ChangeRequestSerializer(request).data


class ChangeFilterSerializer(QuerySerializer):
    state = serializers.ChoiceField(choices=[("open", "Chờ xử lý"), *ChangeRequest.State.choices], required=False)
    incoming = bounded_id(required=False, help_text="Chỉ các yêu cầu về văn bản đến này")


class AcceptSerializer(StrictSerializer):
    confirm_duplicate = serializers.BooleanField(default=False)


class RefuseSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class RecipientStatusSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    change_label = serializers.CharField(read_only=True, help_text="15/16: trả lời yêu cầu thu hồi, cập nhật, thay thế")
    change_description = serializers.CharField(read_only=True)
    change_at = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = RecipientStatus
        fields = ["organ_id", "status_code", "label", "status_at", "description", "change_code", "change_label",
                  "change_description", "change_at", "history"]  # fmt: skip


def recipient_exchange(recipient: Any) -> dict[str, Any] | None:
    state = RecipientStatus.objects.filter(recipient=recipient).first()
    return RecipientStatusSerializer(state).data if state is not None else None


class OutboundTlsSerializer(serializers.Serializer):
    """Our client certificate for outbound mutual TLS, as configured on the server."""

    configured = serializers.BooleanField()
    certificate_path = serializers.CharField()
    key_path = serializers.CharField()
    subject = serializers.CharField()
    issuer = serializers.CharField()
    not_after = serializers.DateTimeField(allow_null=True)
    fingerprint = serializers.CharField(help_text="SHA-256 (hex): đối tác khai báo vân tay này cho mình")
    ca_bundle = serializers.CharField()
    ca_count = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
