"""Who is told what when the workflow moves: called by the workflow and outgoing
services inside their transactions, so a rolled-back action notifies nobody.

Kept here rather than in each service so that the wording and the choice of recipients
live in one place, and the services gain one line each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from vanban.core.timeutil import format_date, today
from vanban.notifications.services import notify
from vanban.organisation.roles import Role

# Who answers for a unit's assignment: its leaders, and its clerks who distribute work.
UNIT_RECEIVERS = (Role.UNIT_LEADER, Role.UNIT_CLERK)


def _doc_label(doc: Any) -> str:
    number = f"số {doc.code_number}/{doc.code_notation}" if doc.code_number and doc.code_notation else ""
    return " ".join(p for p in ("Văn bản", number) if p)


def unit_receivers(unit: Any) -> list[Any]:
    """The active leaders and clerks of `unit`; when it has none, those of the nearest
    unit above it, so a unit assignment always reaches someone."""
    from vanban.organisation.models import RoleGrant

    User = get_user_model()
    current = unit
    while current is not None:
        ids = RoleGrant.objects.filter(role__in=UNIT_RECEIVERS, unit=current).values("user_id")
        people = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
        if people:
            return people
        current = current.parent
    return []


def with_delegates(people: list[Any]) -> list[Any]:
    """The people and whoever acts for them today (ủy quyền): a delegate works the
    principal's queue, so they are told too."""
    from vanban.organisation.models import Delegation

    day = today()
    acting = Delegation.objects.filter(
        principal_id__in=[p.pk for p in people], revoked_at__isnull=True, start_date__lte=day, end_date__gte=day
    ).values("delegate_id")
    delegates = get_user_model().objects.filter(pk__in=acting, is_active=True).order_by("pk")
    return [*people, *delegates]


def assignments_created(assignments: Iterable[Any], *, actor: Any, direction_text: str = "") -> None:
    """ "assignment.assigned" to each new assignment's person, or its unit's leaders and
    clerks."""
    for a in assignments:
        doc = a.document
        # Direct tasks (giao việc trực tiếp) have no document: their title stands in.
        subject = doc.subject if doc is not None else a.task.title
        recipients = with_delegates([a.assignee_user] if a.assignee_user_id else unit_receivers(a.assignee_unit))
        if a.role == a.Role.INFO:
            title = f"{'Văn bản' if doc is not None else 'Công việc'} gửi để biết: {subject}"
        else:
            who = f" – {a.assignee_unit.name}" if a.assignee_unit_id else ""
            title = f"Được giao {a.get_role_display().lower()} xử lý{who}: {subject}"
        if doc is not None:
            lines = [f"{_doc_label(doc)} của {doc.issuing_organ.name}, số đến {doc.arrival_number}."]
        else:
            lines = [f"Công việc «{a.task.title}»."]
        if a.deadline:
            lines.append(f"Hạn xử lý: {format_date(a.deadline)}.")
        if direction_text:
            lines.append(f"Ý kiến chỉ đạo: {direction_text}")
        notify(
            recipients=recipients,
            kind="assignment.assigned",
            title=title,
            body="\n".join(lines),
            url=reverse("web:assignment", args=[a.pk]),
            actor=actor,
            target=a,
            dedupe_key=f"assignment.assigned:{a.pk}",
        )


def presentation_received(presentation: Any, *, actor: Any) -> None:
    """ "presentation.received" to the leader a document is presented (or forwarded) to."""
    doc = presentation.document
    lines = [f"{_doc_label(doc)} của {doc.issuing_organ.name}, số đến {doc.arrival_number}."]
    if presentation.proposal:
        lines.append(f"Đề xuất: {presentation.proposal}")
    notify(
        recipients=with_delegates([presentation.leader]),
        kind="presentation.received",
        title=f"Văn bản trình xin ý kiến chỉ đạo: {doc.subject}",
        body="\n".join(lines),
        url=reverse("web:direct", args=[presentation.pk]),
        actor=actor,
        target=presentation,
        dedupe_key=f"presentation.received:{presentation.pk}",
    )


def review_pending(task: Any, *, actor: Any, note: str = "") -> None:
    """ "outgoing.review" to the reviewer whose turn it now is on a draft."""
    doc = task.document
    lines = [f"Bước duyệt: {task.get_step_display()} (lần trình {task.round})."]
    if note:
        lines.append(f"Nội dung trình: {note}")
    notify(
        recipients=with_delegates([task.reviewer]),
        kind="outgoing.review",
        title=f"Dự thảo chờ duyệt: {doc.subject}",
        body="\n".join(lines),
        url=reverse("web:outgoing_detail", args=[doc.pk]),
        actor=actor,
        target=task,
        dedupe_key=f"outgoing.review:{task.pk}",
    )


def outgoing_recalled(doc: Any, *, actor: Any, reason: str) -> None:
    """ "outgoing.recalled" to the internal recipients of an issued document that was
    recalled: the people it was sent to, and for a unit its leaders and clerks, each
    linked to the copy registered in their incoming flow."""
    number = f"số {doc.number_symbol} " if getattr(doc, "number_symbol", "") else ""
    for recipient in doc.recipients.select_related("unit", "user", "incoming"):
        if recipient.user_id:
            people = [recipient.user]
        elif recipient.unit_id:
            people = unit_receivers(recipient.unit)
        else:
            continue
        url = reverse("web:incoming_detail", args=[recipient.incoming_id]) if recipient.incoming_id else ""
        notify(
            recipients=with_delegates(people),
            kind="outgoing.recalled",
            title=f"Văn bản {number}bị thu hồi: {doc.subject}",
            body=f"Lý do thu hồi: {reason}",
            url=url,
            actor=actor,
            target=doc,
            dedupe_key=f"outgoing.recalled:{doc.pk}",
        )
