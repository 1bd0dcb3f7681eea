"""Writing edXML: round trips, the samples' structure element by element (prefixes,
namespaces, order), the exact date formats, and what receivers need."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import unicodedata
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from vanban.exchange import edxml
from vanban.exchange.edxml import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    EdocMessage,
    EdxmlError,
    OrganInfo,
    OtherInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
)
from vanban.exchange.messages import NS, VIETNAM
from vanban.exchange.tests.conftest import FAMILY_7816, STATUS_FILES, VALID_FILES, sample, simple_message


def _build(message: Any) -> bytes:
    return edxml.build_status(message) if isinstance(message, StatusMessage) else edxml.build_document(message)


def structure(data: bytes) -> list[tuple[str, str | None]]:
    """Every element in document order as (path of prefixed names, namespace URI),
    without comments and without the XML-DSig Signature (we do not sign yet)."""
    start = data.find(b"<?xml")
    root = etree.fromstring(data[max(start, 0):], etree.XMLParser(remove_comments=True, resolve_entities=False))
    out: list[tuple[str, str | None]] = []

    def walk(element: Any, prefix: str) -> None:
        qname = etree.QName(element)
        if qname.localname == "Signature":
            return
        path = f"{prefix}/{element.prefix + ':' if element.prefix else ''}{qname.localname}"
        out.append((path, qname.namespace))
        for child in element:
            if isinstance(child.tag, str):
                walk(child, path)

    walk(root, "")
    return out


@pytest.mark.parametrize("name", [n for n in VALID_FILES if n != "edoc_new.edxml"])
def test_parse_build_parse_gives_the_message_back(name: str) -> None:
    message = edxml.parse(sample(name))
    rebuilt = edxml.parse(_build(message))
    assert rebuilt == message
    if isinstance(message, EdocMessage):
        assert [a.content for a in rebuilt.attachments] == [a.content for a in message.attachments]


@pytest.mark.parametrize("name", [*FAMILY_7816, *(n for n in STATUS_FILES if n != "status.edxml")])
def test_build_writes_the_samples_structure_element_by_element(name: str) -> None:
    """Same element paths, prefixes, namespaces and order as the sample (status.edxml is
    the one status sample with another child order; the others agree)."""
    data = sample(name)
    assert structure(_build(edxml.parse(data))) == structure(data)


def test_build_output_is_what_receivers_read() -> None:
    message = simple_message()
    message.due_date = dt.date(2026, 3, 20)
    message.trace_headers = [TraceHeader("000.00.00.G02", dt.datetime(2026, 3, 5, 20, 30, 5, tzinfo=dt.UTC))]
    data = edxml.build_document(message)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="' + NS.encode() + b'">')
    text = data.decode("utf-8")
    assert '<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">' in text
    assert "<edXML:PromulgationDate>2026/03/05</edXML:PromulgationDate>" in text
    assert "<edXML:DueDate>2026/03/20</edXML:DueDate>" in text
    # 20:30:05 UTC is 03:30:05 the next day in Vietnam, written without a zone.
    assert "<edXML:Timestamp>2026/03/06 03:30:05</edXML:Timestamp>" in text
    assert "<edXML:Bussiness>" in text and "<edXML:BussinessDocType>0</edXML:BussinessDocType>" in text
    assert "TimeStamp" not in text and "Business" not in text.replace("Bussiness", "")
    assert "<edXML:SteeringType" not in text  # None: omitted, never empty
    assert "<edXML:ContentId>cid:3f1c0a52-0000-4000-8000-000000000001</edXML:ContentId>" in text
    assert "<AttachmentEncoded>" in text and "<Attachment>" in text
    payload = re.search(r'<edXML:ContentTransferEncoded xmlns:edXML="[^"]+">([^<]*)<', text)
    assert payload is not None and "\n" not in payload.group(1)  # base64 on one line
    assert base64.b64decode(payload.group(1)) == message.attachments[0].data
    assert "<ContentType>application/pdf</ContentType>" in text
    leaves = re.findall(r"<([\w:]+)(?: [^>]*)?>([^<]*)</\1>", text)
    assert len(leaves) > 30
    for _, value in leaves:
        assert value == value.strip()  # no whitespace around values


def test_status_build_matches_the_status_samples_formats() -> None:
    status = StatusMessage(
        from_organ=OrganInfo(organ_id="000.00.00.H41", organ_name="UBND Tỉnh Nghệ An",
                             organization_in_charge="UBND Tỉnh Nghệ An"),
        response_for=ResponseFor(organ_id="000.00.00.G02", code="125/BCT-XNK", promulgation_date=dt.date(2026, 3, 5),
                                 document_id="000.00.00.G02,2026/03/05,125/BCT-XNK"),
        status_code="03", description="Tiếp nhận văn bản điện tử, vào sổ văn bản đến",
        timestamp=dt.datetime(2026, 3, 5, 9, 0, 1, tzinfo=VIETNAM),
        staff=StaffInfo(department="Văn phòng", staff="Lê Thị Hoa", email="hoa@nghean.gov.vn", mobile="0912345678"),
    )  # fmt: skip
    data = edxml.build_status(status)
    assert edxml.parse(data) == status
    assert structure(data) == structure(sample("status_acceptance_03.edxml"))
    assert b"<edXML:Timestamp>2026/03/05 09:00:01</edXML:Timestamp>" in data
    assert b"<edXML:StatusCode>03</edXML:StatusCode>" in data


def test_builders_refuse_what_receivers_would_misread() -> None:
    with pytest.raises(EdxmlError) as err:
        edxml.build_document(edxml.parse(sample("edoc_new.edxml")))  # To 28.22.H17
    assert (err.value.code, err.value.field) == ("invalid_organ_id", "To/OrganId")
    cases = [
        ({"document_id": ""}, "missing_field"),
        ({"promulgation_date": None}, "missing_field"),
        ({"to_organs": []}, "missing_field"),
        ({"subject": "  "}, "missing_field"),
        ({"from_organ": OrganInfo(organ_id="G02")}, "invalid_organ_id"),
        ({"subject": "Trích yếu\x00"}, "invalid_text"),
    ]
    for overrides, code in cases:
        with pytest.raises(EdxmlError) as err:
            edxml.build_document(simple_message(**overrides))
        assert err.value.code == code, overrides
    not_a_zip = Attachment(content_id="1", name="a.pdf", data=b"%PDF-1.4 x", content_type="application/zip")
    with pytest.raises(EdxmlError) as err:
        edxml.build_document(simple_message(attachments=[not_a_zip]))
    assert err.value.code == "content_type_mismatch"
    twice = Attachment(content_id="cid:1", name="a.pdf", data=b"%PDF-1.4 x")
    with pytest.raises(EdxmlError) as err:
        edxml.build_document(simple_message(attachments=[twice, Attachment(content_id="1", name="b.pdf", data=b"y")]))
    assert err.value.code == "duplicate_content_id"
    status = edxml.parse(sample("status_finish_06.edxml"))
    status.status_code = "07"  # no such code in the sources: never invented
    with pytest.raises(EdxmlError) as err:
        edxml.build_status(status)
    assert err.value.code == "invalid_status_code"


def test_a_zip_payload_is_labelled_zip_and_nothing_else_is() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("5c7082fe.pdf", b"%PDF-1.4 real file")
    mislabelled = Attachment(content_id="z", name="cong-van.pdf", data=out.getvalue(), content_type="application/pdf")
    with pytest.raises(EdxmlError) as err:
        edxml.build_document(simple_message(attachments=[mislabelled]))
    assert err.value.code == "content_type_mismatch"
    unlabelled = Attachment(content_id="z", name="cong-van.pdf", data=out.getvalue())
    (a,) = edxml.parse(edxml.build_document(simple_message(attachments=[unlabelled]))).attachments
    assert a.content_type == "application/zip"
    assert a.content == b"%PDF-1.4 real file" and a.name == "cong-van.pdf"
    docx = Attachment(content_id="d", name="du-thao.docx", data=out.getvalue(),
                      content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    (a,) = edxml.parse(edxml.build_document(simple_message(attachments=[docx]))).attachments
    assert a.unwrapped is None and a.content_type == docx.content_type  # a DOCX is a ZIP by design


def test_nfd_text_is_written_nfc() -> None:
    nfd = "Tr\u01b0\u01a1ng Minh Tua\u0302\u0301n"
    data = edxml.build_document(simple_message(signer=SignerInfo(full_name=nfd)))
    assert "Trương Minh Tuấn".encode() in data
    assert edxml.parse(data).warnings == []


def test_reading_ignores_prefixes_and_child_order() -> None:
    data = sample("edoc_update.edxml")
    expected = edxml.parse(data)
    renamed = data.replace(b"xmlns:edXML=", b"xmlns:q=").replace(b"edXML:", b"q:")
    assert renamed != data and edxml.parse(renamed) == expected
    unprefixed = data.replace(b' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', b"").replace(b"edXML:", b"")
    assert edxml.parse(unprefixed) == expected
    root = etree.fromstring(data)
    header = root.find(f".//{{{NS}}}MessageHeader")
    children = list(header)
    for child in children:
        header.remove(child)
    first = {}
    for i, child in enumerate(children):
        first.setdefault(child.tag, i)
    # Kinds of element in reverse order; repeated ones (To) keep their order, which matters.
    for child in sorted(children, key=lambda c: -first[c.tag]):
        header.append(child)
    assert etree.QName(header[0]).localname == "ToPlaces"
    trace_list = root.find(f".//{{{NS}}}TraceHeaderList")
    business = trace_list.find(f"{{{NS}}}Bussiness")
    trace_list.remove(business)
    trace_list.insert(0, business)  # Bussiness before TraceHeader
    assert edxml.parse(etree.tostring(root, xml_declaration=True, encoding="UTF-8")) == expected


def test_a_foreign_namespace_under_the_samples_prefix_is_not_read() -> None:
    data = sample("status_finish_06.edxml").replace(
        b'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', b'xmlns:edXML="urn:other"'
    )
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert (err.value.code, err.value.field) == ("missing_element", "edXMLEnvelope")


def test_timestamp_spelled_timestamp_with_capital_s_is_read() -> None:
    data = sample("status_finish_06.edxml").replace(b"Timestamp>", b"TimeStamp>")
    assert edxml.parse(data).timestamp == dt.datetime(2015, 9, 20, 11, 8, 36, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2018/09/28", dt.date(2018, 9, 28)),
        ("2018-09-28", dt.date(2018, 9, 28)),
        ("28/09/2018", dt.date(2018, 9, 28)),
        ("2018-09-27T20:00:00Z", dt.date(2018, 9, 28)),  # 03:00 the next day in Vietnam
        ("2018-09-28T10:00:00+07:00", dt.date(2018, 9, 28)),
        ("1538067600000", dt.date(2018, 9, 28)),  # epoch ms of 2018-09-28 00:00 +07:00
    ],
)
def test_dates_are_read_in_every_seen_format(written: str, expected: dt.date) -> None:
    data = sample("status_finish_06.edxml").replace(b"2015/09/30</edXML:PromulgationDate>",
                                                     written.encode() + b"</edXML:PromulgationDate>")  # fmt: skip
    assert edxml.parse(data).response_for.promulgation_date == expected


def test_a_required_date_that_is_not_a_date_is_refused_an_optional_one_warned() -> None:
    bad = sample("status_finish_06.edxml").replace(b"2015/09/20 11:08:36", b"2015/02/30 11:08:36")
    with pytest.raises(EdxmlError) as err:
        edxml.parse(bad)
    assert (err.value.code, err.value.field) == ("invalid_date", "Timestamp")
    optional = sample("status_finish_06.edxml").replace(b"2015/09/30</", b"15/01/20255</")
    m = edxml.parse(optional)
    assert m.response_for.promulgation_date is None and any("PromulgationDate" in w for w in m.warnings)


# --- Generated messages round-trip ------------------------------------------------------------

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
texts = st.text(_CHARS, max_size=40).map(lambda s: unicodedata.normalize("NFC", s).strip())
organ_ids = st.from_regex(r"\A\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}\Z")
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
stamps = st.datetimes(min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2100, 12, 30)).map(
    lambda d: d.replace(microsecond=0, tzinfo=VIETNAM)
)
small = st.none() | st.integers(min_value=0, max_value=999)
organs = st.builds(OrganInfo, organ_id=organ_ids, organization_in_charge=texts, organ_name=texts,
                   organ_add=texts, email=texts, telephone=texts, fax=texts, website=texts)  # fmt: skip
staffs = st.builds(StaffInfo, department=texts, staff=texts, email=texts, mobile=texts)
businesses = st.builds(
    Business,
    business_doc_type=st.integers(0, 3),
    document_id=texts,
    reason=texts,
    paper=st.none() | st.integers(0, 1),
    document_info=st.none() | st.builds(BusinessDocumentInfo, document_info=texts, document_receiver=texts,
                                        receivers=st.lists(st.builds(Receiver, organ_id=organ_ids,
                                                                     receiver_type=small), max_size=3)),
    replacements=st.lists(st.builds(ReplacementInfo, document_id=texts.filter(bool),
                                    organ_ids=st.lists(organ_ids, max_size=3)), max_size=2),
    staff=st.none() | staffs,
)  # fmt: skip


@st.composite
def attachments(draw: Any) -> list[Attachment]:
    count = draw(st.integers(0, 3))
    result = []
    for i in range(count):
        data = draw(st.binary(min_size=1, max_size=200).filter(lambda b: not b.startswith(b"PK\x03\x04")))
        result.append(Attachment(content_id=f"cid-{i}", name=draw(texts.filter(bool)), data=data,
                                 content_type=draw(st.sampled_from(["application/pdf", "image/png", "text/plain"])),
                                 description=draw(texts)))  # fmt: skip
    return result


messages = st.builds(
    EdocMessage,
    from_organ=organs,
    to_organs=st.lists(organs, min_size=1, max_size=3),
    document_id=texts.filter(bool),
    code_number=st.from_regex(r"\A\d{1,5}\Z"),
    code_notation=texts,
    promulgation_place=texts,
    promulgation_date=dates,
    document_type=small,
    document_type_detail=small,
    document_type_name=texts,
    subject=texts.filter(bool),
    content=texts,
    signer=st.builds(SignerInfo, competence=texts, position=texts, full_name=texts),
    due_date=st.none() | dates,
    other=st.builds(OtherInfo, priority=small, sphere_of_promulgation=texts, typer_notation=texts,
                    promulgation_amount=small, page_amount=small, direction=st.none() | st.booleans(),
                    appendixes=st.lists(texts.filter(bool), max_size=2)),
    response_for=st.lists(st.builds(ResponseFor, organ_id=organ_ids, code=texts, promulgation_date=st.none() | dates,
                                    document_id=texts), max_size=2),
    steering_type=small,
    to_places=st.lists(texts.filter(bool), max_size=3),
    trace_headers=st.lists(st.builds(TraceHeader, organ_id=organ_ids, timestamp=stamps), max_size=2),
    business=st.none() | businesses,
    attachments=attachments(),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_valid_document_message_round_trips(message: EdocMessage) -> None:
    assert edxml.parse(edxml.build_document(message)) == message


@settings(max_examples=100, deadline=None)
@given(organs, organs, st.sampled_from(["01", "02", "03", "04", "05", "06", "13", "15", "16"]), texts,
       texts.filter(bool), st.none() | dates, stamps, st.none() | staffs)  # fmt: skip
def test_any_valid_status_message_round_trips(sender: OrganInfo, addressee: OrganInfo, code: str, description: str,
                                               document_id: str, date: dt.date | None, stamp: dt.datetime,
                                               staff: StaffInfo | None) -> None:  # fmt: skip
    status = StatusMessage(from_organ=sender, response_for=ResponseFor(organ_id=addressee.organ_id, code="1/X",
                           promulgation_date=date, document_id=document_id), status_code=code,
                           description=description, timestamp=stamp, staff=staff)  # fmt: skip
    assert edxml.parse(edxml.build_status(status)) == status
