from __future__ import annotations

import pytest

from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_forbidden_and_missing_pages_speak_vietnamese(make_user, make_unit, web_client):
    client = web_client(make_user(roles=[Role.SPECIALIST], unit=make_unit()))
    forbidden = client.get("/quan-tri/nhat-ky/")
    assert forbidden.status_code == 403
    assert "Không có quyền truy cập" in forbidden.content.decode()
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.content.decode()
