from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from vanban.audit.models import AuditEvent
from vanban.organisation import services as org
from vanban.organisation.models import Position, Unit, UnitName
from vanban.web.tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


# --- The tree -------------------------------------------------------------------------


def test_system_admin_sees_every_unit_indented_with_people_count(world, web_client, django_assert_max_num_queries):
    client = web_client(world.sysadmin)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("web:units"))
    assert response.status_code == 200
    rows = response.context["rows"]
    by_name = {unit.name: (unit, depth) for unit, depth in rows}
    assert set(by_name) == {"Cục Xuất nhập khẩu", "Phòng Quản lý xuất khẩu", "Vụ Pháp chế"}
    assert by_name["Phòng Quản lý xuất khẩu"][1] == 1
    # A child comes right after its parent.
    names = [u.name for u, _ in rows]
    assert names.index("Phòng Quản lý xuất khẩu") == names.index("Cục Xuất nhập khẩu") + 1
    assert by_name["Cục Xuất nhập khẩu"][0].people == 2  # unit admin and specialist
    assert by_name["Vụ Pháp chế"][0].people == 3


def test_unit_tree_query_count_does_not_grow_with_units(world, web_client, make_unit, django_assert_max_num_queries):
    for i in range(15):
        make_unit(f"Phòng số {i}", parent=world.a)
    client = web_client(world.sysadmin)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("web:units")).status_code == 200


def test_unit_admin_sees_only_own_subtree(world, web_client):
    response = web_client(world.unit_admin).get(reverse("web:units"))
    assert response.status_code == 200
    names = [u.name for u, _ in response.context["rows"]]
    assert names == ["Cục Xuất nhập khẩu", "Phòng Quản lý xuất khẩu"]
    assert "Vụ Pháp chế" not in response.content.decode()


def test_specialist_gets_403_on_units_page(world, web_client):
    assert web_client(world.specialist).get(reverse("web:units")).status_code == 403


def test_dissolved_units_are_hidden_until_asked_for(world, web_client, make_unit):
    old = make_unit("Phòng đã giải thể", parent=world.b)
    org.dissolve_unit(actor=world.sysadmin, unit=old)
    client = web_client(world.sysadmin)
    assert "Phòng đã giải thể" not in client.get(reverse("web:units")).content.decode()
    page = client.get(reverse("web:units") + "?all=1").content.decode()
    assert "Phòng đã giải thể" in page
    assert "Đã giải thể" in page


# --- Create ------------------------------------------------------------------------------


def test_system_admin_creates_top_level_unit(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:unit_create"),
        {
            "name": "Cục Hóa chất",
            "short_name": "HC",
            "kind": Unit.Kind.CUC,
            "parent": "",
            "established_on": "2026-01-15",
        },
    )
    unit = Unit.objects.get(name="Cục Hóa chất")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:unit_detail", args=[unit.pk])
    assert unit.parent is None and unit.established_on == dt.date(2026, 1, 15)
    assert AuditEvent.objects.filter(action="unit.created", target_id=str(unit.pk), actor=world.sysadmin).exists()


def test_unit_admin_creates_sub_unit_in_own_subtree(world, web_client):
    response = web_client(world.unit_admin).post(
        reverse("web:unit_create"),
        {
            "name": "Phòng Quản lý nhập khẩu",
            "short_name": "XNK-QLNK",
            "kind": Unit.Kind.PHONG,
            "parent": world.a.pk,
            "established_on": "2026-02-01",
        },
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="Phòng Quản lý nhập khẩu").parent == world.a


def test_unit_admin_cannot_create_unit_outside_own_subtree(world, web_client):
    client = web_client(world.unit_admin)
    for parent in (world.b.pk, ""):
        response = client.post(
            reverse("web:unit_create"),
            {
                "name": "Phòng lạ",
                "kind": Unit.Kind.PHONG,
                "parent": parent,
                "established_on": "2026-02-01",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["parent"]
    assert not Unit.objects.filter(name="Phòng lạ").exists()


def test_specialist_cannot_create_unit(world, web_client):
    response = web_client(world.specialist).post(
        reverse("web:unit_create"),
        {
            "name": "Phòng lạ",
            "kind": Unit.Kind.PHONG,
            "parent": world.a.pk,
        },
    )
    assert response.status_code == 403
    assert not Unit.objects.filter(name="Phòng lạ").exists()


def test_duplicate_unit_name_shows_message_beside_name(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:unit_create"),
        {
            "name": "Phòng Quản lý xuất khẩu",
            "kind": Unit.Kind.PHONG,
            "parent": world.a.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Đã có đơn vị cùng tên ở cùng cấp."]
    assert Unit.objects.filter(name="Phòng Quản lý xuất khẩu").count() == 1


# --- Detail -----------------------------------------------------------------------------------


def test_unit_detail_shows_name_history_sub_units_and_people(world, web_client, django_assert_max_num_queries):
    org.rename_unit(
        actor=world.sysadmin, unit=world.a, name="Cục Xuất nhập khẩu và Logistics", effective_on=dt.date(2030, 1, 1)
    )
    client = web_client(world.unit_admin)
    with django_assert_max_num_queries(21):
        response = client.get(reverse("web:unit_detail", args=[world.a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cục Xuất nhập khẩu và Logistics" in page
    assert "01/01/2030" in page  # the old name is valid until the rename's date
    assert "Phòng Quản lý xuất khẩu" in page
    assert "Giáp Văn Long" in page and "Mạc Đăng Khoa" in page
    assert [n.name for n in response.context["names"]] == ["Cục Xuất nhập khẩu và Logistics", "Cục Xuất nhập khẩu"]


def test_unit_admin_gets_404_for_unit_outside_subtree(world, web_client):
    assert web_client(world.unit_admin).get(reverse("web:unit_detail", args=[world.b.pk])).status_code == 404
    assert web_client(world.unit_admin).get(reverse("web:unit_detail", args=[world.a1.pk])).status_code == 200


def test_specialist_gets_403_for_unit_detail(world, web_client):
    assert web_client(world.specialist).get(reverse("web:unit_detail", args=[world.a.pk])).status_code == 403


# --- Actions: permission pairs -------------------------------------------------------------


def _action_data(world, action):
    return {
        "unit_rename": {"name": "Tên mới", "short_name": "TM", "effective_on": "2030-01-01"},
        "unit_move": {"parent": world.b.pk},
        "unit_merge": {"target": world.b.pk, "effective_on": "2030-01-01", "confirm": "on"},
        "unit_dissolve": {"effective_on": "2030-01-01", "confirm": "on"},
    }[action]


ACTIONS = ["unit_rename", "unit_move", "unit_merge", "unit_dissolve"]


@pytest.mark.parametrize("action", ACTIONS)
def test_unit_admin_cannot_act_on_unit_outside_own_subtree(world, web_client, make_unit, action):
    target = make_unit("Phòng trống", parent=world.b)
    before = AuditEvent.objects.filter(action__startswith="unit.").count()
    response = web_client(world.unit_admin).post(
        reverse(f"web:{action}", args=[target.pk]), _action_data(world, action)
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.name == "Phòng trống" and target.is_active and target.parent == world.b
    assert AuditEvent.objects.filter(action__startswith="unit.").count() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_specialist_gets_403_for_unit_actions(world, web_client, make_unit, action):
    target = make_unit("Phòng trống", parent=world.a)
    response = web_client(world.specialist).post(
        reverse(f"web:{action}", args=[target.pk]), _action_data(world, action)
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.name == "Phòng trống" and target.is_active and target.parent == world.a


def test_unit_admin_renames_unit_in_subtree_keeping_old_name(world, web_client):
    response = web_client(world.unit_admin).post(
        reverse("web:unit_rename", args=[world.a1.pk]),
        {
            "name": "Phòng Xuất khẩu",
            "short_name": "XNK-XK",
            "effective_on": "2030-07-01",
        },
    )
    assert response.status_code == 302
    world.a1.refresh_from_db()
    assert world.a1.name == "Phòng Xuất khẩu"
    assert world.a1.name_at(dt.date(2030, 6, 30)) == "Phòng Quản lý xuất khẩu"
    assert world.a1.name_at(dt.date(2030, 7, 1)) == "Phòng Xuất khẩu"


def test_rename_to_same_name_shows_message_beside_name(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:unit_rename", args=[world.a1.pk]),
        {
            "name": world.a1.name,
            "short_name": world.a1.short_name,
            "effective_on": "2030-07-01",
        },
    )
    assert response.status_code == 200
    assert response.context["rename_form"].errors["name"] == ["Tên mới trùng với tên hiện tại."]
    assert 'data-error-for="name"' in response.content.decode()
    assert UnitName.objects.filter(unit=world.a1).count() == 1


def test_system_admin_moves_unit_with_its_subtree(world, web_client):
    response = web_client(world.sysadmin).post(reverse("web:unit_move", args=[world.a.pk]), {"parent": world.b.pk})
    assert response.status_code == 302
    world.a.refresh_from_db()
    world.a1.refresh_from_db()
    assert world.a.parent == world.b
    assert world.a1.path.startswith(world.b.path)


def test_move_under_own_descendant_shows_error_beside_parent_and_saves_nothing(world, web_client):
    response = web_client(world.unit_admin).post(reverse("web:unit_move", args=[world.a.pk]), {"parent": world.a1.pk})
    assert response.status_code == 200
    message = "Không thể chuyển đơn vị vào chính nó hoặc vào một đơn vị cấp dưới của nó."
    assert response.context["move_form"].errors["parent"] == [message]
    page = response.content.decode()
    assert 'data-error-for="parent"' in page and message in page
    world.a.refresh_from_db()
    assert world.a.parent is None
    assert not AuditEvent.objects.filter(action="unit.moved").exists()


def test_unit_admin_cannot_move_unit_under_parent_outside_subtree(world, web_client):
    response = web_client(world.unit_admin).post(reverse("web:unit_move", args=[world.a1.pk]), {"parent": world.b.pk})
    assert response.status_code == 200
    assert response.context["move_form"].errors["parent"]
    world.a1.refresh_from_db()
    assert world.a1.parent == world.a


def test_system_admin_merges_unit_moving_its_people(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:unit_merge", args=[world.a1.pk]),
        {
            "target": world.b.pk,
            "effective_on": "2030-01-01",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:unit_detail", args=[world.b.pk])
    world.a1.refresh_from_db()
    assert world.a1.status == Unit.Status.MERGED and world.a1.merged_into == world.b
    assert world.a_person.appointments.get(end_date__isnull=True).unit == world.b


def test_merge_needs_confirmation(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:unit_merge", args=[world.a1.pk]),
        {
            "target": world.b.pk,
            "effective_on": "2030-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["merge_form"].errors["confirm"] == ["Vui lòng đánh dấu xác nhận trước khi sáp nhập."]
    world.a1.refresh_from_db()
    assert world.a1.is_active


def test_unit_admin_dissolves_empty_unit_in_subtree(world, web_client, make_unit):
    empty = make_unit("Phòng tạm", parent=world.a)
    response = web_client(world.unit_admin).post(
        reverse("web:unit_dissolve", args=[empty.pk]),
        {
            "effective_on": "2030-01-01",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.status == Unit.Status.DISSOLVED and empty.ended_on == dt.date(2030, 1, 1)


def test_dissolve_without_confirmation_or_with_people_saves_nothing(world, web_client):
    client = web_client(world.sysadmin)
    response = client.post(reverse("web:unit_dissolve", args=[world.a1.pk]), {"effective_on": "2030-01-01"})
    assert response.context["dissolve_form"].errors["confirm"]
    response = client.post(
        reverse("web:unit_dissolve", args=[world.a1.pk]), {"effective_on": "2030-01-01", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Đơn vị còn cán bộ đang công tác" in response.content.decode()
    world.a1.refresh_from_db()
    assert world.a1.is_active


# --- Positions ----------------------------------------------------------------------------------


def test_system_admin_lists_and_creates_positions(world, web_client, django_assert_max_num_queries):
    client = web_client(world.sysadmin)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("web:positions"))
    assert response.status_code == 200
    assert "Chuyên viên" in response.content.decode()
    response = client.post(
        reverse("web:positions"),
        {
            "name": "Phó Vụ trưởng",
            "code": "",
            "level": Position.Level.UNIT,
            "is_leader": "on",
            "rank": "21",
        },
    )
    assert response.status_code == 302
    position = Position.objects.get(name="Phó Vụ trưởng")
    assert position.code == "pho-vu-truong" and position.is_leader and position.rank == 21


def test_duplicate_position_shows_message_and_saves_nothing(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:positions"),
        {
            "name": "chuyên viên",
            "level": Position.Level.UNIT,
            "rank": "40",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Chức vụ này đã có trong danh mục."]
    assert Position.objects.count() == 1


@pytest.mark.parametrize("who", ["unit_admin", "specialist"])
def test_only_system_admin_manages_positions(world, web_client, who):
    client = web_client(getattr(world, who))
    assert client.get(reverse("web:positions")).status_code == 403
    assert (
        client.post(reverse("web:positions"), {"name": "Chức vụ lạ", "level": "unit", "rank": "5"}).status_code == 403
    )
    assert not Position.objects.filter(name="Chức vụ lạ").exists()
