"""The partner directory: credentials kept safely, validation, CSV/Excel import that
saves every row or none, and the administrator's page and API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied, ValidationFailed
from vanban.exchange import partners
from vanban.exchange.models import Partner

pytestmark = pytest.mark.django_db

TOKEN = "ma-bi-mat-cua-nghe-an-2026"


def _nghe_an(actor: Any, **kw: Any) -> Partner:
    values = {"organ_id": "000.00.00.H41", "name": "UBND tỉnh Nghệ An", "endpoint": "https://vb.nghean.gov.vn",
              "inbound_token": TOKEN, "outbound_token": "ma-minh-gui-cho-nghe-an"}  # fmt: skip
    values.update(kw)
    return partners.create_partner(actor=actor, data=partners.PartnerData(**values))


def test_tokens_are_never_kept_in_clear(world: Any) -> None:
    p = _nghe_an(world.sysadmin)
    assert p.inbound_token_hash == partners.token_digest(TOKEN) and TOKEN not in str(vars(p))
    assert b"ma-minh-gui" not in bytes(p.outbound_token_encrypted)
    assert partners.outbound_token(p) == "ma-minh-gui-cho-nghe-an"
    assert partners.partner_for_token(TOKEN) == p
    assert partners.partner_for_token("sai-ma-" + TOKEN) is None
    partners.set_partner_active(actor=world.sysadmin, partner=p, active=False)
    assert partners.partner_for_token(TOKEN) is None  # an inactive partner cannot send
    assert AuditEvent.objects.filter(action="exchange.partner_deactivated").count() == 1


def test_bad_partner_data_is_refused_with_its_field(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        _nghe_an(world.sysadmin, organ_id="H41")
    assert (err.value.code, err.value.field) == ("invalid_organ_id", "organ_id")
    _nghe_an(world.sysadmin)
    with pytest.raises(ValidationFailed) as err:
        _nghe_an(world.sysadmin, name="Trùng mã")
    assert err.value.code == "duplicate_organ_id"
    with pytest.raises(ValidationFailed) as err:
        _nghe_an(world.sysadmin, organ_id="000.00.00.H40", transport="folder", endpoint="tuong-doi/thu-muc")
    assert err.value.field == "endpoint"
    with pytest.raises(PermissionDenied):
        _nghe_an(world.ministry_clerk, organ_id="000.00.00.H42")


def test_fingerprint_is_normalised(world: Any) -> None:
    fp = ":".join(["AB"] * 32)
    p = _nghe_an(world.sysadmin, cert_fingerprint=fp)
    assert p.cert_fingerprint == "ab" * 32
    assert partners.partner_for_fingerprint(fp) == p


def test_fingerprint_of_a_certificate_in_the_forms_proxies_pass_it() -> None:
    import base64
    import datetime as dt
    from urllib.parse import quote

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "000.00.00.H41")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))  # fmt: skip
    expected = cert.fingerprint(hashes.SHA256()).hex()
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    for form in (pem, quote(pem), pem.replace("\n", " "), der):  # nginx escapes; Apache/HAProxy set-ups
        assert partners.fingerprint_of_certificate(form) == expected
    for junk in ("", "khong-phai-chung-thu", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "ab" * 32):
        assert partners.fingerprint_of_certificate(junk) == ""


CSV_OK = (
    "ma_dinh_danh,ten_co_quan,cach_truyen,dia_chi,ma_thong_bao_den,hoat_dong\n"
    "000.00.00.H41,UBND tỉnh Nghệ An,http,https://vb.nghean.gov.vn,ma-den-cua-nghe-an-123,1\n"
    "000.00.00.H29,UBND tỉnh Hà Tĩnh,folder,/srv/lienthong/hatinh,,1\n"
)


def test_csv_import_saves_all_rows(world: Any) -> None:
    report = partners.import_partners(actor=world.sysadmin, name="danh-ba.csv", content=CSV_OK.encode())
    assert (report.ok, report.created, report.updated) == (True, 2, 0)
    assert Partner.objects.get(organ_id="000.00.00.H29").transport == "folder"
    again = partners.import_partners(actor=world.sysadmin, name="danh-ba.csv",
                                     content=CSV_OK.replace("Hà Tĩnh", "Hà Tĩnh (mới)").encode())  # fmt: skip
    assert (again.created, again.updated) == (0, 2)
    assert Partner.objects.get(organ_id="000.00.00.H29").name == "UBND tỉnh Hà Tĩnh (mới)"


def test_an_import_with_a_bad_row_saves_nothing_and_says_which_rows(world: Any) -> None:
    bad = CSV_OK + "H30,,smtp,,ngan,1\n000.00.00.H41,Trùng trong tệp,http,,,1\n"
    report = partners.import_partners(actor=world.sysadmin, name="danh-ba.csv", content=bad.encode())
    assert not report.ok and Partner.objects.count() == 0
    by_row = {(e["row"], e["field"]) for e in report.errors}
    assert {(4, "organ_id"), (4, "name"), (4, "transport"), (4, "inbound_token"), (5, "organ_id")} <= by_row
    assert all(e["message"] for e in report.errors)


def test_excel_import(world: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["ma_dinh_danh", "ten_co_quan", "cach_truyen", "dia_chi"])
    sheet.append(["000.00.00.H41", "UBND tỉnh Nghệ An", "http", "https://vb.nghean.gov.vn"])
    sheet.append([None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    report = partners.import_partners(actor=world.sysadmin, name="danh-ba.xlsx", content=out.getvalue())
    assert (report.ok, report.created) == (True, 1)
    with pytest.raises(ValidationFailed):
        partners.import_partners(actor=world.sysadmin, name="hong.xlsx", content=b"khong phai excel")


def test_partner_api_crud_and_import(world: Any, api_client: Any) -> None:
    api = api_client(world.sysadmin)
    r = api.post("/api/v1/exchange/partners", {"organ_id": "000.00.00.H41", "name": "UBND tỉnh Nghệ An",
                                                "endpoint": "https://vb.nghean.gov.vn", "inbound_token": TOKEN},
                 format="json")  # fmt: skip
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["has_inbound_token"] is True and "inbound_token" not in body
    r = api.put(f"/api/v1/exchange/partners/{body['id']}", {"organ_id": "000.00.00.H41", "name": "UBND Nghệ An",
                                                          "is_active": True}, format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["name"] == "UBND Nghệ An" and r.json()["has_inbound_token"]
    assert api.delete(f"/api/v1/exchange/partners/{body['id']}").json()["is_active"] is False
    r = api.post("/api/v1/exchange/partners", {"organ_id": "sai", "name": "X"}, format="json")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "invalid_organ_id", "organ_id")
    upload = io.BytesIO(b"ma_dinh_danh,ten_co_quan\nsai,\n")
    upload.name = "a.csv"
    r = api.post("/api/v1/exchange/partners/import", {"file": upload}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "import_errors" and {e["row"] for e in r.json()["errors"]} == {2}
    assert api_client(world.ministry_clerk).get("/api/v1/exchange/partners").status_code == 403


def test_partner_pages(world: Any, web_client: Any) -> None:
    web = web_client(world.sysadmin)
    page = web.get("/quan-tri/lien-thong/co-quan/")
    assert page.status_code == 200 and "Danh bạ cơ quan liên thông" in page.content.decode()
    r = web.post("/quan-tri/lien-thong/co-quan/", {"organ_id": "000.00.00.H41", "name": "UBND tỉnh Nghệ An",
                                                   "transport": "http", "endpoint": "https://vb.nghean.gov.vn",
                                                   "inbound_token": TOKEN, "is_active": "on"})  # fmt: skip
    assert r.status_code == 302
    p = Partner.objects.get()
    assert "UBND tỉnh Nghệ An" in web.get("/quan-tri/lien-thong/co-quan/").content.decode()
    r = web.post(f"/quan-tri/lien-thong/co-quan/{p.pk}/", {"organ_id": "000.00.00.H41", "name": "UBND Nghệ An",
                                                          "transport": "http", "is_active": "on"})  # fmt: skip
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.name == "UBND Nghệ An" and p.inbound_token_hash  # an empty token field keeps the token
    web.post(f"/quan-tri/lien-thong/co-quan/{p.pk}/trang-thai/")
    p.refresh_from_db()
    assert not p.is_active
    bad = io.BytesIO("ma_dinh_danh,ten_co_quan\nH41,Sai mã\n".encode())
    bad.name = "danh-ba.csv"
    page = web.post("/quan-tri/lien-thong/co-quan/nhap/", {"file": bad}).content.decode()
    assert "Dòng" in page and "000.00.00.G02" in page and Partner.objects.count() == 1
    r = web.post(f"/quan-tri/lien-thong/co-quan/{p.pk}/", {"organ_id": "sai", "name": "X", "transport": "http"})
    assert r.status_code == 200 and "000.00.00.G02" in r.content.decode()
    assert web_client(world.ministry_clerk).get("/quan-tri/lien-thong/co-quan/").status_code == 403


def test_our_client_certificate_for_outbound_tls_is_checked_and_shown(world: Any, settings: Any, tmp_path: Any,
                                                                      api_client: Any, web_client: Any) -> None:  # fmt: skip
    import datetime as dt

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from vanban.exchange.tests.test_mtls import _certificate

    def key_pem(key: Any) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())  # fmt: skip

    settings.VANBAN_EXCHANGE_CLIENT_CERT, settings.VANBAN_EXCHANGE_CA_BUNDLE = "", ""
    assert partners.outbound_tls() == partners.OutboundTls(configured=False)

    ca_key, key, other = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate("CA liên thông", ca_key, None, ca=True)
    cert = _certificate("Bộ Công Thương", key, (ca, ca_key), days=365)
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "client.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "client.key").write_bytes(key_pem(key))
    (tmp_path / "other.key").write_bytes(key_pem(other))
    settings.VANBAN_EXCHANGE_CLIENT_CERT = (str(tmp_path / "client.pem"), str(tmp_path / "client.key"))
    settings.VANBAN_EXCHANGE_CA_BUNDLE = str(tmp_path / "ca.pem")
    tls = partners.outbound_tls()
    assert (tls.configured, tls.problems, tls.ca_count) == (True, (), 1)
    assert tls.fingerprint == cert.fingerprint(hashes.SHA256()).hex() and "Bộ Công Thương" in tls.subject

    body = api_client(world.sysadmin).get("/api/v1/exchange/tls").json()
    assert (body["configured"], body["fingerprint"], body["problems"]) == (True, tls.fingerprint, [])
    assert api_client(world.ministry_clerk).get("/api/v1/exchange/tls").status_code == 403
    page = web_client(world.sysadmin).get("/quan-tri/lien-thong/co-quan/").content.decode()
    assert "Chứng thư máy khách khi gửi đi (mTLS)" in page and tls.fingerprint in page

    # What goes wrong before deliveries fail: expiry near, the wrong key, the key missing, a bad path.
    soon = tls.not_after - dt.timedelta(days=1)  # type: ignore[operator]
    assert any("cần xin cấp chứng thư mới" in p for p in partners.outbound_tls(now=soon).problems)
    assert any("đã hết hạn" in p for p in partners.outbound_tls(now=soon + dt.timedelta(days=2)).problems)
    settings.VANBAN_EXCHANGE_CLIENT_CERT = (str(tmp_path / "client.pem"), str(tmp_path / "other.key"))
    assert partners.outbound_tls().problems == ("Khóa riêng không khớp với chứng thư.",)
    settings.VANBAN_EXCHANGE_CLIENT_CERT = str(tmp_path / "client.pem")
    assert "VANBAN_EXCHANGE_CLIENT_KEY" in partners.outbound_tls().problems[0]
    settings.VANBAN_EXCHANGE_CLIENT_CERT = str(tmp_path / "khong-co.pem")
    settings.VANBAN_EXCHANGE_CA_BUNDLE = str(tmp_path / "client.key")
    problems = partners.outbound_tls().problems
    assert any("CA tin cậy" in p for p in problems) and any("Không đọc được tệp chứng thư" in p for p in problems)
