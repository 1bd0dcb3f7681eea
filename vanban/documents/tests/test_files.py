"""Uploads are checked before anything is stored, and stored content-addressed:
the same bytes once, never overwritten, signed PDFs byte for byte."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.audit.models import AuditEvent
from vanban.documents import services, storage
from vanban.documents.errors import DocumentError
from vanban.documents.files import prepare_upload, sanitize_filename, validate_upload
from vanban.documents.models import StoredFile
from vanban.documents.tests import docs_world
from vanban.documents.tests.docs_world import (
    JPEG,
    OLE,
    PNG,
    TIFF,
    docx_bytes,
    encrypted_pdf_bytes,
    odt_bytes,
    pdf_bytes,
    plain_zip_bytes,
    signed_pdf_bytes,
    xlsx_bytes,
)

world = docs_world.world
isolated_storage = docs_world.isolated_storage


def refused(code: str, name: str, data, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        validate_upload(name, data, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.field == "file"
    assert unicodedata.is_normalized("NFC", caught.value.message)
    return caught.value


# --- File names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("C:y.pdf", "y.pdf"),
        ("/var/lib/../tờ trình.pdf", "tờ trình.pdf"),
        ("cong\x00van.pdf", "congvan.pdf"),
        ("bao\x07cao\x1f.docx", "baocao.docx"),
        ("hop-dong\u202efdp.exe", "hop-dongfdp.exe"),
        ('hồ sơ: a?b*c|d<e>f".pdf', "hồ sơ_ a_b_c_d_e_f_.pdf"),
        ("   ..ẩn.pdf  ", "ẩn.pdf"),
        ("tên.   ", "tên"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1.txt", "_lpt1.txt"),
        ("", "tep"),
        ("../..", "tep"),
        (".pdf", "pdf"),
        ("Quyết  định\tsố 5.PDF", "Quyết định số 5.PDF"),
    ],
)
def test_file_names_lose_path_tricks_and_keep_their_extension(given_name, expected):
    assert sanitize_filename(given_name) == expected


def test_file_names_are_stored_as_nfc():
    decomposed = unicodedata.normalize("NFD", "Công văn số 12 – Bộ Công Thương.pdf")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert sanitize_filename(decomposed) == "Công văn số 12 – Bộ Công Thương.pdf"


def test_long_file_names_are_cut_but_keep_the_extension():
    name = sanitize_filename("Báo cáo " * 100 + ".xlsx")
    assert len(name) <= 200
    assert name.endswith(".xlsx")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_file_name_becomes_a_safe_nonempty_name(value):
    name = sanitize_filename(value)
    assert name
    assert len(name) <= 200
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".")
    assert all(unicodedata.category(ch) != "Cc" for ch in name)
    assert unicodedata.is_normalized("NFC", name)
    assert sanitize_filename(name) == name


# --- Types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("cong-van.pdf", pdf_bytes(), "pdf", "application/pdf"),
        ("scan.PNG", PNG, "png", "image/png"),
        ("scan.jpg", JPEG, "jpeg", "image/jpeg"),
        ("scan.jpeg", JPEG, "jpeg", "image/jpeg"),
        ("scan.tif", TIFF, "tiff", "image/tiff"),
        ("scan.tiff", b"MM\x00*" + b"\x00" * 16, "tiff", "image/tiff"),
        (
            "du-thao.docx",
            docx_bytes(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("bang.xlsx", xlsx_bytes(), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("van-ban.odt", odt_bytes(), "odt", "application/vnd.oasis.opendocument.text"),
        ("cu.doc", OLE, "doc", "application/msword"),
        ("cu.xls", OLE, "xls", "application/vnd.ms-excel"),
        ("ho-so.zip", plain_zip_bytes(), "zip", "application/zip"),
        ("goi-tin.zip", docx_bytes(), "zip", "application/zip"),
    ],
)
def test_accepted_formats_are_recognised_from_their_bytes(name, data, kind, content_type):
    info = validate_upload(name, data)
    assert (info.kind, info.content_type, info.size) == (kind, content_type, len(data))
    assert info.sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_page_count_and_signature_flag_are_read():
    assert validate_upload("ba-trang.pdf", pdf_bytes(pages=3)).page_count == 3
    signed = validate_upload("da-ky.pdf", signed_pdf_bytes())
    assert (signed.page_count, signed.is_signed_pdf) == (1, True)
    waiting = validate_upload("cho-ky.pdf", signed_pdf_bytes(signed=False))
    assert waiting.is_signed_pdf is False
    assert validate_upload("thuong.pdf", pdf_bytes()).is_signed_pdf is False


def test_an_empty_file_is_refused():
    error = refused("empty_file", "trong.pdf", b"")
    assert "rỗng" in error.message and "trong.pdf" in error.message


def test_a_file_over_the_configured_limit_is_refused(settings):
    settings.VANBAN_MAX_UPLOAD_MB = 1
    data = TIFF + b"\x00" * (1024 * 1024)
    error = refused("file_too_large", "lon.tif", data)
    assert "1 MB" in error.message
    settings.VANBAN_MAX_UPLOAD_MB = 2
    assert validate_upload("lon.tif", data).size == len(data)


def test_the_size_limit_defaults_to_100_mb():
    from django.conf import settings as django_settings

    assert django_settings.VANBAN_MAX_UPLOAD_MB == 100


@pytest.mark.parametrize(
    ("name", "expected_words"),
    [("chay.exe", ".exe"), ("anh.gif", ".gif"), ("khong-duoi", "phần mở rộng"), ("nen.rar", ".rar")],
)
def test_unsupported_formats_are_refused_with_the_accepted_list(name, expected_words):
    error = refused("unsupported_type", name, b"MZ\x90\x00 some bytes")
    assert expected_words in error.message


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("anh-doi-ten.pdf", PNG, "Ảnh PNG"),
        ("cong-van.docx", pdf_bytes(), "PDF"),
        ("bang.xlsx", docx_bytes(), "Word (DOCX)"),
        ("van-ban.docx", plain_zip_bytes(), "Tệp nén ZIP"),
        ("anh.jpg", b"just some text, not a picture", "không được hỗ trợ"),
        ("scan.png", JPEG, "Ảnh JPEG"),
        ("cu.doc", docx_bytes(), "Word (DOCX)"),
        ("bi-mat.docx", OLE, "Office 97–2003"),
        ("anh.tif", pdf_bytes(), "PDF"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, data, found):
    error = refused("type_mismatch", name, data)
    assert found in error.message


def test_encrypted_pdfs_are_refused_whether_or_not_they_open_without_a_password():
    refused("encrypted_pdf", "mat-khau.pdf", encrypted_pdf_bytes())
    refused("encrypted_pdf", "chi-han-che-in.pdf", encrypted_pdf_bytes(user_password=""))


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\nkhong phai pdf", pdf_bytes()[:200], b"%PDF-1.4\n" + os.urandom(3000)],
)
def test_broken_pdfs_are_refused(data):
    refused("broken_pdf", "hong.pdf", data)


def test_a_damaged_zip_container_is_refused():
    refused("broken_file", "hong.zip", b"PK\x03\x04" + b"\x00" * 100)
    refused("broken_file", "hong.docx", b"PK\x03\x04garbage")


# --- Streaming --------------------------------------------------------------------------


def test_uploads_arrive_as_bytes_django_uploads_file_objects_or_paths(tmp_path):
    data = pdf_bytes(pages=2)
    expected = hashlib.sha256(data).hexdigest()
    path = tmp_path / "tep.pdf"
    path.write_bytes(data)
    temp_upload = TemporaryUploadedFile("tep.pdf", "application/pdf", len(data), None)
    temp_upload.write(data)
    sources = [data, SimpleUploadedFile("tep.pdf", data), temp_upload, io.BytesIO(data), path]
    for source in sources:
        assert validate_upload("tep.pdf", source).sha256 == expected
    temp_upload.close()


def test_a_large_upload_is_hashed_in_chunks_not_held_in_memory(tmp_path):
    path = tmp_path / "lon.tif"
    with path.open("wb") as fh:
        fh.write(TIFF)
        for _ in range(24):
            fh.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    try:
        info = validate_upload("lon.tif", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size > 24 * 1024 * 1024
    assert peak < 6 * 1024 * 1024, f"peak {peak} bytes for a 24 MB upload"


def test_reading_stops_as_soon_as_the_limit_is_passed():
    class Endless(io.RawIOBase):
        served = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.served += size
            return b"\x00" * size

    source = Endless()
    with pytest.raises(DocumentError) as caught:
        validate_upload("vo-han.tif", source, max_bytes=3 * 1024 * 1024)
    assert caught.value.code == "file_too_large"
    assert source.served <= 4 * 1024 * 1024


def test_no_temporary_file_is_left_behind(isolated_storage, settings):
    tmp_dir = settings.FILE_UPLOAD_TEMP_DIR
    for name, data in [("a.pdf", b""), ("b.pdf", PNG), ("c.pdf", b"%PDF-1.4 hong"), ("d.pdf", encrypted_pdf_bytes())]:
        with pytest.raises(DocumentError):
            validate_upload(name, data)
    validate_upload("e.pdf", pdf_bytes())
    with prepare_upload("f.pdf", pdf_bytes()) as prepared:
        assert prepared.path.exists()
    assert os.listdir(tmp_dir) == []


# --- Storing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_is_stored_under_its_sha256_and_read_back_unchanged(world, isolated_storage):
    data = pdf_bytes(pages=2)
    stored = services.store_file(actor=world.unit_clerk, name="../Tờ trình số 5.pdf", data=data)
    digest = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == digest
    assert stored.storage_name == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert (isolated_storage / stored.storage_name).read_bytes() == data
    assert storage.read_blob(digest) == data
    assert (stored.original_name, stored.kind, stored.content_type) == ("Tờ trình số 5.pdf", "pdf", "application/pdf")
    assert (stored.size, stored.page_count, stored.is_signed_pdf) == (len(data), 2, False)
    assert stored.created_by == world.unit_clerk
    event = AuditEvent.objects.get(action="file.stored")
    assert event.actor == world.unit_clerk
    assert event.data["sha256"] == digest and event.data["name"] == "Tờ trình số 5.pdf"


@pytest.mark.django_db
def test_the_same_bytes_are_one_object_whatever_their_name(world, isolated_storage):
    data = docx_bytes()
    first = services.store_file(actor=world.unit_clerk, name="du-thao.docx", data=data)
    path = isolated_storage / first.storage_name
    written_at = path.stat().st_mtime_ns
    second = services.store_file(actor=world.ministry_clerk, name="ban-khac.docx", data=data)
    assert second.pk == first.pk
    assert second.original_name == "du-thao.docx"
    assert StoredFile.objects.count() == 1
    assert AuditEvent.objects.filter(action="file.stored").count() == 1
    assert path.stat().st_mtime_ns == written_at  # never rewritten
    assert sum(len(files) for _, _, files in os.walk(isolated_storage)) == 1


@pytest.mark.django_db
def test_a_signed_pdf_is_stored_byte_for_byte(world, isolated_storage):
    data = signed_pdf_bytes()
    stored = services.store_file(actor=world.unit_clerk, name="da-ky-so.pdf", data=data)
    assert stored.is_signed_pdf is True
    assert storage.read_blob(stored.sha256) == data
    assert storage.hash_of_blob(stored.sha256) == hashlib.sha256(data).hexdigest()


@pytest.mark.django_db
def test_a_refused_upload_stores_nothing(world, isolated_storage):
    with pytest.raises(DocumentError):
        services.store_file(actor=world.unit_clerk, name="mat-khau.pdf", data=encrypted_pdf_bytes())
    assert StoredFile.objects.count() == 0
    assert not isolated_storage.exists() or not any(files for _, _, files in os.walk(isolated_storage))
    assert not AuditEvent.objects.filter(action="file.stored").exists()


@pytest.mark.django_db
def test_an_incomplete_object_left_by_a_crash_is_replaced(world, isolated_storage):
    data = pdf_bytes(marker="crash")
    digest = hashlib.sha256(data).hexdigest()
    broken = isolated_storage / storage.blob_name(digest)
    broken.parent.mkdir(parents=True)
    broken.write_bytes(data[:10])
    services.store_file(actor=world.unit_clerk, name="x.pdf", data=data)
    assert broken.read_bytes() == data


@pytest.mark.django_db
def test_two_writers_of_the_same_new_bytes_leave_one_object(world, isolated_storage, monkeypatch):
    data = pdf_bytes(marker="race")
    services.store_file(actor=world.unit_clerk, name="a.pdf", data=data)
    # The second writer checked before the first finished writing: the storage hands it
    # an alternative name, which must be removed.
    store = storage.files_storage()
    real_exists = type(store).exists
    calls = []

    def exists_late(self, name):
        calls.append(name)
        return False if len(calls) == 1 else real_exists(self, name)

    monkeypatch.setattr(type(store), "exists", exists_late)
    with prepare_upload("b.pdf", data) as upload:
        assert storage.put(upload.sha256, upload.path, upload.size) is False
    monkeypatch.undo()
    assert sum(len(files) for _, _, files in os.walk(isolated_storage)) == 1


@pytest.mark.django_db
def test_prepared_uploads_are_checked_first_and_stored_later(world, isolated_storage):
    with prepare_upload("bao-cao.xlsx", xlsx_bytes()) as upload:
        assert StoredFile.objects.count() == 0
        stored = services.store_upload(actor=None, upload=upload)
    assert stored.created_by is None and stored.kind == "xlsx"
    assert not upload.path.exists()


# --- Commands ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_files_verify_reports_a_tampered_or_missing_object(world, isolated_storage, capsys):
    good = services.store_file(actor=None, name="tot.pdf", data=pdf_bytes(marker="tot"))
    call_command("files", "verify")
    assert "đã kiểm tra 1 tệp" in capsys.readouterr().out
    tampered = services.store_file(actor=None, name="sua.pdf", data=pdf_bytes(marker="sua"))
    (isolated_storage / tampered.storage_name).write_bytes(b"%PDF-1.4 da bi sua")
    with pytest.raises(SystemExit) as exited:
        call_command("files", "verify")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"bị thay đổi: {tampered.sha256}" in err and good.sha256 not in err
    (isolated_storage / tampered.storage_name).unlink()
    with pytest.raises(SystemExit):
        call_command("files", "verify")
    assert f"thiếu: {tampered.sha256}" in capsys.readouterr().err


@pytest.mark.django_db
def test_files_sweep_removes_only_old_objects_no_row_names(world, isolated_storage, capsys):
    kept = services.store_file(actor=None, name="giu.pdf", data=pdf_bytes(marker="giu"))
    with prepare_upload("mo-coi.pdf", pdf_bytes(marker="mo-coi")) as upload:
        storage.put(upload.sha256, upload.path, upload.size)  # as a rolled-back registration leaves it
        orphan = upload.sha256
    call_command("files", "sweep")
    assert "Đã xóa 0 tệp" in capsys.readouterr().out  # too recent: may belong to a registration in progress
    call_command("files", "sweep", "--min-age-hours", "0", "--dry-run")
    assert orphan in capsys.readouterr().out
    assert storage.exists(orphan)
    call_command("files", "sweep", "--min-age-hours", "0")
    assert "Đã xóa 1 tệp" in capsys.readouterr().out
    assert not storage.exists(orphan) and storage.exists(kept.sha256)
    event = AuditEvent.objects.get(action="file.swept")
    assert event.data["sha256"] == [orphan] and event.channel == "cli"


def test_files_check_prints_what_an_upload_would_be(tmp_path, capsys):
    path = tmp_path / "da-ky.pdf"
    path.write_bytes(signed_pdf_bytes())
    call_command("files", "check", str(path))
    out = capsys.readouterr().out
    assert "Định dạng: PDF (application/pdf)" in out and "Chữ ký số: có" in out
    bad = tmp_path / "anh.pdf"
    bad.write_bytes(PNG)
    with pytest.raises(SystemExit) as exited:
        call_command("files", "check", str(bad))
    assert exited.value.code == 1
    assert "type_mismatch" in capsys.readouterr().err


UPLOAD_CODES = {"empty_file", "unsupported_type", "type_mismatch", "encrypted_pdf", "broken_pdf", "broken_file"}


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(["a.pdf", "b.docx", "c.xlsx", "d.odt", "e.zip", "f.png", "g.jpg", "h.tif", "i.doc", "j"]),
    prefix=st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"\xd0\xcf\x11\xe0"]),
    body=st.binary(max_size=2048),
)
def test_any_upload_is_accepted_or_refused_with_a_known_code(name, prefix, body):
    try:
        info = validate_upload(name, prefix + body)
    except DocumentError as exc:
        assert exc.code in UPLOAD_CODES, exc.code
        assert exc.message and exc.field == "file"
    else:
        assert info.size == len(prefix + body) and info.sha256 == hashlib.sha256(prefix + body).hexdigest()
