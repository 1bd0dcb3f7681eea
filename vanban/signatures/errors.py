"""Errors of digital signatures. Codes are stable (the API returns them); messages are
Vietnamese and say what the person can do about it."""

from __future__ import annotations

from vanban.core.errors import Conflict, VanbanError


class SignatureError(VanbanError):
    """Keys, certificates, images and the signing of a PDF."""


class SignatureConflict(Conflict):
    """The PDF is not in the state the step needs (sealing before the person signed)."""


def certificate_expired(not_after: str) -> SignatureError:
    return SignatureError(
        "certificate_expired",
        f"Chứng thư số đã hết hạn ngày {not_after}: không thể ký. Hãy đề nghị cấp chứng thư số mới.",
        "credential",
    )


def certificate_not_yet_valid(not_before: str) -> SignatureError:
    return SignatureError(
        "certificate_not_yet_valid",
        f"Chứng thư số chỉ có hiệu lực từ ngày {not_before}: chưa thể ký.",
        "credential",
    )


def certificate_revoked() -> SignatureError:
    return SignatureError(
        "certificate_revoked",
        "Chứng thư số đã bị thu hồi: không thể ký. Hãy đề nghị cấp chứng thư số mới.",
        "credential",
    )


def wrong_secret() -> SignatureError:
    return SignatureError(
        "wrong_signing_password",
        "Mật khẩu (mã PIN) ký số không đúng. Vui lòng nhập lại.",
        "secret",
    )
