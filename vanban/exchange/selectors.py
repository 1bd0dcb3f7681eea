"""Reads of the exchange for the clerk's pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vanban.exchange.models import ChangeRequest, ReceivedMessage


def _open_q(prefix: str = "") -> Q:
    """A change request still waiting for the clerk's answer."""
    return Q(**{f"{prefix}state__in": [ChangeRequest.State.PENDING, ChangeRequest.State.UNMATCHED],
                f"{prefix}decided_at__isnull": True})  # fmt: skip


def change_rows(state: str | None = None, incoming: int | None = None) -> QuerySet[ChangeRequest]:
    """Change requests, newest first; state "open" is those still waiting for the clerk."""
    rows = ChangeRequest.objects.select_related("message").order_by("-created_at", "-pk")
    if state == "open":
        rows = rows.filter(_open_q())
    elif state:
        rows = rows.filter(state=state)
    if incoming:
        rows = rows.filter(incoming_id=incoming)
    return rows


def received_rows(state: str) -> QuerySet[ReceivedMessage]:
    """Received documents and the change requests about them (a take-back is a status
    message), filtered; "waiting" is the clerk's queue: documents to register and
    requests still open."""
    rows = (ReceivedMessage.objects.filter(Q(kind=ReceivedMessage.Kind.EDOC) | Q(change_request__isnull=False))
            .select_related("change_request", "change_request__incoming", "change_request__target",
                            "change_request__replacement", "change_request__decided_by")
            .order_by("-received_at", "-pk"))  # fmt: skip
    if state == "waiting":
        return rows.filter(Q(status=ReceivedMessage.Status.RECEIVED)
                           | (_open_q("change_request__") & Q(status=ReceivedMessage.Status.CHANGE)))  # fmt: skip
    if state in ReceivedMessage.Status.values:
        return rows.filter(status=state)
    return rows
