"""The transfer package (gói nộp lưu): a zip holding, for every file, its record fields
(App VI II.III) as metadata.json and metadata.xml, the documents' files, a transfer.json
naming the list, and manifest.json with the SHA-256 and size of every other entry.

`verify_package` refuses a package whose entries differ from its manifest in any way
(changed byte, missing or extra entry, edited manifest) and names the entry;
`import_package` brings a verified package into this instance's archive, keeping the
metadata exactly as it came (Dossier.source_metadata) and storing the files by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from lxml import etree

from vanban.audit import services as audit
from vanban.core.errors import Conflict
from vanban.documents import storage
from vanban.documents.files import sanitize_filename
from vanban.documents.services import store_file
from vanban.records import content, permissions
from vanban.records.errors import PackageInvalid
from vanban.records.models import PERMANENT, ArchivedItemFile, Dossier, DossierItem, Transfer

FORMAT = "vanban-nop-luu/1"
MANIFEST = "manifest.json"
TRANSFER = "transfer.json"
MAX_ENTRIES = 200_000
MAX_METADATA_BYTES = 20 * 1024 * 1024
CHUNK = 1024 * 1024


# --- Metadata -------------------------------------------------------------------------------


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def dossier_metadata(dossier: Dossier) -> dict[str, Any]:
    """The file's record fields (App VI II.III, Circular 01/2019) and its documents."""
    if dossier.state == Dossier.State.ARCHIVED and dossier.source_metadata:
        return dossier.source_metadata
    items = list(dossier.items.select_related("incoming__document_type", "incoming__issuing_organ",
                                              "outgoing__document_type", "outgoing__organ", "outgoing__signer",
                                              "file"))  # fmt: skip
    documents = []
    for item in items:
        meta = content.item_metadata(item)
        meta["Files"] = [
            {"Path": _file_path(dossier, item, n, name), "Name": name, "Sha256": f.sha256, "Size": f.size,
             "ContentType": f.content_type, "PageCount": f.page_count}
            for n, (name, f) in enumerate(content.item_files(item), start=1)
        ]  # fmt: skip
        documents.append(meta)
    return {
        "FileCode": {"OrganId": dossier.organ_code, "FileCatalog": dossier.year, "FileNotation": dossier.notation},
        "Code": dossier.code,
        "Title": dossier.title,
        "Maintenance": dossier.retention_label,
        "Rights": dossier.rights,
        "Creator": dossier.creator_name,
        "Language": dossier.language,
        "StartDate": _iso(dossier.start_date),
        "EndDate": _iso(dossier.end_date),
        "DocTotal": dossier.doc_total or len(items),
        "PageTotal": dossier.page_total or sum(d["PageAmount"] or 0 for d in documents),
        "InforSign": dossier.info_symbol,
        "Keyword": dossier.keywords,
        "Format": dossier.physical_state,
        "Description": dossier.description,
        "UnitName": dossier.unit.name if dossier.unit_id else "",
        "Documents": documents,
    }


def _file_path(dossier: Dossier, item: DossierItem, n: int, name: str) -> str:
    safe = sanitize_filename(name) or "tep"
    return f"dossiers/{_dir(dossier)}/documents/{item.position:03d}-{n:02d}-{safe}"


def _dir(dossier: Dossier) -> str:
    return re.sub(r"[^0-9A-Za-z._-]", "_", dossier.code)


def to_xml(metadata: dict[str, Any]) -> bytes:
    root = etree.Element("Dossier")
    _xml_fill(root, metadata)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xml_fill(parent: Any, value: Any) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _xml_fill(etree.SubElement(parent, key), sub)
    elif isinstance(value, list):
        tag = {"Documents": "Document", "Files": "File"}.get(parent.tag, "Item")
        for sub in value:
            _xml_fill(etree.SubElement(parent, tag), sub)
    elif value is not None:
        parent.text = str(value)


# --- Export ---------------------------------------------------------------------------------


def build_package(transfer: Transfer, out: IO[bytes], progress: Any = None) -> dict[str, Any]:
    """Write the package of an approved transfer list to `out` (a binary file)."""
    dossiers = list(transfer.dossiers.select_related("unit").order_by("year", "notation"))
    entries: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(path: str, data: bytes) -> None:
            zf.writestr(path, data)
            entries.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})

        for n, dossier in enumerate(dossiers, start=1):
            metadata = dossier_metadata(dossier)
            base = f"dossiers/{_dir(dossier)}"
            put(f"{base}/metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2).encode())
            put(f"{base}/metadata.xml", to_xml(metadata))
            for doc in metadata["Documents"]:
                for f in doc["Files"]:
                    digest = hashlib.sha256()
                    with zf.open(f["Path"], "w", force_zip64=True) as dest:
                        for chunk in storage.iter_blob(f["Sha256"]):
                            digest.update(chunk)
                            dest.write(chunk)
                    if digest.hexdigest() != f["Sha256"]:
                        raise PackageInvalid(f"Tệp lưu trữ {f['Sha256'][:12]}… đã bị hỏng: không xuất được gói.",
                                             "storage_corrupt")  # fmt: skip
                    entries.append({"path": f["Path"], "sha256": f["Sha256"], "size": f["Size"]})
            if progress:
                progress(n, len(dossiers))
        summary = {
            "format": FORMAT, "organ_id": transfer.organ.organ_id, "organ_name": transfer.organ.name,
            "title": transfer.title, "approved_by": transfer.approved_by.full_name if transfer.approved_by else "",
            "approved_at": transfer.approved_at.isoformat() if transfer.approved_at else "",
            "exported_at": timezone.localtime().isoformat(), "dossiers": [d.code for d in dossiers],
        }  # fmt: skip
        put(TRANSFER, json.dumps(summary, ensure_ascii=False, indent=2).encode())
        manifest = {"format": FORMAT, "algorithm": "SHA-256", "entries": entries}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        zf.writestr(MANIFEST, manifest_bytes)
    return {"dossiers": len(dossiers), "entries": len(entries),
            "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest()}  # fmt: skip


# --- Verification ----------------------------------------------------------------------------


@dataclass
class PackageReport:
    organ_id: str
    title: str
    manifest_sha256: str
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    entries: int = 0

    def summary(self) -> str:
        return (f"Gói nộp lưu hợp lệ: {len(self.dossiers)} hồ sơ, {self.entries} tệp, cơ quan {self.organ_id}; "
                f"bảng kê SHA-256 {self.manifest_sha256}.")  # fmt: skip


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not (name.startswith("/") or "\\" in name or ".." in p.parts or name.endswith("/") or not name)


def _read_json(zf: zipfile.ZipFile, name: str) -> Any:
    info = zf.getinfo(name)
    if info.file_size > MAX_METADATA_BYTES:
        raise PackageInvalid(f"Tệp «{name}» quá lớn.")
    try:
        return json.loads(zf.read(name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageInvalid(f"Tệp «{name}» không phải JSON hợp lệ.") from None


def _hash_entry(zf: zipfile.ZipFile, name: str, limit: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            if size > limit:  # never inflate more than the manifest promised (zip bombs)
                return "", size
            digest.update(chunk)
    return digest.hexdigest(), size


def verify_package(path: Path | str | IO[bytes]) -> PackageReport:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise PackageInvalid("Tệp không phải gói nộp lưu (không đọc được tệp nén zip).") from None
    with zf:
        return _verify(zf)


def _verify(zf: zipfile.ZipFile) -> PackageReport:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PackageInvalid("Gói có quá nhiều tệp.")
    names = [i.filename for i in infos if not i.is_dir()]
    if len(set(names)) != len(names):
        raise PackageInvalid("Gói có hai tệp trùng tên.")
    for name in names:
        if not _safe_name(name):
            raise PackageInvalid(f"Tên tệp «{name}» trong gói không hợp lệ.")
    if MANIFEST not in names:
        raise PackageInvalid("Gói thiếu bảng kê manifest.json.")
    manifest_bytes = zf.read(MANIFEST) if zf.getinfo(MANIFEST).file_size <= MAX_METADATA_BYTES else b""
    manifest = _read_json(zf, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("entries"), list):
        raise PackageInvalid("Bảng kê manifest.json không đúng định dạng gói nộp lưu.")
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["entries"]:
        ok = (isinstance(entry, dict) and isinstance(entry.get("path"), str) and isinstance(entry.get("size"), int)
              and isinstance(entry.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]))  # fmt: skip
        if not ok or entry["path"] in listed or entry["path"] == MANIFEST:
            raise PackageInvalid("Bảng kê manifest.json có mục không hợp lệ hoặc trùng lặp.")
        listed[entry["path"]] = entry
    present = set(names) - {MANIFEST}
    for name in sorted(set(listed) - present):
        raise PackageInvalid(f"Thiếu tệp «{name}» có trong bảng kê.", "package_entry_missing")
    for name in sorted(present - set(listed)):
        raise PackageInvalid(f"Tệp «{name}» không có trong bảng kê.", "package_entry_extra")
    for name, entry in listed.items():
        digest, size = _hash_entry(zf, name, entry["size"])
        if size != entry["size"] or digest != entry["sha256"]:
            raise PackageInvalid(f"Tệp «{name}» đã bị thay đổi: mã SHA-256 hoặc kích thước không khớp bảng kê.",
                                 "package_entry_changed")  # fmt: skip
    if TRANSFER not in listed:
        raise PackageInvalid("Gói thiếu tệp transfer.json.")
    summary = _read_json(zf, TRANSFER)
    if not isinstance(summary, dict) or not isinstance(summary.get("dossiers"), list):
        raise PackageInvalid("Tệp transfer.json không đúng định dạng.")
    report = PackageReport(organ_id=str(summary.get("organ_id", "")), title=str(summary.get("title", "")),
                           manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(), entries=len(listed))  # fmt: skip
    for code in summary["dossiers"]:
        meta_name = f"dossiers/{re.sub(r'[^0-9A-Za-z._-]', '_', str(code))}/metadata.json"
        if meta_name not in listed:
            raise PackageInvalid(f"Thiếu siêu dữ liệu của hồ sơ «{code}».", "package_entry_missing")
        metadata = _read_json(zf, meta_name)
        _check_metadata(metadata, code, listed)
        report.dossiers.append({"code": code, "path": meta_name, "metadata": metadata})
    return report


def _check_metadata(metadata: Any, code: str, listed: dict[str, dict[str, Any]]) -> None:
    required = ("FileCode", "Title", "Maintenance", "Documents")
    if not isinstance(metadata, dict) or any(k not in metadata for k in required):
        raise PackageInvalid(f"Siêu dữ liệu hồ sơ «{code}» thiếu trường bắt buộc.")
    fc = metadata["FileCode"]
    if not isinstance(fc, dict) or not all(k in fc for k in ("OrganId", "FileCatalog", "FileNotation")):
        raise PackageInvalid(f"Mã hồ sơ trong siêu dữ liệu hồ sơ «{code}» không đầy đủ.")
    if not isinstance(metadata["Documents"], list):
        raise PackageInvalid(f"Danh sách văn bản của hồ sơ «{code}» không hợp lệ.")
    for doc in metadata["Documents"]:
        for f in (doc.get("Files") or []) if isinstance(doc, dict) else [None]:
            if not isinstance(f, dict) or f.get("Path") not in listed or listed[f["Path"]]["sha256"] != f.get("Sha256"):
                raise PackageInvalid(f"Tệp của văn bản trong hồ sơ «{code}» không khớp bảng kê.")


# --- Import into the archive --------------------------------------------------------------------


def _retention(label: str) -> tuple[int | None, bool]:
    if label.strip().lower() == PERMANENT.lower():
        return None, True
    m = re.match(r"^(\d+)", label.strip())
    return (int(m.group(1)) if m else None), False


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@transaction.atomic
def import_package(*, actor: Any, path: Path | str) -> list[Dossier]:
    """Bring a verified package into the archive: every file read-only (state archived)."""
    authority = permissions.authorize_archivist(actor) if actor is not None else None
    with zipfile.ZipFile(path) as zf:
        report = _verify(zf)
        package_sha = _sha_of_path(path)
        imported = []
        for entry in report.dossiers:
            meta = entry["metadata"]
            fc = meta["FileCode"]
            organ_code, year, notation = str(fc["OrganId"])[:13], int(fc["FileCatalog"]), str(fc["FileNotation"])[:20]
            if Dossier.objects.filter(organ_code=organ_code, year=year, notation=notation,
                                      state=Dossier.State.ARCHIVED).exists():  # fmt: skip
                raise Conflict("already_archived", f"Hồ sơ «{entry['code']}» đã được tiếp nhận vào lưu trữ trước đây.")
            years, permanent = _retention(str(meta.get("Maintenance", "")))
            dossier = Dossier.objects.create(
                organ_code=organ_code, year=year, notation=notation, title=str(meta["Title"])[:500],
                retention_years=years, retention_permanent=permanent, rights=str(meta.get("Rights", ""))[:30],
                creator_name=str(meta.get("Creator", ""))[:30], language=str(meta.get("Language", ""))[:50],
                start_date=_date(meta.get("StartDate")), end_date=_date(meta.get("EndDate")),
                info_symbol=str(meta.get("InforSign", ""))[:30], keywords=str(meta.get("Keyword", ""))[:300],
                physical_state=str(meta.get("Format", ""))[:50], description=str(meta.get("Description", ""))[:500],
                doc_total=int(meta.get("DocTotal") or 0), page_total=int(meta.get("PageTotal") or 0),
                state=Dossier.State.ARCHIVED, source_metadata=meta, source_package_sha256=package_sha,
                closed_at=timezone.now(),
            )
            for n, doc in enumerate(meta["Documents"], start=1):
                item = DossierItem.objects.create(
                    dossier=dossier, position=int(doc.get("DocOrdinal") or n), kind=DossierItem.Kind.MATERIAL,
                    title=str(doc.get("Title") or doc.get("Subject") or "")[:500], metadata=doc, added_by=actor,
                )
                for k, f in enumerate(doc.get("Files") or [], start=1):
                    with tempfile.TemporaryDirectory() as tmp:
                        target = Path(tmp) / "blob"
                        with zf.open(f["Path"]) as src, open(target, "wb") as dst:
                            while chunk := src.read(CHUNK):
                                dst.write(chunk)
                        stored = store_file(actor=actor, name=f.get("Name") or "tep", data=target)
                    ArchivedItemFile.objects.create(item=item, file=stored, name=str(f.get("Name", ""))[:255],
                                                    position=k)  # fmt: skip
            audit.record(actor=actor, action="records.dossier_archived", target=dossier,
                         data={"code": dossier.code, "package_sha256": package_sha},
                         on_behalf_of=authority.on_behalf_of if authority else None)  # fmt: skip
            imported.append(dossier)
    return imported


def _sha_of_path(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
