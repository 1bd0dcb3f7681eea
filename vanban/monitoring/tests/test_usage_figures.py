"""The figures on a small constructed ministry, on both engines: days cut in Vietnam
time, people rolled up to top-level units, inactive people and units, failures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from freezegun import freeze_time

from vanban.accounts import services as accounts
from vanban.audit.models import AuditEvent
from vanban.audit.tests.helpers import fail_login, login
from vanban.core.errors import PermissionDenied, ValidationFailed
from vanban.monitoring.selectors import UsageQuery, usage_summary
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db

NOW = "2026-03-10T12:00:00+07:00"
D = dt.date


@dataclass
class Ministry:
    cuc: Any
    phong: Any
    vu: Any
    an: Any
    binh: Any
    chi: Any
    dung: Any
    admin: Any


def _edit_profile(user: Any, when: str, phone: str) -> None:
    with freeze_time(when):
        accounts.update_account(actor=user, user=user, full_name=user.full_name, phone=phone)


@pytest.fixture
def ministry(make_unit, make_user) -> Ministry:
    cuc = make_unit("Cục Thương mại điện tử và Kinh tế số")
    phong = make_unit("Phòng Công nghệ thông tin", parent=cuc)
    vu = make_unit("Vụ Pháp chế")
    m = Ministry(
        cuc=cuc,
        phong=phong,
        vu=vu,
        an=make_user("an.nv", unit=cuc, full_name="Nguyễn Văn An"),
        binh=make_user("binh.tt", unit=phong, full_name="Trần Thị Bình"),
        chi=make_user("chi.lh", unit=vu, full_name="Lê Hồng Chi"),
        dung=make_user("dung.dv", unit=vu, full_name="Dương Văn Dũng"),
        admin=make_user("quantri", roles=[Role.SYSTEM_ADMIN], full_name="Quản Trị Viên"),
    )
    login(m.chi, "2026-01-20T09:00:00+07:00")  # before the period: idle by March
    login(m.an, "2026-03-02T09:00:00+07:00")
    login(m.an, "2026-03-02T14:00:00+07:00")
    login(m.binh, "2026-03-02T23:30:00+07:00")
    login(m.binh, "2026-03-03T00:15:00+07:00")  # still 2 March in UTC
    login(m.an, "2026-03-04T08:00:00+07:00")
    _edit_profile(m.an, "2026-03-02T09:10:00+07:00", "0241")
    _edit_profile(m.binh, "2026-03-03T10:00:00+07:00", "0242")
    _edit_profile(m.binh, "2026-03-04T10:00:00+07:00", "0243")
    _edit_profile(m.chi, "2026-03-03T15:00:00+07:00", "0244")  # works through an old session
    fail_login("an.nv", "2026-03-02T08:59:00+07:00")
    fail_login("an.nv", "2026-03-04T07:59:00+07:00")
    fail_login("khong.ton.tai", "2026-03-03T03:00:00+07:00")
    for minute in range(settings.AXES_FAILURE_LIMIT):
        fail_login("dung.dv", f"2026-03-04T10:0{minute}:00+07:00")
    return m


def _summary(m: Ministry, **kw: Any) -> Any:
    query = UsageQuery.build(date_from=D(2026, 3, 1), date_to=D(2026, 3, 5), **kw)
    with freeze_time(NOW):
        return usage_summary(viewer=m.admin, query=query)


def _figures(items: list[Any]) -> dict[str, int]:
    return {f.name: f.value for f in items}


def test_logins_per_day_are_counted_on_vietnam_days(ministry):
    s = _summary(ministry)
    assert s.logins_per_day == [
        (D(2026, 3, 1), 0),
        (D(2026, 3, 2), 3),
        (D(2026, 3, 3), 1),
        (D(2026, 3, 4), 1),
        (D(2026, 3, 5), 0),
    ]
    assert s.total_logins == 5


def test_active_people_and_actions_roll_up_to_top_level_units(ministry):
    s = _summary(ministry)
    assert _figures(s.active_users_per_unit) == {
        "Cục Thương mại điện tử và Kinh tế số": 2,
        "Vụ Pháp chế": 1,
    }
    assert _figures(s.actions_per_unit) == {
        "Cục Thương mại điện tử và Kinh tế số": 3,
        "Vụ Pháp chế": 1,
    }
    assert s.active_users == 3 and s.actions == 4
    assert s.active_users_per_unit[0].name == "Cục Thương mại điện tử và Kinh tế số"  # biggest first


def test_choosing_a_unit_splits_it_into_its_direct_sub_units(ministry):
    s = _summary(ministry, unit=ministry.cuc)
    assert _figures(s.active_users_per_unit) == {
        "Cục Thương mại điện tử và Kinh tế số (trực tiếp)": 1,
        "Phòng Công nghệ thông tin": 1,
    }
    assert _figures(s.actions_per_unit) == {
        "Cục Thương mại điện tử và Kinh tế số (trực tiếp)": 1,
        "Phòng Công nghệ thông tin": 2,
    }
    assert [n for _, n in s.logins_per_day] == [0, 3, 1, 1, 0]
    assert (s.failed_logins, s.lockouts) == (2, 0)
    assert [p.username for p in s.inactive_people] == []


def test_inactive_people_are_those_without_a_login_in_n_days_never_first(ministry):
    s = _summary(ministry)
    assert [p.username for p in s.inactive_people] == ["dung.dv", "quantri", "chi.lh"]
    assert s.inactive_people_total == 3
    chi = s.inactive_people[2]
    assert chi.unit_name == "Vụ Pháp chế"
    assert chi.last_login_at == dt.datetime(2026, 1, 20, 2, 0, tzinfo=dt.UTC)
    assert s.inactive_people[0].last_login_at is None
    week = _summary(ministry, inactive_days=7)  # cut-off 03/03 12:00
    assert {p.username for p in week.inactive_people} == {"dung.dv", "quantri", "chi.lh", "binh.tt"}


def test_units_where_nobody_logged_in_are_flagged(ministry):
    s = _summary(ministry)
    assert len(s.inactive_units) == 1
    vu = s.inactive_units[0]
    assert (vu.name, vu.members, vu.inactive, vu.nobody_logged_in) == ("Vụ Pháp chế", 2, 2, True)
    assert vu.last_login_at == dt.datetime(2026, 1, 20, 2, 0, tzinfo=dt.UTC)
    week = _summary(ministry, inactive_days=7)
    phong = next(u for u in week.inactive_units if u.unit_id == ministry.phong.pk)
    assert (phong.members, phong.inactive, phong.nobody_logged_in) == (1, 1, True)
    assert ministry.cuc.pk not in {u.unit_id for u in week.inactive_units}


def test_failed_logins_and_lockouts_are_counted(ministry):
    s = _summary(ministry)
    assert s.failed_logins == 2 + 1 + settings.AXES_FAILURE_LIMIT
    assert s.lockouts == 1
    assert s.failed_by_username[0] == ("dung.dv", settings.AXES_FAILURE_LIMIT)
    assert dict(s.failed_by_username)["an.nv"] == 2


def test_a_login_through_the_token_endpoint_counts(ministry):
    from rest_framework.test import APIClient

    with freeze_time("2026-03-05T09:00:00+07:00"):
        response = APIClient().post(
            "/api/v1/auth/token", {"username": "binh.tt", "password": "Matkhau@2026"}, format="json"
        )
    assert response.status_code == 201
    assert AuditEvent.objects.filter(action="auth.login", actor=ministry.binh, data__via="api_token").exists()
    assert _summary(ministry).logins_per_day[-1] == (D(2026, 3, 5), 1)


def test_only_system_admins_get_the_figures(ministry, make_user):
    leader = make_user(roles=[Role.UNIT_ADMIN], unit=ministry.cuc)
    with pytest.raises(PermissionDenied):
        usage_summary(viewer=leader, query=UsageQuery.build())


def test_query_defaults_to_the_last_30_days_and_checks_the_period():
    with freeze_time(NOW):
        q = UsageQuery.build()
    assert (q.date_from, q.date_to, q.inactive_days) == (D(2026, 2, 9), D(2026, 3, 10), 30)
    with pytest.raises(ValidationFailed) as exc:
        UsageQuery.build(date_from=D(2026, 3, 5), date_to=D(2026, 3, 1))
    assert exc.value.field == "date_to"
    with pytest.raises(ValidationFailed) as exc:
        UsageQuery.build(date_from=D(2020, 1, 1), date_to=D(2026, 3, 1))
    assert exc.value.code == "period_too_long"
