"""The yearly file plan: headings, entries, retention, draft → approved → published,
copied forward to the next year."""

from __future__ import annotations

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, PermissionDenied, ValidationFailed
from vanban.records import services
from vanban.records.models import DossierPlan
from vanban.records.retention import parse_retention
from vanban.records.tests.conftest import Shelf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "expected"), [
    ("10", (10, False)), ("20 năm", (20, False)), (5, (5, False)), ("Vĩnh viễn", (None, True)),
    ("  vĩnh   VIỄN ", (None, True)),
])  # fmt: skip
def test_retention_is_years_or_permanent(text: object, expected: tuple[int | None, bool]) -> None:
    assert parse_retention(text) == expected


@pytest.mark.parametrize("text", ["", "mười năm", "vinh vien", "0", "-3", "10 tháng", "1000", "Hết hiệu lực", True])
def test_other_retention_is_refused_with_a_clear_message(text: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_retention(text)
    assert err.value.code == "retention_invalid"
    assert "Vĩnh viễn" in err.value.message and err.value.field == "retention"


def test_clerk_builds_plan_leader_approves_clerk_publishes(shelf: Shelf) -> None:
    w = shelf.world
    plan = shelf.plan(publish=False)
    assert plan.state == DossierPlan.State.DRAFT
    entry = shelf.entry(plan)
    assert (entry.retention_years, entry.retention_label, entry.responsible) == (10, "10 năm", w.specialist)
    assert shelf.entry(plan, "02.XNK").retention_label == "Vĩnh viễn"
    with pytest.raises(PermissionDenied):
        services.approve_plan(actor=w.ministry_clerk, plan=plan)
    with pytest.raises(Conflict):
        services.publish_plan(actor=w.ministry_clerk, plan=plan)
    services.approve_plan(actor=shelf.leader, plan=plan)
    with pytest.raises(Conflict) as err:
        services.add_heading(actor=w.ministry_clerk, plan=plan, code="II", title="Pháp chế")
    assert err.value.code == "plan_not_draft"
    services.publish_plan(actor=w.ministry_clerk, plan=plan)
    plan.refresh_from_db()
    assert plan.state == DossierPlan.State.PUBLISHED and plan.approved_by == shelf.leader
    actions = set(AuditEvent.objects.filter(action__startswith="records.plan").values_list("action", flat=True))
    assert {"records.plan_created", "records.plan_entry_added", "records.plan_approved",
            "records.plan_published"} <= actions  # fmt: skip


def test_only_the_ministry_clerk_keeps_the_plan(shelf: Shelf) -> None:
    w = shelf.world
    for actor in (w.unit_clerk, w.specialist, shelf.leader, w.sysadmin):
        with pytest.raises(PermissionDenied):
            services.create_plan(actor=actor, year=2026)
    assert not DossierPlan.objects.exists()


def test_bad_entry_is_not_half_saved(shelf: Shelf) -> None:
    w = shelf.world
    plan = services.create_plan(actor=w.ministry_clerk, year=2026)
    heading = services.add_heading(actor=w.ministry_clerk, plan=plan, code="I", title="Tổng hợp")
    with pytest.raises(ValidationFailed) as err:
        services.add_entry(actor=w.ministry_clerk, plan=plan, heading=heading, notation="01.TH",
                           title="Hồ sơ hội nghị", retention="lâu dài", unit=w.dept)  # fmt: skip
    assert err.value.code == "retention_invalid"
    assert not plan.entries.exists()
    services.add_entry(actor=w.ministry_clerk, plan=plan, heading=heading, notation="01.TH", title="Hồ sơ hội nghị",
                       retention="Vĩnh viễn", unit=w.dept)  # fmt: skip
    with pytest.raises(Conflict):
        services.add_entry(actor=w.ministry_clerk, plan=plan, heading=heading, notation="01.th", title="Khác",
                           retention=5, unit=w.dept)  # fmt: skip


def test_copy_forward_makes_next_years_draft_with_the_same_entries(shelf: Shelf) -> None:
    w = shelf.world
    plan = shelf.plan(2026)
    new = services.copy_plan_forward(actor=w.ministry_clerk, plan=plan)
    assert (new.year, new.state, new.copied_from) == (2027, DossierPlan.State.DRAFT, plan)
    old_rows = [(e.heading.code, e.notation, e.title, e.retention_label, e.unit_id, e.responsible_id)
                for e in plan.entries.all()]  # fmt: skip
    new_rows = [(e.heading.code, e.notation, e.title, e.retention_label, e.unit_id, e.responsible_id)
                for e in new.entries.all()]  # fmt: skip
    assert new_rows == old_rows and len(new_rows) == 2
    with pytest.raises(Conflict) as err:
        services.copy_plan_forward(actor=w.ministry_clerk, plan=plan)
    assert err.value.code == "plan_exists"
    # The copy is a draft: the clerk adapts it before approval.
    services.remove_entry(actor=w.ministry_clerk, entry=new.entries.get(notation="02.XNK"))
    assert new.entries.count() == 1 and plan.entries.count() == 2
