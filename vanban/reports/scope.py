"""Whose figures a viewer sees, and for which period.

No figure counts a document its viewer may not open. Each role gets its own view (issue 6,
"a dashboard per role"):

* ministry-wide readers (Lãnh đạo Bộ, Văn thư Bộ) see the whole ministry, by top-level unit;
* unit leaders and unit clerks see the subtree of the units their roles cover;
* everyone else (specialists) sees their own work: what is assigned to them or their principal.

A unit filter narrows any of these to one unit's subtree; a unit-scoped viewer may only
choose a unit inside their own subtree.

Every view lies inside what its viewer may read (`incoming.permissions.visibility_q`): the
units in view come from the same unit-leader and unit-clerk roles that let the viewer read
their registers and whatever is assigned to them, and "own work" is what is assigned to the
viewer or their principal, which the workflow lets them read. So the incoming and work
aggregates filter on unit and user ids alone, never row by row through `visibility_q`
(five EXISTS per document, seconds at a million); tests/test_permissions.py holds this
for every kind of viewer. Outgoing figures and the presentations waiting for a leader keep
their visibility filters: a unit's view does not imply them (a unit clerk does not read
every draft of the unit; a leader posted in the unit may be presented a ministry document).

Units are few (hundreds), so the tree is read once per request and kept in Python; the
documents never are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q

from vanban.audit.selectors import clamp_date, day_start
from vanban.core.errors import PermissionDenied, ValidationFailed
from vanban.core.timeutil import today
from vanban.incoming.permissions import MINISTRY_READERS
from vanban.organisation.models import Unit
from vanban.organisation.permissions import effective_roles
from vanban.organisation.roles import Role

ALL, UNITS, OWN = "all", "units", "own"
MONTH, WEEK = "month", "week"
GRANULARITIES = {MONTH: "Theo tháng", WEEK: "Theo tuần"}
MAX_PERIOD_DAYS = 1100
NO_UNIT = "none"
NO_UNIT_LABEL = "Giao trực tiếp cho cá nhân"


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date
    granularity: str = MONTH

    @classmethod
    def build(
        cls, *, date_from: dt.date | None = None, date_to: dt.date | None = None, granularity: str | None = None
    ) -> Period:
        end = clamp_date(date_to) or today()
        if date_from is None:
            # Three calendar months: the current one and the two before it.
            month = end.month - 2
            year = end.year + (month - 1) // 12
            start = dt.date(year, (month - 1) % 12 + 1, 1)
        else:
            start = clamp_date(date_from) or end
        if start > end:
            raise ValidationFailed("invalid_period", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", "date_to")
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationFailed(
                "period_too_long", f"Khoảng thời gian tối đa là {MAX_PERIOD_DAYS} ngày.", "date_from"
            )
        gran = granularity or (WEEK if (end - start).days < 62 else MONTH)
        if gran not in GRANULARITIES:
            raise ValidationFailed(
                "invalid_granularity", "Kỳ thống kê phải là theo tháng hoặc theo tuần.", "granularity"
            )
        return cls(start, end, gran)

    @property
    def start(self) -> dt.datetime:
        return day_start(self.date_from)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight after the last day, Vietnam time."""
        return day_start(self.date_to + dt.timedelta(days=1))

    def bucket_starts(self) -> list[dt.date]:
        """Every month (or ISO week, from Monday) touching the period, in order."""
        if self.granularity == WEEK:
            first = self.date_from - dt.timedelta(days=self.date_from.weekday())
            return [first + dt.timedelta(weeks=i) for i in range((self.date_to - first).days // 7 + 1)]
        result = []
        day = self.date_from.replace(day=1)
        while day <= self.date_to:
            result.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
        return result

    def bucket_end(self, start: dt.date) -> dt.date:
        if self.granularity == WEEK:
            return start + dt.timedelta(days=7)
        return (start + dt.timedelta(days=32)).replace(day=1)

    def bucket_label(self, start: dt.date) -> str:
        if self.granularity == WEEK:
            return f"Tuần {start.isocalendar()[1]:02d}/{start.isocalendar()[0]}"
        return f"{start:%m/%Y}"

    def as_params(self) -> dict[str, str]:
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "granularity": self.granularity,
        }

    def describe(self) -> str:
        return f"từ {self.date_from:%d/%m/%Y} đến {self.date_to:%d/%m/%Y}"


@dataclass(frozen=True)
class UnitRow:
    pk: int
    path: str
    name: str
    parent_id: int | None
    status: str
    sort_order: int


@dataclass(frozen=True)
class Bucket:
    """One row of a per-unit breakdown: a unit with its subtree (or alone, for the
    chosen unit's own row), or the people assigned directly (key "none")."""

    key: str
    label: str
    unit_ids: frozenset[int]


@dataclass
class Scope:
    viewer: Any
    kind: str
    user_ids: tuple[int, ...]
    paths: tuple[str, ...]
    unit: Unit | None
    units: dict[int, UnitRow] = field(repr=False, default_factory=dict)

    # --- unit sets ------------------------------------------------------------------------

    def subtree_ids(self, path: str) -> frozenset[int]:
        return frozenset(u.pk for u in self.units.values() if u.path.startswith(path))

    @cached_property
    def unit_ids(self) -> frozenset[int] | None:
        """Units whose work is in view; None = every unit (and people assigned directly)."""
        if self.unit is not None:
            return self.subtree_ids(self.unit.path)
        if self.kind == UNITS:
            ids: set[int] = set()
            for path in self.paths:
                ids |= self.subtree_ids(path)
            return frozenset(ids)
        return None

    @cached_property
    def parent_ids(self) -> frozenset[int] | None:
        """A piece of work whose parent lead sits in these units is counted through its
        parent (the top-most one in view counts once). None = any lead parent."""
        if self.kind == OWN:
            return frozenset()
        return self.unit_ids

    @cached_property
    def roots(self) -> list[UnitRow]:
        if self.unit is not None:
            return [self.units[self.unit.pk]]
        if self.kind == UNITS:
            tops = [u for u in self.units.values() if any(u.path == p for p in self.paths)]
            # A path covered by another of the viewer's paths is not a root.
            return [u for u in tops if not any(u.path != p and u.path.startswith(p) for p in self.paths)]
        return [u for u in self.units.values() if u.parent_id is None]

    @cached_property
    def buckets(self) -> list[Bucket]:
        roots = sorted(self.roots, key=lambda u: (u.sort_order, u.name))
        result: list[Bucket] = []
        if (len(roots) == 1 and self.kind != ALL) or self.unit is not None:
            root = roots[0]
            result.append(Bucket(str(root.pk), f"{root.name} (trực tiếp)", frozenset({root.pk})))
            children = [u for u in self.units.values() if u.parent_id == root.pk]
            for child in sorted(children, key=lambda u: (u.sort_order, u.name)):
                result.append(Bucket(str(child.pk), child.name, self.subtree_ids(child.path)))
        else:
            for root in roots:
                result.append(Bucket(str(root.pk), root.name, self.subtree_ids(root.path)))
        if self.unit_ids is None:
            result.append(Bucket(NO_UNIT, NO_UNIT_LABEL, frozenset()))
        return result

    def bucket(self, key: str) -> Bucket:
        for b in self.buckets:
            if b.key == key:
                return b
        raise ValidationFailed("unknown_bucket", "Không có đơn vị này trong phạm vi thống kê.", "bucket")

    def bucket_of(self, unit_id: int | None) -> Bucket | None:
        for b in self.buckets:
            if (unit_id is None and b.key == NO_UNIT) or (unit_id is not None and unit_id in b.unit_ids):
                return b
        return None

    # --- descriptions -------------------------------------------------------------------------

    def describe(self) -> str:
        if self.unit is not None:
            return f"{self.unit.name} và các đơn vị trực thuộc"
        if self.kind == ALL:
            return "Toàn Bộ"
        if self.kind == UNITS:
            return ", ".join(u.name for u in self.roots) + " (gồm đơn vị trực thuộc)"
        return "Công việc được giao cho cá nhân"

    def as_params(self) -> dict[str, str]:
        return {"unit": str(self.unit.pk)} if self.unit is not None else {}

    # --- SQL filters on top of the permission filters -----------------------------------------

    def work_q(self) -> Q:
        """On Assignment: the work of the viewer's units (a person's assignment belongs
        to the unit that re-assigned it), or their own."""
        from vanban.reports.selectors import own_unit_in_q

        q = Q()
        if self.kind == OWN:
            q &= Q(assignee_user_id__in=self.user_ids)
        if self.unit_ids is not None:
            q &= own_unit_in_q(self.unit_ids)
        return q

    def outgoing_q(self) -> Q:
        q = Q()
        if self.kind == OWN:
            q &= Q(created_by_id__in=self.user_ids) | Q(signer_id__in=self.user_ids)
        if self.unit_ids is not None:
            q &= Q(drafting_unit_id__in=sorted(self.unit_ids))
        return q


def scope_for(viewer: Any, *, unit: Unit | None = None) -> Scope:
    roles = effective_roles(viewer)
    from vanban.workflow.permissions import identity

    ident = identity(viewer)
    paths = tuple(sorted({r.unit_path for r in roles if r.role in (Role.UNIT_LEADER, Role.UNIT_CLERK) and r.unit_path}))
    if any(r.role in MINISTRY_READERS for r in roles):
        kind = ALL
    elif paths:
        kind = UNITS
    else:
        # Specialists, and anyone else: their own work. Like the document lists, a person
        # who reads no documents (the IT department) sees zeros, not an error.
        kind = OWN
    if unit is not None and kind == UNITS and not any(unit.path.startswith(p) for p in paths):
        raise PermissionDenied("Bạn chỉ xem được thống kê của đơn vị mình phụ trách.")
    units = {
        u["pk"]: UnitRow(u["pk"], u["path"], u["name"], u["parent_id"], u["status"], u["sort_order"])
        for u in Unit.objects.values("pk", "path", "name", "parent_id", "status", "sort_order")
    }
    return Scope(viewer=viewer, kind=kind, user_ids=ident.user_ids, paths=paths, unit=unit, units=units)
