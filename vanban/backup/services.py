"""`create_backup` and `restore_backup`: a consistent copy of every table and every
stored file taken while the system runs, and its return onto a fresh install.

Consistency: all tables are read in one snapshot. On PostgreSQL that is a REPEATABLE
READ, READ ONLY transaction on a connection of its own; on SQLite the online backup
API first copies the database file (a WAL reader does not block writers), and the
copy is read. Stored blobs are immutable and content-addressed, so the blobs named by
the snapshot's StoredFile rows are exactly the right bytes, whenever they are copied."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone

from vanban.audit.services import record
from vanban.backup import fileformat as ff
from vanban.backup.errors import BackupDamaged, DatabaseNotEmpty
from vanban.core.errors import ValidationFailed
from vanban.search.services import rebuild_index as rebuild_search_index

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
SNAPSHOT_ALIAS = "vanban_backup_snapshot"
BATCH = 500

# Not part of a backup: sessions (restoring them would revive old logins), the task
# queue and worker heartbeats (they describe processes, not records), the reports'
# read models (their triggers rewrite it while the assignments are loaded back), and the
# search entries: a copy of every document's text whose word index lives outside the
# model's columns (PostgreSQL's `tsv`, SQLite's FTS5 table), so loading the rows back
# would give entries no search finds; the restore rebuilds them from the documents and
# their extracted texts instead.
SKIPPED = {
    "sessions.session",
    "django_tasks_db.dbtaskresult",
    "jobs.workerheartbeat",
    "reports.worksummary",
    "reports.incomingunit",
    "search.searchentry",
}


def backup_root() -> Path:
    root = getattr(settings, "BACKUP_ROOT", None) or os.environ.get("VANBAN_BACKUP_DIR") or (
        Path(settings.VAR_DIR) / "backups")
    return Path(root)


def backed_up_models() -> list[type[models.Model]]:
    result = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in SKIPPED:
            continue
        result.append(model)
    return sorted(result, key=lambda m: m._meta.label_lower)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def _noop(done: int, total: int) -> None:
    return None


@contextmanager
def _snapshot(workdir: Path) -> Iterator[str]:
    """A database alias whose reads all see one moment of the database."""
    source = dict(connections["default"].settings_dict)
    alias_settings = dict(source)
    copy_path = None
    if source["ENGINE"].endswith("sqlite3"):
        copy_path = workdir / "snapshot.sqlite3"
        src = sqlite3.connect(source["NAME"], timeout=30)
        dst = sqlite3.connect(str(copy_path))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        alias_settings.update(NAME=str(copy_path), OPTIONS={}, CONN_MAX_AGE=0)
    # Registered for this thread only (not in settings): the snapshot is private to
    # the backup and never handed to other code.
    conn = load_backend(alias_settings["ENGINE"]).DatabaseWrapper(alias_settings, SNAPSHOT_ALIAS)
    connections[SNAPSHOT_ALIAS] = conn
    try:
        with transaction.atomic(using=SNAPSHOT_ALIAS):
            if conn.vendor == "postgresql":
                with conn.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield SNAPSHOT_ALIAS
    finally:
        conn.close()
        del connections[SNAPSHOT_ALIAS]
        if copy_path is not None:
            copy_path.unlink(missing_ok=True)


def _copy_stream(fh: Any, target: Path) -> tuple[str, int]:
    import hashlib

    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        while chunk := fh.read(ff.CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _migrations(alias: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[alias]).migration_qs.values_list("app", "name").order_by("app", "name"):
        applied.setdefault(app, []).append(name)
    return applied


def create_backup(*, actor: Any | None, output: Path | None = None, progress: Progress = _noop) -> Path:
    """Write a backup folder and return its path. The folder appears under its final
    name only when complete (written as "<name>.partial" and renamed)."""
    from vanban.documents.models import StoredFile
    from vanban.documents.storage import blob_name, open_blob
    from vanban.jobs.models import Job

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")
    final = Path(output) if output else backup_root() / f"vanban-{stamp}"
    if final.exists() and any(final.iterdir()):
        raise ValidationFailed("backup_exists", f"Thư mục {final} đã có dữ liệu; chọn thư mục khác.", "output")
    work = final.with_name(final.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    model_list = backed_up_models()
    tables: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=work.parent) as tmp, _snapshot(Path(tmp)) as alias:
        blobs = list(StoredFile.objects.using(alias).values_list("sha256", "size").order_by("pk"))
        inputs = list(Job.objects.using(alias).exclude(input_path="").values_list("input_path", flat=True).distinct())
        total = len(model_list) + len(blobs) + len(inputs)
        done = 0
        for model in model_list:
            fields = _columns(model)
            rel = f"data/{model._meta.label_lower}.jsonl"
            rows = 0
            qs = model._base_manager.using(alias).order_by(model._meta.pk.attname)
            with (work / rel).open("w", encoding="utf-8") as out:
                for values in qs.values_list(*[f.attname for f in fields]).iterator(chunk_size=2000):
                    out.write(ff.dump_row(values))
                    out.write("\n")
                    rows += 1
            tables.append({"model": model._meta.label_lower, "file": rel, "columns": [f.attname for f in fields],
                           "rows": rows, "sha256": ff.sha256_file(work / rel)})
            done += 1
            progress(done, total)
        migrations = _migrations(alias)
        engine = connections[alias].vendor
    # Blobs never change once written, so reading them after the snapshot is safe.
    for sha, size in blobs:
        rel = f"files/{blob_name(sha)}"
        with open_blob(sha) as fh:
            digest, written = _copy_stream(fh, work / rel)
        if digest != sha or written != size:
            raise BackupDamaged(f"tệp lưu trữ {sha} trên máy chủ không khớp mã băm; kiểm tra bằng «vanban files verify».")
        files.append({"path": rel, "sha256": digest, "size": written})
        done += 1
        progress(done, total)
    for name in inputs:
        rel = f"files/{name}"
        with default_storage.open(name, "rb") as fh:
            digest, written = _copy_stream(fh, ff._inside(work, rel))
        files.append({"path": rel, "sha256": digest, "size": written, "storage_name": name})
        done += 1
        progress(done, total)
    manifest = {
        "format": ff.FORMAT, "version": ff.VERSION, "created_at": timezone.now().isoformat(),
        "engine": engine, "migrations": migrations, "tables": tables, "files": files,
        "counts": {t["model"]: t["rows"] for t in tables},
    }
    ff.write_manifest(work, manifest)
    if final.exists():
        final.rmdir()
    work.rename(final)
    with transaction.atomic():
        record(actor=actor, action="backup.created", target_type="backup", target_id=final.name,
               target_repr=final.name, data={"path": str(final), "tables": len(tables), "files": len(files),
                                              "rows": sum(t["rows"] for t in tables)})
    log.info("backup written to %s", final)
    return final


def database_is_empty() -> bool:
    from django.contrib.auth import get_user_model

    from vanban.audit.models import AuditEvent
    from vanban.documents.models import StoredFile

    return not (get_user_model().objects.exists() or AuditEvent.objects.exists() or StoredFile.objects.exists())


def _check_migrations(manifest: dict[str, Any]) -> None:
    known = _migrations("default")
    for app, names in manifest["migrations"].items():
        unknown = sorted(set(names) - set(known.get(app, [])))
        if unknown:
            raise ValidationFailed(
                "backup_newer_schema",
                f"Bản sao lưu có cấu trúc dữ liệu mới hơn bản cài này (ứng dụng {app}: {unknown[0]}). "
                "Cập nhật phần mềm rồi phục hồi lại.")


def _decode(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)


def _rows(path: Path) -> Iterator[list[Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _clear_tables() -> None:
    every = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    tables = [m._meta.db_table for m in every]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            existing = set(connection.introspection.table_names(cursor))
            names = ", ".join(connection.ops.quote_name(t) for t in tables if t in existing)
            cursor.execute(f"TRUNCATE {names} CASCADE")
        else:
            # Table names come from the models' metadata, quoted; nothing from outside.
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def restore_backup(*, folder: Path, force: bool = False, progress: Progress = _noop) -> dict[str, Any]:
    """Verify every checksum, then load the whole backup in one transaction (all or
    nothing), copy the files back into storage and reset PostgreSQL's sequences."""
    from vanban.documents import storage

    folder = Path(folder)
    manifest = ff.verify(folder)
    _check_migrations(manifest)
    if not force and not database_is_empty():
        raise DatabaseNotEmpty()
    by_label = {m._meta.label_lower: m for m in apps.get_models(include_auto_created=True)}
    missing = [t["model"] for t in manifest["tables"] if t["model"] not in by_label]
    if missing:
        raise ValidationFailed("backup_unknown_model", f"Bản cài này không có bảng {missing[0]} của bản sao lưu.")
    # One more step at the end: the search index rebuilt from the restored documents.
    total = len(manifest["tables"]) + len(manifest["files"]) + 1
    done = 0
    # Files first: they are content-addressed, so putting them back is idempotent and a
    # failed database load leaves nothing that points at a missing blob.
    for item in manifest["files"]:
        path = ff._inside(folder, item["path"])
        if "storage_name" in item:
            if not default_storage.exists(item["storage_name"]):
                with path.open("rb") as fh:
                    default_storage.save(item["storage_name"], fh)
        else:
            storage.put(item["sha256"], path, item["size"])
        done += 1
        progress(done, total)
    restored: dict[str, int] = {}
    with transaction.atomic():
        _clear_tables()
        for table in manifest["tables"]:
            model = by_label[table["model"]]
            fields_by_att = {f.attname: f for f in _columns(model)}
            columns = [c for c in table["columns"] if c in fields_by_att]
            positions = [table["columns"].index(c) for c in columns]
            fields = [fields_by_att[c] for c in columns]
            batch: list[models.Model] = []
            count = 0
            for row in _rows(folder / table["file"]):
                obj = model(**{f.attname: _decode(f, row[i]) for f, i in zip(fields, positions, strict=True)})
                batch.append(obj)
                if len(batch) >= BATCH:
                    model._base_manager._insert(batch, fields=_columns(model), using="default", raw=True)
                    count += len(batch)
                    batch = []
            if batch:
                model._base_manager._insert(batch, fields=_columns(model), using="default", raw=True)
                count += len(batch)
            if count != table["rows"]:
                raise BackupDamaged(f"bảng {table['model']} có {count} dòng, manifest ghi {table['rows']}.")
            restored[table["model"]] = count
            done += 1
            progress(done, total)
        if connection.vendor == "postgresql":
            sql = connection.ops.sequence_reset_sql(no_style(), [by_label[t["model"]] for t in manifest["tables"]])
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
        # A backup taken before search entries were left out holds them too: rebuilding
        # rewrites those and gives them their word index.
        entries = rebuild_search_index()
        done += 1
        progress(done, total)
        record(actor=None, action="backup.restored", target_type="backup", target_id=folder.name,
               target_repr=folder.name, actor_username="vanban restore",
               data={"created_at": manifest["created_at"], "engine": manifest["engine"],
                     "rows": sum(restored.values()), "files": len(manifest["files"]),
                     "search_entries": entries})
    return {"tables": restored, "files": len(manifest["files"]), "search_entries": entries}


def list_backups() -> list[dict[str, Any]]:
    """The finished backups in the backup folder, newest first (manifest not re-hashed:
    `vanban restore` verifies everything before loading)."""
    root = backup_root()
    if not root.is_dir():
        return []
    result = []
    for folder in sorted(root.iterdir(), reverse=True):
        manifest_path = folder / ff.MANIFEST
        if not folder.is_dir() or folder.name.endswith(".partial") or not manifest_path.is_file():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        created = dt.datetime.fromisoformat(manifest["created_at"])
        result.append({
            "name": folder.name, "path": str(folder), "created_at": created, "engine": manifest.get("engine", ""),
            "rows": sum(t["rows"] for t in manifest.get("tables", [])), "files": len(manifest.get("files", [])),
            "size": ff.folder_size(folder),
        })
    return result
