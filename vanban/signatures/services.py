"""Writes of digital signatures: the internal CA and its certificates, imports of
PKCS#12 files and PKCS#11 tokens, revocation, signature and seal images, and the
three signing steps of an outgoing document (ND30 Art 14, App I):

1. `sign_as_person`  — the competent person signs (PAdES, approval signature, with
   their signature image, name and time), which also adds the empty number and date
   fields on page 1;
2. `stamp_number_and_date` — the clerk fills "Số: 123/QĐ-BCT" and "Hà Nội, ngày …"
   into those fields as an incremental update (form filling: the person's signature
   stays valid);
3. `seal_as_organ` — the Văn thư applies the organ's signature: the red seal over a
   third of the person's signature image (main document), or the number and time as
   text at the top right of page 1 (attachment in a separate file).

Each signing step stores its result as a new content-addressed file (never touching
the input) and writes its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from vanban.audit import services as audit
from vanban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vanban.core.text import clean_text
from vanban.documents.files import prepare_upload, split_extension
from vanban.documents.models import StoredFile
from vanban.documents.services import store_upload
from vanban.organisation.models import Organ, Unit
from vanban.organisation.permissions import authorize, has_role
from vanban.organisation.roles import Role
from vanban.organisation.selectors import own_organ, primary_unit_id
from vanban.signatures import appearance, credentials, images, keystore, pdfsign, pki, selectors, timestamps
from vanban.signatures.errors import SignatureConflict, SignatureError, certificate_expired
from vanban.signatures.models import CertificateAuthority, SignatureImage, SigningCredential

MIN_SECRET_LENGTH = 6
MAX_PKCS12_BYTES = 1024 * 1024
CLERK_ROLES = frozenset({Role.MINISTRY_CLERK, Role.UNIT_CLERK})


# --- Helpers ---------------------------------------------------------------------------------------


def _require_organ(organ: Organ | None = None) -> Organ:
    organ = organ or own_organ()
    if organ is None:
        raise SignatureError(
            "organ_missing", "Chưa có cơ quan sử dụng hệ thống: hãy chạy «vanban demo» hoặc tạo cơ quan."
        )
    return organ


def _require_authority(organ: Organ | None = None) -> CertificateAuthority:
    authority = selectors.active_authority(organ)
    if authority is None:
        raise SignatureError(
            "pki_not_initialised", "Chưa khởi tạo CA nội bộ của cơ quan: quản trị hệ thống chạy «vanban pki init»."
        )
    return authority


def _check_new_secret(secret: str, field: str = "password") -> str:
    if len(secret or "") < MIN_SECRET_LENGTH:
        raise ValidationFailed(
            "signing_password_too_short",
            f"Mật khẩu ký số cần ít nhất {MIN_SECRET_LENGTH} ký tự.",
            field,
        )
    return secret


def _self_or_admin(actor: Any, user: Any) -> Any:
    """A person manages their own signing material; a system administrator anyone's.
    Returns the on-behalf-of of a delegated admin power (or None)."""
    if actor is None or actor.pk == user.pk:
        return None
    return authorize(actor, {Role.SYSTEM_ADMIN}).on_behalf_of


def _credential_values(certificate: x509.Certificate) -> dict[str, Any]:
    info = pki.describe(certificate)
    return {
        "subject": info.subject,
        "subject_cn": info.subject_cn,
        "issuer": info.issuer,
        "serial_hex": info.serial_hex,
        "fingerprint_sha256": info.fingerprint_sha256,
        "not_before": info.not_before,
        "not_after": info.not_after,
        "certificate_pem": pki.to_pem(certificate),
    }


def _credential_event(credential: SigningCredential) -> dict[str, Any]:
    return {
        "kind": credential.kind,
        "source": credential.source,
        "subject": credential.subject,
        "issuer": credential.issuer,
        "serial": credential.serial_hex,
        "fingerprint_sha256": credential.fingerprint_sha256,
        "not_before": credential.not_before,
        "not_after": credential.not_after,
    }


def _save_credential(credential: SigningCredential) -> SigningCredential:
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError as exc:
        raise Conflict("credential_exists", "Chứng thư số này đã có trong hệ thống.", "file") from exc
    return credential


def _unit_name(user: Any) -> str:
    unit_id = primary_unit_id(user)
    if not unit_id:
        return ""
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""


# --- Internal CA -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PkiInitResult:
    authority: CertificateAuthority
    seal_credential: SigningCredential
    created: bool


@transaction.atomic
def init_pki(*, actor: Any, organ: Organ | None = None, seal_password: str | None = None) -> PkiInitResult:
    """Create the organ's internal root CA, the organ seal certificate (the Văn thư's
    signature) and a generated seal image. A second run changes nothing. The seal key
    is encrypted with the server's key-encryption key, or with `seal_password` when
    given (then asked at every sealing)."""
    authority_on_behalf = authorize(actor, {Role.SYSTEM_ADMIN}).on_behalf_of if actor is not None else None
    organ = _require_organ(organ)
    existing = selectors.active_authority(organ)
    seal = selectors.organ_credential(organ)
    now = timezone.now()
    if existing is not None and seal is not None:
        # Installations made before the internal timestamp authority existed get it now.
        created_tsa = _ensure_tsa(actor=actor, on_behalf_of=authority_on_behalf, organ=organ, authority=existing, now=now)
        return PkiInitResult(existing, seal, created_tsa)
    if existing is None:
        ca_key, ca_cert = pki.build_root_ca(organ_name=organ.name, now=now)
        existing = CertificateAuthority.objects.create(
            organ=organ,
            subject=ca_cert.subject.rfc4514_string()[:500],
            serial_hex=format(ca_cert.serial_number, "x"),
            certificate_pem=pki.to_pem(ca_cert),
            key_blob=keystore.seal_with_server_key(ca_key),
            not_before=ca_cert.not_valid_before_utc,
            not_after=ca_cert.not_valid_after_utc,
        )
        _refresh_crl(existing)
        audit.record(
            actor=actor,
            on_behalf_of=authority_on_behalf,
            action="signature.ca_created",
            target=existing,
            data={"organ": organ.name, "subject": existing.subject, "serial": existing.serial_hex},
        )
    seal = _issue_organ_credential(actor=actor, organ=organ, authority=existing, seal_password=seal_password, now=now)
    audit.record(
        actor=actor,
        on_behalf_of=authority_on_behalf,
        action="signature.organ_certificate_issued",
        target=seal,
        data=_credential_event(seal),
    )
    _ensure_tsa(actor=actor, on_behalf_of=authority_on_behalf, organ=organ, authority=existing, now=now)
    if selectors.seal_image(organ) is None:
        place = str(getattr(settings, "VANBAN_SIGNING_PLACE", "") or "")
        _store_image(
            actor=actor,
            kind=SignatureImage.Kind.SEAL,
            organ=organ,
            data=images.demo_seal_png(organ.name, place),
            name="con-dau.png",
            generated=True,
        )
    return PkiInitResult(existing, seal, True)


def _ca_key_and_cert(authority: CertificateAuthority) -> tuple[Any, x509.Certificate]:
    return keystore.open_with_server_key(bytes(authority.key_blob)), pki.load_pem_list(authority.certificate_pem)[0]


def _ensure_tsa(
    *, actor: Any, on_behalf_of: Any, organ: Organ, authority: CertificateAuthority, now: dt.datetime
) -> bool:
    """The organ's internal timestamp authority (VANBAN_TSA_URL=internal, /pki/tsa); its
    key is encrypted with the server's key-encryption key, as it signs unattended."""
    if selectors.tsa_credential(organ) is not None:
        return False
    ca_key, ca_cert = _ca_key_and_cert(authority)
    key = pki.new_private_key()
    certificate = pki.build_tsa_certificate(
        ca_key=ca_key, ca_certificate=ca_cert, public_key=key.public_key(), organ_name=organ.name, now=now
    )
    credential = _save_credential(
        SigningCredential(
            kind=SigningCredential.Kind.TSA,
            source=SigningCredential.Source.INTERNAL_CA,
            protection=SigningCredential.Protection.SERVER_KEY,
            organ=organ,
            label="Dấu thời gian nội bộ",
            chain_pem=pki.to_pem(ca_cert),
            key_blob=keystore.seal_with_server_key(key),
            authority=authority,
            created_by=actor,
            **_credential_values(certificate),
        )
    )
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.tsa_certificate_issued",
        target=credential,
        data=_credential_event(credential),
    )
    return True


def _issue_organ_credential(
    *, actor: Any, organ: Organ, authority: CertificateAuthority, seal_password: str | None, now: dt.datetime
) -> SigningCredential:
    ca_key, ca_cert = _ca_key_and_cert(authority)
    key = pki.new_private_key()
    certificate = pki.build_signing_certificate(
        ca_key=ca_key,
        ca_certificate=ca_cert,
        public_key=key.public_key(),
        common_name=organ.name,
        organ_name=organ.name,
        email=organ.email,
        now=now,
        days=pki.ORGAN_DAYS,
    )
    if seal_password:
        _check_new_secret(seal_password)
        blob = keystore.pkcs12_with_password(
            name=organ.name, key=key, certificate=certificate, chain=[ca_cert], password=seal_password
        )
        protection = SigningCredential.Protection.PASSWORD
    else:
        blob = keystore.seal_with_server_key(key)
        protection = SigningCredential.Protection.SERVER_KEY
    return _save_credential(
        SigningCredential(
            kind=SigningCredential.Kind.ORGAN,
            source=SigningCredential.Source.INTERNAL_CA,
            protection=protection,
            organ=organ,
            label="Chữ ký số cơ quan",
            chain_pem=pki.to_pem(ca_cert),
            key_blob=blob,
            authority=authority,
            created_by=actor,
            **_credential_values(certificate),
        )
    )


def _refresh_crl(authority: CertificateAuthority) -> None:
    ca_key, ca_cert = _ca_key_and_cert(authority)
    revoked = [
        (int(serial, 16), revoked_at)
        for serial, revoked_at in SigningCredential.objects.filter(
            authority=authority, revoked_at__isnull=False
        ).values_list("serial_hex", "revoked_at")
    ]
    authority.crl_number += 1
    authority.crl_der = pki.build_crl(
        ca_key=ca_key, ca_certificate=ca_cert, revoked=revoked, number=authority.crl_number, now=timezone.now()
    )
    authority.crl_updated_at = timezone.now()
    authority.save(update_fields=["crl_number", "crl_der", "crl_updated_at"])


@transaction.atomic
def issue_certificate(
    *, actor: Any, user: Any, password: str, days: int = pki.PERSONAL_DAYS, not_before: dt.datetime | None = None
) -> SigningCredential:
    """A personal signing certificate from the internal CA (demos, tests, installations
    without a public CA). The key is stored as PKCS#12 encrypted with `password`, the
    person's signing password, asked again at every signature. A person may issue their
    own; a system administrator anyone's. The person gets a generated signature image
    if they have none yet."""
    on_behalf_of = _self_or_admin(actor, user)
    _check_new_secret(password)
    if not 1 <= days <= 3650:
        raise ValidationFailed("invalid_days", "Thời hạn chứng thư số từ 1 đến 3650 ngày.", "days")
    if not user.is_active:
        raise ValidationFailed("account_inactive", "Tài khoản đã bị vô hiệu hóa: không cấp chứng thư số.", "user")
    organ = _require_organ()
    authority = _require_authority(organ)
    ca_key, ca_cert = _ca_key_and_cert(authority)
    now = timezone.now()
    key = pki.new_private_key()
    full_name = clean_text(getattr(user, "full_name", "") or user.get_username())
    certificate = pki.build_signing_certificate(
        ca_key=ca_key,
        ca_certificate=ca_cert,
        public_key=key.public_key(),
        common_name=full_name,
        organ_name=organ.name,
        unit_name=_unit_name(user),
        email=user.email or "",
        now=now,
        days=days,
        not_before=not_before,
    )
    credential = _save_credential(
        SigningCredential(
            kind=SigningCredential.Kind.PERSONAL,
            source=SigningCredential.Source.INTERNAL_CA,
            protection=SigningCredential.Protection.PASSWORD,
            owner=user,
            label="CA nội bộ",
            chain_pem=pki.to_pem(ca_cert),
            key_blob=keystore.pkcs12_with_password(
                name=full_name, key=key, certificate=certificate, chain=[ca_cert], password=password
            ),
            authority=authority,
            created_by=actor,
            **_credential_values(certificate),
        )
    )
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.certificate_issued",
        target=credential,
        data={**_credential_event(credential), "owner": user.get_username()},
    )
    if selectors.signature_image(user) is None:
        _store_image(
            actor=actor,
            kind=SignatureImage.Kind.SIGNATURE,
            owner=user,
            data=images.demo_signature_png(full_name),
            name="chu-ky.png",
            generated=True,
        )
    return credential


@transaction.atomic
def import_pkcs12(*, actor: Any, user: Any, data: bytes, password: str, label: str = "") -> SigningCredential:
    """A person's PKCS#12 file (.p12/.pfx from a public CA): checked with its password
    (wrong_pkcs12_password, nothing stored), the certificate must be valid today and
    meant for signing; the file is stored as it came, still protected by its password,
    which becomes the signing password."""
    on_behalf_of = _self_or_admin(actor, user)
    if not data:
        raise ValidationFailed("empty_file", "Vui lòng chọn tệp PKCS#12 (.p12, .pfx).", "file")
    if len(data) > MAX_PKCS12_BYTES:
        raise ValidationFailed("file_too_large", "Tệp PKCS#12 lớn hơn 1 MB.", "file")
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, password.encode("utf-8") or None)
    except ValueError as exc:
        raise SignatureError(
            "wrong_pkcs12_password",
            "Mật khẩu tệp PKCS#12 không đúng, hoặc tệp không phải PKCS#12. Không có gì được lưu.",
            "password",
        ) from exc
    except Exception as exc:  # unsupported algorithms (RC2 40-bit) and other damage
        raise SignatureError(
            "pkcs12_unreadable", "Không đọc được tệp PKCS#12 (định dạng hoặc thuật toán không hỗ trợ).", "file"
        ) from exc
    if key is None or certificate is None:
        raise SignatureError("pkcs12_incomplete", "Tệp PKCS#12 không chứa đủ khóa bí mật và chứng thư số.", "file")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise SignatureError(
                "certificate_not_for_signing", "Chứng thư số này không dùng để ký (thiếu mục đích ký số).", "file"
            )
    except x509.ExtensionNotFound:
        pass
    values = _credential_values(certificate)
    if values["not_after"] < timezone.now():
        raise certificate_expired(values["not_after"].astimezone(appearance.VIETNAM).strftime("%d/%m/%Y"))
    chain = [c.certificate if hasattr(c, "certificate") else c for c in others]
    credential = _save_credential(
        SigningCredential(
            kind=SigningCredential.Kind.PERSONAL,
            source=SigningCredential.Source.PKCS12,
            protection=SigningCredential.Protection.PASSWORD,
            owner=user,
            label=clean_text(label)[:200] or "Tệp PKCS#12",
            chain_pem=pki.to_pem(*chain),
            key_blob=data,
            created_by=actor,
            **values,
        )
    )
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.pkcs12_imported",
        target=credential,
        data={**_credential_event(credential), "owner": user.get_username()},
    )
    return credential


@transaction.atomic
def register_pkcs11(
    *,
    actor: Any,
    user: Any | None = None,
    organ: Organ | None = None,
    token_label: str,
    key_label: str,
    pin: str,
    certificate_pem: str = "",
    chain_pem: str = "",
) -> SigningCredential:
    """A key on a PKCS#11 token or HSM (`VANBAN_PKCS11_MODULE`) for a person (`user`)
    or, by a system administrator, for the organ's seal. The PIN is checked by opening
    the token and never stored; the certificate comes from the token (same label as
    the key) unless given."""
    if user is not None:
        on_behalf_of = _self_or_admin(actor, user)
    else:
        on_behalf_of = authorize(actor, {Role.SYSTEM_ADMIN}).on_behalf_of if actor is not None else None
        organ = _require_organ(organ)
    token_label, key_label = token_label.strip(), key_label.strip()
    if not token_label or not key_label:
        raise ValidationFailed("required", "Cần nhãn thiết bị (token) và nhãn khóa.", "token_label")
    with credentials.pkcs11_session(token_label, pin) as session:
        if certificate_pem.strip():
            certificate = pki.load_pem_list(certificate_pem)[0]
        else:
            from pyhanko.sign.pkcs11 import PKCS11Signer

            try:
                asn1_cert = PKCS11Signer(session, key_label=key_label).signing_cert  # type: ignore[arg-type]
            except Exception as exc:
                raise SignatureError(
                    "pkcs11_certificate_missing",
                    f"Không tìm thấy chứng thư số nhãn «{key_label}» trên thiết bị: hãy nạp tệp chứng thư (PEM).",
                    "certificate",
                ) from exc
            certificate = x509.load_der_x509_certificate(asn1_cert.dump())
    credential = _save_credential(
        SigningCredential(
            kind=SigningCredential.Kind.PERSONAL if user is not None else SigningCredential.Kind.ORGAN,
            source=SigningCredential.Source.PKCS11,
            protection=SigningCredential.Protection.TOKEN,
            owner=user,
            organ=None if user is not None else organ,
            label=f"Thiết bị «{token_label}»",
            chain_pem=pki.to_pem(*pki.load_pem_list(chain_pem)),
            pkcs11_token_label=token_label,
            pkcs11_key_label=key_label,
            created_by=actor,
            **_credential_values(certificate),
        )
    )
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.pkcs11_registered",
        target=credential,
        data={**_credential_event(credential), "token": token_label, "key": key_label},
    )
    return credential


@transaction.atomic
def revoke_credential(*, actor: Any, credential: SigningCredential, reason: str = "") -> SigningCredential:
    """Revoke at once: signing with it is refused from now on, and a certificate of the
    internal CA goes on its CRL. Owners revoke their own; system administrators any."""
    credential = SigningCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.kind == SigningCredential.Kind.PERSONAL:
        on_behalf_of = _self_or_admin(actor, credential.owner)
    else:
        on_behalf_of = authorize(actor, {Role.SYSTEM_ADMIN}).on_behalf_of if actor is not None else None
    if credential.revoked_at is not None:
        raise Conflict("credential_revoked", "Chứng thư số này đã bị thu hồi trước đó.")
    credential.revoked_at = timezone.now()
    credential.revocation_reason = clean_text(reason)[:300]
    credential.save(update_fields=["revoked_at", "revocation_reason"])
    if credential.authority_id is not None:
        _refresh_crl(CertificateAuthority.objects.select_for_update().get(pk=credential.authority_id))
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.certificate_revoked",
        target=credential,
        data={**_credential_event(credential), "reason": credential.revocation_reason},
    )
    return credential


# --- Images --------------------------------------------------------------------------------------


def _store_image(
    *, actor: Any, kind: str, data: bytes, name: str, owner: Any = None, organ: Organ | None = None, generated: bool
) -> SignatureImage:
    image = images.check_png(data, name="ảnh chữ ký" if kind == SignatureImage.Kind.SIGNATURE else "ảnh con dấu")
    with prepare_upload(name, data) as upload:
        stored = store_upload(actor=actor, upload=upload)
    row = SignatureImage.objects.create(
        kind=kind,
        owner=owner,
        organ=organ,
        file=stored,
        width_px=image.width,
        height_px=image.height,
        generated=generated,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="signature.image_set",
        target=row,
        data={
            "kind": kind,
            "owner": owner.get_username() if owner is not None else None,
            "organ": organ.name if organ is not None else None,
            "sha256": stored.sha256,
            "generated": generated,
        },
    )
    return row


@transaction.atomic
def set_signature_image(*, actor: Any, user: Any, data: bytes, name: str = "chu-ky.png") -> SignatureImage:
    """A person's handwritten signature (transparent PNG, blue ink per ND30 App I)."""
    _self_or_admin(actor, user)
    return _store_image(
        actor=actor, kind=SignatureImage.Kind.SIGNATURE, owner=user, data=data, name=name, generated=False
    )


@transaction.atomic
def generate_signature_image(*, actor: Any, user: Any) -> SignatureImage:
    """A generated handwriting-like signature, for demos and until a scan is uploaded."""
    _self_or_admin(actor, user)
    full_name = clean_text(getattr(user, "full_name", "") or user.get_username())
    return _store_image(
        actor=actor,
        kind=SignatureImage.Kind.SIGNATURE,
        owner=user,
        data=images.demo_signature_png(full_name),
        name="chu-ky.png",
        generated=True,
    )


def _authorize_seal_admin(actor: Any) -> Any:
    if actor is None:
        return None
    return authorize(actor, {Role.SYSTEM_ADMIN, Role.MINISTRY_CLERK}).on_behalf_of


@transaction.atomic
def set_seal_image(*, actor: Any, data: bytes, organ: Organ | None = None, name: str = "con-dau.png") -> SignatureImage:
    """The organ's seal image (transparent PNG, red): system administrators and the
    ministry's Văn thư."""
    _authorize_seal_admin(actor)
    organ = _require_organ(organ)
    return _store_image(actor=actor, kind=SignatureImage.Kind.SEAL, organ=organ, data=data, name=name, generated=False)


# --- Signing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedResult:
    """What a signing step produced: the new PDF (bytes and its stored file), the
    signature field it added (empty for the number stamp) and the signing time."""

    pdf: bytes
    file: StoredFile
    field_name: str
    signed_at: dt.datetime | None
    credential: SigningCredential | None

    @property
    def signed_at_text(self) -> str:
        return appearance.iso_vietnam(self.signed_at) if self.signed_at else ""


def _derived_name(filename: str, suffix: str) -> str:
    stem, _ = split_extension(filename or "van-ban.pdf")
    for known in ("-ky-so", "-so-ngay", "-dong-dau"):
        stem = stem.removesuffix(known)
    return f"{stem or 'van-ban'}{suffix}.pdf"


def _store_pdf(*, actor: Any, data: bytes, name: str) -> StoredFile:
    with prepare_upload(name, data) as upload:
        return store_upload(actor=actor, upload=upload)


def _signing_time(pdf: bytes, field_name: str) -> dt.datetime | None:
    for signature in pdfsign.embedded_signatures(pdf):
        if signature.field_name == field_name:
            return signature.self_reported_timestamp
    return None


def _profile(credential: SigningCredential) -> timestamps.SigningProfile:
    return timestamps.profile(internal_chain=credential.authority_id is not None)


def _image_of(image: SignatureImage) -> Image.Image:
    with Image.open(io.BytesIO(selectors.image_bytes(image))) as opened:
        return opened.convert("RGBA")


@transaction.atomic
def sign_as_person(
    *,
    actor: Any,
    pdf: bytes,
    credential: SigningCredential,
    secret: str,
    reason: str = "",
    location: str = "",
    field_box: pdfsign.FieldBox | None = None,
    filename: str = "van-ban.pdf",
) -> SignedResult:
    """The competent person signs the final PDF with their own certificate: a visible
    PAdES approval signature on the last page (above their name in the signature
    block, else bottom right; or at `field_box`) showing their signature image, name
    and signing time; the empty number and date fields for the clerk are added in the
    same revision. B-T when VANBAN_TSA_URL is set, B-B otherwise."""
    if (
        actor is None
        or credential.kind != SigningCredential.Kind.PERSONAL
        or credential.owner_id != getattr(actor, "pk", None)
    ):
        raise PermissionDenied("Chỉ người được cấp chứng thư số mới được dùng chứng thư đó để ký.")
    credentials.ensure_usable(credential)
    image = selectors.signature_image(actor)
    if image is None:
        raise SignatureError(
            "signature_image_missing",
            "Bạn chưa có ảnh chữ ký: hãy tải ảnh chữ ký (PNG nền trong suốt) ở trang «Chữ ký số».",
            "image",
        )
    writer = pdfsign.open_for_update(pdf)
    full_name = clean_text(getattr(actor, "full_name", "") or credential.subject_cn)
    box = field_box or pdfsign.person_box(pdf, full_name)
    pdfsign.add_number_fields(writer, pdf)
    field_name = pdfsign.new_field_name(pdfsign.PERSON_FIELD_PREFIX)
    profile = _profile(credential)
    with credentials.open_signer(credential, secret) as signer:
        signed = pdfsign.sign(
            writer,
            signer=signer,
            field_name=field_name,
            box=box,
            style=appearance.PersonStampStyle(image=_image_of(image)),
            reason=reason or "Ký ban hành văn bản",
            location=location or str(getattr(settings, "VANBAN_SIGNING_PLACE", "") or ""),
            signer_name=full_name,
            profile=profile,
        )
    stored = _store_pdf(actor=actor, data=signed, name=_derived_name(filename, "-ky-so"))
    signed_at = _signing_time(signed, field_name)
    audit.record(
        actor=actor,
        action="signature.person_signed",
        target=stored,
        data={
            "credential": credential.pk,
            "serial": credential.serial_hex,
            "field": field_name,
            "signed_at": signed_at,
            "input_sha256": _sha256(pdf),
            "sha256": stored.sha256,
            "timestamped": profile.timestamper is not None,
            "pades_level": profile.level,
        },
    )
    return SignedResult(signed, stored, field_name, signed_at, credential)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def stamp_number_and_date(
    *,
    actor: Any,
    pdf: bytes,
    number_symbol: str,
    issued_date: dt.date,
    place: str | None = None,
    filename: str = "van-ban.pdf",
) -> SignedResult:
    """The clerk writes "Số: 123/QĐ-BCT" and "Hà Nội, ngày 25 tháng 11 năm 2026" on
    page 1 by filling the fields the person's signature left: an incremental update
    that the person's signature permits (pyHanko: FORM_FILLING)."""
    on_behalf_of = authorize(actor, CLERK_ROLES).on_behalf_of
    number_symbol = clean_text(number_symbol).strip()
    if not number_symbol:
        raise ValidationFailed("required", "Thiếu số và ký hiệu văn bản.", "number_symbol")
    place = clean_text(place or str(getattr(settings, "VANBAN_SIGNING_PLACE", "") or "Hà Nội"))
    writer = pdfsign.open_for_update(pdf)
    date_text = pdfsign.vietnamese_date_line(place, issued_date)
    pdfsign.fill_number_fields(writer, number_text=f"Số: {number_symbol}", date_text=date_text)
    stamped = pdfsign.write(writer)
    stored = _store_pdf(actor=actor, data=stamped, name=_derived_name(filename, "-so-ngay"))
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.number_stamped",
        target=stored,
        data={
            "number_symbol": number_symbol,
            "date": issued_date,
            "date_text": date_text,
            "input_sha256": _sha256(pdf),
            "sha256": stored.sha256,
        },
    )
    return SignedResult(stamped, stored, "", None, None)


def _person_signature_status(pdf: bytes) -> tuple[bool, str]:
    """Whether the PDF holds at least one person's signature that is intact, valid and
    trusted (the internal CA and VANBAN_TRUST_ROOTS; the internal CRL)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signatures = [
        s for s in pdfsign.embedded_signatures(pdf) if not str(s.field_name).startswith(pdfsign.ORGAN_FIELD_PREFIX)
    ]
    if not signatures:
        return False, "none"
    context = ValidationContext(trust_roots=pki.trust_roots(), crls=pki.internal_crls(), allow_fetching=False)
    reason = "invalid"
    for signature in signatures:
        status = validate_pdf_signature(signature, context)
        if status.bottom_line:
            return True, "ok"
        if status.intact and status.valid and not status.trusted:
            reason = "untrusted"
    return False, reason


# A typical handwritten signature is about 5:2; used when the signer's image is unknown.
DEFAULT_SIGNATURE_RATIO = (500, 200)


def _signer_image_size(pdf: bytes, field_name: str) -> tuple[int, int]:
    """Size of the signature image the person's appearance was drawn with: that of the
    signer's image on file (found through the certificate serial), which is what the
    appearance used unless they changed it since."""
    for signature in pdfsign.embedded_signatures(pdf):
        if signature.field_name != field_name:
            continue
        serial = format(signature.signer_cert.serial_number, "x")
        credential = (
            SigningCredential.objects.filter(kind=SigningCredential.Kind.PERSONAL, serial_hex=serial)
            .select_related("owner")
            .first()
        )
        image = selectors.signature_image(credential.owner) if credential is not None else None
        if image is not None:
            return (image.width_px, image.height_px)
    return DEFAULT_SIGNATURE_RATIO


def _seal_box(pdf: bytes) -> pdfsign.FieldBox:
    """The seal over about a third of the person's signature image, on its left
    (ND30 App I): its right edge a third of the way into the image, centred on it
    vertically, at actual size."""
    widgets = pdfsign.signature_widgets(pdf)
    person = [w for w in widgets if w.field_name.startswith(pdfsign.PERSON_FIELD_PREFIX)] or [
        w for w in widgets if not w.field_name.startswith(pdfsign.ORGAN_FIELD_PREFIX)
    ]
    d = appearance.SEAL_DIAMETER_PT
    if person:
        widget = person[-1]
        x1, y1, x2, y2 = widget.rect
        if widget.field_name.startswith(pdfsign.PERSON_FIELD_PREFIX):
            ix, iy, iw, ih = appearance.image_box(x2 - x1, y2 - y1, _signer_image_size(pdf, widget.field_name))
            ix, iy = x1 + ix, y1 + iy
        else:  # signed elsewhere: the whole widget is taken as the image
            ix, iy, iw, ih = x1, y1, x2 - x1, y2 - y1
        right = ix + iw / 3
        centre_y = iy + ih / 2
        left = max(2.0, right - d)
        return pdfsign.FieldBox(widget.page, left, centre_y - d / 2, left + d, centre_y + d / 2)
    last = pdfsign.page_count(pdf) - 1
    width, _ = pdfsign.page_size(pdf, last)
    mm = pdfsign.MM
    return pdfsign.FieldBox(last, width - 60 * mm - d, 35 * mm, width - 60 * mm, 35 * mm + d)


@transaction.atomic
def seal_as_organ(
    *,
    actor: Any,
    pdf: bytes,
    secret: str | None = None,
    attachment: bool = False,
    number_symbol: str = "",
    filename: str = "van-ban.pdf",
) -> SignedResult:
    """The Văn thư applies the organ's signature. Main document: only after a valid
    person's signature, shown as the red seal over a third of the person's image on
    its left. Attachment in a separate file (`attachment=True`): no image; the number
    and symbol of the main document and the signing time at the top right of page 1."""
    on_behalf_of = authorize(actor, {Role.MINISTRY_CLERK}).on_behalf_of
    organ = _require_organ()
    credential = selectors.organ_credential(organ)
    if credential is None:
        latest = selectors.organ_credentials(organ).first()
        if latest is not None:
            credentials.ensure_usable(latest)  # says expired or revoked
        raise SignatureError(
            "organ_credential_missing",
            "Cơ quan chưa có chứng thư số để đóng dấu: quản trị hệ thống chạy «vanban pki init».",
        )
    number_symbol = clean_text(number_symbol).strip()
    writer = pdfsign.open_for_update(pdf)
    if attachment:
        if not number_symbol:
            raise ValidationFailed("required", "Cần số, ký hiệu của văn bản chính để ký số phụ lục.", "number_symbol")
        width, height = pdfsign.page_size(pdf, 0)
        mm = pdfsign.MM
        box = pdfsign.FieldBox(
            0, width - 15 * mm - 62 * mm, height - 6 * mm - 10 * mm, width - 15 * mm, height - 6 * mm
        )
        style: Any = appearance.OrganTextStampStyle(heading=number_symbol)
    else:
        ok, why = _person_signature_status(pdf)
        if not ok:
            message = {
                "none": "Văn bản chưa có chữ ký số của người có thẩm quyền: ký số cá nhân trước, đóng dấu cơ quan sau.",
                "untrusted": "Chữ ký số của người có thẩm quyền không được tin cậy (chứng thư không thuộc nơi cấp "
                "được tin cậy hoặc đã bị thu hồi): không thể đóng dấu.",
            }.get(
                why,
                "Chữ ký số của người có thẩm quyền không hợp lệ (văn bản đã bị sửa sau khi ký): không thể đóng dấu.",
            )
            raise SignatureConflict("person_signature_required", message)
        seal = selectors.seal_image(organ)
        if seal is None:
            raise SignatureError(
                "seal_image_missing",
                "Cơ quan chưa có ảnh con dấu: hãy tải ảnh ở trang quản trị chữ ký số cơ quan.",
                "image",
            )
        box = _seal_box(pdf)
        style = appearance.SealStampStyle(image=_image_of(seal))
    field_name = pdfsign.new_field_name(pdfsign.ORGAN_FIELD_PREFIX)
    profile = _profile(credential)
    with credentials.open_signer(credential, secret) as signer:
        signed = pdfsign.sign(
            writer,
            signer=signer,
            field_name=field_name,
            box=box,
            style=style,
            reason="Văn thư ký số của cơ quan",
            location=str(getattr(settings, "VANBAN_SIGNING_PLACE", "") or ""),
            signer_name=organ.name,
            profile=profile,
        )
    stored = _store_pdf(actor=actor, data=signed, name=_derived_name(filename, "-dong-dau"))
    signed_at = _signing_time(signed, field_name)
    audit.record(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action="signature.organ_sealed",
        target=stored,
        data={
            "credential": credential.pk,
            "serial": credential.serial_hex,
            "field": field_name,
            "attachment": attachment,
            "number_symbol": number_symbol,
            "signed_at": signed_at,
            "input_sha256": _sha256(pdf),
            "sha256": stored.sha256,
            "pades_level": profile.level,
        },
    )
    return SignedResult(signed, stored, field_name, signed_at, credential)


def get_credential_for(actor: Any, pk: int) -> SigningCredential:
    """A credential the actor may manage: their own, or any for a system administrator."""
    credential = SigningCredential.objects.filter(pk=pk).select_related("owner", "organ").first()
    if credential is None:
        raise NotFound()
    if credential.owner_id == getattr(actor, "pk", None) or has_role(actor, Role.SYSTEM_ADMIN):
        return credential
    raise NotFound()
