from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from vanban.jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Rows of workers gone for this long are pruned when a new worker starts, so the table
# holds the current fleet plus a day of history, not every restart since installation.
PRUNE_AFTER = dt.timedelta(days=1)


class Heartbeat(threading.Thread):
    """Marks this worker alive every few seconds, from a daemon thread with its own
    database connection, so /healthz can tell a dead worker from an idle one."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="vanban-heartbeat", daemon=True)
        host = socket.gethostname()
        suffix = f"-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.worker_id = host[: 64 - len(suffix)] + suffix
        self.started = timezone.now()
        self.interval = settings.WORKER_HEARTBEAT_SECONDS if interval is None else interval
        # Not `_stop`: threading.Thread has a private `_stop()` that join() calls.
        self._stopping = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:100],
                "pid": os.getpid(),
                "started_at": self.started,
                "last_seen": timezone.now(),
            },
        )

    def prune(self) -> None:
        WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - PRUNE_AFTER).delete()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    close_old_connections()
                    self.beat()
                except Exception:  # a locked SQLite file must not kill the heartbeat
                    logger.warning("worker heartbeat failed", exc_info=True)
                self._stopping.wait(self.interval)
        finally:
            connection.close()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)
