from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.documents.catalogue import Secrecy, Urgency
from vanban.documents.errors import DocumentError
from vanban.documents.models import DocumentType, Register, StoredFile
from vanban.documents.numbering import peek_next_number, register_for
from vanban.documents.tests.docs_world import World, pdf_bytes
from vanban.incoming.errors import DuplicateSuspected, IncomingError
from vanban.incoming.models import IncomingDocument, IncomingEvent, IncomingFile
from vanban.incoming.services import register_incoming
from vanban.incoming.tests.conftest import sample_data

pytestmark = pytest.mark.django_db


def _blobs(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_clerk_registers_paper_document_with_scanned_pdf_and_gets_next_number(world: World, register_doc: Any) -> None:
    register = register_for(world.organ, Register.Kind.INCOMING)
    assert peek_next_number(register) == 1
    scan = pdf_bytes(pages=3, marker="scan")
    doc = register_doc(world.ministry_clerk, files=[("cong van 125.pdf", scan)])
    assert doc.arrival_number == 1
    assert doc.register == register
    assert doc.issuing_organ.name == "UBND tỉnh Nghệ An" and not doc.issuing_organ.is_own
    assert doc.page_amount == 3
    link = doc.files.get()
    assert link.role == "main" and link.position == 1 and link.file.page_count == 3
    second = register_doc(world.ministry_clerk, code_number="126")
    assert second.arrival_number == 2
    assert peek_next_number(register) == 3
    event = AuditEvent.objects.get(action="incoming.registered", target_id=str(doc.pk))
    assert event.data["arrival_number"] == 1
    assert list(doc.events.values_list("kind", flat=True)) == ["registered"]
    assert doc.events.get().edxml_status == "03"


def test_numbers_start_at_one_per_register(world: World, register_doc: Any) -> None:
    bo = register_doc(world.ministry_clerk)
    unit = register_doc(world.unit_clerk, code_number="7")
    assert (bo.arrival_number, unit.arrival_number) == (1, 1)
    assert unit.register.unit == world.dept
    last_year = register_for(world.organ, Register.Kind.INCOMING, year=timezone.localdate().year - 1)
    old = register_doc(world.ministry_clerk, code_number="9", register=last_year)
    assert old.arrival_number == 1


def test_attachments_are_ordered_after_the_main_file(world: World, register_doc: Any) -> None:
    doc = register_doc(
        world.ministry_clerk, files=[("chinh.pdf", pdf_bytes(marker="a")), ("phu-luc.pdf", pdf_bytes(marker="b"))]
    )
    assert [(f.position, f.role, f.name) for f in doc.files.all()] == [
        (1, "main", "chinh.pdf"),
        (2, "attachment", "phu-luc.pdf"),
    ]


@pytest.mark.parametrize("secrecy", [Secrecy.MAT, Secrecy.TOI_MAT, Secrecy.TUYET_MAT])
def test_secret_document_is_refused_and_nothing_is_stored(
    world: World, register_doc: Any, isolated_storage: Path, secrecy: str
) -> None:
    with pytest.raises(DocumentError) as exc:
        register_doc(world.ministry_clerk, secrecy=secrecy, files=[("mat.pdf", pdf_bytes(marker="mat"))])
    assert exc.value.code == "secret_document"
    assert "2226/QĐ-BCT" in exc.value.message
    assert not StoredFile.objects.exists() and not _blobs(isolated_storage)
    assert not IncomingDocument.objects.exists()
    refused = AuditEvent.objects.get(action="incoming.refused")
    assert refused.data == {"reason": "secrecy"}
    assert "UBND" not in refused.target_repr and "xuất khẩu" not in str(refused.data)
    assert IncomingEvent.objects.get().kind == "refused"
    assert peek_next_number(register_for(world.organ, Register.Kind.INCOMING)) == 1


def test_denunciation_letter_is_refused_and_nothing_is_stored(
    world: World, register_doc: Any, isolated_storage: Path
) -> None:
    kind = DocumentType.objects.get(code="don-thu-to-cao")
    with pytest.raises(DocumentError) as exc:
        register_doc(world.unit_clerk, document_type=kind, files=[("don.pdf", pdf_bytes(marker="don"))])
    assert exc.value.code == "forbidden_kind"
    assert not StoredFile.objects.exists() and not _blobs(isolated_storage)
    assert not IncomingDocument.objects.exists()
    assert AuditEvent.objects.get(action="incoming.refused").data == {"reason": "forbidden_kind"}


def test_same_organ_number_symbol_and_date_is_a_possible_duplicate(world: World, register_doc: Any) -> None:
    first = register_doc(world.ministry_clerk)
    with pytest.raises(DuplicateSuspected) as exc:
        register_doc(
            world.ministry_clerk, code_number="0125", code_notation="ubnd-kt", issuing_organ_name="ubnd tinh nghe an"
        )
    assert exc.value.code == "possible_duplicate"
    assert [m["id"] for m in exc.value.matches] == [first.pk]
    assert exc.value.matches[0]["arrival_number"] == 1
    assert IncomingDocument.objects.count() == 1
    again = register_doc(world.ministry_clerk, confirm_duplicate=True)
    assert again.arrival_number == 2


def test_same_file_already_registered_is_a_possible_duplicate(world: World, register_doc: Any) -> None:
    scan = pdf_bytes(marker="same")
    first = register_doc(world.ministry_clerk, files=[("a.pdf", scan)])
    with pytest.raises(DuplicateSuspected) as exc:
        register_doc(world.ministry_clerk, code_number="999", files=[("b.pdf", scan)])
    assert exc.value.matches[0]["id"] == first.pk and exc.value.matches[0]["reason"] == "file"


def test_different_date_is_not_a_duplicate(world: World, register_doc: Any) -> None:
    register_doc(world.ministry_clerk)
    other = register_doc(world.ministry_clerk, issued_date=timezone.localdate() - dt.timedelta(days=5))
    assert other.arrival_number == 2


def test_due_date_before_arrival_is_refused(world: World, register_doc: Any) -> None:
    with pytest.raises(IncomingError) as exc:
        register_doc(world.ministry_clerk, due_date=timezone.localdate() - dt.timedelta(days=1))
    assert (exc.value.code, exc.value.field) == ("due_before_arrival", "due_date")
    assert not IncomingDocument.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"issued_date": dt.date.today() + dt.timedelta(days=3)}, "issued_date"),
        ({"arrival_date": dt.datetime.now(dt.UTC) + dt.timedelta(days=1)}, "arrival_date"),
    ],
)
def test_future_dates_are_refused(world: World, register_doc: Any, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(IncomingError) as exc:
        register_doc(world.ministry_clerk, **overrides)
    assert (exc.value.code, exc.value.field) == ("future_date", field)


def test_missing_subject_is_refused(world: World, register_doc: Any) -> None:
    with pytest.raises(IncomingError) as exc:
        register_doc(world.ministry_clerk, subject="  ")
    assert (exc.value.code, exc.value.field) == ("required", "subject")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("rong.pdf", b"", "empty_file"), ("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "type_mismatch")],
)
def test_bad_files_are_refused_with_nothing_saved(
    world: World, register_doc: Any, isolated_storage: Path, name: str, content: bytes, code: str
) -> None:
    with pytest.raises(DocumentError) as exc:
        register_doc(world.ministry_clerk, files=[("tot.pdf", pdf_bytes(marker="ok")), (name, content)])
    assert exc.value.code == code
    assert not StoredFile.objects.exists() and not _blobs(isolated_storage)
    assert not IncomingDocument.objects.exists() and not IncomingFile.objects.exists()
    assert peek_next_number(register_for(world.organ, Register.Kind.INCOMING)) == 1


def test_legacy_encoded_subject_is_stored_as_unicode_with_a_notice(world: World, register_doc: Any) -> None:
    doc = register_doc(world.ministry_clerk, subject="B¸o c¸o t×nh h×nh")
    assert doc.subject == "Báo cáo tình hình"
    assert doc.text_conversions["subject"].original == "B¸o c¸o t×nh h×nh"


def test_unit_clerk_registers_in_own_unit_register(world: World, register_doc: Any) -> None:
    doc = register_doc(world.unit_clerk, urgency=Urgency.HOA_TOC)
    assert doc.register.unit == world.dept and doc.urgency == "hoa_toc"


@pytest.mark.parametrize("who", ["specialist", "leader", "sysadmin", "unit_admin"])
def test_non_clerks_cannot_register(world: World, register_doc: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        register_doc(getattr(world, who))
    assert not IncomingDocument.objects.exists()


def test_unit_clerk_cannot_register_in_another_units_register(world: World, register_doc: Any) -> None:
    register = register_for(world.dept, Register.Kind.INCOMING)
    with pytest.raises(PermissionDenied):
        register_doc(world.other_clerk, register=register)
    with pytest.raises(PermissionDenied):
        register_doc(world.unit_clerk, register=register_for(world.organ, Register.Kind.INCOMING))
    assert register_doc(world.unit_clerk, register=register).arrival_number == 1


def test_registration_without_a_clerk_register_is_denied(world: World) -> None:
    with pytest.raises(PermissionDenied):
        register_incoming(actor=world.specialist, data=sample_data())


def _pdf_with_text(*lines: str) -> bytes:
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    ops = "".join(f"BT /F1 14 Tf 60 {800 - 20 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines))
    stream = DecodedStreamObject()
    stream.set_data(ops.encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_secrecy_stamp_in_pdf_text_warns_until_clerk_confirms(
    world: World, register_doc: Any, isolated_storage: Path
) -> None:
    stamped = _pdf_with_text("UBND TINH NGHE AN", "TOI MAT", "So: 125/UBND-KT")
    with pytest.raises(IncomingError) as exc:
        register_doc(world.ministry_clerk, files=[("cv.pdf", stamped)])
    assert (exc.value.code, exc.value.field) == ("secrecy_stamp_suspected", "confirm_not_secret")
    assert "TỐI MẬT" in exc.value.message
    assert not StoredFile.objects.exists() and not _blobs(isolated_storage)
    doc = register_incoming(
        actor=world.ministry_clerk, data=sample_data(), files=[("cv.pdf", stamped)], confirm_not_secret=True
    )
    assert doc.files.count() == 1


def test_ordinary_pdf_text_raises_no_secrecy_warning(world: World, register_doc: Any) -> None:
    plain = _pdf_with_text("UBND TINH NGHE AN", "So: 125/UBND-KT", "V/v bao cao tinh hinh mat hang gao")
    assert register_doc(world.ministry_clerk, files=[("cv.pdf", plain)]).files.count() == 1
