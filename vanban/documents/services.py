"""Writes of the documents core: every function is one transaction with its audit event.

The incoming and outgoing registrations build on these: `store_upload` for their files,
`numbering.register_for` / `numbering.take_next_number` for their numbers,
`find_or_create_external_organ` for the issuing organ typed by a clerk, and
`catalogue.ensure_admissible` before anything is stored.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from vanban.audit import services as audit
from vanban.core.errors import ValidationFailed
from vanban.core.text import clean_text, fold
from vanban.documents import storage
from vanban.documents.catalogue import TypeGroup
from vanban.documents.errors import CatalogueError, RegisterError
from vanban.documents.files import PreparedUpload, prepare_upload
from vanban.documents.models import DocumentType, Register, RegisterCounter, StoredFile
from vanban.documents.numbering import current_year, default_register_name, split_owner
from vanban.documents.permissions import authorize_directory_edit, authorize_register_owner
from vanban.documents.selectors import find_organ_by_name
from vanban.organisation.models import ORGAN_ID_REGEX, Organ, Unit
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role

# --- Files ----------------------------------------------------------------------------


@transaction.atomic
def store_upload(*, actor: Any, upload: PreparedUpload) -> StoredFile:
    """Store a checked upload (files.prepare_upload) and return its StoredFile. The
    same bytes stored before give the existing object: nothing is written twice and
    nothing is overwritten. The bytes go to storage before the row commits; if the
    transaction then rolls back, the object is an orphan that `vanban files sweep`
    removes (it is content-addressed, so a later upload of the same bytes reuses it)."""
    storage.put(upload.sha256, upload.path, upload.size)
    existing = StoredFile.objects.filter(sha256=upload.sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                sha256=upload.sha256,
                size=upload.size,
                kind=upload.kind,
                content_type=upload.content_type,
                original_name=upload.name,
                page_count=upload.page_count,
                is_signed_pdf=upload.is_signed_pdf,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        # The same bytes were stored by someone else a moment ago: theirs is ours.
        return StoredFile.objects.get(sha256=upload.sha256)
    audit.record(
        actor=actor,
        action="file.stored",
        target=stored,
        data={
            "sha256": stored.sha256,
            "size": stored.size,
            "kind": stored.kind,
            "name": stored.original_name,
            "page_count": stored.page_count,
            "is_signed_pdf": stored.is_signed_pdf,
        },
    )
    return stored


def store_file(*, actor: Any, name: str | None, data: Any) -> StoredFile:
    """Check and store one upload (bytes, UploadedFile, file object or path)."""
    with prepare_upload(name, data) as upload:
        return store_upload(actor=actor, upload=upload)


# --- Document types ---------------------------------------------------------------------

_ABBREVIATION = re.compile(r"^[^\W_]{1,10}$")


def _type_code(name: str) -> str:
    base = slugify(fold(name))[:50] or "loai-van-ban"
    code, n = base, 2
    while DocumentType.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


@transaction.atomic
def create_document_type(
    *,
    actor: Any,
    name: str,
    abbreviation: str = "",
    group: str = TypeGroup.ADMINISTRATIVE,
    sort_order: int | None = None,
) -> DocumentType:
    """The system administrator extends the catalogue (a new normative type, a type a
    partner uses). Abbreviations are stored as written: "QyĐ" stays "QyĐ"."""
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    name = clean_text(name)
    name = re.sub(r"\s+", " ", name)
    if not name:
        raise CatalogueError("required", "Vui lòng nhập tên loại văn bản.", "name")
    if len(name) > 100:
        raise CatalogueError("too_long", "Tên loại văn bản dài quá 100 ký tự.", "name")
    abbreviation = clean_text(abbreviation)
    if abbreviation and not _ABBREVIATION.match(abbreviation):
        raise CatalogueError(
            "invalid_abbreviation",
            "Chữ viết tắt chỉ gồm chữ cái và chữ số, tối đa 10 ký tự, không có dấu cách, «/» hay «-» "
            "(ví dụ QĐ, TTr, QyĐ).",
            "abbreviation",
        )
    if group not in TypeGroup.values:
        raise CatalogueError("invalid_group", "Nhóm loại văn bản không hợp lệ.", "group")
    wanted = name.casefold()
    if any(existing.casefold() == wanted for existing in DocumentType.objects.values_list("name", flat=True)):
        raise CatalogueError("duplicate_document_type", "Loại văn bản này đã có trong danh mục.", "name")
    if sort_order is not None and not 0 <= sort_order <= 2_147_483_647:
        raise ValidationFailed("invalid_sort_order", "Thứ tự không hợp lệ.", "sort_order")
    document_type = DocumentType.objects.create(
        code=_type_code(name),
        name=name,
        abbreviation=abbreviation,
        group=group,
        sort_order=1000 if sort_order is None else sort_order,
    )
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="document_type.created",
        target=document_type,
        data={"after": {"name": name, "abbreviation": abbreviation, "group": group}},
    )
    return document_type


def _set_type_active(actor: Any, document_type: DocumentType, active: bool) -> DocumentType:
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    document_type = DocumentType.objects.select_for_update().get(pk=document_type.pk)
    if document_type.is_active == active:
        if active:
            raise CatalogueError("already_active", "Loại văn bản này đang được sử dụng.")
        raise CatalogueError("already_inactive", "Loại văn bản này đã ngừng sử dụng.")
    document_type.is_active = active
    document_type.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="document_type.reactivated" if active else "document_type.deactivated",
        target=document_type,
        data={"before": {"is_active": not active}, "after": {"is_active": active}},
    )
    return document_type


@transaction.atomic
def deactivate_document_type(*, actor: Any, document_type: DocumentType) -> DocumentType:
    """No longer offered in forms; documents of this type keep it."""
    return _set_type_active(actor, document_type, False)


@transaction.atomic
def reactivate_document_type(*, actor: Any, document_type: DocumentType) -> DocumentType:
    return _set_type_active(actor, document_type, True)


# --- Registers ----------------------------------------------------------------------------


@transaction.atomic
def open_register(*, actor: Any, owner: Organ | Unit, kind: str, year: int | None = None) -> Register:
    """A clerk or administrator opens the year's register ahead of the first
    registration (which would otherwise open it on demand), e.g. next year's in late
    December. Numbers start at 1."""
    organ, unit = split_owner(owner)
    authority = authorize_register_owner(actor, owner)
    if kind not in Register.Kind.values:
        raise RegisterError("invalid_register_kind", "Loại sổ không hợp lệ.", "kind")
    this_year = current_year()
    year = year or this_year
    if year not in (this_year, this_year + 1):
        raise RegisterError(
            "invalid_register_year", f"Chỉ mở được sổ của năm {this_year} hoặc năm {this_year + 1}.", "year"
        )
    if unit is not None and not Unit.objects.get(pk=unit.pk).is_active:  # the caller's copy may be stale
        raise RegisterError("unit_inactive", "Đơn vị đã giải thể hoặc sáp nhập, không thể mở sổ.", "unit")
    if not organ.is_own:
        raise RegisterError("organ_not_own", "Chỉ cơ quan sử dụng hệ thống mới có sổ văn bản.", "organ")
    existing = Register.objects.filter(organ=organ, kind=kind, year=year, is_default=True)
    existing = existing.filter(unit=unit) if unit is not None else existing.filter(unit__isnull=True)
    if existing.exists():
        raise RegisterError("register_exists", f"{default_register_name(kind, year)} đã được mở.", "year")
    register = Register.objects.create(
        organ=organ,
        unit=unit,
        kind=kind,
        year=year,
        name=default_register_name(kind, year),
        is_default=True,
        created_by=actor,
    )
    RegisterCounter.objects.create(register=register)
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="register.created",
        target=register,
        data={"organ": organ.pk, "unit": unit.pk if unit else None, "kind": kind, "year": year, "name": register.name},
    )
    return register


# --- Outside organs ---------------------------------------------------------------------------


@transaction.atomic
def find_or_create_external_organ(
    *, actor: Any, name: str, organ_id: str = "", short_name: str = ""
) -> tuple[Organ, bool]:
    """The issuing organ a clerk chose or typed. An organ id finds its organ; otherwise
    the name does, ignoring case, diacritics and spacing; an organ found by name that
    had no id gets the one given. What is not found is added to the directory as an
    outside organ. Returns (organ, created)."""
    authority = authorize_directory_edit(actor)
    name = re.sub(r"\s+", " ", clean_text(name))
    if not name:
        raise CatalogueError("required", "Vui lòng nhập tên cơ quan ban hành.", "organ_name")
    if len(name) > 200:
        raise CatalogueError("too_long", "Tên cơ quan dài quá 200 ký tự.", "organ_name")
    organ_id = clean_text(organ_id).upper()
    if organ_id and not re.match(ORGAN_ID_REGEX, organ_id):
        raise CatalogueError(
            "invalid_organ_id",
            "Mã định danh cơ quan phải có dạng 000.00.00.G02 (13 ký tự theo QĐ 20/2020/QĐ-TTg).",
            "organ_id",
        )
    if organ_id:
        by_id = Organ.objects.filter(organ_id=organ_id).first()
        if by_id is not None:
            return by_id, False
    by_name = find_organ_by_name(name)
    if by_name is not None:
        if organ_id and not by_name.organ_id:
            by_name.organ_id = organ_id
            by_name.save(update_fields=["organ_id"])
            audit.record(
                actor=actor,
                on_behalf_of=authority.on_behalf_of,
                action="organ.updated",
                target=by_name,
                data={"before": {"organ_id": None}, "after": {"organ_id": organ_id}},
            )
            return by_name, False
        if not organ_id or by_name.organ_id == organ_id:
            return by_name, False
    try:
        with transaction.atomic():
            organ = Organ.objects.create(
                organ_id=organ_id or None, name=name, short_name=clean_text(short_name)[:30], is_own=False
            )
    except IntegrityError:
        # Another clerk added the same organ id a moment ago.
        return Organ.objects.get(organ_id=organ_id), False
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="organ.created",
        target=organ,
        data={"after": {"organ_id": organ.organ_id, "name": organ.name, "external": True}},
    )
    return organ, True


# --- Storage upkeep ------------------------------------------------------------------------


def sweep_orphan_blobs(*, actor: Any = None, min_age_hours: float = 24, dry_run: bool = False) -> list[str]:
    """Delete stored objects that no StoredFile row names: the remains of registrations
    that rolled back after their files were written. Only objects older than
    `min_age_hours` go, so a registration still in progress never loses its file."""
    import datetime as dt

    from django.utils import timezone

    cutoff = timezone.now() - dt.timedelta(hours=min_age_hours)
    store = storage.files_storage()
    orphans = []
    for sha256 in storage.iter_blob_hashes():
        if StoredFile.objects.filter(sha256=sha256).exists():
            continue
        if store.get_modified_time(storage.blob_name(sha256)) > cutoff:
            continue
        orphans.append(sha256)
    if dry_run or not orphans:
        return orphans
    with transaction.atomic():
        for sha256 in orphans:
            # Re-checked under the transaction: a row may have arrived meanwhile.
            if not StoredFile.objects.filter(sha256=sha256).exists():
                storage.delete_blob(sha256)
        audit.record(
            actor=actor,
            action="file.swept",
            target_type="documents.storedfile",
            data={"count": len(orphans), "sha256": orphans[:100]},
        )
    return orphans
