"""Every figure of the dashboard drills down to exactly as many rows as it says, for
every kind of viewer, through the selector, the web list and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from vanban.reports.scope import Period, scope_for
from vanban.reports.selectors import dashboard, figure_documents
from vanban.reports.tests.conftest import MARCH, Stats

pytestmark = pytest.mark.django_db


def _figures(d: Any) -> list[tuple[dict[str, str], int]]:
    """(drill-down parameters, value) of every number the dashboard shows."""
    result = [({"figure": "incoming"}, d.incoming_total), ({"figure": "outgoing"}, d.outgoing_total)]
    for group in (
        d.incoming_by_status,
        d.incoming_by_period,
        d.incoming_by_type,
        d.incoming_by_organ,
        d.outgoing_by_period,
        d.outgoing_by_unit,
        d.outgoing_by_type,
        d.backlog_by_leader,
    ):
        result += [(c.params(), c.value) for c in group]
    for name in ("all", "on_time", "late", "within", "overdue", "completed", "open"):
        result.append(({"figure": "work", "value": name}, getattr(d.work, name)))
        for row in d.work_by_unit:
            result.append(({"figure": "work", "value": name, "bucket": row.bucket.key}, getattr(row.counts, name)))
    for name in ("all", "within", "overdue"):
        result.append(({"figure": "backlog", "value": name}, getattr(d.backlog, name)))
        for row in d.backlog_by_unit:
            result.append(({"figure": "backlog", "value": name, "bucket": row.bucket.key}, getattr(row.counts, name)))
    result.append(({"figure": "processing"}, d.processing.completed))
    return result


def _viewers(stats: Stats) -> list[Any]:
    w = stats.world
    return [
        stats.leader,
        w.ministry_clerk,
        w.unit_clerk,
        w.leader,
        w.other_clerk,
        stats.pc_leader,
        stats.team_leader,
        w.specialist,
    ]


def test_every_figure_lists_as_many_documents_as_it_counts(stats: Stats, at_now: Any) -> None:
    period = Period.build(**MARCH)
    checked = 0
    for viewer in _viewers(stats):
        scope = scope_for(viewer)
        d = dashboard(scope=scope, period=period)
        for params, value in _figures(d):
            rows = figure_documents(
                scope=scope,
                period=period,
                figure=params["figure"],
                value=params.get("value", ""),
                bucket=params.get("bucket", ""),
            )
            assert rows.rows.count() == value, (viewer.username, params)
            checked += 1
    assert checked > 300


def test_a_drill_down_never_lists_what_the_viewer_may_not_see(stats: Stats, at_now: Any) -> None:
    from vanban.incoming.selectors import incoming_visible_to

    period = Period.build(**MARCH)
    for viewer in _viewers(stats):
        scope = scope_for(viewer)
        visible = set(incoming_visible_to(viewer).values_list("pk", flat=True))
        rows = figure_documents(scope=scope, period=period, figure="incoming")
        assert set(rows.rows.values_list("pk", flat=True)) <= visible
        work = figure_documents(scope=scope, period=period, figure="work")
        assert set(work.rows.values_list("document_id", flat=True)) <= visible


def test_the_overdue_drill_down_names_the_document(stats: Stats, at_now: Any, web_client: Any) -> None:
    query = urlencode({"date_from": "2026-03-01", "date_to": "2026-03-31", "figure": "work", "value": "overdue"})
    page = web_client(stats.leader).get(reverse("web:reports_figure") + "?" + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-incoming="{stats.docs["B"].pk}"' in html
    assert f'data-incoming="{stats.docs["A"].pk}"' not in html
    assert 'data-testid="figure-count">1<' in html


def test_web_and_api_lists_match_the_dashboard_links(
    stats: Stats, at_now: Any, web_client: Any, api_client: Any
) -> None:
    viewer = stats.world.unit_clerk
    body = (
        api_client(viewer).get("/api/v1/reports/dashboard", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()
    )
    assert body["scope"] == "units" and body["incoming_total"]["value"] == 3
    figures = [body["incoming_total"], *body["incoming_by_type"], *body["incoming_by_organ"]]
    figures += [{"value": r["overdue"], "drilldown": r["drilldown"]["overdue"]} for r in body["work_by_unit"]]
    figures.append({"value": body["processing"]["completed"], "drilldown": body["processing"]["drilldown"]})
    client = web_client(viewer)
    for f in figures:
        listed = api_client(viewer).get("/api/v1/reports/documents", f["drilldown"]).json()
        assert listed["count"] == f["value"], f
        page = client.get(reverse("web:reports_figure") + "?" + urlencode(f["drilldown"]))
        assert f'data-testid="figure-count">{f["value"]}<' in page.content.decode()


def test_a_drill_down_outside_the_viewers_units_is_refused(
    stats: Stats, at_now: Any, web_client: Any, api_client: Any
) -> None:
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31", "figure": "incoming", "unit": stats.world.other.pk}
    response = api_client(stats.world.unit_clerk).get("/api/v1/reports/documents", params)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    bad = api_client(stats.leader).get("/api/v1/reports/documents", {"figure": "work", "value": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_value"
    page = web_client(stats.world.unit_clerk).get(reverse("web:reports_figure") + "?" + urlencode(params))
    assert page.status_code == 400


def test_direct_tasks_count_in_the_backlog_of_every_view_that_holds_them(
    stats: Stats, at_now: Any, web_client: Any, api_client: Any
) -> None:
    """A direct task (giao việc, no document) given to a unit counts in that unit's
    backlog for the ministry, the unit's clerk and its leader; a task given to a person
    counts in their own view, and only where the viewer may open the task. Its drill-down row names the task and links to it, on the
    page and in the API, where `document_id` is null and `task_id` set."""
    from freezegun import freeze_time

    from vanban.workflow import services as workflow
    from vanban.workflow.models import Assignment
    from vanban.workflow.services import AssigneeSpec

    w = stats.world
    with freeze_time("2026-03-10 02:00:00"):
        to_dept = workflow.create_task(
            actor=stats.leader,
            title="Rà soát quy chế làm việc của Cục",
            assignees=[AssigneeSpec("lead", unit=w.dept, deadline=dt.date(2026, 3, 13))],
        )
        to_person = workflow.create_task(
            actor=w.leader,
            title="Tổng hợp số liệu xuất khẩu tuần",
            assignees=[AssigneeSpec("lead", user=w.specialist, deadline=dt.date(2026, 3, 20))],
        )
    period = Period.build(**MARCH)
    before = {
        v.username: dashboard(scope=scope_for(v), period=period).backlog
        for v in (stats.leader, w.unit_clerk, w.other_clerk, w.specialist)
    }
    # The dept's task is overdue on 16/03; the specialist's is within its deadline. The
    # ministry leader does not read a task the Cục gave inside the Cục, so it is not counted.
    assert (before[stats.leader.username].all, before[stats.leader.username].overdue) == (3, 2)
    assert (before[w.unit_clerk.username].all, before[w.unit_clerk.username].overdue) == (3, 2)
    assert before[w.other_clerk.username].all == 0
    assert (before[w.specialist.username].all, before[w.specialist.username].within) == (1, 1)
    for viewer in (stats.leader, w.unit_clerk, w.leader, w.specialist):
        scope = scope_for(viewer)
        rows = figure_documents(scope=scope, period=period, figure="backlog", value="all").rows
        tasks = {a.task_id for a in rows if a.task_id}
        assert tasks == ({to_person.pk} if viewer == w.specialist else {to_dept.pk}), viewer.username
    lead = Assignment.objects.get(task=to_dept, role=Assignment.Role.LEAD)
    query = urlencode({"figure": "backlog", "value": "overdue"})
    page = web_client(w.unit_clerk).get(reverse("web:reports_figure") + "?" + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-assignment="{lead.pk}"' in html
    assert reverse("web:task", args=[to_dept.pk]) in html and "Rà soát quy chế làm việc của Cục" in html
    listed = api_client(w.unit_clerk).get("/api/v1/reports/documents", {"figure": "backlog", "value": "overdue"})
    assert listed.status_code == 200
    row = next(r for r in listed.json()["results"] if r["assignment_id"] == lead.pk)
    assert (row["document_id"], row["task_id"], row["subject"]) == (None, to_dept.pk, to_dept.title)
    assert web_client(w.unit_clerk).get(reverse("web:task", args=[to_dept.pk])).status_code == 200
