"""Hồ sơ, danh mục hồ sơ, nộp lưu."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.records.models import Dossier, DossierItem, DossierPlan, PlanEntry, PlanHeading, Transfer


class PlanEntrySerializer(serializers.ModelSerializer):
    retention = serializers.CharField(source="retention_label", help_text="«10 năm» hoặc «Vĩnh viễn»")
    unit_name = serializers.CharField(source="unit.name")
    responsible_name = serializers.SerializerMethodField()

    class Meta:
        model = PlanEntry
        fields = ["id", "heading", "notation", "title", "retention", "retention_years", "retention_permanent",
                  "unit", "unit_name", "responsible", "responsible_name", "note", "position"]  # fmt: skip

    def get_responsible_name(self, obj: PlanEntry) -> str:
        return obj.responsible.full_name if obj.responsible_id else ""


class PlanHeadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanHeading
        fields = ["id", "code", "title", "abbreviation", "position"]


class PlanSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierPlan
        fields = ["id", "year", "title", "state", "copied_from", "created_at", "approved_at", "published_at"]


class PlanSerializer(PlanSummarySerializer):
    headings = PlanHeadingSerializer(many=True, read_only=True)
    entries = PlanEntrySerializer(many=True, read_only=True)

    class Meta(PlanSummarySerializer.Meta):
        fields = [*PlanSummarySerializer.Meta.fields, "headings", "entries"]


class PlanCreateSerializer(StrictSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HeadingCreateSerializer(StrictSerializer):
    code = serializers.CharField(max_length=10, help_text="I, II... (đề mục lớn) hoặc 1, 2... (đề mục nhỏ)")
    title = serializers.CharField(max_length=300)
    abbreviation = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class EntryCreateSerializer(StrictSerializer):
    heading = bounded_id()
    notation = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=500)
    retention = serializers.CharField(max_length=30, help_text="Số năm (10, «10 năm») hoặc «Vĩnh viễn»")
    unit = bounded_id()
    responsible = bounded_id(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ItemSerializer(serializers.ModelSerializer):
    page_amount = serializers.SerializerMethodField()

    class Meta:
        model = DossierItem
        fields = ["id", "position", "kind", "title", "incoming", "outgoing", "page_amount", "added_at"]

    def get_page_amount(self, obj: DossierItem) -> int:
        from vanban.records.content import item_pages

        return item_pages(obj)


class DossierSummarySerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Mã hồ sơ = mã cơ quan.năm.số và ký hiệu")
    retention = serializers.CharField(source="retention_label", read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = ["id", "code", "organ_code", "year", "notation", "title", "retention", "state", "unit",
                  "unit_name", "legal_hold", "start_date", "end_date", "doc_total", "page_total"]  # fmt: skip

    def get_unit_name(self, obj: Dossier) -> str:
        return obj.unit.name if obj.unit_id else ""


class DossierSerializer(DossierSummarySerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta(DossierSummarySerializer.Meta):
        fields = [*DossierSummarySerializer.Meta.fields, "plan_entry", "rights", "creator_name", "language",
                  "info_symbol", "keywords", "physical_state", "description", "legal_hold_reason", "closed_at",
                  "transferred_at", "items"]  # fmt: skip


class DossierFilterSerializer(QuerySerializer):
    state = serializers.ChoiceField(choices=Dossier.State.choices, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DossierOpenSerializer(StrictSerializer):
    entry = bounded_id(help_text="Hồ sơ trong danh mục đã ban hành")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class DossierUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500, required=False)
    retention = serializers.CharField(max_length=30, required=False)
    rights = serializers.CharField(max_length=30, required=False)
    creator_name = serializers.CharField(max_length=30, required=False, allow_blank=True)
    language = serializers.CharField(max_length=50, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    info_symbol = serializers.CharField(max_length=30, required=False, allow_blank=True)
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True)
    physical_state = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class FileDocumentSerializer(StrictSerializer):
    incoming = bounded_id(required=False, allow_null=True, default=None)
    outgoing = bounded_id(required=False, allow_null=True, default=None)


class MaterialSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    file = serializers.FileField()


class MoveSerializer(StrictSerializer):
    position = serializers.IntegerField(min_value=1, max_value=10000)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000)


class LegalHoldSerializer(StrictSerializer):
    hold = serializers.BooleanField()
    reason = serializers.CharField(max_length=1000)


class RetentionRowSerializer(serializers.Serializer):
    dossier = DossierSummarySerializer()
    transfer_due = serializers.DateField(allow_null=True)
    appraisal_due = serializers.DateField(allow_null=True)
    transfer_overdue = serializers.BooleanField()
    appraisal_reached = serializers.BooleanField()
    disposal_blocked = serializers.BooleanField()


class TransferSerializer(serializers.ModelSerializer):
    dossiers = DossierSummarySerializer(many=True, read_only=True)
    job = serializers.UUIDField(source="job_id", allow_null=True, read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "title", "state", "unit", "dossiers", "created_by", "created_at", "approved_by",
                  "approved_at", "job", "package_sha256", "exported_at"]  # fmt: skip


class TransferCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300)
    dossiers = serializers.ListField(child=bounded_id(), min_length=1, max_length=5000)


class PackageUploadSerializer(serializers.Serializer):
    package = serializers.FileField(help_text="Gói nộp lưu (.zip)")


class PackageReportSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    organ_id = serializers.CharField()
    title = serializers.CharField()
    manifest_sha256 = serializers.CharField()
    entries = serializers.IntegerField()
    dossiers = serializers.ListField(child=serializers.CharField())

    @staticmethod
    def of(report: Any) -> dict[str, Any]:
        return {"valid": True, "organ_id": report.organ_id, "title": report.title,
                "manifest_sha256": report.manifest_sha256, "entries": report.entries,
                "dossiers": [d["code"] for d in report.dossiers]}  # fmt: skip
