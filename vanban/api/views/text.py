"""The Vietnamese text guard for programs: legacy encodings and NFD → Unicode NFC."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.accounts.models import ApiToken
from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors
from vanban.api.serializers.text import MAX_TEXT_LENGTH, TextConversionSerializer, TextConvertSerializer
from vanban.api.views.base import JsonView, validated
from vanban.core.errors import ValidationFailed
from vanban.documents import text

TOO_LONG_MESSAGE = f"Văn bản quá dài: mỗi lần chuyển tối đa {MAX_TEXT_LENGTH:,} ký tự.".replace(",", ".")


class ReadScope(TokenScopes):
    """Converting text stores and changes nothing, so a read-only token may do it even
    though the text travels in a POST body."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        return not isinstance(token, ApiToken) or "read" in token.scopes


class TextConvertView(JsonView):
    permission_classes = [IsAuthenticated, ReadScope]

    @extend_schema(
        tags=["text"],
        operation_id="text_convert",
        request=TextConvertSerializer,
        responses={200: TextConversionSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        """Chuyển văn bản gõ bằng bảng mã cũ (TCVN3/ABC, VNI-Windows, VIQR) hoặc Unicode tổ
        hợp (NFD) sang Unicode dựng sẵn (NFC, TCVN 6909:2001). Với source=auto hệ thống tự
        nhận dạng bảng mã và giữ nguyên văn bản Unicode thông thường (tiếng Việt, Anh,
        Pháp, Đức ...). Không lưu gì."""
        try:
            payload = request.data
        except RequestDataTooBig:
            # Otherwise Django answers with its HTML "Bad Request" page.
            raise ValidationFailed("text_too_long", TOO_LONG_MESSAGE, "text") from None
        data = validated(TextConvertSerializer, payload)
        result = text.convert(data["text"], source=data["source"])
        body = {"text": result.text, "source": result.source, "changed": result.changed, "original": data["text"]}
        return Response(TextConversionSerializer(body).data)
