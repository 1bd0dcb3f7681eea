"""Outgoing documents (văn bản đi) on the wire."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.documents.catalogue import Urgency
from vanban.organisation.roles import SigningAuthority
from vanban.outgoing.models import Event, OpinionRequest, OutgoingDocument, Recipient, ReviewTask, Version
from vanban.outgoing.selectors import BOXES


def _name(user: Any) -> str | None:
    return (user.full_name or user.username) if user is not None else None


class VersionSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(source="file.sha256")
    size = serializers.IntegerField(source="file.size")
    kind_display = serializers.CharField(source="get_kind_display")
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = ["id", "number", "kind", "kind_display", "file_name", "sha256", "size", "comment", "created_by",
                  "created_by_name", "created_at"]  # fmt: skip

    def get_created_by_name(self, v: Version) -> str | None:
        return _name(v.created_by)


class ReviewSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.SerializerMethodField()

    class Meta:
        model = ReviewTask
        fields = ["id", "round", "order", "step", "reviewer", "reviewer_name", "status", "comment", "version",
                  "decided_by", "on_behalf_of", "decided_at"]  # fmt: skip

    def get_reviewer_name(self, r: ReviewTask) -> str | None:
        return _name(r.reviewer)


class OpinionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpinionRequest
        fields = ["id", "unit", "user", "question", "deadline", "requested_by", "requested_at", "status", "answer",
                  "answered_by", "answered_at"]  # fmt: skip


class RecipientSerializer(serializers.ModelSerializer):
    label = serializers.CharField()
    exchange = serializers.SerializerMethodField(help_text="Trạng thái liên thông (edXML 01–06) của cơ quan ngoài")

    class Meta:
        model = Recipient
        fields = ["id", "unit", "user", "organ", "email", "label", "delivery", "delivered_at", "read_at", "incoming",
                  "error", "exchange"]

    def get_exchange(self, r: Recipient) -> dict[str, Any] | None:
        if r.organ_id is None:
            return None
        from vanban.api.serializers.exchange import recipient_exchange

        return recipient_exchange(r)


class EventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "kind", "text", "actor", "actor_name", "on_behalf_of", "at"]

    def get_actor_name(self, e: Event) -> str | None:
        return _name(e.actor)


class OutgoingSummarySerializer(serializers.ModelSerializer):
    number_symbol = serializers.CharField(help_text="Số, ký hiệu khi đã ban hành, ví dụ 05/BCT-XNK")
    document_type_name = serializers.CharField(source="document_type.name")
    drafting_unit_name = serializers.CharField(source="drafting_unit.name")

    class Meta:
        model = OutgoingDocument
        fields = ["id", "status", "document_type", "document_type_name", "subject", "drafting_unit",
                  "drafting_unit_name", "signer", "signer_position", "signing_authority", "urgency", "restricted",
                  "number", "code_notation", "number_symbol", "issued_date", "created_by", "created_at"]  # fmt: skip


class OutgoingSerializer(OutgoingSummarySerializer):
    versions = VersionSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    opinions = OpinionSerializer(many=True, read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(OutgoingSummarySerializer.Meta):
        fields = [*OutgoingSummarySerializer.Meta.fields, "to_places", "reply_to", "for_assignment", "relation",
                  "relates_to", "approved_at", "issued_at", "issued_by", "recalled_at", "recall_reason", "versions",
                  "reviews", "opinions", "recipients", "events"]  # fmt: skip


class RecipientInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=[("unit", "Đơn vị"), ("user", "Cá nhân"), ("organ", "Cơ quan ngoài"),
                                            ("email", "Thư điện tử")])
    id = bounded_id(required=False, help_text="Với unit, user, organ")
    email = serializers.EmailField(required=False, help_text="Với email")


class DraftInputSerializer(StrictSerializer):
    document_type = bounded_id()
    subject = serializers.CharField(max_length=500)
    signer = bounded_id(required=False, allow_null=True)
    signer_position = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    signing_authority = serializers.ChoiceField(
        choices=SigningAuthority.choices, required=False, allow_blank=True, default=""
    )
    to_places = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    restricted = serializers.BooleanField(
        required=False, default=False, help_text="Hạn chế công bố: ban hành nhưng không phát hành, không gửi điện tử"
    )
    recipients = RecipientInputSerializer(many=True, required=False, default=list)


class DraftCreateSerializer(DraftInputSerializer):
    file = serializers.FileField(allow_empty_file=True, help_text="Tệp dự thảo DOCX, ODT hoặc PDF")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    reply_to = bounded_id(required=False, help_text="Văn bản đến được trả lời")
    for_assignment = bounded_id(required=False, help_text="Việc được giao mà văn bản này trả lời")
    recipients = serializers.JSONField(
        required=False, default=list, binary=True, help_text='Danh sách [{"kind": "unit|user|organ", "id": 1}] (JSON)'
    )


class VersionInputSerializer(StrictSerializer):
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReviewerInputSerializer(StrictSerializer):
    step = serializers.ChoiceField(choices=ReviewTask.Step.choices)
    user = bounded_id()


class SubmitSerializer(StrictSerializer):
    note = serializers.CharField(max_length=4000, help_text="Nội dung phiếu trình")
    reviewers = ReviewerInputSerializer(
        many=True, max_length=10, help_text="Người duyệt theo thứ tự; người ký luôn được thêm vào cuối"
    )


class ApproveSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    file = serializers.FileField(required=False, allow_empty_file=True, help_text="Bản đã sửa (sửa và chuyển tiếp)")


class ReturnSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=4000)


class OpinionInputSerializer(StrictSerializer):
    unit = bounded_id(required=False)
    user = bounded_id(required=False)
    question = serializers.CharField(max_length=2000)
    deadline = serializers.DateField()


class AnswerSerializer(StrictSerializer):
    answer = serializers.CharField(max_length=4000)


class SignSerializer(StrictSerializer):
    secret = serializers.CharField(max_length=200, trim_whitespace=False, help_text="Mật khẩu (PIN) chứng thư số")


class IssueSerializer(StrictSerializer):
    seal_secret = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=False,
        help_text="Mật khẩu khóa con dấu số của cơ quan (nếu được cấu hình)",
    )


class RecallSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class OutgoingFilterSerializer(QuerySerializer):
    box = serializers.ChoiceField(choices=list(BOXES.items()), default="drafts")
    q = serializers.CharField(required=False, max_length=200)


class CorrectionSerializer(StrictSerializer):
    relation = serializers.ChoiceField(choices=[("update", "Cập nhật"), ("replace", "Thay thế")])
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CopyInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=[("sao_y", "Sao y"), ("trich_sao", "Trích sao"), ("sao_luc", "Sao lục")])
    file = serializers.FileField(required=False, allow_empty_file=True, help_text="Phần trích (PDF), cho trích sao")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    seal_secret = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)


class CopySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.IntegerField()
    number_symbol = serializers.CharField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField(source="file.sha256")
    created_at = serializers.DateTimeField()


class ReviewRouteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_type = serializers.IntegerField(source="document_type_id", allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    steps = serializers.ListField(child=serializers.CharField())


class ReviewRouteInputSerializer(StrictSerializer):
    document_type = bounded_id(required=False, allow_null=True, help_text="Bỏ trống: mọi loại")
    unit = bounded_id(required=False, allow_null=True, help_text="Bỏ trống: mọi đơn vị (chỉ quản trị hệ thống)")
    steps = serializers.ListField(
        child=serializers.ChoiceField(choices=[c for c in ReviewTask.Step.choices if c[0] != "signer"]),
        max_length=5, help_text="Các bước trước người ký, theo thứ tự",
    )
