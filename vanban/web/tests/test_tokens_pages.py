from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken
from vanban.web.tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


def _token(user, name="Tập lệnh báo cáo", actor=None, **kw):
    token, secret = accounts.create_api_token(actor=actor or user, user=user, name=name, scopes=["read"], **kw)
    return token, secret


def test_person_lists_own_tokens_only(world, web_client, django_assert_max_num_queries):
    for i in range(5):
        _token(world.specialist, name=f"Mã {i}")
    _token(world.a_person, name="Mã của người khác")
    client = web_client(world.specialist)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:tokens"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mã 4" in page and "Đọc dữ liệu" in page and "Đang hiệu lực" in page
    assert "Mã của người khác" not in page


def test_person_creates_token_and_sees_secret_only_once(world, web_client):
    client = web_client(world.specialist)
    response = client.post(
        reverse("web:tokens"), {"name": "Tập lệnh thống kê", "scopes": ["read", "write"], "expires_in_days": "30"}
    )
    token = ApiToken.objects.get(user=world.specialist)
    assert response.status_code == 302 and response["Location"] == reverse("web:token_detail", args=[token.pk])
    assert token.kind == ApiToken.Kind.PERSONAL and token.scopes == ["read", "write"]
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    first = client.get(response["Location"])
    secret = first.context["secret"]
    assert secret.startswith("vbk_") and secret in first.content.decode()
    assert accounts.authenticate_token(secret, method="GET", path="/", ip=None)[1] == token
    second = client.get(response["Location"])
    assert second.context["secret"] == "" and secret not in second.content.decode()


def test_token_form_errors_show_beside_fields_and_save_nothing(world, web_client):
    client = web_client(world.specialist)
    response = client.post(reverse("web:tokens"), {"name": "  ", "scopes": ["read"], "expires_in_days": "30"})
    assert response.context["form"].errors["name"]
    response = client.post(reverse("web:tokens"), {"name": "Mã", "scopes": [], "expires_in_days": "30"})
    assert response.context["form"].errors["scopes"]
    response = client.post(reverse("web:tokens"), {"name": "Mã", "scopes": ["read"], "expires_in_days": "400"})
    assert response.context["form"].errors["expires_in_days"]
    assert not ApiToken.objects.exists()


def test_token_detail_shows_recent_uses(world, web_client, django_assert_max_num_queries):
    token, secret = _token(world.specialist)
    for path in ("/api/v1/don-vi/", "/api/v1/tai-khoan/"):
        accounts.authenticate_token(secret, method="GET", path=path, ip="10.0.0.7")
    client = web_client(world.specialist)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:token_detail", args=[token.pk]))
    page = response.content.decode()
    assert "GET /api/v1/tai-khoan/" in page and "10.0.0.7" in page
    assert [u.path for u in response.context["uses"]] == ["/api/v1/tai-khoan/", "/api/v1/don-vi/"]


def test_owner_revokes_token(world, web_client):
    token, secret = _token(world.specialist)
    response = web_client(world.specialist).post(reverse("web:token_revoke", args=[token.pk]), follow=True)
    assert "Đã thu hồi" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("admin", ["sysadmin", "unit_admin"])
def test_admin_sees_and_revokes_token_of_person_in_scope(world, web_client, admin):
    token, _ = _token(world.a_person)
    client = web_client(getattr(world, admin))
    assert client.get(reverse("web:token_detail", args=[token.pk])).status_code == 200
    assert client.post(reverse("web:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("who", ["other_admin", "specialist"])
def test_token_of_someone_else_is_404(world, web_client, who):
    token, _ = _token(world.a_person)
    client = web_client(getattr(world, who))
    assert client.get(reverse("web:token_detail", args=[token.pk])).status_code == 404
    assert client.post(reverse("web:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_pages_need_sign_in(world):
    token, _ = _token(world.a_person)
    assert Client().get(reverse("web:tokens")).status_code == 302
    assert Client().get(reverse("web:token_detail", args=[token.pk])).status_code == 302
