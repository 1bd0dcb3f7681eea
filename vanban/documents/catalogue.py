"""The fixed lists documents are described with (domain.md §3.3, §4.3, §4.4, §6).

Urgency, secrecy and receipt method are closed enums: the law fixes them. Document
types are an open catalogue (a table the system administrator extends); the rows below
are what every installation starts with, loaded by a data migration.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from vanban.documents.errors import DocumentError


class Urgency(models.TextChoices):
    """Mức độ khẩn (ND30 Art 15, App I): higher rank jumps the queue."""

    NORMAL = "normal", "Thường"
    KHAN = "khan", "Khẩn"
    THUONG_KHAN = "thuong_khan", "Thượng khẩn"
    HOA_TOC = "hoa_toc", "Hỏa tốc"


URGENCY_RANK: dict[str, int] = {
    Urgency.NORMAL: 0,
    Urgency.KHAN: 1,
    Urgency.THUONG_KHAN: 2,
    Urgency.HOA_TOC: 3,
}


class Secrecy(models.TextChoices):
    """Độ mật. Only NONE may enter the system; the others exist so that a clerk who picks
    one is told why the document must stay on paper (Law 29/2018/QH14, QĐ2226)."""

    NONE = "none", "Không mật"
    MAT = "mat", "Mật"
    TOI_MAT = "toi_mat", "Tối mật"
    TUYET_MAT = "tuyet_mat", "Tuyệt mật"


class ReceiptMethod(models.TextChoices):
    """How an incoming document arrived (phương thức nhận)."""

    PAPER = "paper", "Giấy (bưu chính)"
    EMAIL = "email", "Thư điện tử"
    EXCHANGE = "exchange", "Trục liên thông (điện tử)"
    IN_PERSON = "in_person", "Trực tiếp"
    FAX = "fax", "Fax"
    # Issued inside the ministry and delivered by the system itself (never chosen by hand).
    INTERNAL = "internal", "Nội bộ trên hệ thống (điện tử)"


class TypeGroup(models.TextChoices):
    ADMINISTRATIVE = "administrative", "Văn bản hành chính"
    LEGAL = "legal", "Văn bản quy phạm pháp luật"
    COPY = "copy", "Bản sao"
    OTHER = "other", "Khác"


@dataclass(frozen=True)
class TypeSeed:
    code: str
    name: str
    abbreviation: str
    group: str
    is_forbidden: bool = False


_A, _L, _C, _O = TypeGroup.ADMINISTRATIVE, TypeGroup.LEGAL, TypeGroup.COPY, TypeGroup.OTHER

# ND30 Art 7, App III, in the appendix's order. Abbreviations are stored as written:
# the mixed-case ones (QyĐ, CTr, TTr, TrS) are how the decree spells them; symbols are
# compared case-insensitively. Công văn and Thư công have no abbreviation.
ADMINISTRATIVE_TYPES: tuple[TypeSeed, ...] = (
    TypeSeed("nghi-quyet-ca-biet", "Nghị quyết (cá biệt)", "NQ", _A),
    TypeSeed("quyet-dinh-ca-biet", "Quyết định (cá biệt)", "QĐ", _A),
    TypeSeed("chi-thi", "Chỉ thị", "CT", _A),
    TypeSeed("quy-che", "Quy chế", "QC", _A),
    TypeSeed("quy-dinh", "Quy định", "QyĐ", _A),
    TypeSeed("thong-cao", "Thông cáo", "TC", _A),
    TypeSeed("thong-bao", "Thông báo", "TB", _A),
    TypeSeed("huong-dan", "Hướng dẫn", "HD", _A),
    TypeSeed("chuong-trinh", "Chương trình", "CTr", _A),
    TypeSeed("ke-hoach", "Kế hoạch", "KH", _A),
    TypeSeed("phuong-an", "Phương án", "PA", _A),
    TypeSeed("de-an", "Đề án", "ĐA", _A),
    TypeSeed("du-an", "Dự án", "DA", _A),
    TypeSeed("bao-cao", "Báo cáo", "BC", _A),
    TypeSeed("bien-ban", "Biên bản", "BB", _A),
    TypeSeed("to-trinh", "Tờ trình", "TTr", _A),
    TypeSeed("hop-dong", "Hợp đồng", "HĐ", _A),
    TypeSeed("cong-van", "Công văn", "", _A),
    TypeSeed("cong-dien", "Công điện", "CĐ", _A),
    TypeSeed("ban-ghi-nho", "Bản ghi nhớ", "BGN", _A),
    TypeSeed("ban-thoa-thuan", "Bản thỏa thuận", "BTT", _A),
    TypeSeed("giay-uy-quyen", "Giấy ủy quyền", "GUQ", _A),
    TypeSeed("giay-moi", "Giấy mời", "GM", _A),
    TypeSeed("giay-gioi-thieu", "Giấy giới thiệu", "GGT", _A),
    TypeSeed("giay-nghi-phep", "Giấy nghỉ phép", "GNP", _A),
    TypeSeed("phieu-gui", "Phiếu gửi", "PG", _A),
    TypeSeed("phieu-chuyen", "Phiếu chuyển", "PC", _A),
    TypeSeed("phieu-bao", "Phiếu báo", "PB", _A),
    TypeSeed("thu-cong", "Thư công", "", _A),
)

# Normative documents clerks receive from the National Assembly, the Government and
# ministries (Law 80/2015/QH13 as amended). A Luật's symbol is the issuing body's
# ("29/2018/QH14"), so it has no type abbreviation of its own.
LEGAL_TYPES: tuple[TypeSeed, ...] = (
    TypeSeed("luat", "Luật", "", _L),
    TypeSeed("phap-lenh", "Pháp lệnh", "PL", _L),
    TypeSeed("lenh", "Lệnh", "L", _L),
    TypeSeed("nghi-quyet-qppl", "Nghị quyết (quy phạm pháp luật)", "NQ", _L),
    TypeSeed("nghi-quyet-lien-tich", "Nghị quyết liên tịch", "NQLT", _L),
    TypeSeed("nghi-dinh", "Nghị định", "NĐ", _L),
    TypeSeed("quyet-dinh-qppl", "Quyết định (quy phạm pháp luật)", "QĐ", _L),
    TypeSeed("thong-tu", "Thông tư", "TT", _L),
    TypeSeed("thong-tu-lien-tich", "Thông tư liên tịch", "TTLT", _L),
)

# ND30 Art 25: the three forms of copy share one yearly series.
COPY_TYPES: tuple[TypeSeed, ...] = (
    TypeSeed("ban-sao-y", "Bản sao y", "SY", _C),
    TypeSeed("ban-trich-sao", "Bản trích sao", "TrS", _C),
    TypeSeed("ban-sao-luc", "Bản sao lục", "SL", _C),
)

# QĐ2226 keeps denunciation letters out of the system. It is in the catalogue so that
# a clerk who picks it gets the reason instead of a silent omission.
FORBIDDEN_TYPES: tuple[TypeSeed, ...] = (TypeSeed("don-thu-to-cao", "Đơn thư tố cáo", "", _O, is_forbidden=True),)

BUILTIN_TYPES: tuple[TypeSeed, ...] = ADMINISTRATIVE_TYPES + LEGAL_TYPES + COPY_TYPES + FORBIDDEN_TYPES

SECRET_MESSAGE = (
    "Văn bản có độ mật «{label}» không được đưa vào hệ thống văn bản điện tử "
    "(Luật Bảo vệ bí mật nhà nước số 29/2018/QH14 và Quyết định 2226/QĐ-BCT): "
    "văn bản mật được tiếp nhận, đăng ký và xử lý trên giấy theo quy định riêng. "
    "Không có tệp hay nội dung nào của văn bản này được lưu."
)
FORBIDDEN_KIND_MESSAGE = (
    "«{label}» không được đưa vào hệ thống văn bản điện tử (Quyết định 2226/QĐ-BCT): "
    "hãy chuyển theo quy trình tiếp nhận, xử lý đơn thư. "
    "Không có tệp hay nội dung nào của văn bản này được lưu."
)


def ensure_admissible(*, secrecy: str, document_type: object | None = None) -> None:
    """Refuse what may not enter the system, before anything is stored: any secrecy
    other than "Không mật", and a forbidden kind (đơn thư tố cáo). The caller logs the
    refusal without content (issue 3, "Guards")."""
    if secrecy not in Secrecy.values:
        raise DocumentError("invalid_secrecy", "Độ mật không hợp lệ.", "secrecy")
    if secrecy != Secrecy.NONE:
        raise DocumentError("secret_document", SECRET_MESSAGE.format(label=Secrecy(secrecy).label), "secrecy")
    if document_type is not None and getattr(document_type, "is_forbidden", False):
        name = getattr(document_type, "name", "")
        raise DocumentError("forbidden_kind", FORBIDDEN_KIND_MESSAGE.format(label=name), "document_type")


def urgency_rank(value: str) -> int:
    return URGENCY_RANK.get(value, 0)
