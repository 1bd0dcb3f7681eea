"""The records pages: the same rules through forms, messages beside fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanban.documents.tests.docs_world import pdf_bytes
from vanban.records import services
from vanban.records.models import Dossier, DossierPlan, Transfer
from vanban.records.tests.conftest import Shelf

pytestmark = pytest.mark.django_db


def test_pages_answer_for_each_role(shelf: Shelf, web_client: Any) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=1)
    plan = dossier.plan_entry.plan
    for user in (w.ministry_clerk, w.unit_clerk, w.leader, w.specialist, shelf.leader):
        client = web_client(user)
        for url in ("/ho-so/", "/ho-so/danh-muc/", f"/ho-so/danh-muc/{plan.pk}/", f"/ho-so/{dossier.pk}/",
                    "/ho-so/bao-cao-bao-quan/", "/ho-so/nop-luu/", "/ho-so/luu-tru/"):  # fmt: skip
            r = client.get(url)
            assert r.status_code == 200, (user, url)
    assert web_client(w.other_clerk).get(f"/ho-so/{dossier.pk}/").status_code == 404
    page = web_client(w.unit_clerk).get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Mục lục văn bản trong hồ sơ" in page and "Đóng hồ sơ" in page
    r = web_client(w.unit_clerk).get(f"/ho-so/{dossier.pk}/muc-luc.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_clerk_builds_plan_with_a_bad_retention_shown_beside_the_field(shelf: Shelf, web_client: Any) -> None:
    w = shelf.world
    client = web_client(w.ministry_clerk)
    r = client.post("/ho-so/danh-muc/", {"year": 2027, "title": ""})
    plan = DossierPlan.objects.get(year=2027)
    assert r.status_code == 302
    client.post(f"/ho-so/danh-muc/{plan.pk}/", {"action": "heading", "h-code": "I", "h-title": "Tổng hợp"})
    heading = plan.headings.get()
    data = {"action": "entry", "e-heading": heading.pk, "e-notation": "01.TH", "e-title": "Hồ sơ hội nghị",
            "e-retention": "lâu dài", "e-unit": w.dept.pk}  # fmt: skip
    r = client.post(f"/ho-so/danh-muc/{plan.pk}/", data)
    assert r.status_code == 200
    assert 'data-error-for="retention"' in r.content.decode() and "Vĩnh viễn" in r.content.decode()
    assert not plan.entries.exists()
    r = client.post(f"/ho-so/danh-muc/{plan.pk}/", {**data, "e-retention": "5 năm"})
    assert r.status_code == 302 and plan.entries.get().retention_years == 5
    # The clerk cannot approve; the leader can.
    client.post(f"/ho-so/danh-muc/{plan.pk}/", {"action": "approve"})
    plan.refresh_from_db()
    assert plan.state == DossierPlan.State.DRAFT
    web_client(shelf.leader).post(f"/ho-so/danh-muc/{plan.pk}/", {"action": "approve"})
    client.post(f"/ho-so/danh-muc/{plan.pk}/", {"action": "publish"})
    client.post(f"/ho-so/danh-muc/{plan.pk}/", {"action": "copy"})
    assert DossierPlan.objects.get(year=2028).entries.count() == 1


def test_clerk_files_closes_and_prepares_a_transfer(shelf: Shelf, web_client: Any) -> None:
    w = shelf.world
    plan = shelf.plan()
    client = web_client(w.unit_clerk)
    r = client.post(f"/ho-so/danh-muc/{plan.pk}/", {"action": "open", "entry": shelf.entry(plan).pk})
    dossier = Dossier.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ho-so/{dossier.pk}/"
    r = client.post(f"/ho-so/{dossier.pk}/", {"action": "close"}, follow=True)
    assert "Không thể đóng hồ sơ chưa có văn bản nào." in r.content.decode()
    doc = shelf.incoming("web")
    client.post(f"/ho-so/{dossier.pk}/", {"action": "file", "document": f"in:{doc.pk}"})
    client.post(f"/ho-so/{dossier.pk}/", {"action": "material", "title": "Ảnh", "description": "",
                                          "file": SimpleUploadedFile("anh.pdf", pdf_bytes(1, "anh"))})  # fmt: skip
    assert dossier.items.count() == 2
    material = dossier.items.get(position=2)
    client.post(f"/ho-so/{dossier.pk}/", {"action": "up", "item": material.pk})
    assert dossier.items.get(position=1) == material
    client.post(f"/ho-so/{dossier.pk}/", {"action": "close"})
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.CLOSED
    r = client.post(f"/ho-so/{dossier.pk}/", {"action": "file", "document": f"in:{shelf.incoming('late').pk}"})
    assert r.status_code == 200 and dossier.items.count() == 2  # no form on a closed file: nothing filed
    r = client.post("/ho-so/nop-luu/", {"title": "Nộp lưu 2026", "dossiers": [str(dossier.pk)]})
    transfer = Transfer.objects.get()
    assert r.status_code == 302 and list(transfer.dossiers.all()) == [dossier]
    web_client(w.leader).post(f"/ho-so/nop-luu/{transfer.pk}/", {"action": "approve"})
    transfer.refresh_from_db()
    assert transfer.state == Transfer.State.APPROVED
    r = client.post(f"/ho-so/nop-luu/{transfer.pk}/", {"action": "export"})
    assert r.status_code == 302 and r["Location"].startswith("/tac-vu/")


def test_reopen_and_legal_hold_need_a_reason(shelf: Shelf, web_client: Any) -> None:
    w = shelf.world
    dossier = services.close_dossier(actor=w.unit_clerk, dossier=shelf.dossier_with_docs(docs=1))
    r = web_client(w.leader).post(f"/ho-so/{dossier.pk}/", {"action": "reopen", "reason": ""})
    assert r.status_code == 200
    web_client(w.ministry_clerk).post(f"/ho-so/{dossier.pk}/", {"action": "hold", "reason": "Thanh tra"})
    dossier.refresh_from_db()
    assert dossier.legal_hold
    web_client(w.leader).post(f"/ho-so/{dossier.pk}/", {"action": "reopen", "reason": "Bổ sung văn bản"})
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.OPEN


def test_archive_page_names_the_tampered_entry(shelf: Shelf, web_client: Any) -> None:
    r = web_client(shelf.world.ministry_clerk).post("/ho-so/luu-tru/", {
        "action": "verify", "package": SimpleUploadedFile("goi.zip", b"PK\x03\x04 hong")})
    assert r.status_code == 200 and "không đọc được tệp nén" in r.content.decode()
