from __future__ import annotations

import datetime as dt

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.core.timeutil import today
from vanban.organisation import services
from vanban.organisation.errors import DelegationError
from vanban.organisation.models import Delegation
from vanban.organisation.permissions import authorize, effective_roles, has_role
from vanban.organisation.roles import Role, SigningAuthority

pytestmark = pytest.mark.django_db


def test_unit_scoped_role_covers_the_subtree_only(make_unit, make_user):
    cuc, other = make_unit(), make_unit()
    phong = make_unit(parent=cuc)
    leader = make_user(roles=[Role.UNIT_LEADER], unit=cuc)
    assert has_role(leader, Role.UNIT_LEADER, unit=phong)
    assert not has_role(leader, Role.UNIT_LEADER, unit=other)


def test_a_person_may_hold_several_positions(make_unit, make_user, position):
    main, second = make_unit("Cục TMĐT"), make_unit("Phòng QLTM")
    person = make_user(unit=main)
    services.appoint(actor=None, user=person, unit=second, position=position, is_primary=False)
    appointments = person.appointments.filter(end_date__isnull=True)
    assert appointments.count() == 2
    assert appointments.get(is_primary=True).unit == main


def test_only_system_admin_grants_ministry_wide_roles(make_unit, make_user):
    unit = make_unit()
    unit_admin = make_user(roles=[Role.UNIT_ADMIN], unit=unit)
    target = make_user(unit=unit)
    with pytest.raises(PermissionDenied):
        services.grant_role(actor=unit_admin, user=target, role=Role.MINISTRY_LEADER)
    sysadmin = make_user(roles=[Role.SYSTEM_ADMIN])
    services.grant_role(actor=sysadmin, user=target, role=Role.MINISTRY_LEADER)
    assert has_role(target, Role.MINISTRY_LEADER)


def test_delegate_acts_with_principal_roles_and_events_say_on_behalf_of(make_unit, make_user, organ):
    unit = make_unit()
    leader = make_user(roles=[Role.UNIT_LEADER, Role.UNIT_ADMIN], unit=unit)
    deputy = make_user(roles=[Role.SPECIALIST], unit=unit)
    services.create_delegation(actor=leader, principal=leader, delegate=deputy, start_date=today(),
                               end_date=today() + dt.timedelta(days=7), authority=SigningAuthority.KT,
                               roles=[Role.UNIT_ADMIN])
    authority = authorize(deputy, {Role.UNIT_ADMIN}, unit)
    assert authority.on_behalf_of == leader
    assert not has_role(deputy, Role.UNIT_LEADER)  # only the delegated subset
    sub = services.create_unit(actor=deputy, organ=organ, name="Phòng mới", parent=unit)
    event = AuditEvent.objects.get(action="unit.created", target_id=str(sub.pk))
    assert event.actor == deputy and event.on_behalf_of == leader


def test_delegation_outside_its_dates_gives_nothing(make_unit, make_user):
    unit = make_unit()
    leader = make_user(roles=[Role.UNIT_LEADER], unit=unit)
    deputy = make_user(unit=unit)
    services.create_delegation(actor=leader, principal=leader, delegate=deputy,
                               start_date=today() + dt.timedelta(days=3), end_date=today() + dt.timedelta(days=5))
    assert effective_roles(deputy) == []


def test_delegation_to_oneself_is_refused(make_unit, make_user):
    leader = make_user(roles=[Role.UNIT_LEADER], unit=make_unit())
    with pytest.raises(DelegationError) as exc:
        services.create_delegation(actor=leader, principal=leader, delegate=leader, start_date=today(), end_date=today())
    assert exc.value.code == "delegate_to_self"
    assert not Delegation.objects.exists()


def test_delegation_with_inverted_dates_is_refused(make_unit, make_user):
    unit = make_unit()
    leader, deputy = make_user(roles=[Role.UNIT_LEADER], unit=unit), make_user(unit=unit)
    with pytest.raises(DelegationError) as exc:
        services.create_delegation(actor=leader, principal=leader, delegate=deputy,
                                   start_date=today(), end_date=today() - dt.timedelta(days=1))
    assert exc.value.code == "inverted_dates"


def test_thua_uy_quyen_cannot_be_passed_on(make_unit, make_user):
    unit = make_unit()
    minister = make_user(roles=[Role.MINISTRY_LEADER])
    director = make_user(roles=[Role.UNIT_LEADER], unit=unit)
    deputy = make_user(unit=unit)
    end = today() + dt.timedelta(days=10)
    services.create_delegation(actor=minister, principal=minister, delegate=director, start_date=today(),
                               end_date=end, authority=SigningAuthority.TUQ)
    with pytest.raises(DelegationError) as exc:
        services.create_delegation(actor=director, principal=director, delegate=deputy, start_date=today(),
                                   end_date=end, authority=SigningAuthority.TUQ)
    assert exc.value.code == "no_redelegation"


def test_revoked_delegation_stops_at_once(make_unit, make_user):
    unit = make_unit()
    leader, deputy = make_user(roles=[Role.UNIT_LEADER], unit=unit), make_user(unit=unit)
    d = services.create_delegation(actor=leader, principal=leader, delegate=deputy, start_date=today(), end_date=today())
    assert has_role(deputy, Role.UNIT_LEADER)
    services.revoke_delegation(actor=leader, delegation=d)
    next_request_user = type(deputy).objects.get(pk=deputy.pk)
    assert not has_role(next_request_user, Role.UNIT_LEADER)


def test_specialist_cannot_delegate(make_unit, make_user):
    unit = make_unit()
    specialist, other = make_user(roles=[Role.SPECIALIST], unit=unit), make_user(unit=unit)
    with pytest.raises(DelegationError):
        services.create_delegation(actor=specialist, principal=specialist, delegate=other,
                                   start_date=today(), end_date=today())


def test_unit_admin_cannot_take_over_a_system_admin_in_their_unit(make_unit, make_user):
    from vanban.accounts import services as accounts

    unit = make_unit()
    unit_admin = make_user(roles=[Role.UNIT_ADMIN], unit=unit)
    sysadmin = make_user(roles=[Role.SYSTEM_ADMIN], unit=unit)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(actor=unit_admin, user=sysadmin)
    with pytest.raises(PermissionDenied):
        accounts.deactivate_account(actor=unit_admin, user=sysadmin)


def test_unit_admin_cannot_manage_someone_with_a_post_outside_their_subtree(make_unit, make_user, position):
    from vanban.accounts import services as accounts

    mine, other = make_unit(), make_unit()
    unit_admin = make_user(roles=[Role.UNIT_ADMIN], unit=mine)
    person = make_user(unit=mine)
    services.appoint(actor=None, user=person, unit=other, position=position, is_primary=False)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(actor=unit_admin, user=person)
    only_mine = make_user(roles=[Role.SPECIALIST], unit=mine)
    accounts.reset_password(actor=unit_admin, user=only_mine)
