from __future__ import annotations

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


class Heartbeat(threading.Thread):
    """Marks this worker alive every few seconds, from a daemon thread with its own
    database connection, so /healthz can tell a dead worker from an idle one."""

    def __init__(self) -> None:
        super().__init__(name="vanban-heartbeat", daemon=True)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.started = timezone.now()
        self._stop = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname()[:100], "pid": os.getpid(),
                      "started_at": self.started, "last_seen": timezone.now()},
        )

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                self.beat()
            except Exception:  # a locked SQLite file must not kill the heartbeat
                logger.warning("worker heartbeat failed", exc_info=True)
            self._stop.wait(settings.WORKER_HEARTBEAT_SECONDS)
        connection.close()

    def stop(self) -> None:
        self._stop.set()
