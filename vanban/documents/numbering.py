"""Register numbers: gapless and unique (design.md rule 6, domain.md §3.2, §4.2).

A number is taken from the register's counter row inside the transaction that
registers the document. The row is locked until that transaction ends (SELECT … FOR
UPDATE on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE, see settings, so
the whole database is the lock). Rolling back gives the number back, so numbers never
have gaps; the consumer's UniqueConstraint(register, number) is the last line of defence.
A database sequence would not do: sequences are not transactional and leave gaps.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.documents.errors import RegisterError
from vanban.documents.models import Register, RegisterCounter
from vanban.organisation.models import Organ, Unit

REGISTER_NAMES = {
    Register.Kind.INCOMING: "Sổ đăng ký văn bản đến năm {year}",
    Register.Kind.OUTGOING: "Sổ đăng ký văn bản đi năm {year}",
}


def current_year() -> int:
    """The year in Vietnam: at 00:30 on 1 January in Hà Nội it is still 31 December in
    UTC, and the new year's numbers must already start at 1."""
    return timezone.localdate().year


def default_register_name(kind: str, year: int) -> str:
    return REGISTER_NAMES[Register.Kind(kind)].format(year=year)


def split_owner(owner: Organ | Unit) -> tuple[Organ, Unit | None]:
    if isinstance(owner, Unit):
        return owner.organ, owner
    if isinstance(owner, Organ):
        return owner, None
    raise TypeError(f"a register belongs to an Organ or a Unit, not {type(owner).__name__}")


def _default_of(organ: Organ, unit: Unit | None, kind: str, year: int) -> Any:
    registers = Register.objects.filter(organ=organ, kind=kind, year=year, is_default=True)
    return registers.filter(unit=unit) if unit is not None else registers.filter(unit__isnull=True)


def register_for(owner: Organ | Unit, kind: str, year: int | None = None, *, actor: Any = None) -> Register:
    """The default register of an organ or unit for a kind and year (this year in
    Vietnam by default), created with its counter on first use. Safe when two clerks
    register the year's first document at the same moment: one creates, the other
    finds it."""
    if kind not in Register.Kind.values:
        raise RegisterError("invalid_register_kind", "Loại sổ không hợp lệ.", "kind")
    organ, unit = split_owner(owner)
    year = year or current_year()
    existing = _default_of(organ, unit, kind, year).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: losing the race leaves the outer transaction usable
            register = Register.objects.create(
                organ=organ,
                unit=unit,
                kind=kind,
                year=year,
                name=default_register_name(kind, year),
                is_default=True,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            RegisterCounter.objects.create(register=register)
            audit.record(
                actor=actor,
                action="register.created",
                target=register,
                data={
                    "organ": organ.pk,
                    "unit": unit.pk if unit else None,
                    "kind": kind,
                    "year": year,
                    "name": register.name,
                    "on_demand": True,
                },
            )
    except IntegrityError:
        return _default_of(organ, unit, kind, year).get()
    return register


def take_next_number(register: Register) -> int:
    """Take the register's next number in the caller's transaction. The number is the
    caller's once that transaction commits; if it rolls back, the number is taken by
    the next registration instead, so no number is ever skipped."""
    if not connection.in_atomic_block:
        raise RuntimeError("take_next_number() must run inside the registering transaction (transaction.atomic)")
    counter = RegisterCounter.objects.select_for_update().filter(register_id=register.pk).first()
    if counter is None:
        # Only a register made without register_for()/open_register() lacks its row.
        with transaction.atomic():
            RegisterCounter.objects.get_or_create(register_id=register.pk)
        counter = RegisterCounter.objects.select_for_update().get(register_id=register.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def peek_next_number(register: Register) -> int:
    """The number the next registration will get if nobody registers first: for the
    form, which shows it without taking it."""
    last = RegisterCounter.objects.filter(register_id=register.pk).values_list("last_number", flat=True).first()
    return (last or 0) + 1


def last_number(register: Register) -> int:
    last = RegisterCounter.objects.filter(register_id=register.pk).values_list("last_number", flat=True).first()
    return last or 0
