"""Reads of the exchange for the clerk's pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vanban.exchange.models import ChangeRequest, ReceivedMessage


def received_rows(state: str) -> QuerySet[ReceivedMessage]:
    """Received documents and the change requests about them (a take-back is a status
    message), filtered; "waiting" is the clerk's queue: documents to register and
    requests still open."""
    rows = (ReceivedMessage.objects.filter(Q(kind=ReceivedMessage.Kind.EDOC) | Q(change_request__isnull=False))
            .select_related("change_request", "change_request__incoming", "change_request__target",
                            "change_request__replacement", "change_request__decided_by")
            .order_by("-received_at", "-pk"))  # fmt: skip
    if state == "waiting":
        open_states = [ChangeRequest.State.PENDING, ChangeRequest.State.UNMATCHED]
        return rows.filter(Q(status=ReceivedMessage.Status.RECEIVED)
                           | Q(change_request__state__in=open_states, change_request__decided_at__isnull=True,
                               status=ReceivedMessage.Status.CHANGE))  # fmt: skip
    if state in ReceivedMessage.Status.values:
        return rows.filter(status=state)
    return rows
