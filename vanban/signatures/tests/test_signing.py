"""The journey of ND30 Art 14 on a PDF: the person signs, the clerk stamps number and
date, the Văn thư seals; both signatures checked by pyHanko and by poppler's pdfsig."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied, VanbanError
from vanban.documents import storage
from vanban.documents.models import StoredFile
from vanban.organisation.roles import Role
from vanban.signatures import appearance, pdfsign, samples, selectors, services
from vanban.signatures.tests.conftest import (
    SIGNING_PASSWORD,
    person_field,
    pyhanko_verdicts,
    render_page,
    run_pdfsig,
)

pytestmark = pytest.mark.django_db

NUMBER = "123/QĐ-BCT"
ISSUED = dt.date(2026, 11, 25)


def _seal_journey(leader, clerk, draft):
    signed = services.sign_as_person(
        actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
    )
    numbered = services.stamp_number_and_date(actor=clerk, pdf=signed.pdf, number_symbol=NUMBER, issued_date=ISSUED)
    sealed = services.seal_as_organ(actor=clerk, pdf=numbered.pdf)
    return signed, numbered, sealed


def test_person_signature_is_pades_visible_and_trusted(signed, draft):
    verdicts = pyhanko_verdicts(signed.pdf)
    assert len(verdicts) == 1
    verdict = next(iter(verdicts.values()))
    assert verdict.bottom_line and verdict.intact and verdict.valid and verdict.trusted
    assert verdict.coverage == "ENTIRE_FILE"
    assert signed.pdf.startswith(draft)  # an incremental update: the draft's bytes are untouched
    assert storage.read_blob(signed.file.sha256) == signed.pdf
    assert signed.file.is_signed_pdf
    from pyhanko.pdf_utils.reader import PdfFileReader

    embedded = PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures[0]
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert "/Perms" not in embedded.reader.root  # an approval signature: no DocMDP lock
    assert signed.signed_at_text.endswith("+07:00")
    # The appearance shows the signer's name and the signing time in ND30's form.
    widget = pdfsign.signature_widgets(signed.pdf)[0]
    assert widget.page == 0
    assert embedded.sig_object["/Name"] == "Hoàng Đức Thắng"


def test_sign_stamp_seal_keeps_both_signatures_valid(leader, clerk, draft, tmp_path):
    signed, numbered, sealed = _seal_journey(leader, clerk, draft)
    person = person_field(sealed.pdf)

    # After the clerk's number and date: the person's signature is intact, the change
    # is form filling, which its (approval) signature permits.
    after_number = pyhanko_verdicts(numbered.pdf)[person]
    assert after_number.intact and after_number.valid and after_number.trusted
    assert after_number.modification_level == "FORM_FILLING"
    assert after_number.docmdp_ok is True and after_number.bottom_line

    verdicts = pyhanko_verdicts(sealed.pdf)
    assert set(verdicts) == {person, sealed.field_name}
    assert verdicts[person].bottom_line and verdicts[person].modification_level == "FORM_FILLING"
    assert verdicts[person].coverage == "ENTIRE_REVISION"
    organ = verdicts[sealed.field_name]
    assert organ.bottom_line and organ.trusted and organ.coverage == "ENTIRE_FILE"

    reports = {r.field: r for r in run_pdfsig(sealed.pdf, tmp_path)}
    assert set(reports) == {person, sealed.field_name}
    assert reports[person].validation == "Signature is Valid."
    assert reports[person].certificate == "Certificate is Trusted."
    assert not reports[person].total_document
    assert reports[sealed.field_name].validation == "Signature is Valid."
    assert reports[sealed.field_name].certificate == "Certificate is Trusted."
    assert reports[sealed.field_name].total_document

    # Each step is its own stored file; none overwrote its input.
    assert numbered.pdf.startswith(signed.pdf) and sealed.pdf.startswith(numbered.pdf)
    assert len({signed.file.sha256, numbered.file.sha256, sealed.file.sha256}) == 3
    actions = list(AuditEvent.objects.filter(action__startswith="signature.").values_list("action", flat=True))
    assert {"signature.person_signed", "signature.number_stamped", "signature.organ_sealed"} <= set(actions)


def test_page_one_shows_number_and_date_and_the_seal_overlaps_a_third(leader, clerk, draft):
    _, numbered, sealed = _seal_journey(leader, clerk, draft)
    reader = PdfReader(io.BytesIO(numbered.pdf))
    values = {f: v.get("/V") for f, v in reader.get_fields().items()}
    assert values[pdfsign.NUMBER_FIELD] == f"Số: {NUMBER}"
    assert values[pdfsign.DATE_FIELD] == "Hà Nội, ngày 25 tháng 11 năm 2026"

    png = render_page(sealed.pdf, "quyet-dinh-dong-dau")
    with Image.open(png) as image:
        rgb = image.convert("RGB")
    width, height = rgb.size
    red = sum(1 for x in range(width) for y in range(height) if _is_red(rgb.getpixel((x, y))))
    blue = sum(1 for x in range(width) for y in range(height) if _is_blue(rgb.getpixel((x, y))))
    assert red > 200 and blue > 200  # the seal and the signature are both drawn

    # Geometry: the seal's right edge lies about a third of the way into the image.
    widgets = {w.field_name: w for w in pdfsign.signature_widgets(sealed.pdf)}
    person = widgets[person_field(sealed.pdf)]
    seal = widgets[sealed.field_name]
    image = selectors.signature_image(leader)
    ix, _, iw, _ = appearance.image_box(
        person.rect[2] - person.rect[0], person.rect[3] - person.rect[1], (image.width_px, image.height_px)
    )
    overlap = (seal.rect[2] - (person.rect[0] + ix)) / iw
    assert 0.25 < overlap < 0.4
    assert seal.rect[0] < person.rect[0] + ix  # on its left
    assert abs((seal.rect[2] - seal.rect[0]) - appearance.SEAL_DIAMETER_PT) < 1


def _is_red(pixel):
    r, g, b = pixel
    return r > 170 and g < 110 and b < 110


def _is_blue(pixel):
    r, g, b = pixel
    return b > 120 and r < 100 and g < 130


def test_attachment_gets_text_stamp_at_top_right_without_image(clerk, pki_ready, tmp_path):
    attachment = samples.draft_pdf(pages=2, title="PHỤ LỤC")
    result = services.seal_as_organ(actor=clerk, pdf=attachment, attachment=True, number_symbol=NUMBER)
    verdict = pyhanko_verdicts(result.pdf)[result.field_name]
    assert verdict.bottom_line
    assert run_pdfsig(result.pdf, tmp_path)[0].validation == "Signature is Valid."
    widget = pdfsign.signature_widgets(result.pdf)[0]
    width, height = pdfsign.page_size(result.pdf, 0)
    assert widget.page == 0 and widget.rect[2] > width * 0.8 and widget.rect[3] > height * 0.95
    # The appearance is text only: the number and the ISO 8601 time, no image.
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(result.pdf))
    annot = next(
        a.get_object()
        for a in reader.root["/Pages"]["/Kids"][0].get_object()["/Annots"]
        if a.get_object().get("/T") == result.field_name
    )
    stream = annot["/AP"]["/N"]
    resources = stream["/Resources"]
    assert "/XObject" not in resources or not any(
        v.get_object().get("/Subtype") == "/Image" for v in resources["/XObject"].values()
    )
    # The text is drawn: the top right corner gains dark pixels, and only there.
    before, after = render_page(attachment, "phu-luc"), render_page(result.pdf, "phu-luc-dong-dau")
    with Image.open(before) as a, Image.open(after) as b:
        a, b = a.convert("L"), b.convert("L")
        w, h = b.size
        changed = [(x, y) for x in range(w) for y in range(h) if abs(a.getpixel((x, y)) - b.getpixel((x, y))) > 60]
    assert len(changed) > 50
    assert all(x > w * 0.55 and y < h * 0.1 for x, y in changed)
    # Its content stream carries the number and the time as ActualText (UTF-16).
    data = stream.data
    assert b"ActualText" in data


def test_number_date_format_pads_as_nd30():
    assert pdfsign.vietnamese_date_line("Hà Nội", dt.date(2026, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert pdfsign.vietnamese_date_line("Hà Nội", dt.date(2026, 3, 15)) == "Hà Nội, ngày 15 tháng 3 năm 2026"


def test_signature_box_goes_above_the_signers_name(signed):
    widget = pdfsign.signature_widgets(signed.pdf)[0]
    name_runs = [r for r in pdfsign.text_runs(signed.pdf, 0) if "Hoàng Đức Thắng" in r.text]
    title_runs = [r for r in pdfsign.text_runs(signed.pdf, 0) if "BỘ TRƯỞNG" in r.text]
    assert name_runs and title_runs
    assert name_runs[0].y < widget.rect[1] < widget.rect[3] <= title_runs[0].y + 5


def test_signature_box_can_be_given(leader, draft):
    box = pdfsign.FieldBox(-1, 100, 100, 280, 180)
    result = services.sign_as_person(
        actor=leader,
        pdf=draft,
        credential=selectors.active_credential(leader),
        secret=SIGNING_PASSWORD,
        field_box=box,
    )
    assert pdfsign.signature_widgets(result.pdf)[0].rect == (100, 100, 280, 180)


# --- Refusals --------------------------------------------------------------------------------------


def _nothing_stored(before_files, before_events):
    assert StoredFile.objects.count() == before_files
    assert not AuditEvent.objects.filter(pk__gt=before_events, action__startswith="signature.").exists()


def _marks():
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return StoredFile.objects.count(), last


def test_wrong_signing_password_is_refused_and_nothing_stored(leader, draft):
    marks = _marks()
    with pytest.raises(VanbanError) as caught:
        services.sign_as_person(
            actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret="sai-mat-khau"
        )
    assert caught.value.code == "wrong_signing_password"
    _nothing_stored(*marks)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not a pdf at all", "pdf_broken"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF", "pdf_broken"),
    ],
)
def test_broken_pdf_is_refused(leader, data, code):
    marks = _marks()
    with pytest.raises(VanbanError) as caught:
        services.sign_as_person(
            actor=leader, pdf=data, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
        )
    assert caught.value.code == code
    _nothing_stored(*marks)


def test_encrypted_pdf_is_refused(leader, draft):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(draft)))
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)
    marks = _marks()
    with pytest.raises(VanbanError) as caught:
        services.sign_as_person(
            actor=leader, pdf=out.getvalue(), credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
        )
    assert caught.value.code == "pdf_encrypted"
    _nothing_stored(*marks)


def test_expired_certificate_is_refused(leader, draft):
    from freezegun import freeze_time

    credential = services.issue_certificate(actor=leader, user=leader, password=SIGNING_PASSWORD, days=1)
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=3)):
        with pytest.raises(VanbanError) as caught:
            services.sign_as_person(actor=leader, pdf=draft, credential=credential, secret=SIGNING_PASSWORD)
        assert caught.value.code == "certificate_expired"
        assert "hết hạn" in caught.value.message


def test_revoked_certificate_is_refused_and_listed_on_the_crl(leader, draft):
    from vanban.signatures import pki

    credential = selectors.active_credential(leader)
    services.revoke_credential(actor=leader, credential=credential, reason="Mất thiết bị")
    credential.refresh_from_db()
    with pytest.raises(VanbanError) as caught:
        services.sign_as_person(actor=leader, pdf=draft, credential=credential, secret=SIGNING_PASSWORD)
    assert caught.value.code == "certificate_revoked"
    assert selectors.active_credential(leader) is None
    revoked = {
        int(r["user_certificate"].native)
        for crl in pki.internal_crls()
        for r in crl["tbs_cert_list"]["revoked_certificates"]
    }
    assert int(credential.serial_hex, 16) in revoked


def test_a_signature_made_before_revocation_is_reported_revoked_by_pyhanko(signed, leader):
    # The internal certificates name no CRL distribution point, so pyHanko consults the
    # internal CRL only when revocation information is required for every certificate.
    assert next(iter(pyhanko_verdicts(signed.pdf, "require").values())).bottom_line
    services.revoke_credential(actor=leader, credential=selectors.active_credential(leader))
    verdict = next(iter(pyhanko_verdicts(signed.pdf, "require").values()))
    assert verdict.intact and verdict.valid
    assert not verdict.bottom_line and not verdict.trusted  # the internal CRL marks it revoked


def test_only_the_holder_signs_with_a_certificate(leader, make_user, draft):
    other = make_user(roles=[Role.MINISTRY_LEADER])
    with pytest.raises(PermissionDenied):
        services.sign_as_person(
            actor=other, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
        )


def test_only_a_clerk_stamps_and_only_the_ministry_clerk_seals(signed, leader, make_user):
    nobody = make_user(roles=[])
    with pytest.raises(PermissionDenied):
        services.stamp_number_and_date(actor=nobody, pdf=signed.pdf, number_symbol=NUMBER, issued_date=ISSUED)
    with pytest.raises(PermissionDenied):
        services.stamp_number_and_date(actor=leader, pdf=signed.pdf, number_symbol=NUMBER, issued_date=ISSUED)
    with pytest.raises(PermissionDenied):
        services.seal_as_organ(actor=leader, pdf=signed.pdf)
    with pytest.raises(PermissionDenied):
        services.seal_as_organ(actor=nobody, pdf=signed.pdf)


def test_sealing_before_the_person_signed_is_refused(clerk, draft, pki_ready):
    with pytest.raises(VanbanError) as caught:
        services.seal_as_organ(actor=clerk, pdf=draft)
    assert caught.value.code == "person_signature_required"
    assert caught.value.status == 409


def test_sealing_a_pdf_changed_after_the_person_signed_is_refused(signed, clerk):
    # Rewriting the whole file (not an incremental update) breaks the signature.
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(signed.pdf)))
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(VanbanError) as caught:
        services.seal_as_organ(actor=clerk, pdf=out.getvalue())
    assert caught.value.code == "person_signature_required"


def test_stamping_a_pdf_not_signed_here_is_refused(clerk, draft):
    with pytest.raises(VanbanError) as caught:
        services.stamp_number_and_date(actor=clerk, pdf=draft, number_symbol=NUMBER, issued_date=ISSUED)
    assert caught.value.code == "number_fields_missing"


def test_stamping_twice_is_refused(signed, clerk):
    numbered = services.stamp_number_and_date(actor=clerk, pdf=signed.pdf, number_symbol=NUMBER, issued_date=ISSUED)
    with pytest.raises(VanbanError) as caught:
        services.stamp_number_and_date(actor=clerk, pdf=numbered.pdf, number_symbol="124/QĐ-BCT", issued_date=ISSUED)
    assert caught.value.code == "number_fields_missing"


def test_attachment_seal_needs_the_number(clerk, draft, pki_ready):
    with pytest.raises(VanbanError) as caught:
        services.seal_as_organ(actor=clerk, pdf=draft, attachment=True)
    assert caught.value.field == "number_symbol"


def test_organ_seal_with_a_password_asks_for_it(organ, make_user, make_unit, draft):
    services.init_pki(actor=None, seal_password="Dau@2026")
    unit = make_unit()
    clerk = make_user(roles=[Role.MINISTRY_CLERK], unit=unit)
    with pytest.raises(VanbanError) as caught:
        services.seal_as_organ(actor=clerk, pdf=draft, attachment=True, number_symbol=NUMBER, secret="sai")
    assert caught.value.code == "wrong_signing_password"
    result = services.seal_as_organ(actor=clerk, pdf=draft, attachment=True, number_symbol=NUMBER, secret="Dau@2026")
    assert pyhanko_verdicts(result.pdf)[result.field_name].bottom_line
