"""Văn bản đi: every action of the outgoing pages. Reads answer 404 for what the caller
may not see; actions raise the services' errors with their stable codes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, errors, id_parameter
from vanban.api.serializers.outgoing import (
    AnswerSerializer,
    ApproveSerializer,
    CopyInputSerializer,
    CopySerializer,
    CorrectionSerializer,
    DraftCreateSerializer,
    DraftInputSerializer,
    IssueSerializer,
    OpinionInputSerializer,
    OpinionSerializer,
    OutgoingFilterSerializer,
    OutgoingSerializer,
    OutgoingSummarySerializer,
    RecallSerializer,
    RecipientInputSerializer,
    ReturnSerializer,
    ReviewRouteInputSerializer,
    ReviewRouteSerializer,
    ReviewSerializer,
    SignSerializer,
    SubmitSerializer,
    VersionInputSerializer,
    VersionSerializer,
)
from vanban.api.views.base import AdminMixin, JsonView, query_params, validated
from vanban.core.errors import NotFound
from vanban.outgoing import selectors, services
from vanban.outgoing.models import OutgoingDocument, Version

PERMISSIONS = [IsAuthenticated, TokenScopes]
TAGS = ["outgoing"]


def _doc(request: Request, pk: Any) -> OutgoingDocument:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return selectors.get_outgoing_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _fresh(doc: OutgoingDocument) -> dict[str, Any]:
    return OutgoingSerializer(OutgoingDocument.objects.get(pk=doc.pk)).data


def _data(d: dict[str, Any], **extra: Any) -> services.DraftData:
    raw = d.get("recipients") or []
    serializer = RecipientInputSerializer(data=raw if isinstance(raw, list) else [raw], many=True)
    serializer.is_valid(raise_exception=True)
    return services.DraftData(
        document_type=d["document_type"],
        subject=d["subject"],
        signer=d.get("signer"),
        signer_position=d.get("signer_position", ""),
        signing_authority=d.get("signing_authority", ""),
        to_places=d.get("to_places", ""),
        urgency=d.get("urgency", "normal"),
        restricted=d.get("restricted", False),
        recipients=[(r["kind"], r.get("email") if r["kind"] == "email" else r.get("id"))
                    for r in serializer.validated_data],
        **extra,
    )


class OutgoingListView(generics.ListAPIView):
    serializer_class = OutgoingSummarySerializer
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, JSONParser]

    def get_queryset(self) -> QuerySet[OutgoingDocument]:
        f = query_params(OutgoingFilterSerializer, self.request)
        return selectors.in_box(self.request.user, f["box"], f.get("q", ""))

    @extend_schema(
        tags=TAGS,
        parameters=[OutgoingFilterSerializer],
        responses={200: OutgoingSummarySerializer(many=True), **errors(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Văn bản đi theo hộp: drafts (dự thảo của tôi), review (chờ tôi duyệt), sign (chờ tôi ký), opinions
        (xin ý kiến tôi), issue (chờ ban hành, văn thư), issued (đã ban hành)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": DraftCreateSerializer},
        responses={201: OutgoingSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        """Tạo dự thảo (multipart: thông tin, tệp DOCX/ODT/PDF; recipients là chuỗi JSON)."""
        d = validated(DraftCreateSerializer, request.data)
        doc = services.create_draft(actor=request.user, data=_data(d, reply_to=d.get("reply_to"),
                                    for_assignment=d.get("for_assignment")),
                                    file=(d["file"].name, d["file"]), comment=d["comment"])  # fmt: skip
        return Response(_fresh(doc), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class OutgoingDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: OutgoingSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một văn bản đi: thông tin, phiên bản, trình duyệt, xin ý kiến, nơi nhận, quá trình."""
        return Response(OutgoingSerializer(_doc(request, pk)).data)

    @extend_schema(request=DraftInputSerializer, responses={200: OutgoingSerializer, **errors(400, 404, 409)})
    def put(self, request: Request, pk: int) -> Response:
        """Sửa thông tin dự thảo (người soạn thảo; chỉ khi chưa trình hoặc bị trả lại)."""
        doc = _doc(request, pk)
        d = validated(DraftInputSerializer, request.data)
        services.update_draft(actor=request.user, document=doc, data=_data(d))
        return Response(_fresh(doc))


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class VersionsView(JsonView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": VersionInputSerializer},
        responses={201: VersionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Thêm phiên bản: người soạn thảo (dự thảo, bản PDF cuối sau khi duyệt) hoặc người duyệt đến lượt."""
        doc = _doc(request, pk)
        d = validated(VersionInputSerializer, request.data)
        v = services.add_version(actor=request.user, document=doc, file=(d["file"].name, d["file"]),
                                 comment=d["comment"])  # fmt: skip
        return Response(VersionSerializer(v).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter(), id_parameter("version_id", "Mã phiên bản")])
class VersionFileView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
                              **errors(404)})  # fmt: skip
    def get(self, request: Request, pk: int, version_id: int) -> FileResponse:
        """Tải tệp của một phiên bản, nguyên vẹn."""
        from vanban.documents import storage

        doc = _doc(request, pk)
        if not 0 < version_id <= MAX_ID:
            raise Http404
        v = Version.objects.select_related("file").filter(document=doc, pk=version_id).first()
        if v is None:
            raise Http404
        services.record_version_download(actor=request.user, document=doc, version=v)
        response = FileResponse(storage.open_blob(v.file.sha256), as_attachment=True, filename=v.file_name,
                                content_type=v.file.content_type)  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _action(serializer: Any, call: Any, doc_summary: str, code: int = 200, multipart: bool = False) -> type:
    class ActionView(JsonView):
        permission_classes = PERMISSIONS
        parser_classes = [MultiPartParser, JSONParser] if multipart else [JSONParser]

        @extend_schema(tags=TAGS, parameters=[id_parameter()], description=doc_summary,
                       request={"multipart/form-data": serializer, "application/json": serializer}
                       if multipart else serializer,
                       responses={code: OutgoingSerializer, **errors(400, 404, 409)})  # fmt: skip
        def post(self, request: Request, pk: int) -> Response:
            doc = _doc(request, pk)
            call(request.user, doc, validated(serializer, request.data))
            return Response(_fresh(doc), status=code)

    return ActionView


def _file(d: dict[str, Any]) -> tuple[str, Any] | None:
    return (d["file"].name, d["file"]) if d.get("file") else None


SubmitView = _action(
    SubmitSerializer,
    lambda u, doc, d: services.submit(
        actor=u, document=doc, note=d["note"], reviewers=[(r["step"], r["user"]) for r in d["reviewers"]]
    ),
    "Trình duyệt kèm phiếu trình; người ký luôn ở cuối quy trình.",
)
ApproveView = _action(
    ApproveSerializer,
    lambda u, doc, d: services.approve(actor=u, document=doc, comment=d["comment"], file=_file(d)),
    "Người duyệt đến lượt đồng ý (có thể kèm bản đã sửa); lần duyệt của người ký hoàn tất việc duyệt.",
    multipart=True,
)
ReturnView = _action(
    ReturnSerializer,
    lambda u, doc, d: services.return_for_changes(actor=u, document=doc, comment=d["comment"]),
    "Trả lại người soạn thảo kèm ý kiến.",
)
OpinionView = _action(
    OpinionInputSerializer,
    lambda u, doc, d: services.request_opinion(
        actor=u, document=doc, question=d["question"], deadline=d["deadline"], unit=d.get("unit"), user=d.get("user")
    ),
    "Xin ý kiến một đơn vị hoặc một người, có hạn góp ý.",
    code=201,
)
SignView = _action(
    SignSerializer,
    lambda u, doc, d: services.sign(actor=u, document=doc, secret=d["secret"]),
    "Người ký ký số bản PDF cuối bằng chứng thư của mình (PAdES).",
)
IssueView = _action(
    IssueSerializer,
    lambda u, doc, d: services.issue(actor=u, document=doc, seal_secret=d.get("seal_secret") or None),
    "Văn thư cấp số, ghi số và ngày lên văn bản, ký số cơ quan và phát hành (409 already_issued nếu ban hành lại).",
)
RecallView = _action(
    RecallSerializer,
    lambda u, doc, d: services.recall(actor=u, document=doc, reason=d["reason"]),
    "Thu hồi văn bản đã ban hành, kèm lý do.",
)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class AnswerView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(request=AnswerSerializer, responses={200: OpinionSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Góp ý cho yêu cầu xin ý kiến (người được hỏi, hoặc lãnh đạo đơn vị được hỏi)."""
        if not 0 < pk <= MAX_ID:
            raise Http404
        try:
            opinion = selectors.get_opinion_for(request.user, pk)
        except NotFound:
            raise Http404 from None
        d = validated(AnswerSerializer, request.data)
        return Response(OpinionSerializer(services.answer_opinion(actor=request.user, opinion=opinion,
                                                                   answer=d["answer"])).data)  # fmt: skip


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ReviewsView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: ReviewSerializer(many=True), **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Các bước trình duyệt qua mọi lần trình."""
        return Response(ReviewSerializer(_doc(request, pk).reviews.all(), many=True).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class CorrectionView(JsonView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": CorrectionSerializer},
        responses={201: OutgoingSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Tạo dự thảo mới cập nhật (update) hoặc thay thế (replace) văn bản đã ban hành."""
        doc = _doc(request, pk)
        d = validated(CorrectionSerializer, request.data)
        new = services.start_correction(actor=request.user, document=doc, relation=d["relation"],
                                        file=(d["file"].name, d["file"]), comment=d["comment"])  # fmt: skip
        return Response(_fresh(new), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class CopiesView(JsonView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(responses={200: CopySerializer(many=True), **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Các bản sao của văn bản."""
        return Response(CopySerializer(_doc(request, pk).copies.select_related("file"), many=True).data)

    @extend_schema(
        request={"multipart/form-data": CopyInputSerializer, "application/json": CopyInputSerializer},
        responses={201: CopySerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Văn thư tạo bản sao điện tử (sao y, sao lục; trích sao kèm tệp phần trích), số theo sổ bản sao."""
        doc = _doc(request, pk)
        d = validated(CopyInputSerializer, request.data)
        copy = services.make_copy(actor=request.user, document=doc, kind=d["kind"], excerpt=_file(d),
                                  seal_secret=d.get("seal_secret") or None, note=d["note"])  # fmt: skip
        return Response(CopySerializer(copy).data, status=status.HTTP_201_CREATED)


class ReviewRoutesView(JsonView):
    permission_classes = AdminMixin.permission_classes
    required_scope = "admin"

    @extend_schema(tags=TAGS, responses={200: ReviewRouteSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Quy trình duyệt văn bản đi theo loại văn bản và đơn vị (quản trị)."""
        return Response(ReviewRouteSerializer(selectors.review_routes_for(request.user), many=True).data)

    @extend_schema(tags=TAGS, request=ReviewRouteInputSerializer,
                   responses={200: ReviewRouteSerializer, **errors(400)})
    def post(self, request: Request) -> Response:
        """Đặt (tạo hoặc thay) quy trình cho một loại văn bản và/hoặc đơn vị; người ký luôn ở cuối."""
        d = validated(ReviewRouteInputSerializer, request.data)
        route = services.set_review_route(actor=request.user, document_type=d.get("document_type"),
                                          unit=d.get("unit"), steps=d["steps"])  # fmt: skip
        return Response(ReviewRouteSerializer(route).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ReviewRouteDetailView(JsonView):
    permission_classes = AdminMixin.permission_classes
    required_scope = "admin"

    @extend_schema(responses={204: None, **errors(404)})
    def delete(self, request: Request, pk: int) -> Response:
        """Xóa một quy trình riêng (dự thảo theo quy trình chung hơn)."""
        if not 0 < pk <= MAX_ID:
            raise Http404
        route = selectors.review_routes_for(request.user).filter(pk=pk).first()
        if route is None:
            raise Http404
        services.delete_review_route(actor=request.user, route=route)
        return Response(status=status.HTTP_204_NO_CONTENT)
