"""Hostile input: DTDs and entities (XXE, billion laughs), other encodings, size limits,
zip bombs, deep nesting, oversized text nodes."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from vanban.exchange import edxml
from vanban.exchange.edxml import Attachment, EdxmlError
from vanban.exchange.messages import NS
from vanban.exchange.tests.conftest import sample, simple_message

XXE = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>&xxe;</OrganId></From>
</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>""".encode()

LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<edXML xmlns="{NS}">&lol4;</edXML>""".encode()

EXTERNAL_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd">
<edXML xmlns="{NS}"/>""".encode()


@pytest.mark.parametrize("data", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_any_doctype_is_refused_before_parsing(data: bytes) -> None:
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code == "doctype_forbidden"


def test_a_doctype_hidden_in_another_encoding_is_refused() -> None:
    utf16 = XXE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(EdxmlError) as err:
        edxml.parse(utf16)
    assert err.value.code == "unsupported_encoding"
    without_bom = XXE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    with pytest.raises(EdxmlError) as err:
        edxml.parse(without_bom)
    assert err.value.code == "unsupported_encoding"
    latin = sample("status_finish_06.edxml").replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    with pytest.raises(EdxmlError) as err:
        edxml.parse(latin)
    assert err.value.code == "unsupported_encoding"


def test_a_message_over_the_size_limit_is_refused(settings: Any) -> None:
    data = sample("edoc_update.edxml")
    settings.VANBAN_EDXML_MAX_MB = 0.3  # the sample is 369 544 bytes
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code == "too_large"
    assert "0,3 MB" in err.value.message
    settings.VANBAN_EDXML_MAX_MB = 0.4
    assert edxml.parse(data).code == "7816/VPCP-TTĐT"


def _zipped(entry: bytes, name: str = "x.pdf") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, entry)
    return out.getvalue()


def test_zip_bombs_are_refused_without_trusting_declared_sizes(settings: Any) -> None:
    bomb = _zipped(b"\0" * (20 * 1024 * 1024))  # 20 MB of zeros in ~20 KB
    data = edxml.build_document(simple_message(attachments=[Attachment(content_id="1", name="x.pdf", data=bomb)]))
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code == "zip_bomb"
    settings.VANBAN_EDXML_MAX_UNZIPPED_MB = 1
    big = _zipped(bytes(range(256)) * 8192)  # 2 MB, compresses well but not absurdly
    data = edxml.build_document(simple_message(attachments=[Attachment(content_id="1", name="x.pdf", data=big)]))
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code in ("attachment_too_large", "zip_bomb")
    # A lying header (declared size small, stream large) is caught while reading.
    lying = bytearray(bomb)
    header = lying.find(b"PK\x01\x02")  # central directory: uncompressed size at offset 24
    lying[header + 24 : header + 28] = (100).to_bytes(4, "little")
    data = edxml.build_document(simple_message(attachments=[Attachment(content_id="1", name="x.pdf",
                                                                       data=bytes(lying))]))  # fmt: skip
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code in ("attachment_too_large", "zip_bomb", "broken_zip")


def test_a_real_archive_of_several_files_is_kept_as_sent() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../etc/a.pdf", b"%PDF-1.4 a")  # never extracted, so never a path
        archive.writestr("b.pdf", b"%PDF-1.4 b")
    attachment = Attachment(content_id="1", name="ho-so.zip", data=out.getvalue())
    (a,) = edxml.parse(edxml.build_document(simple_message(attachments=[attachment]))).attachments
    assert a.unwrapped is None and a.content == out.getvalue() and a.content_type == "application/zip"


def test_a_broken_zip_payload_is_a_clear_error() -> None:
    broken = _zipped(b"%PDF-1.4 " * 1000)[:-30]
    data = edxml.build_document(simple_message(attachments=[Attachment(content_id="1", name="x.pdf", data=broken)]))
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code == "broken_zip"


def test_deep_nesting_is_refused() -> None:
    deep = f'<edXML xmlns="{NS}">'.encode() + b"<a>" * 5000 + b"</a>" * 5000 + b"</edXML>"
    with pytest.raises(EdxmlError) as err:
        edxml.parse(deep)
    assert err.value.code == "malformed_xml"


def test_an_attachment_over_the_10_mb_text_node_limit_still_parses() -> None:
    """libxml2 refuses text nodes above 10 MB unless told otherwise; the message limit
    is 50 MB, so an 8 MB scan (11 MB of base64) must still be read."""
    scan = b"%PDF-1.4\n" + bytes(range(256)) * (8 * 4096)
    data = edxml.build_document(simple_message(attachments=[Attachment(content_id="1", name="scan.pdf", data=scan)]))
    assert len(data) > 11_000_000
    (a,) = edxml.parse(data).attachments
    assert a.content == scan


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_message"),
        (b"   \n", "empty_message"),
        (b"\x00\x01\x02 binary", "junk_before_xml"),
        (b"<html><body>Not edXML</body></html>", "not_edxml"),
        (b'<edXML xmlns="http://www.e-doc.vn/Schema/"/>', "wrong_namespace"),
        (f'<edXML xmlns="{NS}"><edXMLEnvelope>'.encode(), "malformed_xml"),
        (f'<edXML xmlns="{NS}"/>'.encode(), "missing_element"),
    ],
)
def test_damaged_input_gives_a_specific_error(data: bytes, code: str) -> None:
    with pytest.raises(EdxmlError) as err:
        edxml.parse(data)
    assert err.value.code == code
    assert err.value.message


def test_non_bytes_input_is_an_edxml_error() -> None:
    with pytest.raises(EdxmlError):
        edxml.parse("<edXML/>")  # type: ignore[arg-type]
