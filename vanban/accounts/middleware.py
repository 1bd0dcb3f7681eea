from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages a person may reach before finishing the second factor or a forced password change.
_OPEN_PREFIXES = ("/dang-nhap", "/dang-xuat", "/static/", "/healthz", "/api/", "/tai-khoan/xac-thuc-hai-lop", "/tai-khoan/doi-mat-khau")


class TwoFactorEnforcementMiddleware:
    """A session that logged in with a password only is not complete when the person
    has TOTP on (verify it) or a role for which an administrator made it mandatory
    (set it up). Forced password changes are handled the same way."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            from vanban.accounts.services import confirmed_totp, two_factor_required

            if not user.is_verified():
                if confirmed_totp(user) is not None:
                    return redirect("web:otp_verify")
                if two_factor_required(user):
                    return redirect("web:otp_setup")
            if user.must_change_password:
                return redirect("web:password_change")
        return self.get_response(request)
