from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vanban.core.text import fold
from vanban.organisation.roles import Role


def people_search_text(full_name: str, username: str, email: str) -> str:
    return fold(f"{full_name} {username} {email}")[:500]


class User(AbstractUser):
    """A person with an account. Never deleted once they acted: only deactivated."""

    full_name = models.CharField("Họ và tên", max_length=100)
    email = models.EmailField("Thư điện tử", blank=True)
    phone = models.CharField("Điện thoại", max_length=30, blank=True)
    # Bumped by "log out everywhere" and by password resets; part of the session hash,
    # so every existing session stops validating at once.
    session_epoch = models.PositiveIntegerField(default=0)
    must_change_password = models.BooleanField(default=False)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Name, username and e-mail folded (no diacritics, lower case, đ→d), so "nguyen van"
    # finds "Nguyễn Văn" with a plain SQL LIKE on SQLite and PostgreSQL alike.
    search_text = models.CharField(max_length=500, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "username"]
        verbose_name = "Tài khoản"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"), condition=~Q(email=""), name="uniq_user_email_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = people_search_text(self.full_name, self.username, self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "username", "email"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "vanban.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()


class TwoFactorPolicy(models.Model):
    """An administrator makes TOTP mandatory for everyone holding a role."""

    role = models.CharField(max_length=30, choices=Role.choices, unique=True)
    required = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {'bắt buộc' if self.required else 'tùy chọn'}"


class ApiToken(models.Model):
    """A bearer token for a person's scripts or for connected unit software.

    Only a SHA-256 of the secret is stored; the secret is shown once at creation."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Cá nhân"
        SOFTWARE = "software", "Phần mềm đơn vị"

    name = models.CharField("Tên", max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "Đã thu hồi"
        if self.expires_at <= timezone.now():
            return "Đã hết hạn"
        return "Đang hiệu lực"


class ApiTokenUse(models.Model):
    """Every authenticated request made with a token (the seed: watch who uses it)."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="uses")
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
