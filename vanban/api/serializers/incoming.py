"""Incoming documents (văn bản đến) on the wire."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanban.api.serializers.common import ErrorSerializer, QuerySerializer, StrictSerializer, bounded_id
from vanban.api.serializers.signature_reports import SignatureReportSerializer
from vanban.documents.catalogue import ReceiptMethod, Secrecy, Urgency
from vanban.documents.signature_reports import report_of
from vanban.incoming.models import IncomingDocument, IncomingFile
from vanban.incoming.services import TEXT_LIMITS

# --- Output ----------------------------------------------------------------------


class IncomingFileSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(source="file.sha256", help_text="Mã băm SHA-256 của tệp gốc, lưu nguyên vẹn")
    size = serializers.IntegerField(source="file.size", help_text="Kích thước (byte)")
    kind = serializers.CharField(source="file.kind")
    content_type = serializers.CharField(source="file.content_type")
    page_count = serializers.IntegerField(source="file.page_count", allow_null=True)
    is_signed_pdf = serializers.BooleanField(source="file.is_signed_pdf", help_text="PDF có chữ ký số (PAdES)")
    signature_report = serializers.SerializerMethodField(
        help_text="Kết quả kiểm tra chữ ký số (state pending khi đang kiểm tra); null với tệp không có chữ ký"
    )

    class Meta:
        model = IncomingFile
        fields = ["id", "name", "role", "position", "sha256", "size", "kind", "content_type", "page_count",
                  "is_signed_pdf", "signature_report"]  # fmt: skip

    @extend_schema_field(SignatureReportSerializer(allow_null=True))
    def get_signature_report(self, link: IncomingFile) -> dict[str, Any] | None:
        report = report_of(link.file)
        return SignatureReportSerializer(report).data if report is not None else None


class IncomingSummarySerializer(serializers.ModelSerializer):
    register_name = serializers.CharField(source="register.name")
    year = serializers.IntegerField(source="register.year")
    document_type_name = serializers.CharField(source="document_type.name")
    issuing_organ_name = serializers.CharField(source="issuing_organ.name")
    number_symbol = serializers.CharField(help_text="Số và ký hiệu như in trên văn bản, ví dụ 125/UBND-KT")

    class Meta:
        model = IncomingDocument
        fields = ["id", "register", "register_name", "year", "arrival_number", "arrival_date", "document_type",
                  "document_type_name", "code_number", "code_notation", "number_symbol", "issued_date",
                  "issuing_organ", "issuing_organ_name", "subject", "urgency", "due_date", "status"]  # fmt: skip


class TextConversionSerializer(serializers.Serializer):
    field = serializers.CharField()
    source = serializers.CharField(help_text="Bảng mã phát hiện: tcvn3, vni, viqr hoặc unicode (NFD)")
    original = serializers.CharField()
    converted = serializers.CharField()


class IncomingSerializer(IncomingSummarySerializer):
    files = IncomingFileSerializer(many=True)
    registered_by = serializers.CharField(source="registered_by.username")
    text_conversions = serializers.SerializerMethodField(
        help_text="Trường đã được chuyển từ bảng mã cũ sang Unicode khi đăng ký (chỉ có trong phản hồi đăng ký)"
    )

    class Meta(IncomingSummarySerializer.Meta):
        fields = [*IncomingSummarySerializer.Meta.fields, "language", "page_amount", "description", "signer_name",
                  "signer_position", "secrecy", "receipt_method", "to_places", "registered_by", "registered_at",
                  "files", "text_conversions"]  # fmt: skip

    def get_text_conversions(self, doc: IncomingDocument) -> list[dict[str, Any]]:
        conversions = getattr(doc, "text_conversions", {}) or {}
        return TextConversionSerializer(
            [
                {"field": name, "source": c.source, "original": c.original, "converted": c.converted}
                for name, c in conversions.items()
            ],
            many=True,
        ).data


class DuplicateMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    arrival_number = serializers.IntegerField()
    year = serializers.IntegerField()
    register = serializers.CharField()
    arrival_date = serializers.CharField()
    arrival_date_display = serializers.CharField()
    number_symbol = serializers.CharField()
    issued_date = serializers.CharField()
    reason = serializers.ChoiceField(choices=["metadata", "file"])


class DuplicateErrorSerializer(ErrorSerializer):
    matches = DuplicateMatchSerializer(many=True, help_text="Các lần đăng ký trước có thể trùng")


class PreviewRunSerializer(serializers.Serializer):
    text = serializers.CharField()
    bold = serializers.BooleanField()
    italic = serializers.BooleanField()


class PreviewBlockSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["heading", "paragraph", "table"])
    text = serializers.CharField(required=False, help_text="Chữ của đề mục hoặc đoạn văn")
    runs = PreviewRunSerializer(many=True, required=False, help_text="Các đoạn chữ với định dạng đậm, nghiêng")
    level = serializers.IntegerField(required=False, help_text="Cấp đề mục (1–9)")
    align = serializers.ChoiceField(choices=["center", "right", "justify"], required=False)
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        required=False,
        help_text="Bảng: các hàng, mỗi hàng là chữ của các ô (ô gộp chỉ xuất hiện một lần)",
    )


class FilePreviewSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Loại tệp: docx, odt hoặc xlsx")
    truncated = serializers.BooleanField(help_text="Tệp dài hơn giới hạn xem trước: chỉ có phần đầu")
    converted_from = serializers.ListField(
        child=serializers.CharField(), help_text="Bảng mã cũ (tcvn3, vni, viqr) đã được chuyển sang Unicode để xem"
    )
    header = PreviewBlockSerializer(many=True, help_text="Chữ ở đầu trang (header) của văn bản")
    blocks = PreviewBlockSerializer(many=True, help_text="Nội dung theo thứ tự đọc: đề mục, đoạn văn, bảng")
    text = serializers.CharField(allow_blank=True, help_text="Toàn bộ chữ của bản xem trước, dạng văn bản thuần")
    sheet = serializers.CharField(required=False, help_text="XLSX: tên trang tính được xem (trang tính đầu)")
    sheet_count = serializers.IntegerField(required=False, help_text="XLSX: số trang tính trong tệp")


# --- Input -----------------------------------------------------------------------


class IncomingCreateSerializer(StrictSerializer):
    document_type = bounded_id(help_text="Loại văn bản (GET /document-types)")
    issuing_organ = bounded_id(required=False, help_text="Cơ quan ban hành trong danh bạ")
    issuing_organ_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Hoặc tên cơ quan ban hành (thêm vào danh bạ nếu chưa có)",
    )
    code_number = serializers.CharField(required=False, allow_blank=True, max_length=11)
    code_notation = serializers.CharField(required=False, allow_blank=True, max_length=30)
    issued_date = serializers.DateField()
    arrival_date = serializers.DateTimeField(required=False, help_text="Mặc định: thời điểm đăng ký")
    subject = serializers.CharField(max_length=500)
    language = serializers.CharField(required=False, max_length=30, default="Tiếng Việt")
    page_amount = serializers.IntegerField(required=False, min_value=1, max_value=999)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    signer_position = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(
        choices=Secrecy.choices, default=Secrecy.NONE, help_text="Chỉ «none» được nhận; độ mật khác bị từ chối"
    )
    receipt_method = serializers.ChoiceField(choices=ReceiptMethod.choices, default=ReceiptMethod.PAPER)
    due_date = serializers.DateField(required=False)
    to_places = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    register = bounded_id(required=False, help_text="Sổ đăng ký; mặc định sổ văn bản đến năm nay của văn thư")
    confirm_duplicate = serializers.BooleanField(required=False, default=False)
    confirm_not_secret = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Xác nhận văn bản không mật khi tệp có dấu độ mật (secrecy_stamp_suspected)",
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list,
        help_text="Tệp: tệp đầu là văn bản chính, các tệp sau là phụ lục (multipart/form-data)",
    )  # fmt: skip
    proposal = serializers.UUIDField(
        required=False,
        help_text="Mã kết quả đọc tự động (POST /extraction) của chính người gọi: tệp đã gửi khi đọc tự động "
        "được đăng ký làm văn bản chính, không cần gửi lại (các tệp trong files là phụ lục). Lỗi: "
        "proposal_not_found, proposal_expired (đã dùng để đăng ký hoặc quá 1 ngày), secret_document.",
    )
    keep_as_typed = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=len(TEXT_LIMITS),
        help_text="Trường văn bản giữ nguyên như đã gõ, không chuyển từ bảng mã cũ sang Unicode (vẫn chuẩn hóa NFC): "
        + ", ".join(TEXT_LIMITS) + ". Tên trường khác: lỗi invalid_keep_as_typed.",
    )  # fmt: skip


class IncomingFilterSerializer(QuerySerializer):
    date_from = serializers.DateField(required=False, help_text="Ngày đến từ")
    date_to = serializers.DateField(required=False, help_text="Ngày đến đến")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    document_type = bounded_id(required=False)
    q = serializers.CharField(required=False, max_length=200, help_text="Tìm trong trích yếu, ký hiệu, cơ quan")
