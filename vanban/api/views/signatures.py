"""A person's signing credentials and signature image; the organ seal's status."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors, id_parameter
from vanban.api.serializers.signatures import (
    CredentialImportSerializer,
    CredentialIssueSerializer,
    CredentialRevokeSerializer,
    ImageUploadSerializer,
    MeSignatureImageSerializer,
    OrganSealSerializer,
    SigningCredentialSerializer,
)
from vanban.api.views.base import JsonListView, JsonView, get_or_404, validated
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role
from vanban.signatures import selectors, services, timestamps
from vanban.signatures.models import SigningCredential

MAX_IMAGE = 5 * 1024 * 1024


def _credential_data(credential: SigningCredential, user: Any) -> dict[str, Any]:
    default = selectors.active_credential(user)
    return SigningCredentialSerializer(credential, context={"default_id": default.pk if default else None}).data


@extend_schema(tags=["signatures"])
class MeSigningCredentialListView(JsonListView):
    serializer_class = SigningCredentialSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[SigningCredential]:
        return selectors.credentials_of(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        default = selectors.active_credential(self.request.user)
        return {**super().get_serializer_context(), "default_id": default.pk if default else None}

    @extend_schema(responses={200: SigningCredentialSerializer(many=True), **errors()})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Chứng thư số của bạn (cả chứng thư đã hết hạn, bị thu hồi); `is_default`
        đánh dấu chứng thư được dùng để ký."""
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CredentialIssueSerializer, responses={201: SigningCredentialSerializer, **errors(400)})
    def post(self, request: Request) -> Response:
        """Tự cấp chứng thư số từ CA nội bộ của cơ quan (dùng thử, đào tạo, nơi chưa có
        CA công cộng). Khóa bí mật được mã hóa bằng mật khẩu ký số; chưa khởi tạo CA:
        pki_not_initialised."""
        data = validated(CredentialIssueSerializer, request.data)
        credential = services.issue_certificate(
            actor=request.user, user=request.user, password=data["password"], days=data["days"]
        )
        return Response(_credential_data(credential, request.user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["signatures"])
class MeSigningCredentialImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": CredentialImportSerializer},
        responses={201: SigningCredentialSerializer, **errors(400, 409)},
    )
    def post(self, request: Request) -> Response:
        """Nhập tệp PKCS#12 của bạn. Mật khẩu sai: wrong_pkcs12_password, không lưu gì;
        chứng thư hết hạn: certificate_expired; đã nhập trước đó: credential_exists (409)."""
        data = validated(CredentialImportSerializer, request.data)
        credential = services.import_pkcs12(
            actor=request.user,
            user=request.user,
            data=data["file"].read(services.MAX_PKCS12_BYTES + 1),
            password=data["password"],
            label=data["label"],
        )
        return Response(_credential_data(credential, request.user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["signatures"], parameters=[id_parameter()])
class MeSigningCredentialRevokeView(JsonView):
    @extend_schema(
        request=CredentialRevokeSerializer, responses={200: SigningCredentialSerializer, **errors(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Thu hồi một chứng thư số của bạn: từ nay không ký được bằng nó nữa."""
        credential = get_or_404(selectors.credentials_of(request.user), pk)
        data = validated(CredentialRevokeSerializer, request.data)
        credential = services.revoke_credential(actor=request.user, credential=credential, reason=data["reason"])
        return Response(_credential_data(credential, request.user))


@extend_schema(tags=["signatures"])
class MeSignatureImageView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: MeSignatureImageSerializer, **errors()})
    def get(self, request: Request) -> Response:
        """Ảnh chữ ký đang dùng của bạn (`image` là null khi chưa có: cần có trước khi ký)."""
        return Response(MeSignatureImageSerializer({"image": selectors.signature_image(request.user)}).data)

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer},
        responses={200: MeSignatureImageSerializer, **errors(400)},
    )
    def put(self, request: Request) -> Response:
        """Thay ảnh chữ ký (PNG nền trong suốt, mực xanh theo Phụ lục I Nghị định 30)."""
        upload = validated(ImageUploadSerializer, request.data)["image"]
        image = services.set_signature_image(
            actor=request.user, user=request.user, data=upload.read(MAX_IMAGE + 1), name=upload.name or "chu-ky.png"
        )
        return Response(MeSignatureImageSerializer({"image": image}).data)


class SealKeepers(BasePermission):
    message = "Chỉ quản trị hệ thống và văn thư Bộ mới xem được chữ ký số cơ quan."

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_role(request.user, Role.SYSTEM_ADMIN, Role.MINISTRY_CLERK)


def _organ_seal() -> dict[str, Any]:
    credential = selectors.organ_credential()
    seal = selectors.seal_image()
    return {
        "ready": credential is not None and seal is not None,
        "authority": selectors.active_authority(),
        "credential": credential,
        "credentials": list(selectors.organ_credentials()),
        "seal_image": seal,
        "timestamps": timestamps.describe_settings(),
    }


@extend_schema(tags=["signatures"])
class OrganSealView(APIView):
    permission_classes = [IsAuthenticated, TokenScopes, SealKeepers]
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: OrganSealSerializer, **errors()})
    def get(self, request: Request) -> Response:
        """Chữ ký số của cơ quan: CA nội bộ, chứng thư đang dùng, ảnh con dấu
        (quản trị hệ thống, văn thư Bộ)."""
        return Response(OrganSealSerializer(_organ_seal()).data)

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer}, responses={200: OrganSealSerializer, **errors(400)}
    )
    def put(self, request: Request) -> Response:
        """Thay ảnh con dấu của cơ quan (PNG nền trong suốt, màu đỏ)."""
        upload = validated(ImageUploadSerializer, request.data)["image"]
        services.set_seal_image(actor=request.user, data=upload.read(MAX_IMAGE + 1), name=upload.name or "con-dau.png")
        return Response(OrganSealSerializer(_organ_seal()).data)
