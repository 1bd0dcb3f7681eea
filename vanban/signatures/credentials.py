"""From a stored credential and the secret typed at signing time to a pyHanko signer:
a software key (PKCS#12 opened with the person's password, or the organ key opened
with the server's key-encryption key) or a key on a PKCS#11 token/HSM."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.utils import timezone
from pyhanko.keys import internal as key_conv
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.core.timeutil import format_date
from vanban.signatures import keystore, pki
from vanban.signatures.errors import (
    SignatureError,
    certificate_expired,
    certificate_not_yet_valid,
    certificate_revoked,
    wrong_secret,
)
from vanban.signatures.models import SigningCredential


def ensure_usable(credential: SigningCredential, moment: dt.datetime | None = None) -> None:
    """Refuse a revoked, expired or not yet valid certificate before any key is touched."""
    status = credential.status_at(moment or timezone.now())
    if status == SigningCredential.Status.REVOKED:
        raise certificate_revoked()
    if status == SigningCredential.Status.EXPIRED:
        raise certificate_expired(format_date(credential.not_after))
    if status == SigningCredential.Status.NOT_YET_VALID:
        raise certificate_not_yet_valid(format_date(credential.not_before))


def certificate_of(credential: SigningCredential) -> x509.Certificate:
    return x509.load_pem_x509_certificate(credential.certificate_pem.encode("ascii"))


def _same_key(key: PrivateKeyTypes, certificate: x509.Certificate) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(*spki) == certificate.public_key().public_bytes(*spki)


def _software_signer(
    key: PrivateKeyTypes, certificate: x509.Certificate, chain: list[x509.Certificate]
) -> signers.Signer:
    if not _same_key(key, certificate):
        raise SignatureError("key_mismatch", "Khóa bí mật không khớp với chứng thư số.", "credential")
    return signers.SimpleSigner(
        signing_cert=pki.to_asn1(certificate),
        signing_key=key_conv.translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=SimpleCertificateStore.from_certs([pki.to_asn1(c) for c in chain]),
    )


def pkcs11_module() -> str:
    return str(getattr(settings, "VANBAN_PKCS11_MODULE", "") or "")


@contextlib.contextmanager
def pkcs11_session(token_label: str, pin: str) -> Iterator[object]:
    """An open session on the token with this label, logged in with the PIN; closed on
    exit. Errors: pkcs11_unavailable, pkcs11_token_missing, wrong_signing_password."""
    import pkcs11
    from pkcs11 import exceptions as p11_errors
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    module = pkcs11_module()
    if not module:
        raise SignatureError("pkcs11_unavailable", "Chưa cấu hình thư viện thiết bị ký số (VANBAN_PKCS11_MODULE).")
    try:
        session = open_pkcs11_session(module, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
    except (p11_errors.PinIncorrect, p11_errors.PinLenRange, p11_errors.PinInvalid) as exc:
        raise wrong_secret() from exc
    except p11_errors.PinLocked as exc:
        raise SignatureError(
            "pkcs11_pin_locked", "Mã PIN của thiết bị ký số đã bị khóa do nhập sai nhiều lần."
        ) from exc
    except (OSError, RuntimeError, pkcs11.PKCS11Error) as exc:
        raise SignatureError(
            "pkcs11_token_missing",
            f"Không mở được thiết bị ký số «{token_label}»: hãy kiểm tra thiết bị đã được cắm và cấu hình đúng.",
        ) from exc
    except Exception as exc:  # pyHanko's PKCS11Error when no token has the label
        raise SignatureError("pkcs11_token_missing", f"Không tìm thấy thiết bị ký số có nhãn «{token_label}».") from exc
    try:
        yield session
    finally:
        with contextlib.suppress(Exception):
            session.close()


@contextlib.contextmanager
def open_signer(credential: SigningCredential, secret: str | None) -> Iterator[signers.Signer]:
    """A pyHanko signer for the credential, usable inside the `with` block only (a
    token session is closed after it). Checks validity first; a wrong password or PIN
    raises wrong_signing_password."""
    ensure_usable(credential)
    certificate = certificate_of(credential)
    chain = pki.load_pem_list(credential.chain_pem)
    protection = credential.protection
    if protection == SigningCredential.Protection.TOKEN:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        if not secret:
            raise wrong_secret()
        with pkcs11_session(credential.pkcs11_token_label, secret) as session:
            yield PKCS11Signer(
                session,  # type: ignore[arg-type]
                key_label=credential.pkcs11_key_label,
                signing_cert=pki.to_asn1(certificate),
                ca_chain=[pki.to_asn1(c) for c in chain],
            )
        return
    if protection == SigningCredential.Protection.SERVER_KEY:
        key = keystore.open_with_server_key(bytes(credential.key_blob))
    else:
        if not secret:
            raise wrong_secret()
        key, _, _ = keystore.open_pkcs12(bytes(credential.key_blob), secret)
    yield _software_signer(key, certificate, chain)
