from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_MESSAGE = (
    "Tài khoản đã bị tạm khóa do đăng nhập sai nhiều lần. "
    "Vui lòng liên hệ quản trị hệ thống (Cục Thương mại điện tử và Kinh tế số) để mở khóa."
)


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "account_locked", "message": LOCKED_MESSAGE, "field": None}, status=403)
    return render(request, "web/locked.html", {"message": LOCKED_MESSAGE}, status=403)
