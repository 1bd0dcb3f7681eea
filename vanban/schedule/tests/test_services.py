from __future__ import annotations

import datetime as dt

import pytest

from vanban.audit.models import AuditEvent
from vanban.audit.verify import verify_chain
from vanban.core.errors import Conflict, PermissionDenied, ValidationFailed
from vanban.notifications.models import Notification
from vanban.schedule import selectors, services
from vanban.schedule.models import Schedule
from vanban.schedule.tests.conftest import MONDAY, entry_data, published_ministry_schedule

pytestmark = pytest.mark.django_db


def test_clerk_opens_week_from_any_day_and_it_starts_on_monday(world):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY + dt.timedelta(days=3))
    assert schedule.week_start == MONDAY and schedule.status == Schedule.Status.DRAFT
    assert AuditEvent.objects.filter(action="schedule.created", target_id=str(schedule.pk)).exists()
    with pytest.raises(Conflict) as exc:
        services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    assert exc.value.code == "schedule_exists"


def test_only_the_office_clerk_keeps_the_ministry_schedule(world):
    for person in (world.xnk_clerk, world.minister, world.xnk_specialist):
        with pytest.raises(PermissionDenied):
            services.create_schedule(actor=person, unit=None, week_start=MONDAY)


def test_unit_clerk_keeps_only_their_unit_schedule(world):
    assert services.create_schedule(actor=world.xnk_clerk, unit=world.xnk, week_start=MONDAY).unit == world.xnk
    with pytest.raises(PermissionDenied):
        services.create_schedule(actor=world.other_clerk, unit=world.xnk, week_start=dt.date(2026, 12, 14))


def test_full_flow_draft_submitted_approved_published(world):
    schedule, entry = published_ministry_schedule(world)
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.PUBLISHED and schedule.approved_by == world.minister
    actions = list(AuditEvent.objects.filter(target_type="schedule.schedule").order_by("pk").values_list("action", flat=True))
    assert actions == ["schedule.created", "schedule.submitted", "schedule.approved", "schedule.published"]
    assert verify_chain().ok


def test_approving_needs_the_right_leader_and_a_submitted_schedule(world):
    schedule = services.create_schedule(actor=world.xnk_clerk, unit=world.xnk, week_start=MONDAY)
    services.add_entry(actor=world.xnk_clerk, schedule=schedule, data=entry_data(content="Họp cục"))
    with pytest.raises(Conflict):
        services.approve(actor=world.xnk_leader, schedule=schedule)
    services.submit(actor=world.xnk_clerk, schedule=schedule)
    with pytest.raises(PermissionDenied):
        services.approve(actor=world.minister, schedule=schedule)  # a ministry leader does not approve a unit's
    with pytest.raises(PermissionDenied):
        services.approve(actor=world.xnk_clerk, schedule=schedule)
    assert services.approve(actor=world.xnk_leader, schedule=schedule).status == Schedule.Status.APPROVED


def test_empty_schedule_cannot_be_submitted_and_locked_when_submitted(world):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    with pytest.raises(ValidationFailed) as exc:
        services.submit(actor=world.clerk, schedule=schedule)
    assert exc.value.code == "schedule_empty"
    services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data())
    services.submit(actor=world.clerk, schedule=schedule)
    with pytest.raises(Conflict) as exc:
        services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(content="Thêm"))
    assert exc.value.code == "schedule_locked"
    services.return_schedule(actor=world.deputy, schedule=schedule, reason="Bổ sung lịch chiều thứ Ba")
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.DRAFT and "thứ Ba" in schedule.return_reason
    services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(content="Thêm"))


@pytest.mark.parametrize(("kw", "code"), [
    ({"content": "  "}, "content_required"),
    ({"date": MONDAY + dt.timedelta(days=7)}, "date_outside_week"),
    ({"start_time": dt.time(10, 0), "end_time": dt.time(9, 0)}, "end_before_start"),
])
def test_bad_entries_are_refused_and_nothing_is_saved(world, kw, code):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    with pytest.raises(ValidationFailed) as exc:
        services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(**kw))
    assert exc.value.code == code and exc.value.message
    assert not schedule.entries.exists()


def test_overlapping_entries_for_the_same_leader_are_saved_with_a_warning(world):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(chair=world.minister))
    # The same leader chairs a unit's meeting at 9:00 the same morning.
    unit_schedule = services.create_schedule(actor=world.xnk_clerk, unit=world.xnk, week_start=MONDAY)
    entry, warnings = services.add_entry(
        actor=world.xnk_clerk, schedule=unit_schedule,
        data=entry_data(chair=world.minister, start_time=dt.time(9, 0), end_time=None, content="Làm việc với Cục"))
    assert entry.pk and len(warnings) == 1
    assert "Trùng lịch" in warnings[0] and "Hoàng Đức Thắng" in warnings[0] and "08:00–10:00" in warnings[0]
    # Another leader, or after the first meeting ends: no warning.
    _, none = services.add_entry(actor=world.clerk, schedule=schedule,
                                 data=entry_data(chair=world.deputy, start_time=dt.time(9, 0)))
    _, later = services.add_entry(actor=world.clerk, schedule=schedule,
                                  data=entry_data(chair=world.minister, start_time=dt.time(10, 0), end_time=None))
    assert none == [] and later == []
    event = __import__("vanban.audit.models", fromlist=["AuditEvent"]).AuditEvent.objects.get(
        action="schedule.entry_added", target_id=str(entry.pk))
    assert event.data["warnings"] == warnings


def test_change_after_publishing_is_marked_and_notified_to_participants(world):
    schedule, entry = published_ministry_schedule(world, participant_units=[world.xnk])
    data = entry_data(chair=world.minister, participants=[world.deputy], participant_units=[world.xnk],
                      start_time=dt.time(14, 0), end_time=dt.time(16, 0), place="Hội trường A")
    entry, _ = services.update_entry(actor=world.clerk, entry=entry, data=data)
    assert entry.adjusted and "Thời gian: 08:00–10:00 → 14:00–16:00" in entry.adjustment_note
    assert "Địa điểm: Phòng họp tầng 3 → Hội trường A" in entry.adjustment_note
    told = set(Notification.objects.filter(kind="schedule.changed").values_list("recipient__username", flat=True))
    # Chair, named participant and the people of the participating unit; never the clerk who changed it.
    assert told == {"btruong", "ttruong", "vtxnk", "ctxnk", "cvxnk"}
    note = Notification.objects.filter(kind="schedule.changed", recipient=world.deputy).get()
    assert "14:00–16:00" in note.body and note.url == f"/lich-cong-tac/{schedule.pk}/"


def test_changes_before_publishing_are_not_marked(world):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    entry, _ = services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(participants=[world.deputy]))
    entry, _ = services.update_entry(actor=world.clerk, entry=entry, data=entry_data(place="Phòng 201"))
    assert not entry.adjusted and not Notification.objects.exists()


def test_cancelling_a_published_entry_keeps_it_struck_and_tells_people(world):
    schedule, entry = published_ministry_schedule(world)
    entry = services.cancel_entry(actor=world.clerk, entry=entry, reason="Bộ trưởng đi công tác")
    assert entry.cancelled and entry.adjusted and "Hủy (Bộ trưởng đi công tác)" in entry.adjustment_note
    assert Notification.objects.filter(kind="schedule.changed", recipient=world.minister).exists()
    # A draft entry is simply removed.
    draft = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY + dt.timedelta(days=7))
    e, _ = services.add_entry(actor=world.clerk, schedule=draft, data=entry_data(date=draft.week_start))
    assert services.cancel_entry(actor=world.clerk, entry=e) is None and not draft.entries.exists()


def test_everyone_sees_published_schedules_only_keepers_see_drafts(world):
    draft = services.create_schedule(actor=world.xnk_clerk, unit=world.xnk, week_start=MONDAY)
    published, _ = published_ministry_schedule(world)
    assert set(selectors.schedules_visible_to(world.outsider)) == {published}
    assert set(selectors.schedules_visible_to(world.xnk_leader)) == {published, draft}
    assert set(selectors.schedules_visible_to(world.xnk_specialist)) == {published}
    assert draft in selectors.schedules_visible_to(world.xnk_clerk)


def test_week_grid_splits_morning_and_afternoon(world):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(start_time=dt.time(8, 0)))
    services.add_entry(actor=world.clerk, schedule=schedule,
                       data=entry_data(date=MONDAY + dt.timedelta(days=2), start_time=dt.time(14, 0), end_time=None))
    days = selectors.week_grid(selectors.get_schedule_for(world.clerk, schedule.pk), MONDAY)
    assert [d.weekday for d in days][0] == "Thứ Hai" and days[6].weekday == "Chủ Nhật"
    assert len(days[0].morning) == 1 and not days[0].afternoon
    assert len(days[2].afternoon) == 1 and not days[2].morning


def test_pdf_prints_vietnamese_week(world):
    import io

    from pypdf import PdfReader

    from vanban.schedule.printing import schedule_pdf

    schedule, entry = published_ministry_schedule(world)
    services.update_entry(actor=world.clerk, entry=entry, data=entry_data(chair=world.minister, place="Hội trường"))
    pdf = schedule_pdf(selectors.get_schedule_for(world.clerk, schedule.pk))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "LỊCH CÔNG TÁC LÃNH ĐẠO BỘ" in text and "Họp giao ban" in text and "Điều chỉnh" in text
