"""Keys, certificates and the images that show a signature on the page.

Private keys are never stored in the clear: a person's key is a PKCS#12 blob protected
by their signing password (PIN), asked at signing time; the organ's keys kept by the
server (the internal CA, the organ seal) are encrypted with the key-encryption key from
the settings (see `keystore`); a key on a PKCS#11 token or HSM never leaves it, only its
labels are stored here."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class CertificateAuthority(models.Model):
    """The organ's internal root CA, for demos, tests and installations without a
    public CA. Its key is encrypted with the server's key-encryption key."""

    organ = models.ForeignKey("organisation.Organ", on_delete=models.PROTECT, related_name="certificate_authorities")
    subject = models.CharField("Chủ thể", max_length=500)
    serial_hex = models.CharField("Số hiệu", max_length=64)
    certificate_pem = models.TextField()
    key_blob = models.BinaryField()
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    crl_number = models.PositiveIntegerField(default=0)
    crl_der = models.BinaryField(blank=True, default=b"")
    crl_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "CA nội bộ"

    def __str__(self) -> str:
        return self.subject


class SigningCredential(models.Model):
    """A certificate and the means to use its key: a person's (own signature) or the
    organ's (the seal the Văn thư applies)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Chữ ký số cá nhân"
        ORGAN = "organ", "Chữ ký số cơ quan"
        TSA = "tsa", "Dịch vụ cấp dấu thời gian nội bộ"

    class Source(models.TextChoices):
        INTERNAL_CA = "internal_ca", "CA nội bộ"
        PKCS12 = "pkcs12", "Tệp PKCS#12"
        PKCS11 = "pkcs11", "Thiết bị ký số (PKCS#11)"

    class Protection(models.TextChoices):
        PASSWORD = "password", "Mật khẩu ký số"
        SERVER_KEY = "server_key", "Khóa mã hóa của máy chủ"
        TOKEN = "token", "Mã PIN của thiết bị"

    class Status(models.TextChoices):
        VALID = "valid", "Còn hiệu lực"
        NOT_YET_VALID = "not_yet_valid", "Chưa có hiệu lực"
        EXPIRED = "expired", "Hết hạn"
        REVOKED = "revoked", "Đã thu hồi"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    protection = models.CharField(max_length=20, choices=Protection.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="signing_credentials"
    )
    organ = models.ForeignKey(
        "organisation.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="signing_credentials"
    )
    label = models.CharField("Tên gợi nhớ", max_length=200, blank=True)
    subject = models.CharField("Chủ thể", max_length=500)
    subject_cn = models.CharField("Tên chủ thể", max_length=200)
    issuer = models.CharField("Tổ chức cấp", max_length=500)
    serial_hex = models.CharField("Số hiệu", max_length=64, db_index=True)
    fingerprint_sha256 = models.CharField(max_length=64)
    not_before = models.DateTimeField("Hiệu lực từ")
    not_after = models.DateTimeField("Hiệu lực đến")
    certificate_pem = models.TextField()
    chain_pem = models.TextField(blank=True, help_text="Chứng thư trung gian và gốc (PEM)")
    key_blob = models.BinaryField(blank=True, default=b"")
    pkcs11_token_label = models.CharField(max_length=100, blank=True)
    pkcs11_key_label = models.CharField(max_length=100, blank=True)
    authority = models.ForeignKey(
        CertificateAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="issued"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Chứng thư số"
        constraints = [
            models.CheckConstraint(
                name="signing_credential_holder",
                condition=(models.Q(kind="personal", owner__isnull=False, organ__isnull=True))
                | (models.Q(kind__in=["organ", "tsa"], organ__isnull=False, owner__isnull=True)),
            ),
            # One person (or organ) does not hold the same certificate twice.
            models.UniqueConstraint(fields=["owner", "fingerprint_sha256"], name="signing_credential_unique_owner"),
            models.UniqueConstraint(fields=["organ", "fingerprint_sha256"], name="signing_credential_unique_organ"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_cn} ({self.serial_hex[:16]})"

    def status_at(self, moment: dt.datetime | None = None) -> str:
        moment = moment or timezone.now()
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if moment < self.not_before:
            return self.Status.NOT_YET_VALID
        if moment > self.not_after:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)


class SignatureImage(models.Model):
    """The picture a signature shows: a person's handwritten signature (blue, transparent
    PNG) or the organ's red seal. The newest row of a holder is the one in use."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", "Chữ ký tay"
        SEAL = "seal", "Con dấu"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="signature_images"
    )
    organ = models.ForeignKey(
        "organisation.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="seal_images"
    )
    file = models.ForeignKey("documents.StoredFile", on_delete=models.PROTECT, related_name="+")
    width_px = models.PositiveIntegerField()
    height_px = models.PositiveIntegerField()
    generated = models.BooleanField("Ảnh mẫu do hệ thống tạo", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Ảnh chữ ký, con dấu"
        constraints = [
            models.CheckConstraint(
                name="signature_image_holder",
                condition=(models.Q(kind="signature", owner__isnull=False, organ__isnull=True))
                | (models.Q(kind="seal", organ__isnull=False, owner__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
