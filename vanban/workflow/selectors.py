"""Reads of the workflow: inboxes, counts, the assignment tree and the timeline.
Access is applied in SQL; a box only ever lists what its reader may open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from vanban.core.errors import NotFound
from vanban.incoming.models import IncomingDocument
from vanban.incoming.selectors import incoming_visible_to
from vanban.organisation.permissions import effective_roles
from vanban.organisation.roles import Role
from vanban.workflow.models import Assignment, ExtensionRequest, Presentation, Step, Task
from vanban.workflow.permissions import Identity, identity, task_visibility_q

DUE_SOON_DAYS = 3

BOXES = {
    "direct": "Chờ cho ý kiến chỉ đạo",
    "process": "Chủ trì xử lý",
    "cooperate": "Phối hợp",
    "info": "Để biết",
    "extensions": "Đề nghị gia hạn chờ duyệt",
    "followup": "Theo dõi việc đã giao",
}

ASSIGNMENT_RELATED = ("document", "document__register", "document__issuing_organ", "document__document_type",
                      "assignee_unit", "assignee_user", "assigned_by", "direction", "parent", "task")  # fmt: skip


@dataclass
class Filters:
    status: str = ""  # open | overdue | due_soon | completed | returned | all
    urgency: str = ""
    organ: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = ""  # deadline | -assigned_at | urgency


def _own_targets_q(ident: Identity) -> Q:
    """Assignments addressed to the reader: to them (or a principal), or to a unit where
    they hold a leader's post directly (not every sub-unit of it)."""
    q = Q(assignee_user_id__in=ident.user_ids)
    if ident.leader_unit_ids:
        q |= Q(assignee_unit_id__in=ident.leader_unit_ids)
    return q


def _urgency_rank(doc: str = "document__") -> Case:
    return Case(
        When(**{f"{doc}urgency": "hoa_toc"}, then=Value(0)),
        When(**{f"{doc}urgency": "thuong_khan"}, then=Value(1)),
        When(**{f"{doc}urgency": "khan"}, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def _document_filters(qs: QuerySet[Any], f: Filters, *, doc: str, at: str) -> QuerySet[Any]:
    """The filters every box shares: the document's urgency and issuing organ, and a
    period on the box's own date (`at`). `doc` is the path to the document ("" when the
    rows are documents)."""
    if f.urgency:
        qs = qs.filter(**{f"{doc}urgency": f.urgency})
    if f.organ:
        qs = qs.filter(**{f"{doc}issuing_organ__name__icontains": f.organ.strip()})
    if f.date_from:
        qs = qs.filter(**{f"{at}__date__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{at}__date__lte": f.date_to})
    return qs


def _apply_filters(qs: QuerySet[Assignment], f: Filters | None) -> QuerySet[Assignment]:
    f = f or Filters()
    today = timezone.localdate()
    if f.status == "open" or not f.status:
        qs = qs.filter(status__in=Assignment.OPEN_STATUSES)
    elif f.status == "overdue":
        qs = qs.filter(status__in=Assignment.OPEN_STATUSES, deadline__lt=today)
    elif f.status == "due_soon":
        qs = qs.filter(
            status__in=Assignment.OPEN_STATUSES, deadline__gte=today, deadline__lte=today + dt.timedelta(DUE_SOON_DAYS)
        )
    elif f.status in (Assignment.Status.COMPLETED, Assignment.Status.RETURNED, Assignment.Status.READ):
        qs = qs.filter(status=f.status)
    qs = _document_filters(qs, f, doc="document__", at="assigned_at")
    if f.sort == "deadline":
        return qs.order_by("deadline", "-assigned_at", "-pk")
    if f.sort == "urgency":
        return qs.annotate(urgency_rank=_urgency_rank()).order_by("urgency_rank", "deadline", "-pk")
    return qs.order_by("-assigned_at", "-pk")


def assignments_in_box(user: Any, box: str, filters: Filters | None = None) -> QuerySet[Assignment]:
    ident = identity(user)
    base = Assignment.objects.select_related(*ASSIGNMENT_RELATED)
    if not ident.user_ids:
        return base.none()
    if box == "process":
        qs = base.filter(_own_targets_q(ident), role=Assignment.Role.LEAD)
    elif box == "cooperate":
        qs = base.filter(_own_targets_q(ident), role=Assignment.Role.COOPERATE)
    elif box == "info":
        qs = base.filter(_own_targets_q(ident), role=Assignment.Role.INFO)
        if filters is None or not filters.status:
            # Unread first; "để biết" has no deadline, so "open" means not read yet.
            return _apply_filters(qs, Filters(status="all", sort=filters.sort if filters else "")).order_by(
                "read_at", "-assigned_at", "-pk"
            )
    elif box == "followup":
        qs = base.filter(assigned_by_id__in=ident.user_ids).exclude(role=Assignment.Role.INFO)
    elif box == "unit":
        paths = ident.leader_paths + ident.clerk_paths
        if not paths:
            return base.none()
        q = Q()
        for path in paths:
            q |= Q(assignee_unit__path__startswith=path)
        qs = base.filter(q)
    else:
        raise NotFound("Không có hộp việc này.")
    return _apply_filters(qs, filters)


def presentations_to_direct(user: Any, filters: Filters | None = None) -> QuerySet[Presentation]:
    ident = identity(user)
    qs = Presentation.objects.filter(leader_id__in=ident.user_ids, status=Presentation.Status.PENDING)
    qs = qs.select_related("document", "document__register", "document__issuing_organ", "presented_by", "leader")
    f = filters or Filters()
    qs = _document_filters(qs, f, doc="document__", at="presented_at")
    if f.sort == "deadline":
        return qs.order_by("document__due_date", "-presented_at", "-pk")
    if f.sort == "urgency":
        return qs.annotate(urgency_rank=_urgency_rank()).order_by("urgency_rank", "-presented_at", "-pk")
    return qs.order_by("-presented_at", "-pk")


def extensions_to_decide(user: Any) -> QuerySet[ExtensionRequest]:
    ident = identity(user)
    return (
        ExtensionRequest.objects.filter(
            assignment__assigned_by_id__in=ident.user_ids, status=ExtensionRequest.Status.PENDING
        )
        .select_related("assignment", "assignment__document", "assignment__task", "assignment__assignee_unit",
                        "assignment__assignee_user", "requested_by")
        .order_by("requested_at", "pk")
    )


def awaiting_presentation(user: Any, filters: Filters | None = None) -> QuerySet[IncomingDocument]:
    """The clerk's "chờ trình": registered documents of the registers they keep, not yet
    presented (or back after a return)."""
    clerk = any(r.role in (Role.MINISTRY_CLERK, Role.UNIT_CLERK) for r in effective_roles(user))
    if not clerk:
        return IncomingDocument.objects.none()
    q = Q(register__unit__isnull=True) if _is_ministry_clerk(user) else Q(pk__in=[])
    for r in effective_roles(user):
        if r.role == Role.UNIT_CLERK and r.unit_path:
            q |= Q(register__unit__path__startswith=r.unit_path)
    docs = incoming_visible_to(user).filter(q, status=IncomingDocument.Status.REGISTERED)
    f = filters or Filters()
    docs = _document_filters(docs, f, doc="", at="arrival_date")
    if f.sort == "urgency":
        return docs.annotate(urgency_rank=_urgency_rank("")).order_by("urgency_rank", "-arrival_date", "-pk")
    if f.sort == "deadline":
        return docs.order_by("due_date", "-arrival_date", "-pk")
    return docs


def _is_ministry_clerk(user: Any) -> bool:
    return any(r.role == Role.MINISTRY_CLERK for r in effective_roles(user))


def counts(user: Any) -> dict[str, int]:
    """The numbers shown in the navigation and on "Việc của tôi": one aggregate query
    over the reader's assignments, plus the leader's and the clerk's queues only for
    those who have one (this runs on every page)."""
    ident = identity(user)
    if not ident.user_ids:
        return {}
    today = timezone.localdate()
    open_q = Q(status__in=Assignment.OPEN_STATUSES)
    totals = Assignment.objects.filter(_own_targets_q(ident)).aggregate(
        process=Count("pk", filter=open_q & Q(role=Assignment.Role.LEAD)),
        cooperate=Count("pk", filter=open_q & Q(role=Assignment.Role.COOPERATE)),
        info=Count("pk", filter=Q(role=Assignment.Role.INFO, status=Assignment.Status.ASSIGNED)),
        overdue=Count("pk", filter=open_q & ~Q(role=Assignment.Role.INFO) & Q(deadline__lt=today)),
    )
    result = {k: int(v or 0) for k, v in totals.items()}
    roles = {r.role for r in effective_roles(user)}
    if roles & {Role.MINISTRY_LEADER, Role.UNIT_LEADER}:
        result["direct"] = presentations_to_direct(user).count()
        result["extensions"] = extensions_to_decide(user).count()
    if roles & {Role.MINISTRY_CLERK, Role.UNIT_CLERK}:
        result["awaiting"] = awaiting_presentation(user).count()
    result["total"] = sum(result.get(k, 0) for k in ("direct", "process", "cooperate", "info", "extensions"))
    return result


def leaders_for(document: IncomingDocument) -> list[Any]:
    """Whom a clerk can present the document to: the ministry's leaders, and for a
    unit's register the leaders of that unit and its parents."""
    from django.contrib.auth import get_user_model

    from vanban.organisation.models import RoleGrant

    grants = RoleGrant.objects.filter(role=Role.MINISTRY_LEADER)
    unit = document.register.unit
    if unit is not None:
        ancestor_ids = [int(p) for p in unit.path.strip("/").split("/") if p]
        grants = grants | RoleGrant.objects.filter(role=Role.UNIT_LEADER, unit_id__in=ancestor_ids)
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, pk__in=grants.values("user_id"))
        .distinct()
        .order_by("full_name", "username")
    )


def assignment_tree(subject: IncomingDocument | Task) -> list[Assignment]:
    """Assignments in tree order (each followed by its children), with `depth`."""
    rows = list(
        Assignment.objects.filter(**_of(subject))
        .select_related("assignee_unit", "assignee_user", "assigned_by", "direction")
        .order_by("assigned_at", "pk")
    )
    children: dict[int | None, list[Assignment]] = {}
    for a in rows:
        children.setdefault(a.parent_id, []).append(a)
    role_order = {Assignment.Role.LEAD: 0, Assignment.Role.COOPERATE: 1, Assignment.Role.INFO: 2}
    ordered: list[Assignment] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for a in sorted(children.get(parent_id, []), key=lambda x: (role_order[x.role], x.assigned_at, x.pk)):
            a.depth = depth  # type: ignore[attr-defined]
            ordered.append(a)
            walk(a.pk, depth + 1)

    walk(None, 0)
    return ordered


def _of(subject: IncomingDocument | Task) -> dict[str, Any]:
    return {"task": subject} if isinstance(subject, Task) else {"document": subject}


def timeline(subject: IncomingDocument | Task) -> QuerySet[Step]:
    return Step.objects.filter(**_of(subject)).select_related(
        "actor", "on_behalf_of", "assignment", "assignment__assignee_unit", "assignment__assignee_user", "file"
    )


def assignment_timeline(assignment: Assignment) -> QuerySet[Step]:
    return Step.objects.filter(Q(assignment=assignment) | Q(assignment__parent=assignment)).select_related(
        "actor", "on_behalf_of", "assignment", "assignment__assignee_unit", "assignment__assignee_user", "file"
    )


def directions_of(subject: IncomingDocument | Task) -> QuerySet[Any]:
    from vanban.workflow.models import Direction

    return (
        Direction.objects.filter(**_of(subject))
        .select_related("author", "on_behalf_of", "parent_assignment", "parent_assignment__assignee_unit")
        .prefetch_related("assignments__assignee_unit", "assignments__assignee_user")
    )


def get_assignment_for(user: Any, pk: Any) -> Assignment:
    """An assignment of a document the user may read (NotFound otherwise)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    a = Assignment.objects.select_related(*ASSIGNMENT_RELATED).filter(pk=pk).first()
    if a is None or not subject_visible(user, a):
        raise NotFound("Không tìm thấy việc được giao.")
    return a


def subject_visible(user: Any, item: Any) -> bool:
    """Whether the user may read the document or task an assignment or step is about."""
    if item.document_id:
        return incoming_visible_to(user).filter(pk=item.document_id).exists()
    return tasks_visible_to(user).filter(pk=item.task_id).exists()


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    return Task.objects.filter(task_visibility_q(user)).select_related("created_by")


def get_task_for(user: Any, pk: Any) -> Task:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    task = tasks_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise NotFound("Không tìm thấy công việc.")
    return task


def get_presentation_for(user: Any, pk: Any) -> Presentation:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    p = Presentation.objects.select_related("document", "document__register", "leader").filter(pk=pk).first()
    if p is None or not incoming_visible_to(user).filter(pk=p.document_id).exists():
        raise NotFound("Không tìm thấy văn bản trình.")
    return p


def get_extension_for(user: Any, pk: Any) -> ExtensionRequest:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    r = ExtensionRequest.objects.select_related("assignment", "assignment__document").filter(pk=pk).first()
    if r is None or not subject_visible(user, r.assignment):
        raise NotFound("Không tìm thấy đề nghị gia hạn.")
    return r


def pending_presentation(document: IncomingDocument) -> Presentation | None:
    return document.presentations.filter(status=Presentation.Status.PENDING).select_related("leader").first()


def direction_scope(presentation: Presentation) -> Any:
    """The unit a direction must stay inside (a unit leader directing their unit's own
    register), or None (a ministry leader assigns anywhere)."""
    from vanban.organisation.permissions import has_role

    unit = presentation.document.register.unit
    if unit is not None and not has_role(presentation.leader, Role.MINISTRY_LEADER):
        return unit
    return None


def assignable_within(unit: Any | None) -> dict[str, list[Any]]:
    """Choices of a direction form: units and people; inside `unit` (its sub-units and
    the people posted there) when given."""
    from django.contrib.auth import get_user_model

    from vanban.organisation.models import Appointment, Unit

    User = get_user_model()
    units = Unit.objects.filter(status=Unit.Status.ACTIVE)
    people = User.objects.filter(is_active=True)
    today = timezone.localdate()
    posted = Appointment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    if unit is not None:
        units = units.filter(path__startswith=unit.path).exclude(pk=unit.pk)
        posted = posted.filter(unit__path__startswith=unit.path)
    people = people.filter(pk__in=posted.values("user_id"))
    return {
        "units": list(units.order_by("path")),
        "people": list(people.order_by("full_name", "username")),
    }


# --- "Công việc được giao": the direct tasks a person gave or takes part in ------------------

TASK_STATUSES = {
    "open": "Đang xử lý",
    "overdue": "Quá hạn",
    "due_soon": "Sắp đến hạn",
    "completed": "Đã hoàn thành",
    "all": "Tất cả",
}
TASK_RELATIONS = {
    "assigned": "Tôi giao",
    "lead": "Tôi chủ trì",
    "cooperate": "Tôi phối hợp",
    "info": "Để biết",
}


@dataclass
class TaskFilters:
    status: str = "open"  # a key of TASK_STATUSES
    relation: str = ""  # a key of TASK_RELATIONS, or "" for every task the reader may see


def _task_lead() -> QuerySet[Assignment]:
    """The task's own lead assignment (not a re-assignment inside a unit): its deadline
    and state are the task's."""
    return Assignment.objects.filter(task=OuterRef("pk"), parent__isnull=True, role=Assignment.Role.LEAD).order_by(
        "pk"
    )


def _annotated_tasks(user: Any) -> QuerySet[Task]:
    """Tasks the user may read, each with its lead's deadline, state and assignee, whether
    it is late, and what the reader is in it: all computed in the one SQL query."""
    ident = identity(user)
    today = timezone.localdate()
    lead = _task_lead()
    mine = Assignment.objects.filter(_own_targets_q(ident), task=OuterRef("pk")) if ident.user_ids else None
    given = Assignment.objects.filter(task=OuterRef("pk"), assigned_by_id__in=ident.user_ids)
    qs = tasks_visible_to(user).annotate(
        lead_deadline=Subquery(lead.values("deadline")[:1]),
        lead_status=Subquery(lead.values("status")[:1]),
        lead_progress=Subquery(lead.values("progress")[:1]),
        lead_user_name=Subquery(lead.values("assignee_user__full_name")[:1]),
        lead_username=Subquery(lead.values("assignee_user__username")[:1]),
        lead_unit_name=Subquery(lead.values("assignee_unit__name")[:1]),
        i_assigned=Case(
            When(Q(created_by_id__in=ident.user_ids) | Q(Exists(given)), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    for role in (Assignment.Role.LEAD, Assignment.Role.COOPERATE, Assignment.Role.INFO):
        flag = Exists(mine.filter(role=role)) if mine is not None else Value(False)
        qs = qs.annotate(**{f"i_{role}": flag})
    return qs.annotate(
        overdue=Case(
            When(
                status=Task.Status.IN_PROGRESS,
                lead_status__in=Assignment.OPEN_STATUSES,
                lead_deadline__lt=today,
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _task_status_q(status: str) -> Q:
    today = timezone.localdate()
    in_progress = Q(status=Task.Status.IN_PROGRESS)
    lead_open = Q(lead_status__in=Assignment.OPEN_STATUSES)
    if status == "overdue":
        return in_progress & lead_open & Q(lead_deadline__lt=today)
    if status == "due_soon":
        return in_progress & lead_open & Q(lead_deadline__gte=today, lead_deadline__lte=today + dt.timedelta(DUE_SOON_DAYS))
    if status == "completed":
        return Q(status=Task.Status.COMPLETED)
    if status == "all":
        return Q()
    return in_progress


def _task_relation_q(relation: str) -> Q:
    if relation == "assigned":
        return Q(i_assigned=True)
    if relation in (Assignment.Role.LEAD, Assignment.Role.COOPERATE, Assignment.Role.INFO):
        return Q(**{f"i_{relation}": True})
    return Q()


def task_list(user: Any, filters: TaskFilters | None = None) -> QuerySet[Task]:
    """"Công việc được giao": the direct tasks the reader gave, leads, cooperates on or is
    informed of (or, without a relation, every task they may read), by state. Work in
    progress comes nearest deadline first; completed work most recently completed first."""
    f = filters or TaskFilters()
    if f.status not in TASK_STATUSES or (f.relation and f.relation not in TASK_RELATIONS):
        raise NotFound("Không có bộ lọc công việc này.")
    qs = _annotated_tasks(user).filter(_task_relation_q(f.relation), _task_status_q(f.status))
    if f.status == "completed":
        return qs.order_by(F("completed_at").desc(nulls_last=True), "-pk")
    if f.status == "all":
        return qs.order_by("-created_at", "-pk")
    return qs.order_by(F("lead_deadline").asc(nulls_last=True), "-created_at", "-pk")


def task_counts(user: Any, relation: str = "") -> dict[str, int]:
    """How many tasks each state tab holds, for the relation chosen: one aggregate query."""
    if relation and relation not in TASK_RELATIONS:
        raise NotFound("Không có bộ lọc công việc này.")
    qs = _annotated_tasks(user).filter(_task_relation_q(relation))
    totals = qs.aggregate(**{key: Count("pk", filter=_task_status_q(key) or None) for key in TASK_STATUSES})
    return {k: int(v or 0) for k, v in totals.items()}
