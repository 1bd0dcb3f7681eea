"""`vanban reports rebuild-summary`: rewrite the work read model (reports.WorkSummary)
from the assignments and documents. The triggers keep it exact; this is for recovery
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
        from vanban.reports.summary import rebuild_summary

        t0 = time.perf_counter()
        rows = rebuild_summary()
        self.stdout.write(f"Đã lập lại {rows} dòng tổng hợp việc chủ trì trong {time.perf_counter() - t0:.1f} giây.")
