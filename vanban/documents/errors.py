"""Errors of the documents core. Codes are stable: the API returns them and forms map
them to fields; messages are Vietnamese and say what the person can do about it."""

from __future__ import annotations

from vanban.core.errors import VanbanError


class DocumentError(VanbanError):
    """Anything about a document's content or files: empty, too large, wrong type,
    encrypted, broken, secret, forbidden kind."""


class RegisterError(VanbanError):
    """Registers (sổ) and their numbers."""


class CatalogueError(VanbanError):
    """The document-type catalogue and the directory of outside organs."""
