"""`vanban notifications digest [--date YYYY-MM-DD]`, `vanban notifications deliver`,
`vanban notifications periodic`.

digest: send the day's digest e-mails now (a person already sent that day's digest gets
no second one). deliver: send the e-mails that are due (new ones and retries).
periodic: run the worker's periodic hook once (due e-mails, and the digests when the
digest time has passed and they were not sent today). Each prints one summary line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vanban.core import context
from vanban.notifications import delivery
from vanban.notifications.models import DigestRun


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày «{value}» không hợp lệ; dùng dạng YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Gửi thư thông báo: thư tổng hợp hằng ngày, thư đến hạn gửi (kể cả gửi lại), việc định kỳ."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        digest = sub.add_parser("digest", help="Gửi thư tổng hợp thông báo chưa đọc của ngày")
        digest.add_argument("--date", type=_date, default=None, help="Ngày tổng hợp (mặc định: hôm nay)")
        sub.add_parser("deliver", help="Gửi các thư thông báo đến hạn (thư mới và thư gửi lại)")
        sub.add_parser("periodic", help="Chạy việc định kỳ của thông báo một lần")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            action = options["action"]
            if action == "digest":
                day = options["date"] or timezone.localdate()
                result = delivery.send_daily_digests(day=day)
                DigestRun.objects.get_or_create(
                    day=day, defaults={"finished_at": timezone.now(), "sent": result["sent"]}
                )
                self.stdout.write(
                    f"Thư tổng hợp ngày {day:%d/%m/%Y}: {result['digests']} thư mới, "
                    f"{result['sent']} đã gửi, {result['failed']} lỗi."
                )
            elif action == "deliver":
                result = delivery.deliver_due()
                self.stdout.write(f"Thư thông báo: {result['sent']} đã gửi, {result['failed']} lỗi.")
            else:
                result = delivery.run_periodic()
                self.stdout.write(
                    f"Việc định kỳ: {result.get('digests', 0)} thư tổng hợp, {result['sent']} thư đã gửi, "
                    f"{result['failed']} lỗi."
                )
