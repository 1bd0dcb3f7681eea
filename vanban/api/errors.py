"""Every API error has the shape {"code", "message", "field"} (design.md rule 5)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from vanban.core.errors import VanbanError

_DRF_MESSAGES = {
    "not_authenticated": "Bạn cần đăng nhập hoặc gửi mã truy cập hợp lệ.",
    "authentication_failed": "Xác thực không thành công.",
    "permission_denied": "Bạn không có quyền thực hiện thao tác này.",
    "not_found": "Không tìm thấy đối tượng.",
    "method_not_allowed": "Phương thức không được hỗ trợ.",
    "parse_error": "Dữ liệu gửi lên không đúng định dạng JSON.",
    "unsupported_media_type": "Kiểu nội dung không được hỗ trợ.",
    "throttled": "Quá nhiều yêu cầu, vui lòng thử lại sau.",
    "not_acceptable": "Không hỗ trợ định dạng phản hồi được yêu cầu.",
}


def error_response(code: str, message: str, field: str | None, status_code: int) -> Response:
    return Response({"code": code, "message": message, "field": field}, status=status_code)


def _first_validation_error(detail: Any, path: str | None = None) -> tuple[str | None, Any]:
    """The first error of a nested DRF error structure, with its dotted field path."""
    if isinstance(detail, dict):
        if not detail:
            return path, "Dữ liệu không hợp lệ."
        key, value = next(iter(detail.items()))
        sub = None if key == "non_field_errors" else str(key)
        return _first_validation_error(value, sub if path is None else (f"{path}.{sub}" if sub else path))
    if isinstance(detail, list) and detail:
        return _first_validation_error(detail[0], path)
    return path, detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, VanbanError):
        return error_response(exc.code, exc.message, exc.field, exc.status)
    if isinstance(exc, Http404):
        return error_response("not_found", _DRF_MESSAGES["not_found"], None, status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.ValidationError):
        field, detail = _first_validation_error(exc.detail)
        code = getattr(detail, "code", "invalid") or "invalid"
        return error_response(
            f"invalid_{code}" if code in ("required", "null", "blank") else str(code),
            str(detail),
            field,
            status.HTTP_400_BAD_REQUEST,
        )
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        code = getattr(exc, "vanban_code", None) or (exc.get_codes() if isinstance(exc.get_codes(), str) else "error")
        message = (
            str(exc.detail) if getattr(exc, "vanban_code", None) else _DRF_MESSAGES.get(str(code), str(exc.detail))
        )
        if (
            isinstance(exc, exceptions.PermissionDenied)
            and str(exc.detail) != "You do not have permission to perform this action."
        ):
            message = str(exc.detail)
        response.data = {"code": str(code), "message": message, "field": None}
    return response
