from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from vanban.audit import services as audit
from vanban.audit.models import AuditEvent
from vanban.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def test_every_service_call_appends_a_chained_event(make_unit):
    unit = make_unit("Vụ Pháp chế")
    event = AuditEvent.objects.filter(action="unit.created").latest("id")
    assert event.target_id == str(unit.pk)
    assert event.data["after"]["name"] == "Vụ Pháp chế"
    previous = AuditEvent.objects.filter(id__lt=event.id).latest("id")
    assert event.prev_hash == previous.hash
    assert verify_chain().ok


def test_rolled_back_service_leaves_no_event(make_unit):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_unit("Cục sẽ không tồn tại")
        raise RuntimeError("rollback")
    assert AuditEvent.objects.count() == before
    assert verify_chain().ok


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_reports_the_first_edited_row(make_unit):
    for i in range(5):
        make_unit(f"Đơn vị {i}")
    events = list(AuditEvent.objects.order_by("id"))
    victim = events[2]
    _tamper("UPDATE audit_auditevent SET target_repr = %s WHERE id = %s", ["Đã bị sửa", victim.id])
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == victim.id
    assert "sửa" in report.reason


def test_verify_reports_a_deleted_row(make_unit):
    for i in range(4):
        make_unit(f"Đơn vị {i}")
    events = list(AuditEvent.objects.order_by("id"))
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == events[2].id


def test_verify_command_exit_codes(make_unit, capsys):
    make_unit("Vụ Thị trường trong nước")
    call_command("audit", "verify")
    assert "toàn vẹn" in capsys.readouterr().out
    last = AuditEvent.objects.latest("id")
    _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["unit.dissolved", last.id])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert f"#{last.id}" in capsys.readouterr().err


def test_event_records_request_context_and_on_behalf_of(make_user):
    from vanban.core import context

    principal = make_user()
    delegate = make_user()
    with context.use(context.RequestContext(ip_address="10.1.2.3", user_agent="Firefox", channel="web")), transaction.atomic():
        event = audit.record(actor=delegate, on_behalf_of=principal, action="unit.renamed", target=delegate)
    event.refresh_from_db()
    assert (event.ip_address, event.user_agent, event.channel) == ("10.1.2.3", "Firefox", "web")
    assert event.on_behalf_of_id == principal.pk
    assert verify_chain().ok
