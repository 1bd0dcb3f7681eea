"""The word index beside the entries (SQLite: the FTS5 table `search_terms` of tokens and
adjacent pairs; PostgreSQL: the `tsv` column) follows the documents in their own
transaction, is rewritten by `rebuild_index`, and every way the search answers from it
(counted in full or as a lower bound, rows tested one by one or against a temporary index,
prefixes listed or left to the engine) gives the rows the plain query gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from vanban.documents.tests.docs_world import World
from vanban.search import selectors
from vanban.search.models import SearchEntry
from vanban.search.selectors import SearchParams, matching_entries, search

pytestmark = pytest.mark.django_db


def _indexed(entry_id: int) -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT tsv <> ''::tsvector FROM search_searchentry WHERE id = %s", [entry_id])
            row = cur.fetchone()
            return bool(row and row[0])
        cur.execute("SELECT count(*) FROM search_terms WHERE rowid = %s", [entry_id])
        return cur.fetchone()[0] == 1


def _unindex_all() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("UPDATE search_searchentry SET tsv = ''::tsvector")
        else:
            cur.execute("DELETE FROM search_terms")


def _found(user: Any, q: str) -> set[int]:
    return {h.entry.incoming_id for h in search(user, SearchParams(q=q, page_size=100)).hits}


def test_the_index_follows_a_document_created_changed_and_deleted(world: World, incoming: Any) -> None:
    doc = incoming(subject="Khắc phục sạt lở bờ sông")
    entry_id = SearchEntry.objects.get(incoming=doc).pk
    assert _indexed(entry_id) and _found(world.ministry_clerk, "sạt lở") == {doc.pk}
    doc.subject = "Nạo vét kênh mương"
    doc.save()
    assert _found(world.ministry_clerk, "sạt lở") == set() and _found(world.ministry_clerk, "nao vet") == {doc.pk}
    with connection.cursor() as cur:
        # Deleting the entry (as the document's cascade does) takes its words with it.
        cur.execute("DELETE FROM search_searchentry WHERE id = %s", [entry_id])
    assert not _indexed(entry_id) and _found(world.ministry_clerk, "nao vet") == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM search_terms WHERE search_terms MATCH '\"nạo_vét\"'")
            assert cur.fetchone()[0] == 0


def test_rebuild_restores_the_word_index(world: World, incoming: Any) -> None:
    from vanban.search.services import rebuild_index

    doc = incoming(subject="Điều chỉnh giá điện sinh hoạt")
    _unindex_all()
    assert _found(world.ministry_clerk, "gia dien") == set()
    assert rebuild_index() >= 1
    assert _indexed(SearchEntry.objects.get(incoming=doc).pk)
    assert _found(world.ministry_clerk, "gia dien") == {doc.pk} == _found(world.ministry_clerk, "giá điện")


def _plain(user: Any, params: SearchParams) -> list[int]:
    """The rows in page order, from the plain query (no plan)."""
    order = ["doc_date", "id"] if params.sort == "date" else ["-registered_at", "-id"]
    return list(matching_entries(user, params).order_by(*order).values_list("id", flat=True))


def _all_pages(user: Any, params: SearchParams) -> tuple[list[int], int, bool]:
    seen: list[int] = []
    page = 1
    while True:
        result = search(user, SearchParams(**{**params.__dict__, "page": page, "page_size": 3}))
        seen += [h.entry.pk for h in result.hits]
        if not result.has_next:
            return seen, result.total, result.total_exact
        page += 1


@pytest.mark.parametrize("probe_share", [0.0, 1.0])  # rows tested one by one / against a temporary index
def test_every_plan_lists_what_the_plain_query_lists(
    world: World, incoming: Any, ministry_leader: Any, monkeypatch: pytest.MonkeyPatch, probe_share: float
) -> None:
    base = timezone.now() - dt.timedelta(days=30)
    for i in range(7):
        incoming(subject=f"Báo cáo tình hình thực hiện tuần {i}", arrival_date=base + dt.timedelta(days=i),
                 issued_date=(base - dt.timedelta(days=i % 3)).date(), urgency="khan" if i % 2 else "normal")  # fmt: skip
    issued = (base - dt.timedelta(days=5)).date()
    incoming(subject="Bao cao khong dau tuần 9", arrival_date=base + dt.timedelta(days=9), issued_date=issued)
    incoming(subject="Kế hoạch công tác năm", arrival_date=base + dt.timedelta(days=10), issued_date=issued)
    incoming(world.unit_clerk, subject="Báo cáo của đơn vị khác", arrival_date=base + dt.timedelta(days=11),
             issued_date=issued)  # fmt: skip
    # A draft only its drafter sees: the ministry's clerk, who sees every incoming document,
    # has it excluded from everything (SQLite: the scope "every entry but these").
    from vanban.documents.models import DocumentType
    from vanban.outgoing.services import DraftData, create_draft
    from vanban.search.tests.conftest import docx_file

    draft = create_draft(actor=world.specialist, data=DraftData(
        document_type=DocumentType.objects.get(code="cong-van"), subject="Báo cáo dự thảo tình hình"),
        file=("du-thao.docx", docx_file(["Báo cáo"])))  # fmt: skip
    assert _found(world.ministry_clerk, "bao cao") and draft.pk not in {
        h.entry.outgoing_id for h in search(world.ministry_clerk, SearchParams(q="bao cao", page_size=100)).hits
    }
    if connection.vendor == "sqlite":
        assert selectors._scope_sql(world.ministry_clerk, SearchParams()).exclude
        assert not selectors._scope_sql(world.specialist, SearchParams()).exclude
        assert not selectors._scope_sql(world.ministry_clerk, SearchParams(urgency="khan")).exclude
    # Few rows: the limits are lowered so that the words count as broad and the walks run.
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 4)
    monkeypatch.setattr(selectors, "WALK_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "RANK_LIMIT", 2)
    monkeypatch.setattr(selectors, "PROBE_SHARE", probe_share)
    questions = [SearchParams(q="bao cao"), SearchParams(q="báo cáo", sort="date"),
                 SearchParams(q="bao cao", urgency="khan"), SearchParams(q="bao cao", sort="-date"),
                 SearchParams(q='"tình hình"'), SearchParams(q="bao c*"), SearchParams(q="", urgency="khan")]  # fmt: skip
    for user in (ministry_leader, world.ministry_clerk, world.unit_clerk, world.specialist):
        for params in questions:
            plain = _plain(user, params)
            seen, total, exact = _all_pages(user, params)
            assert seen == plain, (user, params)
            assert (total == len(plain)) if exact else (total < len(plain)), (user, params)
    # The lower bound really is one: the leader's "báo cáo" has more matches than either limit.
    result = search(ministry_leader, SearchParams(q="bao cao"))
    assert (result.total, result.total_exact, result.ranked) == (4, False, False)


def test_relevance_puts_the_shorter_exact_entry_first_among_known_matches(
    world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vanban.search.extraction import extract_file
    from vanban.search.tests.conftest import text_pdf

    long_one = incoming(subject="Tờ trình về kinh phí",
                        files=[("tt.pdf", text_pdf(["Kèm theo dự toán ngân sách và nhiều nội dung khác nữa"]))])  # fmt: skip
    extract_file(actor=None, stored=long_one.files.get().file)
    short_one = incoming(subject="Dự toán ngân sách")
    # Broad words, counted in the clerk's documents and then ranked: SQLite counts words with
    # more than EXACT_LIMIT matches that way, PostgreSQL when its walk is the cheaper plan.
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 1)
    monkeypatch.setattr(selectors, "_walk_is_cheaper", lambda user, tsquery: True)
    result = search(world.ministry_clerk, SearchParams(q="ngân sách"))
    assert result.ranked and result.total == 2
    assert [h.entry.incoming_id for h in result.hits] == [short_one.pk, long_one.pk]
    # (SQLite: fewer terms rank higher; PostgreSQL's ts_rank ties them, the newer first.)
    assert result.hits[0].rank is not None and result.hits[0].rank >= result.hits[1].rank


def test_prefixes_listed_or_left_to_the_engine_find_the_same(
    world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = incoming(subject="Thương mại điện tử")
    b = incoming(subject="Điện thoại công vụ")
    c = incoming(subject="Điện lực miền Bắc")
    for q in ("dien t*", "điện t*", "thuong mai dien t*", "đi*", "dien*", "thươ*", "thuon*"):
        listed = _found(world.ministry_clerk, q)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(selectors, "EXPAND_MAX", 0)  # never listed
            assert _found(world.ministry_clerk, q) == listed, q
    assert _found(world.ministry_clerk, "dien t*") == {a.pk, b.pk}
    assert _found(world.ministry_clerk, "thuong mai dien t*") == {a.pk}
    assert _found(world.ministry_clerk, "điện th*") == {b.pk}
    assert _found(world.ministry_clerk, "thươ*") == {a.pk} == _found(world.ministry_clerk, "thuon*")
    assert _found(world.ministry_clerk, "dien*") == {a.pk, b.pk, c.pk}


@pytest.mark.django_db(transaction=True)
def test_migration_0005_indexes_the_entries_already_there(world: World, incoming: Any) -> None:
    """Upgrading rewrites the word index from the entries' stored text (SQLite; on
    PostgreSQL both directions leave the tsvector column alone)."""
    import importlib

    migration = importlib.import_module("vanban.search.migrations.0006_search_terms")
    doc = incoming(subject="Khắc phục sạt lở bờ sông")
    with connection.schema_editor() as editor:
        migration.backward(None, editor)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'exact : \"sạt lở\"'")
            assert cur.fetchone()[0] == 1
            cur.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'search_terms%'")
            assert cur.fetchone()[0] == 0
    with connection.schema_editor() as editor:
        migration.forward(None, editor)
    assert _indexed(SearchEntry.objects.get(incoming=doc).pk)
    assert _found(world.ministry_clerk, "sạt lở") == {doc.pk} == _found(world.ministry_clerk, "sat lo")
    assert _found(world.ministry_clerk, "sát lộ") == set()
