"""Preferences per person per kind: in the application always; by e-mail at once, in
the daily digest or not at all. Defaults: at once for urges, escalations and overdue
assignments, the digest for the rest."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanban.audit.models import AuditEvent
from vanban.core.errors import NotFound, ValidationFailed
from vanban.notifications import kinds, services
from vanban.notifications.models import EmailDelivery, Preference


def modes(user):
    return {p["kind"]: p["email"] for p in services.preferences_of(user)}


def test_defaults_are_email_at_once_for_what_is_urgent_and_the_digest_for_the_rest(make_user):
    person = make_user()
    got = modes(person)
    assert list(got) == list(kinds.KINDS)
    assert {k for k, m in got.items() if m == "immediate"} == {
        "assignment.urged",
        "assignment.escalated",
        "assignment.overdue",
    }
    assert {m for k, m in got.items() if k not in kinds.IMMEDIATE_BY_DEFAULT} == {"digest"}


def test_preferences_decide_each_notifications_email(make_user):
    person = make_user(email="a@moit.gov.vn")
    services.set_preferences(
        actor=person,
        user=person,
        email={
            "assignment.urged": "off",
            "presentation.received": "immediate",
            "outgoing.review": "digest",
        },
    )
    [off] = services.notify(recipients=[person], kind="assignment.urged", title="Đôn đốc")
    [now] = services.notify(recipients=[person], kind="presentation.received", title="Trình")
    [later] = services.notify(recipients=[person], kind="outgoing.review", title="Duyệt")
    [default] = services.notify(recipients=[person], kind="assignment.escalated", title="Leo thang")
    assert (off.email_mode, now.email_mode, later.email_mode, default.email_mode) == (
        "off",
        "immediate",
        "digest",
        "immediate",
    )
    assert set(EmailDelivery.objects.values_list("notification_id", flat=True)) == {now.pk, default.pk}


def test_changing_preferences_is_audited_with_before_and_after(make_user):
    person = make_user()
    services.set_preferences(actor=person, user=person, email={"assignment.assigned": "off", "system": "digest"})
    event = AuditEvent.objects.get(action="notifications.preferences_changed")
    # Only what changed is recorded ("system" was already "digest").
    assert event.data == {"before": {"assignment.assigned": "digest"}, "after": {"assignment.assigned": "off"}}
    assert modes(person)["assignment.assigned"] == "off"
    services.set_preferences(actor=person, user=person, email={"assignment.assigned": "off"})
    assert AuditEvent.objects.filter(action="notifications.preferences_changed").count() == 1


def test_bad_preferences_are_refused_and_nothing_is_saved(make_user):
    person = make_user()
    with pytest.raises(ValidationFailed) as unknown:
        services.set_preferences(actor=person, user=person, email={"system": "off", "khong.co": "off"})
    assert unknown.value.code == "unknown_kind"
    with pytest.raises(ValidationFailed) as bad_mode:
        services.set_preferences(actor=person, user=person, email={"system": "sms"})
    assert bad_mode.value.code == "invalid_email_mode"
    assert not Preference.objects.exists()


def test_nobody_sets_another_persons_preferences(make_user):
    from vanban.organisation.roles import Role

    admin, person = make_user(roles=[Role.SYSTEM_ADMIN]), make_user()
    with pytest.raises(NotFound):
        services.set_preferences(actor=admin, user=person, email={"system": "off"})
    assert not Preference.objects.exists()


def test_preferences_page_lists_every_kind_and_saves(make_user, web_client):
    person = make_user()
    client = web_client(person)
    page = client.get(reverse("web:notification_preferences")).content.decode()
    for label in kinds.KINDS.values():
        assert label in page
    assert "chưa có địa chỉ thư điện tử" in page
    form = {f"email_{k}": kinds.default_email(k) for k in kinds.KINDS} | {"email_assignment.assigned": "immediate"}
    response = client.post(reverse("web:notification_preferences"), form, follow=True)
    assert "Đã lưu cách nhận thông báo." in response.content.decode()
    assert modes(person)["assignment.assigned"] == "immediate"
    bad = client.post(reverse("web:notification_preferences"), form | {"email_system": "fax"}, follow=True)
    assert "Cách gửi thư phải là" in bad.content.decode()
    assert modes(person)["system"] == "digest"


def test_preferences_api_reads_and_updates(make_user, api_client):
    person = make_user()
    client = api_client(person)
    got = client.get("/api/v1/me/notification-preferences").json()
    assert got["digest_time"] == "17:00"
    urged = next(p for p in got["preferences"] if p["kind"] == "assignment.urged")
    assert urged == {"kind": "assignment.urged", "label": "Đôn đốc xử lý", "in_app": True, "email": "immediate",
                     "default_email": "immediate"}  # fmt: skip

    response = client.put(
        "/api/v1/me/notification-preferences",
        {"preferences": [{"kind": "assignment.urged", "email": "digest"}]},
        format="json",
    )
    assert response.status_code == 200
    assert {p["kind"]: p["email"] for p in response.json()["preferences"]}["assignment.urged"] == "digest"
    assert modes(person)["assignment.urged"] == "digest"

    for body, field in [
        ({"preferences": [{"kind": "khong.co", "email": "off"}]}, "preferences"),
        ({"preferences": [{"kind": "system", "email": "sms"}]}, "preferences"),
        ({"preferences": []}, "preferences"),
        ({"preferences": [{"kind": "system", "email": "off"}], "user": 1}, "user"),
        ({"preferences": [{"kind": "system", "email": "off"}, {"kind": "system", "email": "digest"}]}, "preferences"),
    ]:
        bad = client.put("/api/v1/me/notification-preferences", body, format="json")
        assert bad.status_code == 400, body
        assert bad.json()["field"].startswith(field), bad.json()
    assert modes(person)["system"] == "digest"
