"""Who edits, approves and reads a schedule.

The office clerk (văn thư Bộ) keeps the ministry leaders' schedule and a ministry
leader approves it; a unit's clerk keeps the unit's schedule and a leader of the unit
approves it. Everyone signed in reads published schedules."""

from __future__ import annotations

from typing import Any

from vanban.organisation.models import Unit
from vanban.organisation.permissions import Authority, authorize, has_role
from vanban.organisation.roles import Role


def authorize_edit(actor: Any, unit: Unit | None) -> Authority:
    if unit is None:
        return authorize(actor, {Role.MINISTRY_CLERK})
    return authorize(actor, {Role.UNIT_CLERK}, unit)


def authorize_approve(actor: Any, unit: Unit | None) -> Authority:
    if unit is None:
        return authorize(actor, {Role.MINISTRY_LEADER})
    return authorize(actor, {Role.UNIT_LEADER}, unit)


def can_edit(user: Any, unit: Unit | None) -> bool:
    if unit is None:
        return has_role(user, Role.MINISTRY_CLERK)
    return has_role(user, Role.UNIT_CLERK, unit=unit)


def can_approve(user: Any, unit: Unit | None) -> bool:
    if unit is None:
        return has_role(user, Role.MINISTRY_LEADER)
    return has_role(user, Role.UNIT_LEADER, unit=unit)
