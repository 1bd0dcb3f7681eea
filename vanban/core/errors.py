"""Domain errors are values with stable codes (design.md rule 5).

The API renders them as {"code", "message", "field"} with a 4xx status; the web UI
shows the Vietnamese message beside the field.
"""

from __future__ import annotations


class VanbanError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationFailed(VanbanError):
    status = 400


class PermissionDenied(VanbanError):
    status = 403

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__("permission_denied", message)


class NotFound(VanbanError):
    status = 404

    def __init__(self, message: str = "Không tìm thấy đối tượng.") -> None:
        super().__init__("not_found", message)


class Conflict(VanbanError):
    status = 409
