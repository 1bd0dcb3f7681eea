"""Reads of the organisation, with access applied in SQL."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vanban.core.timeutil import today
from vanban.organisation.models import Appointment, Delegation, RoleGrant, Unit
from vanban.organisation.roles import Role


def primary_unit_id(user: Any) -> int | None:
    appointment = (
        Appointment.objects.filter(user=user, end_date__isnull=True)
        .order_by("-is_primary", "position__rank")
        .values_list("unit_id", flat=True)
        .first()
    )
    return appointment


def current_appointments(user: Any) -> QuerySet[Appointment]:
    return Appointment.objects.filter(user=user, end_date__isnull=True).select_related("unit", "position")


def subtree_q(unit: Unit, field: str = "") -> Q:
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}path__startswith": unit.path})


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)


def own_grants(user: Any) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user=user).select_related("unit")


def active_delegations_to(user: Any, on: Any = None) -> QuerySet[Delegation]:
    day = on or today()
    return Delegation.objects.filter(
        delegate=user, revoked_at__isnull=True, start_date__lte=day, end_date__gte=day
    ).select_related("principal")


def admin_unit_paths(user: Any) -> list[str] | None:
    """None = the whole ministry (system administrator); else the unit subtrees a unit
    administrator manages; [] = none."""
    from vanban.organisation.permissions import effective_roles

    paths: list[str] = []
    for grant in effective_roles(user):
        if grant.role == Role.SYSTEM_ADMIN:
            return None
        if grant.role == Role.UNIT_ADMIN and grant.unit_path:
            paths.append(grant.unit_path)
    return paths


def _paths_q(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def units_administered_by(user: Any) -> QuerySet[Unit]:
    paths = admin_unit_paths(user)
    units = Unit.objects.select_related("parent", "organ")
    if paths is None:
        return units
    return units.filter(_paths_q(paths, "path"))


def users_administered_by(user: Any) -> QuerySet[Any]:
    from vanban.accounts.models import User

    paths = admin_unit_paths(user)
    users = User.objects.all()
    if paths is None:
        return users
    unit_ids = Unit.objects.filter(_paths_q(paths, "path")).values("pk")
    return users.filter(appointments__unit__in=unit_ids, appointments__end_date__isnull=True).distinct()


def unit_tree(*, include_inactive: bool = False) -> list[Unit]:
    units = Unit.objects.select_related("parent", "organ").order_by("path")
    if not include_inactive:
        units = units.filter(status=Unit.Status.ACTIVE)
    return list(units)


def delegations_visible_to(user: Any, *, direction: str | None = None) -> QuerySet[Delegation]:
    """Delegations a person gave or received, and for administrators those whose
    principal they administer. `direction` narrows to "given", "received" or
    "administered" (the latter excludes the person's own)."""
    base = Delegation.objects.select_related("principal", "delegate")
    if direction == "given":
        return base.filter(principal=user)
    if direction == "received":
        return base.filter(delegate=user)
    from vanban.organisation.permissions import is_admin

    administered = users_administered_by(user).values("pk") if is_admin(user) else None
    if direction == "administered":
        if administered is None:
            return base.none()
        return base.filter(principal__in=administered).exclude(principal=user)
    q = Q(principal=user) | Q(delegate=user)
    if administered is not None:
        q |= Q(principal__in=administered)
    return base.filter(q)


def own_organ() -> Any:
    """The organ running this installation (the ministry); the first one if several."""
    from vanban.organisation.models import Organ

    return Organ.objects.filter(is_own=True).order_by("pk").first()
