"""Every sample message of ../shared/fixtures/edxml read field by field, and the two
damaged samples treated as the fixtures' README demands."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

import pytest

from vanban.exchange import edxml
from vanban.exchange.edxml import EdocMessage, EdxmlError, StatusMessage
from vanban.exchange.messages import VIETNAM, ResponseFor
from vanban.exchange.tests.conftest import FAMILY_7816, STATUS_FILES, sample

ZIPPED_EDXML_SHA = "8385739ec4a4ed36"
GARBAGE_PDF_SHA = "c0469bc89f8b4d2a"


def _edoc(name: str) -> EdocMessage:
    message = edxml.parse(sample(name))
    assert isinstance(message, EdocMessage)
    return message


@pytest.mark.parametrize("name", FAMILY_7816)
def test_the_7816_family_reads_every_shared_field(name: str) -> None:
    m = _edoc(name)
    assert m.from_organ.organ_id == "000.00.00.G22"
    assert m.from_organ.organ_name == m.from_organ.organization_in_charge == "Văn phòng Chính phủ"
    assert m.from_organ.organ_add == "Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội"
    assert (m.from_organ.email, m.from_organ.telephone, m.from_organ.fax, m.from_organ.website) == (
        "vpcp@gov.vn", "8043100", "048989898789", "vpcp.vn")
    assert [(o.organ_id, o.organ_name) for o in m.to_organs] == [
        ("000.00.00.H41", "UBND Tỉnh Nghệ An"),
        ("000.00.00.H14", "UBND Tỉnh Cao Bằng"),
        ("000.00.00.G17", "Sở Thông tin truyền thông Hải Phòng"),
    ]
    assert m.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert (m.code_number, m.code_notation, m.code) == ("7816", "VPCP-TTĐT", "7816/VPCP-TTĐT")
    assert (m.promulgation_place, m.promulgation_date) == ("Hà Nội", dt.date(2018, 9, 28))
    assert (m.document_type, m.document_type_detail, m.document_type_name) == (1, 0, "Công văn")
    assert m.subject == m.content == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert (m.signer.competence, m.signer.position, m.signer.full_name) == (
        "TL. BO TRUONG", "Cuc truong cuc ung dung cong nghe thong tin", "Nguyen Thanh Phuc")
    assert (m.due_date, m.steering_type) == (dt.date(2018, 9, 28), 1)
    assert m.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    o = m.other
    assert (o.priority, o.sphere_of_promulgation, o.typer_notation, o.promulgation_amount, o.page_amount,
            o.direction) == (0, "Liên thông văn bản quốc gia", "TVC", 2, 22, False)
    assert o.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]
    (trace,) = m.trace_headers
    assert trace.organ_id == "000.00.00.G22"
    assert trace.timestamp == dt.datetime(2018, 9, 28, 0, 0, 0, tzinfo=VIETNAM)
    assert trace.timestamp.utcoffset() == dt.timedelta(hours=7)
    staff = m.business.staff
    assert (staff.department, staff.staff, staff.email, staff.mobile) == (
        "Văn thư văn phòng", "Nguyễn Thị Ngọc Trâm", "vanthuvanphong@gov.vn", "84912000001")
    assert m.business.paper == 0
    assert m.has_signature  # present (placeholder values), in the QCVN namespace
    (a,) = m.attachments
    assert (a.content_id, a.name, a.description, a.content_type) == (
        "209", "1896_QD-TTg_m_294779.doc", "1896_QD-TTg_m_294779.doc", "application/zip")
    assert len(a.data) == 270823 and a.data.startswith(b"PK\x03\x04")
    assert a.unwrapped is not None and a.size == len(a.content) == 388347
    assert a.sha256.startswith(ZIPPED_EDXML_SHA)
    assert a.unwrapped_name.endswith(".edxml")
    assert m.warnings == []


def test_revocation_names_the_response_and_has_no_business_document_id() -> None:
    m = _edoc("edoc_revocation.edxml")
    assert (m.business.business_doc_type, m.business.reason, m.business.document_id) == (
        1, "Thu hồi văn bản điện tử", "")
    assert m.response_for == [ResponseFor(organ_id="000.00.00.H14", code="267/VPCP-TTĐT",
                                          promulgation_date=dt.date(2018, 9, 28),
                                          document_id="000.00.04.G14,2012/08/06,267/VPCP-TTĐT")]
    assert m.referenced_document_id == m.document_id  # domain.md §7.3: use the header's


def test_update_keeps_its_impossible_document_id_and_receivers() -> None:
    m = _edoc("edoc_update.edxml")
    b = m.business
    assert (b.business_doc_type, b.reason) == (2, "Cập nhật văn bản điện tử")
    assert b.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"  # opaque: never read as a date
    assert (b.document_info.document_info, b.document_info.document_receiver) == ("1", "1")
    assert [(r.organ_id, r.receiver_type) for r in b.document_info.receivers] == [
        ("000.00.00.H41", 0), ("000.00.00.H14", 1)]
    assert m.response_for == []
    assert m.referenced_document_id == b.document_id


def test_replacement_lists_what_it_replaces_twice() -> None:
    m = _edoc("edoc_replacement.edxml")
    b = m.business
    assert (b.business_doc_type, b.reason, b.document_id) == (3, "Văn bản thay thế", "")
    assert [(r.document_id, r.organ_ids) for r in b.replacements] == [
        ("000.00.00.G22,2014/01/30,7806/VPCP-TTĐT", ["000.00.00.H41", "000.00.00.H14"])] * 2
    assert m.referenced_document_id == "000.00.00.G22,2014/01/30,7806/VPCP-TTĐT"


def test_junk_before_the_declaration_is_dropped_with_a_warning_and_the_quirks_reported() -> None:
    data = sample("edoc_new.edxml")
    assert data.startswith(b"1212<?xml")
    m = _edoc("edoc_new.edxml")
    assert m.warnings[0] == "edXML: đã bỏ 4 byte («1212») đứng trước khai báo XML ở vị trí 0."
    joined = "\n".join(m.warnings)
    assert "28.22.H17" in joined  # a 9-character To/OrganId
    assert "74fass22" in joined  # not a number
    assert "khác cơ quan gửi 002.00.20.H13" in joined  # DocumentId names G22
    assert m.from_organ.organ_id == "002.00.20.H13"
    assert m.from_organ.name == "UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng"
    (to,) = m.to_organs
    assert to.organ_id == "28.22.H17"
    assert to.organization_in_charge == "UBND xã Hòa Sơn - UBND huyện Hòa Vang - Thành phố Đà Nẵng"  # trimmed
    assert (m.code_number, m.code_notation, m.promulgation_date) == ("74fass22", "VPCP-TTĐT", dt.date(2019, 1, 16))
    assert (m.business.business_doc_type, m.business.reason) == (0, "Văn bản điện tử mới")
    assert m.business.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert m.response_for == []
    (a,) = m.attachments
    assert (a.content_id, a.name, a.size) == ("209", "1896_QD-TTg_m_294779.doc", 388347)
    assert a.sha256.startswith(ZIPPED_EDXML_SHA)


def test_junk_containing_markup_or_too_far_from_the_declaration_is_refused() -> None:
    body = sample("status_inbox__01.edxml")
    for junk in (b"<x>1212</x>", b"1" * 2000):
        with pytest.raises(EdxmlError) as err:
            edxml.parse(junk + body)
        assert err.value.code == "junk_before_xml"
    m = edxml.parse(b"\r\n  " + body)  # whitespace before the declaration is junk too
    assert m.warnings and "4 byte" in m.warnings[0]
    assert edxml.parse(b"\xef\xbb\xbf" + body).warnings == []  # a BOM is normal


def test_edoc_with_an_unbound_prefix_is_refused_naming_it() -> None:
    with pytest.raises(EdxmlError) as err:
        edxml.parse(sample("edoc.edxml"))
    assert err.value.code == "unbound_prefix"
    assert "xlink" in err.value.message and "unbound prefix" in err.value.message
    assert "dòng 116" in err.value.message


def test_edoc_repaired_namespaces_still_fails_on_its_placeholder_payload() -> None:
    """If the unbound prefix were tolerated, the payload check must still fail."""
    repaired = sample("edoc.edxml").decode("utf-8")
    repaired = repaired.replace(' xlink:href=""', "")
    head, tail = repaired.split("</edXML:edXMLEnvelope>")
    tail = re.sub(r"<(/?)edXML:(AttachmentEncoded|Attachment|ContentId|AttachmentName|ContentType)>", r"<\1\2>", tail)
    with pytest.raises(EdxmlError) as err:
        edxml.parse((head + "</edXML:edXMLEnvelope>" + tail).encode("utf-8"))
    assert err.value.code == "invalid_base64"
    assert "${__StringFromFile" in err.value.message
    assert err.value.field == "Attachment/ContentTransferEncoded"


def test_the_2019_message_is_accepted_with_nfc_names_and_the_zip_unwrapped() -> None:
    m = _edoc("real_2019_thongtu.edxml")
    assert m.from_organ.organ_id == m.to_organs[0].organ_id == "000.00.15.H51"
    assert m.to_organs[0].organization_in_charge == ""
    assert m.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"
    assert (m.code_number, m.code_notation, m.promulgation_date) == ("1223412", "PRO-TEST-CASE1", dt.date(2019, 1, 17))
    assert (m.document_type, m.document_type_detail, m.document_type_name) == (1, None, "Thông tư")
    assert (m.subject, m.content) == ("Văn bản liên thông chỉ đạo - 190701", "test gửi liên thông vpcp")
    assert m.signer.full_name == "Trương Minh Tuấn"
    assert unicodedata.is_normalized("NFC", m.signer.full_name)
    assert (m.signer.competence, m.signer.position) == ("Quyền 1", "Bộ trưởng")
    assert (m.due_date, m.steering_type, m.other.priority) == (dt.date(2018, 6, 25), 1, 0)
    assert m.to_places == ["Các bộ"]
    assert m.response_for == []  # <edXML:ResponseFor /> names nothing
    assert [(t.organ_id, t.timestamp) for t in m.trace_headers] == [
        ("01.02.G22", dt.datetime(2018, 6, 20, 16, 35, 56, tzinfo=VIETNAM)),
        ("001.00.20.TT2", dt.datetime(2019, 5, 17, 18, 16, 33, tzinfo=VIETNAM)),
    ]
    assert m.business is None and m.business_doc_type == 0
    (a,) = m.attachments
    assert (a.content_id, a.name) == ("36b8a92e-f054-11e7-842b-005056b672fc", "GUIDE_INSTALL OPENVPN.SIGNED.PDF")
    assert (a.content_type, a.manifest_content_type) == ("application/zip", "application/pdf")
    assert (len(a.data), a.size) == (214, 17)
    assert a.sha256.startswith(GARBAGE_PDF_SHA)
    assert any("SignerInfo/FullName" in w for w in m.warnings)
    assert any("application/pdf" in w for w in m.warnings)


STATUS_DESCRIPTIONS = {
    "01": "Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
    "02": "Văn thư - Phòng Văn thư - Lưu trữ: Từ chối không tiếp nhận văn bản điện tử",
    "03": "Văn thư cơ - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị",
    "04": "Lãnh đạo: Phân công xử lý",
    "05": "Đang xử lý văn bản đến",
    "06": "Văn thư: Ban hành văn bản đến, hoàn thành xử lý",
    "13": "Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do",
    "15": "Văn thư đồng ý yêu cầu cập nhật, lấy lại",
    "16": "Văn thư từ chối yêu cầu cập nhật, lấy lại",
}


@pytest.mark.parametrize(("name", "code"), list(STATUS_FILES.items()))
def test_every_status_sample(name: str, code: str) -> None:
    m = edxml.parse(sample(name))
    assert isinstance(m, StatusMessage)
    assert m.status_code == code
    assert m.description == STATUS_DESCRIPTIONS[code]
    assert m.warnings == []
    reversed_direction = code == "13"
    assert m.from_organ.organ_id == ("000.00.00.G22" if reversed_direction else "000.00.00.H41")
    assert m.from_organ.name == ("Văn phòng Chính phủ" if reversed_direction else "UBND Tỉnh Nghệ An")
    rf = m.response_for
    assert rf.organ_id == ("000.00.00.H41" if reversed_direction else "000.00.00.G22")
    assert (rf.code, rf.document_id) == ("7816/VPCP-TTĐT", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
    if name == "status.edxml":
        assert rf.promulgation_date == dt.date(2018, 9, 28)
        assert m.timestamp == dt.datetime(2018, 9, 28, 17, 25, 11, tzinfo=VIETNAM)
        assert (m.staff.department, m.staff.staff, m.staff.email) == (
            "Văn thư văn phòng", "Nguyễn Thị Ngọc Trâm", "vanthuvanphong@gov.vn")
    else:
        assert rf.promulgation_date == dt.date(2015, 9, 30)
        assert m.timestamp == dt.datetime(2015, 9, 20, 11, 8, 36, tzinfo=VIETNAM)
        # Tab-indented, trailing spaces after the Department line: trimmed.
        assert (m.staff.department, m.staff.staff, m.staff.mobile, m.staff.email) == (
            "Phong hanh chinh", "Nguyen thi ngoc tram", "84912000001", "ngoctram@nghean.vn")


def test_attachment_sizes_match_the_readme() -> None:
    for name in FAMILY_7816:
        (a,) = _edoc(name).attachments
        assert hashlib.sha256(a.content).hexdigest() == a.sha256


def test_the_sample_copies_are_byte_identical_to_upstream() -> None:
    """The blob column of the samples' README (`git hash-object FILE`)."""
    readme = sample("README.md").decode("utf-8")
    rows = re.findall(r"^\| `([^`]+\.edxml)` \| (\d+) \| ([0-9a-f]{40}) \|", readme, re.MULTILINE)
    assert len(rows) == 16
    for name, size, blob in rows:
        data = sample(name)
        assert len(data) == int(size), name
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob, name
