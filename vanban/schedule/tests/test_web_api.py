from __future__ import annotations

import datetime as dt

import pytest

from vanban.schedule import services
from vanban.schedule.models import Schedule
from vanban.schedule.tests.conftest import MONDAY, entry_data, published_ministry_schedule

pytestmark = pytest.mark.django_db


def test_clerk_builds_week_in_the_web_and_sees_the_overlap_warning(world, web_client):
    client = web_client(world.clerk)
    page = client.get("/lich-cong-tac/", {"tuan": "2026-12-09"})
    assert page.status_code == 200 and "Lập lịch tuần này" in page.content.decode()
    response = client.post("/lich-cong-tac/lap/", {"unit": "", "week": "2026-12-09"})
    schedule = Schedule.objects.get()
    assert response.status_code == 302 and schedule.week_start == MONDAY
    form = {"date": "2026-12-07", "start_time": "08:00", "end_time": "10:00", "content": "Họp giao ban",
            "place": "Phòng họp 1", "chair": world.minister.pk, "participants": [world.deputy.pk]}
    assert client.post(f"/lich-cong-tac/{schedule.pk}/them/", form).status_code == 302
    # The form warns as soon as the same leader and an overlapping time are chosen.
    check = client.get("/lich-cong-tac/kiem-tra-trung/", {"chair": world.minister.pk, "date": "2026-12-07",
                                                          "start_time": "09:00"})
    assert "Trùng lịch" in check.content.decode()
    response = client.post(f"/lich-cong-tac/{schedule.pk}/them/", {**form, "start_time": "09:00", "end_time": "",
                                                                   "content": "Tiếp đoàn"}, follow=True)
    body = response.content.decode()
    assert "Trùng lịch: Hoàng Đức Thắng" in body and "Tiếp đoàn" in body
    bad = client.post(f"/lich-cong-tac/{schedule.pk}/them/", {**form, "end_time": "07:00"})
    assert "Giờ kết thúc phải sau giờ bắt đầu." in bad.content.decode()
    assert schedule.entries.count() == 2


def test_leader_approves_in_the_web_and_everyone_reads_the_published_week(world, web_client):
    schedule = services.create_schedule(actor=world.clerk, unit=None, week_start=MONDAY)
    services.add_entry(actor=world.clerk, schedule=schedule, data=entry_data(chair=world.minister))
    clerk, leader, outsider = web_client(world.clerk), web_client(world.minister), web_client(world.outsider)
    assert outsider.get(f"/lich-cong-tac/{schedule.pk}/").status_code == 404
    clerk.post(f"/lich-cong-tac/{schedule.pk}/trinh/")
    leader.post(f"/lich-cong-tac/{schedule.pk}/duyet/")
    clerk.post(f"/lich-cong-tac/{schedule.pk}/cong-bo/")
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.PUBLISHED
    page = outsider.get("/lich-cong-tac/", {"tuan": "2026-12-10"}).content.decode()
    assert "Họp giao ban Lãnh đạo Bộ" in page and "Thứ Hai" in page and "Đã công bố" in page
    assert "Thêm mục lịch" not in page
    printed = outsider.get(f"/lich-cong-tac/{schedule.pk}/in/").content.decode()
    assert "@media print" in printed and "Họp giao ban" in printed
    pdf = outsider.get(f"/lich-cong-tac/{schedule.pk}/lich.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_api_round_trip_with_warning_and_adjustment(world, api_client):
    clerk = api_client(world.clerk)
    created = clerk.post("/api/v1/schedules", {"unit": None, "week_start": "2026-12-08"}, format="json")
    assert created.status_code == 201, created.json()
    sid = created.json()["id"]
    assert created.json()["week_start"] == "2026-12-07" and created.json()["unit"] is None
    body = {"date": "2026-12-07", "start_time": "08:00", "end_time": "10:00", "content": "Họp giao ban",
            "chair": world.minister.pk, "participants": [world.deputy.pk], "participant_units": [world.xnk.pk]}
    first = clerk.post(f"/api/v1/schedules/{sid}/entries", body, format="json")
    assert first.status_code == 201 and first.json()["warnings"] == []
    second = clerk.post(f"/api/v1/schedules/{sid}/entries", {**body, "start_time": "09:30", "content": "Tiếp khách"},
                        format="json")
    assert second.status_code == 201 and "Trùng lịch" in second.json()["warnings"][0]
    bad = clerk.post(f"/api/v1/schedules/{sid}/entries", {**body, "date": "2026-12-20"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "date_outside_week"
    unknown = clerk.post(f"/api/v1/schedules/{sid}/entries", {**body, "incoming_documents": [999]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "document_not_visible"
    assert clerk.post(f"/api/v1/schedules/{sid}/submit").json()["status"] == "submitted"
    locked = clerk.post(f"/api/v1/schedules/{sid}/entries", body, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "schedule_locked"
    assert api_client(world.xnk_leader).post(f"/api/v1/schedules/{sid}/approve").status_code == 404
    assert api_client(world.deputy).post(f"/api/v1/schedules/{sid}/approve").json()["status"] == "approved"
    assert clerk.post(f"/api/v1/schedules/{sid}/publish").json()["status"] == "published"
    eid = first.json()["entry"]["id"]
    changed = clerk.put(f"/api/v1/schedules/entries/{eid}", {**body, "place": "Hội trường B"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["entry"]["adjusted"] and "Hội trường B" in changed.json()["entry"]["adjustment_note"]
    listed = api_client(world.outsider).get("/api/v1/schedules", {"week": "2026-12-09", "ministry": "true"}).json()
    assert [s["id"] for s in listed["results"]] == [sid]
    detail = api_client(world.outsider).get(f"/api/v1/schedules/{sid}").json()
    assert len(detail["entries"]) == 2 and detail["entries"][0]["chair"]["full_name"] == "Hoàng Đức Thắng"
    assert api_client(world.outsider).get(f"/api/v1/schedules/{sid}/pdf").content.startswith(b"%PDF")
    cancelled = clerk.post(f"/api/v1/schedules/entries/{eid}/cancel", {"reason": "Hoãn"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"]


def test_api_refuses_other_people_and_hides_drafts(world, api_client):
    draft = services.create_schedule(actor=world.xnk_clerk, unit=world.xnk, week_start=MONDAY)
    assert api_client(world.outsider).get(f"/api/v1/schedules/{draft.pk}").status_code == 404
    refused = api_client(world.other_clerk).post("/api/v1/schedules", {"unit": world.xnk.pk,
                                                                       "week_start": "2026-12-14"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    published, _ = published_ministry_schedule(world)
    assert api_client(world.outsider).get(f"/api/v1/schedules/{published.pk}").status_code == 200


def test_list_query_count_does_not_grow_with_entries(world, api_client, django_assert_max_num_queries):
    schedule, _ = published_ministry_schedule(world)
    for i in range(5):
        services.add_entry(actor=world.clerk, schedule=schedule,
                           data=entry_data(start_time=dt.time(13 + i % 4, 0), end_time=None, content=f"Việc {i}",
                                           participants=[world.deputy]))
    client = api_client(world.outsider)
    with django_assert_max_num_queries(16):
        assert len(client.get(f"/api/v1/schedules/{schedule.pk}").json()["entries"]) == 6
