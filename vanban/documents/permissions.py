"""Who may see and open registers, and who may add outside organs to the directory.

Ministry-wide roles (system administrator, ministry clerk) reach every register; unit
clerks and unit administrators the registers of their unit's subtree. Everyone else
sees none (their URLs answer 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from vanban.core.errors import PermissionDenied
from vanban.organisation.models import Organ, Unit
from vanban.organisation.permissions import Authority, authorize, effective_roles
from vanban.organisation.roles import Role

CLERK_ROLES = frozenset({Role.MINISTRY_CLERK, Role.UNIT_CLERK})
REGISTER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.UNIT_ADMIN, Role.MINISTRY_CLERK, Role.UNIT_CLERK})


def register_scope(user: Any) -> Q | None:
    """None = every register; otherwise a filter on Register (empty when the user
    holds no register role)."""
    q = Q(pk__in=[])
    for grant in effective_roles(user):
        if grant.role not in REGISTER_ROLES:
            continue
        if grant.unit_path is None:
            return None
        q |= Q(unit__path__startswith=grant.unit_path)
    return q


def may_use_registers(user: Any) -> bool:
    return any(grant.role in REGISTER_ROLES for grant in effective_roles(user))


def authorize_register_owner(actor: Any, owner: Organ | Unit) -> Authority:
    """Opening or numbering in an organ's register needs a ministry-wide role; in a
    unit's register, a role covering that unit."""
    unit = owner if isinstance(owner, Unit) else None
    return authorize(actor, REGISTER_ROLES, unit)


def authorize_directory_edit(actor: Any) -> Authority:
    """Clerks add the outside organs they register documents from, whatever unit their
    role is scoped to; administrators too."""
    candidates = [grant for grant in effective_roles(actor) if grant.role in REGISTER_ROLES]
    if not candidates:
        raise PermissionDenied()
    own = [grant for grant in candidates if grant.delegation is None]
    return Authority(actor=actor, on_behalf_of=(own or candidates)[0].on_behalf_of)
