"""Keys and certificates: the internal CA, personal certificates, PKCS#12 imports,
revocation, trust roots, images and the `vanban pki` command."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied, VanbanError
from vanban.organisation.roles import Role
from vanban.signatures import images, keystore, pki, samples, selectors, services
from vanban.signatures.models import SignatureImage, SigningCredential
from vanban.signatures.tests.conftest import SIGNING_PASSWORD, pyhanko_verdicts

pytestmark = pytest.mark.django_db


def _foreign_pkcs12(password: str, *, common_name: str = "Nguyễn Văn An", days: int = 365, start_days_ago: int = 1):
    """A PKCS#12 from an outside CA (as VNPT-CA or Viettel-CA would issue)."""
    now = dt.datetime.now(dt.UTC)
    ca_key, ca_cert = pki.build_root_ca(organ_name="CA Bên Ngoài", now=now)
    key = pki.new_private_key()
    cert = pki.build_signing_certificate(
        ca_key=ca_key,
        ca_certificate=ca_cert,
        public_key=key.public_key(),
        common_name=common_name,
        organ_name="Bộ Công Thương",
        now=now - dt.timedelta(days=start_days_ago),
        days=days,
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"an", key, cert, [ca_cert], serialization.BestAvailableEncryption(password.encode())
    )
    return blob, ca_cert


def test_init_creates_ca_seal_and_image_once(organ):
    first = services.init_pki(actor=None)
    assert first.created
    again = services.init_pki(actor=None)
    assert not again.created and again.authority.pk == first.authority.pk
    seal = selectors.organ_credential()
    assert seal.protection == SigningCredential.Protection.SERVER_KEY
    # The organ key is encrypted: no clear PKCS#8, and only the server key opens it.
    blob = bytes(seal.key_blob)
    assert b"PRIVATE KEY" not in blob
    with pytest.raises(ValueError):
        serialization.load_der_private_key(blob, password=None)
    assert keystore.open_with_server_key(blob).key_size == 2048
    assert selectors.seal_image().generated
    assert len(pki.trust_roots()) == 1 and len(pki.internal_crls()) == 1
    assert AuditEvent.objects.filter(action="signature.ca_created").count() == 1


def test_a_changed_server_key_cannot_open_the_organ_key(organ, settings):
    services.init_pki(actor=None)
    from cryptography.fernet import Fernet

    settings.VANBAN_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(VanbanError) as caught:
        keystore.open_with_server_key(bytes(selectors.organ_credential().key_blob))
    assert caught.value.code == "key_encryption_key_mismatch"


def test_issued_certificate_names_the_person_and_is_for_signing(leader):
    credential = selectors.active_credential(leader)
    cert = x509.load_pem_x509_certificate(credential.certificate_pem.encode())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Hoàng Đức Thắng"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Bộ Công Thương"
    assert cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)[0].value == "bthoang@moit.gov.vn"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert 729 <= (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 731
    # The key is a PKCS#12 that only the signing password opens.
    with pytest.raises(VanbanError):
        keystore.open_pkcs12(bytes(credential.key_blob), "sai")
    key, opened, _ = keystore.open_pkcs12(bytes(credential.key_blob), SIGNING_PASSWORD)
    assert opened.fingerprint(hashes.SHA256()).hex() == credential.fingerprint_sha256
    assert selectors.signature_image(leader).generated


def test_issuing_needs_the_ca_a_long_password_and_the_right_person(organ, make_user):
    user = make_user()
    with pytest.raises(VanbanError) as caught:
        services.issue_certificate(actor=user, user=user, password=SIGNING_PASSWORD)
    assert caught.value.code == "pki_not_initialised"
    services.init_pki(actor=None)
    with pytest.raises(VanbanError) as caught:
        services.issue_certificate(actor=user, user=user, password="12345")
    assert caught.value.code == "signing_password_too_short"
    other = make_user()
    with pytest.raises(PermissionDenied):
        services.issue_certificate(actor=other, user=user, password=SIGNING_PASSWORD)
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    assert services.issue_certificate(actor=admin, user=user, password=SIGNING_PASSWORD).owner == user


def test_import_pkcs12_wrong_password_stores_nothing(leader):
    blob, _ = _foreign_pkcs12("dung-mat-khau")
    before = SigningCredential.objects.count(), AuditEvent.objects.count()
    with pytest.raises(VanbanError) as caught:
        services.import_pkcs12(actor=leader, user=leader, data=blob, password="sai-mat-khau")
    assert caught.value.code == "wrong_pkcs12_password" and caught.value.field == "password"
    assert (SigningCredential.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(VanbanError) as caught:
        services.import_pkcs12(actor=leader, user=leader, data=b"not a p12", password="x")
    assert caught.value.code == "wrong_pkcs12_password"


def test_import_pkcs12_refuses_expired_and_duplicates(leader):
    expired, _ = _foreign_pkcs12("pw123456", days=1, start_days_ago=10)
    with pytest.raises(VanbanError) as caught:
        services.import_pkcs12(actor=leader, user=leader, data=expired, password="pw123456")
    assert caught.value.code == "certificate_expired"
    blob, _ = _foreign_pkcs12("pw123456")
    services.import_pkcs12(actor=leader, user=leader, data=blob, password="pw123456")
    with pytest.raises(VanbanError) as caught:
        services.import_pkcs12(actor=leader, user=leader, data=blob, password="pw123456")
    assert caught.value.code == "credential_exists" and caught.value.status == 409


def test_imported_pkcs12_signs_and_is_trusted_once_its_root_is_configured(leader, clerk, settings, tmp_path):
    blob, foreign_root = _foreign_pkcs12("pw123456", common_name="Hoàng Đức Thắng")
    credential = services.import_pkcs12(actor=leader, user=leader, data=blob, password="pw123456", label="VNPT-CA")
    assert credential.source == SigningCredential.Source.PKCS12 and bytes(credential.key_blob) == blob
    assert selectors.active_credential(leader) == credential  # the newest usable one signs
    signed = services.sign_as_person(actor=leader, pdf=samples.draft_pdf(), credential=credential, secret="pw123456")
    verdict = next(iter(pyhanko_verdicts(signed.pdf).values()))
    assert verdict.intact and verdict.valid and not verdict.trusted
    with pytest.raises(VanbanError) as caught:
        services.seal_as_organ(actor=clerk, pdf=signed.pdf)
    assert caught.value.code == "person_signature_required" and "tin cậy" in caught.value.message

    settings.VANBAN_TRUST_ROOTS = str(tmp_path)
    (tmp_path / "vnpt-ca.pem").write_bytes(foreign_root.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "khong-doc-duoc.crt").write_bytes(b"rac")  # skipped, not fatal
    assert len(pki.trust_roots()) == 2
    sealed = services.seal_as_organ(actor=clerk, pdf=signed.pdf)
    assert all(v.bottom_line for v in pyhanko_verdicts(sealed.pdf).values())


def test_revocation_by_owner_and_admin_only(leader, make_user):
    credential = selectors.active_credential(leader)
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        services.revoke_credential(actor=stranger, credential=credential)
    services.revoke_credential(actor=leader, credential=credential, reason="Nghỉ hưu")
    with pytest.raises(VanbanError) as caught:
        services.revoke_credential(actor=leader, credential=credential)
    assert caught.value.code == "credential_revoked"
    credential.refresh_from_db()
    assert credential.status == SigningCredential.Status.REVOKED


def _png(mode: str = "RGBA", size: tuple[int, int] = (200, 80), colour=(0, 0, 200, 0)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGBA" else colour[:3]).save(out, format="PNG")
    return out.getvalue()


def test_signature_image_must_be_a_transparent_png(leader):
    for data, code in [
        (b"GIF89a...", "image_not_png"),
        (_png("RGB"), "image_not_transparent"),
        (_png(size=(5, 5)), "image_size"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image_broken"),
    ]:
        with pytest.raises(VanbanError) as caught:
            services.set_signature_image(actor=leader, user=leader, data=data)
        assert caught.value.code == code
    image = services.set_signature_image(actor=leader, user=leader, data=_png())
    assert selectors.signature_image(leader) == image and not image.generated


def test_generated_images_are_transparent_blue_and_red():
    with Image.open(io.BytesIO(images.demo_signature_png("Hoàng Đức Thắng"))) as sig:
        assert sig.mode == "RGBA" and sig.getpixel((0, 0))[3] == 0
        inked = [p for p in sig.get_flattened_data() if p[3] > 200]
        assert inked and all(p[2] > p[0] for p in inked)  # blue ink
    with Image.open(io.BytesIO(images.demo_seal_png("Bộ Công Thương", "Hà Nội"))) as seal:
        assert seal.width == seal.height
        inked = [p for p in seal.get_flattened_data() if p[3] > 200]
        assert inked and all(p[0] > p[2] for p in inked)  # red ink


def test_seal_image_by_clerk_or_admin_only(pki_ready, clerk, leader):
    with pytest.raises(PermissionDenied):
        services.set_seal_image(actor=leader, data=_png(size=(300, 300)))
    image = services.set_seal_image(actor=clerk, data=_png(size=(300, 300)))
    assert selectors.seal_image() == image and image.kind == SignatureImage.Kind.SEAL


def test_pki_command(organ, make_user, tmp_path, capsys):
    make_user("cv.thu", full_name="Mai Thị Huyền")
    call_command("pki", "init")
    call_command("pki", "init")
    call_command("pki", "issue", "cv.thu", "--password", "Matkhau@1", "--days", "30")
    out = capsys.readouterr().out
    assert "Đã khởi tạo" in out and "đã có sẵn" in out and "Mai Thị Huyền" in out
    credential = SigningCredential.objects.get(owner__username="cv.thu")
    assert (credential.not_after - timezone.now()).days in (29, 30)
    call_command("pki", "list")
    assert "cv.thu" in capsys.readouterr().out
    call_command("pki", "revoke", credential.serial_hex.upper(), "--reason", "Thử")
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    call_command("pki", "crl", "--out", str(tmp_path / "crl.der"))
    crl = x509.load_der_x509_crl((tmp_path / "crl.der").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(int(credential.serial_hex, 16)) is not None
    call_command("pki", "root", "--out", str(tmp_path / "root.pem"))
    assert (
        x509.load_pem_x509_certificate((tmp_path / "root.pem").read_bytes())
        .extensions.get_extension_for_class(x509.BasicConstraints)
        .value.ca
    )
    with pytest.raises(SystemExit):
        call_command("pki", "revoke", "khong-co-ai")


def test_a_revoked_internal_certificate_shows_in_validation_and_its_crl_is_served(
    leader: Any, signed: Any, client: Any
) -> None:
    from cryptography import x509 as cx509

    from vanban.signatures import selectors as sel
    from vanban.signatures.validation import validate_pdf

    credential = sel.active_credential(leader)
    cert = cx509.load_pem_x509_certificate(credential.certificate_pem.encode())
    (point,) = cert.extensions.get_extension_for_class(cx509.CRLDistributionPoints).value
    url = point.full_name[0].value
    assert url.endswith(".crl") and "/pki/crl/" in url
    before = validate_pdf(signed.pdf)
    assert before.signatures[0].trusted and not before.signatures[0].revoked
    services.revoke_credential(actor=leader, credential=credential, reason="Mất thiết bị")
    after = validate_pdf(signed.pdf)
    assert after.signatures[0].revoked
    response = client.get(url.split("8000", 1)[1])
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    assert cx509.load_der_x509_crl(response.content).get_revoked_certificate_by_serial_number(cert.serial_number)
