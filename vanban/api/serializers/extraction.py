"""Auto-fill proposals (issue 8): the fields read from a document's first page."""

from __future__ import annotations

from rest_framework import serializers


class ExtractionRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Văn bản đến: PDF (có hoặc không có lớp chữ) hoặc ảnh quét PNG, JPEG, TIFF")


class ProposedFieldsSerializer(serializers.Serializer):
    organ_parent = serializers.CharField(allow_null=True, help_text="Tên cơ quan chủ quản (dòng trên)")
    organ = serializers.CharField(allow_null=True, help_text="Tên cơ quan ban hành")
    number = serializers.CharField(allow_null=True, help_text="Số, ví dụ 123")
    symbol = serializers.CharField(allow_null=True, help_text="Ký hiệu, ví dụ QĐ-BCT")
    number_symbol = serializers.CharField(allow_null=True, help_text="Số và ký hiệu, ví dụ 123/QĐ-BCT")
    place = serializers.CharField(allow_null=True, help_text="Địa danh")
    date = serializers.DateField(allow_null=True, help_text="Ngày tháng văn bản (ISO 8601)")
    doc_type = serializers.CharField(allow_null=True, help_text="Tên loại văn bản theo danh mục")
    summary = serializers.CharField(allow_null=True, help_text="Trích yếu nội dung")
    signer_name = serializers.CharField(allow_null=True)
    signer_position = serializers.CharField(allow_null=True)
    signing_authority = serializers.CharField(allow_null=True, help_text="KT., TL., TM., Q., TUQ. hoặc null")
    urgency = serializers.CharField(
        allow_null=True, help_text="Dấu độ khẩn in trên văn bản: KHẨN, THƯỢNG KHẨN, HỎA TỐC"
    )
    secrecy = serializers.CharField(allow_null=True, help_text="Dấu độ mật in trên văn bản: MẬT, TỐI MẬT, TUYỆT MẬT")


class ProposalSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.CharField(help_text="pending (đang đọc), done (đã đọc xong), failed (không đọc được)")
    file_name = serializers.CharField()
    source = serializers.CharField(help_text="text (lớp chữ của PDF), ocr (nhận dạng ảnh quét) hoặc rỗng khi chưa đọc")
    fields = ProposedFieldsSerializer(allow_null=True, help_text="Các trường đề xuất; null khi chưa đọc xong")
    secrecy_warning = serializers.CharField(
        allow_null=True,
        help_text="Lời từ chối khi trang đầu có dấu độ mật: văn bản mật không được đăng ký vào hệ thống",
    )
    job = serializers.UUIDField(allow_null=True, help_text="Tác vụ nền OCR (GET /api/v1/jobs/{id}) với ảnh quét")
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
