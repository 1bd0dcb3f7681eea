"""Timestamps and long-term validation data: which PAdES level a new signature gets.

- B-B: no timestamp service configured.
- B-T: the signature carries an RFC 3161 timestamp token from VANBAN_TSA_URL — an
  external service (http/https), or "internal" for the organ's own timestamp authority
  (issued by the internal CA at `vanban pki init`, also served at /pki/tsa for other
  systems of the ministry).
- B-LT: plus the certificates and CRLs a validator needs later, embedded in the PDF's
  DSS, so the signature can be checked after the certificate expires or the CA is gone.
- B-LTA: plus a document timestamp over all of that.

VANBAN_PADES_LEVEL picks one ("auto", the default, is B-LT when a timestamp service is
configured and B-B otherwise). Revocation data comes from the internal CA's CRLs; for
certificates of other CAs it is fetched from their distribution points only when
VANBAN_REVOCATION_FETCH is on, otherwise "auto" stops at B-T for them rather than fail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext

from vanban.signatures import keystore, pki
from vanban.signatures.errors import SignatureError

logger = logging.getLogger(__name__)

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
INTERNAL = "internal"


def configured_level() -> str:
    level = str(getattr(settings, "VANBAN_PADES_LEVEL", "auto") or "auto").upper()
    if level != "AUTO" and level not in LEVELS:
        raise SignatureError(
            "pades_level_invalid",
            f"VANBAN_PADES_LEVEL không hợp lệ: «{level}». Dùng auto, B-B, B-T, B-LT hoặc B-LTA.",
        )
    return level


def tsa_url() -> str:
    return str(getattr(settings, "VANBAN_TSA_URL", "") or "").strip()


class InternalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process RFC 3161 responder, signing with the organ's timestamp
    authority key. The clock is this server's: fine for an internal service whose
    tokens the organ vouches for; a public TSA is configured by URL instead."""


def internal_timestamper() -> InternalTimeStamper:
    from vanban.signatures import selectors

    credential = selectors.tsa_credential()
    if credential is None:
        raise SignatureError(
            "tsa_missing",
            "Chưa có dịch vụ cấp dấu thời gian nội bộ: quản trị hệ thống cần chạy «vanban pki init».",
        )
    key = keystore.open_with_server_key(bytes(credential.key_blob))
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    certificate = pki.load_pem_list(credential.certificate_pem)[0]
    chain = [pki.to_asn1(c) for c in pki.load_pem_list(credential.chain_pem)]
    return InternalTimeStamper(
        tsa_cert=pki.to_asn1(certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der),
        certs_to_embed=chain,
    )


def timestamper() -> TimeStamper | None:
    url = tsa_url()
    if not url:
        return None
    if url == INTERNAL:
        return internal_timestamper()
    timeout = int(getattr(settings, "VANBAN_TSA_TIMEOUT", 10) or 10)
    return HTTPTimeStamper(url, timeout=timeout)


def respond(request_der: bytes) -> bytes:
    """Answer one RFC 3161 TimeStampReq (DER) with a TimeStampResp (DER)."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 - parse fully now, so garbage is refused here
    except Exception as exc:
        raise SignatureError("tsa_bad_request", "Yêu cầu cấp dấu thời gian không đúng định dạng RFC 3161.") from exc
    return internal_timestamper().request_tsa_response(request).dump()


@dataclass(frozen=True)
class SigningProfile:
    level: str
    timestamper: TimeStamper | None
    validation_context: ValidationContext | None

    @property
    def long_term(self) -> bool:
        return self.level in ("B-LT", "B-LTA")

    @property
    def archival(self) -> bool:
        return self.level == "B-LTA"


def profile(*, internal_chain: bool) -> SigningProfile:
    """The level and means for one new signature. `internal_chain`: the signer's
    certificate comes from the internal CA, whose CRLs we hold."""
    configured = configured_level()
    stamper = timestamper()
    level = ("B-LT" if stamper is not None else "B-B") if configured == "AUTO" else configured
    if level != "B-B" and stamper is None:
        raise SignatureError(
            "tsa_not_configured",
            f"Mức chữ ký {level} cần dịch vụ cấp dấu thời gian: hãy đặt VANBAN_TSA_URL (hoặc «internal»).",
        )
    fetch = bool(getattr(settings, "VANBAN_REVOCATION_FETCH", False))
    if level in ("B-LT", "B-LTA") and not internal_chain and not fetch:
        if configured == "AUTO":
            level = "B-T"
        else:
            raise SignatureError(
                "revocation_fetch_disabled",
                f"Mức chữ ký {level} cần dữ liệu thu hồi của CA cấp chứng thư này: hãy bật VANBAN_REVOCATION_FETCH.",
            )
    context = None
    if level in ("B-LT", "B-LTA"):
        context = ValidationContext(
            trust_roots=pki.trust_roots(), crls=pki.internal_crls(), allow_fetching=fetch, revocation_mode="soft-fail"
        )
    return SigningProfile(level=level, timestamper=stamper if level != "B-B" else None, validation_context=context)


def describe_settings() -> dict[str, Any]:
    """What the operator configured, for the organ signature page and its API."""
    from vanban.signatures import selectors

    url = tsa_url()
    configured = configured_level()
    effective = ("B-LT" if url else "B-B") if configured == "AUTO" else configured
    if url == INTERNAL:
        service = "Dịch vụ dấu thời gian nội bộ của cơ quan"
    elif url:
        service = url
    else:
        service = "Chưa cấu hình (chữ ký không có dấu thời gian)"
    tsa = selectors.tsa_credential()
    return {
        "tsa_url": url,
        "tsa_label": service,
        "configured_level": configured.lower() if configured == "AUTO" else configured,
        "level": effective,
        "revocation_fetch": bool(getattr(settings, "VANBAN_REVOCATION_FETCH", False)),
        "internal_tsa": tsa,
    }
