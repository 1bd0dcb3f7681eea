"""Tìm kiếm đã lưu: save, list, rename, delete and run — services, the page and the API."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import NotFound, ValidationFailed
from vanban.documents.tests.docs_world import World
from vanban.search import saved
from vanban.search.models import SavedSearch

pytestmark = pytest.mark.django_db


def test_clerk_saves_a_search_and_running_it_shows_what_they_may_see_now(world: World, incoming: Any) -> None:
    incoming(subject="Kế hoạch xuất khẩu gạo năm 2026", urgency="khan")
    item = saved.save_search(actor=world.ministry_clerk, name="Gạo khẩn",
                             params={"q": "xuat khau gao", "urgency": "khan", "sort": "-date", "page": "3"})  # fmt: skip
    assert item.params == {"q": "xuat khau gao", "urgency": "khan", "sort": "-date"}  # no page: the question only
    assert saved.run_saved_search(actor=world.ministry_clerk, saved=item).total == 1
    # A document registered after saving is found by the next run: the answer is never stored.
    incoming(subject="Báo cáo xuất khẩu gạo tháng 5", urgency="khan")
    result = saved.run_saved_search(actor=world.ministry_clerk, saved=item)
    assert result.total == 2
    item.refresh_from_db()
    assert item.last_run_at is not None
    event = AuditEvent.objects.filter(action="search.searched", target_id=str(item.pk)).latest("pk")
    assert event.data["total"] == 2 and event.data["saved_search"] == item.pk
    assert AuditEvent.objects.filter(action="search.saved", target_id=str(item.pk)).exists()


def test_a_saved_search_runs_with_current_permissions(world: World, incoming: Any) -> None:
    from vanban.organisation.models import RoleGrant
    from vanban.organisation.roles import Role
    from vanban.organisation.services import grant_role, revoke_role

    incoming(world.ministry_clerk, subject="Công văn về hạn ngạch xuất khẩu")
    item = saved.save_search(actor=world.specialist, name="Hạn ngạch", params={"q": "han ngach"})
    assert saved.run_saved_search(actor=world.specialist, saved=item).total == 0
    grant_role(actor=None, user=world.specialist, role=Role.MINISTRY_LEADER)
    # A fresh user object per request, as the web and the API load it (roles are cached on it).
    assert saved.run_saved_search(actor=_fresh(world.specialist), saved=item).total == 1
    revoke_role(actor=world.sysadmin, grant=RoleGrant.objects.get(user=world.specialist, role=Role.MINISTRY_LEADER))
    assert saved.run_saved_search(actor=_fresh(world.specialist), saved=item).total == 0


def _fresh(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)


def test_names_are_unique_per_person_ignoring_case(world: World) -> None:
    saved.save_search(actor=world.ministry_clerk, name="Công văn khẩn", params={"urgency": "khan"})
    with pytest.raises(ValidationFailed) as exc:
        saved.save_search(actor=world.ministry_clerk, name="  công văn   KHẨN ", params={"q": "cong van"})
    assert exc.value.code == "duplicate_name" and exc.value.field == "name"
    assert "Bạn đã có một tìm kiếm đã lưu tên «công văn KHẨN»" in exc.value.message
    # Another person may use the same name.
    saved.save_search(actor=world.unit_clerk, name="Công văn khẩn", params={"urgency": "khan"})
    assert SavedSearch.objects.count() == 2


def test_bad_saves_are_refused_with_codes_and_nothing_is_saved(world: World) -> None:
    cases = [
        ({"name": "", "params": {"q": "gạo"}}, "name_required"),
        ({"name": "x" * 101, "params": {"q": "gạo"}}, "name_too_long"),
        ({"name": "Trống", "params": {"sort": "date"}}, "empty_search"),
        ({"name": "Ngày sai", "params": {"date_from": "2026-05-01", "date_to": "2026-04-01"}}, "invalid_date_to"),
        ({"name": "Lạ", "params": {"colour": "red"}}, "invalid_params"),
        ({"name": "Cơ quan mất", "params": {"organ": "999999"}}, "invalid_organ"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationFailed) as exc:
            saved.save_search(actor=world.ministry_clerk, **kwargs)
        assert exc.value.code == code, kwargs
    assert not SavedSearch.objects.exists()
    assert not AuditEvent.objects.filter(action="search.saved").exists()


def test_rename_and_delete_are_the_owners_only(world: World) -> None:
    item = saved.save_search(actor=world.ministry_clerk, name="Cũ", params={"q": "gạo"})
    saved.save_search(actor=world.ministry_clerk, name="Khác", params={"q": "lúa"})
    with pytest.raises(NotFound):
        saved.rename_saved_search(actor=world.unit_clerk, saved=item, name="Của tôi")
    with pytest.raises(NotFound):
        saved.delete_saved_search(actor=world.unit_clerk, saved=item)
    with pytest.raises(NotFound):
        saved.run_saved_search(actor=world.unit_clerk, saved=item)
    with pytest.raises(ValidationFailed) as exc:
        saved.rename_saved_search(actor=world.ministry_clerk, saved=item, name="khác")
    assert exc.value.code == "duplicate_name"
    saved.rename_saved_search(actor=world.ministry_clerk, saved=item, name="Mới")
    item.refresh_from_db()
    assert item.name == "Mới"
    event = AuditEvent.objects.get(action="search.saved_renamed")
    assert event.data == {"before": "Cũ", "after": "Mới"}
    saved.delete_saved_search(actor=world.ministry_clerk, saved=item)
    assert list(saved.saved_searches_of(world.ministry_clerk).values_list("name", flat=True)) == ["Khác"]
    assert AuditEvent.objects.filter(action="search.saved_deleted", target_id=str(item.pk)).exists()


def test_a_saved_filter_that_no_longer_exists_is_reported_not_widened(world: World, incoming: Any) -> None:
    from vanban.documents.models import DocumentType

    doc_type = DocumentType.objects.create(code="loai-tam", name="Loại tạm", abbreviation="LT")
    item = saved.save_search(actor=world.ministry_clerk, name="Loại tạm", params={"document_type": doc_type.pk})
    doc_type.is_active = False
    doc_type.save()
    with pytest.raises(ValidationFailed) as exc:
        saved.run_saved_search(actor=world.ministry_clerk, saved=item)
    assert exc.value.code == "saved_search_outdated" and "«Loại tạm»" in exc.value.message


def test_page_saves_lists_runs_renames_and_deletes(world: World, incoming: Any, web_client: Any) -> None:
    doc = incoming(subject="Hướng dẫn triển khai chữ ký số")
    client = web_client(world.ministry_clerk)
    page = client.get("/tim-kiem/", {"q": "chu ky so"}).content.decode()
    assert 'data-testid="save-search"' in page and "Lưu tìm kiếm" in page
    assert 'name="q" value="chu ky so"' in page  # the question rides along the save form
    response = client.post("/tim-kiem/da-luu/", {"name": "Chữ ký số", "q": "chu ky so", "page": "2"}, follow=True)
    body = response.content.decode()
    assert "Đã lưu tìm kiếm «Chữ ký số»." in body and 'data-testid="saved-searches"' in body
    item = SavedSearch.objects.get(owner=world.ministry_clerk)
    assert item.params == {"q": "chu ky so"}
    again = client.post("/tim-kiem/da-luu/", {"name": "chữ KÝ số", "q": "chu ky"}, follow=True).content.decode()
    assert "Bạn đã có một tìm kiếm đã lưu tên «chữ KÝ số». Hãy chọn tên khác." in again
    run = client.get(f"/tim-kiem/da-luu/{item.pk}/").content.decode()
    assert f'data-hit="incoming-{doc.pk}"' in run and "Tìm thấy <strong>1</strong> văn bản" in run
    assert web_client(world.unit_clerk).get(f"/tim-kiem/da-luu/{item.pk}/").status_code == 404
    assert web_client(world.unit_clerk).post(f"/tim-kiem/da-luu/{item.pk}/xoa/").status_code == 404
    renamed = client.post(f"/tim-kiem/da-luu/{item.pk}/doi-ten/", {"name": "Ký số"}, follow=True).content.decode()
    assert "Đã đổi tên tìm kiếm «Chữ ký số» thành «Ký số»." in renamed
    deleted = client.post(f"/tim-kiem/da-luu/{item.pk}/xoa/", follow=True).content.decode()
    assert "Đã xóa tìm kiếm đã lưu «Ký số»." in deleted and not SavedSearch.objects.exists()


def test_api_saved_searches(world: World, incoming: Any, api_client: Any) -> None:
    doc = incoming(subject="Quyết định phê duyệt đề án chuyển đổi số")
    api = api_client(world.ministry_clerk)
    created = api.post("/api/v1/search/saved", {"name": "Đề án", "params": {"q": "de an", "sort": "-date"}},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Đề án" and body["params"] == {"q": "de an", "sort": "-date"}
    assert body["summary"].startswith("Từ khóa: de an")
    pk = body["id"]
    dup = api.post("/api/v1/search/saved", {"name": "ĐỀ ÁN", "params": {"q": "x"}}, format="json")
    assert dup.status_code == 400 and dup.json()["code"] == "duplicate_name" and dup.json()["field"] == "name"
    bad = api.post("/api/v1/search/saved", {"name": "Sai", "params": {"kind": "x"}}, format="json")
    assert bad.status_code == 400
    assert [s["id"] for s in api.get("/api/v1/search/saved").json()] == [pk]
    results = api.get(f"/api/v1/search/saved/{pk}/results").json()
    assert results["count"] == 1 and results["results"][0]["id"] == doc.pk
    other = api_client(world.specialist)
    assert other.get(f"/api/v1/search/saved/{pk}").status_code == 404
    assert other.get(f"/api/v1/search/saved/{pk}/results").status_code == 404
    assert other.delete(f"/api/v1/search/saved/{pk}").status_code == 404
    assert other.get("/api/v1/search/saved").json() == []
    renamed = api.patch(f"/api/v1/search/saved/{pk}", {"name": "Đề án chuyển đổi số"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Đề án chuyển đổi số"
    assert api.delete(f"/api/v1/search/saved/{pk}").status_code == 204
    assert api.get(f"/api/v1/search/saved/{pk}").status_code == 404
