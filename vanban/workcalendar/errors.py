"""Errors of the calendar and deadline rules. Codes are stable (the API returns them)."""

from __future__ import annotations

from vanban.core.errors import VanbanError


class CalendarError(VanbanError):
    """Bad input for the calendar or the deadline rules (400)."""
