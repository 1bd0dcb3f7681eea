"""Every API error is {"code", "message", "field"} with a stable code and a Vietnamese
message, whatever part of the stack produced it."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from vanban.api.tests import admin_world
from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.organisation.models import Unit

pytestmark = pytest.mark.django_db
world = admin_world.world  # the fixture

VIETNAMESE_LETTERS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


def assert_vietnamese(message):
    assert message == unicodedata.normalize("NFC", message)
    assert VIETNAMESE_LETTERS & set(message.lower()), f"not Vietnamese: {message!r}"


def test_missing_credentials_get_401_with_bearer_challenge(db):
    response = APIClient().get(reverse("api-account-list"))
    body = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert_vietnamese(body["message"])


def test_malformed_authorization_header_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert_vietnamese(assert_error(client.get(reverse("api-me")), 401, "invalid_token")["message"])


@pytest.mark.parametrize(
    ("send", "status", "code", "field"),
    [
        (
            lambda c, w: c.post(reverse("api-unit-list"), "{not json", content_type="application/json"),
            400,
            "parse_error",
            None,
        ),
        (lambda c, w: c.post(reverse("api-unit-list"), {"name": "Phòng X"}), 415, "unsupported_media_type", None),
        (lambda c, w: c.post(reverse("api-unit-list"), ["Phòng X"], format="json"), 400, "invalid", None),
        (lambda c, w: c.delete(reverse("api-unit-list")), 405, "method_not_allowed", None),
        (lambda c, w: c.get(reverse("api-unit-list"), {"page": 99}), 404, "not_found", None),
        (lambda c, w: c.get(reverse("api-unit-list"), {"parent": "một"}), 400, "invalid", "parent"),
        (lambda c, w: c.get(reverse("api-unit-list"), {"q": "a\x00b"}), 400, "null_characters_not_allowed", "q"),
        (lambda c, w: c.get(reverse("api-unit-list"), {"parent": 2**70}), 400, "max_value", "parent"),
        (lambda c, w: c.get(reverse("api-unit-detail", args=[2**70])), 404, "not_found", None),
        (
            lambda c, w: c.post(reverse("api-unit-rename", args=[2**70]), {"name": "X"}, format="json"),
            404,
            "not_found",
            None,
        ),
        (
            lambda c, w: c.post(reverse("api-unit-move", args=[w.team.pk]), {"parent": 2**70}, format="json"),
            400,
            "does_not_exist",
            "parent",
        ),
        (
            lambda c, w: c.post(reverse("api-unit-move", args=[w.team.pk]), {"parent": "Vụ"}, format="json"),
            400,
            "incorrect_type",
            "parent",
        ),
        (
            lambda c, w: c.post(reverse("api-unit-move", args=[w.team.pk]), {}, format="json"),
            400,
            "invalid_required",
            "parent",
        ),
        (
            lambda c, w: c.post(reverse("api-unit-rename", args=[w.team.pk]), {"name": "x" * 201}, format="json"),
            400,
            "max_length",
            "name",
        ),
        (
            lambda c, w: c.post(reverse("api-unit-rename", args=[w.team.pk]), {"name": None}, format="json"),
            400,
            "invalid_null",
            "name",
        ),
        (
            lambda c, w: c.post(
                reverse("api-unit-dissolve", args=[w.team.pk]), {"effective_on": "01/02/2026"}, format="json"
            ),
            400,
            "invalid",
            "effective_on",
        ),
        (
            lambda c, w: c.post(
                reverse("api-delegation-list"),
                {"delegate": w.specialist.pk, "start_date": "2026-01-01", "end_date": "2026-13-01"},
                format="json",
            ),
            400,
            "invalid",
            "end_date",
        ),
        (
            lambda c, w: c.post(reverse("api-account-list"), {"username": "a b", "full_name": "A"}, format="json"),
            400,
            "invalid_username",
            "username",
        ),
    ],
    ids=[
        "bad-json",
        "form-body",
        "list-body",
        "method",
        "page",
        "int-query",
        "nul-query",
        "huge-query",
        "huge-path",
        "huge-path-write",
        "huge-ref",
        "wrong-ref-type",
        "missing",
        "too-long",
        "null",
        "date-format",
        "bad-date",
        "bad-username",
    ],
)
def test_bad_requests_get_a_stable_code_and_a_vietnamese_message(send, status, code, field, world):
    units = list(Unit.objects.values_list("pk", "name", "parent_id", "status"))
    response = send(bearer_client(world.sysadmin), world)
    body = assert_error(response, status, code, field)
    assert_vietnamese(body["message"])
    assert list(Unit.objects.values_list("pk", "name", "parent_id", "status")) == units


def test_domain_errors_carry_their_own_code_and_field(world, api_client):
    response = api_client(world.sysadmin).post(reverse("api-unit-dissolve", args=[world.dept.pk]), {}, format="json")
    body = assert_error(response, 400, "has_active_children", None)
    assert_vietnamese(body["message"])
