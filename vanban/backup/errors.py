from __future__ import annotations

from vanban.core.errors import Conflict, ValidationFailed


class BackupDamaged(ValidationFailed):
    def __init__(self, message: str) -> None:
        super().__init__("backup_damaged", f"Bản sao lưu bị hỏng hoặc đã bị sửa: {message}")


class DatabaseNotEmpty(Conflict):
    def __init__(self) -> None:
        super().__init__("database_not_empty",
                         "Cơ sở dữ liệu đã có dữ liệu. Chỉ phục hồi vào bản cài mới, hoặc dùng --force để ghi đè toàn bộ.")
