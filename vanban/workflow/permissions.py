"""Who may act in the workflow, and the SQL scope of who may read a document because of it.

A person acts for themselves and, under a delegation, for its principal: the audit
event and the step then carry on_behalf_of. Unit assignments are worked by the unit's
leaders (a UNIT_LEADER grant covering the unit); person assignments by the person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from vanban.core.errors import PermissionDenied
from vanban.organisation.permissions import Authority, effective_roles
from vanban.organisation.roles import Role


@dataclass(frozen=True)
class Identity:
    """Whom the user may act as: themselves, then the principals of their delegations."""

    user_ids: tuple[int, ...]
    principals: dict[int, Any]
    leader_paths: tuple[str, ...]
    leader_unit_ids: tuple[int, ...]
    clerk_paths: tuple[str, ...]
    ministry_leader: bool


def identity(user: Any) -> Identity:
    roles = effective_roles(user)
    principals: dict[int, Any] = {}
    for r in roles:
        if r.delegation is not None:
            principals[r.delegation.principal_id] = r.delegation.principal
    leader = [r for r in roles if r.role == Role.UNIT_LEADER and r.unit_path]
    return Identity(
        user_ids=(user.pk, *sorted(principals)) if getattr(user, "pk", None) else (),
        principals=principals,
        leader_paths=tuple(sorted({r.unit_path for r in leader if r.unit_path})),
        leader_unit_ids=tuple(sorted({r.unit_id for r in leader if r.unit_id})),
        clerk_paths=tuple(
            sorted({r.unit_path for r in roles if r.role == Role.UNIT_CLERK and r.unit_path})
        ),
        ministry_leader=any(r.role == Role.MINISTRY_LEADER for r in roles),
    )


def _as(actor: Any, ident: Identity, user_id: int) -> Authority:
    if user_id == actor.pk:
        return Authority(actor=actor)
    return Authority(actor=actor, on_behalf_of=ident.principals[user_id])


def authorize_as_person(actor: Any, user_id: int | None) -> Authority:
    """The actor is `user_id` or holds a delegation from them."""
    ident = identity(actor)
    if user_id is None or user_id not in ident.user_ids:
        raise PermissionDenied()
    return _as(actor, ident, user_id)


def leads_unit(actor: Any, unit: Any) -> Authority | None:
    for r in effective_roles(actor):
        if r.role == Role.UNIT_LEADER and r.covers(unit):
            return Authority(actor=actor, on_behalf_of=r.on_behalf_of)
    return None


def authorize_work(actor: Any, assignment: Any) -> Authority:
    """Working an assignment: its person, or a leader of its unit."""
    if assignment.assignee_user_id is not None:
        return authorize_as_person(actor, assignment.assignee_user_id)
    authority = leads_unit(actor, assignment.assignee_unit)
    if authority is None:
        raise PermissionDenied()
    return authority


def authorize_reassign(actor: Any, assignment: Any) -> Authority:
    if assignment.assignee_unit_id is None:
        raise PermissionDenied("Chỉ lãnh đạo đơn vị được giao mới giao tiếp việc trong đơn vị.")
    authority = leads_unit(actor, assignment.assignee_unit)
    if authority is None:
        raise PermissionDenied("Chỉ lãnh đạo đơn vị được giao mới giao tiếp việc trong đơn vị.")
    return authority


def workflow_visibility_q(user: Any) -> Q:
    """Documents the user may read because of the workflow: presented to them, assigned
    or sent for information to them (or their principal), or to a unit they lead or keep
    the register of. A filter on IncomingDocument, as EXISTS subqueries."""
    from vanban.workflow.models import Assignment, Presentation

    ident = identity(user)
    if not ident.user_ids:
        return Q(pk__in=[])
    presented = Presentation.objects.filter(document=OuterRef("pk"), leader_id__in=ident.user_ids)
    to_person = Assignment.objects.filter(document=OuterRef("pk"), assignee_user_id__in=ident.user_ids)
    q = Q(Exists(presented)) | Q(Exists(to_person))
    unit_paths = ident.leader_paths + ident.clerk_paths
    if unit_paths:
        unit_q = Q()
        for path in unit_paths:
            unit_q |= Q(assignee_unit__path__startswith=path)
        to_unit = Assignment.objects.filter(unit_q, document=OuterRef("pk"))
        q |= Q(Exists(to_unit))
    return q


def task_visibility_q(user: Any) -> Q:
    """Direct tasks the user may read: those they (or their principal) gave, and those
    assigned to them or to a unit they lead or keep the register of. A filter on Task."""
    from vanban.workflow.models import Assignment

    ident = identity(user)
    if not ident.user_ids:
        return Q(pk__in=[])
    q = Q(created_by_id__in=ident.user_ids)
    to_person = Assignment.objects.filter(task=OuterRef("pk"), assignee_user_id__in=ident.user_ids)
    q |= Q(Exists(to_person))
    given = Assignment.objects.filter(task=OuterRef("pk"), assigned_by_id__in=ident.user_ids)
    q |= Q(Exists(given))
    unit_paths = ident.leader_paths + ident.clerk_paths
    if unit_paths:
        unit_q = Q()
        for path in unit_paths:
            unit_q |= Q(assignee_unit__path__startswith=path)
        q |= Q(Exists(Assignment.objects.filter(unit_q, task=OuterRef("pk"))))
    return q


def may_give_tasks(user: Any) -> bool:
    """Leaders (of the ministry or of a unit, or their delegates) give direct tasks."""
    return any(r.role in (Role.MINISTRY_LEADER, Role.UNIT_LEADER) for r in effective_roles(user))
