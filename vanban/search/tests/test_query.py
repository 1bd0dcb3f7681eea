"""Folding, tokenising and the search box's language (no database)."""

from __future__ import annotations

from vanban.search.folding import fold, tokens
from vanban.search.indexing import fts5_terms, tsvector_literal
from vanban.search.query import parse


def test_folding_drops_tones_and_shapes_and_maps_d_stroke():
    assert fold("Công văn ĐIỆN TỬ") == "cong van dien tu"
    assert fold("Sạt lở đất") == "sat lo dat"


def test_tokens_are_lowercase_nfc_words_and_numbers():
    nfd = "Quye\u0302\u0301t đi\u0323nh 123/QĐ-BCT"
    assert tokens(nfd) == ["quyết", "định", "123", "qđ", "bct"]


def test_adjacent_words_are_one_unit_and_commas_separate_units():
    assert parse("ngân sách").tsquery() == "'ngân_sách'"
    assert parse("ngân sách, sạt lở").tsquery() == "'ngân_sách' & 'sạt_lở'"
    assert parse("ngân sách nhà nước").tsquery() == "('ngân_sách' & 'sách_nhà' & 'nhà_nước')"
    assert parse("ngân sach").tsquery() == "('ngan_sach' & 'ngân')"


def test_symbols_are_their_own_group_with_or_without_diacritics():
    assert parse("123/QĐ-BCT").tsquery() == "('123_qd' & 'qd_bct' & 'qđ')"
    assert parse("123/QD-BCT").tsquery() == "('123_qd' & 'qd_bct')"
    assert parse("báo cáo QĐ-BCT").tsquery() == "'báo_cáo' & ('qd_bct' & 'qđ')"


def test_quotes_and_prefixes():
    assert parse('"điện tử" dien*').tsquery() == "'điện_tử' & 'dien':*"
    assert parse("điện l*").tsquery() == "('dien_l':* & 'điện')"
    assert parse("dien*").fts5() == '("dien" *)'
    assert parse("điện l*").fts5() == '("_dien_l" * AND "điện")'
    # A prefix the index can list becomes those terms (selectors._expand_prefix).
    listed = {"_dien_l": ["_dien_luc", "_dien_lanh"]}
    assert parse("điện l*").fts5(listed.get) == '(("_dien_luc" OR "_dien_lanh") AND "điện")'
    assert parse("dien*").fts5(listed.get) == '("dien" *)'


def test_fts5_looks_up_the_same_pairs_as_postgresql():
    assert parse("công văn").fts5() == '("_công_văn")'
    assert parse("cong van").fts5() == '("_cong_van")'
    assert parse("công van").fts5() == '("_cong_van" AND "công")'
    assert parse("sạt lở, 123/QD-BCT").fts5() == '("_sạt_lở") AND ("_123_qd" AND "_qd_bct")'


def test_hostile_input_yields_only_word_tokens():
    parsed = parse("'); DROP TABLE x; -- \" : * NEAR( ^ \\")
    for group in parsed.groups:
        for term in group.terms:
            assert term.isalnum()
    assert parse("").tsquery() == "" and not parse('""') and not parse("***")


def test_index_keeps_exact_and_folded_forms_at_the_same_position():
    literal = tsvector_literal("Công văn", "điện")
    assert "'công':1A" in literal and "'cong':1A" in literal
    assert "'văn':2A" in literal and "'van':2A" in literal
    assert "'điện':3" in literal and "'dien':3" in literal
    assert {"'công_văn'", "'cong_van'", "'văn_điện'", "'van_dien'"} <= set(literal.split())


def test_sqlite_terms_hold_both_forms_of_every_token_and_pair_once():
    size, text = fts5_terms("Công văn điện tử\nCông văn")
    terms = text.split()
    assert size == len(terms) == len(set(terms))
    assert set(terms) == {"công", "cong", "văn", "van", "điện", "dien", "tử", "tu", "_công_văn", "_cong_van",
                          "_văn_điện", "_van_dien", "_điện_tử", "_dien_tu", "_tử_công", "_tu_cong"}  # fmt: skip


def test_highlight_matching_follows_the_diacritics_rule():
    exact = parse("sạt lở")
    assert exact.matches("Sạt") and not exact.matches("sát")
    loose = parse("sat lo")
    assert loose.matches("sạt") and loose.matches("sát") and loose.matches("lộ")
