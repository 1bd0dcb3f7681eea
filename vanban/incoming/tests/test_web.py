from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.documents.models import DocumentType, StoredFile
from vanban.documents.tests.docs_world import World, pdf_bytes, signed_pdf_bytes
from vanban.incoming.models import IncomingDocument

pytestmark = pytest.mark.django_db


def _form(**overrides: Any) -> dict[str, Any]:
    values = {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "issuing_organ_name": "Sở Công Thương Hà Nội",
        "code_number": "45",
        "code_notation": "SCT-QLTM",
        "issued_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "arrival_date": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "subject": "V/v kiểm tra thị trường dịp Tết",
        "urgency": "khan",
        "secrecy": "none",
        "receipt_method": "paper",
        "language": "Tiếng Việt",
    }
    values.update(overrides)
    return values


def test_form_shows_next_number_without_taking_it(world: World, web_client: Any, register_doc: Any) -> None:
    register_doc(world.ministry_clerk)
    response = web_client(world.ministry_clerk).get(reverse("web:incoming_register"))
    assert response.status_code == 200
    assert "Số đến tiếp theo dự kiến: <strong>2</strong>" in response.content.decode()
    assert '<datalist id="organ-list">' in response.content.decode()
    web_client(world.ministry_clerk).get(reverse("web:incoming_register"))
    assert register_doc(world.ministry_clerk, code_number="2").arrival_number == 2


def test_clerk_registers_through_the_form_and_sees_the_document(
    world: World, web_client: Any, isolated_storage: Any
) -> None:
    client = web_client(world.ministry_clerk)
    scan = signed_pdf_bytes()
    response = client.post(
        reverse("web:incoming_register"),
        {**_form(), "files": [SimpleUploadedFile("cv45.pdf", scan, "application/pdf")]},
    )
    doc = IncomingDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:incoming_detail", args=[doc.pk])
    page = client.get(response["Location"]).content.decode()
    link = doc.files.get()
    assert link.file.sha256 in page and "Có chữ ký số" in page and "Sở Công Thương Hà Nội" in page
    assert AuditEvent.objects.filter(action="incoming.viewed", target_id=str(doc.pk)).count() == 1
    file_response = client.get(reverse("web:incoming_file", args=[doc.pk, link.pk]) + "?xem=1")
    assert file_response["Content-Type"] == "application/pdf"
    assert file_response["X-Content-Type-Options"] == "nosniff"
    assert file_response["Content-Disposition"].startswith("inline")
    assert b"".join(file_response.streaming_content) == scan
    download = client.get(reverse("web:incoming_file", args=[doc.pk, link.pk]))
    assert download["Content-Disposition"].startswith("attachment")


def test_secret_choice_shows_the_rule_and_stores_nothing(world: World, web_client: Any, isolated_storage: Any) -> None:
    response = web_client(world.ministry_clerk).post(
        reverse("web:incoming_register"),
        {**_form(secrecy="toi_mat"), "files": [SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="refusal"' in page and "2226/QĐ-BCT" in page
    assert not IncomingDocument.objects.exists() and not StoredFile.objects.exists()
    assert AuditEvent.objects.get(action="incoming.refused").data == {"reason": "secrecy"}


def test_duplicate_shows_earlier_registration_and_confirm_registers(
    world: World, web_client: Any, register_doc: Any
) -> None:
    first = register_doc(world.ministry_clerk, issuing_organ_name="Sở Công Thương Hà Nội", code_number="45",
                         code_notation="SCT-QLTM", issued_date=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    client = web_client(world.ministry_clerk)
    response = client.post(reverse("web:incoming_register"), _form())
    assert response.status_code == 409
    assert reverse("web:incoming_detail", args=[first.pk]) in response.content.decode()
    assert "Vẫn đăng ký" in response.content.decode()
    response = client.post(reverse("web:incoming_register"), _form(confirm_duplicate="on"))
    assert response.status_code == 302
    assert IncomingDocument.objects.count() == 2


def test_legacy_encoding_notice_after_registration(world: World, web_client: Any, isolated_storage: Any) -> None:
    client = web_client(world.ministry_clerk)
    response = client.post(reverse("web:incoming_register"), _form(subject="KiÓm tra thÞ tr­êng"), follow=True)
    page = response.content.decode()
    assert "KiÓm tra" in page and IncomingDocument.objects.get().subject.startswith("Kiểm tra")


def test_specialist_cannot_open_the_registration_form(world: World, web_client: Any) -> None:
    client = web_client(world.specialist)
    assert client.get(reverse("web:incoming_register")).status_code == 403
    assert client.post(reverse("web:incoming_register"), _form()).status_code == 403
    assert web_client(world.unit_clerk).get(reverse("web:incoming_register")).status_code == 200


def test_document_and_file_urls_are_404_outside_access(world: World, web_client: Any, register_doc: Any) -> None:
    doc = register_doc(world.unit_clerk, files=[("a.pdf", pdf_bytes(marker="x"))])
    link = doc.files.get()
    for outsider in (world.other_clerk, world.specialist, world.sysadmin):
        client = web_client(outsider)
        assert client.get(reverse("web:incoming_detail", args=[doc.pk])).status_code == 404
        assert client.get(reverse("web:incoming_file", args=[doc.pk, link.pk])).status_code == 404
    assert web_client(world.unit_clerk).get(reverse("web:incoming_detail", args=[doc.pk])).status_code == 200
    assert not AuditEvent.objects.filter(action="incoming.viewed", actor=world.other_clerk).exists()


def test_list_filters_and_query_count(
    world: World, web_client: Any, register_doc: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        register_doc(world.ministry_clerk, code_number=str(i + 1), urgency="hoa_toc" if i % 10 == 0 else "normal")
    client = web_client(world.ministry_clerk)
    client.get(reverse("web:incoming_list"))  # warm the session and role caches
    with django_assert_max_num_queries(14):
        response = client.get(reverse("web:incoming_list"))
    assert response.status_code == 200
    assert response.content.decode().count("data-incoming=") == 25
    filtered = client.get(reverse("web:incoming_list"), {"do_khan": "hoa_toc"}).content.decode()
    assert filtered.count("data-incoming=") == 3
    assert client.get(reverse("web:incoming_list"), {"page": 2}).content.decode().count("data-incoming=") == 5
    by_text = client.get(reverse("web:incoming_list"), {"q": "xuất khẩu gạo"}).content.decode()
    assert by_text.count("data-incoming=") == 25


def test_navigation_shows_incoming_to_clerks_and_specialists_not_sysadmin(world: World, web_client: Any) -> None:
    url = reverse("web:incoming_list")
    assert url in web_client(world.unit_clerk).get(reverse("web:home")).content.decode()
    assert url in web_client(world.specialist).get(reverse("web:home")).content.decode()
    assert f'href="{url}"' not in web_client(world.sysadmin).get(reverse("web:home")).content.decode()


def test_secrecy_stamp_warning_asks_for_confirmation(world: World, web_client: Any, isolated_storage: Any) -> None:
    from vanban.incoming.tests.test_registration import _pdf_with_text

    stamped = _pdf_with_text("MAT", "So: 45/SCT-QLTM")
    client = web_client(world.ministry_clerk)
    url = reverse("web:incoming_register")
    response = client.post(url, {**_form(), "files": [SimpleUploadedFile("a.pdf", stamped, "application/pdf")]})
    assert response.status_code == 400
    assert 'name="confirm_not_secret"' in response.content.decode()
    assert not StoredFile.objects.exists()
    response = client.post(
        url,
        {**_form(confirm_not_secret="on"), "files": [SimpleUploadedFile("a.pdf", stamped, "application/pdf")]},
    )
    assert response.status_code == 302 and IncomingDocument.objects.get().files.count() == 1


def test_the_form_suggests_signers_the_clerk_has_seen(world: World, web_client: Any, register_doc: Any) -> None:
    register_doc(world.ministry_clerk, signer_name="Lê Văn Bốn", signer_position="Chủ tịch")
    register_doc(world.other_clerk, code_number="9", signer_name="Người Khác Đơn Vị")
    page = web_client(world.ministry_clerk).get(reverse("web:incoming_register")).content.decode()
    assert '<datalist id="signer-list"><option value="Người Khác Đơn Vị"><option value="Lê Văn Bốn">' in page
    assert '<option value="Chủ tịch">' in page
    # The ministry clerk reads every document; a unit clerk only their register's.
    unit_page = web_client(world.other_clerk).get(reverse("web:incoming_register")).content.decode()
    assert "Lê Văn Bốn" not in unit_page and "Người Khác Đơn Vị" in unit_page
