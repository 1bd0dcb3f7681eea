"""Backup and restore round trip through the real services, on whichever database the
suite runs (SQLite by default, PostgreSQL with VANBAN_DATABASE_URL)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from vanban.audit.models import AuditEvent
from vanban.audit.verify import verify_chain
from vanban.backup import services
from vanban.backup.errors import BackupDamaged, DatabaseNotEmpty
from vanban.documents.models import StoredFile
from vanban.documents.storage import blob_name, read_blob
from vanban.documents.tests.docs_world import World, isolated_storage, pdf_bytes, world  # noqa: F401
from vanban.incoming.services import register_incoming
from vanban.incoming.tests.conftest import sample_data
from vanban.organisation.models import Unit
from vanban.search.selectors import SearchParams, search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_root(settings: Any, tmp_path: Path) -> Path:
    settings.BACKUP_ROOT = str(tmp_path / "backups")
    return tmp_path / "backups"


def _all_rows() -> dict[str, list[tuple[Any, ...]]]:
    rows = {}
    for model in services.backed_up_models():
        names = [f.attname for f in services._columns(model)]
        rows[model._meta.label_lower] = list(model._base_manager.values_list(*names).order_by(model._meta.pk.attname))
    return rows


def _wipe() -> None:
    """What a fresh install looks like: migrated, no accounts, no events, no files."""
    with transaction.atomic():
        services._clear_tables()
    assert services.database_is_empty()


def _make_data(world: World) -> Any:  # noqa: F811
    scan = pdf_bytes(pages=2, marker="backup")
    doc = register_incoming(actor=world.ministry_clerk, data=sample_data(subject="V/v sao lưu dữ liệu — Đắk Lắk"),
                            files=[("công văn 125.pdf", scan)])
    return doc, scan


def test_round_trip_restores_every_row_file_and_a_valid_audit_chain(world, isolated_storage):  # noqa: F811
    doc, scan = _make_data(world)
    sha = StoredFile.objects.get().sha256
    before = _all_rows()
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert before["audit.auditevent"] and before["incoming.incomingdocument"]

    folder = services.create_backup(actor=world.sysadmin)
    assert (folder / "manifest.json").is_file() and (folder / "files" / blob_name(sha)).is_file()
    assert not list(folder.parent.glob("*.partial"))

    _wipe()
    for path in isolated_storage.rglob("*"):
        if path.is_file():
            path.unlink()
    result = services.restore_backup(folder=folder)
    assert result["files"] == 1

    after = _all_rows()
    for label, rows in before.items():
        if label == "audit.auditevent":
            assert [r for r in after[label] if r[0] <= last_event] == rows
        elif label != "audit.auditchainhead":
            assert after[label] == rows, label
    assert read_blob(sha) == scan
    # The word index is not a table of the backup: the restore rebuilt it, so the document
    # is found again, by a word of its summary typed without diacritics and by its number.
    for q in ("sao luu du lieu dak lak", "125/UBND-KT"):
        found = search(world.ministry_clerk, SearchParams(q=q))
        assert [h.entry.incoming_id for h in found.hits] == [doc.pk], q
    assert AuditEvent.objects.filter(action="backup.restored").count() == 1
    assert verify_chain().ok
    call_command("audit", "verify")  # the operator's check passes too
    if connection.vendor == "postgresql":
        # Sequences continue after the restored ids: a new document gets a fresh id.
        second = register_incoming(actor=world.ministry_clerk, data=sample_data(code_number="999"))
        assert second.pk > doc.pk


def test_restore_refuses_a_database_that_has_data_unless_forced(world, isolated_storage):  # noqa: F811
    _make_data(world)
    folder = services.create_backup(actor=None)
    with pytest.raises(DatabaseNotEmpty) as exc:
        services.restore_backup(folder=folder)
    assert exc.value.code == "database_not_empty" and "--force" in exc.value.message
    services.restore_backup(folder=folder, force=True)
    assert verify_chain().ok


@pytest.mark.parametrize("damage", ["blob", "table", "manifest", "missing"])
def test_damaged_backup_is_refused_before_anything_changes(world, isolated_storage, damage):  # noqa: F811
    _make_data(world)
    folder = services.create_backup(actor=None)
    if damage == "blob":
        target = next(p for p in (folder / "files").rglob("*") if p.is_file())
        target.write_bytes(target.read_bytes()[:-1] + b"X")
    elif damage == "table":
        target = folder / "data" / "incoming.incomingdocument.jsonl"
        target.write_text(target.read_text(encoding="utf-8").replace("Đắk Lắk", "Đắk Nông"), encoding="utf-8")
    elif damage == "manifest":
        target = folder / "manifest.json"
        target.write_text(target.read_text(encoding="utf-8").replace('"rows": 1', '"rows": 2', 1), encoding="utf-8")
    else:
        (folder / "data" / "audit.auditevent.jsonl").unlink()
    _wipe()
    with pytest.raises(BackupDamaged) as exc:
        services.restore_backup(folder=folder)
    assert exc.value.code == "backup_damaged" and exc.value.message.startswith("Bản sao lưu bị hỏng")
    assert services.database_is_empty()  # nothing was loaded


def test_backup_taken_while_writes_happen_is_consistent(world, isolated_storage):  # noqa: F811
    from django.db import connections

    from vanban.organisation import services as org

    stop = threading.Event()
    written = []

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set():
                n += 1
                org.create_unit(actor=None, organ=world.organ, name=f"Phòng thử {n}", short_name=f"PT{n}")
                written.append(n)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            stop.wait(0.01)
        folder = services.create_backup(actor=None)
        while len(written) < 6:  # writes continue after the snapshot
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    _wipe()
    services.restore_backup(folder=folder)
    # The snapshot holds each unit exactly when it holds the unit's audit event, and the
    # chain head matches the last event: one moment of the database.
    units = set(Unit.objects.filter(name__startswith="Phòng thử").values_list("pk", flat=True))
    events = {int(t) for t in AuditEvent.objects.filter(action="unit.created", target_repr__startswith="Phòng thử")
              .values_list("target_id", flat=True)}
    assert units and units == events and len(units) < len(written)
    assert verify_chain().ok


def test_commands_backup_and_restore(world, isolated_storage, tmp_path, capsys):  # noqa: F811
    _make_data(world)
    out = tmp_path / "cli-backup"
    call_command("backup", "-o", str(out), verbosity=0)
    assert str(out) in capsys.readouterr().out
    _wipe()
    call_command("restore", str(out), "--no-migrate")
    assert "Đã phục hồi" in capsys.readouterr().out
    call_command("audit", "verify")
