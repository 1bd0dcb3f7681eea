from __future__ import annotations

from vanban.core.errors import Conflict, ValidationFailed


def invalid(code: str, message: str, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(code, message, field)


def wrong_state(code: str, message: str) -> Conflict:
    return Conflict(code, message)
