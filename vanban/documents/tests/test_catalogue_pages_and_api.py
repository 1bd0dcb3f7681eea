"""The document-type catalogue in the browser (system administrator only) and in the
API (everyone reads, the system administrator writes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanban.api.tests.admin_world import assert_error, bearer_client
from vanban.documents import services
from vanban.documents.models import DocumentType
from vanban.documents.tests import docs_world

pytestmark = pytest.mark.django_db
world = docs_world.world


# --- Web -----------------------------------------------------------------------------------


def test_the_system_administrator_sees_the_catalogue_by_group(world, web_client):
    page = web_client(world.sysadmin).get(reverse("web:document_types"))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ["Văn bản hành chính", "Văn bản quy phạm pháp luật", "Bản sao", "<code>QyĐ</code>", "Tờ trình"]:
        assert text in html
    assert "không được đưa vào hệ thống" in html  # the forbidden kind is marked


@pytest.mark.parametrize("who", ["unit_admin", "ministry_clerk", "unit_clerk", "specialist"])
def test_the_catalogue_pages_are_refused_to_everyone_else(world, web_client, who):
    client = web_client(getattr(world, who))
    cong_van = DocumentType.objects.get(code="cong-van")
    assert client.get(reverse("web:document_types")).status_code == 403
    assert (
        client.post(reverse("web:document_types"), {"name": "Loại mới", "group": "administrative"}).status_code == 403
    )
    assert client.post(reverse("web:document_type_deactivate", args=[cong_van.pk])).status_code == 403
    assert not DocumentType.objects.filter(name="Loại mới").exists()
    assert DocumentType.objects.get(code="cong-van").is_active


def test_the_system_administrator_adds_a_type_from_the_page(world, web_client):
    client = web_client(world.sysadmin)
    response = client.post(
        reverse("web:document_types"), {"name": "Thông tư liên bộ", "abbreviation": "TTLB", "group": "legal"}
    )
    assert response.status_code == 302
    assert DocumentType.objects.get(name="Thông tư liên bộ").abbreviation == "TTLB"
    duplicate = client.post(
        reverse("web:document_types"), {"name": "CÔNG VĂN", "abbreviation": "", "group": "administrative"}
    )
    assert duplicate.status_code == 400
    assert 'data-error-for="name"' in duplicate.content.decode()
    bad = client.post(
        reverse("web:document_types"), {"name": "Loại khác", "abbreviation": "QĐ-BCT", "group": "administrative"}
    )
    assert 'data-error-for="abbreviation"' in bad.content.decode()


def test_the_system_administrator_deactivates_and_reactivates_a_type_from_the_page(world, web_client):
    client = web_client(world.sysadmin)
    phieu_bao = DocumentType.objects.get(code="phieu-bao")
    assert client.post(reverse("web:document_type_deactivate", args=[phieu_bao.pk])).status_code == 302
    phieu_bao.refresh_from_db()
    assert not phieu_bao.is_active
    page = client.get(reverse("web:document_types")).content.decode()
    assert "Đã ngừng sử dụng" in page and "Dùng lại" in page
    again = client.post(reverse("web:document_type_deactivate", args=[phieu_bao.pk]), follow=True)
    assert "đã ngừng sử dụng" in again.content.decode()
    assert client.post(reverse("web:document_type_reactivate", args=[phieu_bao.pk])).status_code == 302
    phieu_bao.refresh_from_db()
    assert phieu_bao.is_active
    assert client.post(reverse("web:document_type_deactivate", args=[987654])).status_code == 404


def test_the_catalogue_page_needs_a_fixed_number_of_queries(world, web_client, django_assert_max_num_queries):
    client = web_client(world.sysadmin)
    client.get(reverse("web:document_types"))
    for i in range(10):
        services.create_document_type(actor=world.sysadmin, name=f"Loại thêm {i}")
    with django_assert_max_num_queries(11):
        response = client.get(reverse("web:document_types"))
    assert "Loại thêm 9" in response.content.decode()


# --- API -----------------------------------------------------------------------------------


def test_everyone_signed_in_reads_the_active_catalogue(world, api_client):
    services.deactivate_document_type(actor=world.sysadmin, document_type=DocumentType.objects.get(code="phieu-bao"))
    body = api_client(world.specialist).get(reverse("api-document-type-list"), {"page_size": 100}).json()
    names = [t["name"] for t in body["results"]]
    assert names[:2] == ["Nghị quyết (cá biệt)", "Quyết định (cá biệt)"]
    assert "Phiếu báo" not in names
    quy_dinh = next(t for t in body["results"] if t["code"] == "quy-dinh")
    assert quy_dinh["abbreviation"] == "QyĐ" and quy_dinh["group_label"] == "Văn bản hành chính"
    every = api_client(world.specialist).get(
        reverse("api-document-type-list"), {"include_inactive": "true", "page_size": 100}
    )
    assert "Phiếu báo" in [t["name"] for t in every.json()["results"]]
    legal = api_client(world.specialist).get(reverse("api-document-type-list"), {"group": "legal"}).json()
    assert {t["group"] for t in legal["results"]} == {"legal"}


def test_only_the_system_administrator_adds_types_through_the_api(world, api_client):
    body = {"name": "Thông tư liên bộ", "abbreviation": "TTLB", "group": "legal"}
    created = bearer_client(world.sysadmin).post(reverse("api-document-type-list"), body, format="json")
    assert created.status_code == 201 and created.json()["abbreviation"] == "TTLB"
    assert_error(
        bearer_client(world.sysadmin).post(reverse("api-document-type-list"), body, format="json"),
        400,
        "duplicate_document_type",
        "name",
    )
    other = {"name": "Loại khác"}
    assert_error(
        bearer_client(world.unit_admin).post(reverse("api-document-type-list"), other, format="json"),
        403,
        "permission_denied",
    )
    assert_error(bearer_client(world.unit_clerk).post(reverse("api-document-type-list"), other, format="json"), 403)
    no_admin_scope = bearer_client(world.sysadmin, scopes=["read", "write"])
    assert_error(no_admin_scope.post(reverse("api-document-type-list"), other, format="json"), 403)
    assert_error(
        bearer_client(world.sysadmin).post(
            reverse("api-document-type-list"), {"name": "X", "color": "do"}, format="json"
        ),
        400,
        "unknown_field",
        "color",
    )
    assert not DocumentType.objects.filter(name="Loại khác").exists()


def test_only_the_system_administrator_deactivates_types_through_the_api(world, api_client):
    cong_van = DocumentType.objects.get(code="cong-van")
    url = reverse("api-document-type-deactivate", args=[cong_van.pk])
    assert_error(bearer_client(world.unit_admin).post(url, {}, format="json"), 403)
    assert_error(bearer_client(world.unit_clerk).post(url, {}, format="json"), 403)
    done = bearer_client(world.sysadmin).post(url, {}, format="json")
    assert done.status_code == 200 and done.json()["is_active"] is False
    assert_error(bearer_client(world.sysadmin).post(url, {}, format="json"), 400, "already_inactive")
    back = bearer_client(world.sysadmin).post(
        reverse("api-document-type-reactivate", args=[cong_van.pk]), {}, format="json"
    )
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert_error(
        bearer_client(world.sysadmin).post(reverse("api-document-type-deactivate", args=[987654]), {}, format="json"),
        404,
    )


def test_the_catalogue_list_needs_a_fixed_number_of_queries(world, api_client, django_assert_max_num_queries):
    client = api_client(world.specialist)
    for i in range(10):
        services.create_document_type(actor=world.sysadmin, name=f"Loại thêm {i}")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api-document-type-list"), {"page_size": 100})
    assert response.json()["count"] == DocumentType.objects.filter(is_active=True).count()
