"""Searching registered documents: diacritics, symbols, phrases, prefixes, filters,
sorting, snippets, and permissions applied inside the query (counts included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vanban.documents.tests.docs_world import World
from vanban.search.models import SearchEntry
from vanban.search.selectors import SearchParams, search

pytestmark = pytest.mark.django_db


def subjects(user: Any, q: str = "", **kw: Any) -> list[str]:
    return [h.entry.subject for h in search(user, SearchParams(q=q, page_size=100, **kw)).hits]


def test_registering_a_document_indexes_it_in_the_same_transaction(world: World, incoming: Any) -> None:
    doc = incoming(subject="Về việc triển khai công văn điện tử")
    entry = SearchEntry.objects.get(incoming=doc)
    assert entry.number_symbol == doc.number_symbol and entry.organ_id == doc.issuing_organ_id
    assert subjects(world.ministry_clerk, "công văn điện tử") == [doc.subject]


def test_queries_with_or_without_diacritics(world: World, incoming: Any) -> None:
    incoming(subject="Triển khai công văn điện tử")
    incoming(subject="Cống thoát nước ở Vân Đồn")
    clerk = world.ministry_clerk
    # ("Công văn" is also every document's type name, so the words below avoid it.)
    assert subjects(clerk, "trien khai") == ["Triển khai công văn điện tử"]
    assert subjects(clerk, "dien tu") == ["Triển khai công văn điện tử"]
    assert subjects(clerk, "van don") == ["Cống thoát nước ở Vân Đồn"]
    assert subjects(clerk, "Vân Đồn") == ["Cống thoát nước ở Vân Đồn"]
    # Typed with diacritics: exactly those diacritics.
    assert subjects(clerk, "cống") == ["Cống thoát nước ở Vân Đồn"]
    assert subjects(clerk, "thoat nuoc") == ["Cống thoát nước ở Vân Đồn"]
    assert subjects(clerk, "cong thoat") == ["Cống thoát nước ở Vân Đồn"]
    assert subjects(clerk, "công thoát") == []


def test_a_vietnamese_word_is_matched_as_a_unit_and_diacritics_are_exact(world: World, incoming: Any) -> None:
    incoming(subject="Khắc phục sạt lở bờ sông")
    incoming(subject="Sát nhập các tổ, lộ trình sắp xếp")
    incoming(subject="Lở loét và sạt nghiệp")  # both syllables, never the word
    clerk = world.ministry_clerk
    assert subjects(clerk, "sạt lở") == ["Khắc phục sạt lở bờ sông"]
    assert subjects(clerk, "sat lo") == ["Khắc phục sạt lở bờ sông"]
    assert set(subjects(clerk, "sat, lo")) == {"Khắc phục sạt lở bờ sông", "Sát nhập các tổ, lộ trình sắp xếp",
                                               "Lở loét và sạt nghiệp"}  # fmt: skip


def test_number_symbol_tokens_with_and_without_d_stroke(world: World, incoming: Any) -> None:
    doc = incoming(code_number="123", code_notation="QĐ-BCT", subject="Quyết định về nhân sự")
    incoming(code_number="124", code_notation="QĐ-UBND", subject="Quyết định khác")
    incoming(code_number="123", code_notation="CV-BCT", subject="Công văn khác")
    clerk = world.ministry_clerk
    for q in ("123/QĐ-BCT", "123/QD-BCT", "123/qd-bct"):
        assert subjects(clerk, q) == [doc.subject], q
    assert subjects(clerk, "QĐ-BCT") == [doc.subject]
    assert set(subjects(clerk, "QD")) == {"Quyết định về nhân sự", "Quyết định khác"}


def test_phrases_and_prefixes(world: World, incoming: Any) -> None:
    incoming(subject="Điều chỉnh giá điện sinh hoạt")
    incoming(subject="Điện lực miền Bắc báo cáo")
    clerk = world.ministry_clerk
    assert subjects(clerk, '"giá điện"') == ["Điều chỉnh giá điện sinh hoạt"]
    assert set(subjects(clerk, "dien*")) == {"Điều chỉnh giá điện sinh hoạt", "Điện lực miền Bắc báo cáo"}
    assert subjects(clerk, "điện l*") == ["Điện lực miền Bắc báo cáo"]


def test_filters_combine_with_words(world: World, incoming: Any) -> None:
    from vanban.documents.models import DocumentType

    today = dt.date.today()
    a = incoming(subject="Báo cáo xuất khẩu gạo", urgency="khan", issued_date=today - dt.timedelta(days=30),
                 signer_name="Trần Thị Bình")  # fmt: skip
    b = incoming(subject="Báo cáo xuất khẩu cà phê", issued_date=today - dt.timedelta(days=1),
                 issuing_organ_name="Sở Công Thương Đắk Lắk")  # fmt: skip
    clerk = world.ministry_clerk
    assert subjects(clerk, "xuat khau", urgency="khan") == [a.subject]
    assert subjects(clerk, "xuat khau", organ=b.issuing_organ_id) == [b.subject]
    assert subjects(clerk, "bao cao", date_from=today - dt.timedelta(days=5)) == [b.subject]
    assert subjects(clerk, "bao cao", date_to=today - dt.timedelta(days=5)) == [a.subject]
    assert subjects(clerk, "", signer="tran thi binh") == [a.subject]
    assert subjects(clerk, "", document_type=DocumentType.objects.get(code="cong-van").pk, register=a.register_id,
                    status="registered", unit=None) == [b.subject, a.subject]  # fmt: skip
    assert subjects(clerk, "bao cao", sort="date") == [a.subject, b.subject]
    assert subjects(clerk, "", kind="outgoing") == []


def test_exact_form_ranks_before_words_found_only_in_the_body(world: World, incoming: Any) -> None:
    from vanban.search.tests.conftest import text_pdf

    body_only = incoming(subject="Tờ trình về kinh phí", files=[("tt.pdf", text_pdf(["Kèm theo dự toán ngân sách"]))])
    in_subject = incoming(subject="Dự toán ngân sách năm 2027")
    from vanban.search.extraction import extract_file

    extract_file(actor=None, stored=body_only.files.get().file)
    assert subjects(world.ministry_clerk, "ngân sách") == [in_subject.subject, body_only.subject]


def test_counts_and_paging_have_no_result_limit(world: World, incoming: Any) -> None:
    for i in range(7):
        incoming(subject=f"Thông báo lịch công tác tuần {i}")
    clerk = world.ministry_clerk
    seen: list[int] = []
    for page in (1, 2, 3):
        result = search(clerk, SearchParams(q="lich cong tac", page=page, page_size=3))
        assert result.total == 7 and result.pages == 3
        seen += [h.entry.pk for h in result.hits]
    assert len(set(seen)) == 7


def test_snippets_highlight_matches_and_escape_the_text(world: World, incoming: Any) -> None:
    incoming(subject="Về <script>alert(1)</script> công văn điện tử")
    hit = search(world.ministry_clerk, SearchParams(q="cong van")).hits[0]
    assert "<mark>công</mark> <mark>văn</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_a_user_never_finds_nor_counts_documents_they_may_not_open(
    world: World, incoming: Any, ministry_leader: Any
) -> None:
    ministry_doc = incoming(world.ministry_clerk, subject="Kế hoạch thanh tra năm")
    unit_doc = incoming(world.unit_clerk, subject="Kế hoạch thanh tra chuyên ngành")
    assert set(subjects(ministry_leader, "ke hoach thanh tra")) == {ministry_doc.subject, unit_doc.subject}
    assert subjects(world.unit_clerk, "ke hoach thanh tra") == [unit_doc.subject]
    assert subjects(world.leader, "ke hoach thanh tra") == [unit_doc.subject]  # leads the register's unit
    for outsider in (world.specialist, world.other_clerk, world.sysadmin):
        result = search(outsider, SearchParams(q="ke hoach thanh tra"))
        assert result.total == 0 and result.hits == []
        assert search(outsider, SearchParams(q="")).total == 0


def test_a_specialist_finds_what_they_were_assigned(world: World, incoming: Any, ministry_leader: Any) -> None:
    from vanban.incoming.selectors import incoming_visible_to

    doc = incoming(world.unit_clerk, subject="Rà soát hồ sơ hải quan")
    assert subjects(world.specialist, "hai quan") == []
    # The same SQL rule as the document pages: search shows exactly the visible set.
    visible = set(incoming_visible_to(world.specialist).values_list("pk", flat=True))
    assert doc.pk not in visible


def test_outgoing_drafts_are_found_by_their_drafter_only(world: World, make_user: Any) -> None:
    from vanban.documents.models import DocumentType
    from vanban.outgoing.services import DraftData, create_draft
    from vanban.search.tests.conftest import docx_file

    doc = create_draft(actor=world.specialist, data=DraftData(
        document_type=DocumentType.objects.get(code="cong-van"), subject="Dự thảo quy chế văn thư lưu trữ"),
        file=("du-thao.docx", docx_file(["Quy chế văn thư"])))  # fmt: skip
    assert subjects(world.specialist, "quy che van thu") == [doc.subject]
    assert subjects(world.other_clerk, "quy che van thu") == []
