"""`vanban deadlines run [--date YYYY-MM-DD]`: send the reminders, overdue notices and
escalations due today once (the worker does it on its own every few minutes)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Nhắc hạn, báo quá hạn và báo cáo việc quá hạn (chạy một lần)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Chạy một lần cho ngày hôm nay (hoặc --date)")
        run.add_argument("--date", default=None, help="Ngày chạy (YYYY-MM-DD), mặc định hôm nay")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanban.workflow.followup import run_followup

        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Ngày phải theo dạng YYYY-MM-DD.") from None
        result = run_followup(today=today)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
