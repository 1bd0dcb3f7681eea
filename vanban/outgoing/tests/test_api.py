"""Drafting and review through /api/v1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanban.documents.models import DocumentType
from vanban.outgoing.models import OutgoingDocument
from vanban.outgoing.tests.conftest import Desk, docx_bytes

pytestmark = pytest.mark.django_db


def test_draft_submit_approve_by_api(desk: Desk, api_client: Any) -> None:
    w = desk.world
    drafter = api_client(w.specialist)
    r = drafter.post("/api/v1/outgoing", {
        "document_type": DocumentType.objects.get(code="cong-van").pk, "subject": "V/v báo cáo quý IV",
        "signer": desk.signer.pk, "recipients": json.dumps([{"kind": "unit", "id": w.other.pk}]),
        "file": SimpleUploadedFile("dt.docx", docx_bytes()),
    }, format="multipart")
    assert r.status_code == 201, r.json()
    doc_id = r.json()["id"]
    assert r.json()["recipients"][0]["unit"] == w.other.pk
    r = drafter.post(f"/api/v1/outgoing/{doc_id}/submit",
                     {"note": "Kính trình", "reviewers": [{"step": "unit_leader", "user": w.leader.pk}]}, format="json")
    assert r.status_code == 200, r.json()
    assert [x["step"] for x in r.json()["reviews"]] == ["unit_leader", "signer"]
    again = drafter.post(f"/api/v1/outgoing/{doc_id}/submit", {"note": "Lại", "reviewers": []}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_editable")
    assert api_client(w.leader).get("/api/v1/outgoing?box=review").json()["results"][0]["id"] == doc_id
    r = api_client(w.leader).post(f"/api/v1/outgoing/{doc_id}/approve", {"comment": "Đồng ý"}, format="json")
    assert r.status_code == 200
    r = api_client(desk.signer).post(f"/api/v1/outgoing/{doc_id}/approve", {"comment": "Ký"}, format="multipart")
    assert r.json()["status"] == "approved"
    sign = api_client(w.leader).post(f"/api/v1/outgoing/{doc_id}/sign", {"secret": "x"}, format="json")
    assert sign.status_code == 403
    issue = api_client(w.ministry_clerk).post(f"/api/v1/outgoing/{doc_id}/issue", {}, format="json")
    assert issue.status_code in (404, 409)


def test_bad_drafts_by_api(desk: Desk, api_client: Any) -> None:
    client = api_client(desk.world.specialist)
    r = client.post("/api/v1/outgoing", {"document_type": 999999, "subject": "x",
                                         "file": SimpleUploadedFile("dt.docx", docx_bytes())}, format="multipart")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_document_type")
    r = client.post("/api/v1/outgoing", {"document_type": DocumentType.objects.get(code="cong-van").pk,
                                         "subject": "x", "recipients": "[{\"kind\": \"planet\", \"id\": 1}]",
                                         "file": SimpleUploadedFile("dt.docx", docx_bytes())}, format="multipart")
    assert r.status_code == 400
    assert OutgoingDocument.objects.count() == 0
    doc = desk.draft()
    assert api_client(desk.world.other_clerk).get(f"/api/v1/outgoing/{doc.pk}").status_code == 404


def test_email_recipients_by_api(desk: Desk, api_client: Any) -> None:
    r = api_client(desk.world.specialist).post("/api/v1/outgoing", {
        "document_type": DocumentType.objects.get(code="cong-van").pk, "subject": "V/v gửi Sở",
        "recipients": json.dumps([{"kind": "email", "email": "so@congthuong.gov.vn"}]),
        "file": SimpleUploadedFile("dt.docx", docx_bytes()),
    }, format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()["recipients"][0]["email"] == "so@congthuong.gov.vn"
