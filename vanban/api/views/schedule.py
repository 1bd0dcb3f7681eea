"""Lịch công tác: schedules, entries, approval and the printable PDF. Reads answer 404
for what the caller may not see; writes raise the services' errors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, errors, id_parameter
from vanban.api.serializers.schedule import (
    EntryInputSerializer,
    EntryResultSerializer,
    EntrySerializer,
    ReasonSerializer,
    ScheduleCreateSerializer,
    ScheduleDetailSerializer,
    ScheduleFilterSerializer,
    ScheduleSerializer,
)
from vanban.api.views.base import JsonListView, JsonView, query_params, validated
from vanban.core.errors import NotFound
from vanban.incoming.selectors import incoming_visible_to
from vanban.outgoing.selectors import outgoing_visible_to
from vanban.schedule import printing, selectors, services
from vanban.schedule.models import Schedule, ScheduleEntry

PERMISSIONS = [IsAuthenticated, TokenScopes]
TAGS = ["schedule"]


def _schedule(request: Request, pk: Any) -> Schedule:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return selectors.get_schedule_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _entry(request: Request, pk: Any) -> ScheduleEntry:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return selectors.get_entry_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _entry_data(request: Request, data: dict[str, Any]) -> services.EntryData:
    # Documents the caller cannot see are simply not found: the service refuses the
    # mismatch with document_not_visible, revealing nothing.
    incoming = list(incoming_visible_to(request.user).filter(pk__in=data.pop("incoming_documents")))
    outgoing = list(outgoing_visible_to(request.user).filter(pk__in=data.pop("outgoing_documents")))
    return services.EntryData(incoming_documents=incoming, outgoing_documents=outgoing, **data)


def _check_docs(request: Request, raw: Any, data: services.EntryData) -> None:
    from vanban.core.errors import ValidationFailed

    wanted_in = set(raw.get("incoming_documents") or [])
    wanted_out = set(raw.get("outgoing_documents") or [])
    if len(wanted_in) != len(data.incoming_documents):
        raise ValidationFailed("document_not_visible", "Không tìm thấy văn bản đến được liên kết.", "incoming_documents")
    if len(wanted_out) != len(data.outgoing_documents):
        raise ValidationFailed("document_not_visible", "Không tìm thấy văn bản đi được liên kết.", "outgoing_documents")


def _fresh(entry: ScheduleEntry) -> ScheduleEntry:
    return (ScheduleEntry.objects.select_related("chair", "preparing_unit")
            .prefetch_related("participants", "participant_units", "incoming_documents", "outgoing_documents")
            .get(pk=entry.pk))


class ScheduleListView(JsonListView):
    permission_classes = PERMISSIONS
    serializer_class = ScheduleSerializer

    def get_queryset(self) -> QuerySet[Schedule]:
        f = query_params(ScheduleFilterSerializer, self.request)
        qs = selectors.schedules_visible_to(self.request.user)
        if f.get("unit"):
            qs = qs.filter(unit_id=f["unit"])
        elif f.get("ministry"):
            qs = qs.filter(unit__isnull=True)
        if f.get("week"):
            qs = qs.filter(week_start=selectors.monday_of(f["week"]))
        return qs.order_by("-week_start", "pk")

    @extend_schema(tags=TAGS, parameters=[ScheduleFilterSerializer], responses={200: ScheduleSerializer(many=True),
                                                                              **errors(400)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Các lịch công tác bạn được xem: lịch đã công bố của mọi đơn vị, và lịch chưa công bố
        của đơn vị bạn lập hoặc duyệt."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=ScheduleCreateSerializer, responses={201: ScheduleDetailSerializer,
                                                                          **errors(400, 409)})
    def post(self, request: Request) -> Response:
        """Lập lịch công tác của một tuần (văn thư Bộ cho Lãnh đạo Bộ, văn thư đơn vị cho đơn vị).
        Tuần đã có lịch: 409 schedule_exists."""
        data = validated(ScheduleCreateSerializer, request.data)
        schedule = services.create_schedule(actor=request.user, unit=data.get("unit"), week_start=data["week_start"])
        return Response(ScheduleDetailSerializer(_schedule(request, schedule.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ScheduleDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: ScheduleDetailSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một lịch công tác với các mục lịch theo thứ tự thời gian."""
        return Response(ScheduleDetailSerializer(_schedule(request, pk)).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class EntryCreateView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=EntryInputSerializer, responses={201: EntryResultSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Thêm mục lịch. Người chủ trì trùng giờ với lịch khác: vẫn lưu, kèm cảnh báo trong `warnings`.
        Lịch đang chờ duyệt hoặc đã duyệt: 409 schedule_locked. Lịch đã công bố: mục mới được đánh dấu
        điều chỉnh và báo cho người liên quan."""
        schedule = _schedule(request, pk)
        data = _entry_data(request, validated(EntryInputSerializer, request.data))
        _check_docs(request, request.data, data)
        entry, warnings = services.add_entry(actor=request.user, schedule=schedule, data=data)
        return Response({"entry": EntrySerializer(_fresh(entry)).data, "warnings": warnings},
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class EntryDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: EntrySerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một mục lịch."""
        return Response(EntrySerializer(_fresh(_entry(request, pk))).data)

    @extend_schema(request=EntryInputSerializer, responses={200: EntryResultSerializer, **errors(400, 404, 409)})
    def put(self, request: Request, pk: int) -> Response:
        """Sửa mục lịch (gửi đủ các trường). Sau khi công bố, thay đổi được ghi «điều chỉnh» kèm nội dung
        thay đổi và thông báo cho người chủ trì, thành phần dự."""
        entry = _entry(request, pk)
        data = _entry_data(request, validated(EntryInputSerializer, request.data))
        _check_docs(request, request.data, data)
        entry, warnings = services.update_entry(actor=request.user, entry=entry, data=data)
        return Response({"entry": EntrySerializer(_fresh(entry)).data, "warnings": warnings})


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class EntryCancelView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=ReasonSerializer, responses={200: EntrySerializer, 204: None, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Hủy mục lịch: ở lịch dự thảo mục bị xóa (204); ở lịch đã công bố mục được giữ lại, đánh dấu
        đã hủy và báo cho người liên quan (200)."""
        entry = _entry(request, pk)
        reason = validated(ReasonSerializer, request.data)["reason"]
        result = services.cancel_entry(actor=request.user, entry=entry, reason=reason)
        if result is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(EntrySerializer(_fresh(result)).data)


def _action_view(fn: Any, summary: str, with_reason: bool = False) -> type[JsonView]:
    @extend_schema(tags=TAGS, parameters=[id_parameter()])
    class ActionView(JsonView):
        permission_classes = PERMISSIONS

        @extend_schema(request=ReasonSerializer if with_reason else None,
                       responses={200: ScheduleDetailSerializer, **errors(400, 404, 409)}, description=summary)
        def post(self, request: Request, pk: int) -> Response:
            schedule = _schedule(request, pk)
            if with_reason:
                fn(actor=request.user, schedule=schedule, reason=validated(ReasonSerializer, request.data)["reason"])
            else:
                fn(actor=request.user, schedule=schedule)
            return Response(ScheduleDetailSerializer(_schedule(request, pk)).data)

    ActionView.__name__ = f"Schedule{fn.__name__.title().replace('_', '')}View"
    ActionView.__qualname__ = ActionView.__name__
    return ActionView


SubmitView = _action_view(services.submit, "Trình lãnh đạo duyệt lịch (văn thư). Lịch trống: 400 schedule_empty.")
ApproveView = _action_view(services.approve, "Duyệt lịch đã trình (lãnh đạo).")
ReturnView = _action_view(services.return_schedule, "Trả lại lịch để sửa, kèm lý do (lãnh đạo).", with_reason=True)
PublishView = _action_view(services.publish, "Công bố lịch đã duyệt: mọi người trong cơ quan xem được.")


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class SchedulePdfView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY), **errors(404)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        """Bản in lịch công tác tuần (PDF, A4 ngang)."""
        schedule = _schedule(request, pk)
        response = HttpResponse(printing.schedule_pdf(schedule), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="lich-cong-tac-{schedule.week_start:%Y%m%d}.pdf"'
        return response
