"""`vanban reports rebuild-summary`: rewrite the read models (reports.WorkSummary and
reports.IncomingUnit) from the assignments, documents and registers. The triggers keep it exact; this is for recovery
(and after loading data with the triggers disabled)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Thống kê: lập lại bảng tổng hợp việc chủ trì từ dữ liệu giao xử lý."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild-summary", help="Lập lại bảng tổng hợp việc chủ trì")

    def handle(self, *args: Any, **opts: Any) -> None:
        from vanban.reports.summary import rebuild_all

        t0 = time.perf_counter()
        rows, incoming_rows = rebuild_all()
        self.stdout.write(
            f"Đã lập lại {rows} dòng tổng hợp việc chủ trì và {incoming_rows} dòng tổng hợp văn bản đến "
            f"trong {time.perf_counter() - t0:.1f} giây."
        )
