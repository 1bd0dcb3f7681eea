"""Errors of the auto-fill. Codes are stable; messages say what the clerk can do."""

from __future__ import annotations

from vanban.core.errors import VanbanError


class ExtractionError(VanbanError):
    """The file could not be read for a proposal."""
