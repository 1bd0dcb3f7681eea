"""Writes to the organisation: every function is one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import ValidationFailed
from vanban.core.text import clean_text
from vanban.core.timeutil import today
from vanban.organisation.errors import DelegationError, UnitError
from vanban.organisation.models import (
    ORGAN_ID_REGEX,
    Appointment,
    Delegation,
    Organ,
    Position,
    RoleGrant,
    Unit,
    UnitName,
)
from vanban.organisation.permissions import (
    authorize,
    authorize_unit_admin,
    authorize_user_admin,
    forget_cached_roles,
    has_role,
)
from vanban.organisation.roles import UNIT_SCOPED_ROLES, Role, SigningAuthority


def _required(value: str, field: str, label: str, max_length: int) -> str:
    value = clean_text(value)
    if not value:
        raise ValidationFailed("required", f"Vui lòng nhập {label}.", field)
    if len(value) > max_length:
        raise ValidationFailed("too_long", f"{label[:1].upper()}{label[1:]} dài quá {max_length} ký tự.", field)
    return value


# --- Organs -----------------------------------------------------------------------


@transaction.atomic
def create_organ(
    *, actor: Any, organ_id: str, name: str, short_name: str, is_own: bool = False, address: str = ""
) -> Organ:
    authority = authorize(actor, {Role.SYSTEM_ADMIN}) if actor is not None else None
    organ_id = organ_id.strip()
    if not re.match(ORGAN_ID_REGEX, organ_id):
        raise ValidationFailed(
            "invalid_organ_id",
            "Mã định danh cơ quan phải có dạng 000.00.00.G02 (13 ký tự theo QĐ 20/2020/QĐ-TTg).",
            "organ_id",
        )
    if Organ.objects.filter(organ_id=organ_id).exists():
        raise ValidationFailed("duplicate_organ_id", "Mã định danh cơ quan này đã tồn tại.", "organ_id")
    organ = Organ.objects.create(
        organ_id=organ_id,
        name=_required(name, "name", "tên cơ quan", 200),
        short_name=_required(short_name, "short_name", "tên viết tắt", 30),
        is_own=is_own,
        address=clean_text(address),
    )
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of if authority else None,
        action="organ.created",
        target=organ,
        data={"after": {"organ_id": organ.organ_id, "name": organ.name}},
    )
    return organ


# --- Units ------------------------------------------------------------------------


def _set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent_id else "/"
    unit.path = f"{parent_path}{unit.pk}/"


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    organ: Organ,
    name: str,
    short_name: str = "",
    kind: str = Unit.Kind.KHAC,
    parent: Unit | None = None,
    established_on: dt.date | None = None,
    sort_order: int = 0,
) -> Unit:
    authority = authorize_unit_admin(actor, parent) if actor is not None else None
    name = _required(name, "name", "tên đơn vị", 200)
    short_name = clean_text(short_name)
    if kind not in Unit.Kind.values:
        raise ValidationFailed("invalid_kind", "Loại đơn vị không hợp lệ.", "kind")
    if parent is not None:
        if not parent.is_active:
            raise UnitError("parent_inactive", "Không thể tạo đơn vị trực thuộc một đơn vị đã giải thể hoặc sáp nhập.", "parent")
        if parent.organ_id != organ.pk:
            raise UnitError("parent_other_organ", "Đơn vị cấp trên thuộc cơ quan khác.", "parent")
    siblings = Unit.objects.filter(parent=parent, organ=organ, status=Unit.Status.ACTIVE, name__iexact=name)
    if siblings.exists():
        raise UnitError("duplicate_unit_name", "Đã có đơn vị cùng tên ở cùng cấp.", "name")
    start = established_on or today()
    unit = Unit.objects.create(
        organ=organ,
        parent=parent,
        name=name,
        short_name=short_name,
        kind=kind,
        established_on=start,
        sort_order=sort_order,
    )
    _set_path(unit)
    unit.save(update_fields=["path"])
    UnitName.objects.create(unit=unit, name=name, short_name=short_name, valid_from=start)
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of if authority else None,
        action="unit.created",
        target=unit,
        data={"after": {"name": name, "short_name": short_name, "kind": kind, "parent": parent.pk if parent else None}},
    )
    return unit


def _require_active(unit: Unit) -> None:
    if not unit.is_active:
        raise UnitError("unit_inactive", "Đơn vị đã giải thể hoặc sáp nhập, không thể thay đổi.")


@transaction.atomic
def rename_unit(
    *, actor: Any, unit: Unit, name: str, short_name: str | None = None, effective_on: dt.date | None = None
) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    authority = authorize_unit_admin(actor, unit)
    _require_active(unit)
    name = _required(name, "name", "tên đơn vị", 200)
    short_name = unit.short_name if short_name is None else clean_text(short_name)
    if name == unit.name and short_name == unit.short_name:
        raise UnitError("unchanged", "Tên mới trùng với tên hiện tại.", "name")
    day = effective_on or today()
    current = unit.names.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if current is not None:
        if day < current.valid_from:
            raise UnitError("effective_before_current", "Ngày hiệu lực không được trước ngày của tên hiện tại.", "effective_on")
        if day == current.valid_from:
            # A same-day correction rewrites the current name instead of adding a row.
            current.name, current.short_name = name, short_name
            current.save(update_fields=["name", "short_name"])
        else:
            current.valid_to = day
            current.save(update_fields=["valid_to"])
            UnitName.objects.create(unit=unit, name=name, short_name=short_name, valid_from=day)
    before = {"name": unit.name, "short_name": unit.short_name}
    unit.name, unit.short_name = name, short_name
    unit.save(update_fields=["name", "short_name"])
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="unit.renamed",
        target=unit,
        data={"before": before, "after": {"name": name, "short_name": short_name}, "effective_on": day},
    )
    return unit


@transaction.atomic
def move_unit(*, actor: Any, unit: Unit, new_parent: Unit | None) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    authority = authorize_unit_admin(actor, unit)
    authorize_unit_admin(actor, new_parent)
    _require_active(unit)
    if new_parent is not None:
        if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
            raise UnitError(
                "move_under_descendant",
                "Không thể chuyển đơn vị vào chính nó hoặc vào một đơn vị cấp dưới của nó.",
                "parent",
            )
        if not new_parent.is_active:
            raise UnitError("parent_inactive", "Đơn vị cấp trên mới đã giải thể hoặc sáp nhập.", "parent")
        if new_parent.organ_id != unit.organ_id:
            raise UnitError("parent_other_organ", "Đơn vị cấp trên mới thuộc cơ quan khác.", "parent")
    if unit.parent_id == (new_parent.pk if new_parent else None):
        raise UnitError("unchanged", "Đơn vị đã trực thuộc đơn vị này.", "parent")
    old_path = unit.path
    old_parent = unit.parent_id
    unit.parent = new_parent
    _set_path(unit)
    unit.save(update_fields=["parent", "path"])
    # Rewrite the subtree's paths in one pass (a few hundred rows at most).
    for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old_path):]
        child.save(update_fields=["path"])
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="unit.moved",
        target=unit,
        data={"before": {"parent": old_parent}, "after": {"parent": new_parent.pk if new_parent else None}},
    )
    return unit


def _close_unit(unit: Unit, status: str, day: dt.date, merged_into: Unit | None = None) -> None:
    unit.status = status
    unit.ended_on = day
    unit.merged_into = merged_into
    unit.save(update_fields=["status", "ended_on", "merged_into"])
    unit.names.filter(valid_to__isnull=True).update(valid_to=day)


@transaction.atomic
def merge_units(*, actor: Any, source: Unit, target: Unit, effective_on: dt.date | None = None) -> Unit:
    """Merge `source` into `target`: its sub-units move under the target, its current
    appointments and role grants move to the target; the source keeps its history."""
    source = Unit.objects.select_for_update().get(pk=source.pk)
    authority = authorize_unit_admin(actor, source)
    authorize_unit_admin(actor, target)
    _require_active(source)
    if not target.is_active:
        raise UnitError("target_inactive", "Đơn vị tiếp nhận đã giải thể hoặc sáp nhập.", "target")
    if target.pk == source.pk or target.path.startswith(source.path):
        raise UnitError("merge_into_descendant", "Không thể sáp nhập đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.", "target")
    day = effective_on or today()
    children = list(source.children.filter(status=Unit.Status.ACTIVE))
    for child in children:
        move_unit(actor=actor, unit=child, new_parent=target)
    moved_people = 0
    for appointment in Appointment.objects.filter(unit=source, end_date__isnull=True):
        appointment.end_date = day
        appointment.save(update_fields=["end_date"])
        Appointment.objects.create(
            user_id=appointment.user_id,
            unit=target,
            position_id=appointment.position_id,
            is_primary=appointment.is_primary,
            start_date=day,
        )
        moved_people += 1
    for grant in RoleGrant.objects.filter(unit=source):
        RoleGrant.objects.get_or_create(
            user_id=grant.user_id, role=grant.role, unit=target, defaults={"granted_by": actor}
        )
        grant.delete()
    _close_unit(source, Unit.Status.MERGED, day, merged_into=target)
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="unit.merged",
        target=source,
        data={"merged_into": target.pk, "merged_into_name": target.name, "appointments_moved": moved_people,
              "children_moved": [c.pk for c in children], "effective_on": day},
    )
    return target


@transaction.atomic
def dissolve_unit(*, actor: Any, unit: Unit, effective_on: dt.date | None = None) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    authority = authorize_unit_admin(actor, unit)
    _require_active(unit)
    if unit.children.filter(status=Unit.Status.ACTIVE).exists():
        raise UnitError("has_active_children", "Đơn vị còn đơn vị trực thuộc đang hoạt động: hãy chuyển hoặc giải thể chúng trước.")
    if Appointment.objects.filter(unit=unit, end_date__isnull=True).exists():
        raise UnitError("has_people", "Đơn vị còn cán bộ đang công tác: hãy điều chuyển họ trước khi giải thể.")
    day = effective_on or today()
    _close_unit(unit, Unit.Status.DISSOLVED, day)
    RoleGrant.objects.filter(unit=unit).delete()
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="unit.dissolved", target=unit,
                 data={"effective_on": day})
    return unit


# --- Positions and appointments ---------------------------------------------------


@transaction.atomic
def create_position(
    *, actor: Any, code: str, name: str, level: str = Position.Level.UNIT, is_leader: bool = False, rank: int = 100
) -> Position:
    authority = authorize(actor, {Role.SYSTEM_ADMIN}) if actor is not None else None
    name = _required(name, "name", "tên chức vụ", 100)
    if Position.objects.filter(name__iexact=name).exists() or Position.objects.filter(code=code).exists():
        raise ValidationFailed("duplicate_position", "Chức vụ này đã có trong danh mục.", "name")
    position = Position.objects.create(code=code, name=name, level=level, is_leader=is_leader, rank=rank)
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of if authority else None,
                 action="position.created", target=position, data={"after": {"name": name}})
    return position


@transaction.atomic
def appoint(
    *, actor: Any, user: Any, unit: Unit, position: Position, is_primary: bool = True, start_date: dt.date | None = None
) -> Appointment:
    authority = authorize_unit_admin(actor, unit) if actor is not None else None
    if not unit.is_active:
        raise UnitError("unit_inactive", "Không thể bổ nhiệm vào đơn vị đã giải thể hoặc sáp nhập.", "unit")
    if Appointment.objects.filter(user=user, unit=unit, position=position, end_date__isnull=True).exists():
        raise ValidationFailed("duplicate_appointment", "Người này đã giữ chức vụ này tại đơn vị.", "position")
    if is_primary:
        Appointment.objects.filter(user=user, end_date__isnull=True, is_primary=True).update(is_primary=False)
    elif not Appointment.objects.filter(user=user, end_date__isnull=True).exists():
        is_primary = True  # a person's only position is their primary one
    appointment = Appointment.objects.create(
        user=user, unit=unit, position=position, is_primary=is_primary, start_date=start_date or today()
    )
    audit.record(
        actor=actor, on_behalf_of=authority.on_behalf_of if authority else None, action="account.appointed",
        target=user, data={"unit": unit.pk, "unit_name": unit.name, "position": position.name, "primary": is_primary},
    )
    return appointment


@transaction.atomic
def end_appointment(*, actor: Any, appointment: Appointment, end_date: dt.date | None = None) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    authority = authorize_unit_admin(actor, appointment.unit)
    if appointment.end_date is not None:
        raise ValidationFailed("already_ended", "Chức vụ này đã kết thúc.")
    day = end_date or today()
    if day < appointment.start_date:
        raise ValidationFailed("end_before_start", "Ngày kết thúc không được trước ngày bổ nhiệm.", "end_date")
    appointment.end_date = day
    appointment.save(update_fields=["end_date"])
    if appointment.is_primary:
        nxt = Appointment.objects.filter(user=appointment.user, end_date__isnull=True).first()
        if nxt:
            nxt.is_primary = True
            nxt.save(update_fields=["is_primary"])
    audit.record(
        actor=actor, on_behalf_of=authority.on_behalf_of, action="account.appointment_ended",
        target=appointment.user, data={"unit": appointment.unit_id, "position": appointment.position.name},
    )
    return appointment


# --- Roles ------------------------------------------------------------------------


@transaction.atomic
def grant_role(*, actor: Any, user: Any, role: str, unit: Unit | None = None) -> RoleGrant:
    if role not in Role.values:
        raise ValidationFailed("invalid_role", "Vai trò không hợp lệ.", "role")
    if role in UNIT_SCOPED_ROLES and unit is None:
        raise ValidationFailed("role_needs_unit", "Vai trò này phải gắn với một đơn vị.", "unit")
    if role not in UNIT_SCOPED_ROLES:
        unit = None
    authority = None
    if actor is not None:
        # Only the IT department hands out ministry-wide roles.
        authority = authorize(actor, {Role.SYSTEM_ADMIN}) if unit is None else authorize_unit_admin(actor, unit)
    if unit is not None and not unit.is_active:
        raise UnitError("unit_inactive", "Đơn vị đã giải thể hoặc sáp nhập.", "unit")
    if RoleGrant.objects.filter(user=user, role=role, unit=unit).exists():
        raise ValidationFailed("duplicate_role", "Người này đã có vai trò này.", "role")
    grant = RoleGrant.objects.create(user=user, role=role, unit=unit, granted_by=actor)
    forget_cached_roles(user)
    audit.record(
        actor=actor, on_behalf_of=authority.on_behalf_of if authority else None, action="account.role_granted",
        target=user, data={"role": role, "unit": unit.pk if unit else None},
    )
    return grant


@transaction.atomic
def revoke_role(*, actor: Any, grant: RoleGrant) -> None:
    grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    authority = authorize(actor, {Role.SYSTEM_ADMIN}) if grant.unit is None else authorize_unit_admin(actor, grant.unit)
    if grant.role == Role.SYSTEM_ADMIN and grant.user_id == actor.pk:
        raise ValidationFailed("cannot_revoke_own_admin", "Không thể tự thu hồi quyền quản trị hệ thống của chính mình.", "role")
    data = {"role": grant.role, "unit": grant.unit_id}
    user = grant.user
    grant.delete()
    forget_cached_roles(user)
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="account.role_revoked", target=user, data=data)


# --- Delegation ---------------------------------------------------------------------

LEADER_ROLES = frozenset({Role.MINISTRY_LEADER, Role.UNIT_LEADER})


@transaction.atomic
def create_delegation(
    *,
    actor: Any,
    principal: Any,
    delegate: Any,
    start_date: dt.date,
    end_date: dt.date,
    authority: str = SigningAuthority.UY_QUYEN,
    roles: list[str] | None = None,
    reason: str = "",
) -> Delegation:
    """A leader delegates their own powers; an administrator may record it for them."""
    if actor.pk != principal.pk:
        authorize_user_admin(actor, principal)
    elif not has_role(actor, *LEADER_ROLES, Role.SYSTEM_ADMIN, Role.UNIT_ADMIN, Role.MINISTRY_CLERK, Role.UNIT_CLERK):
        raise DelegationError("not_delegable", "Chỉ lãnh đạo (hoặc người có vai trò tương ứng) mới có thể ủy quyền.")
    if principal.pk == delegate.pk:
        raise DelegationError("delegate_to_self", "Không thể ủy quyền cho chính mình.", "delegate")
    if not delegate.is_active:
        raise DelegationError("delegate_inactive", "Người nhận ủy quyền đã bị vô hiệu hóa.", "delegate")
    if start_date is None or end_date is None:
        raise DelegationError("dates_required", "Vui lòng nhập thời hạn ủy quyền.", "start_date")
    if end_date < start_date:
        raise DelegationError("inverted_dates", "Ngày kết thúc ủy quyền phải sau hoặc trùng ngày bắt đầu.", "end_date")
    if authority not in SigningAuthority.values:
        raise DelegationError("invalid_authority", "Hình thức ủy quyền không hợp lệ.", "authority")
    roles = sorted(set(roles or []))
    from vanban.organisation.selectors import own_grants

    held = {g.role for g in own_grants(principal)}
    for r in roles:
        if r not in held:
            raise DelegationError("role_not_held", "Người ủy quyền không có vai trò được ủy quyền.", "roles")
    if not held:
        raise DelegationError("nothing_to_delegate", "Người ủy quyền chưa có vai trò nào để ủy quyền.", "principal")
    if authority == SigningAuthority.TUQ and Delegation.objects.filter(
        delegate=principal, authority=SigningAuthority.TUQ, revoked_at__isnull=True,
        start_date__lte=end_date, end_date__gte=start_date,
    ).exists():
        # ND30: thừa ủy quyền cannot be passed on.
        raise DelegationError("no_redelegation", "Người được thừa ủy quyền không được ủy quyền lại.", "authority")
    delegation = Delegation.objects.create(
        principal=principal, delegate=delegate, authority=authority, roles=roles,
        start_date=start_date, end_date=end_date, reason=clean_text(reason)[:500], created_by=actor,
    )
    forget_cached_roles(delegate)
    audit.record(
        actor=actor, action="delegation.created", target=delegation,
        on_behalf_of=principal if actor.pk != principal.pk else None,
        data={"principal": principal.pk, "delegate": delegate.pk, "authority": authority, "roles": roles,
              "start_date": start_date, "end_date": end_date},
    )
    return delegation


@transaction.atomic
def revoke_delegation(*, actor: Any, delegation: Delegation) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if actor.pk != delegation.principal_id:
        authorize_user_admin(actor, delegation.principal)
    if delegation.revoked_at is not None:
        raise DelegationError("already_revoked", "Ủy quyền này đã được thu hồi.")
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    forget_cached_roles(delegation.delegate)
    audit.record(actor=actor, action="delegation.revoked", target=delegation)
    return delegation
