"""Errors of the workflow. Codes are stable (the API returns them)."""

from __future__ import annotations

from vanban.core.errors import Conflict, VanbanError


class WorkflowError(VanbanError):
    """An action that cannot be accepted as given (400)."""


class WrongState(Conflict):
    """The action does not fit the current state, e.g. re-assigning a completed
    assignment (409): someone else may have acted first."""
