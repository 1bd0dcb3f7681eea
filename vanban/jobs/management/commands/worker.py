from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from vanban.jobs.heartbeat import Heartbeat


class Command(DbWorkerCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (OCR, nhập dữ liệu, gửi nhận liên thông...)."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat()
        heartbeat.beat()
        heartbeat.start()
        try:
            if settings.TASKS_BACKEND == "redis":
                from django.core.management import call_command

                call_command("rqworker", "default", with_scheduler=False)
            else:
                super().handle(*args, **options)
        finally:
            heartbeat.stop()
