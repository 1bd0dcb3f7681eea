"""The "Chữ ký số" pages and the API: a person's certificates and signature image, the
organ seal for administrators and the Văn thư."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from vanban.organisation.roles import Role
from vanban.signatures import selectors
from vanban.signatures.models import SigningCredential
from vanban.signatures.tests.conftest import SIGNING_PASSWORD
from vanban.signatures.tests.test_keys import _foreign_pkcs12

pytestmark = pytest.mark.django_db


def _png(size=(240, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 180, 0)).save(out, format="PNG")
    return out.getvalue()


# --- API -----------------------------------------------------------------------------------------


def test_api_lists_own_credentials_only(api_client, leader, make_user):
    other = make_user()
    response = api_client(leader).get("/api/v1/me/signing-credentials")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1 and rows[0]["subject_cn"] == "Hoàng Đức Thắng"
    assert rows[0]["status"] == "valid" and rows[0]["is_default"] is True
    assert rows[0]["not_after"].endswith("+07:00")
    assert api_client(other).get("/api/v1/me/signing-credentials").json() == []


def test_api_issue_and_revoke(api_client, pki_ready, make_user):
    user = make_user(full_name="Trịnh Văn Dũng")
    client = api_client(user)
    response = client.post("/api/v1/me/signing-credentials", {"password": "12"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "signing_password_too_short"
    response = client.post("/api/v1/me/signing-credentials", {"password": SIGNING_PASSWORD, "days": 90}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["subject_cn"] == "Trịnh Văn Dũng"
    response = client.post(f"/api/v1/me/signing-credentials/{pk}/revoke", {"reason": "Thử"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    again = client.post(f"/api/v1/me/signing-credentials/{pk}/revoke", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "credential_revoked"
    stranger = api_client(make_user())
    assert stranger.post(f"/api/v1/me/signing-credentials/{pk}/revoke", {}, format="json").status_code == 404


def test_api_import_pkcs12(api_client, leader):
    blob, _ = _foreign_pkcs12("pw123456")
    client = api_client(leader)
    wrong = client.post(
        "/api/v1/me/signing-credentials/import",
        {"file": SimpleUploadedFile("an.p12", blob), "password": "sai"},
        format="multipart",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_pkcs12_password"
    assert SigningCredential.objects.filter(owner=leader).count() == 1
    ok = client.post(
        "/api/v1/me/signing-credentials/import",
        {"file": SimpleUploadedFile("an.p12", blob), "password": "pw123456", "label": "VNPT-CA"},
        format="multipart",
    )
    assert ok.status_code == 201 and ok.json()["source"] == "pkcs12" and ok.json()["label"] == "VNPT-CA"


def test_api_signature_image(api_client, leader, make_user):
    client = api_client(leader)
    assert client.get("/api/v1/me/signature-image").json()["image"]["generated"] is True
    bad = client.put("/api/v1/me/signature-image", {"image": SimpleUploadedFile("a.png", b"x")}, format="multipart")
    assert bad.status_code == 400 and bad.json()["code"] == "image_not_png"
    ok = client.put("/api/v1/me/signature-image", {"image": SimpleUploadedFile("a.png", _png())}, format="multipart")
    assert ok.status_code == 200 and ok.json()["image"]["width_px"] == 240 and ok.json()["image"]["generated"] is False
    assert api_client(make_user()).get("/api/v1/me/signature-image").json() == {"image": None}


def test_api_organ_seal_for_clerk_and_admin_only(api_client, pki_ready, clerk, leader, make_user):
    response = api_client(clerk).get("/api/v1/organ-seal")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["credential"]["kind"] == "organ"
    assert body["authority"]["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")
    assert api_client(leader).get("/api/v1/organ-seal").status_code == 403
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    put = api_client(admin).put(
        "/api/v1/organ-seal", {"image": SimpleUploadedFile("dau.png", _png((300, 300)))}, format="multipart"
    )
    assert put.status_code == 200 and put.json()["seal_image"]["width_px"] == 300


def test_api_credential_list_query_count(api_client, leader):
    for _ in range(3):
        from vanban.signatures import services

        services.issue_certificate(actor=leader, user=leader, password=SIGNING_PASSWORD, days=10)
    client = api_client(leader)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/me/signing-credentials")
    for _ in range(3):
        services.issue_certificate(actor=leader, user=leader, password=SIGNING_PASSWORD, days=10)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/me/signing-credentials").json()) == 7
    assert len(many) == len(few)


# --- Web -------------------------------------------------------------------------------------------


def test_page_shows_certificates_and_image(web_client, leader):
    page = web_client(leader).get("/tai-khoan/chu-ky-so/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hoàng Đức Thắng" in html and "Còn hiệu lực" in html and "Dùng để ký" in html
    assert 'data-testid="signature-image"' in html and "data:image/png;base64," in html


def test_page_issue_import_image_revoke(web_client, pki_ready, make_user):
    user = make_user(full_name="Lê Văn Tám")
    client = web_client(user)
    page = client.post(
        "/tai-khoan/chu-ky-so/",
        {"action": "issue", "issue-password": SIGNING_PASSWORD, "issue-password2": "khac"},
    )
    assert page.status_code == 200 and "không khớp" in page.content.decode()
    response = client.post(
        "/tai-khoan/chu-ky-so/",
        {"action": "issue", "issue-password": SIGNING_PASSWORD, "issue-password2": SIGNING_PASSWORD},
    )
    assert response.status_code == 302
    credential = selectors.active_credential(user)
    assert credential is not None

    blob, _ = _foreign_pkcs12("pw123456")
    page = client.post(
        "/tai-khoan/chu-ky-so/",
        {"action": "import", "import-file": SimpleUploadedFile("a.p12", blob), "import-password": "sai"},
    )
    assert page.status_code == 200 and "Mật khẩu tệp PKCS#12 không đúng" in page.content.decode()

    page = client.post("/tai-khoan/chu-ky-so/", {"action": "image", "image-image": SimpleUploadedFile("a.png", b"x")})
    assert "PNG" in page.content.decode()
    response = client.post(
        "/tai-khoan/chu-ky-so/", {"action": "image", "image-image": SimpleUploadedFile("a.png", _png())}
    )
    assert response.status_code == 302 and not selectors.signature_image(user).generated

    response = client.post(f"/tai-khoan/chu-ky-so/{credential.pk}/thu-hoi/")
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    other = web_client(make_user())
    assert other.post(f"/tai-khoan/chu-ky-so/{credential.pk}/thu-hoi/").status_code == 404


def test_organ_seal_page(web_client, pki_ready, clerk, leader):
    page = web_client(clerk).get("/quan-tri/chu-ky-so-co-quan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "CA nội bộ" in html and 'data-testid="seal-image"' in html and "Còn hiệu lực" in html
    assert web_client(leader).get("/quan-tri/chu-ky-so-co-quan/").status_code == 403
    response = web_client(clerk).post(
        "/quan-tri/chu-ky-so-co-quan/", {"seal-image": SimpleUploadedFile("dau.png", _png((300, 300)))}
    )
    assert response.status_code == 302 and not selectors.seal_image().generated
