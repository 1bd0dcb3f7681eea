"""«Công việc được giao»: the direct tasks a person gave or takes part in, by state and by
their role, with the lead's deadline and overdue marking; the page, the API, the SQL scope.

Tasks are given through the real service on Monday 02/03/2026 and read a week later
(freezegun), so "quá hạn" and "sắp đến hạn" come from the real clock comparison."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from vanban.core.errors import NotFound
from vanban.workflow import selectors, services
from vanban.workflow.models import Task
from vanban.workflow.selectors import TaskFilters, task_counts, task_list
from vanban.workflow.services import AssigneeSpec
from vanban.workflow.tests.conftest import Flow

pytestmark = pytest.mark.django_db

D = dt.date
GIVEN = "2026-03-02 09:00:00+07:00"  # Monday
READ = "2026-03-10 09:00:00+07:00"  # Tuesday of the next week


def _give(flow: Flow, title: str, *, deadline: D, lead: Any = None, lead_unit: Any = None) -> Task:
    w = flow.world
    specs = [
        AssigneeSpec("lead", user=lead, unit=lead_unit, deadline=deadline),
        AssigneeSpec("cooperate", unit=w.dept if lead_unit == w.other else w.other, deadline=deadline),
        AssigneeSpec("info", user=w.unit_clerk),
    ]
    return services.create_task(actor=flow.leader, title=title, content="", assignees=specs)


@pytest.fixture
def tasks(flow: Flow) -> dict[str, Task]:
    """late (due 05/03), soon (due 12/03), later (due 30/03), done (completed), and one
    for Vụ Pháp chế that the specialist has nothing to do with."""
    w = flow.world
    with freeze_time(GIVEN):
        made = {
            "late": _give(flow, "Báo cáo xuất khẩu quý I", deadline=D(2026, 3, 5), lead=w.specialist),
            "soon": _give(flow, "Rà soát quy chế làm việc", deadline=D(2026, 3, 12), lead=w.specialist),
            "later": _give(flow, "Tổng kết công tác năm", deadline=D(2026, 3, 30), lead=w.specialist),
            "done": _give(flow, "Góp ý dự thảo thông tư", deadline=D(2026, 3, 4), lead=w.specialist),
            "other": _give(flow, "Thẩm định văn bản pháp luật", deadline=D(2026, 3, 6), lead_unit=w.other),
        }
        lead = made["done"].assignments.get(role="lead", parent=None)
        services.complete(actor=w.specialist, assignment=lead, result="Đã gửi ý kiến góp ý.")
    return made


def _titles(user: Any, **kw: Any) -> list[str]:
    return [t.title for t in task_list(user, TaskFilters(**kw))]


def test_the_lead_sees_work_in_progress_nearest_deadline_first_and_each_state_apart(
    flow: Flow, tasks: dict[str, Task]
) -> None:
    s = flow.world.specialist
    with freeze_time(READ):
        assert _titles(s) == ["Báo cáo xuất khẩu quý I", "Rà soát quy chế làm việc", "Tổng kết công tác năm"]
        assert _titles(s, status="overdue") == ["Báo cáo xuất khẩu quý I"]
        assert _titles(s, status="due_soon") == ["Rà soát quy chế làm việc"]  # due within three days
        assert _titles(s, status="completed") == ["Góp ý dự thảo thông tư"]
        assert len(_titles(s, status="all")) == 4
        assert task_counts(s) == {"open": 3, "overdue": 1, "due_soon": 1, "completed": 1, "all": 4}
        late = task_list(s, TaskFilters(status="overdue")).get()
        assert (late.overdue, late.lead_deadline, late.i_lead, late.i_assigned) == (True, D(2026, 3, 5), True, False)
        # A completed task is never late, whatever its old deadline.
        assert task_list(s, TaskFilters(status="completed")).get().overdue is False


def test_each_person_sees_the_tasks_by_their_own_role(flow: Flow, tasks: dict[str, Task]) -> None:
    w = flow.world
    with freeze_time(READ):
        assert len(_titles(flow.leader, relation="assigned", status="all")) == 5
        assert _titles(flow.leader, relation="lead", status="all") == []
        # Vụ trưởng Pháp chế: his unit cooperates on four and leads one.
        assert _titles(flow.pc_leader, relation="lead") == ["Thẩm định văn bản pháp luật"]
        assert len(_titles(flow.pc_leader, relation="cooperate", status="all")) == 4
        assert _titles(flow.pc_leader, relation="assigned", status="all") == []
        assert len(_titles(w.unit_clerk, relation="info", status="all")) == 5
        assert _titles(w.specialist, relation="cooperate", status="all") == []
        assert task_counts(flow.pc_leader, "lead")["overdue"] == 1


def test_nobody_sees_tasks_they_have_no_part_in(flow: Flow, tasks: dict[str, Task]) -> None:
    with freeze_time(READ):
        assert _titles(flow.outsider, status="all") == []
        assert _titles(flow.team_leader, status="all") == []
        assert task_counts(flow.outsider) == {"open": 0, "overdue": 0, "due_soon": 0, "completed": 0, "all": 0}
        # The specialist is not part of Vụ Pháp chế's task.
        assert "Thẩm định văn bản pháp luật" not in _titles(flow.world.specialist, status="all")
    with pytest.raises(NotFound):
        task_list(flow.leader, TaskFilters(status="late"))
    with pytest.raises(NotFound):
        task_counts(flow.leader, "boss")


def test_the_list_takes_one_query_however_many_tasks(flow: Flow, tasks: dict[str, Task]) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = list(task_list(flow.leader, TaskFilters(status="all")))
            for t in rows:
                (t.created_by.username, t.lead_deadline, t.overdue, t.i_lead)
        return len(ctx.captured_queries)

    with freeze_time(READ):
        few = queries()
        with freeze_time(GIVEN):
            _give(flow, "Việc thêm một", deadline=D(2026, 3, 20), lead=flow.world.specialist)
            _give(flow, "Việc thêm hai", deadline=D(2026, 3, 21), lead=flow.world.specialist)
        assert queries() == few
        assert few <= 8  # the roles of the reader, then the one list query


# --- the page --------------------------------------------------------------------------------


def test_the_page_lists_tabs_with_counts_marks_overdue_and_links_each_task(
    flow: Flow, tasks: dict[str, Task], web_client: Any
) -> None:
    client = web_client(flow.world.specialist)
    with freeze_time(READ):
        page = client.get(reverse("web:tasks")).content.decode()
        assert 'data-count="open">3<' in page and 'data-count="overdue">1<' in page
        assert 'data-count="due_soon">1<' in page and 'data-count="completed">1<' in page
        late = tasks["late"]
        assert f'<tr data-task="{late.pk}" class="table-danger">' in page
        assert f'href="{reverse("web:task", args=[late.pk])}"' in page
        assert "05/03/2026" in page and "quá hạn" in page
        assert f'data-task="{tasks["done"].pk}"' not in page

        overdue = client.get(reverse("web:tasks"), {"trang_thai": "overdue"}).content.decode()
        assert f'data-task="{late.pk}"' in overdue and f'data-task="{tasks["soon"].pk}"' not in overdue
        done = client.get(reverse("web:tasks"), {"trang_thai": "completed"}).content.decode()
        assert f'data-task="{tasks["done"].pk}"' in done and "Đã hoàn thành" in done
        # The task page the row links to opens for the specialist.
        assert client.get(reverse("web:task", args=[late.pk])).status_code == 200


def test_the_page_filters_by_role_and_pages(
    flow: Flow, tasks: dict[str, Task], web_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vanban.web.views.workflow.PAGE_SIZE", 2)
    client = web_client(flow.pc_leader)
    with freeze_time(READ):
        page = client.get(reverse("web:tasks"), {"vai_tro": "lead"}).content.decode()
        assert f'data-task="{tasks["other"].pk}"' in page and f'data-task="{tasks["late"].pk}"' not in page
        # The tabs keep the role chosen.
        assert 'href="?vai_tro=lead&amp;trang_thai=overdue"' in page
        first = client.get(reverse("web:tasks"), {"trang_thai": "all"}).content.decode()
        assert "Trang 1/3" in first and "page=2" in first
        third = client.get(reverse("web:tasks"), {"trang_thai": "all", "page": 3})
        assert third.content.decode().count("<tr data-task=") == 1
        # An unknown filter is ignored rather than an error.
        assert client.get(reverse("web:tasks"), {"trang_thai": "xyz"}).status_code == 200


def test_leaders_and_specialists_find_the_page_in_the_navigation(flow: Flow, web_client: Any) -> None:
    url = reverse("web:tasks")
    for user in (flow.leader, flow.pc_leader, flow.world.specialist):
        assert f'href="{url}" data-nav="tasks"' in web_client(user).get(reverse("web:home")).content.decode()
    assert 'data-nav="tasks"' not in web_client(flow.world.sysadmin).get(reverse("web:home")).content.decode()
    assert 'data-nav="tasks"' not in web_client(flow.world.ministry_clerk).get(reverse("web:home")).content.decode()
    assert Client().get(url).status_code == 302  # signed out: to the login page


# --- the API ---------------------------------------------------------------------------------


def test_the_api_lists_with_the_same_filters(flow: Flow, tasks: dict[str, Task], api_client: Any) -> None:
    client = api_client(flow.world.specialist)
    with freeze_time(READ):
        rows = client.get("/api/v1/tasks", {"status": "overdue", "relation": "lead"}).json()["results"]
        assert [(r["id"], r["deadline"], r["is_overdue"], r["relations"]) for r in rows] == [
            (tasks["late"].pk, "2026-03-05", True, ["lead"])
        ]
        assert [r["id"] for r in client.get("/api/v1/tasks", {"status": "due_soon"}).json()["results"]] == [
            tasks["soon"].pk
        ]
        everything = client.get("/api/v1/tasks").json()
        assert everything["count"] == 4  # without a status: every task the caller may see
        leader = api_client(flow.leader).get("/api/v1/tasks", {"relation": "assigned", "status": "open"}).json()
        assert leader["count"] == 4 and all(r["relations"] == ["assigned"] for r in leader["results"])
        r = client.get("/api/v1/tasks", {"status": "late"})
        assert r.status_code == 400 and r.json()["field"] == "status"
        assert client.get("/api/v1/tasks", {"relation": "boss"}).status_code == 400
        assert api_client(flow.outsider).get("/api/v1/tasks").json()["count"] == 0


def test_the_api_list_query_count_does_not_grow(flow: Flow, tasks: dict[str, Task], api_client: Any) -> None:
    client = api_client(flow.leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/tasks", {"status": "all"}).status_code == 200
        return len(ctx.captured_queries)

    with freeze_time(READ):
        before = queries()
        with freeze_time(GIVEN):
            _give(flow, "Việc thêm", deadline=D(2026, 3, 20), lead=flow.world.specialist)
        assert queries() == before


def test_the_detail_still_carries_the_lead_deadline(flow: Flow, tasks: dict[str, Task], api_client: Any) -> None:
    with freeze_time(READ):
        body = api_client(flow.leader).get(f"/api/v1/tasks/{tasks['late'].pk}").json()
    assert (body["deadline"], body["is_overdue"], body["relations"]) == ("2026-03-05", True, [])
    assert selectors.get_task_for(flow.leader, tasks["late"].pk) == tasks["late"]
