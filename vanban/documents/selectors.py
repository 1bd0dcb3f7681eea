"""Reads of the documents core, with access applied in SQL."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.db.models import QuerySet

from vanban.core.text import fold
from vanban.documents.catalogue import TypeGroup
from vanban.documents.models import DocumentType, Register
from vanban.documents.permissions import register_scope
from vanban.organisation.models import Organ, Unit
from vanban.organisation.permissions import effective_roles
from vanban.organisation.roles import Role
from vanban.organisation.selectors import own_organ

# --- Document types -----------------------------------------------------------------


def document_types(*, include_inactive: bool = False, group: str | None = None) -> QuerySet[DocumentType]:
    types = DocumentType.objects.order_by("sort_order", "name", "pk")
    if not include_inactive:
        types = types.filter(is_active=True)
    if group:
        types = types.filter(group=group)
    return types


@functools.lru_cache(maxsize=20_000)
def name_key(value: str) -> str:
    """How two spellings of a name are recognised as one: diacritics, case and runs
    of white space do not count ("UBND tỉnh  Nghệ An" = "ubnd tinh nghe an")."""
    return re.sub(r"\s+", " ", fold(value)).strip()


def find_document_type(name: str) -> DocumentType | None:
    """The catalogue entry for a type name as written in edXML TypeName or typed by a
    clerk: the exact name first, then the printed name ("Quyết định" finds "Quyết định
    (cá biệt)", administrative before normative), ignoring case and diacritics."""
    key = name_key(name)
    if not key:
        return None
    candidates = list(DocumentType.objects.filter(is_active=True).order_by("sort_order", "pk"))
    for t in candidates:
        if name_key(t.name) == key:
            return t
    group_order = {TypeGroup.ADMINISTRATIVE: 0, TypeGroup.LEGAL: 1}
    matches = [t for t in candidates if name_key(t.base_name) == key]
    matches.sort(key=lambda t: (group_order.get(t.group, 9), t.sort_order))
    return matches[0] if matches else None


def find_document_type_by_abbreviation(abbreviation: str, *, group: str | None = None) -> DocumentType | None:
    """Symbols are printed in capitals but QyĐ, CTr, TTr are mixed case: compare
    case-insensitively (Python casefold, since SQLite's LOWER ignores "Đ")."""
    wanted = abbreviation.strip().casefold()
    if not wanted:
        return None
    for t in document_types(group=group):
        if t.abbreviation.casefold() == wanted:
            return t
    return None


# --- Registers ------------------------------------------------------------------------


def registers_visible_to(user: Any, *, kind: str | None = None, year: int | None = None) -> QuerySet[Register]:
    scope = register_scope(user)
    registers = Register.objects.select_related("organ", "unit", "counter")
    if scope is not None:
        registers = registers.filter(scope)
    if kind:
        registers = registers.filter(kind=kind)
    if year:
        registers = registers.filter(year=year)
    return registers.order_by("-year", "kind", "unit__path", "name", "pk")


def register_owners_for(user: Any) -> list[Organ | Unit]:
    """Whose registers the user keeps: the organs using the system for ministry-wide
    roles, then each unit they are clerk or administrator of, ministry first."""
    owners: list[Organ | Unit] = []
    global_roles = {Role.MINISTRY_CLERK, Role.SYSTEM_ADMIN}
    unit_roles = {Role.UNIT_CLERK, Role.UNIT_ADMIN}
    grants = effective_roles(user)
    if any(g.role in global_roles for g in grants):
        owners.extend(Organ.objects.filter(is_own=True).order_by("name", "pk"))
    unit_ids = {g.unit_id for g in grants if g.role in unit_roles and g.unit_id}
    if unit_ids:
        owners.extend(Unit.objects.filter(pk__in=unit_ids, status=Unit.Status.ACTIVE).select_related("organ"))
    return owners


def default_register_owner(user: Any) -> Organ | Unit | None:
    """Where a clerk's registrations go by default: the ministry clerk's organ, else the
    unit the clerk keeps the books of."""
    grants = effective_roles(user)
    if any(g.role == Role.MINISTRY_CLERK for g in grants):
        return own_organ()
    unit_ids = [g.unit_id for g in grants if g.role == Role.UNIT_CLERK and g.unit_id]
    if unit_ids:
        return Unit.objects.filter(pk__in=unit_ids, status=Unit.Status.ACTIVE).select_related("organ").first()
    return None


# --- Outside organs --------------------------------------------------------------------------


def find_organ_by_name(name: str) -> Organ | None:
    key = name_key(name)
    if not key:
        return None
    # Folding runs in Python: SQLite has no unaccent, and the directory is a few
    # thousand short rows at most.
    for pk, organ_name in Organ.objects.order_by("pk").values_list("pk", "name"):
        if name_key(organ_name) == key:
            return Organ.objects.get(pk=pk)
    return None


def search_organs(q: str, *, limit: int = 20) -> list[Organ]:
    """Organs whose name, short name or organ id contains `q`, ignoring case and
    diacritics, names starting with it first: the issuing-organ autocomplete."""
    key = name_key(q)
    rows = Organ.objects.order_by("name", "pk").values_list("pk", "name", "short_name", "organ_id")
    if not key:
        ids = [pk for pk, *_ in rows[:limit]]
    else:
        scored = []
        for pk, name, short_name, organ_id in rows:
            folded = name_key(name)
            if key in folded or key in name_key(short_name or "") or key in (organ_id or "").lower():
                scored.append((0 if folded.startswith(key) else 1, folded, pk))
        ids = [pk for *_, pk in sorted(scored)[:limit]]
    organs = Organ.objects.in_bulk(ids)
    return [organs[pk] for pk in ids if pk in organs]
