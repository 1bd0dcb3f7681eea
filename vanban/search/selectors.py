"""Search reads: the user's visible documents, the filters and the words, all in one SQL
query, so a specialist's search costs what an administrator's does and a count never
includes what the user may not open (design rule 4)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL, ResolvedOuterRef
from django.db.models.sql import Query
from django.db.models.sql.where import AND, WhereNode

from vanban.search.folding import fold
from vanban.search.models import SearchEntry
from vanban.search.query import ParsedQuery, parse
from vanban.search.snippets import snippet

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Counting costs one row visit per match. Words found through the index are counted
# exactly up to this many; beyond it the count is a lower bound ("hơn 10.000").
EXACT_LIMIT = 10_000
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


def _rules(user: Any) -> tuple[Q | None, Q]:
    """(incoming rule or None = every incoming document, outgoing rule; Q() = every one)."""
    from vanban.incoming.permissions import visibility_q as incoming_q
    from vanban.outgoing.permissions import visibility_q as outgoing_q

    memo = _RULES_MEMO.get()
    key = ("rules", getattr(user, "pk", None))
    if memo is not None and key in memo:
        return memo[key]
    rules = (incoming_q(user), outgoing_q(user))
    if memo is not None:
        memo[key] = rules
    return rules


def _rule_sql(model: Any, q: Q) -> tuple[str, list[Any]]:
    """`_visible_ids_sql`, compiled once per search for a rule returned by `_rules` (the memo
    keeps the Q alive, so its id stays its own)."""
    memo = _RULES_MEMO.get()
    key = ("sql", model, id(q))
    if memo is None:
        return _visible_ids_sql(model, q)
    if key not in memo:
        memo[key] = (q, _visible_ids_sql(model, q))
    sql, params = memo[key][1]
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


def visible_q(user: Any) -> Q:
    """Entries of documents the user may open: the incoming and outgoing rules, in SQL.

    Restricted users get `incoming_id = ANY(…) OR outgoing_id = ANY(…)` over their visible
    documents, so the planner can start from those (a specialist's 1%) through the two
    unique indexes and check the words on them only."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    inc, out = _rules(user)
    all_out = out == Q()
    if inc is None and all_out:
        return Q()
    # RawSQL inside: SQL compiled by Django from the permission rules, values as params.
    inc_part = Q(kind=SearchEntry.Kind.INCOMING) if inc is None else _document_in("incoming_id", IncomingDocument, inc)
    out_part = Q(kind=SearchEntry.Kind.OUTGOING) if all_out else _document_in("outgoing_id", OutgoingDocument, out)
    return inc_part | out_part


def visible_hashed_q(user: Any) -> Q:
    """The same rule as `visible_q`, shaped for a query that starts from the words: each
    side is `incoming_id IN (…) OR outgoing_id IN (…)`, which PostgreSQL evaluates once
    and probes as a hash table per matching row (an OR keeps it from becoming a join the
    planner might re-run per row), SQLite as one materialised list."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    inc, out = _rules(user)
    if inc is None and out == Q():
        return Q()
    if inc is None:
        inc_part = Q(kind=SearchEntry.Kind.INCOMING)
    else:
        inc_part = Q(incoming_id__in=RawSQL(*_rule_sql(IncomingDocument, inc)))  # noqa: S611
    if out == Q():
        out_part = Q(kind=SearchEntry.Kind.OUTGOING)
    else:
        out_part = Q(outgoing_id__in=RawSQL(*_rule_sql(OutgoingDocument, out)))  # noqa: S611
    return inc_part | out_part


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


def matching_entries(user: Any, params: SearchParams) -> QuerySet[SearchEntry]:
    """Every entry the user may see that matches the words and filters (unordered)."""
    parsed = parse(params.q)
    qs = SearchEntry.objects.filter(visible_q(user)).filter(_filters(params))
    return _with_words(qs, parsed) if parsed else qs


def search(user: Any, params: SearchParams) -> SearchResult:
    with _rules_memo():
        return _search_in_transaction(user, params)


def count_matches(user: Any, params: SearchParams) -> int:
    """The exact number of matches the user may see, however many: what a lower-bound
    count («hơn N», `count_exact` false) stands for. Asked for on its own, after the page
    is shown, because counting every match of a common word takes longer than finding
    the page."""
    with _rules_memo():
        if connection.vendor != "postgresql":
            return matching_entries(user, params).count()
        with transaction.atomic(), connection.cursor() as cur:
            # As for `search`: JIT costs more than it saves here, and the permission sets
            # are hashed once per query.
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL work_mem = '64MB'")
            return matching_entries(user, params).count()


def _search_in_transaction(user: Any, params: SearchParams) -> SearchResult:
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cur:
                # The planner's cost estimates on a million rows trigger JIT compilation, which
                # costs 100-250 ms here, more than the queries themselves. The permission sets
                # are hashed once per query: work_mem must hold them (a unit's whole register).
                cur.execute("SET LOCAL jit = off")
                cur.execute("SET LOCAL work_mem = '64MB'")
            return _search(user, params)
    return _search(user, params)


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
            sql, params = self.base.order_by().values("id", "registered_at", "doc_date").query.sql_with_params()
            keys = ", ".join(f"m.{k.lstrip('-')} {'DESC' if k.startswith('-') else 'ASC'}" for k in self.order)
            with connection.cursor() as cur:
                cur.execute(f"SELECT m.id FROM ({sql} OFFSET 0) m ORDER BY {keys} LIMIT %s OFFSET %s",  # noqa: S608
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
        sql, params = self.base.order_by().values("id", "registered_at", "doc_date").query.sql_with_params()
        keys = ", ".join(f"m.{k.lstrip('-')} {'DESC' if k.startswith('-') else 'ASC'}" for k in self.order)
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
            sql, p = part.order_by().values("id", "registered_at", "doc_date").query.sql_with_params()
            parts.append(f"({sql})")
            params += list(p)
        keys = ", ".join(f"u.{k.lstrip('-')} {'DESC' if k.startswith('-') else 'ASC'}" for k in self.order)
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
    memo = _RULES_MEMO.get()
    key = ("estimate", sql, repr(params))
    if memo is not None and key in memo:
        return memo[key]
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    rows = float(plan[0]["Plan"]["Plan Rows"])
    if memo is not None:
        memo[key] = rows
    return rows


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


@dataclass
class _Fts5Plan(_IndexPlan):
    """SQLite: counted and ranked in a join driven by the FTS5 MATCH, the visibility and
    filters checked on each match's entry row. FTS5 yields matches lazily, so a count stops
    at EXACT_LIMIT + 1, and bm25 is computed once per match (as a correlated subquery per
    row it re-ran the whole MATCH every time)."""

    scope: QuerySet[SearchEntry] | None = None  # visibility and filters, words aside
    match: str = ""

    def _join(self) -> tuple[str, list[Any]]:
        sql = ("FROM search_fts JOIN search_searchentry ON search_searchentry.id = search_fts.rowid "
               "WHERE search_fts MATCH %s")  # fmt: skip
        params: list[Any] = [self.match]
        if self.scope is not None and self.scope.query.where:
            where, where_params = self.scope.query.get_compiler(connection=connection).compile(self.scope.query.where)
            sql += f" AND ({where})"
            params += list(where_params)
        return sql, params

    def count(self) -> tuple[int, bool]:
        sql, params = self._join()
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT %s)", [*params, EXACT_LIMIT + 1])  # noqa: S608
            n = cur.fetchone()[0]
        return min(n, EXACT_LIMIT), n <= EXACT_LIMIT

    def page(self, by_rank: bool, start: int, size: int) -> list[tuple[int, float | None]]:
        if not by_rank:
            return super().page(by_rank, start, size)
        sql, params = self._join()
        with connection.cursor() as cur:
            # bm25 is lower for better matches; negated so both engines sort rank descending.
            cur.execute(f"SELECT search_searchentry.id, -bm25(search_fts) AS r {sql} "
                        "ORDER BY r DESC, search_searchentry.registered_at DESC, search_searchentry.id DESC "
                        "LIMIT %s OFFSET %s", [*params, size, start])  # fmt: skip
            return [(i, r) for i, r in cur.fetchall()]


def _fts5_words_plan(user: Any, params: SearchParams, parsed: ParsedQuery) -> _Plan:
    scope = SearchEntry.objects.filter(visible_q(user)).filter(_filters(params))
    return _Fts5Plan(_with_words(scope, parsed), _order(params), scope=scope, match=parsed.fts5())


def _filters_only_plan(user: Any, params: SearchParams) -> _Plan:
    if connection.vendor == "postgresql":
        # One statement for the count and the page: a specialist's "thượng khẩn" reads the
        # heap rows of all 10,000 visible documents to test the filter, once instead of twice.
        return _PgIndexPlan(matching_entries(user, params), _order(params),
                            start=(params.page - 1) * params.page_size, size=params.page_size)  # fmt: skip
    return _IndexPlan(matching_entries(user, params), _order(params))
