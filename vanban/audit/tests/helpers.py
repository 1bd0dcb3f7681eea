"""Test helpers for the log and usage pages: real logins at controlled times, and the
four kinds of people the permission pairs need."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.test import Client, RequestFactory
from freezegun import freeze_time

from vanban.conftest import PASSWORD
from vanban.organisation.roles import Role


def login(user: Any, when: str | None = None) -> Client:
    """A real sign-in (password checked, django-axes consulted, auth.login recorded),
    optionally at a frozen Vietnam-time instant such as "2026-03-02T09:00:00+07:00"."""
    client = Client()
    request = RequestFactory().post("/dang-nhap/")
    if when is None:
        assert client.login(request=request, username=user.username, password=PASSWORD)
    else:
        with freeze_time(when):
            assert client.login(request=request, username=user.username, password=PASSWORD)
    return client


def fail_login(username: str, when: str | None = None) -> None:
    """A wrong password through the login page, as a person would type it."""

    def post() -> None:
        Client().post("/dang-nhap/", {"username": username, "password": "sai-mat-khau"})

    if when is None:
        post()
    else:
        with freeze_time(when):
            post()


def workbook(response: Any) -> openpyxl.Workbook:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body))


def sheet_rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


@dataclass
class Staff:
    unit: Any
    sub_unit: Any
    other_unit: Any
    sysadmin: Any
    unit_admin: Any
    clerk: Any
    specialist: Any

    @property
    def refused(self) -> list[Any]:
        return [self.unit_admin, self.clerk, self.specialist]


def make_staff(make_unit: Any, make_user: Any) -> Staff:
    unit = make_unit("Cục Thương mại điện tử và Kinh tế số", short_name="TMĐT")
    sub_unit = make_unit("Phòng Công nghệ thông tin", parent=unit, short_name="CNTT")
    other_unit = make_unit("Vụ Pháp chế", short_name="PC")
    return Staff(
        unit=unit,
        sub_unit=sub_unit,
        other_unit=other_unit,
        sysadmin=make_user("quantri.he", roles=[Role.SYSTEM_ADMIN], unit=sub_unit, full_name="Trần Minh Quân"),
        unit_admin=make_user("quantri.dv", roles=[Role.UNIT_ADMIN], unit=unit, full_name="Cao Minh Đức"),
        clerk=make_user("vanthu.dv", roles=[Role.UNIT_CLERK], unit=unit, full_name="Tăng Thị Lụa"),
        specialist=make_user("chuyenvien", roles=[Role.SPECIALIST], unit=other_unit, full_name="Châu Ngọc Diệp"),
    )
