"""Lịch công tác in the API: schedules with their entries; entry bodies name people,
units and documents by id."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.organisation.models import Unit
from vanban.schedule.models import Schedule, ScheduleEntry


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
    chair = PersonRefSerializer(allow_null=True)
    participants = PersonRefSerializer(many=True)
    participant_units = UnitRefSerializer(many=True)
    preparing_unit = UnitRefSerializer(allow_null=True)
    incoming_documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    outgoing_documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ScheduleEntry
        fields = ["id", "schedule", "date", "start_time", "end_time", "place", "content", "chair", "participants",
                  "participant_units", "preparing_unit", "incoming_documents", "outgoing_documents", "notes",
                  "cancelled", "adjusted", "adjustment_note", "adjusted_at"]


class ScheduleSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(allow_null=True, help_text="null: lịch công tác của Lãnh đạo Bộ")
    week_end = serializers.DateField()
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Schedule
        fields = ["id", "unit", "week_start", "week_end", "status", "status_label", "submitted_at", "approved_at",
                  "published_at", "return_reason"]


class ScheduleDetailSerializer(ScheduleSerializer):
    entries = EntrySerializer(many=True)

    class Meta(ScheduleSerializer.Meta):
        fields = [*ScheduleSerializer.Meta.fields, "entries"]


class EntryResultSerializer(serializers.Serializer):
    entry = EntrySerializer()
    warnings = serializers.ListField(child=serializers.CharField(),
                                     help_text="Cảnh báo (ví dụ trùng lịch của người chủ trì); mục lịch vẫn được lưu")


class ScheduleFilterSerializer(QuerySerializer):
    unit = bounded_id(required=False, help_text="Đơn vị; bỏ trống cùng ministry=true: lịch Lãnh đạo Bộ")
    ministry = serializers.BooleanField(required=False, default=False)
    week = serializers.DateField(required=False, help_text="Một ngày bất kỳ trong tuần")


class ScheduleCreateSerializer(StrictSerializer):
    unit = bounded_id(required=False, allow_null=True, help_text="null: lịch công tác của Lãnh đạo Bộ")
    week_start = serializers.DateField(help_text="Một ngày bất kỳ trong tuần (được đưa về thứ Hai)")

    def validate_unit(self, value: int | None) -> Unit | None:
        if value is None:
            return None
        unit = Unit.objects.filter(pk=value).first()
        if unit is None:
            raise serializers.ValidationError("Không tìm thấy đơn vị.")
        return unit


def _users(ids: list[int], field: str) -> list[Any]:
    users = list(get_user_model().objects.filter(pk__in=set(ids)))
    if len(users) != len(set(ids)):
        raise serializers.ValidationError({field: ["Không tìm thấy người dùng."]})
    return users


class EntryInputSerializer(StrictSerializer):
    date = serializers.DateField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField(required=False, allow_null=True, default=None)
    content = serializers.CharField(max_length=5000)
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    chair = bounded_id(required=False, allow_null=True, default=None)
    participants = serializers.ListField(child=bounded_id(), required=False, default=list, max_length=500)
    participant_units = serializers.ListField(child=bounded_id(), required=False, default=list, max_length=500)
    preparing_unit = bounded_id(required=False, allow_null=True, default=None)
    incoming_documents = serializers.ListField(child=bounded_id(), required=False, default=list, max_length=100)
    outgoing_documents = serializers.ListField(child=bounded_id(), required=False, default=list, max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("chair"):
            attrs["chair"] = _users([attrs["chair"]], "chair")[0]
        attrs["participants"] = _users(attrs.get("participants", []), "participants")
        unit_ids = set(attrs.get("participant_units", []))
        units = list(Unit.objects.filter(pk__in=unit_ids))
        if len(units) != len(unit_ids):
            raise serializers.ValidationError({"participant_units": ["Không tìm thấy đơn vị."]})
        attrs["participant_units"] = units
        if attrs.get("preparing_unit"):
            unit = Unit.objects.filter(pk=attrs["preparing_unit"]).first()
            if unit is None:
                raise serializers.ValidationError({"preparing_unit": ["Không tìm thấy đơn vị."]})
            attrs["preparing_unit"] = unit
        return attrs


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
