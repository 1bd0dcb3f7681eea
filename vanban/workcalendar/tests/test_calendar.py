"""Working-day arithmetic over the seeded Vietnamese calendar, and its editing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.documents.models import DocumentType
from vanban.organisation.roles import Role
from vanban.workcalendar import services
from vanban.workcalendar.calendar import (
    WorkCalendar,
    add_working_days,
    is_working_day,
    working_days_between,
)
from vanban.workcalendar.deadlines import deadline_warning, default_deadline, rule_days
from vanban.workcalendar.errors import CalendarError
from vanban.workcalendar.models import CalendarDay

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("quantri", roles=[Role.SYSTEM_ADMIN])


def test_weekends_and_seeded_holidays_are_not_working_days() -> None:
    assert is_working_day(D(2026, 2, 13))  # Friday before Tết
    assert not is_working_day(D(2026, 2, 14))  # Saturday
    for day in range(16, 21):  # Tết Bính Ngọ, Monday to Friday
        assert not is_working_day(D(2026, 2, day))
    assert not is_working_day(D(2026, 4, 27))  # Giỗ Tổ fell on Sunday 26/4: the Monday is off
    assert not is_working_day(D(2026, 9, 2)) and not is_working_day(D(2026, 9, 1))


def test_a_make_up_saturday_is_a_working_day() -> None:
    assert is_working_day(D(2026, 1, 10))  # làm bù for Friday 2/1/2026
    assert not is_working_day(D(2026, 1, 2))
    assert is_working_day(D(2025, 4, 26))  # làm bù for Friday 2/5/2025
    # Tết Ất Tỵ 2025 (25/01–02/02) took five weekdays off with no swap: 08/02/2025 is an
    # ordinary Saturday (an earlier seed had it as a make-up day by mistake).
    assert not is_working_day(D(2025, 2, 8))
    for day in range(27, 32):
        assert not is_working_day(D(2025, 1, day))


def test_national_day_2026_swaps_monday_31_8_for_saturday_22_8() -> None:
    # VPCP: nghỉ 29/8–02/9/2026; thứ Hai 31/8 hoán đổi sang thứ Bảy 22/8.
    assert not is_working_day(D(2026, 8, 31))
    assert is_working_day(D(2026, 8, 22))
    # Friday 28/8 + 1 working day: the long weekend runs to Wednesday 2/9.
    assert add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)


def test_add_working_days_jumps_over_tet_2026() -> None:
    # Thursday 12/2 + 3 working days: Fri 13/2, then Tết and two weekends, Mon 23/2, Tue 24/2.
    assert add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert working_days_between(D(2026, 2, 12), D(2026, 2, 24)) == 3
    assert add_working_days(D(2026, 2, 24), -2) == D(2026, 2, 13)


def test_add_working_days_across_the_year_end() -> None:
    # Thu 31/12/2026 + 1: Fri 1/1/2027 is Tết Dương lịch, then a weekend: Monday 4/1/2027.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert working_days_between(D(2026, 12, 31), D(2027, 1, 4)) == 1
    # Wed 31/12/2025 + 2: Thu 1/1 and Fri 2/1/2026 off, Mon 5/1, Tue 6/1.
    assert add_working_days(D(2025, 12, 31), 2) == D(2026, 1, 6)
    assert working_days_between(D(2026, 1, 6), D(2025, 12, 31)) == -2


def test_ten_working_days_over_tet_2027_with_its_compensation_days() -> None:
    # From Thu 4/2/2027: 5, 8, 9, 10, 11 off (Tết and nghỉ bù): 12/2 is the first day back.
    assert add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 12)
    assert add_working_days(D(2027, 2, 4), 10) == D(2027, 2, 25)


def test_zero_days_is_the_same_day() -> None:
    assert add_working_days(D(2026, 2, 16), 0) == D(2026, 2, 16)
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_weekend_days_are_configurable(admin: Any) -> None:
    services.update_settings(actor=admin, weekend_days=[6], reminder_days=2, escalation_days=2)  # Sunday only
    assert is_working_day(D(2026, 3, 7))  # a Saturday
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)
    assert WorkCalendar([5, 6]).add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)


def test_system_admin_adds_and_removes_a_holiday(admin: Any) -> None:
    day = services.add_day(actor=admin, date=D(2028, 1, 3), name="Nghỉ bù Tết Dương lịch")
    assert not is_working_day(D(2028, 1, 3))
    assert AuditEvent.objects.filter(action="workcalendar.day_added").count() == 1
    services.remove_day(actor=admin, day=day)
    assert is_working_day(D(2028, 1, 3))
    assert AuditEvent.objects.filter(action="workcalendar.day_removed").count() == 1


def test_a_date_is_in_the_calendar_once(admin: Any) -> None:
    with pytest.raises(CalendarError) as err:
        services.add_day(actor=admin, date=D(2026, 9, 2), name="Quốc khánh")
    assert err.value.code == "duplicate_day"
    with pytest.raises(CalendarError) as err:
        services.add_day(actor=admin, date=D(2026, 9, 3), name="  ")
    assert err.value.code == "required"


def test_only_the_system_admin_edits_the_calendar(make_user: Callable[..., Any], organ: Any) -> None:
    leader = make_user("ld.bo", roles=[Role.MINISTRY_LEADER])
    with pytest.raises(PermissionDenied):
        services.add_day(actor=leader, date=D(2028, 1, 3), name="Nghỉ")
    assert not CalendarDay.objects.filter(date=D(2028, 1, 3)).exists()


def test_copy_a_year_keeps_day_and_month_and_skips_dates_already_there(admin: Any) -> None:
    services.add_day(actor=admin, date=D(2028, 9, 2), name="Quốc khánh")
    created = services.copy_year(actor=admin, source=2027, target=2028)
    dates = {c.date for c in created}
    assert D(2028, 1, 1) in dates and D(2028, 4, 30) in dates
    assert D(2028, 9, 2) not in dates  # already there
    assert CalendarDay.objects.filter(date__year=2028).count() == CalendarDay.objects.filter(date__year=2027).count()
    with pytest.raises(CalendarError) as err:
        services.copy_year(actor=admin, source=2040, target=2041)
    assert err.value.code == "empty_year"


def test_default_deadline_by_urgency_and_by_document_type(admin: Any) -> None:
    congvan = DocumentType.objects.get(code="cong-van")
    assert rule_days(None, "hoa_toc") == 1
    assert rule_days(congvan.pk, "khan") == 3
    assert rule_days(congvan.pk, "normal") == 10
    services.set_rule(actor=admin, document_type=congvan.pk, urgency="", working_days=5)
    assert rule_days(congvan.pk, "normal") == 5 and rule_days(congvan.pk, "khan") == 5
    services.set_rule(actor=admin, document_type=congvan.pk, urgency="hoa_toc", working_days=1)
    assert rule_days(congvan.pk, "hoa_toc") == 1
    # "Hỏa tốc" on Friday 13/2/2026: the next working day is after Tết.
    assert default_deadline(document_type_id=None, urgency="hoa_toc", start=D(2026, 2, 13)) == D(2026, 2, 23)


def test_bad_rules_are_refused(admin: Any) -> None:
    for kwargs, code in [
        ({"document_type": None, "urgency": "", "working_days": 3}, "urgency_required"),
        ({"document_type": None, "urgency": "khan", "working_days": 0}, "invalid_days"),
        ({"document_type": 999999, "urgency": "khan", "working_days": 3}, "invalid_type"),
        ({"document_type": None, "urgency": "rat_khan", "working_days": 3}, "invalid_urgency"),
    ]:
        with pytest.raises(CalendarError) as err:
            services.set_rule(actor=admin, **kwargs)
        assert err.value.code == code


def test_a_deadline_on_a_day_off_is_warned_in_vietnamese() -> None:
    assert deadline_warning(D(2026, 2, 17)) == "Hạn xử lý 17/02/2026 rơi vào ngày nghỉ Tết Nguyên đán."
    assert deadline_warning(D(2026, 3, 8)) == "Hạn xử lý 08/03/2026 rơi vào ngày nghỉ cuối tuần."
    assert deadline_warning(D(2026, 1, 10)) == ""  # làm bù
    assert deadline_warning(D(2026, 3, 9)) == ""
