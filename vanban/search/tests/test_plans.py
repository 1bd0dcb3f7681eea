"""How a search is answered at scale: PostgreSQL's walk over the user's documents for
broad words (lower-bound count, newest first, the same rows as the index), counts bounded
on both engines, relevance still putting the exact form first, and permission rules read
from their link tables giving exactly the documents the document pages show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from vanban.documents.tests.docs_world import World
from vanban.search import selectors
from vanban.search.selectors import SearchParams, search

pytestmark = pytest.mark.django_db


def _force_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL walks the user's documents when the words match a large share of the
    rows; small test data never does, so the choice is forced."""
    monkeypatch.setattr(selectors, "_walk_is_cheaper", lambda user, tsquery: True)


def _five_meetings(incoming: Any) -> list[Any]:
    from django.utils import timezone

    base = timezone.now() - dt.timedelta(days=20)
    return [incoming(subject=f"Thông báo lịch công tác tuần {i}", arrival_date=base + dt.timedelta(days=i),
                     issued_date=(base - dt.timedelta(days=1)).date()) for i in range(5)]  # fmt: skip


def test_broad_words_count_a_lower_bound_and_list_newest_first(
    world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _five_meetings(incoming)
    _force_walk(monkeypatch)
    monkeypatch.setattr(selectors, "WALK_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 3)
    result = search(world.ministry_clerk, SearchParams(q="lich cong tac", page_size=2))
    assert (result.total, result.total_exact, result.ranked) == (3, False, False)
    assert [h.entry.incoming_id for h in result.hits] == [docs[4].pk, docs[3].pk]
    assert result.has_next
    last = search(world.ministry_clerk, SearchParams(q="lich cong tac", page=3, page_size=2))
    assert [h.entry.incoming_id for h in last.hits] == [docs[0].pk]
    oldest_first = search(world.ministry_clerk, SearchParams(q="lich cong tac", sort="date", page_size=10))
    assert len(oldest_first.hits) == 5


def test_the_walk_finds_what_the_index_finds(world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _five_meetings(incoming)
    incoming(subject="Kế hoạch công tác năm")  # "công tác" without "lịch"
    by_index = search(world.ministry_clerk, SearchParams(q="lich cong tac", page_size=100))
    _force_walk(monkeypatch)
    walked = search(world.ministry_clerk, SearchParams(q="lich cong tac", page_size=100))
    assert walked.total == by_index.total == 5 and walked.total_exact
    assert {h.entry.pk for h in walked.hits} == {h.entry.pk for h in by_index.hits}
    assert all(h.snippet for h in walked.hits)
    # With filters the walk fetches the filtered rows first, then sorts them.
    since = dt.date.today() - dt.timedelta(days=21)
    filtered = search(world.ministry_clerk, SearchParams(q="lich cong tac", date_from=since, sort="date"))
    assert filtered.total == 5 and [h.entry.pk for h in filtered.hits] == sorted(
        [h.entry.pk for h in by_index.hits], key=lambda pk: (selectors.SearchEntry.objects.get(pk=pk).doc_date, pk)
    )


def test_diacritics_are_exact_whichever_way_the_words_are_found(
    world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folded_only = incoming(subject="Ngan sach du kien", description="")
    exact = incoming(subject="Dự toán ngân sách năm 2027")
    unrelated = incoming(subject="Ngân hàng Nhà nước")
    for walk in (False, True):
        if walk:
            _force_walk(monkeypatch)
        result = search(world.ministry_clerk, SearchParams(q="ngân sách"))
        assert [h.entry.incoming_id for h in result.hits] == [exact.pk]
        loose = search(world.ministry_clerk, SearchParams(q="ngan sach"))
        assert loose.ranked and loose.total == 2
        assert {h.entry.incoming_id for h in loose.hits} == {exact.pk, folded_only.pk}
        assert unrelated.pk not in {h.entry.incoming_id for h in loose.hits}


def test_relevance_beyond_the_rank_limit_falls_back_to_newest_first(
    world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _five_meetings(incoming)
    monkeypatch.setattr(selectors, "RANK_LIMIT", 4)
    result = search(world.ministry_clerk, SearchParams(q="lich cong tac", page_size=10))
    assert result.total == 5 and result.total_exact and not result.ranked
    assert [h.entry.incoming_id for h in result.hits] == [d.pk for d in reversed(docs)]


def test_a_specialist_finds_and_counts_what_the_workflow_gave_them(
    world: World, incoming: Any, ministry_leader: Any
) -> None:
    from vanban.incoming.selectors import incoming_visible_to
    from vanban.workflow.models import Assignment, Direction, Presentation

    given = incoming(world.ministry_clerk, subject="Rà soát hồ sơ hải quan quý I")
    other = incoming(world.ministry_clerk, subject="Rà soát hồ sơ hải quan quý II")
    pres = Presentation.objects.create(document=given, leader=ministry_leader, presented_by=world.ministry_clerk,
                                       status="directed")  # fmt: skip
    direction = Direction.objects.create(document=given, presentation=pres, author=ministry_leader, text="Giao xử lý")
    Assignment.objects.create(document=given, direction=direction, role="lead", assignee_user=world.specialist,
                              assigned_by=ministry_leader)  # fmt: skip
    # The index; the walk sorting the user's documents from the covering indexes and
    # reading the words of the rows it reaches (PostgreSQL).
    for walk in (False, True):
        with pytest.MonkeyPatch.context() as mp:
            if walk:
                mp.setattr(selectors, "_walk_is_cheaper", lambda user, tsquery: True)
            for sort in ("relevance", "date", "-date"):
                result = search(world.specialist, SearchParams(q="ra soat ho so hai quan", sort=sort))
                assert result.total == 1 and [h.entry.incoming_id for h in result.hits] == [given.pk]
            if walk and connection.vendor == "postgresql":
                plan = selectors._pg_words_plan(
                    world.specialist, SearchParams(q="hai quan"), selectors.parse("hai quan")
                )
                assert isinstance(plan, selectors._WalkPlan) and len(plan.covered) == 2
    # Several given documents: every way of answering lists them in the same order and,
    # when the walk stops at its limit, reports the same lower bound.
    from django.utils import timezone

    given_more = []
    for i in range(4):
        doc = incoming(world.ministry_clerk, subject=f"Rà soát hồ sơ hải quan đợt {i}",
                       arrival_date=timezone.now() - dt.timedelta(days=10 - i),
                       issued_date=(timezone.now() - dt.timedelta(days=12)).date())  # fmt: skip
        p = Presentation.objects.create(document=doc, leader=ministry_leader, presented_by=world.ministry_clerk,
                                        status="directed")  # fmt: skip
        d = Direction.objects.create(document=doc, presentation=p, author=ministry_leader, text="Giao xử lý")
        Assignment.objects.create(document=doc, direction=d, role="lead", assignee_user=world.specialist,
                                  assigned_by=ministry_leader)  # fmt: skip
        given_more.append(doc)
    answers = {}
    for walk in (False, True):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(selectors, "WALK_COUNT_LIMIT", 3)
            if walk:
                mp.setattr(selectors, "_walk_is_cheaper", lambda user, tsquery: True)
            answers[walk] = [
                [h.entry.incoming_id for h in search(world.specialist, SearchParams(q="ho so hai quan", sort=sort,
                                                                                     page_size=2, page=page)).hits]
                for sort in ("date", "-date") for page in (1, 2, 3)]  # fmt: skip
    assert answers[False] == answers[True]
    assert answers[True][3] == [given.pk, given_more[3].pk]  # newest registered first
    # The rule as the search reads it (link tables) is the rule the document pages apply.
    visible = set(incoming_visible_to(world.specialist).values_list("pk", flat=True))
    searched = set(selectors.matching_entries(world.specialist, SearchParams()).values_list("incoming_id", flat=True))
    assert searched == visible and given.pk in visible and other.pk not in visible
    assert set(selectors.SearchEntry.objects.filter(selectors.visible_hashed_q(world.specialist))
               .values_list("incoming_id", flat=True)) == visible  # fmt: skip


def test_the_engine_counts_through_its_own_index(world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _five_meetings(incoming)
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 2)
    # SQLite: words matching more than EXACT_LIMIT entries are counted in the user's scope up
    # to WALK_COUNT_LIMIT.
    monkeypatch.setattr(selectors, "WALK_COUNT_LIMIT", 2)
    result = search(world.ministry_clerk, SearchParams(q="lịch công tác", page_size=10))
    assert (result.total, result.total_exact) == (2, False)
    assert len(result.hits) == 5 and not result.ranked
    if connection.vendor == "postgresql":
        assert isinstance(selectors._pg_words_plan(world.ministry_clerk, SearchParams(q="lich"),
                                                   selectors.parse("lich")), selectors._IndexPlan)  # fmt: skip
