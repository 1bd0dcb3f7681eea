"""Errors of outgoing documents. Codes are stable (the API returns them)."""

from __future__ import annotations

from vanban.core.errors import Conflict, VanbanError


class OutgoingError(VanbanError):
    """A draft or an action that cannot be accepted as given (400)."""


class WrongState(Conflict):
    """The action does not fit the document's state (409), e.g. a second issue."""
