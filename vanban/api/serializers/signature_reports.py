"""The signature check of a stored PDF (vanban.signatures.validation) on the wire. The
report itself is kept as JSON; these serializers describe its shape for the schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanban.documents.models import SignatureReport
from vanban.signatures.validation import SIGNATURE_KINDS, SIGNER_KINDS


class CertificateSerializer(serializers.Serializer):
    common_name = serializers.CharField(help_text="CN: họ tên người ký, hoặc tên cơ quan với chữ ký số cơ quan")
    organization = serializers.CharField(help_text="O: cơ quan")
    organizational_unit = serializers.CharField(help_text="OU: đơn vị")
    email = serializers.CharField()
    subject = serializers.CharField()
    issuer = serializers.CharField(help_text="Tổ chức cấp chứng thư")
    issuer_common_name = serializers.CharField()
    serial = serializers.CharField(help_text="Số hiệu chứng thư (hex)")
    not_before = serializers.CharField(help_text="ISO 8601, giờ Việt Nam")
    not_after = serializers.CharField(help_text="ISO 8601, giờ Việt Nam")
    sha256 = serializers.CharField(help_text="Dấu vân tay SHA-256 của chứng thư")


class TimestampSerializer(serializers.Serializer):
    time = serializers.CharField(allow_null=True, help_text="Thời điểm trong dấu thời gian, ISO 8601 (+07:00)")
    intact = serializers.BooleanField()
    valid = serializers.BooleanField()
    trusted = serializers.BooleanField()
    authority = serializers.CharField(help_text="Đơn vị cấp dấu thời gian")
    trust_problem = serializers.CharField(allow_null=True)


class PdfSignatureSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Tên trường chữ ký trong PDF")
    kind = serializers.ChoiceField(choices=SIGNATURE_KINDS)
    signer_kind = serializers.ChoiceField(
        choices=SIGNER_KINDS,
        help_text="person: chữ ký số cá nhân; seal: chữ ký số cơ quan (suy ra từ chứng thư)",
    )
    signer = CertificateSerializer(allow_null=True)
    subfilter = serializers.CharField(help_text="/ETSI.CAdES.detached (PAdES) hoặc /adbe.pkcs7.detached")
    signing_time = serializers.CharField(allow_null=True, help_text="Thời điểm ký do người ký khai, ISO 8601 (+07:00)")
    timestamp = TimestampSerializer(allow_null=True, help_text="Dấu thời gian của chữ ký (PAdES B-T), nếu có")
    intact = serializers.BooleanField(help_text="Nội dung được ký không bị thay đổi")
    valid = serializers.BooleanField(help_text="Chữ ký hợp lệ về mặt mật mã")
    trusted = serializers.BooleanField(help_text="Chuỗi chứng thư đến một chứng thư gốc tin cậy đã cấu hình")
    trust_problem = serializers.CharField(allow_null=True, help_text="Mã vấn đề (chỉ báo phụ AdES) khi chưa tin cậy")
    trust_reason = serializers.CharField(allow_null=True, help_text="Lý do chưa tin cậy, tiếng Việt")
    revoked = serializers.BooleanField()
    revocation = serializers.DictField(allow_null=True)
    revocation_data_embedded = serializers.BooleanField(help_text="Tệp có mang thông tin thu hồi (CRL/OCSP)")
    coverage = serializers.CharField(
        allow_null=True, help_text="entire_file, entire_revision, contiguous_block, unclear"
    )
    covers_whole_file = serializers.BooleanField()
    modification_level = serializers.CharField(
        allow_null=True, help_text="Thay đổi sau khi ký: NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER"
    )
    modifications_allowed = serializers.BooleanField()
    certification = serializers.CharField(allow_null=True, help_text="Mức DocMDP nếu là chữ ký chứng nhận")
    pades_level = serializers.CharField(allow_null=True, help_text="B-B, B-T, B-LT, B-LTA; null nếu không phải PAdES")
    digest_algorithm = serializers.CharField()
    signature_mechanism = serializers.CharField()
    ok = serializers.BooleanField(help_text="Nguyên vẹn, hợp lệ và không bị sửa trái phép sau khi ký")
    error = serializers.CharField(allow_null=True)
    problems_vi = serializers.ListField(child=serializers.CharField())
    summary_vi = serializers.CharField()


class PdfReportSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    checked_at = serializers.CharField()
    validation_time = serializers.CharField()
    trust_roots = serializers.IntegerField(help_text="Số chứng thư gốc tin cậy đã dùng")
    signed = serializers.BooleanField()
    signatures = PdfSignatureSerializer(many=True)
    ok = serializers.BooleanField()
    trusted = serializers.BooleanField()
    changed_after_signing = serializers.BooleanField()
    summary_vi = serializers.CharField()


class SignatureReportSerializer(serializers.ModelSerializer):
    report = serializers.SerializerMethodField(
        help_text="Báo cáo đầy đủ; null khi đang kiểm tra hoặc không kiểm tra được"
    )

    class Meta:
        model = SignatureReport
        fields = ["state", "ok", "trusted", "signature_count", "error_code", "error_message", "checked_at", "report"]

    @extend_schema_field(PdfReportSerializer(allow_null=True))
    def get_report(self, instance: SignatureReport) -> dict[str, Any] | None:
        return instance.report or None
