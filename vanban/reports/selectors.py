"""The figures of the statistics dashboard, each a SQL aggregate over what the viewer may see.

Vocabulary:
* an incoming document counts in the period by its arrival date (Vietnam time);
* an outgoing document counts once issued (issued or later recalled), by its issue date;
* a piece of *work* is a lead assignment (chủ trì) that was not returned. A unit's lead
  re-assigned inside the unit makes a child lead; the viewer counts the top-most one in
  view, so a document processed by Cục → Phòng → chuyên viên counts once for the Cục's
  leader, and once for the Phòng's leader in their own view. In a per-unit breakdown a
  child counts in its unit's row when its parent sits in another row.
* on time = completed no later than the deadline day; late = completed after it; in
  progress = still open and the deadline not passed (or none); overdue = open past it.
* processing time = from the document's registration to the completion of the work.

Each figure carries a `figure` key and a `value`; `figure_documents` lists what is behind
it with exactly the same filters, so a drill-down list always has as many rows as the
figure says.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncWeek

from vanban.audit.selectors import day_start
from vanban.core.errors import ValidationFailed
from vanban.core.timeutil import today
from vanban.documents.models import DocumentType, Register
from vanban.incoming.models import IncomingDocument
from vanban.incoming.permissions import visibility_q as incoming_visibility_q
from vanban.organisation.models import Appointment, Organ
from vanban.outgoing.models import OutgoingDocument
from vanban.outgoing.permissions import visibility_q as outgoing_visibility_q
from vanban.reports.models import IncomingUnit, WorkSummary
from vanban.reports.scope import NO_UNIT, OWN, WEEK, Bucket, Period, Scope
from vanban.reports.sql import EpochSeconds, PercentileCont
from vanban.workflow.models import Assignment, Presentation, Task
from vanban.workflow.permissions import task_visibility_q

TOP_N = 10
OTHER = "other"
ISSUED = (OutgoingDocument.Status.ISSUED, OutgoingDocument.Status.RECALLED)
DAY = 86400.0

WORK_CLASSES = {
    "all": "Tổng số việc chủ trì",
    "on_time": "Hoàn thành đúng hạn",
    "late": "Hoàn thành quá hạn",
    "within": "Đang xử lý trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "completed": "Đã hoàn thành",
    "open": "Chưa hoàn thành",
}

FIGURES = {
    "incoming": "Văn bản đến",
    "incoming_period": "Văn bản đến theo kỳ",
    "incoming_type": "Văn bản đến theo loại",
    "incoming_organ": "Văn bản đến theo cơ quan ban hành",
    "outgoing": "Văn bản đi đã ban hành",
    "outgoing_period": "Văn bản đi theo kỳ",
    "outgoing_type": "Văn bản đi theo loại",
    "outgoing_unit": "Văn bản đi theo đơn vị soạn thảo",
    "work": "Tình hình xử lý (việc chủ trì)",
    "backlog": "Việc tồn đọng hiện tại",
    "leader": "Văn bản chờ lãnh đạo cho ý kiến",
    "processing": "Thời gian xử lý",
}


@contextmanager
def no_jit() -> Iterator[None]:
    """The dashboard's reads run in one transaction with three settings for this
    kind of query, measured at a million documents: JIT off (it spent 0.57 s compiling
    each aggregate, more than it saved) and random_page_cost 1.1 (the default 4 assumes
    spinning disks and made PostgreSQL scan every assignment rather than look up those
    of the period's documents by index); and work_mem 64 MB, as the default 4 MB sent
    a year's grouping to temporary files on disk."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL random_page_cost = 1.1")
        cur.execute("SET LOCAL work_mem = '64MB'")
        yield


def _vn() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- base querysets: permission filter, then the role's view --------------------------------


def incoming_base(scope: Scope) -> QuerySet[IncomingDocument]:
    """The incoming documents of the viewer's view. No separate permission filter: the
    view is narrower than what the viewer may read (see `Scope`), and testing
    `visibility_q` row by row (five EXISTS per document) cost seconds at a million."""
    docs = IncomingDocument.objects.all()
    if scope.kind == OWN:
        mine = Assignment.objects.filter(document=OuterRef("pk"), assignee_user_id__in=scope.user_ids)
        docs = docs.filter(Exists(mine))
    ids = scope.unit_ids
    if ids is not None:
        ids_list = sorted(ids)
        # A person's assignment inside a unit always hangs under the unit's own assignment
        # of the same document, so the units' assignments alone find every document.
        to_units = Assignment.objects.filter(assignee_unit_id__in=ids_list, document=OuterRef("pk")).exclude(
            status=Assignment.Status.RETURNED
        )
        registers = Register.objects.filter(unit_id__in=ids_list).values("pk")
        docs = docs.filter(Q(register_id__in=registers) | Q(Exists(to_units)))
    return docs


def incoming_in_period(scope: Scope, period: Period) -> QuerySet[IncomingDocument]:
    return incoming_base(scope).filter(arrival_date__gte=period.start, arrival_date__lt=period.end)


def outgoing_in_period(scope: Scope, period: Period) -> QuerySet[OutgoingDocument]:
    docs = OutgoingDocument.objects.filter(
        status__in=ISSUED, issued_date__gte=period.date_from, issued_date__lte=period.date_to
    )
    return docs.filter(outgoing_visibility_q(scope.viewer)).filter(scope.outgoing_q())


def work_items(scope: Scope) -> QuerySet[Assignment]:
    """Lead assignments in the viewer's view, annotated with the unit they belong to
    (a person's assignment belongs to the unit that re-assigned it) and the unit of
    their parent when the parent is itself a lead."""
    items = (
        Assignment.objects.filter(role=Assignment.Role.LEAD)
        .exclude(status=Assignment.Status.RETURNED)
        .annotate(
            own_unit=Coalesce("assignee_unit_id", "parent__assignee_unit_id"),
            parent_lead_unit=Case(
                When(parent__role=Assignment.Role.LEAD, then=F("parent__assignee_unit_id")),
                default=Value(None),
                output_field=IntegerField(),
            ),
        )
    )
    # Like `incoming_base`, no row-by-row permission filter on documents: every piece of
    # work in the view is assigned to the viewer's units or to the viewer, which is what
    # lets them read its document (Scope's docstring). Direct tasks are few and follow
    # their own rule (`task_visibility_q`: a ministry leader does not read a task a Cục
    # gave inside the Cục), so they are filtered by it.
    return items.filter(scope.work_q()).filter(Q(document__isnull=False) | Q(task_id__in=readable_tasks(scope)))


def readable_tasks(scope: Scope) -> QuerySet[Task]:
    return Task.objects.filter(task_visibility_q(scope.viewer)).values("pk")


def work_in_period(scope: Scope, period: Period) -> QuerySet[Assignment]:
    return work_items(scope).filter(document__arrival_date__gte=period.start, document__arrival_date__lt=period.end)


def _summary_view(scope: Scope) -> QuerySet[WorkSummary]:
    items = WorkSummary.objects.all()
    if scope.kind == OWN:
        items = items.filter(assignee_user_id__in=scope.user_ids)
    if scope.unit_ids is not None:
        items = items.filter(own_unit__in=sorted(scope.unit_ids))
    return items


def summary_items(scope: Scope) -> QuerySet[WorkSummary]:
    """`work_items` read from the work read model (models.WorkSummary), which holds each
    lead's own unit, parent lead and document dates already: the figures scan one narrow
    table instead of joining documents to assignments. The drill-down lists keep reading
    the assignments (with the same filters), so a list has as many rows as its figure as
    long as the triggers keep the model exact (tests/test_summary.py)."""
    tasks_work = Assignment.objects.filter(task_id__in=readable_tasks(scope)).values("pk")
    return _summary_view(scope).filter(Q(document_id__isnull=False) | Q(assignment_id__in=tasks_work))


def summary_in_period(scope: Scope, period: Period) -> QuerySet[WorkSummary]:
    """A direct task has no arrival date, so the period leaves out every task without
    the test `summary_items` makes: the period's rows stay an index-only scan."""
    return _summary_view(scope).filter(arrival_date__gte=period.start, arrival_date__lt=period.end)


def summary_top_q(scope: Scope) -> Q:
    """`top_most_q` on the read model."""
    ids = scope.parent_ids
    if ids is not None and not ids:
        return Q()
    q = Q(under_lead=False)
    if ids is not None:
        q |= ~Q(parent_lead_unit__in=sorted(ids))
    return q


def _class_q(name: str, day: dt.date) -> Q:
    completed = Q(status=Assignment.Status.COMPLETED)
    is_open = Q(status__in=Assignment.OPEN_STATUSES)
    overdue = is_open & Q(deadline__lt=day)
    if name == "all":
        return Q()
    if name == "completed":
        return completed
    if name == "open":
        return is_open
    if name == "on_time":
        return completed & (Q(deadline__isnull=True) | Q(closed_day__lte=F("deadline")))
    if name == "late":
        return completed & Q(deadline__isnull=False, closed_day__gt=F("deadline"))
    if name == "within":
        return is_open & ~Q(deadline__lt=day)
    if name == "overdue":
        return overdue
    raise ValidationFailed("unknown_value", "Giá trị chỉ tiêu không hợp lệ.", "value")


def _with_closed_day(items: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return items.annotate(closed_day=TruncDate("closed_at", tzinfo=_vn()))


def _seconds() -> Any:
    return EpochSeconds("closed_at") - EpochSeconds("document__registered_at")


# The filters below test the parent's columns directly rather than the `own_unit` and
# `parent_lead_unit` annotations: PostgreSQL cannot estimate a CASE or COALESCE, and a
# wrong guess there (one row in a hundred instead of nearly all) made it join every
# assignment of every year before looking at the period.


def not_under_lead_q(ids: frozenset[int] | None) -> Q:
    """The parent is not a lead of these units (None: not a lead at all)."""
    q = Q(parent__isnull=True) | ~Q(parent__role=Assignment.Role.LEAD)
    if ids is not None:
        q |= ~Q(parent__assignee_unit_id__in=sorted(ids))
    return q


def own_unit_in_q(ids: frozenset[int]) -> Q:
    """`own_unit` in ids: the unit's own assignment, or a person's under it."""
    ids_list = sorted(ids)
    return Q(assignee_unit_id__in=ids_list) | Q(assignee_unit__isnull=True, parent__assignee_unit_id__in=ids_list)


def top_most_q(scope: Scope) -> Q:
    """Excludes work counted through its parent in this view."""
    if scope.parent_ids is not None and not scope.parent_ids:
        return Q()
    return not_under_lead_q(scope.parent_ids)


def bucket_q(bucket: Bucket) -> Q:
    """Work in a row of the per-unit breakdown (see the module docstring)."""
    if bucket.key == NO_UNIT:
        return Q(assignee_unit__isnull=True, parent__assignee_unit__isnull=True)
    return own_unit_in_q(bucket.unit_ids) & not_under_lead_q(bucket.unit_ids)


# --- result shapes ------------------------------------------------------------------------------


@dataclass
class Count_:
    """One number of a chart or a table, with what the drill-down needs."""

    label: str
    value: int
    figure: str
    key: str = ""
    bucket: str = ""

    def params(self) -> dict[str, str]:
        p = {"figure": self.figure}
        if self.key:
            p["value"] = self.key
        if self.bucket:
            p["bucket"] = self.bucket
        return p


@dataclass
class WorkCounts:
    all: int = 0
    on_time: int = 0
    late: int = 0
    within: int = 0
    overdue: int = 0
    seconds: float = 0.0

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    @property
    def open(self) -> int:
        return self.within + self.overdue

    def add(self, row: dict[str, Any]) -> None:
        for name in ("all", "on_time", "late", "within", "overdue"):
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))
        self.seconds += row.get("seconds") or 0.0

    def rate(self, name: str) -> float | None:
        """Share of `name` among the finished and overdue work (what has a verdict)."""
        base = self.on_time + self.late + self.overdue
        return round(100.0 * getattr(self, name) / base, 1) if base else None

    @property
    def average_days(self) -> float | None:
        return round(self.seconds / self.completed / DAY, 2) if self.completed else None


@dataclass
class BucketWork:
    bucket: Bucket
    counts: WorkCounts


@dataclass
class Processing:
    completed: int = 0
    average_days: float | None = None
    median_days: float | None = None
    p90_days: float | None = None


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    incoming_total: int = 0
    incoming_by_status: list[Count_] = field(default_factory=list)
    incoming_by_period: list[Count_] = field(default_factory=list)
    incoming_by_type: list[Count_] = field(default_factory=list)
    incoming_by_organ: list[Count_] = field(default_factory=list)
    outgoing_total: int = 0
    outgoing_by_period: list[Count_] = field(default_factory=list)
    outgoing_by_unit: list[Count_] = field(default_factory=list)
    outgoing_by_type: list[Count_] = field(default_factory=list)
    work: WorkCounts = field(default_factory=WorkCounts)
    work_by_unit: list[BucketWork] = field(default_factory=list)
    backlog: WorkCounts = field(default_factory=WorkCounts)
    backlog_by_unit: list[BucketWork] = field(default_factory=list)
    backlog_by_leader: list[Count_] = field(default_factory=list)
    processing: Processing = field(default_factory=Processing)


# --- aggregates -------------------------------------------------------------------------------


def _period_counts(rows: dict[dt.date, int], period: Period, figure: str) -> list[Count_]:
    return [
        Count_(period.bucket_label(start), rows.get(start, 0), figure, start.isoformat())
        for start in period.bucket_starts()
    ]


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def outgoing_breakdowns(
    docs: QuerySet[OutgoingDocument], period: Period
) -> tuple[dict[dt.date, int], dict[int, int], list[tuple[int, int]]]:
    """Counts by period, drafting unit and type: like `incoming_breakdowns`, one pass
    over the period's documents on PostgreSQL (every grouped column is NOT NULL),
    one GROUP BY per breakdown elsewhere."""
    trunc = TruncWeek if period.granularity == WEEK else TruncMonth
    rows = docs.annotate(b=trunc("issued_date")).order_by()
    by_bucket: dict[dt.date, int] = {}
    per_unit: dict[int, int] = {}
    types: list[tuple[int, int]] = []
    if connection.vendor == "postgresql":
        sql, params = rows.values("b", "drafting_unit_id", "document_type_id").query.sql_with_params()
        grouped = (
            "SELECT b, drafting_unit_id, document_type_id, COUNT(*) FROM (" + sql + ") s "  # noqa: S608
            "GROUP BY GROUPING SETS ((b), (drafting_unit_id), (document_type_id))"
        )
        with connection.cursor() as cur:
            cur.execute(grouped, params)
            for bucket, unit_id, type_id, n in cur.fetchall():
                if bucket is not None:
                    by_bucket[_as_date(bucket)] = n
                elif unit_id is not None:
                    per_unit[unit_id] = n
                elif type_id is not None:
                    types.append((type_id, n))
        return by_bucket, per_unit, types
    by_bucket = {_as_date(r["b"]): r["n"] for r in rows.values("b").annotate(n=Count("*"))}
    per_unit = dict(rows.values_list("drafting_unit_id").annotate(n=Count("*")))
    types = [(r["document_type_id"], r["n"]) for r in rows.values("document_type_id").annotate(n=Count("*"))]
    return by_bucket, per_unit, types


def _top(rows: list[tuple[int, int]], names: dict[int, str], figure: str) -> list[Count_]:
    rows.sort(key=lambda r: (-r[1], names.get(r[0], "")))
    result = [Count_(names.get(pk, str(pk)), n, figure, str(pk)) for pk, n in rows[:TOP_N]]
    rest = sum(n for _, n in rows[TOP_N:])
    if rest:
        result.append(Count_("Khác", rest, figure, OTHER))
    return result


def incoming_unit_rows(scope: Scope, period: Period) -> QuerySet[IncomingUnit] | None:
    """A unit-scoped view's documents of the period as rows of the incoming read model
    (one per document and unit; a document under several of the units has several), or
    None when the view is not unit-scoped (ministry-wide: every document; own work)."""
    ids = scope.unit_ids
    if ids is None or scope.kind == OWN:
        return None
    return IncomingUnit.objects.filter(
        unit_id__in=sorted(ids), arrival_date__gte=period.start, arrival_date__lt=period.end
    )


def incoming_breakdowns(
    docs: QuerySet[IncomingDocument] | QuerySet[IncomingUnit], period: Period
) -> tuple[dict[str, int], dict[dt.date, int], list[tuple[int, int]], list[tuple[int, int]]]:
    """Counts by status, period, type and issuing organ of the documents, or of the rows
    of the incoming read model (each document once). On PostgreSQL one pass over the
    period's documents (GROUP BY GROUPING SETS); elsewhere one GROUP BY per breakdown."""
    narrow = docs.model is IncomingUnit
    if connection.vendor == "postgresql":
        columns = ["status", "document_type_id", "issuing_organ_id", "arrival_date"]
        plain = docs.order_by()
        # A document's rows carry the same values: DISTINCT leaves one per document.
        rows = plain.values("document_id", *columns).distinct() if narrow else plain.values(*columns)
        sql, params = rows.query.sql_with_params()
        starts = period.bucket_starts()
        by_status: dict[str, int] = {}
        by_bucket: dict[dt.date, int] = {}
        types: list[tuple[int, int]] = []
        organs: list[tuple[int, int]] = []
        with connection.cursor() as cur:
            # Two cheap steps instead of converting every document's arrival time to
            # Vietnam time and hashing each one four times: the period's bucket is a
            # binary search among the buckets' first instants (width_bucket, 1-based),
            # and the documents collapse to their distinct (status, type, organ, bucket)
            # before the grouping sets add them up (52 -> 23 ms for three months at a
            # million documents). `sql` is Django's own compiled query; every value
            # travels in the parameters.
            grouped = (
                "SELECT status, document_type_id, issuing_organ_id, b, SUM(n)::bigint FROM ("  # noqa: S608
                "SELECT status, document_type_id, issuing_organ_id, "
                "width_bucket(arrival_date, %s::timestamptz[]) AS b, COUNT(*) AS n "
                "FROM (" + sql + ") s GROUP BY 1, 2, 3, 4) g "
                "GROUP BY GROUPING SETS ((status), (document_type_id), (issuing_organ_id), (b))"
            )
            cur.execute(grouped, [[day_start(start) for start in starts], *params])
            # Every column is NOT NULL, so the one set in a row names its grouping set.
            for status, type_id, organ_id, bucket, n in cur.fetchall():
                if status is not None:
                    by_status[status] = n
                elif type_id is not None:
                    types.append((type_id, n))
                elif organ_id is not None:
                    organs.append((organ_id, n))
                elif bucket is not None:
                    by_bucket[starts[bucket - 1]] = n
        return by_status, by_bucket, types, organs
    trunc = TruncWeek if period.granularity == WEEK else TruncMonth
    rows = docs.annotate(b=trunc("arrival_date", tzinfo=_vn())).order_by()
    n = _document_count(docs)
    by_status = dict(rows.values_list("status").annotate(n=n))
    by_bucket = {_as_date(r["b"]): r["n"] for r in rows.values("b").annotate(n=n)}
    types = [(r["document_type_id"], r["n"]) for r in rows.values("document_type_id").annotate(n=n)]
    organs = [(r["issuing_organ_id"], r["n"]) for r in rows.values("issuing_organ_id").annotate(n=n)]
    return by_status, by_bucket, types, organs


def _document_count(docs: QuerySet[IncomingDocument] | QuerySet[IncomingUnit]) -> Count:
    """COUNT of documents, each once though the read model has a row per unit."""
    return Count("document_id", distinct=True) if docs.model is IncomingUnit else Count("*")


def incoming_by_status(scope: Scope, period: Period) -> dict[str, int]:
    """The period's incoming documents in the view, counted by status."""
    narrow = incoming_unit_rows(scope, period)
    docs = narrow if narrow is not None else incoming_in_period(scope, period)
    return dict(docs.values_list("status").annotate(n=_document_count(docs)).order_by())


def _named_top(rows: list[tuple[int, int]], model: Any, figure: str) -> list[Count_]:
    names = dict(model.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("pk", "name"))
    return _top(rows, names, figure)


def by_type(docs: QuerySet[Any], figure: str) -> list[Count_]:
    rows = [(r["document_type_id"], r["n"]) for r in docs.values("document_type_id").annotate(n=Count("*")).order_by()]
    names = dict(DocumentType.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("pk", "name"))
    return _top(rows, names, figure)


def by_organ(docs: QuerySet[IncomingDocument]) -> list[Count_]:
    rows = [(r["issuing_organ_id"], r["n"]) for r in docs.values("issuing_organ_id").annotate(n=Count("*")).order_by()]
    names = dict(Organ.objects.filter(pk__in=[pk for pk, _ in rows[:1000]]).values_list("pk", "name"))
    return _top(rows, names, "incoming_organ")


def top_ids(docs: QuerySet[Any], column: str) -> list[int]:
    """The ids a top-N chart names (the rest is "Khác"), exactly as the chart picks them."""
    top = by_type(docs, "x") if column == "document_type_id" else by_organ(docs)
    return [int(c.key) for c in top if c.key != OTHER]


def _unit_pairs(items: QuerySet[Any], day: dt.date, *, with_time: bool) -> list[dict[str, Any]]:
    """One GROUP BY (unit, parent lead's unit): the counts of every class per pair.
    Rolling pairs up to rows and totals is then arithmetic over a few hundred pairs.
    `items`: `summary_in_period`/`summary_items` (the figures) or, from the assignments,
    `work_in_period`/`work_items` (what the tests compare the read model with)."""
    summary = items.model is WorkSummary
    if not summary:
        items = _with_closed_day(items)
    aggregates: dict[str, Any] = {
        name: Count("pk", filter=_class_q(name, day)) for name in ("on_time", "late", "within", "overdue")
    }
    aggregates["all"] = Count("pk")
    if with_time:
        secs = F("secs") if summary else _seconds()
        aggregates["seconds"] = Sum(secs, filter=Q(status=Assignment.Status.COMPLETED), output_field=FloatField())
    return list(items.values("own_unit", "parent_lead_unit").annotate(**aggregates).order_by())


def _roll_up(scope: Scope, pairs: list[dict[str, Any]]) -> tuple[WorkCounts, list[BucketWork]]:
    total = WorkCounts()
    parents = scope.parent_ids
    rows = [BucketWork(b, WorkCounts()) for b in scope.buckets]
    for pair in pairs:
        parent = pair["parent_lead_unit"]
        if parent is None or (parents is not None and parent not in parents):
            total.add(pair)
        own = pair["own_unit"]
        for row in rows:
            b = row.bucket
            if b.key == NO_UNIT:
                if own is None:
                    row.counts.add(pair)
            elif own in b.unit_ids and (parent is None or parent not in b.unit_ids):
                row.counts.add(pair)
    return total, rows


def processing_times(items: QuerySet[Any]) -> Processing:
    """Average, median and p90 of registration → completion, in days. PostgreSQL
    computes the percentiles (percentile_cont); SQLite reads the two neighbouring
    values of each rank with ORDER BY … LIMIT 2 OFFSET k, the same interpolation.
    `items` as for `_unit_pairs`."""
    done = items.filter(status=Assignment.Status.COMPLETED)
    if items.model is not WorkSummary:
        done = done.annotate(secs=_seconds())
    if connection.vendor == "postgresql":
        row = done.aggregate(
            n=Count("pk"),
            total=Sum("secs"),
            p50=PercentileCont("secs", 0.5),
            p90=PercentileCont("secs", 0.9),
        )
        n = row["n"] or 0
        if not n:
            return Processing()
        return Processing(n, row["total"] / n / DAY, row["p50"] / DAY, row["p90"] / DAY)
    row = done.aggregate(n=Count("pk"), total=Sum("secs"))
    n = row["n"] or 0
    if not n:
        return Processing()

    def percentile(fraction: float) -> float:
        rank = fraction * (n - 1)
        low = int(rank)
        values = list(done.order_by("secs").values_list("secs", flat=True)[low : low + 2])
        if len(values) == 1:
            return values[0]
        return values[0] + (values[1] - values[0]) * (rank - low)

    return Processing(n, row["total"] / n / DAY, percentile(0.5) / DAY, percentile(0.9) / DAY)


def _round(p: Processing) -> Processing:
    r = lambda v: None if v is None else round(v, 2)  # noqa: E731
    return Processing(p.completed, r(p.average_days), r(p.median_days), r(p.p90_days))


def pending_presentations(scope: Scope) -> QuerySet[Presentation]:
    """Presentations waiting for a leader's direction, in the viewer's view: for a unit
    view, those of the unit's registers or to a leader posted in the unit."""
    pending = Presentation.objects.filter(status=Presentation.Status.PENDING)
    visible = incoming_visibility_q(scope.viewer)
    if visible is not None:
        pending = pending.filter(document__in=IncomingDocument.objects.filter(visible).values("pk"))
    if scope.kind == OWN:
        pending = pending.filter(leader_id__in=scope.user_ids)
    if scope.unit_ids is not None:
        ids = sorted(scope.unit_ids)
        posted = Appointment.objects.filter(user=OuterRef("leader_id"), unit_id__in=ids, end_date__isnull=True)
        pending = pending.filter(Q(document__register__unit_id__in=ids) | Q(Exists(posted)))
    return pending


def backlog_by_leader(scope: Scope) -> list[Count_]:
    rows = list(
        pending_presentations(scope)
        .values("leader_id", "leader__full_name", "leader__username")
        .annotate(n=Count("*"))
        .order_by()
    )
    rows.sort(key=lambda r: (-r["n"], r["leader__full_name"] or r["leader__username"]))
    return [
        Count_(r["leader__full_name"] or r["leader__username"], r["n"], "leader", str(r["leader_id"])) for r in rows
    ]


def outgoing_by_unit(scope: Scope, per_unit: dict[int, int]) -> list[Count_]:
    result = []
    for b in scope.buckets:
        if b.key == NO_UNIT:
            continue
        result.append(
            Count_(b.label, sum(n for u, n in per_unit.items() if u in b.unit_ids), "outgoing_unit", bucket=b.key)
        )
    return result


def dashboard(*, scope: Scope, period: Period) -> Dashboard:
    with no_jit():
        return _dashboard(scope, period)


def work_and_processing(scope: Scope, period: Period, day: dt.date) -> tuple[list[dict[str, Any]], Processing]:
    """The period's work pairs (`_unit_pairs`) and processing times (`processing_times`
    of the top-most work), from the read model: two index-only reads of the period's
    rows. One read into a materialised CTE feeding both aggregates was tried and is
    slower on PostgreSQL (the CTE copies every row of the period into a tuple store:
    61-89 ms against 40 + 11 ms at a million documents)."""
    items = summary_in_period(scope, period)
    pairs = _unit_pairs(items, day, with_time=True)
    return pairs, processing_times(items.filter(summary_top_q(scope)))


def _dashboard(scope: Scope, period: Period) -> Dashboard:
    d = Dashboard(scope, period)
    day = today()
    narrow = incoming_unit_rows(scope, period)
    docs = narrow if narrow is not None else incoming_in_period(scope, period)
    status_labels = dict(IncomingDocument.Status.choices)
    by_status, by_bucket, types, organs = incoming_breakdowns(docs, period)
    d.incoming_by_status = [Count_(status_labels[s], by_status.get(s, 0), "incoming", s) for s in status_labels]
    d.incoming_total = sum(by_status.values())
    d.incoming_by_period = _period_counts(by_bucket, period, "incoming_period")
    d.incoming_by_type = _named_top(types, DocumentType, "incoming_type")
    d.incoming_by_organ = _named_top(organs, Organ, "incoming_organ")

    out = outgoing_in_period(scope, period)
    out_buckets, per_unit, out_types = outgoing_breakdowns(out, period)
    d.outgoing_by_period = _period_counts(out_buckets, period, "outgoing_period")
    d.outgoing_total = sum(c.value for c in d.outgoing_by_period)
    d.outgoing_by_unit = outgoing_by_unit(scope, per_unit)
    d.outgoing_by_type = _named_top(out_types, DocumentType, "outgoing_type")

    pairs, processing = work_and_processing(scope, period, day)
    d.work, d.work_by_unit = _roll_up(scope, pairs)
    open_items = summary_items(scope).filter(status__in=Assignment.OPEN_STATUSES)
    d.backlog, d.backlog_by_unit = _roll_up(scope, _unit_pairs(open_items, day, with_time=False))
    d.backlog_by_leader = backlog_by_leader(scope)
    d.processing = _round(processing)
    return d


# --- drill-down --------------------------------------------------------------------------------


@dataclass
class FigureList:
    """What is behind one figure: incoming documents, outgoing documents or pieces of work."""

    figure: str
    value: str
    bucket: str
    kind: str  # "incoming", "outgoing" or "work"
    title: str
    rows: QuerySet[Any]


def _check_value(value: str, allowed: set[str]) -> None:
    if value not in allowed:
        raise ValidationFailed("unknown_value", "Giá trị chỉ tiêu không hợp lệ.", "value")


def _int_value(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 2**63:
        raise ValidationFailed("unknown_value", "Giá trị chỉ tiêu không hợp lệ.", "value")
    return int(value)


def _period_value(value: str, period: Period) -> tuple[dt.date, dt.date]:
    try:
        start = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("unknown_value", "Kỳ thống kê không hợp lệ.", "value") from None
    if start not in period.bucket_starts():
        raise ValidationFailed("unknown_value", "Kỳ thống kê không nằm trong khoảng thời gian đã chọn.", "value")
    return start, period.bucket_end(start)


def figure_documents(*, scope: Scope, period: Period, figure: str, value: str = "", bucket: str = "") -> FigureList:
    """The rows behind a figure of `dashboard` (same scope and period)."""
    if figure not in FIGURES:
        raise ValidationFailed("unknown_figure", "Chỉ tiêu thống kê không hợp lệ.", "figure")
    title = FIGURES[figure]
    if figure.startswith("incoming"):
        docs = incoming_in_period(scope, period)
        if figure == "incoming" and value:
            _check_value(value, set(IncomingDocument.Status.values))
            docs = docs.filter(status=value)
            title = f"{title}: {IncomingDocument.Status(value).label}"
        elif figure == "incoming_period":
            start, end = _period_value(value, period)
            docs = docs.filter(arrival_date__gte=day_start(start), arrival_date__lt=day_start(end))
            title = f"{title}: {period.bucket_label(start)}"
        elif figure in ("incoming_type", "incoming_organ"):
            column = "document_type_id" if figure == "incoming_type" else "issuing_organ_id"
            if value == OTHER:
                docs = docs.exclude(**{f"{column}__in": top_ids(docs, column)})
                title = f"{title}: Khác"
            else:
                docs = docs.filter(**{column: _int_value(value)})
        rows = docs.select_related("document_type", "issuing_organ", "register").order_by("-arrival_date", "-pk")
        return FigureList(figure, value, "", "incoming", title, rows)
    if figure.startswith("outgoing"):
        out = outgoing_in_period(scope, period)
        if figure == "outgoing_period":
            start, end = _period_value(value, period)
            out = out.filter(issued_date__gte=start, issued_date__lt=end)
            title = f"{title}: {period.bucket_label(start)}"
        elif figure == "outgoing_type":
            if value == OTHER:
                out = out.exclude(document_type_id__in=top_ids(out, "document_type_id"))
            else:
                out = out.filter(document_type_id=_int_value(value))
        elif figure == "outgoing_unit":
            b = scope.bucket(bucket)
            out = out.filter(drafting_unit_id__in=sorted(b.unit_ids))
            title = f"{title}: {b.label}"
        rows = out.select_related("document_type", "drafting_unit").order_by("-issued_date", "-number", "-pk")
        return FigureList(figure, value, bucket, "outgoing", title, rows)
    if figure == "leader":
        pending = pending_presentations(scope).filter(leader_id=_int_value(value))
        rows = (
            IncomingDocument.objects.filter(pk__in=pending.values("document_id"))
            .select_related("document_type", "issuing_organ", "register")
            .order_by("-arrival_date", "-pk")
        )
        return FigureList(figure, value, "", "incoming", title, rows)
    # Work: "work" (period) and "backlog" (now, open only), optionally one unit's row.
    value = "completed" if figure == "processing" else (value or "all")
    _check_value(value, set(WORK_CLASSES) if figure != "backlog" else {"open", "overdue", "within", "all"})
    if figure == "backlog":
        items = work_items(scope).filter(status__in=Assignment.OPEN_STATUSES)
    else:
        items = work_in_period(scope, period)
    items = _with_closed_day(items).filter(_class_q(value, today()))
    if bucket:
        b = scope.bucket(bucket)
        items = items.filter(bucket_q(b))
        title = f"{title}: {b.label}"
    else:
        items = items.filter(top_most_q(scope))
    title = f"{title} — {WORK_CLASSES[value].lower()}"
    items = items.select_related(
        "document",
        "task",
        "document__document_type",
        "document__issuing_organ",
        "assignee_unit",
        "assignee_user",
        "parent__assignee_unit",
    )
    if figure == "processing":
        items = items.annotate(secs=_seconds()).order_by("-secs", "pk")
    else:
        items = items.order_by(F("deadline").asc(nulls_last=True), "pk")
    return FigureList(figure, value, bucket, "work", title, items)
