"""Periodic work the worker runs besides queued jobs (outbox delivery, folder watching,
reminders...). An app registers a dotted function path in its AppConfig.ready; `vanban
worker` runs each from one daemon thread at its interval, so no cron is needed. Every
such function must be safe to run in several workers at once (claim rows atomically)
and must also be reachable as a management command that runs it once."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class PeriodicTask:
    name: str
    path: str
    seconds_setting: str
    default_seconds: float

    @property
    def interval(self) -> float:
        return float(getattr(settings, self.seconds_setting, self.default_seconds) or self.default_seconds)


_tasks: dict[str, PeriodicTask] = {}


def register(name: str, path: str, *, seconds_setting: str, default_seconds: float) -> None:
    _tasks[name] = PeriodicTask(name, path, seconds_setting, default_seconds)


def tasks() -> list[PeriodicTask]:
    return list(_tasks.values())


class PeriodicRunner(threading.Thread):
    """Runs the registered tasks from a daemon thread with its own connection."""

    def __init__(self) -> None:
        super().__init__(name="vanban-periodic", daemon=True)
        self._stopping = threading.Event()
        self._next: dict[str, float] = {}

    def run_due(self) -> None:
        now = time.monotonic()
        for task in tasks():
            if self._next.get(task.name, 0.0) > now:
                continue
            self._next[task.name] = now + task.interval
            try:
                close_old_connections()
                import_string(task.path)()
            except Exception:  # one failing task must not stop the others or the worker
                logger.exception("periodic task %s failed", task.name)

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self.run_due()
                self._stopping.wait(0.5)
        finally:
            connection.close()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)
