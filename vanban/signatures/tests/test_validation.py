"""validate_pdf and `vanban pdf verify`: signed PDFs built here with pyHanko and a test CA
made with `cryptography` (independent of vanban.signatures.pki)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

from vanban.documents.tests.docs_world import encrypted_pdf_bytes, signed_pdf_bytes
from vanban.signatures.validation import SignatureCheckError, validate_pdf

ORGAN = "Bộ Công Thương"
SIGNER = "Hoàng Đức Thắng"
CRL_URL = "http://ca.vanban.invalid/crl"  # never fetched: validation is offline

# --- A test PKI ------------------------------------------------------------------------------


def _name(cn: str, organization: str = ORGAN) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    issuer_key: Any,
    key: Any,
    *,
    ca: bool = False,
    eku: list[Any] | None = None,
    days: int = 365,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and not eku,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if not ca:
        # A signing certificate names where its CRL is published: a validator only
        # consults CRLs (even the ones embedded in a PDF) for certificates that do.
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(CRL_URL)], relative_name=None, reasons=None, crl_issuer=None
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: Any) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


@dataclass
class Pki:
    ca_key: Any
    ca: x509.Certificate
    person_key: Any
    person: x509.Certificate
    seal_key: Any
    seal: x509.Certificate
    tsa_key: Any
    tsa: x509.Certificate

    @property
    def root(self) -> asn1_x509.Certificate:
        return asn1_cert(self.ca)

    def root_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def signer(self, seal: bool = False) -> signers.SimpleSigner:
        cert, key = (self.seal, self.seal_key) if seal else (self.person, self.person_key)
        return signers.SimpleSigner(
            signing_cert=asn1_cert(cert),
            signing_key=_asn1_key(key),
            cert_registry=SimpleCertificateStore.from_certs([self.root]),
        )

    def timestamper(self) -> DummyTimeStamper:
        return DummyTimeStamper(asn1_cert(self.tsa), _asn1_key(self.tsa_key))


_PKI: Pki | None = None


def make_pki() -> Pki:
    """One test CA with a person's, an organ seal's and a TSA certificate (cached: RSA key
    generation is the slow part)."""
    global _PKI
    if _PKI is None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("CA thử nghiệm vanban")
        ca = _certificate(ca_name, ca_name, ca_key, ca_key, ca=True, days=3650)
        person_key = ec.generate_private_key(ec.SECP256R1())
        seal_key = ec.generate_private_key(ec.SECP256R1())
        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's dummy TSA is RSA-only
        _PKI = Pki(
            ca_key=ca_key,
            ca=ca,
            person_key=person_key,
            person=_certificate(_name(SIGNER), ca_name, ca_key, person_key),
            seal_key=seal_key,
            seal=_certificate(_name(ORGAN), ca_name, ca_key, seal_key),
            tsa_key=tsa_key,
            tsa=_certificate(
                _name("TSA thử nghiệm"), ca_name, ca_key, tsa_key, eku=[ExtendedKeyUsageOID.TIME_STAMPING]
            ),
        )
    return _PKI


def other_root() -> asn1_x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("CA không tin cậy", "Tổ chức khác")
    return asn1_cert(_certificate(name, name, key, key, ca=True))


def plain_pdf(text: str = "Quyết định số 123/QĐ-BCT") -> bytes:
    out = io.BytesIO()
    # Uncompressed content, so a test can find and alter the text inside the signed bytes.
    pdf = canvas.Canvas(out, pageCompression=0)
    pdf.drawString(72, 760, text)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def sign(
    data: bytes,
    pki: Pki,
    *,
    field: str = "ChuKy1",
    seal: bool = False,
    timestamp: bool = False,
    subfilter: SigSeedSubFilter = SigSeedSubFilter.PADES,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=subfilter)
    out = signers.sign_pdf(
        writer,
        meta,
        signer=pki.signer(seal=seal),
        timestamper=pki.timestamper() if timestamp else None,
        new_field_spec=SigFieldSpec(field, box=(300, 100, 500, 160)),
    )
    return out.getvalue()


def add_annotation(data: bytes) -> bytes:
    """An incremental update that adds a text note to page 1 (not a form field)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    note = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (10, 10, 40, 40)]),
            generic.NameObject("/Contents"): generic.TextStringObject("Ghi chú thêm sau khi ký"),
        }
    )
    annots = generic.ArrayObject(list(page.get("/Annots") or []))
    annots.append(writer.add_object(note))
    page[generic.NameObject("/Annots")] = annots
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tamper(data: bytes, old: bytes = b"123/Q", new: bytes = b"124/Q") -> bytes:
    at = data.index(old)
    return data[:at] + new + data[at + len(old) :]


def add_crl_to_dss(data: bytes, pki: Pki, *, revoke_person: bool) -> bytes:
    """Append a DSS (PAdES B-LT validation data) with a CRL of the test CA, which revokes
    the person's certificate or nobody's."""
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.ca.subject)
        .last_update(now - dt.timedelta(minutes=1))
        .next_update(now + dt.timedelta(days=7))
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    if revoke_person:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(pki.person.serial_number)
            .revocation_date(now - dt.timedelta(seconds=30))
            .build()
        )
    crl = builder.sign(pki.ca_key, hashes.SHA256())
    from asn1crypto import crl as asn1_crl

    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        out,
        sig_contents=None,
        certs=[pki.root],
        crls=[asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))],
    )
    return out.getvalue()


@pytest.fixture
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def signed(pki: Pki) -> bytes:
    return sign(plain_pdf(), pki)


# --- validate_pdf ----------------------------------------------------------------------------


def test_an_intact_signature_is_ok_and_trusted_with_who_and_when(pki: Pki, signed: bytes) -> None:
    report = validate_pdf(signed, trust_roots=[pki.root])
    assert report.ok and report.trusted and report.signed and not report.changed_after_signing
    (sig,) = report.signatures
    assert sig.field == "ChuKy1" and sig.kind == "signature" and sig.signer_kind == "person"
    assert sig.signer is not None
    assert sig.signer.common_name == SIGNER and sig.signer.organization == ORGAN
    assert sig.signer.issuer_common_name == "CA thử nghiệm vanban"
    assert sig.signer.serial == format(pki.person.serial_number, "X")
    assert sig.intact and sig.valid and sig.trusted and sig.ok and sig.error is None
    assert sig.covers_whole_file and sig.coverage == "entire_file" and sig.modification_level == "NONE"
    assert sig.pades_level == "B-B" and sig.timestamp is None and sig.subfilter == "/ETSI.CAdES.detached"
    assert sig.signing_time is not None and sig.signing_time.endswith("+07:00")
    signed_at = dt.datetime.fromisoformat(sig.signing_time)
    assert abs((signed_at - dt.datetime.now(dt.UTC)).total_seconds()) < 120
    assert sig.summary_vi.startswith(f"Chữ ký hợp lệ của {SIGNER} (ký lúc {signed_at:%d/%m/%Y %H:%M}")
    assert report.summary_vi == "Chữ ký hợp lệ, đã xác thực chuỗi chứng thư."
    assert report.trust_roots == 1 and report.size == len(signed)


def test_a_timestamped_signature_is_pades_b_t(pki: Pki) -> None:
    report = validate_pdf(sign(plain_pdf(), pki, timestamp=True), trust_roots=[pki.root])
    (sig,) = report.signatures
    assert sig.ok and sig.trusted and sig.pades_level == "B-T"
    assert sig.timestamp is not None and sig.timestamp.trusted and sig.timestamp.authority == "TSA thử nghiệm"
    assert sig.timestamp.time is not None and sig.timestamp.time.endswith("+07:00")


def test_bytes_changed_inside_the_signed_range_break_the_signature(pki: Pki, signed: bytes) -> None:
    report = validate_pdf(tamper(signed), trust_roots=[pki.root])
    assert not report.ok and not report.trusted
    (sig,) = report.signatures
    assert not sig.intact and not sig.ok and sig.error == "signature_not_intact"
    assert sig.modification_level is None  # nothing was appended: the signed bytes themselves changed
    assert "không còn nguyên vẹn" in sig.summary_vi and SIGNER in sig.summary_vi
    assert sig.trust_reason == "chữ ký không còn nguyên vẹn nên không xác thực"


def test_an_annotation_added_after_signing_is_reported_as_a_change(pki: Pki, signed: bytes) -> None:
    report = validate_pdf(add_annotation(signed), trust_roots=[pki.root])
    (sig,) = report.signatures
    assert sig.intact and sig.valid  # the signed revision itself is untouched
    assert not sig.covers_whole_file and sig.coverage == "entire_revision"
    assert sig.modification_level == "OTHER" and not sig.modifications_allowed
    assert not sig.ok and sig.error == "modified_after_signing"
    assert not report.ok and report.changed_after_signing
    assert report.summary_vi == "Tệp đã bị sửa sau khi ký."
    assert any(p.startswith("Tệp đã bị sửa sau khi ký") for p in sig.problems_vi)


def test_a_second_signature_is_an_allowed_change_for_the_first(pki: Pki, signed: bytes) -> None:
    """The person signs, then the organ seal (CN = the organ's name) is added: form filling."""
    report = validate_pdf(sign(signed, pki, field="ChuKyCoQuan", seal=True), trust_roots=[pki.root])
    first, second = report.signatures
    assert (first.field, first.signer_kind) == ("ChuKy1", "person")
    assert (second.field, second.signer_kind) == ("ChuKyCoQuan", "seal")
    assert first.modification_level == "FORM_FILLING" and first.modifications_allowed and not first.covers_whole_file
    assert second.modification_level == "NONE" and second.covers_whole_file
    assert report.ok and report.trusted and report.summary_vi.startswith("2 chữ ký hợp lệ")
    assert second.summary_vi.startswith(f"Chữ ký hợp lệ của {ORGAN}")


def test_an_unknown_root_is_reported_but_the_signature_stays_ok(pki: Pki, signed: bytes) -> None:
    report = validate_pdf(signed, trust_roots=[other_root()])
    assert report.ok and not report.trusted
    (sig,) = report.signatures
    assert sig.intact and sig.valid and sig.ok and not sig.trusted
    assert sig.trust_problem == "NO_CERTIFICATE_CHAIN_FOUND"
    assert sig.trust_reason is not None and "không tìm thấy chuỗi chứng thư" in sig.trust_reason
    assert "Chưa xác thực được chuỗi chứng thư" in sig.summary_vi
    assert any("Chưa xác thực được chuỗi chứng thư" in p for p in sig.problems_vi)


def test_no_trust_roots_trusts_nothing(signed: bytes) -> None:
    """An empty list is not "the operating system's list": nothing is trusted."""
    report = validate_pdf(signed, trust_roots=[])
    assert report.ok and not report.trusted and report.trust_roots == 0


def test_validation_at_a_later_moment_sees_the_certificate_expired(pki: Pki, signed: bytes) -> None:
    report = validate_pdf(signed, trust_roots=[pki.root], at=dt.datetime.now(dt.UTC) + dt.timedelta(days=800))
    (sig,) = report.signatures
    assert sig.ok and not sig.trusted and sig.trust_problem is not None
    assert "hết hạn" in (sig.trust_reason or "")
    assert report.validation_time.startswith(str((dt.datetime.now() + dt.timedelta(days=800)).year))


def test_a_revocation_in_the_documents_dss_is_reported(pki: Pki, signed: bytes) -> None:
    report = validate_pdf(add_crl_to_dss(signed, pki, revoke_person=True), trust_roots=[pki.root])
    (sig,) = report.signatures
    assert sig.revocation_data_embedded and sig.revoked and not sig.trusted
    assert sig.revocation is not None and sig.revocation["date"].endswith("+07:00")
    assert "đã bị thu hồi" in (sig.trust_reason or "")
    # Adding validation data after signing is an allowed (LTA) update: integrity stands.
    assert sig.ok and sig.modification_level == "LTA_UPDATES" and report.ok and not report.trusted


def test_long_term_validation_data_and_a_document_timestamp_make_b_lta(pki: Pki) -> None:
    signed = sign(plain_pdf(), pki, timestamp=True)
    with_dss = add_crl_to_dss(signed, pki, revoke_person=False)
    assert validate_pdf(with_dss, trust_roots=[pki.root]).signatures[0].pades_level == "B-LT"
    out = io.BytesIO()
    PdfTimeStamper(pki.timestamper()).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(with_dss)), "sha256", output=out
    )
    report = validate_pdf(out.getvalue(), trust_roots=[pki.root])
    sig, doc_ts = report.signatures
    assert sig.pades_level == "B-LTA" and sig.revocation_data_embedded and not sig.revoked
    assert sig.ok and sig.trusted and sig.modification_level == "LTA_UPDATES"
    assert doc_ts.kind == "document_timestamp" and doc_ts.signer_kind == "timestamp_authority"
    assert doc_ts.ok and doc_ts.trusted and doc_ts.covers_whole_file and doc_ts.pades_level is None
    assert doc_ts.signing_time is not None and doc_ts.signing_time.endswith("+07:00")
    assert doc_ts.summary_vi.startswith("Dấu thời gian tài liệu hợp lệ của TSA thử nghiệm")
    assert report.ok and report.trusted


def test_an_adobe_pkcs7_signature_is_validated_but_not_pades(pki: Pki) -> None:
    report = validate_pdf(
        sign(plain_pdf(), pki, subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED), trust_roots=[pki.root]
    )
    (sig,) = report.signatures
    assert sig.ok and sig.trusted and sig.subfilter == "/adbe.pkcs7.detached" and sig.pades_level is None


def test_an_unsigned_pdf_has_no_signatures() -> None:
    report = validate_pdf(plain_pdf(), trust_roots=[])
    assert report.signatures == [] and not report.signed
    assert report.ok and not report.trusted and not report.changed_after_signing
    assert report.summary_vi == "Tệp không có chữ ký số."
    assert report.as_dict()["signed"] is False


def test_a_signature_shaped_field_without_a_real_signature_is_broken_not_a_crash(pki: Pki) -> None:
    report = validate_pdf(signed_pdf_bytes(), trust_roots=[pki.root])
    (sig,) = report.signatures
    assert sig.field == "Chữ ký 1" and sig.error == "signature_unreadable"
    assert not sig.ok and not sig.intact and not sig.valid and not sig.trusted
    assert sig.summary_vi == "Chữ ký của trường «Chữ ký 1» bị hỏng: không đọc được dữ liệu chữ ký."
    assert not report.ok


def test_a_signature_of_an_unsupported_kind_is_reported_not_raised(pki: Pki, signed: bytes) -> None:
    legacy = tamper(signed, b"/ETSI.CAdES.detached", b"/adbe.x509.rsa_sha1 ")
    report = validate_pdf(legacy, trust_roots=[pki.root])
    (sig,) = report.signatures
    assert sig.error == "signature_unsupported" and not sig.ok and sig.signer is not None
    assert sig.summary_vi.startswith(f"Chữ ký của {SIGNER} không kiểm tra được")
    assert not report.ok


def test_an_empty_signature_field_is_not_a_signature() -> None:
    assert validate_pdf(signed_pdf_bytes(signed=False), trust_roots=[]).signatures == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7\nnot really a pdf", "broken_pdf"),
        (b"PK\x03\x04 a zip file", "not_pdf"),
        (b"", "not_pdf"),
    ],
)
def test_unreadable_files_raise_a_clear_error(data: bytes, code: str) -> None:
    with pytest.raises(SignatureCheckError) as caught:
        validate_pdf(data, trust_roots=[])
    assert caught.value.code == code and caught.value.message


def test_a_truncated_signed_pdf_is_broken(signed: bytes) -> None:
    with pytest.raises(SignatureCheckError) as caught:
        validate_pdf(signed[: len(signed) // 2], trust_roots=[])
    assert caught.value.code == "broken_pdf"
    assert caught.value.message == "Tệp PDF bị hỏng, không đọc được để kiểm tra chữ ký."


def test_an_encrypted_pdf_is_refused() -> None:
    with pytest.raises(SignatureCheckError) as caught:
        validate_pdf(encrypted_pdf_bytes(), trust_roots=[])
    assert caught.value.code == "encrypted_pdf" and "mã hóa" in caught.value.message


def test_a_file_above_the_upload_limit_is_not_read(settings: Any, signed: bytes, tmp_path: Path) -> None:
    settings.VANBAN_MAX_UPLOAD_MB = 0
    path = tmp_path / "lon.pdf"
    path.write_bytes(signed)
    with pytest.raises(SignatureCheckError) as caught:
        validate_pdf(path, trust_roots=[])
    assert caught.value.code == "pdf_too_large"


def test_a_validation_over_its_time_limit_stops(signed: bytes) -> None:
    with pytest.raises(SignatureCheckError) as caught:
        validate_pdf(signed, trust_roots=[], time_limit=1e-6)
    assert caught.value.code == "validation_timeout"
    # The alarm is gone afterwards: a normal check still works.
    assert validate_pdf(signed, trust_roots=[]).ok


def test_validation_works_inside_a_running_event_loop(pki: Pki, signed: bytes) -> None:
    async def in_loop() -> Any:
        return validate_pdf(signed, trust_roots=[pki.root])

    assert asyncio.run(in_loop()).trusted


def test_a_path_and_bytes_give_the_same_report(pki: Pki, signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "ky.pdf"
    path.write_bytes(signed)
    from_path = validate_pdf(path, trust_roots=[pki.root_pem()])
    assert from_path.sha256 == validate_pdf(signed, trust_roots=[pki.ca]).sha256
    assert from_path.ok and from_path.trusted


@pytest.mark.django_db
def test_the_configured_trust_roots_directory_is_used_by_default(
    settings: Any, pki: Pki, signed: bytes, tmp_path: Path
) -> None:
    roots = tmp_path / "trust-roots"
    roots.mkdir()
    (roots / "README.txt").write_text("not a certificate")
    (roots / "hong.pem").write_text("-----BEGIN CERTIFICATE-----\nhỏng\n-----END CERTIFICATE-----\n")
    settings.VANBAN_TRUST_ROOTS = str(roots)
    assert not validate_pdf(signed).trusted
    (roots / "ca.pem").write_bytes(pki.root_pem())
    report = validate_pdf(signed)
    assert report.trusted and report.trust_roots == 1


# --- vanban pdf verify ---------------------------------------------------------------------


def _run(capsys: Any, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        call_command("pdf", "verify", *args)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


@pytest.fixture
def roots_dir(pki: Pki, tmp_path: Path) -> Path:
    folder = tmp_path / "roots"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(pki.root_pem())
    return folder


def test_cli_exit_0_and_the_report_for_an_intact_signature(
    capsys: Any, signed: bytes, tmp_path: Path, roots_dir: Path
) -> None:
    path = tmp_path / "ky.pdf"
    path.write_bytes(signed)
    code, out, _ = _run(capsys, str(path), "--trust-roots", str(roots_dir))
    assert code == 0
    assert f"Người ký: {SIGNER} ({ORGAN}) — cá nhân" in out
    assert "Tổ chức cấp: CA thử nghiệm vanban" in out
    assert "Nguyên vẹn: có; hợp lệ về mật mã: có" in out
    assert "Kết luận: Chữ ký hợp lệ, đã xác thực chuỗi chứng thư." in out


def test_cli_exit_1_when_the_signed_bytes_were_changed(
    capsys: Any, signed: bytes, tmp_path: Path, roots_dir: Path
) -> None:
    path = tmp_path / "sua.pdf"
    path.write_bytes(tamper(signed))
    code, out, _ = _run(capsys, str(path), "--trust-roots", str(roots_dir))
    assert code == 1 and "Toàn vẹn: KHÔNG ĐẠT" in out and "không còn nguyên vẹn" in out


def test_cli_exit_1_when_the_file_was_changed_after_signing(
    capsys: Any, signed: bytes, tmp_path: Path, roots_dir: Path
) -> None:
    path = tmp_path / "them.pdf"
    path.write_bytes(add_annotation(signed))
    code, out, _ = _run(capsys, str(path), "--trust-roots", str(roots_dir))
    assert code == 1 and "Thay đổi sau khi ký: OTHER" in out and "Tệp đã bị sửa sau khi ký" in out


def test_cli_trust_problems_are_printed_but_exit_0(capsys: Any, signed: bytes, tmp_path: Path) -> None:
    empty = tmp_path / "empty-roots"
    empty.mkdir()
    path = tmp_path / "ky.pdf"
    path.write_bytes(signed)
    code, out, _ = _run(capsys, str(path), "--trust-roots", str(empty))
    assert code == 0
    assert "Tin cậy: không — không tìm thấy chuỗi chứng thư" in out
    assert "Tin cậy: chưa xác thực được (không ảnh hưởng mã thoát)" in out


def test_cli_json_is_one_object(capsys: Any, signed: bytes, tmp_path: Path, roots_dir: Path) -> None:
    path = tmp_path / "ky.pdf"
    path.write_bytes(sign(signed, make_pki(), field="ChuKyCoQuan", seal=True))
    code, out, _ = _run(capsys, str(path), "--json", "--trust-roots", str(roots_dir))
    body = json.loads(out)
    assert code == 0 and body["ok"] is True and body["trusted"] is True and body["file"] == str(path)
    assert [s["signer_kind"] for s in body["signatures"]] == ["person", "seal"]
    assert body["signatures"][0]["signer"]["common_name"] == SIGNER
    assert body["signatures"][0]["signing_time"].endswith("+07:00")


def test_cli_unsigned_pdf_exit_0(capsys: Any, tmp_path: Path, roots_dir: Path) -> None:
    path = tmp_path / "thuong.pdf"
    path.write_bytes(plain_pdf())
    code, out, _ = _run(capsys, str(path), "--trust-roots", str(roots_dir))
    assert code == 0 and "Số chữ ký: 0" in out and "Tệp không có chữ ký số." in out


def test_cli_exit_2_for_a_file_that_cannot_be_checked(capsys: Any, tmp_path: Path, roots_dir: Path) -> None:
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.4\ngarbage")
    code, out, err = _run(capsys, str(path), "--trust-roots", str(roots_dir))
    assert code == 2 and err.startswith("broken_pdf: Tệp PDF bị hỏng")
    code, out, _ = _run(capsys, str(path), "--json", "--trust-roots", str(roots_dir))
    assert code == 2 and json.loads(out)["error"]["code"] == "broken_pdf"
    code, out, err = _run(capsys, str(tmp_path / "khong-co.pdf"), "--trust-roots", str(roots_dir))
    assert code == 2 and "Không tìm thấy tệp" in err


@pytest.mark.django_db
def test_cli_uses_the_configured_trust_roots(
    capsys: Any, settings: Any, signed: bytes, tmp_path: Path, roots_dir: Path
) -> None:
    settings.VANBAN_TRUST_ROOTS = str(roots_dir)
    path = tmp_path / "ky.pdf"
    path.write_bytes(signed)
    code, out, _ = _run(capsys, str(path), "--json")
    assert code == 0 and json.loads(out)["trusted"] is True
