"""A person's own two-factor authentication (TOTP), for scripts and mobile clients."""

from __future__ import annotations

import base64

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.accounts import services as accounts
from vanban.api.serializers.common import EmptySerializer, StrictSerializer, errors
from vanban.api.views.base import JsonView, validated


class TwoFactorStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Đã bật xác thực hai lớp")
    required = serializers.BooleanField(help_text="Vai trò của bạn bắt buộc xác thực hai lớp")


class TwoFactorSetupSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Khóa bí mật (Base32) để nhập vào ứng dụng xác thực")
    otpauth_url = serializers.CharField(help_text="Địa chỉ otpauth:// để tạo mã QR")


class TwoFactorConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=10, help_text="Mã 6 chữ số từ ứng dụng xác thực")


def _status(user: object) -> dict[str, bool]:
    return {"enabled": accounts.confirmed_totp(user) is not None, "required": accounts.two_factor_required(user)}


@extend_schema(tags=["me"])
class MeTwoFactorView(JsonView):
    @extend_schema(responses={200: TwoFactorStatusSerializer, **errors()})
    def get(self, request: Request) -> Response:
        """Trạng thái xác thực hai lớp của bạn."""
        return Response(TwoFactorStatusSerializer(_status(request.user)).data)

    @extend_schema(request=EmptySerializer, responses={204: OpenApiResponse(description="Đã tắt."), **errors(400)})
    def delete(self, request: Request) -> Response:
        """Tắt xác thực hai lớp (không được khi vai trò của bạn bắt buộc)."""
        accounts.disable_totp(actor=request.user, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"])
class MeTwoFactorSetupView(JsonView):
    @extend_schema(request=EmptySerializer, responses={201: TwoFactorSetupSerializer, **errors(400)})
    def post(self, request: Request) -> Response:
        """Bắt đầu thiết lập: trả về khóa bí mật để nhập vào ứng dụng xác thực; xác thực
        hai lớp chỉ bật sau khi xác nhận một mã đúng."""
        validated(EmptySerializer, request.data)
        device = accounts.begin_totp_setup(user=request.user)
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        return Response(
            TwoFactorSetupSerializer({"secret": secret, "otpauth_url": device.config_url}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["me"])
class MeTwoFactorConfirmView(JsonView):
    @extend_schema(request=TwoFactorConfirmSerializer, responses={200: TwoFactorStatusSerializer, **errors(400)})
    def post(self, request: Request) -> Response:
        """Xác nhận mã từ ứng dụng xác thực để bật xác thực hai lớp."""
        data = validated(TwoFactorConfirmSerializer, request.data)
        accounts.confirm_totp_setup(user=request.user, token=data["token"])
        return Response(TwoFactorStatusSerializer(_status(request.user)).data)
