"""Generated texts: Vietnamese written in each legacy encoding comes back exactly, and
ordinary Unicode in any language is never changed."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.documents.tests.text_strategies import (
    foreign_texts,
    tcvn3_recoverable_texts,
    vietnamese_texts,
    visibly_legacy,
)
from vanban.documents.text import convert, detect, guard_text, tcvn3, viqr, vni

EXAMPLES = settings(max_examples=150, deadline=None)
texts = vietnamese_texts()
ENCODERS = {"tcvn3": tcvn3.encode, "vni": vni.encode, "viqr": viqr.encode}


@EXAMPLES
@given(texts, st.sampled_from(sorted(ENCODERS)))
def test_legacy_text_is_restored_or_left_alone_never_misread(text, source):
    # Short or plain texts may read as ordinary Vietnamese too; then the guard leaves
    # them as they are (the clerk can pick the encoding). It never invents a third text.
    encoded = ENCODERS[source](text)
    result = convert(encoded).text
    if source == "tcvn3":
        # Capitals at the start of a Title-case word cannot be told from lowercase
        # (see tcvn3's module doc); letters, marks and tones always come back.
        assert result == encoded or result.lower() == text.lower()
    else:
        assert result in (encoded, text)


@EXAMPLES
@given(texts.filter(lambda t: visibly_legacy(t, vni.encode(t))))
def test_vni_text_in_any_case_comes_back_exactly(text):
    encoded = vni.encode(text)
    assert convert(encoded).text == text
    assert convert(encoded.encode("cp1252")).text == text


@EXAMPLES
@given(texts.filter(lambda t: visibly_legacy(t, viqr.encode(t))))
def test_viqr_text_in_any_case_comes_back_exactly(text):
    encoded = viqr.encode(text)
    assert encoded.isascii()
    assert convert(encoded).text == text
    assert convert(encoded.encode()).text == text


@EXAMPLES
@given(tcvn3_recoverable_texts().filter(lambda t: visibly_legacy(t, tcvn3.encode(t))))
def test_tcvn3_text_comes_back_exactly_where_its_capitals_can_be_told(text):
    encoded = tcvn3.encode(text)
    assert convert(encoded).text == text
    assert convert(encoded.encode("cp1252")).text == text


@EXAMPLES
@given(texts.filter(lambda t: visibly_legacy(t, tcvn3.encode(t))))
def test_tcvn3_text_in_any_case_comes_back_with_every_letter_and_tone(text):
    assert convert(tcvn3.encode(text)).text.lower() == text.lower()


@EXAMPLES
@given(texts)
def test_vietnamese_unicode_is_left_alone_and_nfd_becomes_nfc(text):
    assert convert(text) == convert(text.encode())
    result = convert(text)
    assert (result.text, result.source, result.changed) == (text, "unicode", False)
    decomposed = unicodedata.normalize("NFD", text)
    assert convert(decomposed).text == text
    assert guard_text(decomposed)[0] == text


@settings(max_examples=300, deadline=None)
@given(foreign_texts())
def test_english_french_german_spanish_are_left_alone(text):
    assert detect(text) == "unicode"
    assert convert(text).text == text
    assert guard_text(text) == (text, None)


@EXAMPLES
@given(texts, foreign_texts(), st.booleans())
def test_vietnamese_mixed_with_other_languages_is_left_alone(vietnamese, foreign, first):
    text = f"{vietnamese} {foreign}" if first else f"{foreign} {vietnamese}"
    assert convert(text).text == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_converts_to_nfc_without_error(text):
    for source in ("auto", "tcvn3", "vni", "viqr"):
        result = convert(text, source=source)
        assert unicodedata.is_normalized("NFC", result.text)
