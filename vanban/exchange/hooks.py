"""Status messages owed to the sender of a document received by exchange, hooked once
where the lifecycle rows are written:

* `ReceivedMessageEvent` (exchange's own: 01 on arrival, 02 refused, 03 registered) →
  the status is queued in the outbox for the sender partner;
* `IncomingEvent` (written by incoming and workflow for every document: assigned 04,
  in progress 05, completed 06) of a document that came by exchange → the matching
  `ReceivedMessageEvent`, once per code, hence the status above.

Both run inside the transaction that writes the row: the status leaves only if the
change commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from vanban.exchange.messages import STATUS_DESCRIPTIONS
from vanban.exchange.models import ReceivedMessage, ReceivedMessageEvent
from vanban.incoming.models import IncomingEvent

WORKFLOW_CODES = {"assigned": "04", "in_progress": "05", "completed": "06"}


def _received_event_saved(sender: Any, instance: ReceivedMessageEvent, created: bool, raw: bool = False,
                          **kwargs: Any) -> None:  # fmt: skip
    if not created or raw:
        return
    from vanban.exchange.outbox import enqueue_status

    enqueue_status(received=instance.message, code=instance.status_code, description=instance.description,
                   actor=instance.actor, at=instance.at)  # fmt: skip


def _incoming_event_saved(sender: Any, instance: IncomingEvent, created: bool, raw: bool = False,
                          **kwargs: Any) -> None:  # fmt: skip
    code = WORKFLOW_CODES.get(instance.kind)
    if not created or raw or code is None or instance.document_id is None:
        return
    received = ReceivedMessage.objects.filter(incoming_id=instance.document_id, kind=ReceivedMessage.Kind.EDOC).first()
    if received is None or ReceivedMessageEvent.objects.filter(message=received, status_code=code).exists():
        return
    ReceivedMessageEvent.objects.create(message=received, status_code=code, description=STATUS_DESCRIPTIONS[code],
                                        actor=instance.actor, at=instance.at)  # fmt: skip


def connect() -> None:
    post_save.connect(_received_event_saved, sender=ReceivedMessageEvent, dispatch_uid="exchange-received-event")
    post_save.connect(_incoming_event_saved, sender=IncomingEvent, dispatch_uid="exchange-incoming-event")
