"""Errors of the inter-agency exchange. Codes are stable (the API and the transport
return them); messages are Vietnamese and say what is wrong with the message."""

from __future__ import annotations

from vanban.core.errors import Conflict, VanbanError


class EdxmlError(VanbanError):
    """An edXML message that cannot be read or written as given: malformed XML, a DTD,
    a missing or invalid field, a damaged attachment, a size limit. `field` names the
    element path ("From/OrganId", "Attachment/ContentTransferEncoded") when there is one."""


class ExchangeError(VanbanError):
    """A received message that cannot be taken in as given (wrong recipient, no own organ)."""


class WrongState(Conflict):
    """The action does not fit the received message's state (409), e.g. a second acceptance."""


class PartnerAuthFailed(VanbanError):
    """The caller of the inbox is not a known active partner (401)."""

    status = 401


class SenderMismatch(VanbanError):
    """The message's From/OrganId is not the partner who sent it (403)."""

    status = 403
