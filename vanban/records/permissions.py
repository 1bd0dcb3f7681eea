"""Who manages files and records.

The Văn thư Bộ (ministry clerk) keeps the organ's file plan and archive and manages every
file; a unit clerk manages the files of the units their role covers; the person a file
was opened for files into it too. Leaders approve the plan (Lãnh đạo Bộ) and transfer
lists (Lãnh đạo Bộ, or the unit's leader for the unit's list) and reopen closed files.
Reads: the ministry clerk and leaders see every file; unit clerks, leaders and
specialists those of their units; everyone the files they created."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from vanban.core.errors import PermissionDenied
from vanban.organisation.models import Unit
from vanban.organisation.permissions import Authority, authorize, effective_roles
from vanban.organisation.roles import Role

MINISTRY_READERS = frozenset({Role.MINISTRY_CLERK, Role.MINISTRY_LEADER})
UNIT_READERS = frozenset({Role.UNIT_CLERK, Role.UNIT_LEADER, Role.SPECIALIST})


def authorize_plan_keeper(actor: Any) -> Authority:
    return authorize(actor, {Role.MINISTRY_CLERK})


def authorize_plan_approval(actor: Any) -> Authority:
    return authorize(actor, {Role.MINISTRY_LEADER})


def authorize_dossier_manager(actor: Any, unit: Unit | None, *, creator_id: int | None = None) -> Authority:
    if creator_id is not None and getattr(actor, "pk", None) == creator_id and actor.is_active:
        return Authority(actor=actor)
    if unit is None:
        return authorize(actor, {Role.MINISTRY_CLERK})
    return authorize(actor, {Role.MINISTRY_CLERK, Role.UNIT_CLERK}, unit)


def authorize_leader_of(actor: Any, unit: Unit | None) -> Authority:
    if unit is None:
        return authorize(actor, {Role.MINISTRY_LEADER})
    return authorize(actor, {Role.MINISTRY_LEADER, Role.UNIT_LEADER}, unit)


def authorize_archivist(actor: Any) -> Authority:
    return authorize(actor, {Role.MINISTRY_CLERK})


def authorize_legal_hold(actor: Any) -> Authority:
    return authorize(actor, {Role.MINISTRY_CLERK, Role.MINISTRY_LEADER})


def may_manage(user: Any, unit: Unit | None, creator_id: int | None = None) -> bool:
    try:
        authorize_dossier_manager(user, unit, creator_id=creator_id)
    except PermissionDenied:
        return False
    return True


def dossier_visibility_q(user: Any) -> Q | None:
    """None = every file; otherwise a filter on Dossier."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(creator_id=user.pk)
    for grant in effective_roles(user):
        if grant.role in MINISTRY_READERS:
            return None
        if grant.role in UNIT_READERS and grant.unit_path:
            q |= Q(unit__path__startswith=grant.unit_path)
    return q


def transfer_visibility_q(user: Any) -> Q | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(created_by_id=user.pk)
    for grant in effective_roles(user):
        if grant.role in MINISTRY_READERS:
            return None
        if grant.role in (Role.UNIT_CLERK, Role.UNIT_LEADER) and grant.unit_path:
            q |= Q(unit__path__startswith=grant.unit_path)
    return q
