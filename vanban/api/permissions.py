from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from vanban.accounts.models import ApiToken


class TokenScopes(BasePermission):
    """A token may only do what its scopes allow; a browser session may do everything
    its person may. Views narrow further with `required_scope` (e.g. "admin")."""

    message = "Mã truy cập không có phạm vi quyền cho thao tác này."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = {"read"} if request.method in SAFE_METHODS else {"write"}
        extra = getattr(view, "required_scope", None)
        if extra:
            needed.add(extra)
        return needed <= set(token.scopes)
