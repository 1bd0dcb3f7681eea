"""Job kinds register a handler here; the single task `run_job` dispatches to it.

A handler receives the Job and a `progress(done, total)` callback and returns the
result dict. Raising VanbanError fails the job with that Vietnamese message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ProgressFn = Callable[[int, int], None]
Handler = Callable[[Any, ProgressFn], dict[str, Any]]

_handlers: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    def wrap(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return wrap


def handler_for(kind: str) -> Handler:
    from vanban.jobs import handlers  # noqa: F401  (imports every app's job kinds)

    return _handlers[kind]
