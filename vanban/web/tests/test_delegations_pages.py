from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from vanban.audit.models import AuditEvent
from vanban.core.timeutil import today
from vanban.organisation import services as org
from vanban.organisation.models import Delegation
from vanban.organisation.roles import Role, SigningAuthority
from vanban.web.tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


def _form(delegate, **extra):
    start = today()
    data = {
        "delegate": delegate.pk,
        "authority": SigningAuthority.UY_QUYEN,
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=7)).isoformat(),
        "reason": "Đi công tác nước ngoài",
    }
    data.update(extra)
    return data


def _delegate(world, principal=None, delegate=None, days=7):
    return org.create_delegation(
        actor=principal or world.a_person,
        principal=principal or world.a_person,
        delegate=delegate or world.specialist,
        start_date=today(),
        end_date=today() + dt.timedelta(days=days),
    )


def test_leader_delegates_and_both_sides_see_it(world, web_client):
    client = web_client(world.a_person)
    response = client.post(reverse("web:delegations"), _form(world.specialist, roles=[Role.UNIT_LEADER]))
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.principal == world.a_person and delegation.roles == [Role.UNIT_LEADER]
    given = client.get(reverse("web:delegations"))
    assert [d.pk for d in given.context["given"]] == [delegation.pk]
    assert "Đang hiệu lực" in given.content.decode()
    received = web_client(world.specialist).get(reverse("web:delegations"))
    assert received.status_code == 200
    assert [d.pk for d in received.context["received"]] == [delegation.pk]
    assert "Âu Thị Hương" in received.content.decode()


def test_delegation_list_query_count_is_flat(world, web_client, make_user, django_assert_max_num_queries):
    for _ in range(10):
        _delegate(world, delegate=make_user(unit=world.a1))
    client = web_client(world.unit_admin)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("web:delegations"))
    assert len(response.context["administered"].object_list) == 10


def test_delegation_to_self_shows_message_beside_delegate(world, web_client):
    response = web_client(world.a_person).post(reverse("web:delegations"), _form(world.a_person))
    assert response.status_code == 200
    assert response.context["form"].errors["delegate"] == ["Không thể ủy quyền cho chính mình."]
    assert 'data-error-for="delegate"' in response.content.decode()
    assert not Delegation.objects.exists()


def test_inverted_dates_show_message_beside_end_date(world, web_client):
    response = web_client(world.a_person).post(
        reverse("web:delegations"), _form(world.specialist, start_date="2030-05-10", end_date="2030-05-01")
    )
    assert response.context["form"].errors["end_date"] == ["Ngày kết thúc ủy quyền phải sau hoặc trùng ngày bắt đầu."]
    assert not Delegation.objects.exists()


def test_role_the_leader_does_not_hold_is_not_offered(world, web_client):
    response = web_client(world.a_person).post(
        reverse("web:delegations"), _form(world.specialist, roles=[Role.MINISTRY_LEADER])
    )
    assert response.context["form"].errors["roles"]
    assert not Delegation.objects.exists()


def test_specialist_sees_page_without_form_and_cannot_delegate(world, web_client):
    client = web_client(world.specialist)
    page = client.get(reverse("web:delegations"))
    assert page.status_code == 200 and not page.context["can_delegate"]
    assert 'data-testid="form-delegation"' not in page.content.decode()
    assert client.post(reverse("web:delegations"), _form(world.a_person)).status_code == 403
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_records_delegation_for_leader_in_scope(world, web_client, admin):
    actor = getattr(world, admin)
    response = web_client(actor).post(reverse("web:delegations"), _form(world.specialist, principal=world.a_person.pk))
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.principal == world.a_person and delegation.created_by == actor
    event = AuditEvent.objects.get(action="delegation.created")
    assert event.actor == actor and event.on_behalf_of == world.a_person


def test_unit_admin_cannot_record_delegation_for_leader_outside_scope(world, web_client):
    response = web_client(world.other_admin).post(
        reverse("web:delegations"), _form(world.specialist, principal=world.a_person.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["principal"]
    assert not Delegation.objects.exists()


def test_principal_revokes_delegation(world, web_client):
    delegation = _delegate(world)
    response = web_client(world.a_person).post(reverse("web:delegation_revoke", args=[delegation.pk]), follow=True)
    assert "Đã thu hồi ủy quyền." in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_in_scope_revokes_delegation(world, web_client, admin):
    delegation = _delegate(world)
    assert (
        web_client(getattr(world, admin)).post(reverse("web:delegation_revoke", args=[delegation.pk])).status_code
        == 302
    )
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_others_cannot_revoke_delegation(world, web_client, make_user):
    delegation = _delegate(world)
    outsider = make_user(roles=[Role.UNIT_LEADER], unit=world.b)
    assert web_client(world.other_admin).post(reverse("web:delegation_revoke", args=[delegation.pk])).status_code == 404
    assert web_client(outsider).post(reverse("web:delegation_revoke", args=[delegation.pk])).status_code == 404
    # The delegate sees it but may not cancel what they were given.
    assert web_client(world.specialist).post(reverse("web:delegation_revoke", args=[delegation.pk])).status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
