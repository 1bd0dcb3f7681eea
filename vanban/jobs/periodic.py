"""Periodic work run by `vanban worker` (no cron needed): e-mail retries, daily digests
and whatever else an app registers here.

Each hook is a function taking no arguments, run every `every` seconds from one daemon
thread with its own database connection (like the heartbeat). Hooks must be safe when
several workers run them at once (claim rows, unique constraints); a failing hook is
logged and tried again at its next turn, never stopping the worker."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection

from vanban.core import context

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hook:
    name: str
    every: float
    path: str  # "module:function", imported when the worker starts


# Apps add a line here; the function runs in the worker every `every` seconds.
HOOKS: tuple[Hook, ...] = (Hook("notifications", 60.0, "vanban.notifications.delivery:run_periodic"),)


def _load(path: str) -> Callable[[], object]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def run_once(hooks: tuple[Hook, ...] = HOOKS) -> dict[str, object]:
    """Run every hook once now (`vanban worker --batch`); a failing hook is logged and
    the others still run."""
    results: dict[str, object] = {}
    with context.use(context.RequestContext(channel="worker")):
        for hook in hooks:
            try:
                results[hook.name] = _load(hook.path)()
            except Exception:
                logger.exception("periodic hook %s failed", hook.name)
                results[hook.name] = "failed"
    return results


class PeriodicRunner(threading.Thread):
    def __init__(self, hooks: tuple[Hook, ...] = HOOKS, tick: float = 1.0) -> None:
        super().__init__(name="vanban-periodic", daemon=True)
        self.hooks = hooks
        self.tick = tick
        self._stopping = threading.Event()

    def run(self) -> None:
        due = {hook.name: 0.0 for hook in self.hooks}
        try:
            while not self._stopping.is_set():
                for hook in self.hooks:
                    if self._stopping.is_set() or time.monotonic() < due[hook.name]:
                        continue
                    due[hook.name] = time.monotonic() + hook.every
                    try:
                        close_old_connections()
                        with context.use(context.RequestContext(channel="worker")):
                            _load(hook.path)()
                    except Exception:
                        logger.exception("periodic hook %s failed", hook.name)
                self._stopping.wait(self.tick)
        finally:
            connection.close()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)
