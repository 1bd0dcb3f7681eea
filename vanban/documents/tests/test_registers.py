"""Who sees which registers, who opens them, and the pages and API that show the next
number: clerks and administrators within their reach; others 403, registers outside
their reach 404."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from freezegun import freeze_time

from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.core.timeutil import today
from vanban.documents import numbering, selectors, services
from vanban.documents.errors import RegisterError
from vanban.documents.models import Register
from vanban.documents.tests import docs_world
from vanban.organisation import services as org

pytestmark = pytest.mark.django_db
world = docs_world.world
INCOMING, OUTGOING = Register.Kind.INCOMING, Register.Kind.OUTGOING


@pytest.fixture
def registers(world):
    """This year's incoming registers of the ministry, Cục XNK, its Phòng and Vụ Pháp chế."""
    result = {
        "organ": numbering.register_for(world.organ, INCOMING),
        "dept": numbering.register_for(world.dept, INCOMING),
        "team": numbering.register_for(world.team, INCOMING),
        "other": numbering.register_for(world.other, INCOMING),
    }
    for _ in range(4):
        with transaction.atomic():
            numbering.take_next_number(result["dept"])
    return result


def visible(user) -> set[int]:
    return set(selectors.registers_visible_to(user).values_list("pk", flat=True))


# --- Scope ---------------------------------------------------------------------------------


def test_ministry_wide_roles_see_every_register(world, registers):
    every = {r.pk for r in registers.values()}
    assert visible(world.sysadmin) == every
    assert visible(world.ministry_clerk) == every


def test_unit_clerks_and_unit_admins_see_their_subtree_only(world, registers):
    subtree = {registers["dept"].pk, registers["team"].pk}
    assert visible(world.unit_clerk) == subtree
    assert visible(world.unit_admin) == subtree
    assert visible(world.other_clerk) == {registers["other"].pk}


def test_people_who_keep_no_register_see_none(world, registers):
    assert visible(world.specialist) == set()
    assert visible(world.leader) == set()


def test_a_delegated_clerk_role_reaches_the_principals_registers(world, registers):
    org.create_delegation(
        actor=world.other_clerk,
        principal=world.other_clerk,
        delegate=world.specialist,
        start_date=today(),
        end_date=today(),
    )
    world.specialist.refresh_from_db()
    assert visible(world.specialist) == {registers["other"].pk}


def test_the_default_register_owner_of_a_clerk(world):
    assert selectors.default_register_owner(world.ministry_clerk) == world.organ
    assert selectors.default_register_owner(world.unit_clerk) == world.dept
    assert selectors.default_register_owner(world.specialist) is None
    assert selectors.register_owners_for(world.sysadmin) == [world.organ]
    assert selectors.register_owners_for(world.unit_admin) == [world.dept]
    assert selectors.register_owners_for(world.leader) == []


# --- Opening a register -----------------------------------------------------------------------


def test_a_unit_clerk_opens_next_years_register_of_their_unit(world):
    with freeze_time("2026-12-20 03:00:00"):
        register = services.open_register(actor=world.unit_clerk, owner=world.dept, kind=INCOMING, year=2027)
    assert (register.year, register.unit, register.name) == (2027, world.dept, "Sổ đăng ký văn bản đến năm 2027")
    assert numbering.peek_next_number(register) == 1
    event = AuditEvent.objects.get(action="register.created")
    assert event.actor == world.unit_clerk and event.data["year"] == 2027
    with freeze_time("2027-01-01 01:00:00"):
        assert numbering.register_for(world.dept, INCOMING).pk == register.pk


@pytest.mark.parametrize(
    ("who", "owner"),
    [
        ("unit_clerk", "other"),
        ("unit_clerk", "organ"),
        ("unit_admin", "organ"),
        ("other_clerk", "dept"),
        ("specialist", "team"),
        ("leader", "dept"),
    ],
)
def test_a_register_outside_ones_reach_cannot_be_opened(world, who, owner):
    with pytest.raises(PermissionDenied):
        services.open_register(actor=getattr(world, who), owner=getattr(world, owner), kind=OUTGOING)
    assert not Register.objects.exists()


@pytest.mark.parametrize(("who", "owner"), [("ministry_clerk", "organ"), ("sysadmin", "dept"), ("unit_admin", "team")])
def test_registers_within_ones_reach_can_be_opened(world, who, owner):
    register = services.open_register(actor=getattr(world, who), owner=getattr(world, owner), kind=OUTGOING)
    assert register.kind == OUTGOING and register.year == numbering.current_year()


def test_opening_an_open_register_or_a_far_year_is_refused(world):
    services.open_register(actor=world.ministry_clerk, owner=world.organ, kind=INCOMING)
    with pytest.raises(RegisterError) as caught:
        services.open_register(actor=world.ministry_clerk, owner=world.organ, kind=INCOMING)
    assert caught.value.code == "register_exists"
    this_year = numbering.current_year()
    for year in (this_year - 1, this_year + 2):
        with pytest.raises(RegisterError) as caught:
            services.open_register(actor=world.ministry_clerk, owner=world.organ, kind=INCOMING, year=year)
        assert (caught.value.code, caught.value.field) == ("invalid_register_year", "year")
    with pytest.raises(RegisterError) as caught:
        services.open_register(actor=world.ministry_clerk, owner=world.organ, kind="mat")
    assert caught.value.code == "invalid_register_kind"


def test_a_dissolved_unit_or_an_outside_organ_gets_no_register(world, make_unit):
    gone = make_unit("Phòng đã giải thể", parent=world.dept)
    org.dissolve_unit(actor=world.sysadmin, unit=gone)
    with pytest.raises(RegisterError) as caught:
        services.open_register(actor=world.sysadmin, owner=gone, kind=INCOMING)
    assert caught.value.code == "unit_inactive"
    outside, _ = services.find_or_create_external_organ(actor=world.sysadmin, name="Văn phòng Chính phủ")
    with pytest.raises(RegisterError) as caught:
        services.open_register(actor=world.sysadmin, owner=outside, kind=INCOMING)
    assert caught.value.code == "organ_not_own"


# --- Web -----------------------------------------------------------------------------------------


def test_a_clerk_sees_their_registers_with_the_next_number(world, registers, web_client):
    page = web_client(world.unit_clerk).get(reverse("web:registers"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sổ văn bản năm" in html
    assert f'data-register="{registers["dept"].pk}"' in html and f'data-register="{registers["team"].pk}"' in html
    assert f'data-register="{registers["organ"].pk}"' not in html
    assert '<span data-testid="next-number">5</span>' in html
    # This year's outgoing register of Cục XNK opens itself at the first registration.
    assert "Sổ đăng ký văn bản đi năm" in html and "tự mở khi đăng ký văn bản đầu tiên" in html


@pytest.mark.parametrize("who", ["specialist", "leader"])
def test_the_registers_page_is_refused_to_people_who_keep_no_register(world, registers, web_client, who):
    client = web_client(getattr(world, who))
    assert client.get(reverse("web:registers")).status_code == 403
    assert (
        client.post(reverse("web:register_open"), {"owner": f"unit:{world.dept.pk}", "kind": INCOMING}).status_code
        == 403
    )
    assert client.get(reverse("web:register_next_number", args=[registers["dept"].pk])).status_code == 404


def test_the_next_number_fragment_answers_404_outside_ones_registers(world, registers, web_client):
    client = web_client(world.unit_clerk)
    own = client.get(reverse("web:register_next_number", args=[registers["dept"].pk]))
    assert own.status_code == 200 and '<span data-testid="next-number">5</span>' in own.content.decode()
    assert client.get(reverse("web:register_next_number", args=[registers["other"].pk])).status_code == 404
    assert client.get(reverse("web:register_next_number", args=[registers["organ"].pk])).status_code == 404


def test_a_clerk_opens_a_register_from_the_page(world, web_client):
    client = web_client(world.unit_clerk)
    year = numbering.current_year()
    response = client.post(
        reverse("web:register_open"), {"owner": f"unit:{world.dept.pk}", "kind": OUTGOING, "year": year}
    )
    assert response.status_code == 302
    assert Register.objects.filter(unit=world.dept, kind=OUTGOING, year=year).exists()
    again = client.post(
        reverse("web:register_open"), {"owner": f"unit:{world.dept.pk}", "kind": OUTGOING, "year": year}
    )
    assert again.status_code == 400
    assert "đã được mở" in again.content.decode()
    # An owner the clerk does not keep is not even a choice.
    foreign = client.post(
        reverse("web:register_open"), {"owner": f"unit:{world.other.pk}", "kind": OUTGOING, "year": year}
    )
    assert foreign.status_code == 400
    assert not Register.objects.filter(unit=world.other).exists()


def test_the_registers_page_filters_by_year(world, web_client):
    with freeze_time("2026-12-20 03:00:00"):
        services.open_register(actor=world.ministry_clerk, owner=world.organ, kind=INCOMING, year=2027)
        client = web_client(world.ministry_clerk)
        next_year = client.get(reverse("web:registers"), {"nam": 2027}).content.decode()
        this_year = client.get(reverse("web:registers"), {"nam": "không phải năm"}).content.decode()
    assert "Sổ đăng ký văn bản đến năm 2027" in next_year and "Sổ văn bản năm 2027" in next_year
    assert "Sổ văn bản năm 2026" in this_year


def test_the_registers_page_does_not_grow_queries_with_registers(
    world, web_client, make_unit, django_assert_max_num_queries
):
    client = web_client(world.ministry_clerk)
    client.get(reverse("web:registers"))
    for i in range(12):
        unit = make_unit(f"Phòng thêm {i}", parent=world.dept)
        numbering.register_for(unit, INCOMING)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("web:registers"))
    assert response.content.decode().count("data-register=") == 12


# --- API --------------------------------------------------------------------------------------------


def test_the_api_lists_registers_in_scope_with_next_numbers(world, registers, api_client):
    body = api_client(world.unit_clerk).get(reverse("api-register-list")).json()
    assert {r["id"] for r in body["results"]} == {registers["dept"].pk, registers["team"].pk}
    dept = next(r for r in body["results"] if r["id"] == registers["dept"].pk)
    assert (dept["last_number"], dept["next_number"], dept["unit_name"], dept["kind_label"]) == (
        4,
        5,
        "Cục Xuất nhập khẩu",
        "Văn bản đến",
    )
    filtered = api_client(world.ministry_clerk).get(reverse("api-register-list"), {"kind": OUTGOING}).json()
    assert filtered["count"] == 0


def test_the_api_register_list_is_refused_to_people_who_keep_no_register(world, registers, api_client):
    assert_error(api_client(world.specialist).get(reverse("api-register-list")), 403, "permission_denied")


def test_the_api_next_number_is_404_outside_ones_registers(world, registers, api_client):
    client = api_client(world.unit_clerk)
    own = client.get(reverse("api-register-next-number", args=[registers["dept"].pk]))
    assert own.status_code == 200
    assert own.json() == {
        "register": registers["dept"].pk,
        "year": registers["dept"].year,
        "last_number": 4,
        "next_number": 5,
    }
    assert_error(client.get(reverse("api-register-next-number", args=[registers["other"].pk])), 404, "not_found")
    assert_error(
        api_client(world.specialist).get(reverse("api-register-next-number", args=[registers["dept"].pk])),
        403,
        "permission_denied",
    )


def test_the_api_opens_a_register_within_reach_only(world, api_client):
    client = bearer_client(world.unit_clerk, scopes=["read", "write"])
    created = client.post(reverse("api-register-list"), {"unit": world.dept.pk, "kind": OUTGOING}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["next_number"] == 1 and created.json()["unit"] == world.dept.pk
    assert_error(
        client.post(reverse("api-register-list"), {"unit": world.dept.pk, "kind": OUTGOING}, format="json"),
        400,
        "register_exists",
    )
    assert_error(
        client.post(reverse("api-register-list"), {"unit": world.other.pk, "kind": OUTGOING}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(client.post(reverse("api-register-list"), {"kind": OUTGOING}, format="json"), 403, "permission_denied")
    read_only = bearer_client(world.unit_clerk, scopes=["read"])
    assert (
        read_only.post(
            reverse("api-register-list"), {"unit": world.dept.pk, "kind": INCOMING}, format="json"
        ).status_code
        == 403
    )
    organ_level = api_client(world.ministry_clerk).post(reverse("api-register-list"), {"kind": INCOMING}, format="json")
    assert organ_level.status_code == 201 and organ_level.json()["unit"] is None


def test_the_api_register_list_does_not_grow_queries(world, api_client, make_unit, django_assert_max_num_queries):
    client = api_client(world.ministry_clerk)
    for i in range(15):
        numbering.register_for(make_unit(f"Phòng thêm {i}", parent=world.dept), INCOMING)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api-register-list"), {"page_size": 100})
    assert response.json()["count"] == 15
