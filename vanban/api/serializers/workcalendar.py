"""The working-day calendar and the default-deadline rules on the wire."""

from __future__ import annotations

from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.documents.catalogue import Urgency
from vanban.workcalendar.models import CalendarDay, CalendarSettings, DeadlineRule


class CalendarSettingsSerializer(serializers.ModelSerializer):
    weekend_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), max_length=7,
        help_text="Ngày nghỉ hằng tuần: 0 = Thứ Hai … 5 = Thứ Bảy, 6 = Chủ nhật",
    )

    class Meta:
        model = CalendarSettings
        fields = ["weekend_days", "reminder_days", "escalation_days"]


class CalendarSettingsInputSerializer(StrictSerializer):
    weekend_days = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), max_length=7)
    reminder_days = serializers.IntegerField(min_value=0, max_value=60, help_text="Nhắc trước hạn N ngày làm việc")
    escalation_days = serializers.IntegerField(
        min_value=0, max_value=60, help_text="Báo cáo người giao việc, lãnh đạo đơn vị khi quá hạn N ngày làm việc"
    )


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name"]


class CalendarDayInputSerializer(StrictSerializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=CalendarDay.Kind.choices, default=CalendarDay.Kind.HOLIDAY,
                                   help_text="holiday (ngày nghỉ) hoặc workday (ngày làm bù)")
    name = serializers.CharField(max_length=200)


class YearQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="Năm (mặc định năm nay)")


class CopyYearSerializer(StrictSerializer):
    source = serializers.IntegerField(min_value=2000, max_value=2100)
    target = serializers.IntegerField(min_value=2000, max_value=2100)


class CopyYearResultSerializer(serializers.Serializer):
    created = CalendarDaySerializer(many=True)


class DateQuerySerializer(QuerySerializer):
    date = serializers.DateField()
    add = serializers.IntegerField(min_value=-365, max_value=365, required=False, default=0,
                                   help_text="Cộng thêm số ngày làm việc")


class DateCheckSerializer(serializers.Serializer):
    date = serializers.DateField()
    is_working_day = serializers.BooleanField()
    warning = serializers.CharField(help_text="Cảnh báo khi là ngày nghỉ, rỗng nếu là ngày làm việc")
    plus_working_days = serializers.DateField(help_text="Ngày sau khi cộng `add` ngày làm việc")


class DeadlineRuleSerializer(serializers.ModelSerializer):
    document_type_name = serializers.CharField(source="document_type.name", allow_null=True, default=None)

    class Meta:
        model = DeadlineRule
        fields = ["id", "document_type", "document_type_name", "urgency", "working_days"]


class DeadlineRuleInputSerializer(StrictSerializer):
    document_type = bounded_id(required=False, allow_null=True, default=None,
                               help_text="Loại văn bản; bỏ trống: mọi loại")
    urgency = serializers.ChoiceField(choices=[("", "Mọi độ khẩn"), *Urgency.choices], required=False, default="",
                                      allow_blank=True)
    working_days = serializers.IntegerField(min_value=1, max_value=365)
