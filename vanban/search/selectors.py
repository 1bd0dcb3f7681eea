"""Search reads: the user's visible documents, the filters and the words, all in one SQL
query, so a specialist's search costs what an administrator's does and a count never
includes what the user may not open (design rule 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from vanban.search.folding import fold
from vanban.search.models import SearchEntry
from vanban.search.query import ParsedQuery, parse
from vanban.search.snippets import snippet

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.page_size))


def visible_q(user: Any) -> Q:
    """Entries of documents the user may open: the incoming and outgoing rules, in SQL."""
    from vanban.incoming.models import IncomingDocument
    from vanban.incoming.permissions import visibility_q as incoming_q
    from vanban.outgoing.models import OutgoingDocument
    from vanban.outgoing.permissions import visibility_q as outgoing_q

    inc = incoming_q(user)
    out = outgoing_q(user)
    inc_part = (
        Q(kind=SearchEntry.Kind.INCOMING)
        if inc is None
        else Q(kind=SearchEntry.Kind.INCOMING, incoming_id__in=IncomingDocument.objects.filter(inc).values("pk"))
    )
    if out == Q():
        out_part = Q(kind=SearchEntry.Kind.OUTGOING)
    else:
        out_part = Q(kind=SearchEntry.Kind.OUTGOING, outgoing_id__in=OutgoingDocument.objects.filter(out).values("pk"))
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


def _with_words(qs: QuerySet[SearchEntry], parsed: ParsedQuery, ranked: bool) -> QuerySet[SearchEntry]:
    if connection.vendor == "postgresql":
        tsq = parsed.tsquery()
        qs = qs.extra(where=["search_searchentry.tsv @@ %s::tsquery"], params=[tsq])
        if ranked:
            qs = qs.annotate(rank=RawSQL("ts_rank(search_searchentry.tsv, %s::tsquery)", [tsq]))
        return qs
    match = parsed.fts5()
    qs = qs.extra(where=["search_searchentry.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"],
                  params=[match])  # fmt: skip
    if ranked:
        # bm25 is lower for better matches; negated so both engines sort rank descending.
        qs = qs.annotate(rank=RawSQL(
            "(SELECT -bm25(search_fts) FROM search_fts WHERE search_fts MATCH %s AND rowid = search_searchentry.id)",
            [match]))  # fmt: skip
    return qs


def matching_entries(user: Any, params: SearchParams, *, ranked: bool = False) -> QuerySet[SearchEntry]:
    parsed = parse(params.q)
    qs = SearchEntry.objects.filter(visible_q(user)).filter(_filters(params))
    if parsed:
        qs = _with_words(qs, parsed, ranked)
    return qs


def search(user: Any, params: SearchParams) -> SearchResult:
    parsed = parse(params.q)
    params.page_size = max(1, min(params.page_size, MAX_PAGE_SIZE))
    params.page = max(1, params.page)
    by_rank = bool(parsed) and params.sort == "relevance"
    base = matching_entries(user, params, ranked=False)
    total = base.count()
    qs = matching_entries(user, params, ranked=by_rank)
    if by_rank:
        qs = qs.order_by("-rank", "-registered_at", "-id")
    elif params.sort == "date":
        qs = qs.order_by("doc_date", "id")
    else:
        qs = qs.order_by("-registered_at", "-id")
    start = (params.page - 1) * params.page_size
    rows = list(qs.select_related("document_type", "organ", "unit")[start : start + params.page_size])
    hits = [Hit(entry=e, snippet=snippet(e.content, parsed), rank=getattr(e, "rank", None)) for e in rows]
    return SearchResult(params=params, query=parsed, total=total, hits=hits)
