"""Signatures of incoming PDFs are checked after registration (in the background worker),
shown on the document page and returned by the API; a person can re-check them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from vanban.audit.models import AuditEvent
from vanban.conftest import run_queued_jobs
from vanban.documents import signature_reports
from vanban.documents.models import SignatureReport, StoredFile
from vanban.documents.tests.docs_world import World, docx_bytes, pdf_bytes, signed_pdf_bytes
from vanban.incoming.models import IncomingDocument
from vanban.signatures import validation
from vanban.signatures.tests.test_validation import SIGNER, Pki, make_pki, other_root, plain_pdf, sign, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def trust_test_ca(monkeypatch: pytest.MonkeyPatch, pki: Pki) -> Callable[[list[Any]], None]:
    """The configured trust roots are the test CA's (set_roots changes them later)."""
    roots: list[Any] = [pki.root]
    monkeypatch.setattr(validation, "load_trust_roots", lambda: list(roots))

    def set_roots(new: list[Any]) -> None:
        roots[:] = new

    return set_roots


def _detail(client: Any, doc: IncomingDocument) -> str:
    response = client.get(reverse("web:incoming_detail", args=[doc.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _api_file(client: Any, doc: IncomingDocument) -> dict[str, Any]:
    response = client.get(f"/api/v1/incoming/{doc.pk}")
    assert response.status_code == 200
    return response.json()["files"][0]


def _run_check(doc: IncomingDocument) -> SignatureReport:
    stored = doc.files.get().file
    signature_reports.check_signatures_task.call(stored.pk)
    return SignatureReport.objects.get(file=stored)


def test_a_registered_signed_pdf_is_pending_until_the_worker_checks_it(
    world: World,
    register_doc: Callable[..., IncomingDocument],
    web_client: Any,
    api_client: Any,
    pki: Pki,
    trust_test_ca: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])
    assert callbacks, "the check is queued for after the registration commits"
    report = SignatureReport.objects.get(file=doc.files.get().file)
    assert report.state == SignatureReport.State.PENDING and report.checked_at is None
    page = _detail(web_client(world.unit_clerk), doc)
    poll = reverse("web:incoming_file_signatures", args=[doc.pk, doc.files.get().pk])
    assert "Đang kiểm tra chữ ký…" in page and f'hx-get="{poll}"' in page
    body = _api_file(api_client(world.unit_clerk), doc)
    assert body["is_signed_pdf"] is True and body["signature_report"]["state"] == "pending"
    assert body["signature_report"]["report"] is None

    report = _run_check(doc)
    assert report.state == SignatureReport.State.DONE and report.ok and report.trusted
    page = _detail(web_client(world.unit_clerk), doc)
    assert "Đang kiểm tra chữ ký…" not in page and f'hx-get="{poll}"' not in page
    assert "Chữ ký hợp lệ" in page and f"Chữ ký hợp lệ của {SIGNER} (ký lúc" in page
    assert 'data-testid="signature" data-ok="true" data-trusted="true"' in page
    body = _api_file(api_client(world.unit_clerk), doc)
    api_report = body["signature_report"]
    assert api_report["state"] == "done" and api_report["ok"] is True and api_report["trusted"] is True
    assert api_report["signature_count"] == 1 and api_report["checked_at"]
    (sig,) = api_report["report"]["signatures"]
    assert sig["signer"]["common_name"] == SIGNER and sig["signer_kind"] == "person"
    assert sig["signing_time"].endswith("+07:00") and sig["modification_level"] == "NONE"
    event = AuditEvent.objects.get(action="file.signatures_checked")
    assert event.actor is None and event.data["ok"] is True and event.data["sha256"] == body["sha256"]


def test_the_polled_fragment_follows_the_check(
    world: World, register_doc: Callable[..., IncomingDocument], web_client: Any, pki: Pki, trust_test_ca: Any
) -> None:
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])
    url = reverse("web:incoming_file_signatures", args=[doc.pk, doc.files.get().pk])
    client = web_client(world.unit_clerk)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="pending"' in fragment and "hx-get" in fragment
    _run_check(doc)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in fragment and "hx-get" not in fragment and "Chữ ký hợp lệ" in fragment
    for outsider in (world.other_clerk, world.specialist):
        assert web_client(outsider).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_background_worker_runs_the_check_after_registration(
    world: World, register_doc: Callable[..., IncomingDocument], web_client: Any, pki: Pki, trust_test_ca: Any
) -> None:
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])
    assert SignatureReport.objects.get().state == SignatureReport.State.PENDING
    run_queued_jobs()
    report = SignatureReport.objects.get()
    assert report.state == SignatureReport.State.DONE and report.ok and report.trusted
    assert f"Chữ ký hợp lệ của {SIGNER}" in _detail(web_client(world.unit_clerk), doc)


def test_a_pdf_changed_after_signing_is_shown_as_broken(
    world: World,
    register_doc: Callable[..., IncomingDocument],
    web_client: Any,
    api_client: Any,
    pki: Pki,
    trust_test_ca: Any,
) -> None:
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", tamper(sign(plain_pdf(), pki)))])
    report = _run_check(doc)
    assert report.state == SignatureReport.State.DONE and report.ok is False
    page = _detail(web_client(world.unit_clerk), doc)
    assert "Chữ ký không hợp lệ" in page and "không còn nguyên vẹn" in page and 'data-ok="false"' in page
    sig = _api_file(api_client(world.unit_clerk), doc)["signature_report"]["report"]["signatures"][0]
    assert sig["intact"] is False and sig["error"] == "signature_not_intact"


def test_a_signature_shaped_field_is_reported_invalid_not_a_crash(
    world: World, register_doc: Callable[..., IncomingDocument], web_client: Any, trust_test_ca: Any
) -> None:
    doc = register_doc(world.unit_clerk, files=[("gia.pdf", signed_pdf_bytes())])
    assert doc.files.get().file.is_signed_pdf
    report = _run_check(doc)
    assert report.state == SignatureReport.State.DONE and report.ok is False
    assert report.report["signatures"][0]["error"] == "signature_unreadable"
    assert "bị hỏng: không đọc được dữ liệu chữ ký" in _detail(web_client(world.unit_clerk), doc)


def test_an_untrusted_signer_is_shown_with_the_reason(
    world: World, register_doc: Callable[..., IncomingDocument], web_client: Any, pki: Pki, trust_test_ca: Any
) -> None:
    trust_test_ca([other_root()])
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])
    report = _run_check(doc)
    assert report.ok is True and report.trusted is False
    page = _detail(web_client(world.unit_clerk), doc)
    assert "Chữ ký nguyên vẹn, chưa xác thực được chứng thư" in page
    assert "không tìm thấy chuỗi chứng thư" in page


def test_api_verify_checks_again_now_and_replaces_the_result(
    world: World,
    register_doc: Callable[..., IncomingDocument],
    api_client: Any,
    pki: Pki,
    trust_test_ca: Any,
) -> None:
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])
    link = doc.files.get()
    client = api_client(world.unit_clerk)
    url = f"/api/v1/incoming/{doc.pk}/files/{link.pk}/verify"
    response = client.post(url)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "done" and response.json()["trusted"] is True
    trust_test_ca([])  # the CA is no longer trusted: a re-check says so
    response = client.post(url)
    body = response.json()
    assert body["ok"] is True and body["trusted"] is False
    assert body["report"]["signatures"][0]["trust_problem"] == "NO_CERTIFICATE_CHAIN_FOUND"
    assert SignatureReport.objects.get(file=link.file).trusted is False
    events = AuditEvent.objects.filter(action="file.signatures_checked", actor=world.unit_clerk)
    assert events.count() == 2 and events.first().target_id == str(link.file.pk)  # type: ignore[union-attr]


def test_api_verify_errors(
    world: World, register_doc: Callable[..., IncomingDocument], api_client: Any, trust_test_ca: Any
) -> None:
    doc = register_doc(world.unit_clerk, files=[("a.docx", docx_bytes()), ("b.pdf", pdf_bytes(marker="b"))])
    docx, pdf = doc.files.order_by("position")
    client = api_client(world.unit_clerk)
    response = client.post(f"/api/v1/incoming/{doc.pk}/files/{docx.pk}/verify")
    assert response.status_code == 400 and response.json()["code"] == "not_pdf"
    # An unsigned PDF can be checked: no signatures.
    response = client.post(f"/api/v1/incoming/{doc.pk}/files/{pdf.pk}/verify")
    assert response.status_code == 200 and response.json()["signature_count"] == 0
    assert response.json()["report"]["summary_vi"] == "Tệp không có chữ ký số."
    assert api_client(world.other_clerk).post(f"/api/v1/incoming/{doc.pk}/files/{pdf.pk}/verify").status_code == 404
    assert client.post(f"/api/v1/incoming/{doc.pk}/files/999999/verify").status_code == 404


def test_an_unsigned_pdf_is_not_checked(
    world: World, register_doc: Callable[..., IncomingDocument], web_client: Any, api_client: Any
) -> None:
    doc = register_doc(world.unit_clerk, files=[("cv.pdf", pdf_bytes(marker="plain"))])
    assert not SignatureReport.objects.exists()
    assert 'data-testid="signature-report"' not in _detail(web_client(world.unit_clerk), doc)
    assert _api_file(api_client(world.unit_clerk), doc)["signature_report"] is None


def test_the_same_bytes_registered_again_reuse_the_check(
    world: World, register_doc: Callable[..., IncomingDocument], pki: Pki, trust_test_ca: Any
) -> None:
    signed = sign(plain_pdf(), pki)
    first = register_doc(world.unit_clerk, files=[("qd.pdf", signed)])
    _run_check(first)
    register_doc(world.unit_clerk, files=[("qd-lan-2.pdf", signed)], code_number="126", confirm_duplicate=True)
    assert StoredFile.objects.count() == 1
    assert SignatureReport.objects.get().state == SignatureReport.State.DONE


def test_web_recheck_with_and_without_htmx(
    world: World, register_doc: Callable[..., IncomingDocument], web_client: Any, pki: Pki, trust_test_ca: Any
) -> None:
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])
    url = reverse("web:incoming_file_signatures", args=[doc.pk, doc.files.get().pk])
    client = web_client(world.unit_clerk)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("web:incoming_detail", args=[doc.pk])
    assert SignatureReport.objects.get().state == SignatureReport.State.DONE
    fragment = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in fragment and "Kiểm tra lại chữ ký" in fragment
    assert AuditEvent.objects.filter(action="file.signatures_checked", actor=world.unit_clerk).count() == 2
    assert web_client(world.other_clerk).post(url).status_code == 404


def test_a_crashed_check_does_not_leave_the_page_waiting(
    world: World,
    register_doc: Callable[..., IncomingDocument],
    web_client: Any,
    pki: Pki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = register_doc(world.unit_clerk, files=[("qd.pdf", sign(plain_pdf(), pki))])

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(validation, "validate_pdf", crash)
    report = _run_check(doc)
    assert report.state == SignatureReport.State.FAILED and report.error_code == "system_error"
    page = _detail(web_client(world.unit_clerk), doc)
    assert "Không kiểm tra được chữ ký" in page and "boom" not in page
