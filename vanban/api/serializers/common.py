"""What every API area shares: the error body, strict request bodies and bounded ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

# Both engines store ids as signed 64-bit integers; larger numbers cannot name a row and
# would overflow SQLite's binding, so they are refused before any query.
MAX_ID = 2**63 - 1


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã lỗi ổn định, dùng cho chương trình (ví dụ duplicate_username)")
    message = serializers.CharField(help_text="Thông báo tiếng Việt cho người dùng")
    field = serializers.CharField(allow_null=True, help_text="Trường dữ liệu gây lỗi, nếu có")


ERROR_DESCRIPTIONS = {
    400: "Dữ liệu không hợp lệ; không có gì được lưu.",
    401: "Chưa xác thực, hoặc mã truy cập không hợp lệ, đã hết hạn hay đã bị thu hồi.",
    403: "Không có quyền, hoặc mã truy cập thiếu phạm vi quyền cần thiết.",
    404: "Không tìm thấy, hoặc đối tượng nằm ngoài phạm vi quản lý của bạn.",
    409: "Xung đột với trạng thái hiện tại.",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Documented error responses; 401 and 403 apply to every authenticated endpoint."""
    wanted = sorted({401, 403, *statuses})
    return {s: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[s]) for s in wanted}


def id_parameter(name: str = "id", description: str = "Mã số (id)") -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},  # type: ignore[arg-type]
        OpenApiParameter.PATH,
        description=description,
    )


def bounded_id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class StrictSerializer(serializers.Serializer):
    """A request body. Unknown fields are refused rather than silently dropped, so a
    script that misspells a field ("fullname") learns it instead of saving nothing."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = [str(key) for key in data if key not in writable]
            if unknown:
                raise ValidationError(
                    {unknown[0]: [ErrorDetail(f"Trường «{unknown[0]}» không được hỗ trợ.", code="unknown_field")]}
                )
        return super().to_internal_value(data)


class QuerySerializer(serializers.Serializer):
    """Filters in the query string; other parameters (page, page_size) pass through."""


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Say in the schema what StrictSerializer enforces: no additional properties."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class EmptySerializer(StrictSerializer):
    """An action that takes no input: the body is empty or {}."""
