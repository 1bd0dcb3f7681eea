from __future__ import annotations

import pytest
from django.urls import reverse

from vanban.accounts import services as accounts
from vanban.accounts.models import TwoFactorPolicy
from vanban.organisation.roles import Role
from vanban.web.tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


def test_system_admin_sees_policy_for_every_role(world, web_client, django_assert_max_num_queries):
    accounts.set_two_factor_policy(actor=world.sysadmin, role=Role.UNIT_ADMIN, required=True)
    client = web_client(world.sysadmin)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("web:security_policy"))
    assert response.status_code == 200
    rows = {r["role"]: r for r in response.context["rows"]}
    assert set(rows) == set(Role.values)
    assert rows[Role.UNIT_ADMIN]["required"] and not rows[Role.SPECIALIST]["required"]
    assert rows[Role.UNIT_ADMIN]["holders"] == 2 and rows[Role.UNIT_ADMIN]["without_totp"] == 2
    assert "Bắt buộc" in response.content.decode()


def test_system_admin_makes_two_factor_mandatory_then_optional(world, web_client):
    client = web_client(world.sysadmin)
    response = client.post(reverse("web:security_policy"), {"role": Role.MINISTRY_CLERK, "required": "on"}, follow=True)
    assert "Đã bắt buộc xác thực hai lớp cho vai trò Văn thư Bộ." in response.content.decode()
    assert TwoFactorPolicy.objects.get(role=Role.MINISTRY_CLERK).required
    client.post(reverse("web:security_policy"), {"role": Role.MINISTRY_CLERK})
    assert not TwoFactorPolicy.objects.get(role=Role.MINISTRY_CLERK).required


def test_invalid_role_changes_nothing(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:security_policy"), {"role": "tong_thong", "required": "on"}, follow=True
    )
    assert "Vai trò không hợp lệ." in response.content.decode()
    assert not TwoFactorPolicy.objects.exists()


@pytest.mark.parametrize("who", ["unit_admin", "specialist"])
def test_only_system_admin_sets_security_policy(world, web_client, who):
    client = web_client(getattr(world, who))
    assert client.get(reverse("web:security_policy")).status_code == 403
    assert client.post(reverse("web:security_policy"), {"role": Role.SPECIALIST, "required": "on"}).status_code == 403
    assert not TwoFactorPolicy.objects.exists()
