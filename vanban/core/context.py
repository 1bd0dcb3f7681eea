"""Who is acting and from where, for the audit log, without threading it through
every call. Set by the web middleware, the API authentication and the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    channel: str = "system"  # web, api, cli, worker, system


_DEFAULT = RequestContext()  # frozen dataclass: safe to share
_current: ContextVar[RequestContext] = ContextVar("vanban_request_context", default=_DEFAULT)


def current() -> RequestContext:
    return _current.get()


@contextlib.contextmanager
def use(ctx: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_context(ctx: RequestContext) -> None:
    _current.set(ctx)
