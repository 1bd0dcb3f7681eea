"""A small ministry for the administration API tests, built through the services:

Vụ Tổ chức (dept) ── Phòng Một (team) ── Phòng Hai (team2)      ← unit_admin manages dept
Cục Khác (other) ── Phòng Ngoài (other_team)                    ← outside unit_admin's reach
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from vanban.accounts import services as accounts
from vanban.organisation.models import Unit
from vanban.organisation.roles import Role


@dataclass
class World:
    dept: Unit
    team: Unit
    team2: Unit
    other: Unit
    other_team: Unit
    sysadmin: Any
    unit_admin: Any
    specialist: Any
    leader: Any
    insider: Any
    outsider: Any

    def unit(self, in_scope: bool) -> Unit:
        return self.team if in_scope else self.other_team

    def person(self, in_scope: bool) -> Any:
        return self.insider if in_scope else self.outsider


@pytest.fixture
def world(make_unit: Callable[..., Unit], make_user: Callable[..., Any]) -> World:
    dept = make_unit("Vụ Tổ chức", short_name="TC")
    team = make_unit("Phòng Một", parent=dept, short_name="TC-P1")
    team2 = make_unit("Phòng Hai", parent=dept, short_name="TC-P2")
    other = make_unit("Cục Khác", short_name="CK")
    other_team = make_unit("Phòng Ngoài", parent=other, short_name="CK-PN")
    return World(
        dept=dept,
        team=team,
        team2=team2,
        other=other,
        other_team=other_team,
        sysadmin=make_user("sysadmin", roles=[Role.SYSTEM_ADMIN], unit=other, full_name="Quản Trị Hệ Thống"),
        unit_admin=make_user("unitadmin", roles=[Role.UNIT_ADMIN], unit=dept, full_name="Quản Trị Đơn Vị"),
        specialist=make_user("specialist", roles=[Role.SPECIALIST], unit=dept, full_name="Chuyên Viên Vụ"),
        leader=make_user("leader", roles=[Role.UNIT_LEADER], unit=dept, full_name="Lãnh Đạo Vụ"),
        insider=make_user(
            "insider", roles=[Role.SPECIALIST], unit=team, full_name="Người Trong Phòng", email="insider@moit.gov.vn"
        ),
        outsider=make_user("outsider", roles=[Role.SPECIALIST], unit=other_team, full_name="Người Ngoài"),
    )


def bearer_client(user: Any, scopes: list[str] | tuple[str, ...] = ("read", "write", "admin")) -> APIClient:
    """A client authenticated the way scripts are: a real token in the Authorization header."""
    _, secret = accounts.create_api_token(
        actor=user, user=user, name="Kiểm thử", scopes=list(scopes), expires_at=timezone.now() + dt.timedelta(days=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_error(response: Any, status: int, code: str | None = None, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    body = response.json()
    assert set(body) == {"code", "message", "field"}, body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body["field"] == field, body
    return body
