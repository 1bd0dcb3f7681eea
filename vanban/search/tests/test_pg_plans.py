"""PostgreSQL's plans for a million documents, checked for their answers on both engines:
the words found through the index counted and paged in one statement, and the filtered
walk of a reader who sees everything reading its candidates from the filters' covering
indexes. Whatever the plan, the results, their order and their counts are the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanban.documents.tests.docs_world import World
from vanban.search import selectors
from vanban.search.selectors import SearchParams, search

pytestmark = pytest.mark.django_db


def _landslides(incoming: Any) -> list[Any]:
    """Four documents with the word "sạt lở", one with the same letters typed without
    marks, and one with both syllables apart."""
    base = timezone.now() - dt.timedelta(days=30)
    docs = []
    for i, (subject, description) in enumerate([
        ("Khắc phục hậu quả sạt lở đất", ""),
        ("Báo cáo thiên tai tháng 9", "Tình hình sạt lở bờ sông tại các tỉnh"),
        ("Kế hoạch di dời dân cư", "Vùng có nguy cơ sạt lở cao"),
        ("Thông báo kết quả kiểm tra", "Các điểm sạt lở đã được gia cố"),
        ("Dự án kè chống sat lo", ""),
        ("Tránh sạt nghiệp", "Xử lý tình trạng lở loét hạ tầng"),
    ]):  # fmt: skip
        docs.append(incoming(subject=subject, description=description, arrival_date=base + dt.timedelta(days=i),
                             issued_date=(base - dt.timedelta(days=10 - i)).date()))  # fmt: skip
    return docs


def test_words_from_the_index_are_counted_and_paged_in_one_statement(world: World, incoming: Any) -> None:
    docs = _landslides(incoming)
    exact = [d.pk for d in docs[:4]]
    result = search(world.ministry_clerk, SearchParams(q="sạt lở"))
    assert (result.total, result.total_exact, result.ranked) == (4, True, True)
    ids = [h.entry.incoming_id for h in result.hits]
    assert sorted(ids) == sorted(exact)
    loose = search(world.ministry_clerk, SearchParams(q="sat lo"))
    assert loose.total == 5 and {h.entry.incoming_id for h in loose.hits} == {*exact, docs[4].pk}
    # Pages in either date order, and a page past the end that still knows the total.
    by_date = [h.entry.incoming_id for p in (1, 2)
               for h in search(world.ministry_clerk, SearchParams(q="sat lo", sort="date", page=p, page_size=3)).hits]  # fmt: skip
    assert by_date == [d.pk for d in docs[:5]]  # issued in that order
    newest = search(world.ministry_clerk, SearchParams(q="sat lo", sort="-date", page_size=2, page=2))
    assert [h.entry.incoming_id for h in newest.hits] == [docs[2].pk, docs[1].pk]  # registered newest first
    past = search(world.ministry_clerk, SearchParams(q="sạt lở", page=3, page_size=2))
    assert (past.total, past.hits, past.pages) == (4, [], 2)
    if connection.vendor == "postgresql":
        params = SearchParams(q="sạt lở", page_size=2)
        plan = selectors._pg_words_plan(world.ministry_clerk, params, selectors.parse(params.q))
        assert isinstance(plan, selectors._PgIndexPlan)
        with CaptureQueriesContext(connection) as ctx:
            total, exact_count = plan.count()
            page = plan.page(True, 0, 2)
        assert (total, exact_count, len(ctx.captured_queries)) == (4, True, 1)
        assert [i for i, _ in page] == [h.entry.pk for h in result.hits[:2]] and all(r is not None for _, r in page)
        # The same ranking as the page read on its own, through every match.
        assert page == selectors._IndexPlan.page(plan, True, 0, 2)


def test_beyond_the_exact_count_the_page_is_newest_first_over_every_match(
    world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _landslides(incoming)
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 2)
    # SQLite counts a scope's matches up to the walk's limit once the words have more than
    # EXACT_LIMIT matches in all (the clerk does not see every outgoing document).
    monkeypatch.setattr(selectors, "WALK_COUNT_LIMIT", 2)
    result = search(world.ministry_clerk, SearchParams(q="sat lo", page_size=10))
    assert (result.total, result.total_exact, result.ranked) == (2, False, False)
    # The matches collected for the count are an arbitrary two: the page is every match.
    assert [h.entry.incoming_id for h in result.hits] == [d.pk for d in reversed(docs[:5])]


def test_a_specialist_counts_only_the_words_in_documents_given_to_them(
    world: World, incoming: Any, ministry_leader: Any
) -> None:
    from vanban.workflow.models import Assignment, Direction, Presentation

    docs = _landslides(incoming)
    for doc in (docs[1], docs[4]):
        pres = Presentation.objects.create(document=doc, leader=ministry_leader, presented_by=world.ministry_clerk,
                                           status="directed")  # fmt: skip
        direction = Direction.objects.create(document=doc, presentation=pres, author=ministry_leader, text="Giao")
        Assignment.objects.create(document=doc, direction=direction, role="lead", assignee_user=world.specialist,
                                  assigned_by=ministry_leader)  # fmt: skip
    exact = search(world.specialist, SearchParams(q="sạt lở"))
    assert (exact.total, [h.entry.incoming_id for h in exact.hits]) == (1, [docs[1].pk])
    loose = search(world.specialist, SearchParams(q="sat lo", sort="date"))
    assert (loose.total, [h.entry.incoming_id for h in loose.hits]) == (2, [docs[1].pk, docs[4].pk])


def test_an_unrestricted_reader_walks_the_filtered_rows_from_their_index(
    world: World, incoming: Any, ministry_leader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = timezone.now() - dt.timedelta(days=40)
    docs = [incoming(subject=f"Báo cáo kết quả thực hiện đợt {i}", urgency="khan" if i % 2 else "normal",
                     arrival_date=base + dt.timedelta(days=(7 * i) % 11),
                     issued_date=(base - dt.timedelta(days=i)).date()) for i in range(8)]  # fmt: skip
    incoming(
        subject="Kế hoạch công tác", urgency="khan", arrival_date=base, issued_date=base.date()
    )  # the filters without the words
    urgent = [d for d in docs if d.urgency == "khan"]
    since = (base - dt.timedelta(days=6)).date()
    answers: dict[bool, list[Any]] = {}
    for walk in (False, True):
        with pytest.MonkeyPatch.context() as mp:
            if walk:
                mp.setattr(selectors, "_walk_is_cheaper", lambda user, tsquery: True)
                mp.setattr(selectors, "PREFETCH_MAX", 10**9)
            got = []
            for sort in ("relevance", "date", "-date"):
                for page in (1, 2):
                    r = search(ministry_leader, SearchParams(q="bao cao ket qua", urgency="khan", date_from=since,
                                                             sort=sort, page=page, page_size=2))  # fmt: skip
                    got.append((r.total, r.total_exact, [h.entry.incoming_id for h in r.hits]))
            answers[walk] = got
            if walk and connection.vendor == "postgresql":
                params = SearchParams(q="bao cao", urgency="khan")
                plan = selectors._pg_words_plan(ministry_leader, params, selectors.parse(params.q))
                assert isinstance(plan, selectors._WalkPlan) and len(plan.covered) == 1
                # A restricted reader's filtered rows: read to check them against the rule, but
                # sorted by their ids and dates only (not carrying their word vectors).
                plan = selectors._pg_words_plan(world.specialist, params, selectors.parse(params.q))
                assert isinstance(plan, selectors._WalkPlan) and len(plan.covered) == 1
    in_range = [d for d in urgent if d.issued_date >= since]
    assert len(in_range) == 3 and answers[True] == answers[False]
    newest = sorted(in_range, key=lambda d: (d.arrival_date, d.pk), reverse=True)
    assert answers[True][4] == (3, True, [d.pk for d in newest[:2]])  # "-date", first page


def test_postgresql_keeps_word_vectors_in_the_row_and_indexes_the_filters(world: World, incoming: Any) -> None:
    """Migration 0005 on PostgreSQL; SQLite keeps its words in the FTS5 table (0006)."""
    doc = incoming(subject="Khắc phục hậu quả sạt lở đất")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'search_searchentry'::regclass "
                        "AND attname = 'tsv'")  # fmt: skip
            assert cur.fetchone()[0] == "m"
            cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchentry'")
            names = {row[0] for row in cur.fetchall()}
            assert {f"search_entry_{c}_walk_idx" for c in ("urgency", "status", "document_type", "organ", "unit",
                                                           "register", "date")} <= names  # fmt: skip
        else:
            cur.execute("SELECT count(*) FROM search_terms WHERE rowid = %s", [doc.search_entry.pk])
            assert cur.fetchone()[0] == 1


@pytest.mark.parametrize(
    ("matches", "visible", "walk"),
    [
        (1_000, 10_000, False),  # "sạt lở", a specialist: visit the thousand matches
        (20_000, 10_000, False),  # "ngan sach nha nuoc": 20,000 matches cost less than 10,000 walked rows
        (51_000, 10_000, True),  # "sat lo": walking the specialist's 10,000 documents is cheaper
        (51_000, 1_000_000, False),  # the same words for a reader who sees everything
        (750_000, 1_000_000, True),  # "báo cáo": a thousand matches among the newest rows
    ],
)
def test_postgresql_walks_the_users_documents_when_that_reads_fewer_rows(
    monkeypatch: pytest.MonkeyPatch, matches: int, visible: int, walk: bool
) -> None:
    """The choice from the planner's estimates (its own figures at a million documents)."""
    entries = 1_000_000.0
    share = matches / entries
    walked = min((selectors.WALK_COUNT_LIMIT + 1) / share, visible)
    monkeypatch.setattr(selectors, "_estimated_matches", lambda tsquery: float(matches))
    monkeypatch.setattr(selectors, "_walk_estimate",
                        lambda user, tsquery: (float(matches), entries, float(visible), walked))  # fmt: skip
    assert selectors._walk_is_cheaper(None, "'sat_lo'") is walk
