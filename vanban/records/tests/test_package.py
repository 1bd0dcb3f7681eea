"""Transfer to the archive: an approved list exported as a package by a background job,
verified (every tampering named), and imported into another instance's archive
without loss."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from vanban.conftest import run_queued_jobs
from vanban.core.errors import Conflict, PermissionDenied, ValidationFailed
from vanban.documents import storage
from vanban.documents.tests.docs_world import pdf_bytes
from vanban.jobs.models import Job
from vanban.records import package, services
from vanban.records.errors import PackageInvalid
from vanban.records.models import Dossier, Transfer
from vanban.records.tests.conftest import Shelf

pytestmark = pytest.mark.django_db


def _approved_transfer(shelf: Shelf, docs: int = 2) -> Transfer:
    w = shelf.world
    plan = shelf.plan()
    one = shelf.dossier_with_docs(plan, "01.XNK", docs=docs)
    services.add_material(actor=w.unit_clerk, dossier=one, title="Ảnh hội nghị", name="Ảnh hội nghị.pdf",
                          data=pdf_bytes(2, "anh"))  # fmt: skip
    services.update_dossier(actor=w.unit_clerk, dossier=one, changes={"keywords": "gạo; xuất khẩu", "info_symbol": "XK"})
    services.close_dossier(actor=w.unit_clerk, dossier=one)
    two = services.close_dossier(actor=w.unit_clerk, dossier=shelf.dossier_with_docs(plan, "02.XNK", docs=1))
    transfer = services.create_transfer(actor=w.unit_clerk, title="Nộp lưu năm 2026 của Cục XNK", dossiers=[one, two])
    return services.approve_transfer(actor=w.leader, transfer=transfer)


def _package(shelf: Shelf) -> bytes:
    out = io.BytesIO()
    package.build_package(_approved_transfer(shelf), out)
    return out.getvalue()


def test_transfer_list_rules(shelf: Shelf) -> None:
    w = shelf.world
    plan = shelf.plan()
    open_one = shelf.dossier_with_docs(plan, "01.XNK", docs=1)
    with pytest.raises(Conflict) as err:
        services.create_transfer(actor=w.unit_clerk, title="Nộp lưu", dossiers=[open_one])
    assert err.value.code == "dossier_not_closed"
    with pytest.raises(ValidationFailed):
        services.create_transfer(actor=w.unit_clerk, title="Nộp lưu", dossiers=[])
    closed = services.close_dossier(actor=w.unit_clerk, dossier=open_one)
    with pytest.raises(PermissionDenied):
        services.create_transfer(actor=w.other_clerk, title="Nộp lưu", dossiers=[closed])
    transfer = services.create_transfer(actor=w.unit_clerk, title="Nộp lưu", dossiers=[closed])
    with pytest.raises(Conflict) as err:
        services.start_export(actor=w.unit_clerk, transfer=transfer)
    assert err.value.code == "transfer_not_approved"
    for actor in (w.unit_clerk, w.specialist):
        with pytest.raises(PermissionDenied):
            services.approve_transfer(actor=actor, transfer=transfer)
    services.approve_transfer(actor=w.leader, transfer=transfer)
    # Approved for transfer: no longer reopened at the source.
    with pytest.raises(Conflict):
        services.reopen_dossier(actor=w.leader, dossier=closed, reason="Bổ sung")


@pytest.mark.django_db(transaction=True)
def test_export_job_marks_files_transferred_and_package_verifies(shelf: Shelf) -> None:
    w = shelf.world
    transfer = _approved_transfer(shelf)
    job = services.start_export(actor=w.unit_clerk, transfer=transfer)
    run_queued_jobs()
    job.refresh_from_db()
    transfer.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert (job.done, job.total) == (2, 2)
    assert transfer.state == Transfer.State.EXPORTED
    assert set(transfer.dossiers.values_list("state", flat=True)) == {Dossier.State.TRANSFERRED}
    with default_storage.open(transfer.package_path, "rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == transfer.package_sha256 == job.result["package_sha256"]
    report = package.verify_package(io.BytesIO(data))
    assert len(report.dossiers) == 2
    dossier = transfer.dossiers.first()
    for attempt in (
        lambda: services.file_document(actor=w.unit_clerk, dossier=dossier, incoming=shelf.incoming("late")),
        lambda: services.reopen_dossier(actor=w.leader, dossier=dossier, reason="Sửa"),
    ):
        with pytest.raises(Conflict):
            attempt()


def test_package_holds_record_fields_files_and_a_manifest(shelf: Shelf) -> None:
    data = _package(shelf)
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    names = set(zf.namelist()) - {"manifest.json"}
    assert {e["path"] for e in manifest["entries"]} == names
    for entry in manifest["entries"]:
        assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
    code = f"{shelf.world.organ.organ_id}.2026.01.XNK"
    meta = json.loads(zf.read(f"dossiers/{code}/metadata.json"))
    assert meta["FileCode"] == {"OrganId": shelf.world.organ.organ_id, "FileCatalog": 2026, "FileNotation": "01.XNK"}
    assert (meta["Maintenance"], meta["DocTotal"], meta["PageTotal"], meta["Keyword"]) == ("10 năm", 3, 5, "gạo; xuất khẩu")
    assert [d["DocOrdinal"] for d in meta["Documents"]] == [1, 2, 3]
    assert meta["Documents"][0]["OrganName"] == "UBND tỉnh Nghệ An"
    xml = zf.read(f"dossiers/{code}/metadata.xml").decode()
    assert "<Maintenance>10 năm</Maintenance>" in xml and "<FileNotation>01.XNK</FileNotation>" in xml


def _rewrite(data: bytes, change: Any) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {n: src.read(n) for n in src.namelist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return out.getvalue()


def _a_document(files: dict[str, bytes]) -> str:
    return next(n for n in files if "/documents/" in n)


def _flip_byte(files: dict[str, bytes]) -> None:
    name = _a_document(files)
    body = bytearray(files[name])
    body[len(body) // 2] ^= 0x01
    files[name] = bytes(body)


def _drop_file(files: dict[str, bytes]) -> None:
    del files[_a_document(files)]


def _extra_file(files: dict[str, bytes]) -> None:
    files["dossiers/them.pdf"] = pdf_bytes(1, "them")


def _edit_manifest_hash(files: dict[str, bytes]) -> None:
    manifest = json.loads(files["manifest.json"])
    manifest["entries"][0]["sha256"] = "0" * 64
    files["manifest.json"] = json.dumps(manifest).encode()


def _drop_from_manifest(files: dict[str, bytes]) -> None:
    manifest = json.loads(files["manifest.json"])
    manifest["entries"] = [e for e in manifest["entries"] if "/documents/" not in e["path"]]
    files["manifest.json"] = json.dumps(manifest).encode()


def _edit_metadata(files: dict[str, bytes]) -> None:
    name = next(n for n in files if n.endswith("metadata.json"))
    files[name] = files[name].replace("10 năm".encode(), "Vĩnh viễn".encode())


@pytest.mark.parametrize(("change", "code", "says"), [
    (_flip_byte, "package_entry_changed", "đã bị thay đổi"),
    (_drop_file, "package_entry_missing", "Thiếu tệp"),
    (_extra_file, "package_entry_extra", "dossiers/them.pdf"),
    (_edit_manifest_hash, "package_entry_changed", "đã bị thay đổi"),
    (_drop_from_manifest, "package_entry_extra", "không có trong bảng kê"),
    (_edit_metadata, "package_entry_changed", "metadata.json"),
])  # fmt: skip
def test_tampered_package_is_detected_and_named(shelf: Shelf, tmp_path: Path, change: Any, code: str,
                                                says: str) -> None:  # fmt: skip
    data = _package(shelf)
    good = tmp_path / "goi.zip"
    good.write_bytes(data)
    call_command("records", "verify", str(good))  # exit 0
    bad = tmp_path / "goi-sai.zip"
    bad.write_bytes(_rewrite(data, change))
    with pytest.raises(PackageInvalid) as err:
        package.verify_package(bad)
    assert err.value.code == code and says in err.value.message
    with pytest.raises(SystemExit) as exit_:
        call_command("records", "verify", str(bad))
    assert exit_.value.code == 1
    with pytest.raises(PackageInvalid):
        package.import_package(actor=shelf.world.ministry_clerk, path=bad)
    assert not Dossier.objects.filter(state=Dossier.State.ARCHIVED).exists()


@pytest.mark.parametrize("junk", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_unreadable_package_is_refused(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(junk)
    with pytest.raises(PackageInvalid):
        package.verify_package(path)


def test_path_traversal_entry_is_refused(shelf: Shelf, tmp_path: Path) -> None:
    data = _rewrite(_package(shelf), lambda files: files.__setitem__("../../etc/passwd", b"x"))
    path = tmp_path / "x.zip"
    path.write_bytes(data)
    with pytest.raises(PackageInvalid) as err:
        package.verify_package(path)
    assert "không hợp lệ" in err.value.message


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_another_instance_keeps_metadata_and_bytes(
    shelf: Shelf, tmp_path: Path, settings: Any
) -> None:
    data = _package(shelf)
    path = tmp_path / "goi.zip"
    path.write_bytes(data)
    source = zipfile.ZipFile(io.BytesIO(data))
    metadata = {n: json.loads(source.read(n)) for n in source.namelist() if n.endswith("metadata.json")}
    blobs = {n: source.read(n) for n in source.namelist() if "/documents/" in n}

    # Another instance: an empty database and its own file storage.
    call_command("flush", interactive=False, verbosity=0)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "other")}}}
    from vanban.accounts.services import create_account
    from vanban.organisation import services as org
    from vanban.organisation.roles import Role

    organ = org.create_organ(actor=None, organ_id="000.00.00.H99", name="Lưu trữ thử", short_name="LT", is_own=True)
    unit = org.create_unit(actor=None, organ=organ, name="Văn phòng", short_name="VP")

    def person(username: str, role: str) -> Any:
        user, _ = create_account(actor=None, username=username, full_name=username, email="",
                                 password="Matkhau@2026", must_change_password=False)  # fmt: skip
        org.grant_role(actor=None, user=user, role=role, unit=None if role == Role.MINISTRY_CLERK else unit)
        return user

    archivist = person("luutru", Role.MINISTRY_CLERK)
    with pytest.raises(PermissionDenied):
        package.import_package(actor=person("chuyenvien", Role.SPECIALIST), path=path)

    imported = package.import_package(actor=archivist, path=path)
    assert len(imported) == 2
    for dossier in imported:
        assert dossier.state == Dossier.State.ARCHIVED
        exported = metadata[f"dossiers/{dossier.code}/metadata.json"]
        assert package.dossier_metadata(dossier) == exported
        for doc in exported["Documents"]:
            for f in doc["Files"]:
                assert storage.read_blob(f["Sha256"]) == blobs[f["Path"]]
        # Archive files are read-only.
        with pytest.raises(Conflict):
            services.add_material(actor=archivist, dossier=dossier, title="Thêm", name="a.pdf", data=pdf_bytes(1, "z"))
    # Importing the same package twice is refused, nothing duplicated.
    with pytest.raises(Conflict) as err:
        package.import_package(actor=archivist, path=path)
    assert err.value.code == "already_archived"
    assert Dossier.objects.count() == 2
    # Re-export from the archive gives the same record fields and bytes.
    for dossier in imported:
        assert package.to_xml(package.dossier_metadata(dossier)) == source.read(f"dossiers/{dossier.code}/metadata.xml")
