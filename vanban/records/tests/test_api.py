"""The records API: the same rules as the services, errors as {"code","message","field"}."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanban.conftest import run_queued_jobs
from vanban.documents.tests.docs_world import pdf_bytes
from vanban.records import package
from vanban.records.models import Dossier, DossierPlan, Transfer
from vanban.records.tests.conftest import Shelf

pytestmark = pytest.mark.django_db


def test_plan_lifecycle_over_the_api(shelf: Shelf, api_client: Any) -> None:
    w = shelf.world
    clerk, leader = api_client(w.ministry_clerk), api_client(shelf.leader)
    r = clerk.post("/api/v1/records/plans", {"year": 2026}, format="json")
    assert r.status_code == 201, r.json()
    plan = r.json()["id"]
    heading = clerk.post(f"/api/v1/records/plans/{plan}/headings", {"code": "I", "title": "Tổng hợp"},
                         format="json").json()["id"]  # fmt: skip
    body = {"heading": heading, "notation": "01.TH", "title": "Hồ sơ hội nghị tổng kết", "retention": "mãi mãi",
            "unit": w.dept.pk}  # fmt: skip
    r = clerk.post(f"/api/v1/records/plans/{plan}/entries", body, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "retention_invalid" and r.json()["field"] == "retention"
    assert "Vĩnh viễn" in r.json()["message"]
    r = clerk.post(f"/api/v1/records/plans/{plan}/entries", {**body, "retention": "Vĩnh viễn"}, format="json")
    assert r.status_code == 201 and r.json()["retention"] == "Vĩnh viễn"
    assert clerk.post(f"/api/v1/records/plans/{plan}/approve", {}, format="json").status_code == 403
    assert leader.post(f"/api/v1/records/plans/{plan}/approve", {}, format="json").json()["state"] == "approved"
    assert clerk.post(f"/api/v1/records/plans/{plan}/publish", {}, format="json").json()["state"] == "published"
    r = clerk.post(f"/api/v1/records/plans/{plan}/copy-forward", {}, format="json")
    assert r.status_code == 201 and r.json()["year"] == 2027 and len(r.json()["entries"]) == 1
    assert DossierPlan.objects.count() == 2


def test_files_over_the_api(shelf: Shelf, api_client: Any) -> None:
    w = shelf.world
    plan = shelf.plan()
    clerk = api_client(w.unit_clerk)
    r = clerk.post("/api/v1/records/dossiers", {"entry": shelf.entry(plan).pk}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    r = clerk.post(f"/api/v1/records/dossiers/{pk}/close", {}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "dossier_empty")
    doc = shelf.incoming("api", pages=3)
    assert clerk.post(f"/api/v1/records/dossiers/{pk}/documents", {"incoming": doc.pk}, format="json").status_code == 201
    upload = SimpleUploadedFile("bien-ban.pdf", pdf_bytes(2, "bb"), content_type="application/pdf")
    r = clerk.post(f"/api/v1/records/dossiers/{pk}/materials", {"title": "Biên bản", "file": upload}, format="multipart")
    assert r.status_code == 201 and [i["position"] for i in r.json()["items"]] == [1, 2]
    material = r.json()["items"][1]["id"]
    r = clerk.patch(f"/api/v1/records/items/{material}", {"position": 1}, format="json")
    assert [i["id"] for i in r.json()["items"]][0] == material
    r = clerk.patch(f"/api/v1/records/dossiers/{pk}", {"keywords": "gạo", "retention": "15"}, format="json")
    assert r.json()["retention"] == "15 năm"
    r = clerk.post(f"/api/v1/records/dossiers/{pk}/close", {}, format="json")
    assert r.json()["state"] == "closed" and (r.json()["doc_total"], r.json()["page_total"]) == (2, 5)
    r = clerk.post(f"/api/v1/records/dossiers/{pk}/documents", {"incoming": shelf.incoming("x").pk}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "dossier_not_open")
    r = clerk.get(f"/api/v1/records/dossiers/{pk}/contents.pdf")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert api_client(w.other_clerk).get(f"/api/v1/records/dossiers/{pk}").status_code == 404
    r = api_client(w.leader).post(f"/api/v1/records/dossiers/{pk}/reopen", {"reason": "Bổ sung"}, format="json")
    assert r.json()["state"] == "open"
    rows = api_client(w.ministry_clerk).get("/api/v1/records/retention-report").json()
    assert rows == []  # reopened: nothing closed any more


@pytest.mark.django_db(transaction=True)
def test_transfer_export_and_archive_import_over_the_api(shelf: Shelf, api_client: Any) -> None:
    w = shelf.world
    plan = shelf.plan()
    dossier = shelf.dossier_with_docs(plan, docs=1)
    clerk = api_client(w.unit_clerk)
    clerk.post(f"/api/v1/records/dossiers/{dossier.pk}/close", {}, format="json")
    r = clerk.post("/api/v1/records/transfers", {"title": "Nộp lưu 2026", "dossiers": [dossier.pk]}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert clerk.post(f"/api/v1/records/transfers/{pk}/export", {}, format="json").json()["code"] == \
        "transfer_not_approved"
    assert api_client(w.leader).post(f"/api/v1/records/transfers/{pk}/approve", {}, format="json").status_code == 200
    r = clerk.post(f"/api/v1/records/transfers/{pk}/export", {}, format="json")
    assert r.status_code == 202
    run_queued_jobs()
    assert clerk.get(f"/api/v1/jobs/{r.json()['id']}").json()["state"] == "succeeded"
    assert Transfer.objects.get(pk=pk).state == Transfer.State.EXPORTED
    data = b"".join(clerk.get(f"/api/v1/records/transfers/{pk}/package").streaming_content)
    report = package.verify_package(io.BytesIO(data))
    assert [d["code"] for d in report.dossiers] == [Dossier.objects.get(pk=dossier.pk).code]

    archivist = api_client(w.ministry_clerk)
    r = archivist.post("/api/v1/records/packages/verify",
                       {"package": SimpleUploadedFile("g.zip", data[:-10])}, format="multipart")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"].startswith("package")
    r = archivist.post("/api/v1/records/packages/verify", {"package": SimpleUploadedFile("g.zip", data)},
                       format="multipart")  # fmt: skip
    assert r.json()["valid"] is True
    assert clerk.post("/api/v1/records/archive/import", {"package": SimpleUploadedFile("g.zip", data)},
                      format="multipart").status_code == 403  # fmt: skip
    r = archivist.post("/api/v1/records/archive/import", {"package": SimpleUploadedFile("g.zip", data)},
                       format="multipart")  # fmt: skip
    assert r.status_code == 201 and r.json()[0]["state"] == "archived"


def test_list_endpoints_do_not_query_per_row(shelf: Shelf, api_client: Any, django_assert_max_num_queries: Any) -> None:
    from vanban.records import services

    w = shelf.world
    plan = shelf.plan(entries=4)
    for entry in plan.entries.all():
        dossier = services.open_dossier(actor=w.unit_clerk, entry=entry)
        services.add_material(actor=w.unit_clerk, dossier=dossier, title="Tài liệu", name="t.pdf",
                              data=pdf_bytes(1, entry.notation))  # fmt: skip
        services.close_dossier(actor=w.unit_clerk, dossier=dossier)
    closed = list(Dossier.objects.all())
    services.create_transfer(actor=w.unit_clerk, title="A", dossiers=closed[:2])
    services.create_transfer(actor=w.unit_clerk, title="B", dossiers=closed[2:])
    client = api_client(w.ministry_clerk)
    for url in ("/api/v1/records/dossiers", "/api/v1/records/transfers", f"/api/v1/records/plans/{plan.pk}",
                "/api/v1/records/retention-report", "/api/v1/records/plans"):  # fmt: skip
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url
