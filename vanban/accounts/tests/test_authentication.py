from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts import services
from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.conftest import PASSWORD
from vanban.core.errors import ValidationFailed
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/dang-nhap/", {"username": username, "password": password})


def test_login_with_username_or_email_is_recorded(make_user):
    user = make_user("an.nv", email="an.nv@moit.gov.vn")
    for login in ("an.nv", "AN.NV@moit.gov.vn"):
        client = Client()
        response = _login(client, login)
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=user).count() == 2


def test_wrong_password_shows_vietnamese_message(make_user):
    make_user("an.nv")
    response = _login(Client(), "an.nv", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_failures_lock_the_account_until_an_admin_unlocks_it(make_user, make_unit):
    unit = make_unit()
    user = make_user("bi.khoa", unit=unit)
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "bi.khoa", "sai")
    locked = _login(client, "bi.khoa")  # even the right password is refused now
    assert locked.status_code == 403
    assert "bị tạm khóa" in locked.content.decode()
    assert services.is_locked(user)
    services.unlock_account(actor=admin, user=user)
    assert _login(Client(), "bi.khoa").status_code == 302
    assert AuditEvent.objects.filter(action="account.unlocked", target_id=str(user.pk)).exists()


def test_deactivated_account_cannot_log_in_and_its_sessions_end(make_user):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    user = make_user("nghi.huu")
    client = Client()
    _login(client, "nghi.huu")
    services.deactivate_account(actor=admin, user=user, reason="Nghỉ hưu")
    assert client.get("/").status_code == 302  # the open session is gone
    assert _login(Client(), "nghi.huu").status_code == 200
    assert User.objects.filter(pk=user.pk).exists()  # never deleted


def test_log_out_everywhere_ends_every_other_session(make_user):
    user = make_user("hai.may")
    laptop, phone = Client(), Client()
    _login(laptop, "hai.may")
    _login(phone, "hai.may")
    laptop.post("/dang-xuat/moi-noi/")
    assert phone.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout_everywhere", actor=user).exists()


def test_password_policy_is_enforced(make_user):
    user = make_user()
    for weak in ("ngan", "matkhaudai", "1234567890"):
        with pytest.raises(ValidationFailed) as exc:
            services.change_own_password(user=user, old_password=PASSWORD, new_password=weak)
        assert exc.value.code == "weak_password"
    services.change_own_password(user=user, old_password=PASSWORD, new_password="Hoa-Sen-2026")
    user.refresh_from_db()
    assert user.check_password("Hoa-Sen-2026")


def test_argon2_is_the_production_hasher():
    assert "Argon2PasswordHasher" in [h for h in settings.PASSWORD_HASHERS if "MD5" not in h][0]


def _enable_totp(user) -> TOTPDevice:
    services.begin_totp_setup(user=user)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return services.confirm_totp_setup(user=user, token=f"{totp(device.bin_key):06d}")


def test_totp_is_asked_after_the_password(make_user):
    user = make_user("hai.lop")
    device = _enable_totp(user)
    client = Client()
    _login(client, "hai.lop")
    assert client.get("/")["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/nhap-ma/")
    wrong = client.post("/tai-khoan/xac-thuc-hai-lop/nhap-ma/", {"token": "000000"})
    assert "không đúng" in wrong.content.decode()
    device.refresh_from_db()
    device.last_t = -1  # the setup used this time step's code; wait for "the next" one
    device.throttle_reset()  # and forget the wrong attempt's back-off
    client.post("/tai-khoan/xac-thuc-hai-lop/nhap-ma/", {"token": f"{totp(device.bin_key):06d}"})
    assert client.get("/").status_code == 200


def test_mandatory_totp_for_a_role_sends_people_to_set_it_up(make_user, make_unit):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    leader = make_user("lanh.dao", roles=[Role.MINISTRY_LEADER])
    services.set_two_factor_policy(actor=admin, role=Role.MINISTRY_LEADER, required=True)
    client = Client()
    _login(client, "lanh.dao")
    assert client.get("/")["Location"] == "/tai-khoan/xac-thuc-hai-lop/"
    page = client.get("/tai-khoan/xac-thuc-hai-lop/")
    assert "bắt buộc" in page.content.decode()
    assert services.two_factor_required(leader)


def test_specialist_cannot_change_the_two_factor_policy(make_user, make_unit):
    from vanban.core.errors import PermissionDenied

    specialist = make_user(roles=[Role.SPECIALIST], unit=make_unit())
    with pytest.raises(PermissionDenied):
        services.set_two_factor_policy(actor=specialist, role=Role.SPECIALIST, required=True)


def test_forced_password_change_after_reset(make_user):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    user = make_user("moi.cap")
    new_password = services.reset_password(actor=admin, user=user)
    client = Client()
    _login(client, "moi.cap", new_password)
    assert client.get("/")["Location"] == "/tai-khoan/doi-mat-khau/"
