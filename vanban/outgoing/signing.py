"""The outgoing flow's use of digital signatures (vanban.signatures): the signer's
PAdES signature, then the clerk's number-and-date stamp and the organ's seal, each a
new file; the input is never rewritten."""

from __future__ import annotations

from typing import Any

from vanban.documents import storage
from vanban.outgoing.errors import OutgoingError
from vanban.outgoing.models import OutgoingDocument, Version
from vanban.signatures import selectors as signature_selectors
from vanban.signatures import services as signature_services


def _bytes(version: Version) -> bytes:
    with storage.open_blob(version.file.sha256) as fh:
        return fh.read()


def sign_by_signer(*, actor: Any, doc: OutgoingDocument, version: Version, secret: str) -> bytes:
    credential = signature_selectors.active_credential(actor)
    if credential is None:
        raise OutgoingError(
            "no_credential",
            "Bạn chưa có chứng thư số còn hiệu lực để ký: hãy nhập tệp PKCS#12 hoặc đề nghị cấp chứng thư "
            "ở trang «Chữ ký số».",
            "secret",
        )
    result = signature_services.sign_as_person(
        actor=actor, pdf=_bytes(version), credential=credential, secret=secret,
        reason=f"Ký ban hành {doc.document_type.base_name.lower()}", filename=version.file_name,
    )  # fmt: skip
    return result.pdf


def number_and_seal(*, actor: Any, doc: OutgoingDocument, signed: Version, seal_secret: str | None) -> bytes:
    """ND30 Art 15 order: number and date on the signed page, then the organ signature
    over it."""
    stamped = signature_services.stamp_number_and_date(
        actor=actor, pdf=_bytes(signed), number_symbol=doc.number_symbol, issued_date=doc.issued_date,
        filename=signed.file_name,
    )  # fmt: skip
    sealed = signature_services.seal_as_organ(
        actor=actor, pdf=stamped.pdf, secret=seal_secret, number_symbol=doc.number_symbol, filename=signed.file_name,
    )  # fmt: skip
    return sealed.pdf
