"""Periodic work run by `vanban worker` (reminders, digests, retries...), so nothing
needs cron. Each hook is a dotted path to a function without arguments; apps add theirs
to HOOKS. Hooks must be idempotent: after a restart they run again at once."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

HOOKS: list[str] = [
    "vanban.workflow.followup.periodic_run",
]


def run_hooks() -> None:
    for path in HOOKS:
        try:
            import_string(path)()
        except Exception:  # one failing hook must not stop the others, nor the worker
            logger.exception("periodic hook %s failed", path)


class Periodic(threading.Thread):
    """Runs the hooks every WORKER_PERIODIC_SECONDS from a daemon thread with its own
    database connection, beside the job loop."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="vanban-periodic", daemon=True)
        self.interval = getattr(settings, "WORKER_PERIODIC_SECONDS", 300) if interval is None else interval
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                close_old_connections()
                run_hooks()
                self._stopping.wait(self.interval)
        finally:
            connection.close()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)
