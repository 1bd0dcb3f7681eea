from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken, User
from vanban.audit.models import AuditEvent
from vanban.conftest import PASSWORD
from vanban.organisation.models import Appointment, Position, RoleGrant
from vanban.organisation.roles import Role
from vanban.web.tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


def _usernames(response):
    return {u.username for u in response.context["page"].object_list}


# --- List ---------------------------------------------------------------------------------


def test_system_admin_lists_every_account(world, web_client, django_assert_max_num_queries):
    client = web_client(world.sysadmin)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("web:accounts"))
    assert response.status_code == 200
    assert _usernames(response) == {"quantri", "qt.xnk", "qt.pc", "cv.xnk", "tp.qlxk", "cv.pc"}


def test_account_list_query_count_does_not_grow_with_accounts(
    world, web_client, make_user, django_assert_max_num_queries
):
    for _ in range(30):
        make_user(roles=[Role.SPECIALIST], unit=world.a1)
    client = web_client(world.unit_admin)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("web:accounts") + "?q=nguoi&role=specialist&status=active")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30


def test_unit_admin_lists_only_accounts_of_own_subtree(world, web_client):
    response = web_client(world.unit_admin).get(reverse("web:accounts"))
    assert _usernames(response) == {"qt.xnk", "cv.xnk", "tp.qlxk"}


def test_specialist_gets_403_on_accounts_page(world, web_client):
    assert web_client(world.specialist).get(reverse("web:accounts")).status_code == 403


def test_search_ignores_diacritics_and_case(world, web_client):
    client = web_client(world.sysadmin)
    assert _usernames(client.get(reverse("web:accounts"), {"q": "au thi huong"})) == {"tp.qlxk"}
    assert _usernames(client.get(reverse("web:accounts"), {"q": "ÂU THỊ"})) == {"tp.qlxk"}
    assert _usernames(client.get(reverse("web:accounts"), {"q": "dang khoa"})) == {"cv.xnk"}
    assert _usernames(client.get(reverse("web:accounts"), {"q": "huong@moit"})) == {"tp.qlxk"}
    assert _usernames(client.get(reverse("web:accounts"), {"q": "QT."})) == {"qt.xnk", "qt.pc"}


def test_filters_by_unit_subtree_role_and_status(world, web_client):
    accounts.deactivate_account(actor=world.sysadmin, user=world.specialist)
    client = web_client(world.sysadmin)
    assert _usernames(client.get(reverse("web:accounts"), {"unit": world.a.pk})) == {"qt.xnk", "cv.xnk", "tp.qlxk"}
    assert _usernames(client.get(reverse("web:accounts"), {"unit": world.a1.pk})) == {"tp.qlxk"}
    assert _usernames(client.get(reverse("web:accounts"), {"role": Role.UNIT_ADMIN})) == {"qt.xnk", "qt.pc"}
    assert _usernames(client.get(reverse("web:accounts"), {"status": "inactive"})) == {"cv.xnk"}
    assert "cv.xnk" not in _usernames(client.get(reverse("web:accounts"), {"status": "active"}))


def _lock(user):
    client = Client()
    for _ in range(5):
        client.post(reverse("web:login"), {"username": user.username, "password": "sai-mat-khau"})
    assert accounts.is_locked(user)


def test_locked_filter_and_badge(world, web_client):
    _lock(world.a_person)
    response = web_client(world.unit_admin).get(reverse("web:accounts"), {"status": "locked"})
    assert _usernames(response) == {"tp.qlxk"}
    assert "Đang bị khóa" in response.content.decode()


def test_paging(world, web_client, make_user):
    for _ in range(55):
        make_user(unit=world.b)
    client = web_client(world.sysadmin)
    first = client.get(reverse("web:accounts"), {"unit": world.b.pk})
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("web:accounts"), {"unit": world.b.pk, "page": 2})
    assert len(second.context["page"].object_list) == 8  # 55 + sysadmin, other admin, cv.pc
    assert f"?unit={world.b.pk}&amp;page=2" in first.content.decode()


# --- Create -------------------------------------------------------------------------------


def _new_account(unit, job, **extra):
    data = {
        "username": "cv.moi",
        "full_name": "Nguyễn Văn Mới",
        "email": "moi@moit.gov.vn",
        "phone": "0243 825 1234",
        "unit": unit.pk,
        "position": job.pk,
        "roles": [Role.SPECIALIST],
    }
    data.update(extra)
    return data


def test_unit_admin_creates_account_and_sees_password_once(world, web_client, position):
    client = web_client(world.unit_admin)
    response = client.post(reverse("web:account_create"), _new_account(world.a1, position))
    account = User.objects.get(username="cv.moi")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:account_detail", args=[account.pk])
    assert account.must_change_password
    assert RoleGrant.objects.get(user=account).role == Role.SPECIALIST
    assert Appointment.objects.get(user=account).unit == world.a1
    page = client.get(response["Location"])
    password = page.context["new_password"]
    assert password and account.check_password(password)
    assert password in page.content.decode()
    again = client.get(response["Location"])
    assert again.context["new_password"] == ""
    assert password not in again.content.decode()


def test_system_admin_creates_account_with_ministry_role(world, web_client, position):
    response = web_client(world.sysadmin).post(
        reverse("web:account_create"), _new_account(world.b, position, roles=[Role.MINISTRY_CLERK])
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user__username="cv.moi")
    assert grant.role == Role.MINISTRY_CLERK and grant.unit is None


def test_unit_admin_cannot_create_account_outside_subtree_or_with_ministry_role(world, web_client, position):
    client = web_client(world.unit_admin)
    response = client.post(reverse("web:account_create"), _new_account(world.b, position))
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    response = client.post(reverse("web:account_create"), _new_account(world.a, position, roles=[Role.SYSTEM_ADMIN]))
    assert response.status_code == 200 and response.context["form"].errors["roles"]
    assert not User.objects.filter(username="cv.moi").exists()


def test_specialist_cannot_create_account(world, web_client, position):
    response = web_client(world.specialist).post(reverse("web:account_create"), _new_account(world.a, position))
    assert response.status_code == 403
    assert not User.objects.filter(username="cv.moi").exists()


def test_duplicate_username_shows_message_and_saves_nothing(world, web_client, position):
    before = User.objects.count()
    response = web_client(world.sysadmin).post(
        reverse("web:account_create"), _new_account(world.a, position, username="TP.QLXK")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["Tên đăng nhập «TP.QLXK» đã được sử dụng."]
    assert 'data-error-for="username"' in response.content.decode()
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="account.created", actor=world.sysadmin).exists()


def test_invalid_email_shows_message_and_saves_nothing(world, web_client, position):
    response = web_client(world.sysadmin).post(
        reverse("web:account_create"), _new_account(world.a, position, email="khong-hop-le@")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Địa chỉ thư điện tử «khong-hop-le@» không hợp lệ."]
    assert not User.objects.filter(username="cv.moi").exists()


def test_unit_and_position_go_together(world, web_client, position):
    response = web_client(world.sysadmin).post(
        reverse("web:account_create"), _new_account(world.a, position, position="")
    )
    assert response.context["form"].errors["position"] == ["Vui lòng chọn chức vụ của người này tại đơn vị."]
    data = _new_account(world.a, position)
    data["unit"] = ""
    response = web_client(world.sysadmin).post(reverse("web:account_create"), data)
    assert response.context["form"].errors["unit"] == ["Vui lòng chọn đơn vị nơi người này giữ chức vụ."]
    assert not User.objects.filter(username="cv.moi").exists()


# --- Detail and actions ---------------------------------------------------------------------


def test_account_detail_for_admins_in_scope(world, web_client, django_assert_max_num_queries):
    accounts.create_api_token(actor=world.a_person, user=world.a_person, name="Tập lệnh", scopes=["read"])
    for admin in (world.sysadmin, world.unit_admin):
        client = web_client(admin)
        with django_assert_max_num_queries(30):
            response = client.get(reverse("web:account_detail", args=[world.a_person.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Âu Thị Hương" in page and "Phòng Quản lý xuất khẩu" in page and "Tập lệnh" in page


def test_account_detail_is_404_outside_scope_and_403_for_specialist(world, web_client):
    assert web_client(world.unit_admin).get(reverse("web:account_detail", args=[world.b_person.pk])).status_code == 404
    assert web_client(world.specialist).get(reverse("web:account_detail", args=[world.a_person.pk])).status_code == 403


def test_account_detail_links_to_the_persons_audit_events(world, web_client):
    page = web_client(world.sysadmin).get(reverse("web:account_detail", args=[world.a_person.pk])).content.decode()
    assert f"{reverse('web:audit')}?actor={world.a_person.pk}" in page


def _actions(target, world, position):
    """(url, data) for every administrator action on `target`'s account page."""
    appointment = Appointment.objects.filter(user=target, end_date__isnull=True).first()
    grant = RoleGrant.objects.filter(user=target).first()
    unit = appointment.unit
    return {
        "update": (reverse("web:account_update", args=[target.pk]), {"full_name": "Tên đã sửa"}),
        "deactivate": (reverse("web:account_deactivate", args=[target.pk]), {"reason": "Nghỉ hưu"}),
        "reactivate": (reverse("web:account_reactivate", args=[target.pk]), {}),
        "reset_password": (reverse("web:account_reset_password", args=[target.pk]), {}),
        "unlock": (reverse("web:account_unlock", args=[target.pk]), {}),
        "disable_two_factor": (reverse("web:account_disable_two_factor", args=[target.pk]), {}),
        "appoint": (
            reverse("web:account_appoint", args=[target.pk]),
            {"unit": unit.pk, "position": position.pk, "start_date": "2026-03-01"},
        ),
        "end_appointment": (reverse("web:account_end_appointment", args=[target.pk, appointment.pk]), {}),
        "grant_role": (reverse("web:account_grant_role", args=[target.pk]), {"role": Role.UNIT_CLERK, "unit": unit.pk}),
        "revoke_role": (reverse("web:account_revoke_role", args=[target.pk, grant.pk]), {}),
        "token_create": (
            reverse("web:account_token_create", args=[target.pk]),
            {"name": "Phần mềm", "scopes": ["read"], "expires_in_days": "30"},
        ),
    }


ACTIONS = [
    "update",
    "deactivate",
    "reactivate",
    "reset_password",
    "unlock",
    "disable_two_factor",
    "appoint",
    "end_appointment",
    "grant_role",
    "revoke_role",
    "token_create",
]


def _changes(user):
    user.refresh_from_db()
    return (
        user.full_name,
        user.is_active,
        user.password,
        Appointment.objects.filter(user=user).count(),
        Appointment.objects.filter(user=user, end_date__isnull=True).count(),
        RoleGrant.objects.filter(user=user).count(),
        ApiToken.objects.filter(user=user).count(),
        AuditEvent.objects.filter(action__startswith="account.").count(),
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_unit_admin_gets_404_for_actions_on_account_outside_subtree(world, web_client, position, action):
    url, data = _actions(world.b_person, world, position)[action]
    client = web_client(world.unit_admin)
    before = _changes(world.b_person)
    assert client.post(url, data).status_code == 404
    assert _changes(world.b_person) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_specialist_gets_403_for_account_actions(world, web_client, position, action):
    url, data = _actions(world.a_person, world, position)[action]
    client = web_client(world.specialist)
    before = _changes(world.a_person)
    assert client.post(url, data).status_code == 403
    assert _changes(world.a_person) == before


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_updates_profile(world, web_client, admin):
    response = web_client(getattr(world, admin)).post(
        reverse("web:account_update", args=[world.a_person.pk]),
        {
            "full_name": "Âu Thị Thu Hương",
            "email": "thuhuong@moit.gov.vn",
            "phone": "0912 345 678",
        },
    )
    assert response.status_code == 302
    world.a_person.refresh_from_db()
    assert world.a_person.full_name == "Âu Thị Thu Hương" and world.a_person.phone == "0912 345 678"


def test_profile_with_invalid_or_taken_email_shows_message(world, web_client):
    accounts.update_account(
        actor=world.sysadmin, user=world.b_person, full_name=world.b_person.full_name, email="diep@moit.gov.vn"
    )
    client = web_client(world.unit_admin)
    url = reverse("web:account_update", args=[world.a_person.pk])
    response = client.post(url, {"full_name": "Âu Thị Hương", "email": "a@b"})
    assert response.context["profile_form"].errors["email"] == ["Địa chỉ thư điện tử «a@b» không hợp lệ."]
    response = client.post(url, {"full_name": "Âu Thị Hương", "email": "DIEP@moit.gov.vn"})
    assert "đã được dùng cho tài khoản khác" in response.context["profile_form"].errors["email"][0]
    world.a_person.refresh_from_db()
    assert world.a_person.email == "huong@moit.gov.vn"


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_deactivates_and_reactivates_account(world, web_client, admin):
    client = web_client(getattr(world, admin))
    assert (
        client.post(
            reverse("web:account_deactivate", args=[world.a_person.pk]), {"reason": "Chuyển công tác"}
        ).status_code
        == 302
    )
    world.a_person.refresh_from_db()
    assert not world.a_person.is_active
    page = client.get(reverse("web:account_detail", args=[world.a_person.pk])).content.decode()
    assert "Đã vô hiệu hóa" in page and "Kích hoạt lại tài khoản" in page
    client.post(reverse("web:account_reactivate", args=[world.a_person.pk]))
    world.a_person.refresh_from_db()
    assert world.a_person.is_active


def test_admin_cannot_deactivate_self(world, web_client):
    client = web_client(world.unit_admin)
    response = client.post(reverse("web:account_deactivate", args=[world.unit_admin.pk]), follow=True)
    assert "Không thể tự vô hiệu hóa tài khoản của chính mình." in response.content.decode()
    world.unit_admin.refresh_from_db()
    assert world.unit_admin.is_active


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_resets_password_and_sees_it_once(world, web_client, admin):
    client = web_client(getattr(world, admin))
    response = client.post(reverse("web:account_reset_password", args=[world.a_person.pk]), follow=True)
    password = response.context["new_password"]
    world.a_person.refresh_from_db()
    assert world.a_person.check_password(password) and world.a_person.must_change_password
    assert not world.a_person.check_password(PASSWORD)
    assert client.get(reverse("web:account_detail", args=[world.a_person.pk])).context["new_password"] == ""


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_unlocks_locked_account(world, web_client, admin):
    _lock(world.a_person)
    client = web_client(getattr(world, admin))
    assert "Mở khóa" in client.get(reverse("web:account_detail", args=[world.a_person.pk])).content.decode()
    client.post(reverse("web:account_unlock", args=[world.a_person.pk]))
    assert not accounts.is_locked(world.a_person)


def _enable_totp(user):
    device = accounts.begin_totp_setup(user=user)
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    accounts.confirm_totp_setup(user=user, token=f"{token:0{device.digits}d}")


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_disables_two_factor(world, web_client, admin):
    _enable_totp(world.a_person)
    assert accounts.confirmed_totp(world.a_person) is not None
    client = web_client(getattr(world, admin))
    client.post(reverse("web:account_disable_two_factor", args=[world.a_person.pk]))
    assert accounts.confirmed_totp(world.a_person) is None


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_appoints_concurrent_position_and_ends_it(world, web_client, admin):
    deputy = Position.objects.create(code="pho-truong-phong", name="Phó Trưởng phòng", rank=31)
    client = web_client(getattr(world, admin))
    response = client.post(
        reverse("web:account_appoint", args=[world.specialist.pk]),
        {
            "unit": world.a1.pk,
            "position": deputy.pk,
            "start_date": "2026-03-01",
        },
    )
    assert response.status_code == 302
    concurrent = Appointment.objects.get(user=world.specialist, unit=world.a1, end_date__isnull=True)
    assert not concurrent.is_primary
    page = client.get(reverse("web:account_detail", args=[world.specialist.pk])).content.decode()
    assert "kiêm nhiệm" in page
    client.post(reverse("web:account_end_appointment", args=[world.specialist.pk, concurrent.pk]))
    concurrent.refresh_from_db()
    assert concurrent.end_date is not None


def test_duplicate_appointment_shows_message_beside_position(world, web_client, position):
    response = web_client(world.unit_admin).post(
        reverse("web:account_appoint", args=[world.specialist.pk]),
        {
            "unit": world.a.pk,
            "position": position.pk,
            "start_date": "2026-03-01",
        },
    )
    assert response.status_code == 200
    assert response.context["appoint_form"].errors["position"] == ["Người này đã giữ chức vụ này tại đơn vị."]
    assert Appointment.objects.filter(user=world.specialist).count() == 1


def test_unit_admin_cannot_appoint_into_unit_outside_subtree(world, web_client, position):
    response = web_client(world.unit_admin).post(
        reverse("web:account_appoint", args=[world.specialist.pk]),
        {
            "unit": world.b.pk,
            "position": position.pk,
            "start_date": "2026-03-01",
        },
    )
    assert response.context["appoint_form"].errors["unit"]
    assert Appointment.objects.filter(user=world.specialist).count() == 1


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_grants_and_revokes_unit_role(world, web_client, admin):
    client = web_client(getattr(world, admin))
    response = client.post(
        reverse("web:account_grant_role", args=[world.specialist.pk]),
        {
            "role": Role.UNIT_CLERK,
            "unit": world.a.pk,
        },
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=world.specialist, role=Role.UNIT_CLERK)
    assert grant.unit == world.a and grant.granted_by == getattr(world, admin)
    client.post(reverse("web:account_revoke_role", args=[world.specialist.pk, grant.pk]))
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_unit_role_without_unit_shows_message_beside_unit(world, web_client):
    response = web_client(world.sysadmin).post(
        reverse("web:account_grant_role", args=[world.specialist.pk]),
        {
            "role": Role.UNIT_CLERK,
            "unit": "",
        },
    )
    assert response.context["role_form"].errors["unit"] == ["Vai trò này phải gắn với một đơn vị."]
    assert not RoleGrant.objects.filter(user=world.specialist, role=Role.UNIT_CLERK).exists()


def test_unit_admin_cannot_grant_ministry_wide_role(world, web_client):
    response = web_client(world.unit_admin).post(
        reverse("web:account_grant_role", args=[world.specialist.pk]),
        {
            "role": Role.SYSTEM_ADMIN,
            "unit": "",
        },
    )
    assert response.context["role_form"].errors["role"]
    assert not RoleGrant.objects.filter(user=world.specialist, role=Role.SYSTEM_ADMIN).exists()


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_creates_software_token_and_sees_secret_once(world, web_client, admin):
    client = web_client(getattr(world, admin))
    response = client.post(
        reverse("web:account_token_create", args=[world.a_person.pk]),
        {
            "name": "Phần mềm QLVB của Cục",
            "scopes": ["read", "exchange"],
            "expires_in_days": "180",
        },
    )
    token = ApiToken.objects.get(user=world.a_person)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:token_detail", args=[token.pk])
    assert token.kind == ApiToken.Kind.SOFTWARE and token.scopes == ["exchange", "read"]
    secret = client.get(response["Location"]).context["secret"]
    user, used = accounts.authenticate_token(secret, method="GET", path="/api/v1/", ip=None)
    assert user == world.a_person and used == token
    assert client.get(response["Location"]).context["secret"] == ""
