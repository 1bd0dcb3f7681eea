"""Who may register incoming documents and who may read them.

Registering: the ministry clerk in the organ's register, a unit clerk in the register of
a unit their role covers. Reading: the clerk who registered it, clerks and leaders whose role
covers the register's owner, the ministry-wide reading roles (Lãnh đạo Bộ, Văn thư Bộ), and
whoever the workflow involves (presented to, assigned, informed, leading or keeping the
register of an assigned unit; see workflow.permissions). The system administrator is
IT staff, not a reader of documents, and sees none; so does everyone else (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from vanban.documents.models import Register
from vanban.organisation.permissions import Authority, authorize, effective_roles
from vanban.organisation.roles import Role

MINISTRY_READERS = frozenset({Role.MINISTRY_LEADER, Role.MINISTRY_CLERK})
CLERK_ROLES = frozenset({Role.MINISTRY_CLERK, Role.UNIT_CLERK})


def authorize_registration(actor: Any, register: Register) -> Authority:
    if register.unit_id is None:
        return authorize(actor, {Role.MINISTRY_CLERK})
    return authorize(actor, {Role.UNIT_CLERK}, register.unit)


def may_register(user: Any) -> bool:
    return any(grant.role in CLERK_ROLES for grant in effective_roles(user))


def visibility_q(user: Any) -> Q | None:
    """None = every incoming document; otherwise a filter on IncomingDocument."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(registered_by_id=user.pk)
    for grant in effective_roles(user):
        if grant.role in MINISTRY_READERS:
            return None
        # A unit's clerks keep its register and its leaders direct what arrives in it.
        if grant.role in (Role.UNIT_CLERK, Role.UNIT_LEADER) and grant.unit_path:
            q |= Q(register__unit__path__startswith=grant.unit_path)
    from vanban.workflow.permissions import workflow_visibility_q

    return q | workflow_visibility_q(user)
