"""What an item of a file holds: its files, page count and App VI document fields,
read the same way by the table of contents, closing and the transfer package."""

from __future__ import annotations

from typing import Any

from vanban.documents.models import StoredFile
from vanban.records.models import DossierItem

FROZEN = "_frozen"


def item_files(item: DossierItem) -> list[tuple[str, StoredFile]]:
    """The item's files; once its file is closed, the ones fixed at closing."""
    if item.metadata.get(FROZEN) or item.dossier.state == "archived":
        return [(a.name, a.file) for a in item.archived_files.select_related("file")]
    if item.kind == DossierItem.Kind.INCOMING and item.incoming_id:
        return [(f.name, f.file) for f in item.incoming.files.select_related("file").order_by("position")]
    if item.kind == DossierItem.Kind.OUTGOING and item.outgoing_id:
        versions = list(item.outgoing.versions.select_related("file").order_by("-number"))
        issued = [v for v in versions if v.kind == "issued"]
        chosen = issued[0] if issued else (versions[0] if versions else None)
        return [(chosen.file_name, chosen.file)] if chosen else []
    if item.file_id:
        return [(item.file.original_name, item.file)]
    return []


def item_pages(item: DossierItem) -> int:
    """Pages counted from the stored PDFs (page_count is read at upload)."""
    if item.metadata.get(FROZEN) or (item.metadata.get("PageAmount") is not None and item.kind == "material"
                                     and not item.file_id):  # fmt: skip
        return int(item.metadata.get("PageAmount") or 0)
    return sum(f.page_count or 0 for _, f in item_files(item))


def item_metadata(item: DossierItem) -> dict[str, Any]:
    """App VI Part II document fields (domain.md §3.3); once the file is closed, the
    fields fixed at closing (later changes to the document do not reach a closed file)."""
    if item.metadata.get(FROZEN):
        data = {k: v for k, v in item.metadata.items() if k != FROZEN}
        data["DocOrdinal"] = item.position
        return data
    if item.dossier.state == "archived":
        return dict(item.metadata)
    data: dict[str, Any] = {"DocOrdinal": item.position, "Kind": item.kind, "Title": item.title}
    if item.incoming_id:
        doc = item.incoming
        data.update(
            TypeName=doc.document_type.base_name, CodeNumber=doc.code_number, CodeNotation=doc.code_notation,
            IssuedDate=doc.issued_date.isoformat() if doc.issued_date else "", OrganName=doc.issuing_organ.name,
            Subject=doc.subject, Language=doc.language, Description=doc.description,
            ArrivalNumber=doc.arrival_number, ArrivalDate=doc.arrival_date.isoformat(),
            SignerName=doc.signer_name, SignerPosition=doc.signer_position,
        )
    elif item.outgoing_id:
        doc = item.outgoing
        data.update(
            TypeName=doc.document_type.base_name, CodeNumber=str(doc.number or ""), CodeNotation=doc.code_notation,
            IssuedDate=doc.issued_date.isoformat() if doc.issued_date else "", OrganName=doc.organ.name,
            Subject=doc.subject, Language="Tiếng Việt", Description="",
            SignerName=doc.signer.full_name if doc.signer_id else "", SignerPosition=doc.signer_position,
        )
    else:
        data.update(TypeName="", CodeNumber="", CodeNotation="", IssuedDate="", OrganName="", Subject=item.title,
                    Language="", Description=item.metadata.get("Description", ""))  # fmt: skip
    data["PageAmount"] = item_pages(item)
    return data


def freeze(item: DossierItem) -> None:
    """Fix the item's fields and files as they are at closing."""
    from vanban.records.models import ArchivedItemFile

    files = item_files(item)
    item.metadata = {**item_metadata(item), FROZEN: True}
    item.archived_files.all().delete()
    ArchivedItemFile.objects.bulk_create([
        ArchivedItemFile(item=item, file=f, name=name[:255], position=n) for n, (name, f) in enumerate(files, start=1)
    ])  # fmt: skip
    item.save(update_fields=["metadata"])


def thaw(item: DossierItem) -> None:
    """On reopening: the item follows its document again until the next closing."""
    item.archived_files.all().delete()
    description = item.metadata.get("Description", "") if item.kind == "material" else ""
    item.metadata = {"Description": description} if description else {}
    item.save(update_fields=["metadata"])


def item_date(item: DossierItem) -> Any:
    if item.incoming_id:
        return item.incoming.issued_date
    if item.outgoing_id:
        return item.outgoing.issued_date
    return None
