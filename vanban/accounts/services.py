"""Account administration and the person's own security settings."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import string
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts.errors import AccountError, TokenError
from vanban.accounts.models import ApiToken, ApiTokenUse, TwoFactorPolicy, User
from vanban.audit import services as audit
from vanban.core.errors import ValidationFailed
from vanban.core.text import clean_text
from vanban.organisation import services as org_services
from vanban.organisation.models import Position, Unit
from vanban.organisation.permissions import (
    authorize,
    authorize_unit_admin,
    authorize_user_admin,
    effective_roles,
    has_role,
)
from vanban.organisation.roles import Role

USERNAME_RE = re.compile(r"^[a-zA-Z0-9._-]{3,150}$")


def _validate_username(username: str, *, exclude: int | None = None) -> str:
    username = clean_text(username)
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            "invalid_username",
            "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số và các ký tự . _ -, dài từ 3 ký tự.",
            "username",
        )
    if User.objects.filter(username__iexact=username).exclude(pk=exclude).exists():
        raise ValidationFailed("duplicate_username", f"Tên đăng nhập «{username}» đã được sử dụng.", "username")
    return username


def _validate_email(email: str, *, exclude: int | None = None) -> str:
    email = clean_text(email)
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed("invalid_email", f"Địa chỉ thư điện tử «{email}» không hợp lệ.", "email") from None
    if User.objects.filter(email__iexact=email).exclude(pk=exclude).exists():
        raise ValidationFailed("duplicate_email", f"Địa chỉ thư điện tử «{email}» đã được dùng cho tài khoản khác.", "email")
    return email


def _validate_full_name(full_name: str) -> str:
    full_name = clean_text(full_name)
    if not full_name:
        raise ValidationFailed("required", "Vui lòng nhập họ và tên.", "full_name")
    if len(full_name) > 100:
        raise ValidationFailed("too_long", "Họ và tên dài quá 100 ký tự.", "full_name")
    return full_name


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("weak_password", " ".join(exc.messages), "password") from None


def generate_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(12))
        pwd = f"{body}#{secrets.randbelow(90) + 10}"
        if any(c.isupper() for c in pwd) and any(c.islower() for c in pwd):
            return pwd


def _snapshot(user: User) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "email": user.email,
            "phone": user.phone, "is_active": user.is_active}


def create_account(
    *,
    actor: Any | None,
    username: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    password: str | None = None,
    unit: Unit | None = None,
    position: Position | None = None,
    roles: list[str] | None = None,
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Create an account; returns it with its initial password (generated when not given).

    The password is hashed before the transaction opens: Argon2 takes a good part of a
    second, and on SQLite a transaction holds the database's write lock for its whole
    length, so a bulk import would otherwise starve every other writer (web requests,
    the worker's heartbeat)."""
    initial = password or generate_password()
    return _create_account(
        actor=actor, username=username, full_name=full_name, email=email, phone=phone, initial=initial,
        encoded=make_password(initial), unit=unit, position=position, roles=roles,
        must_change_password=must_change_password,
    )


@transaction.atomic
def _create_account(
    *,
    actor: Any | None,
    username: str,
    full_name: str,
    email: str,
    phone: str,
    initial: str,
    encoded: str,
    unit: Unit | None,
    position: Position | None,
    roles: list[str] | None,
    must_change_password: bool,
) -> tuple[User, str]:
    authority = None
    if actor is not None:
        if unit is None and not has_role(actor, Role.SYSTEM_ADMIN):
            raise ValidationFailed("unit_required", "Vui lòng chọn đơn vị cho tài khoản.", "unit")
        authority = authorize_unit_admin(actor, unit) if unit is not None else authorize(actor, {Role.SYSTEM_ADMIN})
    user = User(
        username=_validate_username(username),
        full_name=_validate_full_name(full_name),
        email=_validate_email(email),
        phone=clean_text(phone)[:30],
        must_change_password=must_change_password,
    )
    _check_password(initial, user)
    user.password = encoded
    user.save()
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of if authority else None,
                 action="account.created", target=user, data={"after": _snapshot(user)})
    if unit is not None and position is not None:
        org_services.appoint(actor=actor, user=user, unit=unit, position=position)
    for role in roles or []:
        org_services.grant_role(actor=actor, user=user, role=role, unit=unit)
    return user, initial


@transaction.atomic
def update_account(*, actor: Any, user: User, full_name: str, email: str = "", phone: str = "") -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    authority = authorize_user_admin(actor, user) if actor.pk != user.pk else None
    before = _snapshot(user)
    user.full_name = _validate_full_name(full_name)
    user.email = _validate_email(email, exclude=user.pk)
    user.phone = clean_text(phone)[:30]
    user.save(update_fields=["full_name", "email", "phone"])
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of if authority else None,
                 action="account.updated", target=user, data=audit.diff(before, _snapshot(user)))
    return user


@transaction.atomic
def deactivate_account(*, actor: Any, user: User, reason: str = "") -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    authority = authorize_user_admin(actor, user)
    if user.pk == actor.pk:
        raise AccountError("cannot_deactivate_self", "Không thể tự vô hiệu hóa tài khoản của chính mình.")
    if not user.is_active:
        raise AccountError("already_inactive", "Tài khoản này đã bị vô hiệu hóa.")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.session_epoch += 1  # ends every open session at once
    user.save(update_fields=["is_active", "deactivated_at", "session_epoch"])
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="account.deactivated",
                 target=user, data={"reason": clean_text(reason)[:500]})
    return user


@transaction.atomic
def reactivate_account(*, actor: Any, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    authority = authorize_user_admin(actor, user)
    if user.is_active:
        raise AccountError("already_active", "Tài khoản này đang hoạt động.")
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="account.reactivated", target=user)
    return user


@transaction.atomic
def reset_password(*, actor: Any, user: User, new_password: str | None = None) -> str:
    user = User.objects.select_for_update().get(pk=user.pk)
    authority = authorize_user_admin(actor, user)
    password = new_password or generate_password()
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.session_epoch += 1
    user.save(update_fields=["password", "must_change_password", "session_epoch"])
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="account.password_reset", target=user)
    return password


@transaction.atomic
def change_own_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationFailed("wrong_password", "Mật khẩu hiện tại không đúng.", "old_password")
    if old_password == new_password:
        raise ValidationFailed("same_password", "Mật khẩu mới phải khác mật khẩu hiện tại.", "new_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed("weak_password", " ".join(exc.messages), "new_password") from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action="auth.password_changed", target=user)
    return user


def is_locked(user: User) -> bool:
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(
        username__iexact=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).exists()


def locked_usernames() -> set[str]:
    from axes.models import AccessAttempt
    from django.conf import settings

    return {
        u.lower() for u in AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    }


@transaction.atomic
def unlock_account(*, actor: Any, user: User) -> User:
    from axes.models import AccessAttempt

    authority = authorize_user_admin(actor, user)
    if not is_locked(user):
        raise AccountError("not_locked", "Tài khoản này không bị khóa.")
    AccessAttempt.objects.filter(Q(username__iexact=user.username) | Q(username__iexact=user.email or "-")).delete()
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="account.unlocked", target=user)
    return user


@transaction.atomic
def logout_everywhere(*, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    audit.record(actor=user, action="auth.logout_everywhere", target=user)
    return user


# --- Two-factor authentication ------------------------------------------------------


@transaction.atomic
def set_two_factor_policy(*, actor: Any, role: str, required: bool) -> TwoFactorPolicy:
    authorize(actor, {Role.SYSTEM_ADMIN})
    if role not in Role.values:
        raise ValidationFailed("invalid_role", "Vai trò không hợp lệ.", "role")
    policy, _ = TwoFactorPolicy.objects.select_for_update().get_or_create(role=role)
    before = policy.required
    policy.required = required
    policy.save()
    audit.record(actor=actor, action="policy.two_factor_changed", target=policy,
                 data={"role": role, "before": before, "after": required})
    return policy


def two_factor_required(user: User) -> bool:
    roles = {r.role for r in effective_roles(user) if r.delegation is None}
    return TwoFactorPolicy.objects.filter(role__in=roles, required=True).exists()


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def begin_totp_setup(*, user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)


@transaction.atomic
def confirm_totp_setup(*, user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationFailed("no_pending_device", "Chưa bắt đầu thiết lập xác thực hai lớp.")
    if not device.verify_token(clean_text(token).replace(" ", "")):
        raise ValidationFailed("invalid_otp", "Mã xác thực không đúng hoặc đã hết hạn.", "token")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=user, action="auth.totp_enabled", target=user)
    return device


@transaction.atomic
def disable_totp(*, actor: Any, user: User) -> None:
    authority = authorize_user_admin(actor, user) if actor.pk != user.pk else None
    if actor.pk == user.pk and two_factor_required(user):
        raise AccountError("two_factor_mandatory", "Xác thực hai lớp là bắt buộc với vai trò của bạn, không thể tắt.")
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if not deleted:
        raise AccountError("two_factor_not_enabled", "Tài khoản chưa bật xác thực hai lớp.")
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of if authority else None,
                 action="auth.totp_disabled", target=user)


def verify_totp(user: User, token: str) -> bool:
    device = confirmed_totp(user)
    return bool(device and token and device.verify_token(token.strip().replace(" ", "")))


# --- API tokens ---------------------------------------------------------------------

TOKEN_SCOPES = {
    "read": "Đọc dữ liệu",
    "write": "Ghi dữ liệu",
    "admin": "Quản trị tài khoản, đơn vị",
    "exchange": "Trao đổi văn bản liên thông",
}
TOKEN_PREFIX = "vbk_"
MAX_TOKEN_DAYS = 366


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    *,
    actor: Any,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
    kind: str = ApiToken.Kind.PERSONAL,
) -> tuple[ApiToken, str]:
    """Returns the token row and its secret, which is shown once and never stored."""
    authority = None
    if actor.pk != user.pk or kind == ApiToken.Kind.SOFTWARE:
        authority = authorize_user_admin(actor, user)
    name = clean_text(name)
    if not name:
        raise ValidationFailed("required", "Vui lòng đặt tên cho mã truy cập.", "name")
    scopes = sorted(set(scopes))
    if not scopes or any(s not in TOKEN_SCOPES for s in scopes):
        raise ValidationFailed("invalid_scopes", "Phạm vi quyền không hợp lệ. Chọn trong: " + ", ".join(TOKEN_SCOPES), "scopes")
    now = timezone.now()
    expires_at = expires_at or now + dt.timedelta(days=90)
    if expires_at <= now:
        raise ValidationFailed("expiry_in_past", "Thời hạn của mã truy cập phải ở tương lai.", "expires_at")
    if expires_at > now + dt.timedelta(days=MAX_TOKEN_DAYS):
        raise ValidationFailed("expiry_too_far", "Mã truy cập có hiệu lực tối đa 1 năm.", "expires_at")
    if kind not in ApiToken.Kind.values:
        raise ValidationFailed("invalid_kind", "Loại mã truy cập không hợp lệ.", "kind")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name[:100], kind=kind, user=user, prefix=prefix, secret_hash=_hash_secret(secret),
        scopes=scopes, created_by=actor, expires_at=expires_at,
    )
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of if authority else None,
                 action="token.created", target=token,
                 data={"user": user.pk, "scopes": scopes, "kind": kind, "expires_at": expires_at})
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    authority = None
    if actor.pk != token.user_id:
        authority = authorize_user_admin(actor, token.user)
    if token.revoked_at is not None:
        raise AccountError("already_revoked", "Mã truy cập này đã bị thu hồi.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of if authority else None,
                 action="token.revoked", target=token)
    return token


def authenticate_token(raw: str, *, method: str, path: str, ip: str | None) -> tuple[User, ApiToken]:
    """Check a bearer secret; record the use. Raises TokenError with a clear reason."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        raise TokenError("invalid_token", "Mã truy cập không hợp lệ.")
    prefix, _, secret = raw[len(TOKEN_PREFIX):].partition("_")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not secrets.compare_digest(token.secret_hash, _hash_secret(secret)):
        raise TokenError("invalid_token", "Mã truy cập không hợp lệ.")
    if token.revoked_at is not None:
        raise TokenError("token_revoked", "Mã truy cập đã bị thu hồi.")
    if token.expires_at <= timezone.now():
        raise TokenError("token_expired", "Mã truy cập đã hết hạn.")
    if not token.user.is_active:
        raise TokenError("account_inactive", "Tài khoản gắn với mã truy cập đã bị vô hiệu hóa.")
    with transaction.atomic():
        ApiTokenUse.objects.create(token=token, method=method[:10], path=path[:300], ip_address=ip)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), use_count=token.use_count + 1)
    return token.user, token


def tokens_visible_to(user: User) -> Any:
    from vanban.organisation.selectors import users_administered_by

    if has_role(user, Role.SYSTEM_ADMIN, Role.UNIT_ADMIN):
        return ApiToken.objects.filter(Q(user=user) | Q(user__in=users_administered_by(user).values("pk")))
    return ApiToken.objects.filter(user=user)

