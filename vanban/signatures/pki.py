"""Certificates: the internal certificate authority's building blocks (root, personal
and organ certificates, the CRL) and the trust roots validators use.

Nothing here touches the database except `trust_roots` and `internal_crls`, which read
the internal CA; the writes (with their audit events) are in `services`."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings

logger = logging.getLogger(__name__)

KEY_SIZE = 2048
CA_DAYS = 3650
PERSONAL_DAYS = 730
ORGAN_DAYS = 1825
TRUST_ROOT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


def new_private_key() -> rsa.RSAPrivateKey:
    # RSA 2048: what Vietnamese public CAs (VNPT-CA, Viettel-CA, Ban Cơ yếu) issue, and
    # what every reader validates.
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _name(*, common_name: str, organ_name: str, unit_name: str = "", email: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, organ_name)]
    if unit_name:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit_name))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if email:
        parts.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(parts)


def build_root_ca(
    *, organ_name: str, now: dt.datetime, days: int = CA_DAYS
) -> tuple[PrivateKeyTypes, x509.Certificate]:
    key = new_private_key()
    subject = _name(common_name=f"CA nội bộ {organ_name}", organ_name=organ_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def build_signing_certificate(
    *,
    ca_key: PrivateKeyTypes,
    ca_certificate: x509.Certificate,
    public_key: CertificatePublicKeyTypes,
    common_name: str,
    organ_name: str,
    unit_name: str = "",
    email: str = "",
    now: dt.datetime,
    days: int,
    not_before: dt.datetime | None = None,
) -> x509.Certificate:
    """A signing certificate: digitalSignature + nonRepudiation (PAdES signers need both
    for a validator to accept the signature as a commitment), no CA rights."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name=common_name, organ_name=organ_name, unit_name=unit_name, email=email))
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or (now - dt.timedelta(minutes=5)))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    # Where the CA's CRL is served (pki/crl/<serial>.crl). Validators look a revocation
    # up only for certificates that name such a point; ours never fetch it over the
    # network but match the CRL the system hands them (internal_crls()).
    builder = builder.add_extension(
        x509.CRLDistributionPoints([
            x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(crl_url(ca_certificate))],
                                   relative_name=None, reasons=None, crl_issuer=None)
        ]),
        critical=False,
    )  # fmt: skip
    return builder.sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]


def build_tsa_certificate(
    *, ca_key: PrivateKeyTypes, ca_certificate: x509.Certificate, public_key: CertificatePublicKeyTypes,
    organ_name: str, now: dt.datetime, days: int = ORGAN_DAYS,
) -> x509.Certificate:
    """The internal timestamp authority's certificate: RFC 3161 requires the
    timeStamping extended key usage as its only, critical, purpose."""
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name=f"Dấu thời gian nội bộ {organ_name}", organ_name=organ_name))
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints([
                x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(crl_url(ca_certificate))],
                                       relative_name=None, reasons=None, crl_issuer=None)
            ]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )  # fmt: skip


def crl_url(ca_certificate: x509.Certificate) -> str:
    base = str(getattr(settings, "VANBAN_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/pki/crl/{ca_certificate.serial_number:x}.crl"


def build_crl(
    *,
    ca_key: PrivateKeyTypes,
    ca_certificate: x509.Certificate,
    revoked: list[tuple[int, dt.datetime]],
    number: int,
    now: dt.datetime,
    days: int = 30,
) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_certificate.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    for serial, revoked_at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at).build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]


# --- Reading certificates -----------------------------------------------------------------


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    subject_cn: str
    issuer: str
    serial_hex: str
    fingerprint_sha256: str
    not_before: dt.datetime
    not_after: dt.datetime
    email: str


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def describe(certificate: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string()[:500],
        subject_cn=(_first(certificate.subject, NameOID.COMMON_NAME) or certificate.subject.rfc4514_string())[:200],
        issuer=certificate.issuer.rfc4514_string()[:500],
        serial_hex=format(certificate.serial_number, "x"),
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        email=_first(certificate.subject, NameOID.EMAIL_ADDRESS),
    )


def to_pem(*certificates: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certificates)


def load_pem_list(text: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(text.encode("ascii")) if text.strip() else []


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _load_cert_file(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


# --- Trust ------------------------------------------------------------------------------------


def trust_roots_dir() -> Path:
    return Path(str(getattr(settings, "VANBAN_TRUST_ROOTS", "") or Path(settings.VAR_DIR) / "trust-roots"))


def trust_roots() -> list[asn1_x509.Certificate]:
    """Root certificates a signature must chain to: the internal CA (every one the organ
    created and did not retire) plus the files (PEM or DER, several per file allowed)
    in `VANBAN_TRUST_ROOTS` — e.g. the Root CA of the Ministry of Information and
    Communications and the Ban Cơ yếu Chính phủ root. Unreadable files are logged and
    skipped: one bad file must not make every signature untrusted."""
    from vanban.signatures.models import CertificateAuthority

    seen: set[str] = set()
    roots: list[asn1_x509.Certificate] = []

    def add(certificate: x509.Certificate) -> None:
        fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
        if fingerprint not in seen:
            seen.add(fingerprint)
            roots.append(to_asn1(certificate))

    for pem in CertificateAuthority.objects.filter(is_active=True).values_list("certificate_pem", flat=True):
        for certificate in load_pem_list(pem):
            add(certificate)
    folder = trust_roots_dir()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in TRUST_ROOT_SUFFIXES or not path.is_file():
                continue
            try:
                for certificate in _load_cert_file(path):
                    add(certificate)
            except (ValueError, OSError):
                logger.warning("Skipping unreadable trust root %s", path)
    return roots


def internal_crls() -> list[asn1_crl.CertificateList]:
    """The internal CA's current CRLs, for a validator's revocation check (the internal
    certificates name no CRL distribution point: nothing here is published online)."""
    from vanban.signatures.models import CertificateAuthority

    blobs = CertificateAuthority.objects.filter(is_active=True).exclude(crl_der=b"").values_list("crl_der", flat=True)
    return [asn1_crl.CertificateList.load(bytes(blob)) for blob in blobs if blob]
