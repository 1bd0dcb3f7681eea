"""The read models (reports.WorkSummary, reports.IncomingUnit) stay exactly what a fresh
rebuild makes, and what the assignments, documents and registers say, after real
service calls, bulk updates and deletes; and the dashboard read from them keeps the
hand-counted figures of conftest.py and the figures read from the source tables."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q
from freezegun import freeze_time

from vanban.documents.models import DocumentType, Register
from vanban.incoming.models import IncomingDocument
from vanban.reports import summary
from vanban.reports.models import IncomingUnit, WorkSummary
from vanban.reports.scope import Period, scope_for
from vanban.reports.selectors import (
    dashboard,
    incoming_breakdowns,
    incoming_in_period,
    incoming_unit_rows,
    no_jit,
)
from vanban.reports.summary import rebuild_all, rebuild_summary
from vanban.reports.tests.conftest import MARCH, NOW, Stats
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, ExtensionRequest, Step
from vanban.workflow.services import AssigneeSpec

FIELDS = (
    "assignment_id",
    "document_id",
    "arrival_date",
    "assignee_user_id",
    "own_unit",
    "under_lead",
    "parent_lead_unit",
    "status",
    "deadline",
    "closed_day",
    "secs",
)
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def rows() -> list[tuple[Any, ...]]:
    return sorted(WorkSummary.objects.values_list(*FIELDS))


def from_assignments() -> list[tuple[Any, ...]]:
    """The rows worked out in Python from the assignments, independently of summary.py."""
    result = []
    leads = Assignment.objects.filter(role=Assignment.Role.LEAD).exclude(status=Assignment.Status.RETURNED)
    for a in leads.select_related("parent", "document"):
        p, d = a.parent, a.document
        under = p is not None and p.role == Assignment.Role.LEAD
        secs = None
        if a.status == Assignment.Status.COMPLETED and a.closed_at and d is not None:
            secs = (a.closed_at - d.registered_at).total_seconds()
        result.append(
            (
                a.pk,
                a.document_id,
                d.arrival_date if d else None,
                a.assignee_user_id,
                a.assignee_unit_id or (p.assignee_unit_id if p else None),
                under,
                p.assignee_unit_id if under else None,
                a.status,
                a.deadline,
                a.closed_at.astimezone(VN).date() if a.closed_at else None,
                secs,
            )
        )
    return sorted(result)


IU_FIELDS = ("document_id", "unit_id", "arrival_date", "status", "document_type_id", "issuing_organ_id")


def incoming_rows() -> list[tuple[Any, ...]]:
    return sorted(IncomingUnit.objects.values_list(*IU_FIELDS))


def from_documents() -> list[tuple[Any, ...]]:
    """The incoming rows worked out in Python, independently of summary.py: a document
    belongs to its register's unit and to every unit holding an assignment of it that
    was not returned, whatever the assignment's role."""
    result = []
    for d in IncomingDocument.objects.select_related("register"):
        units = {d.register.unit_id} if d.register.unit_id is not None else set()
        units |= {
            a.assignee_unit_id
            for a in d.assignments.all()
            if a.assignee_unit_id is not None and a.status != Assignment.Status.RETURNED
        }
        result += [(d.pk, u, d.arrival_date, d.status, d.document_type_id, d.issuing_organ_id) for u in units]
    return sorted(result)


def assert_in_step() -> None:
    live = rows()
    expected = from_assignments()
    assert [r[:-1] for r in live] == [r[:-1] for r in expected]
    for got, want in zip(live, expected, strict=True):
        assert (got[-1] is None) == (want[-1] is None)
        if want[-1] is not None:
            assert abs(got[-1] - want[-1]) < 0.01
    live_incoming = incoming_rows()
    assert live_incoming == from_documents()
    assert rebuild_all() == (len(live), len(live_incoming))
    assert rows() == live
    assert incoming_rows() == live_incoming


def incoming_figures(viewer: Any) -> tuple[Any, ...]:
    """A viewer's incoming breakdowns read from the read model, and read from the
    documents and assignments as `incoming_base` filters them (they must agree)."""
    scope, period = scope_for(viewer), Period.build(**MARCH)
    narrow = incoming_unit_rows(scope, period)
    assert narrow is not None
    with no_jit():
        got = incoming_breakdowns(narrow, period)
        want = incoming_breakdowns(incoming_in_period(scope, period), period)
    assert got[0] == want[0] and got[1] == want[1]
    assert sorted(got[2]) == sorted(want[2]) and sorted(got[3]) == sorted(want[3])
    return got[0], got[1], sorted(got[2]), sorted(got[3])


def figures(viewer: Any) -> tuple[Any, ...]:
    d = dashboard(scope=scope_for(viewer), period=Period.build(**MARCH))
    work = (d.work.all, d.work.on_time, d.work.late, d.work.within, d.work.overdue)
    backlog = (d.backlog.all, d.backlog.within, d.backlog.overdue)
    per_unit = [(r.bucket.key, r.counts.all, r.counts.on_time, r.counts.late, r.counts.overdue) for r in d.work_by_unit]
    p = d.processing
    incoming = [(c.figure, c.key, c.value) for c in d.incoming_by_status + d.incoming_by_type + d.incoming_by_organ]
    return work, backlog, per_unit, (p.completed, p.average_days, p.median_days, p.p90_days), incoming


def test_the_fixture_calls_leave_the_model_in_step(stats: Stats, at_now: Any) -> None:
    # A (Cục → Phòng → chuyên viên), B, C, F: six leads, none returned.
    assert WorkSummary.objects.count() == 6
    assert_in_step()
    person = WorkSummary.objects.get(assignee_user_id=stats.world.specialist.pk)
    assert person.own_unit == stats.world.team.pk
    assert person.parent_lead_unit == stats.world.team.pk
    assert person.closed_day == dt.date(2026, 3, 5)
    assert person.secs == 3 * 86400.0
    # A: dept, team (re-assigned) and other (phối hợp); B: dept; C: other; F: the dept's
    # register and team. D, E and G belong to no unit.
    w, docs = stats.world, stats.docs
    assert sorted(IncomingUnit.objects.values_list("document_id", "unit_id")) == sorted(
        [
            (docs["A"].pk, w.dept.pk),
            (docs["A"].pk, w.team.pk),
            (docs["A"].pk, w.other.pk),
            (docs["B"].pk, w.dept.pk),
            (docs["C"].pk, w.other.pk),
            (docs["F"].pk, w.dept.pk),
            (docs["F"].pk, w.team.pk),
        ]
    )
    # Five rows under the dept's subtree, three documents: A and F counted once.
    assert sum(incoming_figures(w.unit_clerk)[0].values()) == 3
    assert sum(incoming_figures(w.other_clerk)[0].values()) == 2
    assert sum(incoming_figures(stats.team_leader)[0].values()) == 2


def test_later_calls_bulk_updates_and_deletes_stay_in_step(stats: Stats) -> None:
    w = stats.world
    with freeze_time("2026-03-06 02:00:00"):
        workflow.report_progress(actor=stats.team_leader, assignment=stats.leads["F"], progress=40)
        ext = workflow.request_extension(
            actor=stats.team_leader,
            assignment=stats.leads["F"],
            new_deadline=dt.date(2026, 3, 27),
            reason="Chờ số liệu",
        )
        workflow.decide_extension(actor=w.leader, request=ExtensionRequest.objects.get(pk=ext.pk), approve=True)
        workflow.return_assignment(actor=w.leader, assignment=stats.leads["B"], reason="Không thuộc chức năng")
        workflow.create_task(
            actor=stats.leader, title="Rà soát quy chế", assignees=[AssigneeSpec("lead", unit=w.other)]
        )
        e = stats.docs["E"]
        pres = workflow.present(actor=w.ministry_clerk, document=e, leader=stats.leader)
        lead_e = workflow.direct(
            actor=stats.leader, presentation=pres, text="Giao", assignees=[AssigneeSpec("lead", unit=w.dept)]
        ).assignments.get(role=Assignment.Role.LEAD)
        child = workflow.reassign(
            actor=w.leader, assignment=lead_e, text="Phòng", assignees=[AssigneeSpec("lead", unit=w.team)]
        ).assignments.get()
    assert WorkSummary.objects.get(pk=stats.leads["F"].pk).deadline == dt.date(2026, 3, 27)
    assert WorkSummary.objects.get(pk=stats.leads["F"].pk).status == Assignment.Status.IN_PROGRESS
    assert not WorkSummary.objects.filter(pk=stats.leads["B"].pk).exists()
    assert WorkSummary.objects.filter(document_id__isnull=True).count() == 1
    assert_in_step()

    # Writes that run no Python code: bulk updates of a parent (its child's own unit and
    # parent lead follow), of the document dates, and a delete.
    Assignment.objects.filter(pk=lead_e.pk).update(assignee_unit=w.other)
    assert WorkSummary.objects.get(pk=child.pk).parent_lead_unit == w.other.pk
    IncomingDocument.objects.filter(pk=stats.docs["A"].pk).update(
        registered_at=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC), arrival_date=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    )
    assert WorkSummary.objects.get(pk=stats.leads["A"].pk).secs == 4 * 86400.0
    Assignment.objects.filter(Q(pk=child.pk) | Q(parent=child)).update(status=Assignment.Status.COMPLETED)
    assert_in_step()
    Step.objects.filter(assignment=child).delete()
    Assignment.objects.filter(pk=child.pk).delete()
    assert not WorkSummary.objects.filter(pk=child.pk).exists()
    assert_in_step()

    # The incoming read model under bulk writes: a document's grouped columns, a unit's
    # assignment returned without the service, a register moved to another unit.
    f = stats.docs["F"]
    other_type = DocumentType.objects.exclude(pk=f.document_type_id).order_by("pk").first()
    assert other_type is not None
    IncomingDocument.objects.filter(pk=f.pk).update(status=IncomingDocument.Status.COMPLETED, document_type=other_type)
    assert set(IncomingUnit.objects.filter(document_id=f.pk).values_list("status", "document_type_id")) == {
        (IncomingDocument.Status.COMPLETED, other_type.pk)
    }
    Assignment.objects.filter(document=f, assignee_unit=w.team).update(status=Assignment.Status.RETURNED)
    assert not IncomingUnit.objects.filter(document_id=f.pk, unit_id=w.team.pk).exists()
    Register.objects.filter(pk=f.register_id).update(unit=w.other)
    assert set(IncomingUnit.objects.filter(document_id=f.pk).values_list("unit_id", flat=True)) == {w.other.pk}
    assert_in_step()
    Register.objects.filter(pk=f.register_id).update(unit=w.dept)
    assert_in_step()

    # The dashboards read from the trigger-kept rows equal those after a rebuild.
    with freeze_time(NOW):
        viewers = (stats.leader, w.unit_clerk, stats.team_leader, w.specialist)
        live = {v.pk: figures(v) for v in viewers}
        rebuild_summary()
        assert {v.pk: figures(v) for v in viewers} == live
        for viewer in (w.unit_clerk, w.other_clerk, stats.team_leader):
            incoming_figures(viewer)


def test_rebuild_command_rewrites_a_damaged_model(stats: Stats, at_now: Any, capsys: Any) -> None:
    expected = figures(stats.leader)
    clerk = figures(stats.world.unit_clerk)
    WorkSummary.objects.filter(pk=stats.leads["A"].pk).delete()
    WorkSummary.objects.filter(pk=stats.leads["C"].pk).update(status=Assignment.Status.ASSIGNED)
    assert figures(stats.leader) != expected
    IncomingUnit.objects.filter(document_id=stats.docs["B"].pk).delete()
    assert figures(stats.world.unit_clerk) != clerk
    call_command("reports", "rebuild-summary")
    out = capsys.readouterr().out
    assert "6 dòng tổng hợp việc chủ trì và 7 dòng tổng hợp văn bản đến" in out
    assert figures(stats.leader) == expected
    assert figures(stats.world.unit_clerk) == clerk
    assert_in_step()


def test_an_engine_without_triggers_is_refused_rather_than_left_unsummarised() -> None:
    from types import SimpleNamespace

    from django.core.exceptions import ImproperlyConfigured

    editor = SimpleNamespace(connection=SimpleNamespace(vendor="mysql"), execute=lambda sql: None)
    for install in (summary.install_triggers, summary.install_incoming_triggers):
        with pytest.raises(ImproperlyConfigured, match="mysql"):
            install(editor)
