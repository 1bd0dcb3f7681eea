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
HOOKS: tuple[Hook, ...] = (
    Hook("notifications", 60.0, "vanban.notifications.delivery:run_periodic"),
    # Reminders, overdue notices and escalations; dedupe keys make reruns harmless.
    Hook("deadlines", 300.0, "vanban.workflow.followup:periodic_run"),
    # Files due for transfer to the archive (once per file, by dedupe key).
    Hook("records", 3600.0, "vanban.records.reminders:remind_transfers_due"),
    # Unregistered auto-fill working copies older than a day.
    Hook("extraction", 3600.0, "vanban.extraction.services:sweep_expired"),
)


_registered: list[Hook] = []


def register(name: str, path: str, *, seconds_setting: str = "", default_seconds: float = 60.0) -> None:
    """For apps that register their hook in AppConfig.ready, with an interval taken
    from a setting (e.g. VANBAN_EXCHANGE_POLL_SECONDS)."""
    from django.conf import settings

    every = (
        float(getattr(settings, seconds_setting, default_seconds) or default_seconds)
        if seconds_setting
        else default_seconds
    )
    _registered[:] = [h for h in _registered if h.name != name]
    _registered.append(Hook(name, every, path))


def all_hooks() -> tuple[Hook, ...]:
    return HOOKS + tuple(_registered)


def _load(path: str) -> Callable[[], object]:
    # "module:function", or a dotted "module.function".
    module, sep, name = path.partition(":")
    if not sep:
        module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_once(hooks: tuple[Hook, ...] | None = None) -> dict[str, object]:
    """Run every hook once now (`vanban worker --batch`); a failing hook is logged and
    the others still run."""
    hooks = all_hooks() if hooks is None else hooks
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
    def __init__(self, hooks: tuple[Hook, ...] | None = None, tick: float = 1.0) -> None:
        super().__init__(name="vanban-periodic", daemon=True)
        self.hooks = all_hooks() if hooks is None else hooks
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
