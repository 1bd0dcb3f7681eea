from __future__ import annotations

import pytest

from vanban.accounts import services
from vanban.accounts.models import User
from vanban.accounts.selectors import search_people
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_search_ignores_case_and_diacritics_in_sql(make_user):
    make_user("an.nv", full_name="Nguyễn Văn An", email="an.nv@moit.gov.vn")
    make_user("dung.tv", full_name="Đặng Thùy Dung")
    found = lambda q: set(search_people(User.objects.all(), q).values_list("username", flat=True))  # noqa: E731
    assert found("nguyen van") == {"an.nv"}
    assert found("NGUYỄN") == {"an.nv"}
    assert found("dang thuy") == {"dung.tv"}  # đ folds to d
    assert found("an.nv@moit") == {"an.nv"}
    assert found("zzz") == set()


def test_search_text_follows_a_renamed_account(make_user):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    user = make_user("doi.ten", full_name="Lê Văn Cũ")
    services.update_account(actor=admin, user=user, full_name="Lê Văn Mới", email="moi@moit.gov.vn")
    assert set(search_people(User.objects.all(), "le van moi").values_list("username", flat=True)) == {"doi.ten"}


def test_api_account_search_ignores_diacritics(make_user, api_client):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    make_user("an.nv", full_name="Nguyễn Văn An")
    response = api_client(admin).get("/api/v1/accounts", {"q": "nguyen van"})
    assert response.status_code == 200
    assert [a["username"] for a in response.json()["results"]] == ["an.nv"]
