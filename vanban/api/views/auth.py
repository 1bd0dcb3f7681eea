from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.accounts import services as accounts
from vanban.accounts.lockout import LOCKED_MESSAGE
from vanban.api.errors import error_response
from vanban.api.serializers.common import errors
from vanban.audit import services as audit
from vanban.organisation.permissions import effective_roles
from vanban.organisation.selectors import current_appointments


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Tên đăng nhập hoặc thư điện tử")
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=10, required=False, allow_blank=True, help_text="Mã xác thực hai lớp, khi tài khoản đã bật"
    )
    name = serializers.CharField(max_length=100, required=False, default="Mã truy cập cho tập lệnh")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(accounts.TOKEN_SCOPES)),
        required=False,
        default=lambda: ["read", "write"],
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=accounts.MAX_TOKEN_DAYS, required=False, default=30
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()


class TokenObtainView(APIView):
    """Đổi tên đăng nhập, mật khẩu (và mã xác thực hai lớp) lấy mã truy cập cho tập lệnh."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenResponseSerializer, **errors(400)},
        tags=["auth"],
        operation_id="auth_token_create",
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = authenticate(request._request, username=values["username"], password=values["password"])
        if getattr(request._request, "axes_locked_out", False):
            return error_response("account_locked", LOCKED_MESSAGE, None, 403)
        if user is None:
            return error_response("invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.", "password", 401)
        if accounts.confirmed_totp(user) is not None:
            if not values.get("otp"):
                return error_response(
                    "otp_required", "Tài khoản đã bật xác thực hai lớp: hãy gửi kèm mã xác thực (otp).", "otp", 401
                )
            if not accounts.verify_totp(user, values["otp"]):
                return error_response("invalid_otp", "Mã xác thực không đúng hoặc đã hết hạn.", "otp", 401)
        elif accounts.two_factor_required(user):
            return error_response(
                "otp_setup_required",
                "Vai trò của bạn bắt buộc xác thực hai lớp: hãy thiết lập trên giao diện web trước.",
                "otp",
                403,
            )
        with transaction.atomic():
            token, secret = accounts.create_api_token(
                actor=user,
                user=user,
                name=values["name"],
                scopes=values["scopes"],
                expires_at=timezone.now() + dt.timedelta(days=values["expires_in_days"]),
            )
            audit.record(actor=user, action="auth.login", target=user, data={"via": "api_token"})
        # Through the serializer, so expires_at is written in Vietnam time (+07:00).
        body = TokenResponseSerializer(
            {"token": secret, "prefix": token.prefix, "scopes": token.scopes, "expires_at": token.expires_at}
        ).data
        return Response(body, status=201)


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    on_behalf_of = serializers.IntegerField(allow_null=True)


class AppointmentBriefSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    position = serializers.CharField(source="position.name")
    is_primary = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    roles = RoleSerializer(many=True)
    appointments = AppointmentBriefSerializer(many=True)
    two_factor_enabled = serializers.BooleanField()
    token_scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer, **errors()}, tags=["auth"])
    def get(self, request: Request) -> Response:
        """Tài khoản đang gọi API: vai trò (kể cả được ủy quyền), chức vụ, phạm vi của mã truy cập."""
        user = request.user
        roles = [
            {"role": r.role, "unit": r.unit_id, "on_behalf_of": r.delegation.principal_id if r.delegation else None}
            for r in effective_roles(user)
        ]
        token = request.auth if hasattr(request.auth, "scopes") else None
        payload: dict[str, Any] = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "roles": roles,
            "appointments": list(current_appointments(user)),
            "two_factor_enabled": accounts.confirmed_totp(user) is not None,
            "token_scopes": token.scopes if token else None,
        }
        return Response(MeSerializer(payload).data)
