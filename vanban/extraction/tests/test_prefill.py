"""The registration form pre-filled from a proposal (web and API), and the secrecy
refusal a stamp on the page triggers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.conftest import run_queued_jobs
from vanban.documents.tests.docs_world import World
from vanban.extraction.models import Proposal
from vanban.extraction.services import kept_file
from vanban.incoming.models import IncomingDocument

pytestmark = pytest.mark.django_db


def _decision(make_page: Callable[..., Any], **labels: Any) -> Any:
    values = dict(
        organ_parent="BỘ CÔNG THƯƠNG", organ="CỤC XUẤT NHẬP KHẨU", number="125", symbol="QĐ-XNK",
        number_symbol="125/QĐ-XNK", doc_type="Quyết định (cá biệt)", _title="QUYẾT ĐỊNH",
        summary="Về việc ban hành quy chế quản lý văn bản điện tử", signing_authority="KT.",
        _on_behalf="CỤC TRƯỞNG", signer_position="PHÓ CỤC TRƯỞNG", signer_name="Lê Hoàng Long",
        urgency="KHẨN", secrecy=None, date="2025-03-04", place="Hà Nội",
    )  # fmt: skip
    values.update(labels)
    return make_page("pdf", seed=31, **values)


def read_and_complete(client: Any, path: Any, owner: Any) -> tuple[Proposal, dict[str, Any]]:
    """«Đọc tự động» on `path`, then the pre-filled registration form's values with what
    the clerk adds by hand (the fields the reading leaves empty): ready to post."""
    with path.open("rb") as fh:
        client.post(reverse("web:extraction_start"), {"files": fh})
    proposal = Proposal.objects.get(owner=owner)
    form = client.get(f"{reverse('web:incoming_register')}?de_xuat={proposal.pk}").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        issued_date="04/03/2025",
        arrival_date=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        receipt_method="paper",
        language="Tiếng Việt",
        secrecy="none",
        proposal=str(proposal.pk),
    )
    return proposal, data


def test_clerk_reads_a_pdf_and_gets_a_prefilled_form_marked_for_checking(
    world: World, isolated_storage: Any, web_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    client = web_client(world.unit_clerk)
    with path.open("rb") as fh:
        response = client.post(reverse("web:extraction_start"), {"files": fh})
    proposal = Proposal.objects.get(owner=world.unit_clerk)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:incoming_register')}?de_xuat={proposal.pk}"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="proposal-note"' in html
    assert "đề xuất tự động — kiểm tra lại" in html
    form = page.context["form"]
    assert form.initial["code_number"] == "125"
    assert form.initial["code_notation"] == "QĐ-XNK"
    assert form.initial["subject"] == "Về việc ban hành quy chế quản lý văn bản điện tử"
    assert form.initial["issued_date"].isoformat() == "2025-03-04"
    assert form.initial["urgency"] == "khan"
    assert form.initial["signer_name"] == "Lê Hoàng Long"
    assert form.fields["code_number"].widget.attrs["data-proposed"] == "1"
    assert "data-proposed" not in form.fields["description"].widget.attrs
    assert AuditEvent.objects.filter(action="extraction.requested", actor=world.unit_clerk).count() == 1


def test_the_read_file_is_registered_with_the_checked_fields(
    world: World, isolated_storage: Any, web_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    client = web_client(world.unit_clerk)
    proposal, data = read_and_complete(client, path, world.unit_clerk)
    response = client.post(reverse("web:incoming_register"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = IncomingDocument.objects.get()
    assert (doc.code_number, doc.code_notation, doc.subject) == (
        "125", "QĐ-XNK", "Về việc ban hành quy chế quản lý văn bản điện tử",
    )  # fmt: skip
    assert doc.files.get().name == path.name
    proposal.refresh_from_db()
    assert kept_file(proposal) is None  # the working copy is gone once registered


def test_a_secrecy_stamp_shows_the_refusal_and_keeps_nothing_of_the_content(
    world: World, isolated_storage: Any, web_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page, secrecy="MẬT")
    client = web_client(world.unit_clerk)
    with path.open("rb") as fh:
        response = client.post(reverse("web:extraction_start"), {"files": fh})
    proposal = Proposal.objects.get(owner=world.unit_clerk)
    assert proposal.fields["secrecy"] == "MẬT"
    assert {k for k, v in proposal.fields.items() if v} == {"secrecy"}
    assert kept_file(proposal) is None
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="refusal"' in html and 'data-code="secret_document"' in html
    assert "không được đưa vào hệ thống" in html
    assert page.context["form"].initial["secrecy"] == "mat"


def test_only_clerks_may_ask_and_a_proposal_is_its_owners(
    world: World, isolated_storage: Any, web_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    with path.open("rb") as fh:
        assert web_client(world.specialist).post(reverse("web:extraction_start"), {"files": fh}).status_code == 403
    with path.open("rb") as fh:
        web_client(world.unit_clerk).post(reverse("web:extraction_start"), {"files": fh})
    proposal = Proposal.objects.get()
    other = web_client(world.other_clerk)
    assert other.get(reverse("web:extraction_progress", args=[proposal.pk])).status_code == 404
    # Someone else's proposal id in the form's address fills nothing.
    page = other.get(f"{reverse('web:incoming_register')}?de_xuat={proposal.pk}")
    assert page.status_code == 200 and "code_number" not in page.context["form"].initial


def test_api_reads_a_pdf_at_once(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    path, _ = _decision(make_page)
    client = api_client(world.unit_clerk)
    with path.open("rb") as fh:
        response = client.post("/api/v1/extraction", {"file": fh}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "done" and body["source"] == "text" and body["job"] is None
    assert body["fields"]["number_symbol"] == "125/QĐ-XNK"
    assert body["fields"]["doc_type"] == "Quyết định (cá biệt)"
    assert body["fields"]["signing_authority"] == "KT."
    assert body["secrecy_warning"] is None
    again = client.get(f"/api/v1/extraction/{body['id']}")
    assert again.status_code == 200 and again.json()["fields"] == body["fields"]
    assert api_client(world.other_clerk).get(f"/api/v1/extraction/{body['id']}").status_code == 404


def test_api_secrecy_warning_and_refusals(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any], tmp_path: Any
) -> None:
    path, _ = _decision(make_page, secrecy="TUYỆT MẬT")
    with path.open("rb") as fh:
        body = api_client(world.unit_clerk).post("/api/v1/extraction", {"file": fh}, format="multipart").json()
    assert body["fields"]["secrecy"] == "TUYỆT MẬT"
    assert "Tuyệt mật" in body["secrecy_warning"]
    with path.open("rb") as fh:
        refused = api_client(world.specialist).post("/api/v1/extraction", {"file": fh}, format="multipart")
    assert refused.status_code == 403
    sheet = tmp_path / "bang.xlsx"
    sheet.write_bytes(b"PK\x03\x04not really")
    with sheet.open("rb") as fh:
        bad = api_client(world.unit_clerk).post("/api/v1/extraction", {"file": fh}, format="multipart")
    assert bad.status_code == 400 and bad.json()["field"] == "file"


@pytest.mark.django_db(transaction=True)
def test_a_scan_is_read_by_a_background_job_with_progress(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], web_client: Callable[[Any], Any],
    make_page: Callable[..., Any],
) -> None:  # fmt: skip
    path, sample = make_page("scan-png", seed=21, dpi=300, skew=0.0, font="noto-serif", secrecy=None)
    with path.open("rb") as fh:
        response = web_client(world.unit_clerk).post(reverse("web:extraction_start"), {"files": fh})
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("web:extraction_progress", args=[proposal.pk])
    progress = web_client(world.unit_clerk).get(response["Location"])
    assert 'data-testid="extraction-live"' in progress.content.decode()
    assert api_client(world.unit_clerk).get(f"/api/v1/extraction/{proposal.pk}").json()["state"] == "pending"
    run_queued_jobs()
    body = api_client(world.unit_clerk).get(f"/api/v1/extraction/{proposal.pk}").json()
    assert body["state"] == "done" and body["source"] == "ocr"
    assert body["fields"]["number_symbol"] == sample.labels["number_symbol"]
    assert body["fields"]["date"] == sample.labels["date"]
    # Finished: the progress page sends the clerk to the pre-filled form.
    done = web_client(world.unit_clerk).get(reverse("web:extraction_progress", args=[proposal.pk]))
    assert done.status_code == 302 and f"de_xuat={proposal.pk}" in done["Location"]


def test_working_copies_of_unregistered_proposals_are_swept_after_a_day(
    world: World, isolated_storage: Any, api_client: Callable[[Any], Any], make_page: Callable[..., Any]
) -> None:
    from datetime import timedelta

    from vanban.extraction.services import sweep_expired

    path, _ = _decision(make_page)
    with path.open("rb") as fh:
        api_client(world.unit_clerk).post("/api/v1/extraction", {"file": fh}, format="multipart")
    proposal = Proposal.objects.get()
    assert kept_file(proposal) is not None
    assert sweep_expired(now=timezone.now() + timedelta(hours=2)) == 0
    assert sweep_expired(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    proposal.refresh_from_db()
    assert kept_file(proposal) is None and proposal.fields["number"] == "125"
