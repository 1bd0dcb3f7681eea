"""notify() writes one row per person, skips the actor, and de-duplicates by key."""

from __future__ import annotations

from vanban.notifications import selectors, services


def test_each_recipient_once_and_never_the_actor(make_user):
    leader, a, b = make_user(), make_user(), make_user()
    rows = services.notify(recipients=[a, b, a, leader], kind="assignment.urged", title="Đôn đốc xử lý", actor=leader)
    assert sorted(r.recipient_id for r in rows) == sorted([a.pk, b.pk])
    assert selectors.unread_count(a) == 1
    assert selectors.unread_count(leader) == 0


def test_dedupe_key_sends_once(make_user):
    a = make_user()
    first = services.notify(recipients=[a], kind="assignment.reminder", title="Sắp đến hạn", dedupe_key="rem:1:2026-11-25")
    again = services.notify(recipients=[a], kind="assignment.reminder", title="Sắp đến hạn", dedupe_key="rem:1:2026-11-25")
    assert len(first) == 1 and again == []


def test_mark_read(make_user):
    a = make_user()
    services.notify(recipients=[a], kind="system", title="Một")
    services.notify(recipients=[a], kind="system", title="Hai")
    assert services.mark_read(user=a) == 2
    assert selectors.unread_count(a) == 0
