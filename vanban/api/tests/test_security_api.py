from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from freezegun import freeze_time
from rest_framework.test import APIClient

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken, ApiTokenUse, TwoFactorPolicy
from vanban.api.tests import admin_world
from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.audit.models import AuditEvent
from vanban.conftest import PASSWORD
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db
world = admin_world.world  # the fixture


def obtain(username, password=PASSWORD, **extra):
    return APIClient().post(reverse("api-token"), {"username": username, "password": password, **extra}, format="json")


def with_secret(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


# --- Token authentication ------------------------------------------------------------


def test_script_obtains_a_token_and_every_use_is_recorded(world):
    response = obtain("insider")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["expires_at"].endswith("+07:00")
    client = with_secret(body["token"])
    for _ in range(3):
        me = client.get(reverse("api-me"), REMOTE_ADDR="10.1.2.3")
        assert me.status_code == 200
    assert me.json()["username"] == "insider"
    assert me.json()["token_scopes"] == ["read", "write"]
    token = ApiToken.objects.get(prefix=body["prefix"])
    uses = list(ApiTokenUse.objects.filter(token=token))
    assert len(uses) == 3 and token.use_count == 3
    assert {(u.method, u.path, u.ip_address) for u in uses} == {("GET", "/api/v1/me", "10.1.2.3")}


def test_expired_token_is_refused_with_token_expired(world):
    secret = obtain("insider", expires_in_days=1).json()["token"]
    with freeze_time(timezone.now() + dt.timedelta(days=1, seconds=1)):
        body = assert_error(with_secret(secret).get(reverse("api-me")), 401, "token_expired")
    assert body["message"] == "Mã truy cập đã hết hạn."


def test_revoked_token_is_refused_with_token_revoked(world):
    secret = obtain("insider").json()["token"]
    client = with_secret(secret)
    token = ApiToken.objects.get(user=world.insider)
    assert client.post(reverse("api-token-revoke", args=[token.pk]), {}, format="json").status_code == 200
    assert_error(client.get(reverse("api-me")), 401, "token_revoked")
    assert_error(with_secret("vbk_abc_def").get(reverse("api-me")), 401, "invalid_token")


def test_token_request_with_totp_on_needs_the_current_code(world):
    device = accounts.begin_totp_setup(user=world.insider)
    accounts.confirm_totp_setup(user=world.insider, token=f"{totp(device.bin_key):06d}")
    device.refresh_from_db()
    assert_error(obtain("insider"), 401, "otp_required", "otp")
    valid = {totp(device.bin_key, drift=d) for d in (-1, 0, 1, 2)}
    wrong = next(c for c in range(10**6) if c not in valid)
    assert_error(obtain("insider", otp=f"{wrong:06d}"), 401, "invalid_otp")
    # A minute later: past the code used at set-up (never replayable) and past the
    # throttle that follows the wrong attempt.
    with freeze_time(timezone.now() + dt.timedelta(seconds=60)):
        response = obtain("insider", otp=f"{totp(device.bin_key):06d}")
    assert response.status_code == 201, response.content


def test_wrong_password_gets_401_and_no_token(world):
    assert_error(obtain("insider", password="sai"), 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


# --- Managing tokens ---------------------------------------------------------------------


def test_person_creates_lists_and_revokes_own_tokens(world, api_client):
    client = api_client(world.insider)
    response = client.post(
        reverse("api-token-list"),
        {"name": "Tập lệnh báo cáo", "scopes": ["read"], "expires_in_days": 30},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["token"].startswith("vbk_") and created["status"] == "valid"
    assert created["created_at"].endswith("+07:00")
    listed = client.get(reverse("api-token-list")).json()
    assert [t["id"] for t in listed["results"]] == [created["id"]]
    assert "token" not in listed["results"][0]
    revoked = client.post(reverse("api-token-revoke", args=[created["id"]]), {}, format="json").json()
    assert revoked["status"] == "revoked"
    assert client.get(reverse("api-token-list"), {"status": "valid"}).json()["count"] == 0


def test_admin_issues_software_token_for_a_person_they_administer(world, api_client):
    payload = {
        "name": "Phần mềm QLVB Phòng Một",
        "scopes": ["read", "exchange"],
        "kind": "software",
        "user": world.insider.pk,
    }
    admin_script = bearer_client(world.unit_admin, scopes=["read", "write", "admin", "exchange"])
    response = admin_script.post(reverse("api-token-list"), payload, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["user"]) == ("software", world.insider.pk)
    admin_view = api_client(world.unit_admin).get(reverse("api-token-list"), {"user": world.insider.pk}).json()
    assert admin_view["count"] == 1
    outside = {**payload, "user": world.outsider.pk}
    assert_error(admin_script.post(reverse("api-token-list"), outside, format="json"), 403)
    assert_error(
        bearer_client(world.specialist).post(reverse("api-token-list"), {**payload, "user": None}, format="json"), 403
    )
    no_admin_scope = bearer_client(world.sysadmin, scopes=["read", "write"])
    assert_error(no_admin_scope.post(reverse("api-token-list"), payload, format="json"), 403, "permission_denied")
    assert ApiToken.objects.filter(kind="software").count() == 1


def test_token_cannot_mint_a_token_with_more_scopes_than_itself(world):
    client = bearer_client(world.insider, scopes=["read", "write"])
    response = client.post(reverse("api-token-list"), {"name": "Leo thang", "scopes": ["read", "admin"]}, format="json")
    assert_error(response, 403, "permission_denied")
    assert not ApiToken.objects.filter(name="Leo thang").exists()
    assert (
        client.post(reverse("api-token-list"), {"name": "Chỉ đọc", "scopes": ["read"]}, format="json").status_code
        == 201
    )


def test_token_create_refuses_bad_input(world, api_client):
    client = api_client(world.insider)
    url = reverse("api-token-list")
    assert_error(client.post(url, {"name": "x", "scopes": []}, format="json"), 400, "min_length", "scopes")
    assert_error(client.post(url, {"name": "x", "scopes": ["root"]}, format="json"), 400, "invalid_choice", "scopes.0")
    body = assert_error(
        client.post(url, {"name": "x", "scopes": ["read"], "expires_in_days": 400}, format="json"),
        400,
        "max_value",
        "expires_in_days",
    )
    assert body["message"] == "Giá trị phải nhỏ hơn hoặc bằng 366."
    assert_error(client.post(url, {"name": "   ", "scopes": ["read"]}, format="json"), 400, "invalid_blank", "name")
    assert not ApiToken.objects.exists()


def test_token_uses_are_visible_to_holder_and_admin_only(world, api_client, django_assert_max_num_queries):
    secret = obtain("insider").json()["token"]
    for _ in range(6):
        with_secret(secret).get(reverse("api-me"))
    token = ApiToken.objects.get(user=world.insider)
    url = reverse("api-token-uses", args=[token.pk])
    with django_assert_max_num_queries(8):
        body = api_client(world.unit_admin).get(url).json()
    assert body["count"] == 6 and body["results"][0]["used_at"].endswith("+07:00")
    assert api_client(world.insider).get(url).status_code == 200
    assert_error(api_client(world.outsider).get(url), 404, "not_found")
    assert_error(api_client(world.specialist).get(url), 404, "not_found")


def test_token_list_query_count_is_flat(world, api_client, django_assert_max_num_queries):
    for i in range(10):
        accounts.create_api_token(
            actor=world.unit_admin, user=world.insider, name=f"Mã {i}", scopes=["read"], kind=ApiToken.Kind.SOFTWARE
        )
    client = api_client(world.unit_admin)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("api-token-list")).json()
    assert body["count"] == 10


# --- Two-factor policy -----------------------------------------------------------------


def test_admins_read_the_two_factor_policy_and_others_cannot(world, api_client):
    url = reverse("api-two-factor-policy")
    rows = api_client(world.unit_admin).get(url).json()
    assert [r["role"] for r in rows] == list(Role.values)
    assert not any(r["required"] for r in rows)
    assert_error(api_client(world.specialist).get(url), 403, "permission_denied")
    assert_error(bearer_client(world.sysadmin, scopes=["read"]).get(url), 403, "permission_denied")


def test_system_admin_makes_two_factor_mandatory_for_a_role(world, api_client):
    url = reverse("api-two-factor-policy-role", args=["specialist"])
    for refused in (
        api_client(world.unit_admin),
        api_client(world.specialist),
        bearer_client(world.sysadmin, scopes=["read", "write"]),
    ):
        assert_error(refused.put(url, {"required": True}, format="json"), 403, "permission_denied")
    assert not TwoFactorPolicy.objects.exists()
    response = bearer_client(world.sysadmin).put(url, {"required": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["required"] is True
    assert response.json()["updated_at"].endswith("+07:00")
    assert AuditEvent.objects.filter(action="policy.two_factor_changed").count() == 1
    # A specialist without an authenticator can no longer obtain a token.
    assert_error(obtain("insider"), 403, "otp_setup_required")
    assert_error(
        api_client(world.sysadmin).put(
            reverse("api-two-factor-policy-role", args=["giam_doc"]), {"required": True}, format="json"
        ),
        400,
        "invalid_role",
    )
    assert_error(api_client(world.sysadmin).put(url, {"required": "có lẽ"}, format="json"), 400, "invalid", "required")


# --- One's own password and sessions -----------------------------------------------------


def test_person_changes_own_password(world, api_client):
    client = api_client(world.insider)
    url = reverse("api-me-password")
    assert_error(
        client.post(url, {"old_password": "sai", "new_password": "Moi@Matkhau2026"}, format="json"),
        400,
        "wrong_password",
        "old_password",
    )
    assert_error(
        client.post(url, {"old_password": PASSWORD, "new_password": "12345678"}, format="json"),
        400,
        "weak_password",
        "new_password",
    )
    response = client.post(url, {"old_password": PASSWORD, "new_password": "Moi@Matkhau2026"}, format="json")
    assert response.status_code == 204
    world.insider.refresh_from_db()
    assert world.insider.check_password("Moi@Matkhau2026")


def test_password_change_keeps_the_browser_session_signed_in(world):
    client = APIClient()
    client.force_login(world.insider)
    response = client.post(
        reverse("api-me-password"), {"old_password": PASSWORD, "new_password": "Moi@Matkhau2026"}, format="json"
    )
    assert response.status_code == 204
    assert client.get(reverse("api-me")).status_code == 200


def test_logout_everywhere_ends_sessions_but_not_tokens(world):
    session = APIClient()
    session.force_login(world.insider)
    other_browser = APIClient()
    other_browser.force_login(world.insider)
    token_client = bearer_client(world.insider)
    assert session.post(reverse("api-me-logout-everywhere"), {}, format="json").status_code == 204
    assert_error(other_browser.get(reverse("api-me")), 401, "not_authenticated")
    assert token_client.get(reverse("api-me")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.logout_everywhere").count() == 1


def test_two_factor_policy_list_query_count_is_flat(world, api_client, django_assert_max_num_queries):
    for role in (Role.SPECIALIST, Role.UNIT_LEADER, Role.UNIT_CLERK):
        accounts.set_two_factor_policy(actor=world.sysadmin, role=role, required=True)
    client = api_client(world.sysadmin)
    with django_assert_max_num_queries(3):
        rows = client.get(reverse("api-two-factor-policy")).json()
    assert {r["role"] for r in rows if r["required"]} == {"specialist", "unit_leader", "unit_clerk"}
