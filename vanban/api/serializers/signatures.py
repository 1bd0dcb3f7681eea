"""Signing credentials, signature images and the organ seal."""

from __future__ import annotations

from rest_framework import serializers

from vanban.api.serializers.common import StrictSerializer
from vanban.signatures.models import CertificateAuthority, SignatureImage, SigningCredential


class SigningCredentialSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="serial_hex", help_text="Số hiệu chứng thư (hex)")
    status = serializers.ChoiceField(choices=SigningCredential.Status.choices, help_text="Trạng thái hôm nay")
    status_label = serializers.CharField()
    is_default = serializers.SerializerMethodField(help_text="Chứng thư được dùng để ký theo mặc định")
    token_label = serializers.CharField(source="pkcs11_token_label")
    key_label = serializers.CharField(source="pkcs11_key_label")

    class Meta:
        model = SigningCredential
        fields = [
            "id",
            "kind",
            "source",
            "protection",
            "label",
            "subject_cn",
            "subject",
            "issuer",
            "serial",
            "fingerprint_sha256",
            "not_before",
            "not_after",
            "status",
            "status_label",
            "is_default",
            "revoked_at",
            "revocation_reason",
            "token_label",
            "key_label",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_default(self, obj: SigningCredential) -> bool:
        default = self.context.get("default_id")
        return default is not None and obj.pk == default


class CredentialIssueSerializer(StrictSerializer):
    password = serializers.CharField(
        write_only=True, help_text="Mật khẩu ký số (ít nhất 6 ký tự), hỏi lại mỗi lần ký; không được lưu"
    )
    days = serializers.IntegerField(min_value=1, max_value=3650, default=730, help_text="Thời hạn (ngày)")


class CredentialImportSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="Tệp PKCS#12 (.p12, .pfx), tối đa 1 MB")
    password = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Mật khẩu của tệp; trở thành mật khẩu ký số"
    )
    label = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CredentialRevokeSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=True, help_text="Ảnh PNG nền trong suốt, tối đa 5 MB")


class SignatureImageSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(source="file.sha256")
    png_base64 = serializers.SerializerMethodField(help_text="Ảnh PNG, mã hóa base64")

    class Meta:
        model = SignatureImage
        fields = ["id", "kind", "sha256", "width_px", "height_px", "generated", "created_at", "png_base64"]
        read_only_fields = fields

    def get_png_base64(self, obj: SignatureImage) -> str:
        import base64

        from vanban.signatures.selectors import image_bytes

        return base64.b64encode(image_bytes(obj)).decode("ascii")


class MeSignatureImageSerializer(serializers.Serializer):
    image = SignatureImageSerializer(allow_null=True, help_text="Ảnh chữ ký đang dùng; null khi chưa có")


class AuthoritySerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="serial_hex")

    class Meta:
        model = CertificateAuthority
        fields = [
            "id",
            "subject",
            "serial",
            "not_before",
            "not_after",
            "crl_number",
            "crl_updated_at",
            "certificate_pem",
        ]
        read_only_fields = fields


class TimestampSettingsSerializer(serializers.Serializer):
    tsa_url = serializers.CharField(help_text="VANBAN_TSA_URL: «internal», địa chỉ dịch vụ RFC 3161, hoặc rỗng")
    tsa_label = serializers.CharField()
    configured_level = serializers.CharField(help_text="VANBAN_PADES_LEVEL: auto, B-B, B-T, B-LT, B-LTA")
    level = serializers.CharField(help_text="Mức PAdES của chữ ký mới (chứng thư CA nội bộ)")
    revocation_fetch = serializers.BooleanField()
    internal_tsa = SigningCredentialSerializer(allow_null=True, help_text="Chứng thư dịch vụ dấu thời gian nội bộ")


class OrganSealSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="Có chứng thư số cơ quan còn hiệu lực và ảnh con dấu: đóng dấu được")
    authority = AuthoritySerializer(allow_null=True)
    credential = SigningCredentialSerializer(allow_null=True, help_text="Chứng thư số cơ quan đang dùng")
    credentials = SigningCredentialSerializer(many=True)
    seal_image = SignatureImageSerializer(allow_null=True)
    timestamps = TimestampSettingsSerializer()
