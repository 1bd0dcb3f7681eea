"""Encryption of the private keys the server keeps, and of people's keys with their
own signing password.

Two protections, chosen per key:

* A person's key is a PKCS#12 blob encrypted with their signing password (PIN), which
  is asked each time they sign and never stored: a copy of the database alone does not
  let anyone sign in their name (the password is stretched with PBKDF2-SHA256, so
  guessing it offline is slow).
* The organ's keys that must work unattended (the internal CA; the organ seal unless
  it was given a password) are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under
  the key-encryption key `VANBAN_KEY_ENCRYPTION_KEY`. Trade-off: when that setting is
  empty the key is derived from `SECRET_KEY`, so a newcomer has nothing to configure,
  but whoever holds the database AND the settings can use the organ's key, and changing
  SECRET_KEY makes those keys unreadable. Production sets its own key-encryption key,
  kept out of the database and its backups (comma-separated to rotate: the first
  encrypts, every one decrypts), or keeps the organ key on an HSM (PKCS#11).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import Certificate
from django.conf import settings

from vanban.signatures.errors import SignatureError, wrong_secret

# PBKDF2 rounds for the PKCS#12 blobs this system writes: about 25 ms to open on this
# kind of machine, slow enough to make offline guessing costly, fast enough to sign.
PKCS12_KDF_ROUNDS = 100_000


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in str(getattr(settings, "VANBAN_KEY_ENCRYPTION_KEY", "") or "").split(",")]
    keys = [k for k in configured if k]
    if not keys:
        digest = hashlib.sha256(b"vanban-key-encryption:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise SignatureError(
            "key_encryption_key_invalid",
            "Khóa mã hóa khóa bí mật (VANBAN_KEY_ENCRYPTION_KEY) không hợp lệ: cần khóa Fernet 32 byte mã hóa base64.",
        ) from exc


def seal_with_server_key(key: PrivateKeyTypes) -> bytes:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return _fernet().encrypt(der)


def open_with_server_key(blob: bytes) -> PrivateKeyTypes:
    try:
        der = _fernet().decrypt(bytes(blob))
    except InvalidToken as exc:
        raise SignatureError(
            "key_encryption_key_mismatch",
            "Không giải mã được khóa bí mật của cơ quan: khóa mã hóa của máy chủ đã thay đổi. "
            "Hãy khôi phục VANBAN_KEY_ENCRYPTION_KEY (hoặc SECRET_KEY) cũ.",
        ) from exc
    return serialization.load_der_private_key(der, password=None)


def pkcs12_with_password(
    *, name: str, key: PrivateKeyTypes, certificate: Certificate, chain: list[Certificate], password: str
) -> bytes:
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(name.encode("utf-8"), key, certificate, chain or None, encryption)  # type: ignore[arg-type]


def open_pkcs12(blob: bytes, password: str) -> tuple[PrivateKeyTypes, Certificate, list[Certificate]]:
    """Key, certificate and the other certificates of a PKCS#12 blob; a wrong password
    raises wrong_signing_password; a blob without key or certificate is refused."""
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(bytes(blob), password.encode("utf-8") or None)
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" for both: a blob this
        # system stored is known good, so it is the password.
        raise wrong_secret() from exc
    if key is None or certificate is None:
        raise SignatureError("pkcs12_incomplete", "Tệp PKCS#12 không chứa đủ khóa bí mật và chứng thư số.", "file")
    return key, certificate, list(others)
