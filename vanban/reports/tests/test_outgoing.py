"""Outgoing figures: issued documents by period, drafting unit and type, only for those
who may see them and inside the viewer's units."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from vanban.incoming.tests.conftest import ministry_leader  # noqa: F401
from vanban.outgoing import services
from vanban.outgoing.tests.conftest import Desk, desk  # noqa: F401
from vanban.reports.scope import Period, scope_for
from vanban.reports.selectors import dashboard, figure_documents
from vanban.signatures import samples
from vanban.signatures import services as signatures

pytestmark = pytest.mark.django_db

PASSWORD = "Ky@so2026"


def _issue(desk: Desk, **kw: Any) -> Any:  # noqa: F811
    doc = desk.through_review(desk.draft(**kw))
    pdf = samples.draft_pdf(signer_name=desk.signer.full_name, type_abbreviation="BCT-XNK", title="CÔNG VĂN")
    services.add_version(actor=desk.world.specialist, document=doc, file=("cong-van.pdf", pdf), comment="Bản cuối")
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    return services.issue(actor=desk.world.ministry_clerk, document=doc)


def test_issued_documents_count_by_drafting_unit_for_those_who_may_see_them(desk: Desk) -> None:  # noqa: F811
    signatures.init_pki(actor=None)
    signatures.issue_certificate(actor=desk.signer, user=desk.signer, password=PASSWORD)
    w = desk.world
    issued = _issue(desk)  # drafted by the specialist of Phòng QLXK, sent to Vụ Pháp chế
    desk.draft(subject="Dự thảo chưa ban hành")  # a draft never counts
    today = timezone.localdate()
    period = Period.build(date_from=today - dt.timedelta(days=5), date_to=today)

    leader = dashboard(scope=scope_for(desk.signer), period=period)
    assert leader.outgoing_total == 1
    assert {c.label: c.value for c in leader.outgoing_by_unit}["Cục Xuất nhập khẩu"] == 1
    assert [(c.label, c.value) for c in leader.outgoing_by_type] == [("Công văn", 1)]
    rows = figure_documents(scope=scope_for(desk.signer), period=period, figure="outgoing")
    assert list(rows.rows) == [issued]

    # The Cục's leader counts it; its clerk may not read it (outgoing permissions), so does not;
    # Vụ Pháp chế's clerk may read it (a recipient) but it is not their units' document.
    assert dashboard(scope=scope_for(w.leader), period=period).outgoing_total == 1
    assert dashboard(scope=scope_for(w.unit_clerk), period=period).outgoing_total == 0
    other = dashboard(scope=scope_for(w.other_clerk), period=period)
    assert other.outgoing_total == 0
    assert dashboard(scope=scope_for(w.specialist), period=period).outgoing_total == 1  # their own draft
