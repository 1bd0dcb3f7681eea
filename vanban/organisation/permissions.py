"""Who may do what. Services call `authorize`; selectors apply the same rules in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vanban.core.errors import PermissionDenied
from vanban.core.timeutil import today
from vanban.organisation.models import Delegation, Unit
from vanban.organisation.roles import Role


@dataclass(frozen=True)
class EffectiveRole:
    role: str
    unit_id: int | None
    unit_path: str | None
    delegation: Delegation | None = None

    @property
    def on_behalf_of(self) -> Any | None:
        return self.delegation.principal if self.delegation else None

    def covers(self, unit: Unit | None) -> bool:
        if self.unit_path is None:
            return True
        return unit is not None and unit.path.startswith(self.unit_path)


@dataclass(frozen=True)
class Authority:
    """The result of a successful check: who acts, and for whom if delegated."""

    actor: Any
    on_behalf_of: Any | None = None


_CACHE_ATTR = "_vanban_effective_roles"


def effective_roles(user: Any) -> list[EffectiveRole]:
    """The user's own role grants plus those delegated to them today. Cached on the
    user object for the length of one request or command."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    day = today()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == day:
        return cached[1]
    from vanban.organisation.selectors import active_delegations_to, own_grants

    result = [
        EffectiveRole(g.role, g.unit_id, g.unit.path if g.unit_id else None) for g in own_grants(user)
    ]
    for delegation in active_delegations_to(user, day):
        if not delegation.principal.is_active:
            continue
        for g in own_grants(delegation.principal):
            if delegation.roles and g.role not in delegation.roles:
                continue
            result.append(
                EffectiveRole(g.role, g.unit_id, g.unit.path if g.unit_id else None, delegation)
            )
    setattr(user, _CACHE_ATTR, (day, result))
    return result


def forget_cached_roles(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_codes(user: Any) -> set[str]:
    return {r.role for r in effective_roles(user)}


def has_role(user: Any, *roles: str, unit: Unit | None = None) -> bool:
    return any(r.role in roles and (unit is None or r.covers(unit)) for r in effective_roles(user))


def authorize(actor: Any, roles: set[str] | frozenset[str], unit: Unit | None = None) -> Authority:
    """Allow when the actor holds one of `roles` covering `unit` (own grants first,
    then delegated ones, which make the event record on whose behalf it was done)."""
    candidates = [r for r in effective_roles(actor) if r.role in roles and r.covers(unit)]
    if not candidates:
        raise PermissionDenied()
    own = [r for r in candidates if r.delegation is None]
    chosen = own[0] if own else candidates[0]
    return Authority(actor=actor, on_behalf_of=chosen.on_behalf_of)


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.UNIT_ADMIN})


def authorize_unit_admin(actor: Any, unit: Unit | None) -> Authority:
    """System administrators manage everything; unit administrators their subtree."""
    if unit is None:
        return authorize(actor, {Role.SYSTEM_ADMIN})
    return authorize(actor, ADMIN_ROLES, unit)


def authorize_user_admin(actor: Any, target: Any) -> Authority:
    """System administrators manage every account. A unit administrator manages an
    account only when everything it holds lies inside their subtree: every current
    appointment and every role grant, and no ministry-wide role. Otherwise a unit
    administrator could take over a system administrator who works in their unit."""
    if has_role(actor, Role.SYSTEM_ADMIN):
        return authorize(actor, {Role.SYSTEM_ADMIN})
    from vanban.organisation.selectors import current_appointments, own_grants

    units = [a.unit for a in current_appointments(target)]
    grants = list(own_grants(target))
    if not units or any(g.unit_id is None for g in grants):
        raise PermissionDenied()
    scoped_units = units + [g.unit for g in grants if g.unit is not None]
    authorities = []
    for unit in scoped_units:
        authorities.append(authorize(actor, {Role.UNIT_ADMIN}, unit))  # raises when one is outside
    return authorities[0]


def is_admin(user: Any) -> bool:
    return has_role(user, *ADMIN_ROLES)
