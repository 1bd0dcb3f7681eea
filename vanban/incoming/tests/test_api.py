from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.documents.models import DocumentType, StoredFile
from vanban.documents.tests.docs_world import World, pdf_bytes
from vanban.incoming.models import IncomingDocument

pytestmark = pytest.mark.django_db

URL = "/api/v1/incoming"


def _body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "issuing_organ_name": "Tổng cục Hải quan",
        "code_number": "3021",
        "code_notation": "TCHQ-GSQL",
        "issued_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "subject": "V/v thủ tục hải quan đối với hàng xuất khẩu",
        "urgency": "thuong_khan",
    }
    values.update(overrides)
    return values


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, "application/octet-stream")


def test_clerk_registers_by_multipart_and_downloads_the_file(
    world: World, api_client: Any, isolated_storage: Any
) -> None:
    client = api_client(world.unit_clerk)
    scan = pdf_bytes(pages=2, marker="api")
    response = client.post(URL, {**_body(), "files": [_upload("cv.pdf", scan)]}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["arrival_number"] == 1 and body["page_amount"] == 2 and body["year"] == timezone.localdate().year
    assert body["files"][0]["sha256"] == StoredFile.objects.get().sha256
    detail = client.get(f"{URL}/{body['id']}")
    assert detail.status_code == 200 and detail.json()["subject"] == _body()["subject"]
    file_response = client.get(f"{URL}/{body['id']}/files/{body['files'][0]['id']}")
    assert file_response.status_code == 200 and b"".join(file_response.streaming_content) == scan
    assert file_response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="incoming.viewed").count() == 1


def test_json_registration_without_files(world: World, api_client: Any) -> None:
    response = api_client(world.ministry_clerk).post(URL, _body(), format="json")
    assert response.status_code == 201
    assert IncomingDocument.objects.get().issuing_organ.name == "Tổng cục Hải quan"


def test_secret_document_refused_with_code(world: World, api_client: Any, isolated_storage: Any) -> None:
    response = api_client(world.ministry_clerk).post(
        URL, {**_body(secrecy="mat"), "files": [_upload("m.pdf", pdf_bytes())]}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "secret_document" and response.json()["field"] == "secrecy"
    assert not StoredFile.objects.exists() and not IncomingDocument.objects.exists()


def test_duplicate_answers_409_with_matches_then_confirm(world: World, api_client: Any) -> None:
    client = api_client(world.ministry_clerk)
    first = client.post(URL, _body(), format="json").json()
    again = client.post(URL, _body(code_number="03021"), format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "possible_duplicate"
    assert again.json()["matches"][0]["id"] == first["id"]
    confirmed = client.post(URL, _body(confirm_duplicate=True), format="json")
    assert confirmed.status_code == 201 and confirmed.json()["arrival_number"] == 2


def test_bad_file_refused(world: World, api_client: Any, isolated_storage: Any) -> None:
    response = api_client(world.ministry_clerk).post(
        URL, {**_body(), "files": [_upload("rong.pdf", b"")]}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "empty_file"
    assert not IncomingDocument.objects.exists()


def test_specialist_cannot_register_and_outsiders_get_404(world: World, api_client: Any) -> None:
    assert api_client(world.specialist).post(URL, _body(), format="json").status_code == 403
    doc = api_client(world.unit_clerk).post(URL, _body(), format="json").json()
    for outsider in (world.other_clerk, world.specialist, world.sysadmin):
        assert api_client(outsider).get(f"{URL}/{doc['id']}").status_code == 404
        assert api_client(outsider).get(URL).json()["count"] == 0
    assert api_client(world.unit_clerk).get(f"{URL}/{doc['id']}").status_code == 200


def test_list_query_count(world: World, api_client: Any, register_doc: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(20):
        register_doc(world.ministry_clerk, code_number=str(i + 1))
    client = api_client(world.ministry_clerk)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "gạo"})
    assert response.status_code == 200 and response.json()["count"] == 20
    assert json.dumps(response.json()["results"][0], ensure_ascii=False).count("UBND tỉnh Nghệ An") == 1
