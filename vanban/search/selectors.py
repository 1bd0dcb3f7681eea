"""Search reads: the user's visible documents, the filters and the words, all in one SQL
query, so a specialist's search costs what an administrator's does and a count never
includes what the user may not open (design rule 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from vanban.search.folding import fold
from vanban.search.models import SearchEntry
from vanban.search.query import ParsedQuery, parse
from vanban.search.snippets import snippet

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Counting and ranking cost one row visit per match. Up to this many matches both are
# exact; beyond it the count is a lower bound ("hơn 10.000") and results come newest
# first, which PostgreSQL answers by walking the date index (milliseconds at 1M rows).
EXACT_LIMIT = 10_000


@dataclass
class SearchParams:
    q: str = ""
    kind: str = ""  # incoming | outgoing | "" (both)
    document_type: int | None = None
    organ: int | None = None
    unit: int | None = None
    register: int | None = None
    status: str = ""
    urgency: str = ""
    signer: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"  # relevance | date | -date
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class Hit:
    entry: SearchEntry
    snippet: str
    rank: float | None = None


@dataclass
class SearchResult:
    params: SearchParams
    query: ParsedQuery
    total: int
    hits: list[Hit] = field(default_factory=list)
    total_exact: bool = True  # False: at least `total` matches, more not counted
    ranked: bool = False  # sorted by relevance (else by date)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.page_size))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.pages or (not self.total_exact and len(self.hits) == self.params.page_size)


def _or_parts(q: Q) -> list[Q]:
    """The alternatives of an OR'ed Q, flattened (a non-OR Q is its own single part)."""
    if q.connector != Q.OR or q.negated or len(q.children) < 2:
        return [q]
    parts: list[Q] = []
    for child in q.children:
        parts += _or_parts(child) if isinstance(child, Q) else [Q(child)]
    return parts


def _visible_ids_sql(model: Any, q: Q) -> tuple[str, list[Any]]:
    """The documents matching the permission rule, as a UNION of one subquery per
    alternative of the rule (the same Q objects the document pages use). One OR over
    EXISTS subqueries makes PostgreSQL scan every document; each alternative alone is
    an index lookup (the user's assignments, presentations, registers)."""
    sqls, params = [], []
    for part in _or_parts(q):
        sql, p = model.objects.filter(part).order_by().values("pk").query.sql_with_params()
        sqls.append(sql)  # no ORDER BY or LIMIT in the parts: bare SELECTs (SQLite refuses parentheses)
        params.extend(p)
    return " UNION ".join(sqls), params


def _entries_of(column: str, model: Any, q: Q) -> tuple[str, list[Any]]:
    sql, params = _visible_ids_sql(model, q)
    return f"SELECT id FROM search_searchentry WHERE {column} IN ({sql})", params  # noqa: S608  (column: a constant)


def _ids_in(sql: str, params: list[Any]) -> Q:
    if connection.vendor == "postgresql":
        # ARRAY(...) runs the subquery once (an InitPlan). As a plain IN, a multi-bigram
        # query estimated at one row led the planner to a nested loop re-running the
        # whole permission subquery for every match (50 s at 100,000 documents).
        return Q(RawSQL(f"search_searchentry.id = ANY(ARRAY({sql}))", params,  # noqa: S611
                        output_field=BooleanField()))  # fmt: skip
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611


def visible_q(user: Any) -> Q:
    """Entries of documents the user may open: the incoming and outgoing rules, in SQL.

    Restricted users get one `id IN (…)` over the entries of their visible documents, so
    the planner can start from those (a specialist's 1%) and check the words on them
    only, instead of testing the words on every matching row of a broad query."""
    from vanban.incoming.models import IncomingDocument
    from vanban.incoming.permissions import visibility_q as incoming_q
    from vanban.outgoing.models import OutgoingDocument
    from vanban.outgoing.permissions import visibility_q as outgoing_q

    inc = incoming_q(user)
    out = outgoing_q(user)
    all_out = out == Q()
    if inc is None and all_out:
        return Q()
    # RawSQL below: SQL compiled by Django from the permission rules, values as params.
    if inc is None:
        sql, params = _entries_of("outgoing_id", OutgoingDocument, out)
        return Q(kind=SearchEntry.Kind.INCOMING) | _ids_in(sql, params)
    inc_sql, inc_params = _entries_of("incoming_id", IncomingDocument, inc)
    if all_out:
        return Q(kind=SearchEntry.Kind.OUTGOING) | _ids_in(inc_sql, inc_params)
    out_sql, out_params = _entries_of("outgoing_id", OutgoingDocument, out)
    return _ids_in(f"{inc_sql} UNION ALL {out_sql}", inc_params + out_params)


def _filters(params: SearchParams) -> Q:
    q = Q()
    if params.kind in (SearchEntry.Kind.INCOMING, SearchEntry.Kind.OUTGOING):
        q &= Q(kind=params.kind)
    for name in ("document_type", "organ", "unit", "register"):
        value = getattr(params, name)
        if value:
            q &= Q(**{f"{name}_id": value})
    if params.status:
        q &= Q(status=params.status)
    if params.urgency:
        q &= Q(urgency=params.urgency)
    if params.signer.strip():
        q &= Q(signer_folded__contains=fold(params.signer.strip()))
    if params.date_from:
        q &= Q(doc_date__gte=params.date_from)
    if params.date_to:
        q &= Q(doc_date__lte=params.date_to)
    return q


def _with_words(qs: QuerySet[SearchEntry], parsed: ParsedQuery) -> QuerySet[SearchEntry]:
    if connection.vendor == "postgresql":
        return qs.extra(where=["search_searchentry.tsv @@ %s::tsquery"], params=[parsed.tsquery()])
    return qs.extra(where=["search_searchentry.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"],
                    params=[parsed.fts5()])  # fmt: skip


def _ranked(qs: QuerySet[SearchEntry], parsed: ParsedQuery) -> QuerySet[SearchEntry]:
    if connection.vendor == "postgresql":
        return qs.annotate(rank=RawSQL("ts_rank(search_searchentry.tsv, %s::tsquery)", [parsed.tsquery()]))
    # bm25 is lower for better matches; negated so both engines sort rank descending.
    return qs.annotate(rank=RawSQL(
        "(SELECT -bm25(search_fts) FROM search_fts WHERE search_fts MATCH %s AND rowid = search_searchentry.id)",
        [parsed.fts5()]))  # fmt: skip


def matching_entries(user: Any, params: SearchParams) -> QuerySet[SearchEntry]:
    """Every entry the user may see that matches the words and filters (unordered)."""
    parsed = parse(params.q)
    qs = SearchEntry.objects.filter(visible_q(user)).filter(_filters(params))
    return _with_words(qs, parsed) if parsed else qs


def search(user: Any, params: SearchParams) -> SearchResult:
    if connection.vendor == "postgresql":
        # The planner's cost estimates on a million rows trigger JIT compilation, which
        # costs 100-250 ms here, more than the queries themselves; off for this transaction.
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
            return _search(user, params)
    return _search(user, params)


def _search(user: Any, params: SearchParams) -> SearchResult:
    parsed = parse(params.q)
    params.page_size = max(1, min(params.page_size, MAX_PAGE_SIZE))
    params.page = max(1, params.page)
    base = matching_entries(user, params)
    total = base.order_by()[: EXACT_LIMIT + 1].count()
    exact = total <= EXACT_LIMIT
    by_rank = bool(parsed) and params.sort == "relevance" and exact
    if by_rank:
        qs = _ranked(base, parsed).order_by("-rank", "-registered_at", "-id")
    elif params.sort == "date":
        qs = base.order_by("doc_date", "id")
    else:
        qs = base.order_by("-registered_at", "-id")
    start = (params.page - 1) * params.page_size
    rows = list(qs.select_related("document_type", "organ", "unit")[start : start + params.page_size])
    hits = [Hit(entry=e, snippet=snippet(e.content, parsed), rank=getattr(e, "rank", None)) for e in rows]
    return SearchResult(params=params, query=parsed, total=min(total, EXACT_LIMIT), hits=hits, total_exact=exact,
                        ranked=by_rank)  # fmt: skip
