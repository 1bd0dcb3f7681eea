"""Undoing the text guard for a field (issue 3: "the clerk may undo the conversion for a
field"): the field is stored as typed, still NFC, and the choice is on record."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.documents.models import DocumentType
from vanban.documents.tests.docs_world import World
from vanban.documents.text import tcvn3
from vanban.incoming.errors import IncomingError
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import TEXT_LIMITS

pytestmark = pytest.mark.django_db

SUBJECT = "Báo cáo tình hình xuất khẩu gạo quý III"
TYPED = tcvn3.encode(SUBJECT)  # "B¸o c¸o t×nh h×nh xuÊt khÈu g¹o quý III" as a .VnTime font types it
SIGNER = "Nguyễn Văn Tỉnh"


def test_kept_field_is_stored_as_typed_while_others_are_converted(world: World, register_doc: Any) -> None:
    doc = register_doc(
        world.ministry_clerk, subject=TYPED, signer_name=tcvn3.encode(SIGNER), keep_as_typed={"subject"}
    )
    doc.refresh_from_db()
    assert TYPED != SUBJECT and doc.subject == TYPED
    assert doc.signer_name == SIGNER
    assert set(doc.text_conversions) == {"signer_name"}
    event = AuditEvent.objects.get(action="incoming.registered", target_id=str(doc.pk))
    assert event.data["kept_as_typed"] == ["subject"]


def test_without_undo_the_same_text_is_converted_and_nothing_is_recorded_as_kept(
    world: World, register_doc: Any
) -> None:
    doc = register_doc(world.ministry_clerk, subject=TYPED)
    assert doc.subject == SUBJECT and doc.text_conversions["subject"].original == TYPED
    assert "kept_as_typed" not in AuditEvent.objects.get(action="incoming.registered").data


def test_undo_never_reverts_nfc(world: World, register_doc: Any) -> None:
    """TCVN 6909 requires NFC storage: undo reverts the legacy-encoding reading only."""
    decomposed = unicodedata.normalize("NFD", "Kính gửi Bộ Công Thương")
    doc = register_doc(world.ministry_clerk, subject=decomposed, description=decomposed + " " + TYPED,
                       keep_as_typed={"subject", "description"})  # fmt: skip
    doc.refresh_from_db()
    assert doc.subject == "Kính gửi Bộ Công Thương"
    assert doc.description == unicodedata.normalize("NFC", decomposed + " " + TYPED)
    assert unicodedata.is_normalized("NFC", doc.subject) and unicodedata.is_normalized("NFC", doc.description)


def test_unknown_field_is_refused_with_a_stable_code(world: World, register_doc: Any) -> None:
    with pytest.raises(IncomingError) as exc:
        register_doc(world.ministry_clerk, keep_as_typed={"subject", "password"})
    assert (exc.value.code, exc.value.field) == ("invalid_keep_as_typed", "keep_as_typed")
    assert "«password»" in exc.value.message
    assert not IncomingDocument.objects.exists()


# --- Web ---------------------------------------------------------------------------------------


def _form(**overrides: Any) -> dict[str, Any]:
    values = {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "issuing_organ_name": "Sở Công Thương Hà Nội",
        "code_number": "45",
        "code_notation": "SCT-QLTM",
        "issued_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "arrival_date": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "subject": TYPED,
        "signer_name": tcvn3.encode(SIGNER),
        "urgency": "normal",
        "secrecy": "none",
        "receipt_method": "paper",
        "language": "Tiếng Việt",
    }
    values.update(overrides)
    return values


def test_form_marks_guarded_fields_and_carries_the_undo_list(world: World, web_client: Any) -> None:
    page = web_client(world.ministry_clerk).get(reverse("web:incoming_register")).content.decode()
    for name in ("subject", "signer_name", "issuing_organ_name", "code_notation", "to_places"):
        assert f'data-text-guard="{name}"' in page
    assert 'data-text-guard="issued_date"' not in page
    assert '<input type="hidden" name="keep_as_typed"' in page
    assert 'data-text-guard-url="/api/v1/text/convert"' in page and "web/text-guard.js" in page
    messages = re.search(r'<script id="text-guard-messages" type="application/json">(.*?)</script>', page)
    assert json.loads(messages.group(1))["undo"] == "Hoàn tác"


def test_form_post_keeps_the_listed_fields_as_typed(world: World, web_client: Any) -> None:
    client = web_client(world.ministry_clerk)
    response = client.post(reverse("web:incoming_register"), _form(keep_as_typed="subject"))
    assert response.status_code == 302
    doc = IncomingDocument.objects.get()
    assert doc.subject == TYPED and doc.signer_name == SIGNER
    page = client.get(response["Location"]).content.decode()
    assert "Trích yếu nội dung: giữ nguyên như đã gõ" in page
    assert f"Người ký: đã chuyển từ mã TCVN3 sang Unicode: «{tcvn3.encode(SIGNER)}» → «{SIGNER}»" in page
    assert AuditEvent.objects.get(action="incoming.registered").data["kept_as_typed"] == ["subject"]


def test_form_without_script_still_converts_on_save(world: World, web_client: Any) -> None:
    response = web_client(world.ministry_clerk).post(reverse("web:incoming_register"), _form())
    assert response.status_code == 302
    assert IncomingDocument.objects.get().subject == SUBJECT


def test_form_with_a_bad_undo_list_says_so_and_keeps_the_list(world: World, web_client: Any) -> None:
    response = web_client(world.ministry_clerk).post(
        reverse("web:incoming_register"), _form(keep_as_typed="subject, ngay_den")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-for="keep_as_typed"' in page and "«ngay_den»" in page
    assert 'value="subject, ngay_den"' in page
    assert not IncomingDocument.objects.exists()


# --- API ----------------------------------------------------------------------------------------


def _body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "issuing_organ_name": "Tổng cục Hải quan",
        "code_number": "3021",
        "code_notation": "TCHQ-GSQL",
        "issued_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "subject": TYPED,
    }
    values.update(overrides)
    return values


def test_api_keeps_listed_fields_as_typed(world: World, api_client: Any) -> None:
    client = api_client(world.ministry_clerk)
    response = client.post("/api/v1/incoming", _body(keep_as_typed=["subject"]), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == TYPED and body["text_conversions"] == []
    assert AuditEvent.objects.get(action="incoming.registered").data["kept_as_typed"] == ["subject"]
    multipart = client.post(
        "/api/v1/incoming",
        _body(code_number="3022", signer_name=tcvn3.encode(SIGNER), keep_as_typed=["subject", "signer_name"]),
        format="multipart",
    )
    assert multipart.status_code == 201, multipart.content
    assert (multipart.json()["subject"], multipart.json()["signer_name"]) == (TYPED, tcvn3.encode(SIGNER))


def test_api_converts_by_default_and_refuses_unknown_fields(world: World, api_client: Any) -> None:
    client = api_client(world.ministry_clerk)
    converted = client.post("/api/v1/incoming", _body(), format="json").json()
    assert converted["subject"] == SUBJECT and converted["text_conversions"][0]["original"] == TYPED
    refused = client.post("/api/v1/incoming", _body(code_number="1", keep_as_typed=["trich_yeu"]), format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_keep_as_typed" and refused.json()["field"] == "keep_as_typed"
    assert IncomingDocument.objects.count() == 1


def test_every_text_field_may_be_kept(world: World, register_doc: Any) -> None:
    doc = register_doc(world.ministry_clerk, keep_as_typed=set(TEXT_LIMITS))
    assert doc.subject and AuditEvent.objects.get(action="incoming.registered").data["kept_as_typed"] == sorted(
        TEXT_LIMITS
    )
