"""Crash windows of the transport in one process (test_chaos.py drives them with real
processes): a status stored by a receiver that died before applying it, and a claim made
late in a long delivery pass."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from vanban.exchange import edxml, outbox
from vanban.exchange.inbox import take_in
from vanban.exchange.messages import VIETNAM
from vanban.exchange.models import OutboxMessage, ReceivedMessage, RecipientStatus
from vanban.exchange.services import receive_message
from vanban.exchange.tests.conftest import simple_message
from vanban.exchange.tests.test_export import _issue, nghe_an, signable  # noqa: F401
from vanban.exchange.tests.test_transport import _partner, _status
from vanban.incoming.tests.conftest import ministry_leader  # noqa: F401
from vanban.outgoing.models import Recipient
from vanban.outgoing.tests.conftest import Desk, desk  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_status_stored_but_not_applied_is_applied_when_sent_again(signable: Desk, nghe_an: Any) -> None:  # noqa: F811
    d = signable
    partner = _partner()
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    data = _status(doc, "03", dt.datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM))
    # The inbox stored the status and its process was killed before applying it: the
    # sender got no answer and sends the same bytes again.
    assert receive_message(actor=None, data=data, channel="http").created
    assert RecipientStatus.objects.get().history == []
    again = take_in(partner=partner, data=data, channel="http")
    assert not again.created
    state = RecipientStatus.objects.get()
    assert ([h["code"] for h in state.history], state.status_code) == (["03"], "03")
    assert doc.recipients.get().delivery == Recipient.Delivery.READ
    # Further repeats change nothing: each stored status is applied once.
    take_in(partner=partner, data=data, channel="http")
    assert [h["code"] for h in RecipientStatus.objects.get().history] == ["03"]
    assert ReceivedMessage.objects.filter(kind="status").count() == 1


def test_a_claim_late_in_a_long_pass_gets_a_full_lease(own_h41: Any, isolated_storage: Any) -> None:
    partner = _partner("000.00.00.G02", name="Bộ Công Thương")
    row = outbox.enqueue(partner=partner, kind=OutboxMessage.Kind.DOCUMENT, key="lease-1",
                         data=edxml.build_document(simple_message()))  # fmt: skip
    # The pass began long ago (it waited on slow partners for longer than the lease)
    # and only now reaches this row.
    pass_started = timezone.now() - 3 * outbox.lease()
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=pass_started)
    assert outbox._claim(row.pk, pass_started)
    row.refresh_from_db()
    assert row.state == "sending" and row.next_attempt_at > timezone.now() + outbox.lease() / 2
    # Another worker's pass starting now does not take it while it is being sent.
    assert not outbox._claim(row.pk, timezone.now())
