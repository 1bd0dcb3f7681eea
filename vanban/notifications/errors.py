"""Errors of notifications. Codes are stable (the API returns them); messages are Vietnamese."""

from __future__ import annotations

from vanban.core.errors import Conflict


class WrongEmailState(Conflict):
    """The action does not fit the e-mail's state (409), e.g. retrying one already sent."""
