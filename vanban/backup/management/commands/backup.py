"""`vanban backup [-o DIR]`: a consistent copy of the database and the stored files,
taken while the system runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.backup.services import create_backup
from vanban.core.errors import VanbanError


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp lưu trữ (có mã băm SHA-256) trong khi hệ thống vẫn chạy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="Thư mục ghi bản sao lưu (mặc định: VANBAN_VAR_DIR/backups/...)")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanban.core import context

        context.set_context(context.RequestContext(channel="cli"))
        last = [-1]

        def progress(done: int, total: int) -> None:
            step = 100 * done // max(total, 1)
            if step // 10 != last[0] // 10 and options["verbosity"] >= 1:
                self.stderr.write(f"  {step}% ({done}/{total})")
            last[0] = step

        try:
            folder = create_backup(actor=None, output=Path(options["output"]) if options["output"] else None,
                                   progress=progress)
        except VanbanError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(str(folder))
