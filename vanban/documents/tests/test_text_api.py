"""POST /api/v1/text/convert: the text guard for programs."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from vanban.api.serializers.text import MAX_TEXT_LENGTH
from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db
URL = "/api/v1/text/convert"


@pytest.fixture
def specialist(make_unit, make_user):
    return make_user("chuyenvien", roles=[Role.SPECIALIST], unit=make_unit())


def test_url_name_resolves_to_the_documented_path():
    assert reverse("api-text-convert") == URL


def test_any_signed_in_person_converts_pasted_mojibake(specialist, api_client):
    response = api_client(specialist).post(URL, {"text": "Xin chµo c¸c b¹n"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "text": "Xin chào các bạn",
        "source": "tcvn3",
        "changed": True,
        "original": "Xin chµo c¸c b¹n",
    }


def test_anonymous_caller_is_refused(db):
    assert_error(APIClient().post(URL, {"text": "Toâi ñi hoïc"}, format="json"), 401, "not_authenticated")


def test_read_only_token_may_convert_because_nothing_is_stored(specialist):
    response = bearer_client(specialist, scopes=["read"]).post(URL, {"text": "Toâi ñi hoïc"}, format="json")
    assert response.status_code == 200
    assert response.json()["text"] == "Tôi đi học"


def test_token_without_read_scope_is_refused(specialist):
    client = bearer_client(specialist, scopes=["exchange"])
    assert_error(client.post(URL, {"text": "Toâi ñi hoïc"}, format="json"), 403, "permission_denied")


def test_ordinary_text_comes_back_unchanged(specialist, api_client):
    client = api_client(specialist)
    for text in ("Tiếng Việt", "Élève à l'école", "Don't you think it's late?", ""):
        body = client.post(URL, {"text": text}, format="json").json()
        assert body == {"text": text, "source": "unicode", "changed": False, "original": text}


def test_explicit_source_is_applied(specialist, api_client):
    client = api_client(specialist)
    assert client.post(URL, {"text": "tæ"}, format="json").json()["text"] == "tæ"
    body = client.post(URL, {"text": "tæ", "source": "vni"}, format="json").json()
    assert (body["text"], body["source"], body["changed"]) == ("tỉ", "vni", True)


def test_decomposed_unicode_is_recomposed(specialist, api_client):
    body = api_client(specialist).post(URL, {"text": "Vie\u0323\u0302t"}, format="json").json()
    assert (body["text"], body["source"], body["changed"]) == ("Việt", "unicode", True)


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({}, "invalid_required", "text"),
        ({"text": None}, "invalid_null", "text"),
        ({"text": "x", "source": "cp1258"}, "invalid_choice", "source"),
        ({"text": "x", "source": "unicode"}, "invalid_choice", "source"),
        ({"text": "x", "sauce": "auto"}, "unknown_field", "sauce"),
        ({"text": "a\x00b"}, "null_characters_not_allowed", "text"),
        ({"text": "a" * (MAX_TEXT_LENGTH + 1)}, "max_length", "text"),
    ],
)
def test_bad_request_bodies_get_the_documented_error(specialist, api_client, payload, code, field):
    assert_error(api_client(specialist).post(URL, payload, format="json"), 400, code, field)


def test_body_over_the_request_size_limit_is_a_json_error(specialist, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"text": "ệ" * 1000})
    response = api_client(specialist).post(URL, body, content_type="application/json")
    error = assert_error(response, 400, "text_too_long", "text")
    assert error["message"] == "Văn bản quá dài: mỗi lần chuyển tối đa 500.000 ký tự."


def test_schema_documents_the_operation(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"][URL]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403"}
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    request = schema["components"]["schemas"]["TextConvertRequest"]
    assert request["additionalProperties"] is False
    assert request["required"] == ["text"]
    response = schema["components"]["schemas"]["TextConversion"]
    assert set(response["required"]) == {"text", "source", "changed", "original"}
