"""`vanban restore DIR [--force]`: bring a backup back onto a fresh install."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.backup.services import restore_backup
from vanban.core.errors import VanbanError


class Command(BaseCommand):
    help = ("Phục hồi từ bản sao lưu vào bản cài mới: kiểm tra mã băm trước, từ chối cơ sở dữ liệu đã có dữ liệu "
            "(trừ khi có --force).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="Thư mục bản sao lưu")
        parser.add_argument("--force", action="store_true", help="Ghi đè cơ sở dữ liệu đang có dữ liệu")
        parser.add_argument("--no-migrate", action="store_true", help="Không chạy migrate trước khi phục hồi")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanban.core import context

        context.set_context(context.RequestContext(channel="cli"))
        if not options["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        try:
            result = restore_backup(folder=Path(options["folder"]), force=options["force"])
        except VanbanError as exc:
            raise CommandError(exc.message) from None
        rows = sum(result["tables"].values())
        self.stdout.write(f"Đã phục hồi {rows} dòng dữ liệu ở {len(result['tables'])} bảng và {result['files']} tệp.")
        self.stdout.write("Kiểm tra chuỗi nhật ký: vanban audit verify")
