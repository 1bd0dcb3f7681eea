from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from vanban.accounts.errors import TokenError
from vanban.core.middleware import client_ip


class TokenAuthFailed(exceptions.AuthenticationFailed):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(detail=message, code=code)
        self.vanban_code = code


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer vbk_…` for scripts and connected unit software."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() not in ("bearer", "token"):
            return None
        if len(parts) != 2:
            raise TokenAuthFailed("invalid_token", "Tiêu đề Authorization phải có dạng «Bearer <mã truy cập>».")
        from vanban.accounts.services import authenticate_token

        try:
            user, token = authenticate_token(
                parts[1], method=request.method or "", path=request.path, ip=client_ip(request._request)
            )
        except TokenError as exc:
            raise TokenAuthFailed(exc.code, exc.message) from None
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "vanban.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "vbk_<prefix>_<secret>"}
