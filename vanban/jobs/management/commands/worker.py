"""`vanban worker`: runs background jobs from whichever queue TASKS configures.

The database queue is drained with django-tasks-db's worker loop, the Redis queue with
an RQ worker using django-tasks-rq's job class. Either way a heartbeat thread marks the
worker alive for /healthz."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError, connections

from vanban.jobs.heartbeat import Heartbeat
from vanban.jobs.periodic import PeriodicRunner
from vanban.jobs.periodic import run_once as run_periodic_once

logger = logging.getLogger(__name__)


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (OCR, nhập dữ liệu, gửi nhận liên thông...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default", help="Hàng đợi cần xử lý (mặc định: default)")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Số giây chờ giữa hai lần kiểm tra hàng đợi khi không có việc (hàng đợi CSDL)",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Xử lý hết các tác vụ đang chờ rồi thoát (dùng cho kiểm thử, cron)"
        )
        parser.add_argument("--max-tasks", type=_positive_int, default=None, help="Thoát sau khi đã chạy số tác vụ này")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Không chạy việc định kỳ (gửi lại thư, thư tổng hợp...) trong tiến trình này",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
        from django_tasks_db import DatabaseBackend

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        # Decided by the configured backend's class, not by VANBAN_TASKS_BACKEND, so that
        # settings overridden in tests are honoured too.
        if isinstance(backend, DatabaseBackend):
            run = self._run_database
        elif type(backend).__module__.startswith("django_tasks_rq"):
            run = self._run_rq
        else:
            raise CommandError(
                f"Cấu hình tác vụ nền hiện tại ({type(backend).__name__}) chạy tác vụ ngay trong tiến trình web; "
                "không cần tiến trình xử lý nền."
            )
        heartbeat = Heartbeat()
        heartbeat.prune()
        heartbeat.beat()
        heartbeat.start()
        periodic = None
        if not options["no_periodic"]:
            if options["batch"]:
                # A batch run (cron, tests) does the periodic work once, before the queue.
                run_periodic_once()
            else:
                periodic = PeriodicRunner()
                periodic.start()
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            run(heartbeat.worker_id, options)
        finally:
            if periodic is not None:
                periodic.stop()
            heartbeat.stop()
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    def _run_database(self, worker_id: str, options: dict[str, Any]) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        pause = 1.0
        while True:
            try:
                worker.run()
                return
            except SystemExit as exc:
                # db_worker exits with SystemExit(0) on SIGTERM while idle: a clean stop.
                if exc.code not in (0, None):
                    raise
                return
            except (OperationalError, InterfaceError):
                # The database went away (restart, failover, network): db_worker's loop
                # raises out; wait and start it again instead of dying with the jobs and
                # the periodic work (exchange delivery) of this process.
                if options["batch"] or not worker.running:
                    raise
                logger.warning("database unavailable; the worker retries in %.0f s", pause, exc_info=True)
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, 30.0)

    def _run_rq(self, worker_id: str, options: dict[str, Any]) -> None:
        from django_rq.workers import get_worker

        worker = get_worker(*options["queue_name"].split(","), job_class="django_tasks_rq.Job", name=worker_id)
        # RQ forks a work horse per job: the parent's database connections are closed
        # first so that no child ever talks over a socket its parent also uses (the
        # heartbeat's connection belongs to a thread that does not exist in the child).
        connections.close_all()
        worker.work(
            burst=options["batch"],
            max_jobs=options["max_tasks"],
            with_scheduler=False,
            logging_level="INFO" if options["verbosity"] else "WARNING",
        )
