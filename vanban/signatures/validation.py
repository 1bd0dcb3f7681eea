"""Validation of signed PDFs (PAdES and Adobe PKCS#7) with pyHanko: what `vanban pdf verify`,
the incoming document page and the API report.

Per signature: is it intact (the signed bytes unchanged), cryptographically valid, and does
its certificate chain to a configured trust root; who signed (person or organ seal), when,
with what timestamp and revocation data; and what was added to the file after it was signed
(pyHanko's difference analysis). Nothing is fetched from the network: the chain and the
revocation status are judged on the trust roots plus what the PDF itself carries (the
certificates in each signature, the DSS, Adobe-style revocation attributes).

`ok` is about integrity only (every signature intact and valid, nothing disallowed added
after it); `trusted` is reported beside it, never folded into it: an intact signature by a
certificate we cannot chain is still evidence that the file is unchanged, and the reader is
told why the chain failed."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import io
import logging
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.utils import timezone

from vanban.core.errors import VanbanError

logger = logging.getLogger(__name__)

# A real document has one to three signatures and a handful of revisions; a crafted file
# stops here instead of keeping a worker busy.
MAX_SIGNATURES = 50
MAX_REVISIONS = 500
DEFAULT_TIME_LIMIT_SECONDS = 30.0

SIGNATURE_KINDS = ("signature", "document_timestamp")
SIGNER_KINDS = ("person", "seal", "timestamp_authority")
PADES_SUBFILTER = "/ETSI.CAdES.detached"
RFC3161_SUBFILTER = "/ETSI.RFC3161"

MODIFICATION_LABELS = {
    "NONE": "không có thay đổi nào sau khi ký",
    "LTA_UPDATES": "chỉ thêm dữ liệu kiểm tra dài hạn (DSS, dấu thời gian tài liệu)",
    "FORM_FILLING": "chỉ điền biểu mẫu hoặc thêm chữ ký",
    "ANNOTATIONS": "thêm hoặc sửa chú thích",
    "OTHER": "nội dung bị sửa đổi ngoài các thay đổi được phép",
}

COVERAGE_NAMES = {
    "ENTIRE_FILE": "entire_file",
    "ENTIRE_REVISION": "entire_revision",
    "CONTIGUOUS_BLOCK_FROM_START": "contiguous_block",
    "UNCLEAR": "unclear",
}

# AdES sub-indications (ETSI EN 319 102-1) in words a clerk understands.
TRUST_REASONS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "không tìm thấy chuỗi chứng thư đến một tổ chức cung cấp dịch vụ tin cậy đã cấu hình",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "chuỗi chứng thư không hợp lệ",
    "CHAIN_CONSTRAINTS_FAILURE": "chứng thư không đáp ứng ràng buộc của chuỗi (mục đích sử dụng khóa, giới hạn)",
    "SIG_CONSTRAINTS_FAILURE": "chữ ký không đáp ứng ràng buộc kiểm tra",
    "CRYPTO_CONSTRAINTS_FAILURE": "thuật toán mật mã không còn được chấp nhận",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "thuật toán mật mã không còn được chấp nhận",
    "EXPIRED": "chứng thư đã hết hạn",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư đã hết hạn hoặc chưa có hiệu lực vào thời điểm kiểm tra",
    "OUT_OF_BOUNDS_NOT_REVOKED": "chứng thư đã hết hạn hoặc chưa có hiệu lực vào thời điểm kiểm tra",
    "NOT_YET_VALID": "chứng thư chưa có hiệu lực",
    "REVOKED": "chứng thư đã bị thu hồi",
    "REVOKED_NO_POE": "chứng thư đã bị thu hồi",
    "REVOKED_CA_NO_POE": "chứng thư của tổ chức cấp đã bị thu hồi",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "thông tin thu hồi không còn hiệu lực",
    "TRY_LATER": "chưa có thông tin thu hồi, cần kiểm tra lại sau",
    "NO_SIGNING_CERTIFICATE_FOUND": "không tìm thấy chứng thư của người ký",
    "NO_POE": "không có bằng chứng về thời điểm ký",
    "TIMESTAMP_ORDER_FAILURE": "dấu thời gian không theo đúng thứ tự",
    "POLICY_PROCESSING_ERROR": "lỗi khi xử lý chính sách chữ ký",
    "SIGNATURE_POLICY_NOT_AVAILABLE": "không có chính sách chữ ký",
    "GENERIC": "không xác thực được chứng thư",
}

# Markers of an organ's certificate (the seal, chữ ký số của cơ quan): Vietnamese public
# CAs write the organ's tax or budget-relationship code in the subject's UID where a
# person's certificate carries an identity number; vanban.signatures.pki names the seal
# certificate after the organ (CN == O) and a person's after the person.
ORGAN_UID_PREFIXES = ("MST:", "MNS:", "MQHNS:", "MDV:")
SEAL_OU_MARKERS = ("con dấu", "chữ ký số cơ quan", "seal")


UNCHECKABLE = {
    "signature_unreadable": "Chữ ký bị hỏng: không đọc được dữ liệu chữ ký trong tệp.",
    "signature_unsupported": "Không kiểm tra được chữ ký: dạng chữ ký không được hỗ trợ hoặc dữ liệu chữ ký bị hỏng.",
}


class SignatureCheckError(VanbanError):
    """The file cannot be checked at all (not a PDF, damaged, encrypted, too large)."""


# --- Report ------------------------------------------------------------------------------


@dataclass
class Certificate:
    common_name: str
    organization: str
    organizational_unit: str
    email: str
    subject: str
    issuer: str
    issuer_common_name: str
    serial: str
    not_before: str
    not_after: str
    sha256: str


@dataclass
class Timestamp:
    time: str | None
    intact: bool
    valid: bool
    trusted: bool
    authority: str
    trust_problem: str | None = None


@dataclass
class SignatureResult:
    field: str
    kind: str  # "signature" or "document_timestamp"
    signer_kind: str  # "person", "seal" or "timestamp_authority"
    signer: Certificate | None
    subfilter: str
    signing_time: str | None  # claimed by the signer (/M or the signingTime attribute)
    timestamp: Timestamp | None  # the signature timestamp token (PAdES B-T), if any
    intact: bool
    valid: bool
    trusted: bool
    trust_problem: str | None
    trust_reason: str | None
    revoked: bool
    revocation: dict[str, Any] | None
    revocation_data_embedded: bool
    coverage: str | None
    covers_whole_file: bool
    modification_level: str | None
    modifications_allowed: bool
    certification: str | None  # DocMDP level of a certifying signature
    pades_level: str | None
    digest_algorithm: str
    signature_mechanism: str
    ok: bool
    error: str | None = None
    problems_vi: list[str] = dataclass_field(default_factory=list)
    summary_vi: str = ""


@dataclass
class PdfReport:
    sha256: str
    size: int
    checked_at: str
    validation_time: str
    trust_roots: int
    signatures: list[SignatureResult]
    ok: bool
    trusted: bool
    changed_after_signing: bool
    summary_vi: str

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["signed"] = self.signed
        return data


# --- Public API ----------------------------------------------------------------------------


def validate_pdf(
    data: bytes | Path,
    *,
    trust_roots: Iterable[Any] | None = None,
    at: dt.datetime | None = None,
    time_limit: float | None = None,
) -> PdfReport:
    """Validate every signature and document timestamp of a PDF.

    `trust_roots`: certificates (asn1crypto, cryptography, PEM or DER bytes); by default the
    configured ones (`load_trust_roots()`). `at`: the moment to validate the chains at (default
    now). An unsigned PDF gives a report with no signatures; a file that is not a readable,
    unencrypted PDF within the size limit raises SignatureCheckError (not_pdf, broken_pdf,
    encrypted_pdf, pdf_too_large, validation_timeout)."""
    if _event_loop_running():
        # pyHanko runs its own event loop (asyncio.run), which a thread already running
        # one (an async view, a Playwright test) cannot host: validate beside it.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(validate_pdf, data, trust_roots=trust_roots, at=at, time_limit=time_limit).result()
    raw = _read(data)
    roots = _as_asn1_certs(load_trust_roots() if trust_roots is None else trust_roots)
    moment = _aware(at) if at is not None else timezone.now()
    limit = DEFAULT_TIME_LIMIT_SECONDS if time_limit is None else time_limit
    with _quiet_pyhanko(), _time_limit(limit):
        deadline = time.monotonic() + limit
        reader = _open(raw)
        signatures = _validate_all(reader, roots, moment if at is not None else None, deadline)
    ok = all(s.ok for s in signatures)
    trusted = bool(signatures) and all(s.trusted for s in signatures)
    changed = any(not s.modifications_allowed for s in signatures)
    return PdfReport(
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        checked_at=iso(timezone.now()) or "",
        validation_time=iso(moment) or "",
        trust_roots=len(roots),
        signatures=signatures,
        ok=ok,
        trusted=trusted,
        changed_after_signing=changed,
        summary_vi=_report_summary(signatures, ok, trusted, changed),
    )


def load_trust_roots() -> list[Any]:
    """The configured trust roots: the internal CA plus the VANBAN_TRUST_ROOTS directory."""
    from vanban.signatures.pki import trust_roots

    return list(trust_roots())


def read_trust_root_dir(directory: Path | None) -> list[asn1_x509.Certificate]:
    """Every certificate (PEM, possibly several per file, or DER) in a directory, for
    `vanban pdf verify --trust-roots`; a file that is not a certificate is skipped."""
    from pyhanko.keys import load_certs_from_pemder_data

    if directory is None or not directory.is_dir():
        return []
    certs: list[asn1_x509.Certificate] = []
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".pem", ".crt", ".cer", ".der"):
            continue
        try:
            certs.extend(load_certs_from_pemder_data(path.read_bytes()))
        except Exception:  # any parse error: skip the file, keep the others
            logger.warning("trust root %s is not a certificate; skipped", path)
    return certs


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in Vietnam time, seconds precision: 2025-03-05T14:30:12+07:00."""
    if value is None:
        return None
    return timezone.localtime(_aware(value)).replace(microsecond=0).isoformat()


def display_time(value: str | None) -> str:
    """dd/mm/yyyy hh:mm:ss of an ISO time from the report (already in Vietnam time)."""
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M:%S")


# --- Reading -------------------------------------------------------------------------------


def _max_bytes() -> int:
    from vanban.documents.files import max_upload_bytes

    return max_upload_bytes()


def _read(data: bytes | Path) -> bytes:
    limit = _max_bytes()
    if isinstance(data, Path):
        if data.stat().st_size > limit:
            raise _too_large(limit)
        raw = data.read_bytes()
    else:
        raw = bytes(data)
    if len(raw) > limit:
        raise _too_large(limit)
    return raw


def _too_large(limit: int) -> SignatureCheckError:
    return SignatureCheckError(
        "pdf_too_large", f"Tệp lớn hơn {limit // (1024 * 1024)} MB, không kiểm tra chữ ký được.", "file"
    )


def _open(raw: bytes) -> Any:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in raw[:1024]:
        raise SignatureCheckError("not_pdf", "Tệp không phải là PDF.", "file")
    try:
        reader = PdfFileReader(io.BytesIO(raw), strict=False)
        encrypted = reader.encrypted
        revisions = reader.xrefs.total_revisions
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        raise _broken() from None
    if encrypted:
        raise SignatureCheckError(
            "encrypted_pdf", "Tệp PDF được mã hóa bằng mật khẩu, không kiểm tra chữ ký được.", "file"
        )
    if revisions > MAX_REVISIONS:
        raise SignatureCheckError(
            "pdf_too_complex", f"Tệp PDF có hơn {MAX_REVISIONS} lần cập nhật, không kiểm tra chữ ký được.", "file"
        )
    return reader


def _broken() -> SignatureCheckError:
    return SignatureCheckError("broken_pdf", "Tệp PDF bị hỏng, không đọc được để kiểm tra chữ ký.", "file")


# --- Validation ----------------------------------------------------------------------------


@dataclass
class _Field:
    name: str
    sig_object: Any
    embedded: Any | None  # EmbeddedPdfSignature, None when its CMS cannot be parsed
    revision: int


def _fields(reader: Any) -> list[_Field]:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    found: list[_Field] = []
    try:
        for name, sig_ref, field_ref in enumerate_sig_fields(reader, filled_status=True):
            if len(found) >= MAX_SIGNATURES:
                raise SignatureCheckError(
                    "pdf_too_complex", f"Tệp PDF có hơn {MAX_SIGNATURES} chữ ký, không kiểm tra được.", "file"
                )
            sig_object = sig_ref.get_object()
            try:
                embedded = EmbeddedPdfSignature(reader, field_ref, name)
                found.append(_Field(name, sig_object, embedded, embedded.signed_revision))
            except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError):
                # The field claims a signature whose value is not a CMS object pyHanko can
                # read (damaged, or only shaped like one): reported, never a crash.
                found.append(_Field(name, sig_object, None, 10**9))
    except SignatureCheckError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        raise _broken() from None
    # Signing order, as the revisions record it.
    return sorted(found, key=lambda f: f.revision)


def _validate_all(
    reader: Any, roots: list[asn1_x509.Certificate], moment: dt.datetime | None, deadline: float
) -> list[SignatureResult]:
    fields = _fields(reader)
    if not fields:
        return []
    dss = _read_dss(reader)
    doc_timestamp_revisions = [
        f.revision for f in fields if f.embedded is not None and f.embedded.sig_object_type == "/DocTimeStamp"
    ]
    reports = []
    for item in fields:
        if time.monotonic() > deadline:
            raise _timeout()
        reports.append(_validate_one(item, roots, moment, dss, doc_timestamp_revisions))
    return reports


@dataclass
class _Dss:
    certs: list[Any]
    crls: list[Any]
    ocsps: list[Any]
    revision: int | None


def _read_dss(reader: Any) -> _Dss:
    """Certificates and revocation data of the Document Security Store (PAdES B-LT)."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    try:
        dss_ref = reader.root.raw_get("/DSS")
    except KeyError:
        return _Dss([], [], [], None)
    try:
        dss_dict = dss_ref.get_object()

        def load(key: str, purpose: Any, loader: Any) -> list[Any]:
            return [loader(ref.get_object().read_data(purpose)) for ref in dss_dict.get(key) or []]

        certs = load("/Certs", DecodePurpose.CERTIFICATE, asn1_x509.Certificate.load)
        ocsps = load("/OCSPs", DecodePurpose.OCSP_RESPONSE, asn1_ocsp.OCSPResponse.load)
        crls = load("/CRLs", DecodePurpose.CRL, asn1_crl.CertificateList.load)
        revision = reader.xrefs.get_last_change(dss_ref.reference) if hasattr(dss_ref, "reference") else None
    except Exception:  # an unreadable DSS: validate without it
        logger.info("unreadable DSS ignored", exc_info=True)
        return _Dss([], [], [], None)
    return _Dss(certs, crls, ocsps, revision)


def _validate_one(
    item: _Field,
    roots: list[asn1_x509.Certificate],
    moment: dt.datetime | None,
    dss: _Dss,
    doc_timestamp_revisions: list[int],
) -> SignatureResult:
    subfilter = str(item.sig_object.get("/SubFilter", "") or "")
    if item.embedded is None:
        return _unreadable(item, subfilter)
    emb = item.embedded
    is_doc_ts = emb.sig_object_type == "/DocTimeStamp"
    try:
        status, embedded_revinfo = _run_pyhanko(emb, roots, moment, dss, is_doc_ts)
    except SignatureCheckError:
        raise
    except Exception as exc:  # pyHanko refuses the signature: report it as broken
        logger.info("signature %s could not be validated: %s", item.name, exc)
        return _unreadable(item, subfilter, signer=_cert_info(_safe_signer_cert(emb)), error="signature_unsupported")
    return _from_status(item, status, subfilter, is_doc_ts, dss, embedded_revinfo, doc_timestamp_revisions)


def _run_pyhanko(
    emb: Any, roots: list[asn1_x509.Certificate], moment: dt.datetime | None, dss: _Dss, is_doc_ts: bool
) -> tuple[Any, bool]:
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    crls, ocsps = list(dss.crls), list(dss.ocsps)
    adobe_crls, adobe_ocsps = _adobe_revinfo(emb)
    crls += adobe_crls
    ocsps += adobe_ocsps
    crls += _internal_crls()
    context = ValidationContext(
        trust_roots=roots,
        other_certs=dss.certs,
        crls=crls,
        ocsps=ocsps,
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    embedded_revinfo = bool(crls or ocsps)
    if is_doc_ts:
        return validate_pdf_timestamp(emb, validation_context=context), embedded_revinfo
    # A person signs with non-repudiation; an organ seal certificate often carries only
    # digitalSignature. Either is a signing certificate (pyHanko alone asks for the first).
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
    return validate_pdf_signature(emb, context, key_usage_settings=usage), embedded_revinfo


def _adobe_revinfo(emb: Any) -> tuple[list[Any], list[Any]]:
    """CRLs and OCSP responses inside the signature (adbe-revocationInfoArchival)."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        value = find_unique_cms_attribute(emb.signer_info["signed_attrs"], "adobe_revocation_info_archival")
    except Exception:  # absent or malformed: nothing to add
        return [], []
    from asn1crypto.core import Void

    crls, ocsps = value["crl"], value["ocsp"]
    return ([] if isinstance(crls, Void) else list(crls)), ([] if isinstance(ocsps, Void) else list(ocsps))


def _safe_signer_cert(emb: Any) -> Any:
    try:
        return emb.signer_cert
    except Exception:
        return None


def _unreadable(
    item: _Field, subfilter: str, signer: Certificate | None = None, error: str = "signature_unreadable"
) -> SignatureResult:
    """A signature that could not be validated at all: never ok, reported rather than raised."""
    kind = "document_timestamp" if str(item.sig_object.get("/Type", "")) == "/DocTimeStamp" else "signature"
    claimed = _claimed_time(item.sig_object)
    problem = UNCHECKABLE[error]
    report = SignatureResult(
        field=item.name,
        kind=kind,
        signer_kind=_signer_kind(signer) if signer else "person",
        signer=signer,
        subfilter=subfilter,
        signing_time=claimed,
        timestamp=None,
        intact=False,
        valid=False,
        trusted=False,
        trust_problem=None,
        trust_reason=None,
        revoked=False,
        revocation=None,
        revocation_data_embedded=False,
        coverage=None,
        covers_whole_file=False,
        modification_level=None,
        modifications_allowed=True,
        certification=None,
        pades_level=None,
        digest_algorithm="",
        signature_mechanism="",
        ok=False,
        error=error,
        problems_vi=[problem],
    )
    report.summary_vi = _signature_summary(report)
    return report


def _from_status(
    item: _Field,
    status: Any,
    subfilter: str,
    is_doc_ts: bool,
    dss: _Dss,
    embedded_revinfo: bool,
    doc_timestamp_revisions: list[int],
) -> SignatureResult:
    signer = _cert_info(status.signing_cert)
    coverage = COVERAGE_NAMES.get(status.coverage.name) if status.coverage is not None else None
    intact, valid = bool(status.intact), bool(status.valid)
    # What was added after signing only means something for a signature that is intact:
    # bytes changed inside the signed range leave no new revision to analyse.
    level = status.modification_level.name if status.modification_level is not None and intact else None
    # pyHanko's docmdp_ok: False when the changes after signing are not on its whitelist
    # (level OTHER) or exceed the certifying signature's DocMDP; None when unknown.
    allowed = status.docmdp_ok is not False
    timestamp = None if is_doc_ts else _timestamp_info(status.timestamp_validity)
    trust_problem = status.trust_problem_indic.name if status.trust_problem_indic is not None else None
    trusted = bool(status.trusted)
    if not (intact and valid):
        # pyHanko judges no chain for a broken signature; say so rather than blame the CA.
        trust_problem = "SIGNATURE_BROKEN"
    elif timestamp is not None and not timestamp.trusted and trusted:
        trusted = False
        trust_problem = "TIMESTAMP_UNTRUSTED"
    timestamp_sound = timestamp is None or (timestamp.intact and timestamp.valid)
    if is_doc_ts:
        signing_time = iso(status.timestamp)
    else:
        signing_time = iso(status.signer_reported_dt) or _claimed_time(item.sig_object)
    revocation = None
    if status.revocation_details is not None:
        details = status.revocation_details
        revocation = {
            "date": iso(details.revocation_date),
            "reason": str(details.revocation_reason.native) if details.revocation_reason is not None else None,
            "ca_revoked": bool(details.ca_revoked),
        }
    docmdp = item.embedded.docmdp_level if item.embedded is not None and not is_doc_ts else None
    report = SignatureResult(
        field=item.name,
        kind="document_timestamp" if is_doc_ts else "signature",
        signer_kind="timestamp_authority" if is_doc_ts else (_signer_kind(signer) if signer else "person"),
        signer=signer,
        subfilter=subfilter,
        signing_time=signing_time,
        timestamp=timestamp,
        intact=intact,
        valid=valid,
        trusted=trusted,
        trust_problem=None if trusted else (trust_problem or "GENERIC"),
        trust_reason=None if trusted else _trust_reason(trust_problem, status),
        revoked=bool(status.revoked),
        revocation=revocation,
        revocation_data_embedded=embedded_revinfo,
        coverage=coverage,
        covers_whole_file=coverage == "entire_file",
        modification_level=level,
        modifications_allowed=allowed,
        certification=docmdp.name if docmdp is not None and _is_certification(item.sig_object) else None,
        pades_level=None
        if is_doc_ts
        else _pades_level(subfilter, timestamp, dss, item.revision, doc_timestamp_revisions),
        digest_algorithm=str(status.md_algorithm),
        signature_mechanism=str(status.pkcs7_signature_mechanism),
        ok=intact and valid and allowed and timestamp_sound,
    )
    if not intact:
        report.error = "signature_not_intact"
    elif not valid:
        report.error = "signature_invalid"
    elif not timestamp_sound:
        report.error = "timestamp_invalid"
    elif not allowed:
        report.error = "modified_after_signing"
    report.problems_vi = _problems(report)
    report.summary_vi = _signature_summary(report)
    return report


def _is_certification(sig_object: Any) -> bool:
    refs = sig_object.get("/Reference") or []
    try:
        return any(str(ref.get_object().get("/TransformMethod")) == "/DocMDP" for ref in refs)
    except Exception:
        return False


def _timestamp_info(ts: Any) -> Timestamp | None:
    if ts is None:
        return None
    indic = ts.trust_problem_indic.name if ts.trust_problem_indic is not None else None
    return Timestamp(
        time=iso(ts.timestamp),
        intact=bool(ts.intact),
        valid=bool(ts.valid),
        trusted=bool(ts.trusted),
        authority=_name_part(ts.signing_cert.subject, "common_name") or ts.signing_cert.subject.human_friendly,
        trust_problem=None if ts.trusted else (indic or "GENERIC"),
    )


def _pades_level(
    subfilter: str, timestamp: Timestamp | None, dss: _Dss, revision: int, doc_timestamp_revisions: list[int]
) -> str | None:
    """B-B, B-T (signature timestamp), B-LT (and validation data in a later DSS), B-LTA (and a
    document timestamp after it). Adobe PKCS#7 signatures are not PAdES: None."""
    if subfilter != PADES_SUBFILTER:
        return None
    if timestamp is None:
        return "B-B"
    has_lt = dss.revision is not None and dss.revision > revision and bool(dss.certs or dss.crls or dss.ocsps)
    if not has_lt:
        return "B-T"
    # A document timestamp after the signature covers it and the validation data that
    # pyHanko writes with it (in the same revision, or before).
    if any(r > revision for r in doc_timestamp_revisions):
        return "B-LTA"
    return "B-LT"


def _claimed_time(sig_object: Any) -> str | None:
    from pyhanko.pdf_utils.generic import parse_pdf_date

    raw = sig_object.get("/M")
    if not raw:
        return None
    try:
        return iso(parse_pdf_date(str(raw)))
    except Exception:
        return None


# --- Certificates --------------------------------------------------------------------------


def _name_part(name: asn1_x509.Name, key: str) -> str:
    values = []
    for rdn in name.chosen:
        for attr in rdn:
            if attr["type"].native == key:
                values.append(str(attr["value"].native))
    return ", ".join(values)


def _cert_info(cert: asn1_x509.Certificate | None) -> Certificate | None:
    if cert is None:
        return None
    subject, issuer = cert.subject, cert.issuer
    validity = cert["tbs_certificate"]["validity"]
    return Certificate(
        common_name=_name_part(subject, "common_name"),
        organization=_name_part(subject, "organization_name"),
        organizational_unit=_name_part(subject, "organizational_unit_name"),
        email=_name_part(subject, "email_address"),
        subject=subject.human_friendly,
        issuer=issuer.human_friendly,
        issuer_common_name=_name_part(issuer, "common_name"),
        serial=format(cert.serial_number, "X"),
        not_before=iso(validity["not_before"].native) or "",
        not_after=iso(validity["not_after"].native) or "",
        sha256=cert.sha256.hex(),
    )


def _signer_kind(signer: Certificate) -> str:
    """Return "seal" for an organ's certificate (chữ ký số của cơ quan, shown as the red seal),
    else "person". A heuristic on the subject: an organ tax or budget code in the UID (as
    Vietnamese public CAs write it), a seal OU marker, or CN equal to O (vanban.signatures.pki
    names the seal certificate after the organ, a person's after the person) mean the organ."""
    subject = signer.subject
    ou = signer.organizational_unit.casefold()
    if any(marker in ou for marker in SEAL_OU_MARKERS) or any(p in subject for p in ORGAN_UID_PREFIXES):
        return "seal"
    if signer.common_name and signer.common_name.casefold() == signer.organization.casefold():
        return "seal"
    return "person"


def _as_asn1_certs(values: Iterable[Any]) -> list[asn1_x509.Certificate]:
    from cryptography import x509 as crypto_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.keys import load_certs_from_pemder_data

    certs: list[asn1_x509.Certificate] = []
    for value in values:
        if isinstance(value, asn1_x509.Certificate):
            certs.append(value)
        elif isinstance(value, crypto_x509.Certificate):
            certs.append(asn1_x509.Certificate.load(value.public_bytes(Encoding.DER)))
        elif isinstance(value, bytes | bytearray):
            certs.extend(load_certs_from_pemder_data(bytes(value)))
        elif isinstance(value, Path):
            certs.extend(load_certs_from_pemder_data(value.read_bytes()))
        else:
            raise TypeError(f"unsupported trust root: {type(value).__name__}")
    return certs


# --- Words ---------------------------------------------------------------------------------


def _trust_reason(indic: str | None, status: Any) -> str:
    if indic == "TIMESTAMP_UNTRUSTED":
        return "không xác thực được chứng thư của đơn vị cấp dấu thời gian"
    if indic == "SIGNATURE_BROKEN":
        return "chữ ký không còn nguyên vẹn nên không xác thực"
    details = getattr(status, "revocation_details", None)
    if details is not None:
        who = "chứng thư của tổ chức cấp" if details.ca_revoked else "chứng thư của người ký"
        return f"{who} đã bị thu hồi từ {display_time(iso(details.revocation_date))}"
    return TRUST_REASONS.get(indic or "GENERIC", TRUST_REASONS["GENERIC"])


def _who(report: SignatureResult) -> str:
    if report.signer is None:
        return f"trường «{report.field}»"
    name = report.signer.common_name or report.signer.subject
    return name


def _problems(report: SignatureResult) -> list[str]:
    problems = []
    if not report.intact:
        problems.append("Nội dung được ký đã bị thay đổi: chữ ký không còn nguyên vẹn.")
    elif not report.valid:
        problems.append("Chữ ký không hợp lệ về mặt mật mã.")
    if report.timestamp is not None and not (report.timestamp.intact and report.timestamp.valid):
        problems.append("Dấu thời gian của chữ ký không hợp lệ.")
    if not report.modifications_allowed:
        label = MODIFICATION_LABELS.get(report.modification_level or "OTHER", MODIFICATION_LABELS["OTHER"])
        problems.append(f"Tệp đã bị sửa sau khi ký ({label}).")
    if not report.trusted and report.intact and report.valid:
        problems.append(f"Chưa xác thực được chuỗi chứng thư: {report.trust_reason}.")
    return problems


def _signature_summary(report: SignatureResult) -> str:
    who = _who(report)
    if report.kind == "document_timestamp":
        subject = f"Dấu thời gian tài liệu của {who}"
        when = report.signing_time
    else:
        subject = f"Chữ ký của {who}"
        when = (report.timestamp.time if report.timestamp else None) or report.signing_time
    at = f" (ký lúc {display_time(when)})" if when else ""
    if report.error == "signature_unreadable":
        return f"{subject} bị hỏng: không đọc được dữ liệu chữ ký."
    if report.error == "signature_unsupported":
        return f"{subject} không kiểm tra được: dạng chữ ký không được hỗ trợ hoặc dữ liệu chữ ký bị hỏng."
    if not report.intact:
        return f"{subject}{at} không còn nguyên vẹn: nội dung đã bị thay đổi sau khi ký."
    if not report.valid:
        return f"{subject}{at} không hợp lệ về mặt mật mã."
    if not report.ok:
        return f"{subject}{at}: " + " ".join(report.problems_vi)
    if report.kind == "document_timestamp":
        head = f"Dấu thời gian tài liệu hợp lệ của {who}{at}."
    else:
        head = f"Chữ ký hợp lệ của {who}{at}."
    if not report.trusted:
        return f"{head} Chưa xác thực được chuỗi chứng thư: {report.trust_reason}."
    return head


def _report_summary(signatures: list[SignatureResult], ok: bool, trusted: bool, changed: bool) -> str:
    if not signatures:
        return "Tệp không có chữ ký số."
    n = len(signatures)
    if not ok:
        if changed and all(s.intact and s.valid for s in signatures):
            return "Tệp đã bị sửa sau khi ký."
        return "Có chữ ký không hợp lệ: tệp đã bị thay đổi hoặc chữ ký bị hỏng."
    if trusted:
        return (
            f"{n} chữ ký hợp lệ, đã xác thực chuỗi chứng thư."
            if n > 1
            else "Chữ ký hợp lệ, đã xác thực chuỗi chứng thư."
        )
    if n == 1:
        return f"Chữ ký còn nguyên vẹn nhưng chưa xác thực được chuỗi chứng thư: {signatures[0].trust_reason}."
    return "Các chữ ký còn nguyên vẹn nhưng có chữ ký chưa xác thực được chuỗi chứng thư."


# --- Guards --------------------------------------------------------------------------------


def _timeout() -> SignatureCheckError:
    return SignatureCheckError(
        "validation_timeout", "Kiểm tra chữ ký quá thời gian cho phép; tệp quá phức tạp để kiểm tra.", "file"
    )


class _Timeout(BaseException):
    """Not an Exception: the handlers around pyHanko (ours and its own) must not swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt pyHanko after `seconds` where a signal can (the main thread of the CLI and
    of the worker); elsewhere the deadline is checked between signatures only."""
    usable = (
        seconds > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # someone else's alarm is running
    )
    if not usable:
        yield
        return

    armed = True

    def on_alarm(signum: int, frame: Any) -> None:
        if armed:  # an alarm delivered while disarming is ignored
            raise _Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    except _Timeout:
        raise _timeout() from None
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs every failed path search with a traceback; the report says it once."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _event_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _internal_crls() -> list[Any]:
    """The internal CA's CRLs, so a certificate this system issued and then revoked is
    reported revoked although the CRL is not fetched from its distribution point."""
    try:
        from vanban.signatures.pki import internal_crls

        return list(internal_crls())
    except Exception:  # no database (a bare CLI check): the PDF's own data only
        return []
