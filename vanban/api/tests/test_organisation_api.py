from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from vanban.api.permissions import TokenScopes
from vanban.api.tests import admin_world
from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.api.views.base import ADMIN_ONLY_MESSAGE
from vanban.audit.models import AuditEvent
from vanban.organisation import services as org
from vanban.organisation.models import Delegation, Position, Unit
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db
world = admin_world.world  # the fixture


def client_for(actor, world, api_client):
    """The five kinds of caller every admin action is tried with."""
    if actor == "token_without_admin":
        return bearer_client(world.sysadmin, scopes=["read", "write"])
    user = {"sysadmin": world.sysadmin, "unit_admin": world.unit_admin, "specialist": world.specialist}[actor]
    return bearer_client(user)


# --- Reading the organisation -------------------------------------------------------


def test_anyone_signed_in_lists_units_and_filters_them(world, api_client):
    client = api_client(world.specialist)
    body = client.get(reverse("api-unit-list")).json()
    assert body["count"] == 5
    assert [u["short_name"] for u in body["results"]][:3] == ["TC", "TC-P1", "TC-P2"]
    children = client.get(reverse("api-unit-list"), {"parent": world.dept.pk}).json()["results"]
    assert {u["name"] for u in children} == {"Phòng Một", "Phòng Hai"}
    found = client.get(reverse("api-unit-list"), {"q": "ngoài"}).json()["results"]
    assert [u["id"] for u in found] == [world.other_team.pk]
    org.dissolve_unit(actor=world.sysadmin, unit=world.team2)
    dissolved = client.get(reverse("api-unit-list"), {"status": "dissolved"}).json()["results"]
    assert [(u["id"], u["status_label"]) for u in dissolved] == [(world.team2.pk, "Đã giải thể")]


def test_unit_list_needs_authentication(db):
    assert_error(APIClient().get(reverse("api-unit-list")), 401, "not_authenticated")


def test_unit_list_query_count_does_not_grow_with_units(world, api_client, make_unit, django_assert_max_num_queries):
    client = api_client(world.specialist)
    for i in range(15):
        make_unit(f"Phòng thêm {i}", parent=world.team)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api-unit-list"), {"page_size": 100})
    assert response.json()["count"] == 20


def test_organ_and_position_lists_are_readable_by_everyone(world, api_client, django_assert_max_num_queries):
    client = api_client(world.specialist)
    with django_assert_max_num_queries(3):
        organs = client.get(reverse("api-organ-list")).json()
    assert organs["results"][0]["organ_id"] == "000.00.00.G02"
    for i in range(5):
        org.create_position(actor=None, code=f"cv-{i}", name=f"Chức vụ {i}", rank=i)
    with django_assert_max_num_queries(3):
        positions = client.get(reverse("api-position-list")).json()
    assert positions["count"] == 6
    assert positions["results"][0]["name"] == "Chức vụ 0"


def test_unit_detail_keeps_name_history_and_answers_name_at_a_date(world, api_client):
    org.rename_unit(actor=world.sysadmin, unit=world.team, name="Phòng Tổ chức", effective_on=dt.date(2030, 1, 1))
    client = api_client(world.specialist)
    detail = client.get(reverse("api-unit-detail", args=[world.team.pk])).json()
    assert [(n["name"], n["valid_to"]) for n in detail["names"]] == [
        ("Phòng Một", "2030-01-01"),
        ("Phòng Tổ chức", None),
    ]
    before = client.get(reverse("api-unit-name-at", args=[world.team.pk]), {"date": "2029-12-31"}).json()
    after = client.get(reverse("api-unit-name-at", args=[world.team.pk]), {"date": "2030-01-01"}).json()
    assert (before["name"], after["name"]) == ("Phòng Một", "Phòng Tổ chức")
    assert_error(
        client.get(reverse("api-unit-name-at", args=[world.team.pk]), {"date": "31/12/2029"}), 400, "invalid", "date"
    )
    assert_error(client.get(reverse("api-unit-detail", args=[999999])), 404, "not_found")


# --- Who may change units: every action with its permission pairs --------------------


def _create(world, in_scope):
    parent = world.dept if in_scope else world.other
    return (
        "post",
        reverse("api-unit-list"),
        {"name": "Phòng Mới", "short_name": "PM", "kind": "phong", "parent": parent.pk},
    )


def _rename(world, in_scope):
    return "post", reverse("api-unit-rename", args=[world.unit(in_scope).pk]), {"name": "Phòng Đổi Tên"}


def _move(world, in_scope):
    unit = world.team2 if in_scope else world.other_team
    return "post", reverse("api-unit-move", args=[unit.pk]), {"parent": world.team.pk}


def _merge(world, in_scope):
    unit = world.team2 if in_scope else world.other_team
    return "post", reverse("api-unit-merge", args=[unit.pk]), {"target": world.team.pk}


def _dissolve(world, in_scope):
    unit = world.team2 if in_scope else world.other_team
    return "post", reverse("api-unit-dissolve", args=[unit.pk]), {}


UNIT_ACTIONS = {
    "create": (_create, 201),
    "rename": (_rename, 200),
    "move": (_move, 200),
    "merge": (_merge, 200),
    "dissolve": (_dissolve, 200),
}


def _snapshot():
    return sorted(Unit.objects.values_list("pk", "name", "parent_id", "status", "path"))


@pytest.mark.parametrize("action", UNIT_ACTIONS)
@pytest.mark.parametrize("actor", ["sysadmin", "unit_admin"])
def test_administrators_change_units_in_their_scope(action, actor, world, api_client):
    build, ok = UNIT_ACTIONS[action]
    method, url, body = build(world, True)
    before = _snapshot()
    response = getattr(client_for(actor, world, api_client), method)(url, body, format="json")
    assert response.status_code == ok, response.json()
    assert _snapshot() != before
    assert AuditEvent.objects.filter(action__startswith="unit.", actor_username=client_actor(actor, world)).exists()


def client_actor(actor, world):
    return {"sysadmin": world.sysadmin, "unit_admin": world.unit_admin}[actor].username


@pytest.mark.parametrize("action", ["rename", "move", "merge", "dissolve"])
def test_unit_admin_gets_404_for_units_outside_own_subtree(action, world, api_client):
    method, url, body = UNIT_ACTIONS[action][0](world, False)
    before = _snapshot()
    assert_error(
        getattr(client_for("unit_admin", world, api_client), method)(url, body, format="json"), 404, "not_found"
    )
    assert _snapshot() == before


def test_unit_admin_cannot_create_unit_outside_own_subtree(world, api_client):
    method, url, body = _create(world, False)
    before = _snapshot()
    assert_error(client_for("unit_admin", world, api_client).post(url, body, format="json"), 403, "permission_denied")
    assert _snapshot() == before


def test_unit_admin_cannot_move_unit_outside_own_subtree(world, api_client):
    client = client_for("unit_admin", world, api_client)
    before = _snapshot()
    response = client.post(reverse("api-unit-move", args=[world.team2.pk]), {"parent": world.other.pk}, format="json")
    assert_error(response, 403, "permission_denied")
    assert _snapshot() == before


@pytest.mark.parametrize("action", UNIT_ACTIONS)
@pytest.mark.parametrize("actor", ["specialist", "token_without_admin"])
def test_non_administrators_and_tokens_without_admin_scope_get_403(action, actor, world, api_client):
    method, url, body = UNIT_ACTIONS[action][0](world, True)
    before = _snapshot()
    body = assert_error(
        getattr(client_for(actor, world, api_client), method)(url, body, format="json"), 403, "permission_denied"
    )
    assert body["message"] == {"specialist": ADMIN_ONLY_MESSAGE, "token_without_admin": TokenScopes.message}[actor]
    assert _snapshot() == before


# --- Bad input ----------------------------------------------------------------------


def test_unit_moved_under_its_own_descendant_is_refused_and_nothing_changes(world, api_client):
    before = _snapshot()
    response = api_client(world.sysadmin).post(
        reverse("api-unit-move", args=[world.dept.pk]), {"parent": world.team.pk}, format="json"
    )
    body = assert_error(response, 400, "move_under_descendant", "parent")
    assert body["message"] == "Không thể chuyển đơn vị vào chính nó hoặc vào một đơn vị cấp dưới của nó."
    assert _snapshot() == before
    assert not AuditEvent.objects.filter(action="unit.moved").exists()


def test_unit_create_refuses_unknown_fields_and_wrong_types(world, api_client):
    client = api_client(world.sysadmin)
    count = Unit.objects.count()
    body = assert_error(
        client.post(reverse("api-unit-list"), {"name": "Phòng X", "colour": "đỏ"}, format="json"),
        400,
        "unknown_field",
        "colour",
    )
    assert body["message"] == "Trường «colour» không được hỗ trợ."
    body = assert_error(
        client.post(reverse("api-unit-list"), {"name": "Phòng X", "sort_order": "nhiều"}, format="json"),
        400,
        "invalid",
        "sort_order",
    )
    assert body["message"] == "Cần nhập một số nguyên hợp lệ."
    assert_error(client.post(reverse("api-unit-list"), {"name": ["Phòng X"]}, format="json"), 400, "invalid", "name")
    assert_error(
        client.post(reverse("api-unit-list"), {"name": "Phòng X", "parent": 987654}, format="json"),
        400,
        "does_not_exist",
        "parent",
    )
    assert_error(
        client.post(reverse("api-unit-list"), {"name": "Phòng X", "kind": "ban"}, format="json"),
        400,
        "invalid_choice",
        "kind",
    )
    assert_error(
        client.post(reverse("api-unit-list"), {"name": "Phòng Một", "parent": world.dept.pk}, format="json"),
        400,
        "duplicate_unit_name",
        "name",
    )
    assert Unit.objects.count() == count


def test_created_unit_belongs_to_own_organ_and_records_its_first_name(world, api_client):
    response = api_client(world.sysadmin).post(
        reverse("api-unit-list"),
        {"name": "  Cục Mới  ", "short_name": "CM", "kind": "cuc", "established_on": "2026-01-15"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["parent"], body["kind_label"], body["depth"]) == ("Cục Mới", None, "Cục", 0)
    assert body["names"] == [{"name": "Cục Mới", "short_name": "CM", "valid_from": "2026-01-15", "valid_to": None}]


# --- Positions ------------------------------------------------------------------------


def test_system_admin_adds_position_and_others_cannot(world, api_client):
    url = reverse("api-position-list")
    payload = {"code": "pho-vu-truong", "name": "Phó Vụ trưởng", "is_leader": True, "rank": 21}
    assert_error(client_for("unit_admin", world, api_client).post(url, payload, format="json"), 403)
    assert_error(client_for("specialist", world, api_client).post(url, payload, format="json"), 403)
    assert_error(client_for("token_without_admin", world, api_client).post(url, payload, format="json"), 403)
    assert not Position.objects.filter(code="pho-vu-truong").exists()
    response = client_for("sysadmin", world, api_client).post(url, payload, format="json")
    assert response.status_code == 201
    assert response.json()["level_label"] == "Đơn vị"
    assert_error(
        client_for("sysadmin", world, api_client).post(url, {**payload, "code": "khac"}, format="json"),
        400,
        "duplicate_position",
        "name",
    )
    assert_error(
        client_for("sysadmin", world, api_client).post(url, {**payload, "code": "Phó vụ"}, format="json"),
        400,
        "invalid",
        "code",
    )


# --- Delegations ------------------------------------------------------------------------


def _delegation_payload(world, **kw):
    return {
        "delegate": world.specialist.pk,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "authority": "KT",
        "reason": "Đi công tác",
        **kw,
    }


def test_leader_delegates_and_both_sides_see_it(world, api_client):
    response = api_client(world.leader).post(reverse("api-delegation-list"), _delegation_payload(world), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["principal"], created["delegate"], created["authority_label"]) == (
        world.leader.pk,
        world.specialist.pk,
        "KT. (ký thay)",
    )
    assert created["created_at"].endswith("+07:00")
    given = api_client(world.leader).get(reverse("api-delegation-list"), {"direction": "given"}).json()
    received = api_client(world.specialist).get(reverse("api-delegation-list"), {"direction": "received"}).json()
    assert [d["id"] for d in given["results"]] == [d["id"] for d in received["results"]] == [created["id"]]
    assert api_client(world.outsider).get(reverse("api-delegation-list")).json()["count"] == 0
    administered = api_client(world.unit_admin).get(reverse("api-delegation-list"), {"direction": "administered"})
    assert administered.json()["count"] == 1


def test_delegation_to_oneself_is_refused_and_nothing_saved(world, api_client):
    response = api_client(world.leader).post(
        reverse("api-delegation-list"), _delegation_payload(world, delegate=world.leader.pk), format="json"
    )
    body = assert_error(response, 400, "delegate_to_self", "delegate")
    assert body["message"] == "Không thể ủy quyền cho chính mình."
    assert not Delegation.objects.exists()


def test_delegation_with_inverted_dates_is_refused_and_nothing_saved(world, api_client):
    response = api_client(world.leader).post(
        reverse("api-delegation-list"),
        _delegation_payload(world, start_date="2026-05-01", end_date="2026-04-30"),
        format="json",
    )
    assert_error(response, 400, "inverted_dates", "end_date")
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(action="delegation.created").exists()


def test_delegation_refuses_roles_that_do_not_exist(world, api_client):
    response = api_client(world.leader).post(
        reverse("api-delegation-list"), _delegation_payload(world, roles=["giam_doc"]), format="json"
    )
    assert_error(response, 400, "invalid_choice", "roles.0")
    assert not Delegation.objects.exists()


def test_admin_records_delegation_for_leader_in_scope_only(world, api_client, make_user):
    client = client_for("unit_admin", world, api_client)
    response = client.post(
        reverse("api-delegation-list"), _delegation_payload(world, principal=world.leader.pk), format="json"
    )
    assert response.status_code == 201
    outside_leader = make_user("ngoai.lanhdao", roles=[Role.UNIT_LEADER], unit=world.other)
    response = client.post(
        reverse("api-delegation-list"),
        _delegation_payload(world, principal=outside_leader.pk, delegate=world.outsider.pk),
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    assert Delegation.objects.count() == 1


def test_principal_revokes_delegation_delegate_may_not_and_strangers_get_404(world, api_client):
    delegation = org.create_delegation(
        actor=world.leader,
        principal=world.leader,
        delegate=world.specialist,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 2, 1),
    )
    url = reverse("api-delegation-revoke", args=[delegation.pk])
    assert_error(api_client(world.outsider).post(url, {}, format="json"), 404)
    assert_error(api_client(world.specialist).post(url, {}, format="json"), 403)
    response = api_client(world.leader).post(url, {}, format="json")
    assert response.status_code == 200
    assert response.json()["revoked_at"].endswith("+07:00")
    assert_error(api_client(world.leader).post(url, {}, format="json"), 400, "already_revoked")


def test_delegation_list_query_count_is_flat(world, api_client, make_user, django_assert_max_num_queries):
    for i in range(8):
        delegate = make_user(f"nhan{i}", roles=[Role.SPECIALIST], unit=world.team)
        org.create_delegation(
            actor=world.leader,
            principal=world.leader,
            delegate=delegate,
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 3, 1),
        )
    client = api_client(world.unit_admin)
    with django_assert_max_num_queries(6):
        body = client.get(reverse("api-delegation-list")).json()
    assert body["count"] == 8
