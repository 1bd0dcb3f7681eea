"""Generated and mutated messages: random byte flips, truncations, insertions, element
deletions, duplications and text replacements of the samples. Reading gives a message or
an EdxmlError (never another exception, never the catch-all "unreadable"); receiving
stores a whole message or nothing at all."""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from vanban.audit.models import AuditEvent
from vanban.documents import storage
from vanban.documents.models import StoredFile
from vanban.exchange import edxml
from vanban.exchange.edxml import EdocMessage, EdxmlError
from vanban.exchange.models import ChangeRequest, ReceivedMessage, ReceivedMessageEvent
from vanban.exchange.services import receive_message
from vanban.exchange.tests.conftest import sample

SMALL = ("status_inbox__01.edxml", "status_cancellation_13.edxml", "real_2019_thongtu.edxml", "edoc.edxml")
XML_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
LARGE = ("edoc_update.edxml", "edoc_new.edxml", "edoc_replacement.edxml")


@functools.cache
def _bytes(name: str) -> bytes:
    return sample(name)


def _tree(data: bytes) -> Any:
    start = data.find(b"<?xml")
    return etree.fromstring(data[max(start, 0):], etree.XMLParser(resolve_entities=False, recover=True))


@st.composite
def mutated(draw: Any, names: tuple[str, ...]) -> bytes:
    data = bytearray(_bytes(draw(st.sampled_from(names))))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete_element", "duplicate_element",
                                     "replace_text"]))  # fmt: skip
        if kind == "flip" and data:
            for _ in range(draw(st.integers(1, 8))):
                pos = draw(st.integers(0, len(data) - 1))
                data[pos] ^= draw(st.integers(1, 255))
        elif kind == "truncate" and data:
            data = data[: draw(st.integers(0, len(data) - 1))]
        elif kind == "insert":
            pos = draw(st.integers(0, len(data)))
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16) | st.sampled_from(
                [b"<", b"&", b"]]>", b"<!DOCTYPE x>", b"&lt;", b"\x00", b"<edXML:To>", b"</edXML:From>"]))
        else:
            try:
                root = _tree(bytes(data))
            except etree.XMLSyntaxError:
                continue
            if root is None:
                continue
            elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
            if not elements:
                continue
            target = elements[draw(st.integers(0, len(elements) - 1))]
            parent = target.getparent()
            if kind == "delete_element":
                parent.remove(target)
            elif kind == "duplicate_element":
                parent.insert(parent.index(target), copy.deepcopy(target))
            else:
                target.text = draw(st.text(XML_CHARS, max_size=30) | st.sampled_from(["", "  ", "9999/99/99", "-1", "abc",
                                                                             "2019/02/29 25:61:61", "0" * 40]))
            data = bytearray(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return bytes(data)


def _read(data: bytes) -> Any:
    """parse(), asserting the only failure is a specific EdxmlError."""
    try:
        message = edxml.parse(data)
    except EdxmlError as exc:
        assert exc.code != "unreadable", "an unexpected exception was hidden behind the catch-all"
        assert exc.message
        return None
    # What we read we can write again, or refuse clearly (non-standard organ ids, ...).
    try:
        rebuilt = edxml.build_document(message) if isinstance(message, EdocMessage) else edxml.build_status(message)
    except EdxmlError as exc:
        assert exc.code != "unreadable"
    else:
        assert edxml.parse(rebuilt) == message
    return message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SMALL))
def test_mutated_small_messages_give_a_message_or_a_clear_error(data: bytes) -> None:
    _read(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated(LARGE))
def test_mutated_large_messages_give_a_message_or_a_clear_error(data: bytes) -> None:
    _read(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_random_bytes_give_a_clear_error(data: bytes) -> None:
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code != "unreadable"


def _state() -> tuple[int, int, int, int]:
    return (ReceivedMessage.objects.count(), StoredFile.objects.count(), AuditEvent.objects.count(),
            ReceivedMessageEvent.objects.count())  # fmt: skip


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(data=mutated(SMALL + ("edoc_update.edxml",)))
def test_receiving_mutated_messages_stores_all_or_nothing(data: bytes, organ: Any, isolated_storage: Any) -> None:
    before = _state()
    try:
        received = receive_message(actor=None, data=data, any_recipient=True)
    except EdxmlError as exc:
        assert exc.code != "unreadable"
        assert _state() == before
        return
    row = received.row
    if not received.created:
        assert _state() == before
        return
    messages, files, events, statuses = _state()
    assert messages == before[0] + 1
    assert files in (before[1], before[1] + 1)  # the raw bytes may already be stored
    assert events > before[2]
    # A document records its 01; a recall, update or replacement applied at once (its
    # document arrived in an earlier example, not yet registered) also records its 15.
    applied = ChangeRequest.objects.filter(message=row, state=ChangeRequest.State.APPLIED).exists()
    assert statuses == before[3] + (1 if row.kind == ReceivedMessage.Kind.EDOC else 0) + (1 if applied else 0)
    assert storage.read_blob(row.raw.sha256) == data and row.message_hash == row.raw.sha256
    assert row.summary["kind"] == row.kind
