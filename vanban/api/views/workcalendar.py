"""Lịch làm việc (ngày nghỉ, ngày làm bù) and quy tắc hạn xử lý: everyone signed in reads
them; the system administrator changes them."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.serializers.common import errors, id_parameter
from vanban.api.serializers.workcalendar import (
    CalendarDayInputSerializer,
    CalendarDaySerializer,
    CalendarSettingsInputSerializer,
    CalendarSettingsSerializer,
    CopyYearResultSerializer,
    CopyYearSerializer,
    DateCheckSerializer,
    DateQuerySerializer,
    DeadlineRuleInputSerializer,
    DeadlineRuleSerializer,
    YearQuerySerializer,
)
from vanban.api.views.base import AdminWritesMixin, JsonView, query_params, validated
from vanban.workcalendar import services
from vanban.workcalendar.calendar import WorkCalendar, get_settings
from vanban.workcalendar.deadlines import deadline_warning
from vanban.workcalendar.models import CalendarDay, DeadlineRule

TAGS = ["calendar"]


class CalendarSettingsView(AdminWritesMixin, JsonView):
    @extend_schema(tags=TAGS, responses={200: CalendarSettingsSerializer})
    def get(self, request: Request) -> Response:
        """Ngày nghỉ hằng tuần, số ngày nhắc trước hạn và số ngày quá hạn thì báo cáo (leo thang)."""
        return Response(CalendarSettingsSerializer(get_settings()).data)

    @extend_schema(tags=TAGS, request=CalendarSettingsInputSerializer,
                   responses={200: CalendarSettingsSerializer, **errors(400)})  # fmt: skip
    def put(self, request: Request) -> Response:
        """Sửa cấu hình (quản trị hệ thống)."""
        data = validated(CalendarSettingsInputSerializer, request.data)
        row = services.update_settings(actor=request.user, **data)
        return Response(CalendarSettingsSerializer(row).data)


class CalendarDayListView(AdminWritesMixin, JsonView):
    @extend_schema(tags=TAGS, parameters=[YearQuerySerializer],
                   responses={200: CalendarDaySerializer(many=True), **errors(400)})  # fmt: skip
    def get(self, request: Request) -> Response:
        """Ngày nghỉ lễ, Tết, nghỉ bù và ngày làm bù của một năm."""
        year = query_params(YearQuerySerializer, request).get("year") or timezone.localdate().year
        return Response(CalendarDaySerializer(CalendarDay.objects.filter(date__year=year), many=True).data)

    @extend_schema(tags=TAGS, request=CalendarDayInputSerializer,
                   responses={201: CalendarDaySerializer, **errors(400)})  # fmt: skip
    def post(self, request: Request) -> Response:
        """Thêm ngày nghỉ hoặc ngày làm bù (quản trị hệ thống). Ngày đã có: duplicate_day."""
        data = validated(CalendarDayInputSerializer, request.data)
        day = services.add_day(actor=request.user, date=data["date"], name=data["name"], kind=data["kind"])
        return Response(CalendarDaySerializer(day).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class CalendarDayDetailView(AdminWritesMixin, JsonView):
    @extend_schema(responses={204: None, **errors(404)})
    def delete(self, request: Request, pk: int) -> Response:
        """Xóa một ngày khỏi lịch (quản trị hệ thống)."""
        day = CalendarDay.objects.filter(pk=pk).first()
        if day is None:
            raise Http404
        services.remove_day(actor=request.user, day=day)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarCopyView(AdminWritesMixin, JsonView):
    @extend_schema(tags=TAGS, request=CopyYearSerializer, responses={201: CopyYearResultSerializer, **errors(400)})
    def post(self, request: Request) -> Response:
        """Sao chép lịch nghỉ của một năm sang năm khác (cùng ngày, tháng). Ngày âm lịch (Tết, Giỗ Tổ) cần sửa
        lại sau khi sao chép; ngày năm đích đã có được giữ nguyên."""
        data = validated(CopyYearSerializer, request.data)
        created = services.copy_year(actor=request.user, source=data["source"], target=data["target"])
        return Response(CopyYearResultSerializer({"created": created}).data, status=status.HTTP_201_CREATED)


class CalendarCheckView(JsonView):
    @extend_schema(tags=TAGS, parameters=[DateQuerySerializer], responses={200: DateCheckSerializer, **errors(400)})
    def get(self, request: Request) -> Response:
        """Một ngày có phải ngày làm việc không, và ngày sau khi cộng `add` ngày làm việc."""
        data = query_params(DateQuerySerializer, request)
        cal = WorkCalendar()
        body: dict[str, Any] = {
            "date": data["date"],
            "is_working_day": cal.is_working_day(data["date"]),
            "warning": deadline_warning(data["date"]),
            "plus_working_days": cal.add_working_days(data["date"], data["add"]),
        }
        return Response(DateCheckSerializer(body).data)


class DeadlineRuleListView(AdminWritesMixin, JsonView):
    @extend_schema(tags=TAGS, responses={200: DeadlineRuleSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Quy tắc hạn xử lý mặc định theo loại văn bản và độ khẩn (số ngày làm việc)."""
        rules = DeadlineRule.objects.select_related("document_type")
        return Response(DeadlineRuleSerializer(rules, many=True).data)

    @extend_schema(tags=TAGS, request=DeadlineRuleInputSerializer,
                   responses={200: DeadlineRuleSerializer, **errors(400)})  # fmt: skip
    def post(self, request: Request) -> Response:
        """Đặt (thêm hoặc sửa) quy tắc cho một cặp loại văn bản – độ khẩn (quản trị hệ thống)."""
        data = validated(DeadlineRuleInputSerializer, request.data)
        rule = services.set_rule(actor=request.user, **data)
        return Response(DeadlineRuleSerializer(rule).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DeadlineRuleDetailView(AdminWritesMixin, JsonView):
    @extend_schema(responses={204: None, **errors(400, 404)})
    def delete(self, request: Request, pk: int) -> Response:
        """Xóa quy tắc (quy tắc chung cho văn bản thường không xóa được: base_rule)."""
        rule = DeadlineRule.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404
        services.delete_rule(actor=request.user, rule=rule)
        return Response(status=status.HTTP_204_NO_CONTENT)
