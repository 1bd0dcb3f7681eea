from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from rest_framework.test import APIClient

from vanban.accounts import services as accounts
from vanban.accounts.models import User
from vanban.api.tests import admin_world
from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.audit.models import AuditEvent
from vanban.conftest import PASSWORD
from vanban.organisation.models import Appointment, RoleGrant
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db
world = admin_world.world  # the fixture


def client_for(actor, world):
    if actor == "token_without_admin":
        return bearer_client(world.sysadmin, scopes=["read", "write"])
    return bearer_client(
        {"sysadmin": world.sysadmin, "unit_admin": world.unit_admin, "specialist": world.specialist}[actor]
    )


def enable_totp(user):
    device = accounts.begin_totp_setup(user=user)
    accounts.confirm_totp_setup(user=user, token=f"{totp(device.bin_key):06d}")
    return device


def lock_out(user):
    """Lock the account the way it happens: repeated wrong passwords."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(reverse("api-token"), {"username": user.username, "password": "sai-mat-khau"}, format="json")
    assert accounts.is_locked(user)


# --- Every account action with its permission pairs -----------------------------------
# Each entry: build(world, person) -> (method, url, body), the success status, and an
# optional setup that puts the person in the state the action needs.


def _grant(world, person):
    return person.role_grants.get(role=Role.SPECIALIST)


ACCOUNT_ACTIONS = {
    "detail": (lambda w, p: ("get", reverse("api-account-detail", args=[p.pk]), None), 200, None),
    "update": (
        lambda w, p: ("patch", reverse("api-account-detail", args=[p.pk]), {"phone": "024 2220 2222"}),
        200,
        None,
    ),
    "deactivate": (
        lambda w, p: ("post", reverse("api-account-deactivate", args=[p.pk]), {"reason": "Nghỉ hưu"}),
        200,
        None,
    ),
    "reactivate": (
        lambda w, p: ("post", reverse("api-account-reactivate", args=[p.pk]), {}),
        200,
        lambda w, p: accounts.deactivate_account(actor=w.sysadmin, user=p),
    ),
    "reset_password": (lambda w, p: ("post", reverse("api-account-reset-password", args=[p.pk]), {}), 200, None),
    "unlock": (lambda w, p: ("post", reverse("api-account-unlock", args=[p.pk]), {}), 200, lambda w, p: lock_out(p)),
    "disable_2fa": (
        lambda w, p: ("post", reverse("api-account-disable-2fa", args=[p.pk]), {}),
        200,
        lambda w, p: enable_totp(p),
    ),
    "appointments": (lambda w, p: ("get", reverse("api-account-appointments", args=[p.pk]), None), 200, None),
    "appoint": (
        lambda w, p: (
            "post",
            reverse("api-account-appointments", args=[p.pk]),
            {
                "unit": w.team2.pk if p == w.insider else w.other.pk,
                "position": p.appointments.get().position_id,
                "is_primary": False,
            },
        ),
        201,
        None,
    ),
    "end_appointment": (
        lambda w, p: ("post", reverse("api-appointment-end", args=[p.appointments.get().pk]), {}),
        200,
        None,
    ),
    "roles": (lambda w, p: ("get", reverse("api-account-roles", args=[p.pk]), None), 200, None),
    "grant_role": (
        lambda w, p: (
            "post",
            reverse("api-account-roles", args=[p.pk]),
            {"role": "unit_clerk", "unit": p.appointments.get().unit_id},
        ),
        201,
        None,
    ),
    "revoke_role": (lambda w, p: ("delete", reverse("api-role-grant-detail", args=[_grant(w, p).pk]), None), 204, None),
}
WRITES = [name for name, (build, _, _) in ACCOUNT_ACTIONS.items() if name not in ("detail", "appointments", "roles")]


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


def _prepare(action, world, in_scope):
    build, ok, setup = ACCOUNT_ACTIONS[action]
    person = world.person(in_scope)
    if setup:
        setup(world, person)
    return build(world, person), ok


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
@pytest.mark.parametrize("actor", ["sysadmin", "unit_admin"])
def test_administrators_manage_accounts_in_their_scope(action, actor, world):
    (method, url, body), ok = _prepare(action, world, True)
    client = client_for(actor, world)
    events = AuditEvent.objects.count()
    response = _call(client, method, url, body)
    assert response.status_code == ok, response.content
    if action in WRITES:
        assert AuditEvent.objects.count() > events


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_system_admin_manages_accounts_anywhere(action, world):
    (method, url, body), ok = _prepare(action, world, False)
    assert _call(client_for("sysadmin", world), method, url, body).status_code == ok


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_unit_admin_gets_404_for_accounts_outside_own_units(action, world):
    (method, url, body), _ = _prepare(action, world, False)
    client = client_for("unit_admin", world)
    events = AuditEvent.objects.count()
    assert_error(_call(client, method, url, body), 404, "not_found")
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
@pytest.mark.parametrize("actor", ["specialist", "token_without_admin"])
def test_non_administrators_and_tokens_without_admin_scope_get_403_for_account_actions(action, actor, world):
    (method, url, body), _ = _prepare(action, world, True)
    client = client_for(actor, world)
    events = AuditEvent.objects.count()
    assert_error(_call(client, method, url, body), 403, "permission_denied")
    assert AuditEvent.objects.count() == events


def test_unit_admin_cannot_create_account_in_a_unit_outside_own_subtree(world):
    client = client_for("unit_admin", world)
    payload = {
        "username": "nguoi.moi",
        "full_name": "Người Mới",
        "unit": world.other_team.pk,
        "position": world.insider.appointments.get().position_id,
    }
    assert_error(client.post(reverse("api-account-list"), payload, format="json"), 403, "permission_denied")
    assert not User.objects.filter(username="nguoi.moi").exists()
    payload["unit"] = world.team.pk
    assert client.post(reverse("api-account-list"), payload, format="json").status_code == 201


@pytest.mark.parametrize("actor", ["specialist", "token_without_admin"])
def test_account_list_and_create_refused_to_non_administrators(actor, world):
    client = client_for(actor, world)
    assert_error(client.get(reverse("api-account-list")), 403, "permission_denied")
    payload = {"username": "nguoi.moi", "full_name": "Người Mới"}
    assert_error(client.post(reverse("api-account-list"), payload, format="json"), 403, "permission_denied")
    assert not User.objects.filter(username="nguoi.moi").exists()


def test_unit_admin_cannot_grant_role_in_a_unit_outside_own_subtree(world):
    response = client_for("unit_admin", world).post(
        reverse("api-account-roles", args=[world.insider.pk]),
        {"role": "unit_clerk", "unit": world.other.pk},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    assert not RoleGrant.objects.filter(user=world.insider, role="unit_clerk").exists()


# --- Lists ------------------------------------------------------------------------------


def _usernames(response):
    assert response.status_code == 200, response.content
    return [a["username"] for a in response.json()["results"]]


def test_account_list_shows_each_administrator_only_their_people(world, api_client):
    everyone = _usernames(api_client(world.sysadmin).get(reverse("api-account-list")))
    assert set(everyone) == {"sysadmin", "unitadmin", "specialist", "leader", "insider", "outsider"}
    mine = _usernames(api_client(world.unit_admin).get(reverse("api-account-list")))
    assert set(mine) == {"unitadmin", "specialist", "leader", "insider"}


def test_account_list_filters_by_unit_role_status_and_text(world, api_client):
    client = api_client(world.sysadmin)
    url = reverse("api-account-list")
    assert _usernames(client.get(url, {"unit": world.team.pk})) == ["insider"]
    assert set(_usernames(client.get(url, {"unit": world.dept.pk}))) == {"unitadmin", "specialist", "leader", "insider"}
    assert _usernames(client.get(url, {"role": "unit_leader"})) == ["leader"]
    assert _usernames(client.get(url, {"q": "ngoài"})) == ["outsider"]
    assert _usernames(client.get(url, {"unit": 999999})) == []
    accounts.deactivate_account(actor=world.sysadmin, user=world.outsider)
    assert _usernames(client.get(url, {"status": "inactive"})) == ["outsider"]
    lock_out(world.insider)
    locked = client.get(url, {"status": "locked"})
    assert _usernames(locked) == ["insider"]
    assert locked.json()["results"][0]["locked"] is True
    assert_error(client.get(url, {"status": "gone"}), 400, "invalid_choice", "status")


def test_account_list_query_count_does_not_grow_with_people(
    world, api_client, make_user, django_assert_max_num_queries
):
    for i in range(12):
        person = make_user(f"them{i}", roles=[Role.SPECIALIST, Role.UNIT_CLERK], unit=world.team)
        if i % 3 == 0:
            enable_totp(person)
    for actor, expected in ((world.sysadmin, 18), (world.unit_admin, 16)):
        client = api_client(actor)
        with django_assert_max_num_queries(9):
            response = client.get(reverse("api-account-list"))
        body = response.json()
        assert body["count"] == expected
        first = next(a for a in body["results"] if a["username"] == "them0")
        assert first["two_factor_enabled"] is True
        assert {r["role"] for r in first["roles"]} == {"specialist", "unit_clerk"}
        assert first["appointments"][0]["unit_name"] == "Phòng Một"


# --- Creating and changing accounts ---------------------------------------------------


def _new_account(world, **kw):
    return {
        "username": "nguyen.van.a",
        "full_name": "Nguyễn Văn A",
        "email": "nva@moit.gov.vn",
        "unit": world.team.pk,
        "position": world.insider.appointments.get().position_id,
        "roles": ["specialist"],
        **kw,
    }


def test_created_account_returns_its_initial_password_once(world, api_client):
    client = api_client(world.unit_admin)
    response = client.post(reverse("api-account-list"), _new_account(world), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    user = User.objects.get(username="nguyen.van.a")
    assert user.check_password(created["initial_password"]) and user.must_change_password
    assert created["date_joined"].endswith("+07:00")
    assert [r["role"] for r in created["roles"]] == ["specialist"]
    detail = client.get(reverse("api-account-detail", args=[user.pk])).json()
    assert "initial_password" not in detail
    assert detail["appointments"][0]["unit"] == world.team.pk


def test_duplicate_username_is_refused_and_nothing_saved(world, api_client):
    count, events = User.objects.count(), AuditEvent.objects.count()
    response = api_client(world.sysadmin).post(
        reverse("api-account-list"), _new_account(world, username="INSIDER"), format="json"
    )
    body = assert_error(response, 400, "duplicate_username", "username")
    assert body["message"] == "Tên đăng nhập «INSIDER» đã được sử dụng."
    assert (User.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_invalid_email_is_refused_and_nothing_saved(world, api_client):
    count = User.objects.count()
    response = api_client(world.sysadmin).post(
        reverse("api-account-list"), _new_account(world, email="nva@@moit"), format="json"
    )
    body = assert_error(response, 400, "invalid_email", "email")
    assert body["message"] == "Địa chỉ thư điện tử «nva@@moit» không hợp lệ."
    assert User.objects.count() == count


def test_account_create_refuses_unknown_fields_wrong_types_and_unknown_roles(world, api_client):
    client = api_client(world.sysadmin)
    count = User.objects.count()
    url = reverse("api-account-list")
    assert_error(client.post(url, _new_account(world, fullname="A"), format="json"), 400, "unknown_field", "fullname")
    body = assert_error(
        client.post(url, _new_account(world, must_change_password="có"), format="json"),
        400,
        "invalid",
        "must_change_password",
    )
    assert body["message"] == "Cần giá trị đúng/sai (true/false)."
    body = assert_error(
        client.post(url, _new_account(world, roles="specialist"), format="json"), 400, "not_a_list", "roles"
    )
    assert body["message"] == "Cần một danh sách, nhận được kiểu «str»."
    assert_error(client.post(url, _new_account(world, roles=["truong_ban"]), format="json"), 400, "invalid_choice")
    assert_error(
        client.post(url, _new_account(world, position=None), format="json"), 400, "position_required", "position"
    )
    assert_error(client.post(url, _new_account(world, full_name=""), format="json"), 400, "invalid_blank", "full_name")
    assert_error(client.post(url, _new_account(world, password="123"), format="json"), 400, "weak_password", "password")
    # A unit-scoped role granted with no unit fails after the account row was written:
    # the whole creation rolls back.
    assert_error(
        client.post(url, _new_account(world, unit=None, position=None), format="json"), 400, "role_needs_unit", "unit"
    )
    assert User.objects.count() == count


def test_patch_changes_only_the_fields_sent(world, api_client):
    client = api_client(world.unit_admin)
    url = reverse("api-account-detail", args=[world.insider.pk])
    response = client.patch(url, {"phone": "0912 345 678"}, format="json")
    assert response.status_code == 200
    world.insider.refresh_from_db()
    assert (world.insider.phone, world.insider.email, world.insider.full_name) == (
        "0912 345 678",
        "insider@moit.gov.vn",
        "Người Trong Phòng",
    )
    assert_error(client.patch(url, {"email": "khong-hop-le"}, format="json"), 400, "invalid_email", "email")
    assert_error(client.patch(url, {"username": "doiten"}, format="json"), 400, "unknown_field", "username")


def test_reset_password_returns_a_working_password_and_forces_a_change(world, api_client):
    response = api_client(world.unit_admin).post(
        reverse("api-account-reset-password", args=[world.insider.pk]), {}, format="json"
    )
    world.insider.refresh_from_db()
    assert world.insider.check_password(response.json()["password"])
    assert not world.insider.check_password(PASSWORD)
    assert world.insider.must_change_password


def test_admin_cannot_deactivate_own_account(world, api_client):
    response = api_client(world.unit_admin).post(
        reverse("api-account-deactivate", args=[world.unit_admin.pk]), {}, format="json"
    )
    assert_error(response, 400, "cannot_deactivate_self")
    world.unit_admin.refresh_from_db()
    assert world.unit_admin.is_active


def test_ended_appointment_moves_the_person_out_of_the_unit_admins_reach(world, api_client):
    appointment = world.insider.appointments.get()
    client = api_client(world.unit_admin)
    response = client.post(reverse("api-appointment-end", args=[appointment.pk]), {}, format="json")
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.end_date is not None
    assert_error(client.get(reverse("api-account-detail", args=[world.insider.pk])), 404)
    assert not Appointment.objects.filter(user=world.insider, end_date__isnull=True).exists()


def test_appointment_and_role_lists_query_count_is_flat(world, api_client, make_unit, django_assert_max_num_queries):
    from vanban.organisation import services as org

    position = world.insider.appointments.get().position
    for i in range(6):
        unit = make_unit(f"Tổ {i}", parent=world.team)
        org.appoint(actor=None, user=world.insider, unit=unit, position=position, is_primary=False)
        org.grant_role(actor=None, user=world.insider, role=Role.UNIT_CLERK, unit=unit)
    client = api_client(world.unit_admin)
    with django_assert_max_num_queries(6):
        appointments = client.get(reverse("api-account-appointments", args=[world.insider.pk])).json()
    with django_assert_max_num_queries(6):
        roles = client.get(reverse("api-account-roles", args=[world.insider.pk])).json()
    assert len(appointments) == 7 and len(roles) == 7
    assert [a["is_primary"] for a in appointments].count(True) == 1
