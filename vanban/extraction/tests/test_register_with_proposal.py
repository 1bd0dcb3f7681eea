"""Registering the file already sent for «Đọc tự động»: the incoming API's `proposal`
and the registration form share `file_for_registration` (own proposal, file still kept,
not secret), so nobody uploads the document twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from vanban.documents.models import DocumentType
from vanban.documents.tests.docs_world import World
from vanban.extraction.models import Proposal
from vanban.extraction.services import kept_file
from vanban.extraction.tests.test_prefill import _decision, read_and_complete
from vanban.incoming.models import IncomingDocument

pytestmark = pytest.mark.django_db


def _read(api: Any, path: Any) -> dict[str, Any]:
    with path.open("rb") as fh:
        response = api.post("/api/v1/extraction", {"file": fh}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def _body(proposal_id: Any, **overrides: Any) -> dict[str, Any]:
    values = {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "issuing_organ_name": "Cục Xuất nhập khẩu",
        "code_number": "125",
        "code_notation": "QĐ-XNK",
        "issued_date": "2025-03-04",
        "subject": "Về việc ban hành quy chế quản lý văn bản điện tử",
        "proposal": str(proposal_id),
    }
    values.update(overrides)
    return values


def test_api_registers_the_file_sent_for_auto_read_without_a_second_upload(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    api = api_client(world.unit_clerk)
    read = _read(api, path)
    response = api.post("/api/v1/incoming", _body(read["id"]), format="json")
    assert response.status_code == 201, response.content
    doc = IncomingDocument.objects.get()
    stored = doc.files.get()
    assert stored.name == path.name and stored.file.sha256 == Proposal.objects.get().file_sha256
    assert kept_file(Proposal.objects.get()) is None  # the working copy is registered once
    again = api.post("/api/v1/incoming", _body(read["id"], code_number="126"), format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "proposal_expired" and again.json()["field"] == "proposal"
    assert "hãy gửi lại tệp" in again.json()["message"]
    assert IncomingDocument.objects.count() == 1


def test_api_proposal_with_appendices_puts_the_read_file_first(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any], tmp_path: Any
) -> None:
    path, _ = _decision(make_page)
    api = api_client(world.unit_clerk)
    read = _read(api, path)
    appendix = tmp_path / "phu-luc.pdf"
    appendix.write_bytes(_decision(make_page, number="7")[0].read_bytes())
    with appendix.open("rb") as fh:
        response = api.post("/api/v1/incoming", {**_body(read["id"]), "files": [fh]}, format="multipart")
    assert response.status_code == 201, response.content
    names = list(IncomingDocument.objects.get().files.order_by("position", "pk").values_list("name", flat=True))
    assert names == [path.name, "phu-luc.pdf"]


def test_another_persons_unknown_or_expired_proposal_is_refused_and_nothing_is_saved(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    read = _read(api_client(world.unit_clerk), path)
    other = api_client(world.other_clerk).post("/api/v1/incoming", _body(read["id"]), format="json")
    assert other.status_code == 400 and other.json()["code"] == "proposal_not_found"
    assert other.json()["message"] == "Không tìm thấy kết quả đọc tự động này trong các lần đọc tự động của bạn."
    unknown = api_client(world.unit_clerk).post(
        "/api/v1/incoming", _body("6f1c7a52-5d8e-4f2b-9a57-2d1f0c7e9b11"), format="json"
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "proposal_not_found"
    malformed = api_client(world.unit_clerk).post("/api/v1/incoming", _body("khong-phai-ma"), format="json")
    assert malformed.status_code == 400 and malformed.json()["field"] == "proposal"
    Proposal.objects.filter(pk=read["id"]).update(created_at=timezone.now() - dt.timedelta(days=1, minutes=5))
    expired = api_client(world.unit_clerk).post("/api/v1/incoming", _body(read["id"]), format="json")
    assert expired.status_code == 400 and expired.json()["code"] == "proposal_expired"
    assert not IncomingDocument.objects.exists()


def test_a_secret_proposal_is_refused(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page, secrecy="MẬT")
    api = api_client(world.unit_clerk)
    read = _read(api, path)
    response = api.post("/api/v1/incoming", _body(read["id"]), format="json")
    assert response.status_code == 400 and response.json()["code"] == "secret_document"
    assert not IncomingDocument.objects.exists()


def test_form_says_when_the_read_file_is_no_longer_kept(
    world: World, isolated_storage: Any, web_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    client = web_client(world.unit_clerk)
    proposal, data = read_and_complete(client, path, world.unit_clerk)
    Proposal.objects.filter(pk=proposal.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    response = client.post(reverse("web:incoming_register"), data)
    assert response.status_code == 400
    assert "không còn được giữ" in response.content.decode()
    assert not IncomingDocument.objects.exists()
