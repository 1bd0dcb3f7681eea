"""The backup format, portable between SQLite and PostgreSQL.

A backup is a folder:
  manifest.json       what is inside: tables (model, columns, row count, SHA-256),
                      files (path, size, SHA-256), applied migrations, source engine
  manifest.sha256     the SHA-256 of manifest.json, so the manifest itself is checked
  data/<model>.jsonl  one JSON array per row, values in the manifest's column order
  files/...           the stored blobs (sha256/ab/cd/<hash>) and job inputs

Rows are plain values (ISO 8601 times with microseconds, base64 for bytes) turned back
into Python by each field's `to_python`, so the same backup loads into either engine."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from django.utils.duration import duration_string

from vanban.backup.errors import BackupDamaged

FORMAT = "vanban-backup"
VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
CHUNK = 1024 * 1024


def encode(value: Any) -> Any:
    # Full precision: audit hashes cover microseconds (DjangoJSONEncoder would cut them).
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def dump_row(values: tuple[Any, ...]) -> str:
    return json.dumps([encode(v) for v in values], ensure_ascii=False, separators=(",", ":"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    (folder / MANIFEST_SUM).write_text(hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n", encoding="ascii")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupDamaged(f"không tìm thấy thư mục {folder}.")
    if not path.is_file() or not (folder / MANIFEST_SUM).is_file():
        raise BackupDamaged("thiếu tệp manifest.json hoặc manifest.sha256.")
    expected = (folder / MANIFEST_SUM).read_text(encoding="ascii").strip()
    if sha256_file(path) != expected:
        raise BackupDamaged("manifest.json không khớp mã băm SHA-256 đã ghi.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise BackupDamaged("manifest.json không đọc được.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupDamaged("không phải bản sao lưu vanban, hoặc phiên bản định dạng không được hỗ trợ.")
    return manifest


def _inside(folder: Path, relative: str) -> Path:
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise BackupDamaged(f"đường dẫn không hợp lệ trong manifest: {relative}.")
    return path


def verify(folder: Path, progress: Any = None) -> dict[str, Any]:
    """Check every checksum before anything is restored; raise BackupDamaged at the
    first mismatch, naming the file."""
    manifest = read_manifest(folder)
    entries = [*manifest["tables"], *manifest["files"]]
    for i, item in enumerate(entries, 1):
        rel = item.get("file") or item.get("path")
        path = _inside(folder, rel)
        if not path.is_file():
            raise BackupDamaged(f"thiếu tệp {rel}.")
        if sha256_file(path) != item["sha256"]:
            raise BackupDamaged(f"tệp {rel} không khớp mã băm SHA-256.")
        if progress:
            progress(i, len(entries))
    return manifest


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
