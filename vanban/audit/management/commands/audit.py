from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Nhật ký hệ thống: `vanban audit verify` kiểm tra tính toàn vẹn của chuỗi băm."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Kiểm tra chuỗi băm và báo liên kết hỏng đầu tiên")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            report = verify_chain()
            if report.ok:
                self.stdout.write(f"Nhật ký toàn vẹn: đã kiểm tra {report.checked} sự kiện.")
                return
            self.stderr.write(
                f"Nhật ký bị can thiệp: liên kết hỏng đầu tiên tại sự kiện #{report.broken_at} "
                f"({report.reason}); {report.checked} sự kiện trước đó hợp lệ."
            )
            sys.exit(1)
