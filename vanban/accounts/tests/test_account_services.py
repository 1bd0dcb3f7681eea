from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanban.accounts import services
from vanban.accounts.errors import AccountError, TokenError
from vanban.accounts.models import User
from vanban.core.errors import PermissionDenied, ValidationFailed
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(make_unit):
    return make_unit("Cục Xuất nhập khẩu"), make_unit("Cục Điện lực")


def test_unit_admin_creates_accounts_only_in_their_unit(units, make_user, position):
    xnk, dl = units
    admin = make_user(roles=[Role.UNIT_ADMIN], unit=xnk)
    user, password = services.create_account(actor=admin, username="cv.moi", full_name="Nguyễn Văn Mới",
                                             unit=xnk, position=position, roles=[Role.SPECIALIST])
    assert user.check_password(password) and user.must_change_password
    assert user.appointments.get().unit == xnk
    with pytest.raises(PermissionDenied):
        services.create_account(actor=admin, username="cv.khac", full_name="Trần Khác", unit=dl, position=position)
    assert not User.objects.filter(username="cv.khac").exists()


def test_specialist_cannot_create_accounts(units, make_user):
    specialist = make_user(roles=[Role.SPECIALIST], unit=units[0])
    with pytest.raises(PermissionDenied):
        services.create_account(actor=specialist, username="x.y", full_name="X Y", unit=units[0])


def test_duplicate_username_and_invalid_email_are_refused_and_nothing_saved(make_user):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    make_user("trung.ten", email="a@moit.gov.vn")
    count = User.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.create_account(actor=admin, username="TRUNG.TEN", full_name="Trùng Tên")
    assert exc.value.code == "duplicate_username" and exc.value.field == "username"
    with pytest.raises(ValidationFailed) as exc:
        services.create_account(actor=admin, username="email.sai", full_name="Email Sai", email="khong-phai-email")
    assert exc.value.code == "invalid_email"
    with pytest.raises(ValidationFailed) as exc:
        services.create_account(actor=admin, username="email.trung", full_name="Email Trùng", email="A@moit.gov.vn")
    assert exc.value.code == "duplicate_email"
    assert User.objects.count() == count


def test_create_account_with_a_bad_role_leaves_no_half_account(units, make_user, position):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    with pytest.raises(ValidationFailed):
        services.create_account(actor=admin, username="nua.chung", full_name="Nửa Chừng", unit=units[0],
                                position=position, roles=["khong_co"])
    assert not User.objects.filter(username="nua.chung").exists()


def test_admin_cannot_deactivate_themself(make_user):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    with pytest.raises(AccountError):
        services.deactivate_account(actor=admin, user=admin)


def test_reactivated_account_can_work_again(make_user):
    admin, user = make_user(roles=[Role.SYSTEM_ADMIN]), make_user()
    services.deactivate_account(actor=admin, user=user)
    services.reactivate_account(actor=admin, user=user)
    user.refresh_from_db()
    assert user.is_active and user.deactivated_at is None


def test_token_is_shown_once_and_stored_hashed(make_user):
    user = make_user()
    token, secret = services.create_api_token(actor=user, user=user, name="Tập lệnh báo cáo", scopes=["read"])
    assert secret.startswith("vbk_") and secret.split("_", 2)[2] not in token.secret_hash
    who, used = services.authenticate_token(secret, method="GET", path="/api/v1/me", ip="127.0.0.1")
    assert who == user and used.uses.count() == 1


def test_expired_and_revoked_tokens_are_refused(make_user):
    user = make_user()
    token, secret = services.create_api_token(actor=user, user=user, name="Hết hạn", scopes=["read"],
                                              expires_at=timezone.now() + dt.timedelta(seconds=1))
    type(token).objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(TokenError) as exc:
        services.authenticate_token(secret, method="GET", path="/", ip=None)
    assert exc.value.code == "token_expired"
    token2, secret2 = services.create_api_token(actor=user, user=user, name="Thu hồi", scopes=["read"])
    services.revoke_api_token(actor=user, token=token2)
    with pytest.raises(TokenError) as exc:
        services.authenticate_token(secret2, method="GET", path="/", ip=None)
    assert exc.value.code == "token_revoked"


def test_software_tokens_are_issued_by_administrators_only(make_user, units):
    software = make_user("phanmem.xnk", unit=units[0])
    with pytest.raises(PermissionDenied):
        services.create_api_token(actor=software, user=software, name="Liên thông", scopes=["exchange"], kind="software")
    admin = make_user(roles=[Role.UNIT_ADMIN], unit=units[0])
    token, _ = services.create_api_token(actor=admin, user=software, name="Liên thông", scopes=["exchange"], kind="software")
    assert token.kind == "software"
