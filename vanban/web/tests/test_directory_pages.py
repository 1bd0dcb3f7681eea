from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vanban.accounts import services as accounts
from vanban.organisation import services as org
from vanban.web.tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


def _people(response):
    """People shown by a search (the results are grouped by unit)."""
    return {a.user.username for row in response.context["results"] for a in row["people"]}


def _everyone(client, response):
    """Open every unit of the tree, as a person clicking through it would."""
    names = set()
    for row in response.context["rows"]:
        opened = client.get(reverse("web:directory_unit", args=[row["unit"].pk]))
        assert opened.status_code == 200
        names |= {a.user.username for a in opened.context["people"]}
    return names


def test_every_signed_in_person_sees_the_whole_directory(world, web_client, django_assert_max_num_queries):
    client = web_client(world.specialist)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:directory"))
    assert response.status_code == 200
    assert _everyone(client, response) == {"quantri", "qt.xnk", "qt.pc", "cv.xnk", "tp.qlxk", "cv.pc"}
    units = [(row["unit"].name, row["depth"]) for row in response.context["rows"]]
    assert ("Phòng Quản lý xuất khẩu", 1) in units
    assert units.index(("Phòng Quản lý xuất khẩu", 1)) == units.index(("Cục Xuất nhập khẩu", 0)) + 1
    qlxk = next(row["unit"] for row in response.context["rows"] if row["unit"].name == "Phòng Quản lý xuất khẩu")
    assert qlxk.people == 1
    assert "huong@moit.gov.vn" in client.get(reverse("web:directory_unit", args=[qlxk.pk])).content.decode()


def test_directory_query_count_does_not_grow(world, web_client, make_unit, make_user, django_assert_max_num_queries):
    for i in range(10):
        make_user(unit=make_unit(f"Phòng {i}", parent=world.b))
    client = web_client(world.specialist)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("web:directory")).status_code == 200


def test_directory_hides_inactive_people_and_closed_units(world, web_client, make_unit, make_user):
    accounts.deactivate_account(actor=world.sysadmin, user=world.b_person)
    closed = make_unit("Phòng đã giải thể", parent=world.b)
    org.dissolve_unit(actor=world.sysadmin, unit=closed)
    client = web_client(world.specialist)
    response = client.get(reverse("web:directory"))
    assert "cv.pc" not in _everyone(client, response)
    assert "Phòng đã giải thể" not in response.content.decode()


def test_directory_search_ignores_diacritics(world, web_client):
    client = web_client(world.specialist)
    response = client.get(reverse("web:directory"), {"q": "au thi huong"})
    assert _people(response) == {"tp.qlxk"}
    assert [row["unit"].name for row in response.context["results"]] == ["Phòng Quản lý xuất khẩu"]
    # A unit's name finds its people.
    assert _people(client.get(reverse("web:directory"), {"q": "phap che"})) == {"quantri", "qt.pc", "cv.pc"}
    assert "Không tìm thấy ai phù hợp." in client.get(reverse("web:directory"), {"q": "zzz"}).content.decode()


def test_directory_needs_sign_in():
    response = Client().get(reverse("web:directory"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
