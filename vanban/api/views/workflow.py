"""Trình, chỉ đạo, giao việc, xử lý: every action of the workflow pages. Reads answer
404 for what the caller may not see; actions raise the services' errors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, errors, id_parameter
from vanban.api.serializers.incoming import IncomingSummarySerializer
from vanban.api.serializers.workflow import (
    AssignmentFilterSerializer,
    AssignmentSerializer,
    CompleteSerializer,
    ContributionSerializer,
    CountsSerializer,
    DecisionSerializer,
    DirectionInputSerializer,
    DirectionResultSerializer,
    ExtensionInputSerializer,
    ExtensionRequestSerializer,
    ForwardSerializer,
    NoteSerializer,
    PresentationSerializer,
    PresentSerializer,
    ProgressSerializer,
    ReturnSerializer,
    StepSerializer,
    TaskDetailSerializer,
    TaskFilterSerializer,
    TaskInputSerializer,
    TaskSerializer,
    UrgeSerializer,
    WorkFilterSerializer,
    WorkflowSerializer,
)
from vanban.api.views.base import JsonView, query_params, validated
from vanban.core.errors import NotFound
from vanban.incoming import selectors as incoming_selectors
from vanban.incoming.models import IncomingDocument
from vanban.workflow import selectors, services
from vanban.workflow.models import Assignment, ExtensionRequest, Presentation, Task
from vanban.workflow.services import AssigneeSpec

PERMISSIONS = [IsAuthenticated, TokenScopes]
TAGS = ["workflow"]


def _checked(pk: Any) -> int:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def _document(request: Request, pk: Any) -> IncomingDocument:
    try:
        return incoming_selectors.get_incoming_for(request.user, _checked(pk))
    except NotFound:
        raise Http404 from None


def _assignment(request: Request, pk: Any) -> Assignment:
    try:
        return selectors.get_assignment_for(request.user, _checked(pk))
    except NotFound:
        raise Http404 from None


def _presentation(request: Request, pk: Any) -> Presentation:
    try:
        return selectors.get_presentation_for(request.user, _checked(pk))
    except NotFound:
        raise Http404 from None


def _filters(data: dict[str, Any]) -> selectors.Filters:
    sort = data.get("sort", "")
    return selectors.Filters(
        status=data.get("status", ""),
        urgency=data.get("urgency", ""),
        organ=data.get("organ", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        sort="" if sort == "assigned_at" else sort,
    )


def _direction_result(direction: Any) -> Response:
    direction.warnings = services.deadline_warnings(direction.assignments.all())
    return Response(DirectionResultSerializer(direction).data, status=status.HTTP_201_CREATED)


def _specs(rows: list[dict[str, Any]]) -> list[AssigneeSpec]:
    return [AssigneeSpec(role=a["role"], unit=a.get("unit"), user=a.get("user"), deadline=a.get("deadline"))
            for a in rows]  # fmt: skip


def _files(data: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(f.name, f) for f in data.get("files", [])]


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class PresentView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=PresentSerializer, responses={201: PresentationSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Trình lãnh đạo (văn thư của sổ), kèm đề xuất. Văn bản đang chờ lãnh đạo: 409 already_presented."""
        doc = _document(request, pk)
        data = validated(PresentSerializer, request.data)
        pres = services.present(actor=request.user, document=doc, leader=data["leader"], proposal=data["proposal"])
        return Response(PresentationSerializer(pres).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DocumentWorkflowView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: WorkflowSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Trạng thái và toàn bộ quá trình xử lý của một văn bản đến: các lần trình, ý kiến chỉ đạo (mệnh lệnh
        hành chính), cây giao việc và dòng thời gian (ai, làm gì, lúc nào, thay ai)."""
        doc = _document(request, pk)
        body = {
            "status": doc.status,
            "presentations": doc.presentations.select_related("leader", "presented_by").order_by("presented_at"),
            "directions": selectors.directions_of(doc),
            "assignments": selectors.assignment_tree(doc),
            "steps": selectors.timeline(doc),
        }
        return Response(WorkflowSerializer(body).data)


class AwaitingView(generics.ListAPIView):
    serializer_class = IncomingSummarySerializer
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[IncomingDocument]:
        return selectors.awaiting_presentation(
            self.request.user, _filters(query_params(WorkFilterSerializer, self.request))
        )

    @extend_schema(
        tags=TAGS,
        parameters=[WorkFilterSerializer],
        responses={200: IncomingSummarySerializer(many=True), **errors(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Văn bản chờ trình của văn thư: đã đăng ký trong sổ mình giữ, chưa trình lãnh đạo."""
        return super().get(request, *args, **kwargs)


class PresentationListView(generics.ListAPIView):
    serializer_class = PresentationSerializer
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Presentation]:
        return selectors.presentations_to_direct(
            self.request.user, _filters(query_params(WorkFilterSerializer, self.request))
        )

    @extend_schema(
        tags=TAGS, parameters=[WorkFilterSerializer], responses={200: PresentationSerializer(many=True), **errors(400)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Văn bản trình chờ người gọi (hoặc người ủy quyền cho họ) cho ý kiến chỉ đạo."""
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DirectView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=DirectionInputSerializer, responses={201: DirectionResultSerializer, **errors(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Cho ý kiến chỉ đạo và giao xử lý: đúng một chủ trì (lead_required, multiple_leads), phối hợp, để biết;
        mỗi đơn vị, người một dòng (duplicate_assignee); hạn xử lý không ở quá khứ (deadline_in_past). Dòng
        không có hạn nhận hạn mặc định theo loại văn bản và độ khẩn; hạn rơi vào ngày nghỉ vẫn được nhận,
        kèm cảnh báo trong `warnings`."""
        pres = _presentation(request, pk)
        data = validated(DirectionInputSerializer, request.data)
        specs = [AssigneeSpec(role=a["role"], unit=a.get("unit"), user=a.get("user"), deadline=a.get("deadline"))
                 for a in data["assignees"]]  # fmt: skip
        direction = services.direct(actor=request.user, presentation=pres, text=data["text"], assignees=specs)
        return _direction_result(direction)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ForwardView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=ForwardSerializer, responses={201: PresentationSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Chuyển văn bản trình sang lãnh đạo khác."""
        pres = _presentation(request, pk)
        data = validated(ForwardSerializer, request.data)
        new = services.forward(actor=request.user, presentation=pres, leader=data["leader"], note=data["note"])
        return Response(PresentationSerializer(new).data, status=status.HTTP_201_CREATED)


class AssignmentListView(generics.ListAPIView):
    serializer_class = AssignmentSerializer
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Assignment]:
        data = query_params(AssignmentFilterSerializer, self.request)
        return selectors.assignments_in_box(self.request.user, data["box"], _filters(data))

    @extend_schema(
        tags=TAGS,
        parameters=[AssignmentFilterSerializer],
        responses={200: AssignmentSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Việc của tôi theo hộp: process (chủ trì), cooperate (phối hợp), info (để biết), followup (việc mình
        đã giao), unit (việc của đơn vị mình lãnh đạo hoặc làm văn thư); lọc theo trạng thái, độ khẩn, cơ quan,
        thời gian; sắp xếp."""
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class AssignmentDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: AssignmentSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một việc được giao (người gọi phải được xem văn bản)."""
        return Response(AssignmentSerializer(_assignment(request, pk)).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class AssignmentStepsView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: StepSerializer(many=True), **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Quá trình xử lý của một việc và các việc giao tiếp từ nó."""
        a = _assignment(request, pk)
        return Response(StepSerializer(selectors.assignment_timeline(a), many=True).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ReassignView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=DirectionInputSerializer, responses={201: DirectionResultSerializer, **errors(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Lãnh đạo đơn vị giao tiếp việc của đơn vị cho đơn vị cấp dưới, chuyên viên (outside_unit,
        deadline_after_parent; việc đã xong: 409 assignment_completed)."""
        a = _assignment(request, pk)
        data = validated(DirectionInputSerializer, request.data)
        specs = [AssigneeSpec(role=x["role"], unit=x.get("unit"), user=x.get("user"), deadline=x.get("deadline"))
                 for x in data["assignees"]]  # fmt: skip
        direction = services.reassign(actor=request.user, assignment=a, text=data["text"], assignees=specs)
        return _direction_result(direction)


class _MultipartAction(JsonView):
    parser_classes = [MultiPartParser, JSONParser]


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class NoteView(_MultipartAction):
    permission_classes = PERMISSIONS

    @extend_schema(
        request={"multipart/form-data": NoteSerializer, "application/json": NoteSerializer},
        responses={201: StepSerializer(many=True), **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Ghi chú và/hoặc tệp trung gian của người xử lý."""
        a = _assignment(request, pk)
        data = validated(NoteSerializer, request.data)
        steps = services.add_note(actor=request.user, assignment=a, text=data["text"], files=_files(data))
        return Response(StepSerializer(steps, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ContributionView(_MultipartAction):
    permission_classes = PERMISSIONS

    @extend_schema(
        request={"multipart/form-data": ContributionSerializer, "application/json": ContributionSerializer},
        responses={201: StepSerializer(many=True), **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Ý kiến phối hợp gửi đơn vị chủ trì (chỉ việc phối hợp: not_cooperating)."""
        a = _assignment(request, pk)
        data = validated(ContributionSerializer, request.data)
        steps = services.contribute(actor=request.user, assignment=a, text=data["text"], files=_files(data))
        return Response(StepSerializer(steps, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ProgressView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=ProgressSerializer, responses={200: AssignmentSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Cập nhật tiến độ (%)."""
        a = _assignment(request, pk)
        data = validated(ProgressSerializer, request.data)
        a = services.report_progress(actor=request.user, assignment=a, progress=data["progress"], text=data["text"])
        return Response(AssignmentSerializer(a).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ExtensionRequestView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=ExtensionInputSerializer, responses={201: ExtensionRequestSerializer, **errors(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Xin gia hạn; người giao việc duyệt. Hạn mới phải sau hạn hiện tại (deadline_not_later)."""
        a = _assignment(request, pk)
        data = validated(ExtensionInputSerializer, request.data)
        req = services.request_extension(
            actor=request.user, assignment=a, new_deadline=data["new_deadline"], reason=data["reason"]
        )
        return Response(ExtensionRequestSerializer(req).data, status=status.HTTP_201_CREATED)


class ExtensionListView(generics.ListAPIView):
    serializer_class = ExtensionRequestSerializer
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[ExtensionRequest]:
        return selectors.extensions_to_decide(self.request.user)

    @extend_schema(tags=TAGS, responses={200: ExtensionRequestSerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Đề nghị gia hạn chờ người gọi (người đã giao việc) duyệt."""
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ExtensionDecisionView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=DecisionSerializer, responses={200: ExtensionRequestSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Đồng ý hoặc không đồng ý gia hạn (chỉ người đã giao việc hoặc người được họ ủy quyền)."""
        try:
            req = selectors.get_extension_for(request.user, _checked(pk))
        except NotFound:
            raise Http404 from None
        data = validated(DecisionSerializer, request.data)
        req = services.decide_extension(actor=request.user, request=req, approve=data["approve"], note=data["note"])
        return Response(ExtensionRequestSerializer(req).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ReturnView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=ReturnSerializer, responses={200: AssignmentSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Trả lại việc cho người giao, kèm lý do."""
        a = _assignment(request, pk)
        data = validated(ReturnSerializer, request.data)
        a = services.return_assignment(actor=request.user, assignment=a, reason=data["reason"])
        return Response(AssignmentSerializer(a).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class CompleteView(_MultipartAction):
    permission_classes = PERMISSIONS

    @extend_schema(
        request={"multipart/form-data": CompleteSerializer, "application/json": CompleteSerializer},
        responses={200: AssignmentSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Hoàn thành việc với kết quả (nội dung và/hoặc tệp). Chủ trì cấp cao nhất hoàn thành thì văn bản
        được xử lý xong."""
        a = _assignment(request, pk)
        data = validated(CompleteSerializer, request.data)
        a = services.complete(actor=request.user, assignment=a, result=data["result"], files=_files(data))
        return Response(AssignmentSerializer(a).data)


class CountsView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(tags=TAGS, responses={200: CountsSerializer})
    def get(self, request: Request) -> Response:
        """Số việc theo hộp, như trên thanh điều hướng."""
        return Response(CountsSerializer(selectors.counts(request.user)).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class UrgeView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=UrgeSerializer, responses={201: StepSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Đôn đốc: người giao việc, lãnh đạo và văn thư của đơn vị xử lý, lãnh đạo và văn thư Bộ. Ghi vào quá
        trình xử lý và nhật ký, thông báo cho người (lãnh đạo đơn vị) đang xử lý. Việc đã xong: 409."""
        a = _assignment(request, pk)
        data = validated(UrgeSerializer, request.data)
        step = services.urge(actor=request.user, assignment=a, message=data["message"])
        return Response(StepSerializer(step).data, status=status.HTTP_201_CREATED)


def _task_detail(task: Task, warnings: list[str] | None = None) -> dict[str, Any]:
    task.tree = selectors.assignment_tree(task)  # type: ignore[attr-defined]
    task.timeline_steps = selectors.timeline(task)  # type: ignore[attr-defined]
    task.warnings = warnings or []  # type: ignore[attr-defined]
    return TaskDetailSerializer(task).data


class TaskListView(generics.ListAPIView):
    serializer_class = TaskSerializer
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Task]:
        data = query_params(TaskFilterSerializer, self.request)
        filters = selectors.TaskFilters(status=data["status"], relation=data.get("relation", ""))
        return selectors.task_list(self.request.user, filters)

    @extend_schema(
        tags=TAGS, parameters=[TaskFilterSerializer], responses={200: TaskSerializer(many=True), **errors(400)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Công việc được giao: công việc giao trực tiếp người gọi được xem (do mình giao, giao cho mình hoặc đơn
        vị mình), lọc theo trạng thái (mặc định tất cả) và vai trò của người gọi; kèm hạn xử lý và quá hạn. Việc
        đang xử lý xếp theo hạn gần nhất, việc đã hoàn thành theo lúc hoàn thành."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        request={"application/json": TaskInputSerializer},
        responses={201: TaskDetailSerializer, **errors(400, 409)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Giao việc trực tiếp (lãnh đạo): tên, nội dung, đúng một chủ trì, phối hợp, để biết, hạn xử lý (mặc định
        theo quy tắc cho văn bản thường; hạn rơi vào ngày nghỉ được nhận kèm cảnh báo)."""
        data = validated(TaskInputSerializer, request.data)
        task = services.create_task(
            actor=request.user, title=data["title"], content=data["content"], assignees=_specs(data["assignees"])
        )
        warnings = services.deadline_warnings(task.assignments.all())
        return Response(_task_detail(task, warnings), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class TaskDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: TaskDetailSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một công việc giao trực tiếp: các việc được giao (cây) và quá trình xử lý."""
        try:
            task = selectors.get_task_for(request.user, _checked(pk))
        except NotFound:
            raise Http404 from None
        return Response(_task_detail(task))
