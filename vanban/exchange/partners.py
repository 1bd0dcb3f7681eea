"""The partner directory: organs we exchange edXML with, their endpoints and credentials.

Inbound credentials are kept only as SHA-256 digests (the token a partner presents, or the
fingerprint of its client certificate); the outbound token (what we present to them) is
encrypted with the server's key-encryption key, as the organ seal is. Import from CSV or
Excel saves all rows or none and reports every bad row in Vietnamese.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import ValidationFailed
from vanban.core.text import clean_text
from vanban.exchange.messages import is_standard_organ_id
from vanban.exchange.models import Partner
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
IMPORT_COLUMNS = ("ma_dinh_danh", "ten_co_quan", "cach_truyen", "dia_chi", "ma_thong_bao_den", "ma_thong_bao_di",
                  "van_tay_chung_thu", "hoat_dong")  # fmt: skip
MAX_IMPORT_ROWS = 5000


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in str(getattr(settings, "VANBAN_KEY_ENCRYPTION_KEY", "") or "").split(",")]
    keys = [k for k in configured if k]
    if not keys:
        digest = hashlib.sha256(b"vanban-key-encryption:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def outbound_token(partner: Partner) -> str:
    """The token we present to `partner` ("" when none is set)."""
    blob = bytes(partner.outbound_token_encrypted or b"")
    if not blob:
        return ""
    try:
        return _fernet().decrypt(blob).decode("utf-8")
    except InvalidToken as exc:
        raise ValidationFailed(
            "key_encryption_key_mismatch",
            "Không giải mã được mã xác thực gửi đi của cơ quan liên thông: khóa mã hóa của máy chủ đã thay đổi.",
            "outbound_token",
        ) from exc


def normalise_fingerprint(value: str) -> str:
    """"AB:CD:..." or "abcd..." → 64 lowercase hex digits ("" stays "")."""
    return re.sub(r"[\s:]", "", value or "").lower()


@dataclass
class PartnerData:
    organ_id: str
    name: str
    transport: str = Partner.Transport.HTTP
    endpoint: str = ""
    inbound_token: str | None = None  # None: keep; "": clear
    outbound_token: str | None = None
    cert_fingerprint: str | None = None
    is_active: bool = True
    errors: list[tuple[str, str, str]] = field(default_factory=list)


def _check(data: PartnerData, *, instance: Partner | None = None, seen: set[str] | None = None) -> list[ValidationFailed]:
    """Every problem of `data`, not only the first (the import reports them per row)."""
    problems: list[ValidationFailed] = []
    data.organ_id = (data.organ_id or "").strip()
    data.name = clean_text(data.name or "")
    data.endpoint = (data.endpoint or "").strip()
    if not is_standard_organ_id(data.organ_id):
        problems.append(ValidationFailed("invalid_organ_id", "Mã định danh phải có dạng 000.00.00.G02.", "organ_id"))
    else:
        others = Partner.objects.filter(organ_id=data.organ_id)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists() or (seen is not None and data.organ_id in seen):
            problems.append(ValidationFailed("duplicate_organ_id", "Mã định danh này đã có trong danh bạ liên thông.",
                                             "organ_id"))  # fmt: skip
    if not data.name:
        problems.append(ValidationFailed("required", "Vui lòng nhập tên cơ quan.", "name"))
    elif len(data.name) > 500:
        problems.append(ValidationFailed("too_long", "Tên cơ quan dài quá 500 ký tự.", "name"))
    if data.transport not in Partner.Transport.values:
        problems.append(ValidationFailed("invalid_transport", "Cách truyền phải là http hoặc folder.", "transport"))
    elif data.transport == Partner.Transport.HTTP:
        if data.endpoint and not re.match(r"^https?://[^\s/]+", data.endpoint):
            problems.append(ValidationFailed("invalid_endpoint", "Địa chỉ nhận phải là URL http(s)://…", "endpoint"))
    elif data.transport == Partner.Transport.FOLDER and not data.endpoint.startswith("/"):
        problems.append(ValidationFailed("invalid_endpoint", "Thư mục trao đổi phải là đường dẫn tuyệt đối.",
                                         "endpoint"))  # fmt: skip
    if len(data.endpoint) > 1000:
        problems.append(ValidationFailed("too_long", "Địa chỉ nhận dài quá 1000 ký tự.", "endpoint"))
    for name, label in (("inbound_token", "Mã xác thực đến"), ("outbound_token", "Mã xác thực gửi đi")):
        value = getattr(data, name)
        if value and (len(value) < 16 or len(value) > 500 or any(c.isspace() for c in value)):
            problems.append(ValidationFailed("invalid_token", f"{label} phải dài 16–500 ký tự, không có khoảng trắng.",
                                             name))  # fmt: skip
    if data.cert_fingerprint:
        data.cert_fingerprint = normalise_fingerprint(data.cert_fingerprint)
        if not _FINGERPRINT.match(data.cert_fingerprint):
            problems.append(ValidationFailed("invalid_fingerprint",
                                             "Vân tay chứng thư phải là SHA-256 (64 chữ số hex).", "cert_fingerprint"))
    return problems


def _apply(partner: Partner, data: PartnerData) -> None:
    partner.organ_id = data.organ_id
    partner.name = data.name
    partner.transport = data.transport
    partner.endpoint = data.endpoint
    partner.is_active = data.is_active
    if data.inbound_token is not None:
        partner.inbound_token_hash = token_digest(data.inbound_token) if data.inbound_token else ""
    if data.outbound_token is not None:
        partner.outbound_token_encrypted = _fernet().encrypt(data.outbound_token.encode()) if data.outbound_token else b""
    if data.cert_fingerprint is not None:
        partner.cert_fingerprint = data.cert_fingerprint
    partner.updated_at = timezone.now()


def _audit_data(partner: Partner) -> dict[str, Any]:
    return {"organ_id": partner.organ_id, "name": partner.name, "transport": partner.transport,
            "endpoint": partner.endpoint, "active": partner.is_active, "inbound_token": partner.has_inbound_token,
            "outbound_token": partner.has_outbound_token, "cert_fingerprint": partner.cert_fingerprint}  # fmt: skip


@transaction.atomic
def create_partner(*, actor: Any, data: PartnerData) -> Partner:
    authority = authorize(actor, {Role.SYSTEM_ADMIN}) if actor is not None else None
    problems = _check(data)
    if problems:
        raise problems[0]
    partner = Partner()
    _apply(partner, data)
    partner.save()
    audit.record(actor=actor, on_behalf_of=getattr(authority, "on_behalf_of", None), action="exchange.partner_created",
                 target=partner, data=_audit_data(partner))  # fmt: skip
    return partner


@transaction.atomic
def update_partner(*, actor: Any, partner: Partner, data: PartnerData) -> Partner:
    authority = authorize(actor, {Role.SYSTEM_ADMIN}) if actor is not None else None
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    problems = _check(data, instance=partner)
    if problems:
        raise problems[0]
    _apply(partner, data)
    partner.save()
    audit.record(actor=actor, on_behalf_of=getattr(authority, "on_behalf_of", None), action="exchange.partner_updated",
                 target=partner, data=_audit_data(partner))  # fmt: skip
    return partner


@transaction.atomic
def set_partner_active(*, actor: Any, partner: Partner, active: bool) -> Partner:
    authority = authorize(actor, {Role.SYSTEM_ADMIN}) if actor is not None else None
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    partner.is_active = active
    partner.updated_at = timezone.now()
    partner.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, on_behalf_of=getattr(authority, "on_behalf_of", None),
                 action="exchange.partner_activated" if active else "exchange.partner_deactivated",
                 target=partner, data={"organ_id": partner.organ_id})  # fmt: skip
    return partner


def new_token() -> str:
    return secrets.token_urlsafe(32)


# --- Who is calling the inbox ---------------------------------------------------------------


def partner_for_token(token: str) -> Partner | None:
    if not token:
        return None
    digest = token_digest(token)
    partner = Partner.objects.filter(inbound_token_hash=digest, is_active=True).first()
    # The lookup is by digest; compare again in constant time so that a timing side
    # channel of the index says nothing about near-misses.
    if partner is not None and hmac.compare_digest(partner.inbound_token_hash, digest):
        return partner
    return None


def partner_for_fingerprint(fingerprint: str) -> Partner | None:
    value = normalise_fingerprint(fingerprint)
    if not _FINGERPRINT.match(value):
        return None
    return Partner.objects.filter(cert_fingerprint=value, is_active=True).first()


def fingerprint_of_certificate(value: str) -> str:
    """The SHA-256 fingerprint of a client certificate as a proxy forwards it: PEM,
    URL-escaped PEM (nginx $ssl_client_escaped_cert), PEM with its newlines turned into
    spaces (Apache/HAProxy set-ups), or base64 DER. "" when it is not a certificate."""
    from urllib.parse import unquote

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    text = unquote(value or "").strip()
    try:
        if "-----BEGIN CERTIFICATE-----" in text:
            body = text.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----", 1)[0]
            der = base64.b64decode(re.sub(r"\s", "", body), validate=True)
        else:
            der = base64.b64decode(re.sub(r"\s", "", text), validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        return ""
    return certificate.fingerprint(hashes.SHA256()).hex()


# --- Our client certificate for outbound mutual TLS ---------------------------------------


@dataclass(frozen=True)
class OutboundTls:
    """What HttpTransport will present to partners that ask for a client certificate
    (VANBAN_EXCHANGE_CLIENT_CERT / _KEY) and what it trusts (VANBAN_EXCHANGE_CA_BUNDLE),
    checked so the administrator sees a missing file, a wrong key or an expiry before
    deliveries start failing. Files come from the server's configuration, not from a web
    form: a private key is never uploaded through the browser."""

    configured: bool
    certificate_path: str = ""
    key_path: str = ""
    subject: str = ""
    issuer: str = ""
    not_after: dt.datetime | None = None
    fingerprint: str = ""
    ca_bundle: str = ""
    ca_count: int = 0
    problems: tuple[str, ...] = ()


EXPIRY_WARNING = dt.timedelta(days=30)


def _pem_certificates(path: str) -> list[Any]:
    from cryptography import x509

    return list(x509.load_pem_x509_certificates(Path(path).read_bytes()))


def outbound_tls(*, now: dt.datetime | None = None) -> OutboundTls:
    from cryptography.hazmat.primitives import hashes, serialization

    now = now or timezone.now()
    setting = getattr(settings, "VANBAN_EXCHANGE_CLIENT_CERT", "") or ""
    cert_path, key_path = (str(setting[0]), str(setting[1])) if isinstance(setting, (tuple, list)) else (str(setting), "")
    ca_bundle = str(getattr(settings, "VANBAN_EXCHANGE_CA_BUNDLE", "") or "")
    problems: list[str] = []
    ca_count = 0
    if ca_bundle:
        try:
            ca_count = len(_pem_certificates(ca_bundle))
        except OSError:
            problems.append(f"Không đọc được tệp CA tin cậy {ca_bundle}.")
        except ValueError:
            problems.append(f"Tệp CA tin cậy {ca_bundle} không chứa chứng thư PEM hợp lệ.")
    if not cert_path:
        return OutboundTls(configured=False, ca_bundle=ca_bundle, ca_count=ca_count, problems=tuple(problems))
    values: dict[str, Any] = {}
    try:
        certificate = _pem_certificates(cert_path)[0]
    except OSError:
        problems.append(f"Không đọc được tệp chứng thư {cert_path}.")
        certificate = None
    except (ValueError, IndexError):
        problems.append(f"Tệp {cert_path} không chứa chứng thư PEM hợp lệ.")
        certificate = None
    if certificate is not None:
        values = {"subject": certificate.subject.rfc4514_string(), "issuer": certificate.issuer.rfc4514_string(),
                  "not_after": certificate.not_valid_after_utc,
                  "fingerprint": certificate.fingerprint(hashes.SHA256()).hex()}  # fmt: skip
        day = timezone.localtime(certificate.not_valid_after_utc).strftime("%d/%m/%Y")
        if certificate.not_valid_after_utc <= now:
            problems.append(f"Chứng thư đã hết hạn ngày {day}: đối tác sẽ từ chối kết nối.")
        elif certificate.not_valid_after_utc - now < EXPIRY_WARNING:
            problems.append(f"Chứng thư hết hạn ngày {day}: cần xin cấp chứng thư mới.")
    try:
        key = serialization.load_pem_private_key(Path(key_path or cert_path).read_bytes(), password=None)
    except OSError:
        problems.append(f"Không đọc được tệp khóa riêng {key_path or cert_path}.")
    except TypeError:
        problems.append("Khóa riêng đang được đặt mật khẩu; cần tệp khóa không mật khẩu (chỉ tài khoản chạy "
                        "vanban được đọc).")  # fmt: skip
    except ValueError:
        problems.append("Không tìm thấy khóa riêng hợp lệ" + (f" trong {key_path}." if key_path else
                        f" trong {cert_path}: khai báo VANBAN_EXCHANGE_CLIENT_KEY."))  # fmt: skip
    else:
        if certificate is not None and key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo):  # fmt: skip
            problems.append("Khóa riêng không khớp với chứng thư.")
    return OutboundTls(configured=True, certificate_path=cert_path, key_path=key_path, ca_bundle=ca_bundle,
                       ca_count=ca_count, problems=tuple(problems), **values)  # fmt: skip


# --- Import -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row", "field", "message"}

    @property
    def ok(self) -> bool:
        return not self.errors


def _rows_from_csv(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("invalid_encoding", "Tệp CSV phải mã hóa UTF-8.", "file") from exc
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _rows_from_xlsx(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed("invalid_file", "Không đọc được tệp Excel (.xlsx).", "file") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    keys = [str(h or "").strip().lower() for h in header]
    result = []
    for values in rows:
        if values is None or all(v in (None, "") for v in values):
            continue
        result.append({k: ("" if v is None else str(v).strip()) for k, v in zip(keys, values, strict=False) if k})
    book.close()
    return result


def _truthy(value: str) -> bool:
    return value.strip().lower() not in ("0", "khong", "không", "false", "no", "n")


def import_partners(*, actor: Any, name: str, content: bytes, dry_run: bool = False) -> ImportReport:
    """Rows of `IMPORT_COLUMNS` (header row; Excel's first sheet or CSV with , ; or tab).
    A row whose organ id is already in the directory updates it. Every row is checked;
    with any error nothing is saved and the report lists each (row number as the person
    sees it in the file, header = row 1)."""
    authorize(actor, {Role.SYSTEM_ADMIN})
    rows = _rows_from_xlsx(content) if name.lower().endswith(".xlsx") else _rows_from_csv(content)
    report = ImportReport()
    if not rows:
        raise ValidationFailed("empty_file", "Tệp không có dòng dữ liệu nào.", "file")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed("too_many_rows", f"Tệp có quá {MAX_IMPORT_ROWS} dòng.", "file")
    missing = [c for c in ("ma_dinh_danh", "ten_co_quan") if c not in rows[0]]
    if missing:
        raise ValidationFailed("missing_columns", f"Thiếu cột: {', '.join(missing)} (dòng tiêu đề).", "file")
    seen: set[str] = set()
    plan: list[tuple[Partner | None, PartnerData]] = []
    for number, row in enumerate(rows, start=2):
        data = PartnerData(
            organ_id=row.get("ma_dinh_danh", ""), name=row.get("ten_co_quan", ""),
            transport=(row.get("cach_truyen") or Partner.Transport.HTTP).lower(), endpoint=row.get("dia_chi", ""),
            inbound_token=row.get("ma_thong_bao_den") or None, outbound_token=row.get("ma_thong_bao_di") or None,
            cert_fingerprint=row.get("van_tay_chung_thu") or None, is_active=_truthy(row.get("hoat_dong", "") or "1"),
        )  # fmt: skip
        existing = Partner.objects.filter(organ_id=(data.organ_id or "").strip()).first()
        problems = _check(data, instance=existing, seen=seen)
        seen.add(data.organ_id)
        for p in problems:
            report.errors.append({"row": number, "field": p.field, "code": p.code, "message": p.message})
        plan.append((existing, data))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for existing, data in plan:
            partner = existing or Partner()
            _apply(partner, data)
            partner.save()
            if existing is None:
                report.created += 1
            else:
                report.updated += 1
        audit.record(actor=actor, action="exchange.partners_imported", target_type="exchange.partner",
                     data={"file": name[:200], "created": report.created, "updated": report.updated})  # fmt: skip
    return report
