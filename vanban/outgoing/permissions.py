"""Who may draft, review, sign and issue outgoing documents, and who may read them.

Reading a document: its drafter, leaders of the drafting unit, its reviewers and signer,
those asked for an opinion (or leaders of the unit asked), ministry leaders, the organ's
clerks once it is signed, and — once issued — its internal recipients. Everyone else
gets 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from vanban.core.errors import PermissionDenied
from vanban.organisation.permissions import Authority, authorize, effective_roles
from vanban.organisation.roles import Role

DRAFTER_ROLES = frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.MINISTRY_LEADER, Role.UNIT_CLERK,
                           Role.MINISTRY_CLERK})  # fmt: skip


def authorize_drafting(actor: Any) -> Authority:
    """Anyone who works documents drafts, in whatever unit their role covers (a
    unit-scoped role counts; `authorize` with no unit would accept only global ones)."""
    candidates = [r for r in effective_roles(actor) if r.role in DRAFTER_ROLES]
    if not candidates:
        raise PermissionDenied("Bạn không có vai trò soạn thảo văn bản.")
    own = [r for r in candidates if r.delegation is None]
    return Authority(actor=actor, on_behalf_of=None if own else candidates[0].on_behalf_of)


def authorize_issuing(actor: Any) -> Authority:
    """Only the Văn thư numbers, seals and issues (ND30 Art 15)."""
    return authorize(actor, {Role.MINISTRY_CLERK})


def visibility_q(user: Any) -> Q:
    from vanban.outgoing.models import OpinionRequest, Recipient, ReviewTask
    from vanban.workflow.permissions import identity

    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    ident = identity(user)
    roles = effective_roles(user)
    if any(r.role == Role.MINISTRY_LEADER for r in roles):
        return Q()
    ids = ident.user_ids
    q = Q(created_by_id__in=ids) | Q(signer_id__in=ids)
    q |= Q(Exists(ReviewTask.objects.filter(document=OuterRef("pk"), reviewer_id__in=ids)))
    q |= Q(Exists(OpinionRequest.objects.filter(document=OuterRef("pk"), user_id__in=ids)))
    issued = Q(status__in=["issued", "recalled"])
    q |= issued & Q(Exists(Recipient.objects.filter(document=OuterRef("pk"), user_id__in=ids)))
    if any(r.role == Role.MINISTRY_CLERK for r in roles):
        q |= Q(status__in=["signed", "issued", "recalled"])
    for path in ident.leader_paths:
        q |= Q(drafting_unit__path__startswith=path)
        q |= Q(Exists(OpinionRequest.objects.filter(document=OuterRef("pk"), unit__path__startswith=path)))
    for path in ident.leader_paths + ident.clerk_paths:
        q |= issued & Q(Exists(Recipient.objects.filter(document=OuterRef("pk"), unit__path__startswith=path)))
    return q


def ensure(condition: bool, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
    if not condition:
        raise PermissionDenied(message)
