"""The worker's periodic hooks: each runs on its own schedule from one thread, and a
failing hook is logged and tried again without stopping the others."""

from __future__ import annotations

import threading
import time

from vanban.jobs import periodic

calls: list[str] = []
ticked = threading.Event()


def count_hook() -> None:
    calls.append("count")
    if calls.count("count") >= 2:
        ticked.set()


def broken_hook() -> None:
    calls.append("broken")
    raise RuntimeError("a hook that always fails")


def test_runner_runs_each_hook_on_its_schedule_and_survives_failures():
    calls.clear()
    ticked.clear()
    hooks = (
        periodic.Hook("broken", 0.05, f"{__name__}:broken_hook"),
        periodic.Hook("count", 0.05, f"{__name__}:count_hook"),
    )
    runner = periodic.PeriodicRunner(hooks, tick=0.01)
    runner.start()
    try:
        assert ticked.wait(10)
    finally:
        runner.stop()
    assert not runner.is_alive()
    assert calls.count("broken") >= 2  # tried again after failing
    stopped_at = len(calls)
    time.sleep(0.1)
    assert len(calls) == stopped_at


def test_run_once_reports_each_hook():
    calls.clear()
    hooks = (
        periodic.Hook("broken", 60, f"{__name__}:broken_hook"),
        periodic.Hook("count", 60, f"{__name__}:count_hook"),
    )
    assert periodic.run_once(hooks) == {"broken": "failed", "count": None}


def test_notifications_are_a_registered_hook():
    assert any(h.path == "vanban.notifications.delivery:run_periodic" for h in periodic.HOOKS)
