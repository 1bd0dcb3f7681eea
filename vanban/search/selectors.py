"""Search reads: the user's visible documents, the filters and the words, all in one SQL
query, so a specialist's search costs what an administrator's does and a count never
includes what the user may not open (design rule 4)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL, ResolvedOuterRef
from django.db.models.sql import Query
from django.db.models.sql.where import AND, WhereNode

from vanban.search.folding import fold
from vanban.search.models import SearchEntry
from vanban.search.query import ParsedQuery, parse
from vanban.search.snippets import snippet

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Counting costs one row visit per match. Words found through the index are counted
# exactly up to this many; beyond it the count is a lower bound ("hơn 10.000").
EXACT_LIMIT = 10_000
# How long an exact count (`count_matches`) may run before it is given up.
COUNT_TIMEOUT_S = 20.0
# Ranking reads every match's whole word vector (PostgreSQL: ~6 kB of TOAST per row, some
# 35 µs each), so only this many matches are ranked; more come newest first, labelled.
RANK_LIMIT = 1_000
# PostgreSQL: words matching a large share of the rows are not looked up in the GIN index
# (building its bitmap and visiting every match costs some 3 µs a match: seconds for
# "báo cáo" at a million documents). The user's documents are walked newest first instead,
# checking the words row by row until a page (and WALK_COUNT_LIMIT + 1 matches, the count's
# lower bound) is found: a broad query stops after a few thousand rows.
WALK_COUNT_LIMIT = 1_000
# Filters estimated to leave at most this many rows are applied first (their indexes), the
# rows sorted, then walked; above it the walk follows the date index, testing the filters.
PREFETCH_MAX = 50_000


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


def _has_outer_ref(node: Any) -> bool:
    if isinstance(node, ResolvedOuterRef | OuterRef):
        return True
    if isinstance(node, WhereNode):
        return any(_has_outer_ref(c) for c in node.children)
    return any(_has_outer_ref(getattr(node, side, None)) for side in ("lhs", "rhs")) if hasattr(node, "rhs") else False


def _linked_ids_query(part: Q, model: Any) -> Query | None:
    """A rule alternative `EXISTS (SELECT … FROM t WHERE t.fk = outer.pk AND conditions)`
    rewritten as `SELECT t.fk FROM t WHERE conditions`: the same documents (t.fk references
    them), read from the linking table's index alone. SQLite would otherwise test the EXISTS
    on every document, and PostgreSQL joins back to the document table for nothing."""
    node: Any = part
    while isinstance(node, Q) and len(node.children) == 1 and not node.negated:
        node = node.children[0]
    if not isinstance(node, Exists) or getattr(node, "negated", False):
        return None
    query = node.query.clone()
    where = query.where
    if where.connector != AND or where.negated:
        return None
    links = [c for c in where.children if isinstance(getattr(c, "rhs", None), ResolvedOuterRef)
             and c.rhs.name == "pk" and getattr(c, "lookup_name", "") == "exact"
             and getattr(getattr(c.lhs, "target", None), "related_model", None) is model]  # fmt: skip
    rest = [c for c in where.children if not any(c is link for link in links)]
    if len(links) != 1 or any(_has_outer_ref(c) for c in rest):
        return None
    query.where = WhereNode(rest, AND)
    query.clear_select_clause()
    query.clear_limits()
    query.clear_ordering(force=True)
    query.add_fields([links[0].lhs.target.name])
    return query


def _visible_ids_sql(model: Any, q: Q) -> tuple[str, list[Any]]:
    """The documents matching the permission rule, as a UNION of one subquery per
    alternative of the rule (the same Q objects the document pages use). One OR over
    EXISTS subqueries makes PostgreSQL scan every document; each alternative alone is
    an index lookup (the user's assignments, presentations, registers)."""
    sqls, params = [], []
    for part in _or_parts(q):
        linked = _linked_ids_query(part, model)
        if linked is not None:
            sql, p = linked.sql_with_params()
        else:
            sql, p = model.objects.filter(part).order_by().values("pk").query.sql_with_params()
        sqls.append(sql)  # no ORDER BY or LIMIT in the parts: bare SELECTs (SQLite refuses parentheses)
        params.extend(p)
    return " UNION ".join(sqls), params


# One search asks for the permission rules and their SQL up to four times (the plan's
# estimate, the candidates, the count, the page): within `search` they are worked out once.
_RULES_MEMO: ContextVar[dict[Any, Any] | None] = ContextVar("search_rules_memo", default=None)


@contextmanager
def _rules_memo() -> Iterator[None]:
    token = _RULES_MEMO.set({})
    try:
        yield
    finally:
        _RULES_MEMO.reset(token)


def _memoised(key: Any, compute: Callable[[], Any]) -> Any:
    """compute(), once per search for this key (every time outside `_rules_memo`)."""
    memo = _RULES_MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _rules(user: Any) -> tuple[Q | None, Q]:
    """(incoming rule or None = every incoming document, outgoing rule; Q() = every one)."""
    from vanban.incoming.permissions import visibility_q as incoming_q
    from vanban.outgoing.permissions import visibility_q as outgoing_q

    return _memoised(("rules", getattr(user, "pk", None)), lambda: (incoming_q(user), outgoing_q(user)))


def _rule_sql(model: Any, q: Q) -> tuple[str, list[Any]]:
    """`_visible_ids_sql`, compiled once per search for a rule returned by `_rules` (the memo
    keeps the Q alive, so its id stays its own)."""
    _, (sql, params) = _memoised(("sql", model, id(q)), lambda: (q, _visible_ids_sql(model, q)))
    return sql, list(params)


def _document_in(column: str, model: Any, q: Q) -> Q:
    """search_searchentry.<column> among the documents matching the rule q."""
    sql, params = _rule_sql(model, q)
    if connection.vendor == "postgresql":
        # ARRAY(...) runs the rule once (an InitPlan) and the entries are then fetched through
        # the incoming_id/outgoing_id indexes. As a plain IN, a multi-bigram query estimated
        # at one row led the planner to a nested loop re-running the whole permission
        # subquery for every match (50 s at 100,000 documents).
        return Q(RawSQL(f"search_searchentry.{column} = ANY(ARRAY({sql}))", params,  # noqa: S611
                        output_field=BooleanField()))  # fmt: skip
    return Q(**{f"{column}__in": RawSQL(sql, params)})  # noqa: S611


def _visible(user: Any, side: Callable[[str, Any, Q], Q]) -> Q:
    """Entries of documents the user may open: for each kind, every entry when its rule
    allows every document, else `side(column, document model, rule)`."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    inc, out = _rules(user)
    if inc is None and out == Q():
        return Q()
    # RawSQL inside the sides: SQL compiled by Django from the permission rules, values as params.
    inc_part = Q(kind=SearchEntry.Kind.INCOMING) if inc is None else side("incoming_id", IncomingDocument, inc)
    out_part = Q(kind=SearchEntry.Kind.OUTGOING) if out == Q() else side("outgoing_id", OutgoingDocument, out)
    return inc_part | out_part


def visible_q(user: Any) -> Q:
    """Entries of documents the user may open: the incoming and outgoing rules, in SQL.

    Restricted users get `incoming_id = ANY(…) OR outgoing_id = ANY(…)` over their visible
    documents, so the planner can start from those (a specialist's 1%) through the two
    unique indexes and check the words on them only."""
    return _visible(user, _document_in)


def visible_hashed_q(user: Any) -> Q:
    """The same rule as `visible_q`, shaped for a query that starts from the words: each
    side is `incoming_id IN (…) OR outgoing_id IN (…)`, which PostgreSQL evaluates once
    and probes as a hash table per matching row (an OR keeps it from becoming a join the
    planner might re-run per row), SQLite as one materialised list."""
    return _visible(user, lambda column, model, rule: Q(**{f"{column}__in": RawSQL(*_rule_sql(model, rule))}))  # noqa: S611


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
    return qs.extra(where=["search_searchentry.id IN (SELECT rowid FROM search_terms WHERE search_terms MATCH %s)"],
                    params=[parsed.fts5()])  # fmt: skip


def matching_entries(user: Any, params: SearchParams) -> QuerySet[SearchEntry]:
    """Every entry the user may see that matches the words and filters (unordered)."""
    parsed = parse(params.q)
    qs = SearchEntry.objects.filter(visible_q(user)).filter(_filters(params))
    return _with_words(qs, parsed) if parsed else qs


def search(user: Any, params: SearchParams) -> SearchResult:
    with _rules_memo(), search_session():
        return _search(user, params)


@contextmanager
def search_session(timeout_s: float | None = None) -> Iterator[None]:
    """The settings search queries run with (the results, the exact count, the export).
    PostgreSQL, in a transaction: JIT off (the planner's cost estimates on a million rows
    trigger JIT compilation, 100-250 ms here, more than the queries themselves) and
    work_mem 64 MB (the permission sets are hashed once per query: it must hold them, a
    unit's whole register). With `timeout_s`, a statement running longer is stopped
    (`OperationalError`, see `_was_cancelled`): PostgreSQL's statement timeout, on
    SQLite a progress handler checked every 10,000 virtual machine steps."""
    if connection.vendor != "postgresql":
        if timeout_s is None:
            yield
            return
        connection.ensure_connection()
        raw = connection.connection
        deadline = time.monotonic() + timeout_s
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL work_mem = '64MB'")
            if timeout_s is not None:
                cur.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(timeout_s * 1000)}ms"])
        yield


def count_matches(user: Any, params: SearchParams) -> int | None:
    """The exact number of matches the user may see, however many: what a lower-bound
    count («hơn N», `count_exact` false) stands for. Asked for on its own («Đếm chính xác»
    on the page), not with every page, because counting every match of a common word
    takes longer than finding the page (seconds for most of a million documents). None
    when it would take longer than COUNT_TIMEOUT_S: the database stops the count rather
    than hold a web worker."""
    try:
        with _rules_memo(), search_session(timeout_s=COUNT_TIMEOUT_S):
            return matching_entries(user, params).count()
    except OperationalError as exc:
        if _was_cancelled(exc):
            logger.info("search count stopped after %s s", COUNT_TIMEOUT_S)
            return None
        raise


def _was_cancelled(exc: OperationalError) -> bool:
    cause = exc.__cause__
    if connection.vendor == "postgresql":
        from psycopg import errors as pg_errors

        return isinstance(cause, pg_errors.QueryCanceled)
    return "interrupted" in str(cause or exc)


def _search(user: Any, params: SearchParams) -> SearchResult:
    parsed = parse(params.q)
    params.page_size = max(1, min(params.page_size, MAX_PAGE_SIZE))
    params.page = max(1, params.page)
    if parsed and connection.vendor == "postgresql":
        plan = _pg_words_plan(user, params, parsed)
    elif parsed:
        plan = _fts5_words_plan(user, params, parsed)
    else:
        plan = _filters_only_plan(user, params)
    total, exact = plan.count()
    by_rank = bool(parsed) and params.sort == "relevance" and exact and total <= RANK_LIMIT
    start = (params.page - 1) * params.page_size
    ranked_ids = plan.page(by_rank, start, params.page_size)
    rows = SearchEntry.objects.select_related("document_type", "organ", "unit").in_bulk([i for i, _ in ranked_ids])
    hits = [Hit(entry=rows[i], snippet=snippet(rows[i].content, parsed), rank=rank)
            for i, rank in ranked_ids if i in rows]  # fmt: skip
    return SearchResult(params=params, query=parsed, total=total, hits=hits, total_exact=exact,
                        ranked=by_rank)  # fmt: skip


class _Plan(Protocol):
    def count(self) -> tuple[int, bool]:
        """(total, exact): a lower bound when not exact."""
        ...

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        """(entry id, rank) of one page, in order."""
        ...


def _order(params: SearchParams) -> list[str]:
    return ["doc_date", "id"] if params.sort == "date" else ["-registered_at", "-id"]


def _order_sql(order: list[str], alias: str) -> str:
    """`_order` as an ORDER BY list on a subquery's alias."""
    return ", ".join(f"{alias}.{k.lstrip('-')} {'DESC' if k.startswith('-') else 'ASC'}" for k in order)


def _id_date_sql(qs: QuerySet[SearchEntry]) -> tuple[str, list[Any]]:
    """The entries of `qs` as SQL selecting what the plans sort on: `id, registered_at, doc_date`."""
    sql, params = qs.order_by().values("id", "registered_at", "doc_date").query.sql_with_params()
    return sql, list(params)


@dataclass
class _IndexPlan:
    """Matches found through the word index (or the filters' indexes), counted exactly up
    to EXACT_LIMIT and ranked by `rank_sql` (higher first) when asked to."""

    base: QuerySet[SearchEntry]
    order: list[str]
    rank_sql: tuple[str, list[Any]] | None = None

    exact: bool = False

    def count(self) -> tuple[int, bool]:
        n = self.base.order_by()[: EXACT_LIMIT + 1].count()
        self.exact = n <= EXACT_LIMIT
        return min(n, EXACT_LIMIT), self.exact

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        if by_rank and self.rank_sql is not None:
            qs = self.base.annotate(rank=RawSQL(*self.rank_sql)).order_by("-rank", "-registered_at", "-id")  # noqa: S611
            return [(i, r) for i, r in qs.values_list("id", "rank")[start : start + size]]
        if self.exact and connection.vendor == "postgresql":
            # Few matches (counted): sort them all. Left to itself, PostgreSQL may walk the
            # date index reading every row's word vector to find 20 rare words (a second
            # for 0.1% of a million rows): the OFFSET 0 fence makes it fetch the matches first.
            sql, params = _id_date_sql(self.base)
            with connection.cursor() as cur:
                cur.execute(f"SELECT m.id FROM ({sql} OFFSET 0) m ORDER BY {_order_sql(self.order, 'm')} "  # noqa: S608
                            "LIMIT %s OFFSET %s",
                            [*params, size, start])  # fmt: skip
                return [(row[0], None) for row in cur.fetchall()]
        return [(i, None) for i in self.base.order_by(*self.order).values_list("id", flat=True)[start : start + size]]


@dataclass
class _PgIndexPlan(_IndexPlan):
    """PostgreSQL, words found through the GIN index (or filters only): the count and the
    page in one statement. The matches (at most EXACT_LIMIT + 1) are collected once into a
    materialised CTE, counted, ranked when few enough and sorted there: as two statements
    the GIN bitmap, the visit of every match's row (1,001 scattered rows for "sạt lở" at a
    million documents) and a restricted user's permission subquery were all paid twice,
    and the planning too. Beyond EXACT_LIMIT the collected rows are an arbitrary subset,
    so the page is then read the usual way (newest first over every match)."""

    tsquery: str = ""
    rank_by_default: bool = False  # sort by relevance asked: rank when the total allows
    start: int = 0
    size: int = PAGE_SIZE
    _page: list[tuple[int, float | None]] | None = None
    _ranked: bool = False

    def count(self) -> tuple[int, bool]:
        sql, params = _id_date_sql(self.base)
        keys = _order_sql(self.order, "m")
        rank_sql, rank_params = "NULL::real", []
        if self.rank_by_default and self.tsquery:
            # Read through the primary key for the ranked rows only: the collected rows stay
            # narrow (no word vector copied into the CTE for each of 10,001 matches).
            rank_sql = ("CASE WHEN n.total <= %s THEN (SELECT ts_rank(w.tsv, %s::tsquery) FROM search_searchentry w "
                        "WHERE w.id = m.id) END")  # fmt: skip
            rank_params = [RANK_LIMIT, self.tsquery]
        with connection.cursor() as cur:
            cur.execute(f"WITH m AS MATERIALIZED ({sql} LIMIT %s), n AS (SELECT count(*) AS total FROM m) "  # noqa: S608
                        f"SELECT n.total, p.id, p.r FROM n LEFT JOIN LATERAL (SELECT m.id, {rank_sql} AS r FROM m "
                        f"ORDER BY r DESC NULLS LAST, {keys} LIMIT %s OFFSET %s) p ON true",
                        [*params, EXACT_LIMIT + 1, *rank_params, self.size, self.start])  # fmt: skip
            rows = cur.fetchall()
        n = rows[0][0]
        self.exact = n <= EXACT_LIMIT
        if self.exact:
            self._ranked = self.rank_by_default and bool(self.tsquery) and n <= RANK_LIMIT
            self._page = [(i, r) for _, i, r in rows if i is not None]
        return min(n, EXACT_LIMIT), self.exact

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        if self._page is not None and by_rank == self._ranked and (start, size) == (self.start, self.size):
            return self._page
        return super().page(by_rank, start, size)


@dataclass
class _WalkPlan:
    """PostgreSQL, broad words: the candidates (visible, filtered) in page order behind an
    OFFSET 0 fence, the words checked on each row as the walk goes, so LIMIT stops it early.
    One walk serves both the count (exact only when it ends before WALK_COUNT_LIMIT + 1
    matches) and the page; ranking, when the matches are few, re-reads only those rows."""

    candidates: QuerySet[SearchEntry]  # ordered
    tsquery: str
    end: int  # the last row the page needs
    order: list[str] = field(default_factory=list)
    # A restricted user without filters: the incoming and outgoing candidates, each read
    # from its covering index alone (migration 0004), sorted, and the word vector fetched
    # only for the rows the walk reaches (a specialist's 10,000 rows at a million
    # documents were fetched whole, a third of them from disk, to walk 2,000). With
    # filters, or a reader who sees everything with selective filters (from the filters'
    # covering indexes, migration 0005): the filtered candidates, sorted the same way.
    covered: list[QuerySet[SearchEntry]] = field(default_factory=list)
    _ids: list[int] = field(default_factory=list)

    def _covered_walk(self) -> tuple[str, list[Any]]:
        parts, params = [], []
        for part in self.covered:
            sql, p = _id_date_sql(part)
            parts.append(f"({sql})")
            params += p
        keys = _order_sql(self.order, "u")
        # The entry's words as a correlated subquery in the filter: evaluated row by row in
        # the sorted order, which it keeps (a join could be reordered), until LIMIT stops it.
        return (f"SELECT c.id FROM (SELECT u.id, u.registered_at, u.doc_date FROM ({' UNION ALL '.join(parts)}) u "  # noqa: S608
                f"ORDER BY {keys} OFFSET 0) c WHERE (SELECT w.tsv FROM search_searchentry w WHERE w.id = c.id) "
                "@@ %s::tsquery LIMIT %s", params)  # fmt: skip

    def count(self) -> tuple[int, bool]:
        qs = self.candidates.extra(select={"words": "search_searchentry.tsv"})
        limit = max(WALK_COUNT_LIMIT + 1, self.end)
        if self.covered:
            sql, params = self._covered_walk()
            with connection.cursor() as cur:
                cur.execute(sql, [*params, self.tsquery, limit])
                self._ids = [row[0] for row in cur.fetchall()]
            n = len(self._ids)
            return min(n, WALK_COUNT_LIMIT), n <= WALK_COUNT_LIMIT
        sql, params = qs.values("id", "registered_at", "doc_date", "words").query.sql_with_params()
        with connection.cursor() as cur:
            # No ORDER BY out here: the walk's own order is the result's (a filtered subquery
            # scan keeps it), and an outer sort would make PostgreSQL plan the walk for full
            # retrieval (sort everything) instead of an index scan stopped by LIMIT.
            cur.execute(f"SELECT v.id FROM ({sql} OFFSET 0) v WHERE v.words @@ %s::tsquery LIMIT %s",  # noqa: S608
                        [*params, self.tsquery, limit])  # fmt: skip
            self._ids = [row[0] for row in cur.fetchall()]
        n = len(self._ids)
        return min(n, WALK_COUNT_LIMIT), n <= WALK_COUNT_LIMIT

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        if not by_rank:
            return [(i, None) for i in self._ids[start : start + size]]
        with connection.cursor() as cur:
            cur.execute("SELECT id, ts_rank(tsv, %s::tsquery) AS r FROM search_searchentry WHERE id = ANY(%s) "
                        "ORDER BY r DESC, registered_at DESC, id DESC LIMIT %s OFFSET %s",
                        [self.tsquery, self._ids, size, start])  # fmt: skip
            return [(i, r) for i, r in cur.fetchall()]


def _estimated_rows(sql: str, params: list[Any]) -> float:
    def estimate() -> float:
        with connection.cursor() as cur:
            cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cur.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return float(plan[0]["Plan"]["Plan Rows"])

    return _memoised(("estimate", sql, repr(params)), estimate)


def _estimated_matches(tsquery: str) -> float:
    """An upper bound for the words' matches: the least frequent of its lexemes, from the
    column's lexeme statistics (the planner multiplies an AND's lexemes as if independent,
    which underestimates a phrase's adjacent bigrams by orders of magnitude)."""
    lexemes = _LEXEME_RE.findall(tsquery) or [tsquery]
    sql = "SELECT 1 FROM search_searchentry WHERE tsv @@ %s::tsquery"
    return min(_estimated_rows(sql, [lex]) for lex in lexemes)


_LEXEME_RE = re.compile(r"'(?:[^']|'')*'(?::\*)?")


def _walk_estimate(user: Any, tsquery: str) -> tuple[float, float, float, float]:
    """(matches, entries, visible, walked): the words' matches (an upper bound), the rows,
    the user's documents, and how many of them a walk reads to find WALK_COUNT_LIMIT + 1."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    matches = _estimated_matches(tsquery)
    with connection.cursor() as cur:
        cur.execute("SELECT GREATEST(reltuples, 1) FROM pg_class WHERE relname = 'search_searchentry'")
        entries = float(cur.fetchone()[0])
    visible = entries
    inc, out = _rules(user)
    if inc is not None and out != Q():
        visible = sum(_estimated_rows(*_rule_sql(model, q))
                      for model, q in ((IncomingDocument, inc), (OutgoingDocument, out)))  # fmt: skip
    share = max(matches / entries, 1e-6)
    return matches, entries, visible, min((WALK_COUNT_LIMIT + 1) / share, visible)


# Measured at a million rows, word vectors in the rows (migration 0005), the heap far larger
# than shared buffers: the GIN bitmap ~0.3 µs a match; each match's row fetched ~4 µs until
# the count's limit is reached among the visible ones ("sat lo", a specialist: 51,000 rows,
# 200 ms); a walked row ~12 µs, its primary-key lookup and word check included (the
# specialist's 10,000 documents: 125 ms). Before 0005 the vector's three TOAST chunks made
# a walked row cost ~40 µs.
FETCH_US = 4
WALK_US = 12


def _walk_is_cheaper(user: Any, tsquery: str) -> bool:
    """Words first (GIN bitmap, then the matches' rows until EXACT_LIMIT + 1 visible ones)
    or the user's documents newest first, reading each one's word vector until
    WALK_COUNT_LIMIT + 1 matches are found or the documents run out."""
    if _estimated_matches(tsquery) * FETCH_US <= (WALK_COUNT_LIMIT + 1) * WALK_US:
        return False  # fewer matches than a walk would read rows
    matches, entries, visible, walked = _walk_estimate(user, tsquery)
    fetched = min(matches, (EXACT_LIMIT + 1) * entries / max(visible, 1))
    return walked * WALK_US < matches * 0.3 + fetched * FETCH_US


def _pg_words_plan(user: Any, params: SearchParams, parsed: ParsedQuery) -> _Plan:
    tsq = parsed.tsquery()
    order = _order(params)
    if _walk_is_cheaper(user, tsq):
        return _pg_walk_plan(user, params, tsq, order)
    qs = _with_words(SearchEntry.objects.filter(visible_hashed_q(user)).filter(_filters(params)), parsed)
    return _PgIndexPlan(qs, order, ("ts_rank(search_searchentry.tsv, %s::tsquery)", [tsq]), tsquery=tsq,
                        rank_by_default=params.sort == "relevance",
                        start=(params.page - 1) * params.page_size, size=params.page_size)  # fmt: skip


def _pg_walk_plan(user: Any, params: SearchParams, tsq: str, order: list[str]) -> _WalkPlan:
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    filters = _filters(params)
    candidates = SearchEntry.objects.filter(visible_q(user)).filter(filters).order_by(*order)
    prefetch = False
    if filters:
        sql, sql_params = SearchEntry.objects.filter(filters).values("id").query.sql_with_params()
        prefetch = _estimated_rows(sql, list(sql_params)) <= PREFETCH_MAX
    covered: list[QuerySet[SearchEntry]] = []
    inc, out = _rules(user)
    restricted = inc is not None and out != Q()
    if restricted and not filters:
        # An entry has exactly one of the two documents (search_entry_one_document), so the
        # two halves never share a row: UNION ALL, no duplicates to remove.
        covered = [SearchEntry.objects.filter(_document_in("incoming_id", IncomingDocument, inc)),
                   SearchEntry.objects.filter(_document_in("outgoing_id", OutgoingDocument, out))]  # fmt: skip
    elif restricted or prefetch:
        # Few candidates (selective filters) or a restricted user's: all of them are read
        # first, then sorted (else PostgreSQL walks the date index testing the filters row by
        # row: 177,000 rows for "khẩn, 2024" at a million documents). Only their ids and dates
        # are sorted, a row's word vector read when the walk reaches it (kept in the row
        # since migration 0005, it would otherwise ride through the sort, ~7 kB a row). A
        # walk that runs to the end costs about the same either way (a specialist's 10,000
        # documents at a million: 125 ms against 135 ms); one that stops early reads only its
        # rows' words. A reader who sees everything reads the ids and dates from the filters'
        # covering indexes (migration 0005) alone ("khẩn, 2024": 17,000 rows were read whole
        # to walk 1,300).
        covered = [SearchEntry.objects.filter(visible_q(user)).filter(filters)]
    return _WalkPlan(candidates, tsq, end=params.page * params.page_size, order=order, covered=covered)


# SQLite relevance: bm25 on a position-less index scores a query's matches by their number
# of terms alone (fewer first; the terms' IDF is the same for every match), but computes
# that IDF by visiting every match of every term first: 40 ms for "báo cáo" at 200,000
# documents. The entry's number of terms is stored beside them (indexing.fts5_terms) and
# `_Fts5Plan.page` ranks by its inverse.
# Asking FTS5 whether one row matches costs some 20-70 µs (it re-reads the words' lists);
# putting every match in a temporary index costs some 0.13 µs a match. A walk that stops
# after a page probes rows one by one when the matches are this share of the rows or more.
PROBE_SHARE = 0.2


@dataclass
class _Fts5Plan:
    """SQLite: the words are looked up in `search_terms` (an FTS5 table without positions,
    holding exactly the live entries: migration 0006's trigger), never by visiting every
    match's entry row (0.7 µs a match: 120 ms for "báo cáo" at 200,000 documents).

    - Everyone's documents, no filters: the matches are counted in FTS5 alone, exactly up
      to EXACT_LIMIT (beyond: a lower bound, "hơn 10.000").
    - Otherwise the scope (visible, filtered) is a list read from its indexes; FTS5
      yields the matches in rowid order and each is looked up in that list, exactly up to
      EXACT_LIMIT when the words have at most that many matches in all, else up to
      WALK_COUNT_LIMIT (a lower bound, "hơn 1.000", as PostgreSQL's walk).

    When every match is known (counted exactly), the page is ranked or sorted from them;
    otherwise the scope (or the date index) is walked in page order, each row tested
    against the matches, until the page is full."""

    scope: _Scope | None  # None = every entry
    match: str
    order: list[str]
    matches: int  # the words' matches in all entries, up to EXACT_LIMIT + 1
    _ids: list[int] | None = None  # every match in scope, when counted exactly

    def count(self) -> tuple[int, bool]:
        limit = EXACT_LIMIT if self.matches <= EXACT_LIMIT else WALK_COUNT_LIMIT
        with connection.cursor() as cur:
            if self.scope is None:
                if self.matches > EXACT_LIMIT:
                    return EXACT_LIMIT, False
                cur.execute("SELECT rowid FROM search_terms WHERE search_terms MATCH %s", [self.match])
            else:
                # +rowid: each match is looked up in the scope list, rather than the MATCH
                # re-run once per listed id (FTS5 takes an IN on rowid as lookups).
                cur.execute(f"SELECT rowid FROM search_terms WHERE search_terms MATCH %s "  # noqa: S608
                            f"AND {self.scope.test('+rowid')} LIMIT %s",
                            [self.match, *self.scope.params, limit + 1])  # fmt: skip
            ids = [row[0] for row in cur.fetchall()]
        if len(ids) <= limit:
            self._ids = ids
            return len(ids), True
        return limit, False

    def _date_index(self) -> str:
        return "search_entry_recent_idx" if self.order[0].startswith("-") else "search_entry_date_idx"

    def _probe(self, cur: Any) -> bool:
        """Whether a walk tests its rows one by one: the words are counted on up to the
        share of the rows that makes that the cheaper test (the largest id stands for the
        number of entries, give or take deleted ones)."""
        cur.execute("SELECT coalesce(max(id), 0) FROM search_searchentry")
        enough = int(cur.fetchone()[0] * PROBE_SHARE) + 1
        cur.execute("SELECT count(*) FROM (SELECT 1 FROM search_terms WHERE search_terms MATCH %s LIMIT %s)",
                    [self.match, enough])  # fmt: skip
        return cur.fetchone()[0] >= enough

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        with connection.cursor() as cur:
            if self._ids is not None:
                ids = json.dumps(self._ids)
                if by_rank:
                    # The term counts read from FTS5's content table by id (column c0 =
                    # `size`): through the virtual table each id would be a lookup of its own.
                    cur.execute("SELECT e.id, 1.0 / max(t.c0, 1) AS r FROM search_terms_content t "
                                "JOIN search_searchentry e ON e.id = t.id WHERE t.id IN (SELECT value FROM json_each(%s)) "
                                "ORDER BY r DESC, e.registered_at DESC, e.id DESC LIMIT %s OFFSET %s",
                                [ids, size, start])  # fmt: skip
                    return [(i, r) for i, r in cur.fetchall()]
                # Many known matches: the date index walked until the page is full, each row
                # looked up among them, rather than every match's row read to sort them all.
                index = f"INDEXED BY {self._date_index()}" if len(self._ids) > RANK_LIMIT else ""
                cur.execute(f"SELECT e.id FROM search_searchentry e {index} WHERE e.id IN (SELECT value FROM json_each(%s)) "  # noqa: S608
                            f"ORDER BY {_order_sql(self.order, 'e')} LIMIT %s OFFSET %s", [ids, size, start])  # fmt: skip
                return [(row[0], None) for row in cur.fetchall()]
            if self._probe(cur):
                test = "EXISTS (SELECT 1 FROM search_terms WHERE search_terms MATCH %s AND rowid = c.id)"
            else:
                test = "c.id IN (SELECT rowid FROM search_terms WHERE search_terms MATCH %s)"
            if self.scope is None or self.scope.exclude:
                scope, params = (
                    ("", []) if self.scope is None else (f"AND {self.scope.test('c.id')}", self.scope.params)
                )
                cur.execute(f"SELECT c.id FROM search_searchentry c INDEXED BY {self._date_index()} WHERE {test} "  # noqa: S608
                            f"{scope} ORDER BY {_order_sql(self.order, 'c')} LIMIT %s OFFSET %s",
                            [self.match, *params, size, start])  # fmt: skip
            else:
                sql, params = self.scope.sql, self.scope.params
                # The sorted scope is a co-routine the test filters in order, so LIMIT stops
                # it; the inner LIMIT -1 keeps SQLite from pushing the test down into the
                # scope, which would test every row before sorting.
                cur.execute(f"SELECT c.id FROM (SELECT s.id FROM ({sql}) s ORDER BY {_order_sql(self.order, 's')} "  # noqa: S608
                            f"LIMIT -1) c WHERE {test} LIMIT %s OFFSET %s", [*params, self.match, size, start])  # fmt: skip
            return [(row[0], None) for row in cur.fetchall()]


@dataclass
class _Scope:
    """SQLite: the entries a search may return, as SQL selecting their `id, registered_at,
    doc_date`: those entries (`exclude` false) or every entry but those (`exclude` true)."""

    sql: str
    params: list[Any]
    exclude: bool = False

    def test(self, column: str) -> str:
        return f"{column} {'NOT IN' if self.exclude else 'IN'} (SELECT s.id FROM ({self.sql}) s)"  # noqa: S608


def _scope_sql(user: Any, params: SearchParams) -> _Scope | None:
    """SQLite: the entries the user may see that pass the filters, or None for every entry.
    A restricted user's entries are read as a UNION ALL of the incoming and outgoing halves
    through the partial indexes of migration 0006 (an OR of the two made SQLite walk the
    whole date index: 500 ms). A user who sees every document of one kind and no filters
    (the ministry's clerks: every incoming one) gets the other kind's entries they may not
    see, to be excluded (with filters: the filtered entries less those): listing every
    incoming entry cost 100-300 ms a search."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    filters = _filters(params)
    inc, out = _rules(user)
    if inc is None and out == Q():
        if not filters:
            return None
        return _Scope(*_id_date_sql(SearchEntry.objects.filter(filters)))
    halves = (("incoming_id", IncomingDocument, inc, SearchEntry.Kind.INCOMING),
              ("outgoing_id", OutgoingDocument, out, SearchEntry.Kind.OUTGOING))  # fmt: skip
    if inc is None or out == Q():
        column, model, rule, _ = halves[1] if inc is None else halves[0]
        # The kind's entries (partial index) whose document is not among the visible ones.
        hidden = SearchEntry.objects.filter(**{f"{column}__isnull": False}).exclude(_document_in(column, model, rule))
        if not filters:
            return _Scope(*_id_date_sql(hidden), exclude=True)
        # With filters: the filtered entries (their indexes, as everyone's), less the hidden.
        hidden_sql, hidden_params = hidden.order_by().values("id").query.sql_with_params()
        shown = SearchEntry.objects.filter(filters).exclude(id__in=RawSQL(hidden_sql, hidden_params))  # noqa: S611
        return _Scope(*_id_date_sql(shown))
    parts, all_params = [], []
    for column, model, rule, kind in halves:
        if rule is None or rule == Q():
            qs = SearchEntry.objects.filter(kind=kind)
        else:
            qs = SearchEntry.objects.filter(_document_in(column, model, rule))
        sql, p = _id_date_sql(qs.filter(filters))
        parts.append(sql)
        all_params += p
    # An entry has exactly one of the two documents: the halves never share a row.
    return _Scope(" UNION ALL ".join(parts), all_params)


# A prefix of at least this many letters is replaced by the terms it stands for when they
# are few: FTS5 would merge every such term's list again on each row lookup of a walk
# ("dien_t*" 14 ms a lookup). Shorter prefixes have FTS5's own prefix index (migration 0006).
EXPAND_FROM = 4
EXPAND_MAX = 32


def _expand_prefix(prefix: str) -> list[str] | None:
    """The indexed terms starting with `prefix`, or None (too short, or too many)."""
    if len(prefix) < EXPAND_FROM:
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT term FROM search_terms_vocab WHERE term >= %s AND term < %s LIMIT %s",
                    [prefix, prefix + "\U0010ffff", EXPAND_MAX + 1])  # fmt: skip
        terms = [row[0] for row in cur.fetchall()]
    if not terms or len(terms) > EXPAND_MAX or any('"' in t for t in terms):
        return None
    return terms


def _fts5_words_plan(user: Any, params: SearchParams, parsed: ParsedQuery) -> _Plan:
    match = parsed.fts5(_expand_prefix)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM (SELECT 1 FROM search_terms WHERE search_terms MATCH %s LIMIT %s)",
                    [match, EXACT_LIMIT + 1])  # fmt: skip
        matches = cur.fetchone()[0]
    return _Fts5Plan(_scope_sql(user, params), match, _order(params), matches=matches)


@dataclass
class _ScopePlan:
    """SQLite, filters without words: the scope (`_scope_sql`) counted up to EXACT_LIMIT and
    sorted. The same rule as `visible_q` in an OR made SQLite walk the whole date index."""

    scope: _Scope
    order: list[str]

    def count(self) -> tuple[int, bool]:
        sql, params = self.scope.sql, self.scope.params
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) s LIMIT %s)", [*params, EXACT_LIMIT + 1])  # noqa: S608
            n = cur.fetchone()[0]
        return min(n, EXACT_LIMIT), n <= EXACT_LIMIT

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        sql, params = self.scope.sql, self.scope.params
        with connection.cursor() as cur:
            cur.execute(f"SELECT s.id FROM ({sql}) s ORDER BY {_order_sql(self.order, 's')} LIMIT %s OFFSET %s",  # noqa: S608
                        [*params, size, start])  # fmt: skip
            return [(row[0], None) for row in cur.fetchall()]


def _filters_only_plan(user: Any, params: SearchParams) -> _Plan:
    if connection.vendor == "postgresql":
        # One statement for the count and the page: a specialist's "thượng khẩn" reads the
        # heap rows of all 10,000 visible documents to test the filter, once instead of twice.
        return _PgIndexPlan(matching_entries(user, params), _order(params),
                            start=(params.page - 1) * params.page_size, size=params.page_size)  # fmt: skip
    scope = _scope_sql(user, params)
    if scope is not None and not scope.exclude:
        return _ScopePlan(scope, _order(params))
    return _IndexPlan(matching_entries(user, params), _order(params))
