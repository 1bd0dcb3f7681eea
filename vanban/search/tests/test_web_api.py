"""The search page, the top bar's box, the administrators' page and GET /api/v1/search."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.documents.tests.docs_world import World
from vanban.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_top_bar_box_leads_to_results_with_highlighted_snippets(world: World, incoming: Any, web_client: Any) -> None:
    doc = incoming(subject="Hướng dẫn triển khai chữ ký số <b>")
    client = web_client(world.ministry_clerk)
    home = client.get("/").content.decode()
    assert 'data-testid="topbar-search"' in home and 'action="/tim-kiem/"' in home
    page = client.get("/tim-kiem/", {"q": "chu ky so"}).content.decode()
    assert f'data-hit="incoming-{doc.pk}"' in page
    assert "<mark>chữ</mark> <mark>ký</mark> <mark>số</mark>" in page
    assert "&lt;b&gt;" in page and "số <b>" not in page
    assert "Tìm thấy <strong>1</strong> văn bản" in page
    assert AuditEvent.objects.filter(action="search.searched", actor=world.ministry_clerk).exists()


def test_advanced_filters_and_paging_on_the_page(world: World, incoming: Any, web_client: Any) -> None:
    for i in range(3):
        incoming(subject=f"Báo cáo tuần {i}", urgency="khan" if i else "normal")
    client = web_client(world.ministry_clerk)
    page = client.get("/tim-kiem/", {"q": "bao cao tuan", "urgency": "khan", "page_size": 1}).content.decode()
    assert "Tìm thấy <strong>2</strong> văn bản" in page and "trang 1/2" in page
    assert 'data-testid="next-page"' in page
    bad = client.get("/tim-kiem/", {"date_from": "2026-05-01", "date_to": "2026-04-01"}).content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu." in bad


def test_someone_without_access_sees_no_result_and_no_count(world: World, incoming: Any, web_client: Any) -> None:
    incoming(subject="Hướng dẫn triển khai chữ ký số")
    page = web_client(world.specialist).get("/tim-kiem/", {"q": "chu ky so"}).content.decode()
    assert "Tìm thấy <strong>0</strong> văn bản" in page and "data-hit=" not in page


def test_admin_page_shows_progress_and_starts_the_reindex_job(world: World, incoming: Any, web_client: Any) -> None:
    incoming(subject="Văn bản cần lập chỉ mục")
    admin = web_client(world.sysadmin)
    page = admin.get("/quan-tri/tim-kiem/").content.decode()
    assert 'data-testid="entries">1<' in page
    response = admin.post("/quan-tri/tim-kiem/lap-chi-muc/")
    job = Job.objects.get(kind="search.reindex")
    assert response.status_code == 302 and response["Location"].endswith(f"{job.pk}/")
    assert AuditEvent.objects.filter(action="search.reindex_started").exists()
    for other in (world.ministry_clerk, world.unit_admin):
        assert web_client(other).get("/quan-tri/tim-kiem/").status_code == 403
        assert web_client(other).post("/quan-tri/tim-kiem/lap-chi-muc/").status_code == 403


def test_api_search_matches_the_page_and_applies_permissions(
    world: World, incoming: Any, api_client: Any, ministry_leader: Any
) -> None:
    mine = incoming(world.unit_clerk, code_number="123", code_notation="QĐ-BCT", subject="Quyết định phê duyệt đề án")
    incoming(world.ministry_clerk, subject="Quyết định phê duyệt kế hoạch")
    body = api_client(ministry_leader).get("/api/v1/search", {"q": "quyet dinh phe duyet"}).json()
    assert body["count"] == 2 and body["pages"] == 1 and len(body["results"]) == 2
    body = api_client(world.unit_clerk).get("/api/v1/search", {"q": "123/QD-BCT"}).json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["kind"] == "incoming" and hit["id"] == mine.pk and hit["number_symbol"] == "123/QĐ-BCT"
    assert hit["registered_at"].endswith("+07:00") and "<mark>" in hit["snippet_html"]
    assert api_client(world.specialist).get("/api/v1/search", {"q": "quyet dinh"}).json()["count"] == 0


def test_api_rejects_bad_parameters_with_a_coded_error(world: World, api_client: Any) -> None:
    response = api_client(world.ministry_clerk).get("/api/v1/search", {"page_size": 1000})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page_size" and response.json()["field"] == "page_size"
    response = api_client(world.ministry_clerk).get("/api/v1/search", {"sort": "x"})
    assert response.status_code == 400 and response.json()["field"] == "sort"
