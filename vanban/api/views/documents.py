"""Document types (everyone reads; the system administrator extends the catalogue) and
registers (clerks and administrators, within their reach; others get 403, registers
outside their reach 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import EmptySerializer, errors, id_parameter
from vanban.api.serializers.documents import (
    DocumentTypeCreateSerializer,
    DocumentTypeFilterSerializer,
    DocumentTypeSerializer,
    NextNumberSerializer,
    RegisterFilterSerializer,
    RegisterOpenSerializer,
    RegisterSerializer,
)
from vanban.api.views.base import (
    AdminMixin,
    AdminWritesMixin,
    JsonListView,
    JsonView,
    get_or_404,
    query_params,
    validated,
)
from vanban.core.errors import ValidationFailed
from vanban.documents import numbering, selectors
from vanban.documents import services as documents
from vanban.documents.models import DocumentType, Register
from vanban.documents.permissions import may_use_registers
from vanban.organisation.selectors import own_organ

# --- Document types ----------------------------------------------------------------


class DocumentTypeListView(AdminWritesMixin, JsonListView):
    serializer_class = DocumentTypeSerializer

    def get_queryset(self) -> QuerySet[DocumentType]:
        filters = query_params(DocumentTypeFilterSerializer, self.request)
        return selectors.document_types(include_inactive=filters["include_inactive"], group=filters.get("group"))

    @extend_schema(
        tags=["documents"],
        parameters=[DocumentTypeFilterSerializer],
        responses={200: DocumentTypeSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Danh mục loại văn bản (29 loại văn bản hành chính theo Nghị định 30/2020/NĐ-CP, các loại văn bản
        quy phạm pháp luật thường gặp, bản sao), theo thứ tự quy định."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["documents"],
        request=DocumentTypeCreateSerializer,
        responses={201: DocumentTypeSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        """Thêm loại văn bản vào danh mục (quản trị hệ thống)."""
        data = validated(DocumentTypeCreateSerializer, request.data)
        document_type = documents.create_document_type(actor=request.user, **data)
        return Response(DocumentTypeSerializer(document_type).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["documents"], parameters=[id_parameter()])
class DocumentTypeDeactivateView(AdminMixin, JsonView):
    @extend_schema(request=EmptySerializer, responses={200: DocumentTypeSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Ngừng sử dụng một loại văn bản: không còn xuất hiện khi đăng ký; văn bản cũ giữ nguyên loại."""
        document_type = get_or_404(DocumentType.objects.all(), pk)
        validated(EmptySerializer, request.data)
        document_type = documents.deactivate_document_type(actor=request.user, document_type=document_type)
        return Response(DocumentTypeSerializer(document_type).data)


@extend_schema(tags=["documents"], parameters=[id_parameter()])
class DocumentTypeReactivateView(AdminMixin, JsonView):
    @extend_schema(request=EmptySerializer, responses={200: DocumentTypeSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Dùng lại một loại văn bản đã ngừng sử dụng."""
        document_type = get_or_404(DocumentType.objects.all(), pk)
        validated(EmptySerializer, request.data)
        document_type = documents.reactivate_document_type(actor=request.user, document_type=document_type)
        return Response(DocumentTypeSerializer(document_type).data)


# --- Registers ---------------------------------------------------------------------


class MayUseRegisters(BasePermission):
    message = "Chỉ văn thư và quản trị viên mới xem được sổ văn bản."

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_use_registers(request.user)


REGISTER_PERMISSIONS = [IsAuthenticated, TokenScopes, MayUseRegisters]


class RegisterListView(JsonListView):
    serializer_class = RegisterSerializer
    permission_classes = REGISTER_PERMISSIONS

    def get_queryset(self) -> QuerySet[Register]:
        filters = query_params(RegisterFilterSerializer, self.request)
        return selectors.registers_visible_to(self.request.user, kind=filters.get("kind"), year=filters.get("year"))

    @extend_schema(
        tags=["documents"],
        parameters=[RegisterFilterSerializer],
        responses={200: RegisterSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Sổ văn bản đến, đi trong phạm vi của bạn, kèm số tiếp theo."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["documents"], request=RegisterOpenSerializer, responses={201: RegisterSerializer, **errors(400)}
    )
    def post(self, request: Request) -> Response:
        """Mở sổ của năm nay hoặc năm sau cho cơ quan hoặc đơn vị (sổ cũng tự mở khi đăng ký văn bản đầu tiên)."""
        data = validated(RegisterOpenSerializer, request.data)
        owner: Any = data["unit"]
        if owner is None:
            owner = data["organ"] or own_organ()
            if owner is None:
                raise ValidationFailed("organ_required", "Chưa có cơ quan sử dụng hệ thống: hãy chọn cơ quan.", "organ")
        register = documents.open_register(actor=request.user, owner=owner, kind=data["kind"], year=data["year"])
        register = selectors.registers_visible_to(request.user).get(pk=register.pk)
        return Response(RegisterSerializer(register).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["documents"], parameters=[id_parameter()])
class RegisterNextNumberView(JsonView):
    permission_classes = REGISTER_PERMISSIONS

    @extend_schema(responses={200: NextNumberSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Số tiếp theo của sổ: chỉ để hiển thị, không giữ chỗ; số được cấp khi lưu văn bản."""
        register = get_or_404(selectors.registers_visible_to(request.user), pk)
        last = numbering.last_number(register)
        return Response(
            NextNumberSerializer(
                {"register": register.pk, "year": register.year, "last_number": last, "next_number": last + 1}
            ).data
        )
