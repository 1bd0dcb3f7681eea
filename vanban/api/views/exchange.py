"""Inter-agency exchange over HTTP: the partners' inbox, and for the system
administrator the partner directory and the dead-letter list; for the clerk the
received documents to accept (03) or refuse (02)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.errors import error_response
from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors, id_parameter
from vanban.api.serializers.exchange import (
    AbandonSerializer,
    AcceptSerializer,
    ChangeFilterSerializer,
    ChangeRequestSerializer,
    InboxResultSerializer,
    OutboundTlsSerializer,
    OutboxFilterSerializer,
    OutboxSerializer,
    PartnerImportErrorSerializer,
    PartnerImportResultSerializer,
    PartnerInputSerializer,
    PartnerSerializer,
    ReceivedSerializer,
    RefuseSerializer,
)
from vanban.api.serializers.incoming import IncomingSerializer
from vanban.api.views.base import JsonListView, JsonView, get_or_404, query_params, validated
from vanban.core.errors import ValidationFailed
from vanban.exchange import outbox, partners
from vanban.exchange.changes import accept_change, refuse_change
from vanban.exchange.edxml import max_message_bytes
from vanban.exchange.inbox import take_in
from vanban.exchange.models import ChangeRequest, OutboxMessage, Partner, ReceivedMessage
from vanban.exchange.selectors import change_rows, received_rows
from vanban.exchange.services import accept_received, refuse_received
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role

CERT_HEADER_DEFAULT = "X-Client-Cert-Fingerprint"
CERT_PEM_HEADER_DEFAULT = "X-Client-Cert"


class IsSystemAdmin(BasePermission):
    message = "Chỉ quản trị hệ thống mới được quản lý liên thông."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and has_role(request.user, Role.SYSTEM_ADMIN))


class IsClerk(BasePermission):
    message = "Chỉ văn thư mới tiếp nhận văn bản liên thông."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated
                    and has_role(request.user, Role.MINISTRY_CLERK, Role.SYSTEM_ADMIN))  # fmt: skip


class _AdminScoped:
    permission_classes = [IsAuthenticated, TokenScopes, IsSystemAdmin]
    required_scope = "admin"


# --- Inbox ----------------------------------------------------------------------------------


class XmlBodyParser(BaseParser):
    media_type = "application/xml"


def _partner_for(request: Request) -> Partner | None:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return partners.partner_for_token(token.strip())
    if getattr(settings, "VANBAN_EXCHANGE_TRUST_CERT_HEADER", False):
        header = getattr(settings, "VANBAN_EXCHANGE_CERT_HEADER", CERT_HEADER_DEFAULT)
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if value:
            return partners.partner_for_fingerprint(value)
        header = getattr(settings, "VANBAN_EXCHANGE_CERT_PEM_HEADER", CERT_PEM_HEADER_DEFAULT)
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "") if header else ""
        if value:
            return partners.partner_for_fingerprint(partners.fingerprint_of_certificate(value))
    return None


class InboxView(JsonView):
    """POST an edXML message (the raw bytes). Authenticated per partner, not per person."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [XmlBodyParser]

    @extend_schema(
        summary="Nhận thông điệp edXML từ cơ quan liên thông",
        description=(
            "Thân yêu cầu là thông điệp edXML (application/xml). Xác thực: `Authorization: Bearer <mã của đối tác>`, "
            "hoặc vân tay SHA-256 chứng thư máy khách trong tiêu đề do reverse proxy đặt "
            "(VANBAN_EXCHANGE_TRUST_CERT_HEADER). Gửi lại cùng thông điệp: 200 với cùng id."
        ),
        request={"application/xml": {"type": "string", "minLength": 1}},
        responses={201: InboxResultSerializer, 200: InboxResultSerializer, **errors(400)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        partner = _partner_for(request)
        if partner is None:
            return error_response("partner_unauthenticated",
                                  "Không xác thực được cơ quan gửi (mã hoặc chứng thư không đúng, hoặc đã ngừng).",
                                  None, status.HTTP_401_UNAUTHORIZED)  # fmt: skip
        limit = max_message_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return error_response("too_large", "Thông điệp vượt quá dung lượng cho phép.", None,
                                  status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)  # fmt: skip
        # Read the stream, not request.body: DATA_UPLOAD_MAX_MEMORY_SIZE is for forms.
        data = request._request.read(limit + 1)
        if len(data) > limit:
            return error_response("too_large", "Thông điệp vượt quá dung lượng cho phép.", None,
                                  status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)  # fmt: skip
        received = take_in(partner=partner, data=data, channel="http")
        row = received.row
        body = {"id": row.pk, "created": received.created, "kind": row.kind, "status_code": row.status_code}
        return Response(body, status=status.HTTP_201_CREATED if received.created else status.HTTP_200_OK)


# --- Partners -------------------------------------------------------------------------------


def _data(values: dict[str, Any]) -> partners.PartnerData:
    return partners.PartnerData(**values)


class PartnerListView(_AdminScoped, JsonListView):
    serializer_class = PartnerSerializer

    def get_queryset(self) -> QuerySet[Partner]:
        return Partner.objects.order_by("name", "pk")

    @extend_schema(summary="Danh bạ cơ quan liên thông")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Thêm cơ quan liên thông", request=PartnerInputSerializer,
                   responses={201: PartnerSerializer, **errors(400)})  # fmt: skip
    def post(self, request: Request) -> Response:
        partner = partners.create_partner(actor=request.user, data=_data(validated(PartnerInputSerializer, request.data)))
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetailView(_AdminScoped, JsonView):
    @extend_schema(summary="Một cơ quan liên thông", parameters=[id_parameter()],
                   responses={200: PartnerSerializer, **errors(404)})  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(PartnerSerializer(get_or_404(Partner.objects.all(), pk)).data)

    @extend_schema(summary="Sửa cơ quan liên thông (cả ngừng/kích hoạt qua is_active)", parameters=[id_parameter()],
                   request=PartnerInputSerializer, responses={200: PartnerSerializer, **errors(400, 404)})  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        partner = get_or_404(Partner.objects.all(), pk)
        partner = partners.update_partner(actor=request.user, partner=partner,
                                          data=_data(validated(PartnerInputSerializer, request.data)))  # fmt: skip
        return Response(PartnerSerializer(partner).data)

    @extend_schema(summary="Ngừng liên thông với cơ quan", parameters=[id_parameter()],
                   responses={200: PartnerSerializer, **errors(404)})  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        partner = partners.set_partner_active(actor=request.user, partner=get_or_404(Partner.objects.all(), pk),
                                              active=False)  # fmt: skip
        return Response(PartnerSerializer(partner).data)


class OutboundTlsView(_AdminScoped, JsonView):
    @extend_schema(summary="Chứng thư máy khách dùng khi gửi liên thông qua HTTPS (mTLS) và kiểm tra cấu hình",
                   responses={200: OutboundTlsSerializer, **errors()})  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(OutboundTlsSerializer(partners.outbound_tls()).data)


class PartnerImportView(_AdminScoped, JsonView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Nhập danh bạ liên thông từ CSV hoặc Excel (lưu tất cả hoặc không lưu gì)",
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                                                          "dry_run": {"type": "boolean"}}}},
        responses={200: PartnerImportResultSerializer, 400: PartnerImportErrorSerializer, **errors()},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("required", "Vui lòng chọn tệp CSV hoặc Excel.", "file")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationFailed("too_large", "Tệp danh bạ quá 5 MB.", "file")
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes")
        report = partners.import_partners(actor=request.user, name=upload.name or "", content=upload.read(),
                                          dry_run=dry_run)  # fmt: skip
        body = {"created": report.created, "updated": report.updated, "errors": report.errors}
        if report.ok:
            return Response(body)
        body = {"code": "import_errors", "message": f"Tệp có {len(report.errors)} lỗi; chưa lưu dòng nào.",
                "field": "file", **body}  # fmt: skip
        return Response(body, status=status.HTTP_400_BAD_REQUEST)


# --- Outbox / dead letters ----------------------------------------------------------------


class OutboxListView(_AdminScoped, JsonListView):
    serializer_class = OutboxSerializer

    def get_queryset(self) -> QuerySet[OutboxMessage]:
        state = query_params(OutboxFilterSerializer, self.request).get("state", "problems")
        rows = OutboxMessage.objects.select_related("partner").order_by("-created_at", "-pk")
        if state == "problems":
            return rows.filter(state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.DEAD])
        return rows.filter(state=state)

    @extend_schema(summary="Thông điệp gửi liên thông (mặc định: lỗi và không gửi được)",
                   parameters=[OutboxFilterSerializer])  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OutboxRetryView(_AdminScoped, JsonView):
    @extend_schema(summary="Gửi lại thông điệp", parameters=[id_parameter()], request=None,
                   responses={200: OutboxSerializer, **errors(404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        row = outbox.retry(actor=request.user, message=get_or_404(OutboxMessage.objects.all(), pk))
        return Response(OutboxSerializer(row).data)


class OutboxAbandonView(_AdminScoped, JsonView):
    @extend_schema(summary="Hủy gửi thông điệp", parameters=[id_parameter()], request=AbandonSerializer,
                   responses={200: OutboxSerializer, **errors(404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        values = validated(AbandonSerializer, request.data)
        row = outbox.abandon(actor=request.user, message=get_or_404(OutboxMessage.objects.all(), pk),
                             reason=values["reason"])  # fmt: skip
        return Response(OutboxSerializer(row).data)


# --- Received documents (the clerk) ---------------------------------------------------------


class ReceivedListView(JsonListView):
    serializer_class = ReceivedSerializer
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]

    def get_queryset(self) -> QuerySet[ReceivedMessage]:
        return received_rows(self.request.query_params.get("status") or "all")

    @extend_schema(summary="Văn bản liên thông đã đến (và yêu cầu thu hồi, cập nhật, thay thế, lấy lại)",
                   parameters=[OpenApiParameter("status", str, enum=["waiting", *ReceivedMessage.Status.values],
                                                description="waiting: chờ tiếp nhận và yêu cầu chưa xử lý")])  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ReceivedAcceptView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]
    parser_classes = [JSONParser]

    @extend_schema(summary="Tiếp nhận văn bản liên thông (vào sổ, trạng thái 03)", parameters=[id_parameter()],
                   request=AcceptSerializer,
                   responses={201: IncomingSerializer, **errors(400, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        values = validated(AcceptSerializer, request.data or {})
        message = get_or_404(ReceivedMessage.objects.all(), pk)
        doc = accept_received(actor=request.user, message=message, confirm_duplicate=values["confirm_duplicate"])
        return Response(IncomingSerializer(doc).data, status=status.HTTP_201_CREATED)


class ReceivedRefuseView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]

    @extend_schema(summary="Từ chối văn bản liên thông (trạng thái 02)", parameters=[id_parameter()],
                   request=RefuseSerializer, responses={200: ReceivedSerializer, **errors(400, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        values = validated(RefuseSerializer, request.data)
        row = refuse_received(actor=request.user, message=get_or_404(ReceivedMessage.objects.all(), pk),
                              reason=values["reason"])  # fmt: skip
        return Response(ReceivedSerializer(row).data)



# --- Change requests: revocation, update, replacement, take-back (15 / 16) ------------------


class ChangeListView(JsonListView):
    serializer_class = ChangeRequestSerializer
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        values = query_params(ChangeFilterSerializer, self.request)
        return change_rows(values.get("state"), values.get("incoming"))

    @extend_schema(summary="Yêu cầu thu hồi, cập nhật, thay thế, lấy lại của bên gửi", parameters=[ChangeFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ChangeDetailView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]

    @extend_schema(summary="Một yêu cầu thu hồi, cập nhật, thay thế", parameters=[id_parameter()],
                   responses={200: ChangeRequestSerializer, **errors(404)})  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChangeRequestSerializer(get_or_404(ChangeRequest.objects.select_related("message"), pk)).data)


class ChangeAcceptView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]

    @extend_schema(summary="Đồng ý yêu cầu (trạng thái 15)", parameters=[id_parameter()], request=None,
                   responses={200: ChangeRequestSerializer, **errors(400, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        row = accept_change(actor=request.user, change=get_or_404(ChangeRequest.objects.all(), pk))
        return Response(ChangeRequestSerializer(row).data)


class ChangeRefuseView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes, IsClerk]

    @extend_schema(summary="Từ chối yêu cầu kèm lý do (trạng thái 16)", parameters=[id_parameter()],
                   request=RefuseSerializer, responses={200: ChangeRequestSerializer, **errors(400, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        values = validated(RefuseSerializer, request.data)
        row = refuse_change(actor=request.user, change=get_or_404(ChangeRequest.objects.all(), pk),
                            reason=values["reason"])  # fmt: skip
        return Response(ChangeRequestSerializer(row).data)
