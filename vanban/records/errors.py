"""Errors of the records app: stable codes, Vietnamese messages."""

from __future__ import annotations

from vanban.core.errors import Conflict, ValidationFailed


def invalid_retention(value: str) -> ValidationFailed:
    return ValidationFailed(
        "retention_invalid",
        f"Thời hạn bảo quản «{value}» không hợp lệ: nhập số năm (ví dụ 10 hoặc «10 năm») hoặc «Vĩnh viễn».",
        "retention",
    )


def dossier_not_open(state_label: str) -> Conflict:
    return Conflict(
        "dossier_not_open",
        f"Hồ sơ {state_label.lower()}: không thể thêm, sắp xếp hay bỏ văn bản. "
        "Muốn thay đổi, người có thẩm quyền phải mở lại hồ sơ (ghi rõ lý do).",
    )


def dossier_empty() -> ValidationFailed:
    return ValidationFailed("dossier_empty", "Không thể đóng hồ sơ chưa có văn bản nào.")


class PackageInvalid(ValidationFailed):
    """A transfer package that fails verification; `message` says which entry and why."""

    def __init__(self, message: str, code: str = "package_invalid") -> None:
        super().__init__(code, message, "package")
