from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from vanban.accounts import services
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_person_sets_up_and_turns_off_totp_through_the_api(make_user, api_client):
    user = make_user()
    client = api_client(user)
    assert client.get("/api/v1/me/two-factor").json() == {"enabled": False, "required": False}
    setup = client.post("/api/v1/me/two-factor/setup", {}, format="json")
    assert setup.status_code == 201 and setup.json()["otpauth_url"].startswith("otpauth://totp/")
    key = base64.b32decode(setup.json()["secret"] + "=" * (-len(setup.json()["secret"]) % 8))
    wrong = client.post("/api/v1/me/two-factor/confirm", {"token": "000000"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_otp"
    ok = client.post("/api/v1/me/two-factor/confirm", {"token": f"{totp(key):06d}"}, format="json")
    assert ok.status_code == 200 and ok.json()["enabled"] is True
    assert client.delete("/api/v1/me/two-factor").status_code == 204
    assert services.confirmed_totp(user) is None


def test_mandatory_totp_cannot_be_turned_off_by_its_owner(make_user, api_client):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    leader = make_user(roles=[Role.MINISTRY_LEADER])
    services.set_two_factor_policy(actor=admin, role=Role.MINISTRY_LEADER, required=True)
    client = api_client(leader)
    assert client.get("/api/v1/me/two-factor").json()["required"] is True
    response = client.delete("/api/v1/me/two-factor")
    assert response.status_code == 400 and response.json()["code"] == "two_factor_mandatory"
