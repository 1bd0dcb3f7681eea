"""`vanban extraction_sweep`: delete the working copies of auto-fill proposals that were
never registered (older than a day). OCR jobs do this too, each time they run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vanban.extraction.services import sweep_expired


class Command(BaseCommand):
    help = "Xóa bản tạm của các tệp đã đọc tự động nhưng không được đăng ký (quá một ngày)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = sweep_expired()
        self.stdout.write(f"Đã xóa {count} bản tạm.")
