"""The dashboard's aggregates apply no row-by-row `visibility_q`: they rely on every
viewer's view (Scope) lying inside what the viewer may read. These tests hold that
invariant for every kind of viewer — ministry, unit clerk and leader, a cooperating
unit, a sub-unit leader, a specialist, IT staff, a delegate acting for a unit leader —
over all time, with and without a unit filter, including work that was returned."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vanban.incoming.selectors import incoming_visible_to
from vanban.organisation import services as org
from vanban.organisation.roles import Role
from vanban.reports.scope import Period, scope_for
from vanban.reports.selectors import dashboard, incoming_base, work_items
from vanban.reports.tests.conftest import MARCH, Stats
from vanban.reports.tests.test_drilldown import _viewers as drilldown_viewers
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Task
from vanban.workflow.permissions import task_visibility_q
from vanban.workflow.services import AssigneeSpec

pytestmark = pytest.mark.django_db


def _viewers(stats: Stats) -> list[Any]:
    # The drill-down's viewers, plus the IT administrator, who reads no document.
    return [*drilldown_viewers(stats), stats.world.sysadmin]


def _assert_within_visibility(viewer: Any, unit: Any = None) -> None:
    scope = scope_for(viewer, unit=unit)
    visible = set(incoming_visible_to(viewer).values_list("pk", flat=True))
    docs = set(incoming_base(scope).values_list("pk", flat=True))
    assert docs <= visible, (viewer.username, docs - visible)
    work = set(work_items(scope).exclude(document__isnull=True).values_list("document_id", flat=True))
    assert work <= visible, (viewer.username, work - visible)
    readable_tasks = set(Task.objects.filter(task_visibility_q(viewer)).values_list("pk", flat=True))
    tasks = set(work_items(scope).exclude(task__isnull=True).values_list("task_id", flat=True))
    assert tasks <= readable_tasks, (viewer.username, tasks - readable_tasks)


def test_every_view_lies_inside_what_its_viewer_may_read(stats: Stats, at_now: Any) -> None:
    w = stats.world
    # Direct tasks given to a unit, to a sub-unit and to a person, by the ministry and by the dept.
    workflow.create_task(actor=stats.leader, title="Việc của Cục", assignees=[AssigneeSpec("lead", unit=w.dept)])
    workflow.create_task(actor=w.leader, title="Việc của Phòng", assignees=[AssigneeSpec("lead", unit=w.team)])
    workflow.create_task(actor=w.leader, title="Việc cá nhân", assignees=[AssigneeSpec("lead", user=w.specialist)])
    assert work_items(scope_for(w.leader)).filter(task__isnull=False).count() == 2  # the Cục's and the Phòng's
    for viewer in _viewers(stats):
        _assert_within_visibility(viewer)
    for unit in (w.dept, w.team, w.other):
        _assert_within_visibility(stats.leader, unit)
    _assert_within_visibility(w.unit_clerk, w.team)


def test_returned_work_leaves_the_units_view(stats: Stats, at_now: Any) -> None:
    """A unit that returns its lead no longer counts the document (nor the work), though
    the workflow still lets it read the document."""
    w = stats.world
    doc = stats.docs["E"]
    pres = workflow.present(actor=w.ministry_clerk, document=doc, leader=stats.leader)
    direction = workflow.direct(
        actor=stats.leader,
        presentation=pres,
        text="Giao xử lý",
        assignees=[AssigneeSpec("lead", unit=w.dept, deadline=dt.date(2026, 3, 30))],
    )
    lead = direction.assignments.get()
    period = Period.build(**MARCH)
    before = dashboard(scope=scope_for(w.unit_clerk), period=period)
    workflow.return_assignment(actor=w.leader, assignment=lead, reason="Không thuộc chức năng của Cục")
    assert Assignment.objects.get(pk=lead.pk).status == Assignment.Status.RETURNED
    after = dashboard(scope=scope_for(w.unit_clerk), period=period)
    assert (before.incoming_total, after.incoming_total) == (4, 3)
    assert (before.work.all, after.work.all) == (4, 3)
    assert doc.pk in set(incoming_visible_to(w.unit_clerk).values_list("pk", flat=True))
    _assert_within_visibility(w.unit_clerk)


def test_a_delegate_sees_the_principals_units_and_nothing_more(stats: Stats, at_now: Any, make_user: Any) -> None:
    w = stats.world
    deputy = make_user("pho.cuc", roles=[Role.SPECIALIST], unit=w.dept, full_name="Phó Cục trưởng")
    assert scope_for(deputy).kind == "own"
    org.create_delegation(
        actor=w.leader,
        principal=w.leader,
        delegate=deputy,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
        roles=[Role.UNIT_LEADER],
    )
    scope = scope_for(deputy)
    assert scope.kind == "units"
    d = dashboard(scope=scope, period=Period.build(**MARCH))
    # The same figures as the Cục's own leader: A, B (led by the Cục) and F (its register).
    leader = dashboard(scope=scope_for(w.leader), period=Period.build(**MARCH))
    assert (d.incoming_total, d.work.all, d.work.overdue) == (leader.incoming_total, leader.work.all, 1)
    assert d.incoming_total == 3
    _assert_within_visibility(deputy)
