"""Usage figures for the IT department ("kiểm tra, giám sát việc khai thác, sử dụng").

Every figure is a SQL aggregate over the audit log (GROUP BY, days cut in Vietnam time);
Python only rolls unit ids up the (small) unit tree and fills days without logins.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.audit.selectors import MIN_DATE, clamp_date, day_start, require_log_reader
from vanban.core.errors import ValidationFailed
from vanban.core.timeutil import today
from vanban.organisation.models import Appointment, Unit

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 731
DEFAULT_INACTIVE_DAYS = 30
INACTIVE_DAY_CHOICES = (7, 14, 30, 60, 90, 180, 365)
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOCKED_OUT = "auth.locked_out"
# Signing in and out is presence, not work: "actions" counts everything else.
SESSION_PREFIX = "auth."
NO_UNIT = "Chưa thuộc đơn vị nào"


@dataclass(frozen=True)
class UsageQuery:
    date_from: dt.date
    date_to: dt.date
    unit: Unit | None = None
    inactive_days: int = DEFAULT_INACTIVE_DAYS

    @classmethod
    def build(
        cls,
        *,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        unit: Unit | None = None,
        inactive_days: int | None = None,
    ) -> UsageQuery:
        end = clamp_date(date_to) or today()
        start = clamp_date(date_from) or max(MIN_DATE, end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1))
        if start > end:
            raise ValidationFailed("invalid_period", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", "date_to")
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationFailed(
                "period_too_long", f"Khoảng thời gian tối đa là {MAX_PERIOD_DAYS} ngày.", "date_from"
            )
        days = inactive_days or DEFAULT_INACTIVE_DAYS
        if not 1 <= days <= 3650:
            raise ValidationFailed(
                "invalid_inactive_days", "Số ngày không đăng nhập phải từ 1 đến 3650.", "inactive_days"
            )
        return cls(start, end, unit, days)

    @property
    def days(self) -> list[dt.date]:
        return [self.date_from + dt.timedelta(days=i) for i in range((self.date_to - self.date_from).days + 1)]

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("Từ ngày", self.date_from.strftime("%d/%m/%Y")),
            ("Đến ngày", self.date_to.strftime("%d/%m/%Y")),
            ("Đơn vị", f"{self.unit.name} (gồm đơn vị trực thuộc)" if self.unit else "Toàn Bộ"),
            ("Không đăng nhập từ", f"{self.inactive_days} ngày trở lên"),
        ]

    def as_data(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "unit": self.unit.pk if self.unit else None,
            "inactive_days": self.inactive_days,
        }


@dataclass
class UnitFigure:
    unit_id: int | None
    name: str
    value: int


@dataclass
class InactivePerson:
    user_id: int
    username: str
    full_name: str
    unit_id: int | None
    unit_name: str
    last_login_at: dt.datetime | None
    date_joined: dt.datetime


@dataclass
class InactiveUnit:
    unit_id: int
    name: str
    members: int
    inactive: int
    last_login_at: dt.datetime | None

    @property
    def nobody_logged_in(self) -> bool:
        return self.members > 0 and self.inactive == self.members


@dataclass
class UsageSummary:
    query: UsageQuery
    logins_per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    active_users_per_unit: list[UnitFigure] = field(default_factory=list)
    actions_per_unit: list[UnitFigure] = field(default_factory=list)
    inactive_people: list[InactivePerson] = field(default_factory=list)
    inactive_people_total: int = 0
    inactive_units: list[InactiveUnit] = field(default_factory=list)
    failed_logins: int = 0
    lockouts: int = 0
    failed_by_username: list[tuple[str, int]] = field(default_factory=list)
    active_users: int = 0
    actions: int = 0

    @property
    def total_logins(self) -> int:
        return sum(n for _, n in self.logins_per_day)


# --- Building blocks ----------------------------------------------------------------------


def _period_events(q: UsageQuery) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(
        occurred_at__gte=day_start(q.date_from), occurred_at__lt=day_start(q.date_to + dt.timedelta(days=1))
    )
    if q.unit is not None:
        events = events.filter(actor_unit_id__in=_subtree_ids(q.unit))
    return events


def _subtree_ids(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path).values("pk")


def logins_per_day(q: UsageQuery) -> list[tuple[dt.date, int]]:
    vn = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = (
        _period_events(q)
        .filter(action=LOGIN)
        .annotate(day=TruncDate("occurred_at", tzinfo=vn))
        .values("day")
        # COUNT(*), not COUNT(id): PostgreSQL can then answer from the (action,
        # occurred_at) index alone instead of reading the rows (0.7 s -> 0.25 s for
        # a year at a million events).
        .annotate(n=Count("*"))
        .order_by("day")
    )
    counts = {r["day"]: r["n"] for r in rows}
    return [(day, counts.get(day, 0)) for day in q.days]


def _bucket_of(path: str, level: int) -> int | None:
    parts = [p for p in path.split("/") if p]
    return int(parts[level]) if len(parts) > level else None


def activity_per_unit(q: UsageQuery) -> tuple[list[UnitFigure], list[UnitFigure], int, int]:
    """Active people and actions, rolled up to top-level units (or, when a unit is
    chosen, to its direct sub-units). One GROUP BY (unit, person) query: a person
    counts once per bucket even with events under several sub-units."""
    pairs = (
        _period_events(q)
        .filter(actor__isnull=False)
        .values("actor_unit_id", "actor_id")
        .annotate(actions=Count("id", filter=~Q(action__startswith=SESSION_PREFIX)))
        .order_by()
    )
    units = {u["pk"]: u for u in Unit.objects.values("pk", "path", "name", "parent_id", "status", "sort_order")}
    level = 0 if q.unit is None else len([p for p in q.unit.path.split("/") if p])
    people: dict[int | None, set[int]] = {}
    actions: dict[int | None, int] = {}
    everyone: set[int] = set()
    total_actions = 0
    for pair in pairs:
        unit = units.get(pair["actor_unit_id"])
        bucket = _bucket_of(unit["path"], level) if unit else None
        if bucket is None and q.unit is not None and unit is not None:
            bucket = q.unit.pk  # people placed directly in the chosen unit
        people.setdefault(bucket, set()).add(pair["actor_id"])
        actions[bucket] = actions.get(bucket, 0) + pair["actions"]
        everyone.add(pair["actor_id"])
        total_actions += pair["actions"]
    # Every active unit of the level gets a bar, so units nobody used show as zero.
    if q.unit is None:
        level_units = [u for u in units.values() if u["parent_id"] is None and u["status"] == Unit.Status.ACTIVE]
    else:
        level_units = [u for u in units.values() if u["parent_id"] == q.unit.pk and u["status"] == Unit.Status.ACTIVE]
    buckets = {u["pk"] for u in level_units} | set(people)
    if q.unit is not None:
        buckets.add(q.unit.pk)

    def name(bucket: int | None) -> str:
        if bucket is None:
            return NO_UNIT
        if q.unit is not None and bucket == q.unit.pk:
            return f"{q.unit.name} (trực tiếp)"
        return units[bucket]["name"] if bucket in units else str(bucket)

    def figures(values: dict[int | None, int]) -> list[UnitFigure]:
        result = [UnitFigure(b, name(b), values.get(b, 0)) for b in buckets]
        result.sort(key=lambda f: (-f.value, f.name))
        return result

    active = figures({b: len(s) for b, s in people.items()})
    return active, figures(actions), len(everyone), total_actions


def _people(q: UsageQuery) -> QuerySet[Any]:
    """Active accounts annotated with their primary unit and latest login, any time."""
    from vanban.accounts.models import User

    primary = (
        Appointment.objects.filter(user=OuterRef("pk"), end_date__isnull=True)
        .order_by("-is_primary", "position__rank", "pk")
        .values("unit_id")[:1]
    )
    last_login = (
        AuditEvent.objects.filter(action=LOGIN, actor=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    )
    people = User.objects.filter(is_active=True).annotate(unit_id=Subquery(primary), last_login_at=Subquery(last_login))
    if q.unit is not None:
        people = people.filter(unit_id__in=_subtree_ids(q.unit))
    return people


def _inactive_q(cutoff: dt.datetime) -> Q:
    return Q(last_login_at__isnull=True) | Q(last_login_at__lt=cutoff)


def inactive_cutoff(q: UsageQuery) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=q.inactive_days)


def inactive_people(q: UsageQuery, limit: int | None = 200) -> tuple[list[InactivePerson], int]:
    """People with no login in the last N days (never first, then the longest idle)."""
    people = _people(q).filter(_inactive_q(inactive_cutoff(q)))
    total = people.count()
    rows = people.order_by(F("last_login_at").asc(nulls_first=True), "full_name", "username").values(
        "pk", "username", "full_name", "unit_id", "last_login_at", "date_joined"
    )
    if limit is not None:
        rows = rows[:limit]
    rows = list(rows)
    names = dict(Unit.objects.filter(pk__in={r["unit_id"] for r in rows if r["unit_id"]}).values_list("pk", "name"))
    return [
        InactivePerson(
            r["pk"],
            r["username"],
            r["full_name"],
            r["unit_id"],
            names.get(r["unit_id"], ""),
            r["last_login_at"],
            r["date_joined"],
        )
        for r in rows
    ], total


def inactive_units(q: UsageQuery) -> list[InactiveUnit]:
    """Per unit (by each person's primary unit): members, how many have not logged in
    for N days, and the unit's latest login. Units where someone is idle only."""
    cutoff = inactive_cutoff(q)
    rows = (
        _people(q)
        .filter(unit_id__isnull=False)
        .values("unit_id")
        .annotate(members=Count("pk"), inactive=Count("pk", filter=_inactive_q(cutoff)), last=Max("last_login_at"))
        .filter(inactive__gt=0)
        .order_by()
    )
    rows = list(rows)
    names = dict(Unit.objects.filter(pk__in=[r["unit_id"] for r in rows]).values_list("pk", "name"))
    result = [
        InactiveUnit(r["unit_id"], names.get(r["unit_id"], ""), r["members"], r["inactive"], r["last"]) for r in rows
    ]
    result.sort(key=lambda u: (not u.nobody_logged_in, -u.inactive, u.name))
    return result


def failed_logins(q: UsageQuery) -> tuple[int, int, list[tuple[str, int]]]:
    """Failures and lock-outs in the period. They have no actor, so a unit filter
    matches the typed name against the unit's people's user names and e-mails."""
    from vanban.accounts.models import User

    events = AuditEvent.objects.filter(
        action__in=[LOGIN_FAILED, LOCKED_OUT],
        occurred_at__gte=day_start(q.date_from),
        occurred_at__lt=day_start(q.date_to + dt.timedelta(days=1)),
    )
    if q.unit is not None:
        members = User.objects.filter(appointments__unit__in=_subtree_ids(q.unit), appointments__end_date__isnull=True)
        names = set(members.values_list("username", flat=True)) | set(
            members.exclude(email="").values_list("email", flat=True)
        )
        events = events.filter(actor_username__in=sorted(names))
    # COUNT(*) lets PostgreSQL count from the (action, occurred_at) index alone.
    totals = dict(events.values_list("action").annotate(n=Count("*")).order_by())
    top = list(
        events.filter(action=LOGIN_FAILED)
        .values_list("actor_username")
        .annotate(n=Count("id"))
        .order_by("-n", "actor_username")[:10]
    )
    return totals.get(LOGIN_FAILED, 0), totals.get(LOCKED_OUT, 0), [(u, n) for u, n in top]


def usage_summary(*, viewer: Any, query: UsageQuery, inactive_limit: int | None = 200) -> UsageSummary:
    """Every figure of the monitoring page; system administrators only."""
    require_log_reader(viewer)
    summary = UsageSummary(query)
    summary.logins_per_day = logins_per_day(query)
    (summary.active_users_per_unit, summary.actions_per_unit, summary.active_users, summary.actions) = (
        activity_per_unit(query)
    )
    summary.inactive_people, summary.inactive_people_total = inactive_people(query, inactive_limit)
    summary.inactive_units = inactive_units(query)
    summary.failed_logins, summary.lockouts, summary.failed_by_username = failed_logins(query)
    return summary
