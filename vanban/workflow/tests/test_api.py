"""The workflow through /api/v1, with the documented error format."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanban.documents.tests.docs_world import pdf_bytes
from vanban.incoming.models import IncomingDocument
from vanban.workflow.models import Assignment
from vanban.workflow.tests.conftest import Flow, in_days

pytestmark = pytest.mark.django_db


def test_the_flow_by_api(flow: Flow, api_client: Any, isolated_storage: Any) -> None:
    w = flow.world
    clerk = api_client(w.ministry_clerk)
    awaiting = clerk.get("/api/v1/incoming/awaiting").json()
    assert [d["id"] for d in awaiting["results"]] == [flow.doc.pk]
    r = clerk.post(f"/api/v1/incoming/{flow.doc.pk}/presentations",
                   {"leader": flow.leader.pk, "proposal": "Giao Cục XNK"}, format="json")
    assert r.status_code == 201, r.json()
    pres_id = r.json()["id"]
    again = clerk.post(f"/api/v1/incoming/{flow.doc.pk}/presentations", {"leader": flow.leader.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_presented")

    leader = api_client(flow.leader)
    assert [p["id"] for p in leader.get("/api/v1/presentations").json()["results"]] == [pres_id]
    r = leader.post(f"/api/v1/presentations/{pres_id}/direction", {
        "text": "Cục XNK chủ trì, Vụ Pháp chế phối hợp",
        "assignees": [{"role": "lead", "unit": w.dept.pk, "deadline": in_days(10).isoformat()},
                      {"role": "cooperate", "unit": w.other.pk, "deadline": in_days(7).isoformat()},
                      {"role": "info", "user": flow.leader2.pk}],
    }, format="json")
    assert r.status_code == 201, r.json()
    lead_id = next(a["id"] for a in r.json()["assignments"] if a["role"] == "lead")

    unit_leader = api_client(w.leader)
    assert [a["id"] for a in unit_leader.get("/api/v1/assignments?box=process").json()["results"]] == [lead_id]
    r = unit_leader.post(f"/api/v1/assignments/{lead_id}/reassign", {
        "text": "Đồng chí Khoa xử lý",
        "assignees": [{"role": "lead", "user": w.specialist.pk, "deadline": in_days(8).isoformat()}],
    }, format="json")
    assert r.status_code == 201, r.json()
    mine = r.json()["assignments"][0]["id"]

    spec = api_client(w.specialist)
    assert spec.get("/api/v1/work/counts").json()["process"] == 1
    assert spec.post(f"/api/v1/assignments/{mine}/progress", {"progress": 50}, format="json").status_code == 200
    r = spec.post(f"/api/v1/assignments/{mine}/notes",
                  {"text": "Dự thảo", "files": [SimpleUploadedFile("dt.pdf", pdf_bytes(marker="a"))]},
                  format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()[-1]["file_name"] == "dt.pdf"
    r = spec.post(f"/api/v1/assignments/{mine}/extension-requests",
                  {"new_deadline": in_days(9).isoformat(), "reason": "Chờ số liệu"}, format="json")
    assert r.status_code == 201
    ext = r.json()["id"]
    assert [e["id"] for e in unit_leader.get("/api/v1/extension-requests").json()["results"]] == [ext]
    r = unit_leader.post(f"/api/v1/extension-requests/{ext}/decision", {"approve": True}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "approved")
    r = spec.post(f"/api/v1/assignments/{mine}/complete", {"result": "Đã dự thảo"}, format="multipart")
    assert (r.status_code, r.json()["status"]) == (200, "completed")
    r = unit_leader.post(f"/api/v1/assignments/{lead_id}/complete", {"result": "Cục đã báo cáo"}, format="json")
    assert r.status_code == 200
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.COMPLETED

    api_client(flow.leader2).get(f"/api/v1/incoming/{flow.doc.pk}")
    assert Assignment.objects.get(role="info").status == "read"
    wf = clerk.get(f"/api/v1/incoming/{flow.doc.pk}/workflow").json()
    assert wf["status"] == "completed"
    assert [d["text"] for d in wf["directions"]] == ["Cục XNK chủ trì, Vụ Pháp chế phối hợp", "Đồng chí Khoa xử lý"]
    assert {"presented", "directed", "assigned", "reassigned", "progress", "file", "completed", "read"} <= {
        s["kind"] for s in wf["steps"]}


@pytest.mark.parametrize(
    ("assignees", "code", "field"),
    [
        ([], "assignees_required", "assignees"),
        ([{"role": "lead", "unit": 1, "user": 1, "deadline": "2099-01-01"}], "one_assignee", "assignees[0]"),
        ([{"role": "chief", "unit": 1}], "invalid_choice", "assignees.0.role"),
        ([{"role": "lead", "unit": 999999, "deadline": "2099-01-01"}], "invalid_unit", "assignees[0]"),
    ],
)
def test_bad_directions_get_stable_codes(flow: Flow, api_client: Any, assignees: list[Any], code: str,
                                         field: str) -> None:
    pres = flow.present()
    r = api_client(flow.leader).post(f"/api/v1/presentations/{pres.pk}/direction",
                                     {"text": "Giao", "assignees": assignees}, format="json")
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["field"]) == (code, field)
    assert Assignment.objects.count() == 0


def test_two_leads_by_api(flow: Flow, api_client: Any) -> None:
    pres = flow.present()
    w = flow.world
    r = api_client(flow.leader).post(f"/api/v1/presentations/{pres.pk}/direction", {"text": "Giao", "assignees": [
        {"role": "lead", "unit": w.dept.pk, "deadline": in_days(3).isoformat()},
        {"role": "lead", "unit": w.other.pk, "deadline": in_days(3).isoformat()},
    ]}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "multiple_leads")


def test_permission_pairs(flow: Flow, api_client: Any) -> None:
    (lead,) = flow.direct()
    pres_id = flow.doc.presentations.get().pk
    outsider = api_client(flow.outsider)
    assert outsider.get(f"/api/v1/assignments/{lead.pk}").status_code == 404
    assert outsider.get(f"/api/v1/incoming/{flow.doc.pk}/workflow").status_code == 404
    assert outsider.post(f"/api/v1/assignments/{lead.pk}/progress", {"progress": 5}, format="json").status_code == 404
    assert outsider.post(f"/api/v1/presentations/{pres_id}/forward", {"leader": flow.leader2.pk},
                         format="json").status_code == 404
    clerk = api_client(flow.world.unit_clerk)  # sees the unit's work, may not do it
    r = clerk.post(f"/api/v1/assignments/{lead.pk}/progress", {"progress": 5}, format="json")
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    unit_leader = api_client(flow.world.leader)
    assert unit_leader.post(f"/api/v1/assignments/{lead.pk}/progress", {"progress": 5}, format="json").status_code == 200
    r = unit_leader.post(f"/api/v1/assignments/{lead.pk}/progress", {"progress": 500}, format="json")
    assert r.status_code == 400


def test_completed_assignment_cannot_be_reassigned_by_api(flow: Flow, api_client: Any) -> None:
    (lead,) = flow.direct()
    client = api_client(flow.world.leader)
    assert client.post(f"/api/v1/assignments/{lead.pk}/complete", {"result": "Xong"}, format="json").status_code == 200
    r = client.post(f"/api/v1/assignments/{lead.pk}/reassign", {"text": "Giao", "assignees": [
        {"role": "lead", "unit": flow.world.team.pk, "deadline": in_days(3).isoformat()}]}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "assignment_completed")


def test_unknown_fields_are_refused(flow: Flow, api_client: Any) -> None:
    r = api_client(flow.world.ministry_clerk).post(f"/api/v1/incoming/{flow.doc.pk}/presentations",
                                                   {"leader": flow.leader.pk, "leeder": 1}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "unknown_field")
