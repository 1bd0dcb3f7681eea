"""Writes of the records app (design rule 1): the file plan, files and their items,
closing and reopening, legal hold, disposal and transfer lists. Each service checks
the actor, the state and the input before writing anything, and writes its audit event
in the same transaction. The transfer package lives in package.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import Conflict, NotFound, ValidationFailed
from vanban.core.text import clean_text
from vanban.core.timeutil import today
from vanban.documents.services import store_file
from vanban.incoming.models import IncomingDocument
from vanban.incoming.selectors import incoming_visible_to
from vanban.organisation.models import Organ, Unit
from vanban.outgoing.models import OutgoingDocument
from vanban.outgoing.selectors import outgoing_visible_to
from vanban.records import content, permissions
from vanban.records.errors import dossier_empty, dossier_not_open
from vanban.records.models import (
    Dossier,
    DossierItem,
    DossierPlan,
    DossierReopening,
    PlanEntry,
    PlanHeading,
    Transfer,
)
from vanban.records.retention import parse_retention

# Nộp lưu to the organ's archive within one year after the work ends (ND30 Art 31).
TRANSFER_WITHIN_YEARS = 1


def _text(value: Any, *, field: str, label: str, limit: int, required: bool = True) -> str:
    text = clean_text(value or "")
    if required and not text:
        raise ValidationFailed("required", f"Vui lòng nhập {label}.", field)
    if len(text) > limit:
        raise ValidationFailed("too_long", f"{label[:1].upper()}{label[1:]} dài quá {limit} ký tự.", field)
    return text


def own_organ() -> Organ:
    organ = Organ.objects.filter(is_own=True).order_by("pk").first()
    if organ is None:
        raise ValidationFailed("no_own_organ", "Chưa khai báo cơ quan của mình trong danh mục cơ quan.")
    return organ


def _lock_plan(plan: DossierPlan) -> DossierPlan:
    return DossierPlan.objects.select_for_update().get(pk=plan.pk)


def _editable_plan(plan: DossierPlan) -> DossierPlan:
    plan = _lock_plan(plan)
    if plan.state != DossierPlan.State.DRAFT:
        raise Conflict("plan_not_draft", "Danh mục hồ sơ đã duyệt hoặc đã ban hành: không sửa được nữa.")
    return plan


# --- File plan ---------------------------------------------------------------------------


@transaction.atomic
def create_plan(*, actor: Any, year: int, title: str = "") -> DossierPlan:
    authority = permissions.authorize_plan_keeper(actor)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed("year_invalid", "Năm của danh mục hồ sơ không hợp lệ.", "year")
    organ = own_organ()
    if DossierPlan.objects.filter(organ=organ, year=year).exists():
        raise Conflict("plan_exists", f"Đã có danh mục hồ sơ năm {year}.")
    title = _text(title or f"Danh mục hồ sơ năm {year}", field="title", label="tên danh mục", limit=300)
    plan = DossierPlan.objects.create(organ=organ, year=year, title=title, created_by=actor)
    audit.record(actor=actor, action="records.plan_created", target=plan, data={"year": year},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return plan


@transaction.atomic
def add_heading(*, actor: Any, plan: DossierPlan, code: str, title: str, abbreviation: str = "") -> PlanHeading:
    authority = permissions.authorize_plan_keeper(actor)
    plan = _editable_plan(plan)
    code = _text(code, field="code", label="số thứ tự đề mục", limit=10)
    title = _text(title, field="title", label="tên đề mục", limit=300)
    abbreviation = _text(abbreviation, field="abbreviation", label="chữ viết tắt", limit=20, required=False)
    position = (plan.headings.aggregate(m=Max("position"))["m"] or 0) + 1
    heading = PlanHeading.objects.create(plan=plan, code=code, title=title, abbreviation=abbreviation,
                                         position=position)  # fmt: skip
    audit.record(actor=actor, action="records.plan_heading_added", target=plan,
                 data={"code": code, "title": title}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return heading


@transaction.atomic
def add_entry(
    *,
    actor: Any,
    plan: DossierPlan,
    heading: PlanHeading,
    notation: str,
    title: str,
    retention: Any,
    unit: Unit,
    responsible: Any = None,
    note: str = "",
) -> PlanEntry:
    authority = permissions.authorize_plan_keeper(actor)
    plan = _editable_plan(plan)
    if heading.plan_id != plan.pk:
        raise ValidationFailed("heading_invalid", "Đề mục không thuộc danh mục này.", "heading")
    notation = _text(notation, field="notation", label="số và ký hiệu hồ sơ", limit=20)
    title = _text(title, field="title", label="tiêu đề hồ sơ", limit=500)
    note = _text(note, field="note", label="ghi chú", limit=500, required=False)
    years, permanent = parse_retention(retention)
    if unit is None:
        raise ValidationFailed("required", "Vui lòng chọn đơn vị lập hồ sơ.", "unit")
    if plan.entries.filter(notation__iexact=notation).exists():
        raise Conflict("notation_taken", f"Số và ký hiệu hồ sơ «{notation}» đã có trong danh mục.", "notation")
    position = (heading.entries.aggregate(m=Max("position"))["m"] or 0) + 1
    entry = PlanEntry.objects.create(
        plan=plan, heading=heading, notation=notation, title=title, retention_years=years,
        retention_permanent=permanent, unit=unit, responsible=responsible, note=note, position=position,
    )
    audit.record(actor=actor, action="records.plan_entry_added", target=plan,
                 data={"notation": notation, "title": title, "retention": entry.retention_label},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return entry


@transaction.atomic
def remove_entry(*, actor: Any, entry: PlanEntry) -> None:
    authority = permissions.authorize_plan_keeper(actor)
    plan = _editable_plan(entry.plan)
    audit.record(actor=actor, action="records.plan_entry_removed", target=plan,
                 data={"notation": entry.notation}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    entry.delete()


@transaction.atomic
def approve_plan(*, actor: Any, plan: DossierPlan) -> DossierPlan:
    authority = permissions.authorize_plan_approval(actor)
    plan = _editable_plan(plan)
    if not plan.entries.exists():
        raise ValidationFailed("plan_empty", "Danh mục hồ sơ chưa có hồ sơ nào: không duyệt được.")
    plan.state, plan.approved_by, plan.approved_at = DossierPlan.State.APPROVED, actor, timezone.now()
    plan.save(update_fields=["state", "approved_by", "approved_at"])
    audit.record(actor=actor, action="records.plan_approved", target=plan, on_behalf_of=authority.on_behalf_of)
    return plan


@transaction.atomic
def publish_plan(*, actor: Any, plan: DossierPlan) -> DossierPlan:
    authority = permissions.authorize_plan_keeper(actor)
    plan = _lock_plan(plan)
    if plan.state != DossierPlan.State.APPROVED:
        raise Conflict("plan_not_approved", "Chỉ ban hành danh mục hồ sơ đã được lãnh đạo duyệt.")
    plan.state, plan.published_at = DossierPlan.State.PUBLISHED, timezone.now()
    plan.save(update_fields=["state", "published_at"])
    audit.record(actor=actor, action="records.plan_published", target=plan, on_behalf_of=authority.on_behalf_of)
    return plan


@transaction.atomic
def copy_plan_forward(*, actor: Any, plan: DossierPlan) -> DossierPlan:
    """Next year's draft with the same headings and entries (người lập, thời hạn kept)."""
    authority = permissions.authorize_plan_keeper(actor)
    year = plan.year + 1
    if DossierPlan.objects.filter(organ=plan.organ, year=year).exists():
        raise Conflict("plan_exists", f"Đã có danh mục hồ sơ năm {year}.")
    new = DossierPlan.objects.create(organ=plan.organ, year=year, title=f"Danh mục hồ sơ năm {year}",
                                     created_by=actor, copied_from=plan)  # fmt: skip
    for heading in plan.headings.all():
        copy = PlanHeading.objects.create(plan=new, code=heading.code, title=heading.title,
                                          abbreviation=heading.abbreviation, position=heading.position)  # fmt: skip
        PlanEntry.objects.bulk_create([
            PlanEntry(plan=new, heading=copy, notation=e.notation, title=e.title, retention_years=e.retention_years,
                      retention_permanent=e.retention_permanent, unit_id=e.unit_id, responsible_id=e.responsible_id,
                      note=e.note, position=e.position)
            for e in heading.entries.all()
        ])  # fmt: skip
    audit.record(actor=actor, action="records.plan_copied", target=new, data={"from_year": plan.year},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return new


# --- Files ---------------------------------------------------------------------------------


def _lock_dossier(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related("unit").get(pk=dossier.pk)


def _managed_open(actor: Any, dossier: Dossier) -> tuple[Dossier, Any]:
    dossier = _lock_dossier(dossier)
    authority = permissions.authorize_dossier_manager(actor, dossier.unit, creator_id=dossier.creator_id)
    if dossier.state != Dossier.State.OPEN:
        raise dossier_not_open(dossier.get_state_display())
    return dossier, authority


@transaction.atomic
def open_dossier(*, actor: Any, entry: PlanEntry, start_date: dt.date | None = None) -> Dossier:
    entry = PlanEntry.objects.select_related("plan", "unit").get(pk=entry.pk)
    authority = permissions.authorize_dossier_manager(actor, entry.unit, creator_id=entry.responsible_id)
    if entry.plan.state != DossierPlan.State.PUBLISHED:
        raise Conflict("plan_not_published", "Chỉ mở hồ sơ theo danh mục hồ sơ đã ban hành.")
    if Dossier.objects.filter(plan_entry=entry).exclude(state=Dossier.State.ARCHIVED).exists():
        raise Conflict("dossier_exists", f"Hồ sơ «{entry.notation}» năm {entry.plan.year} đã được mở.")
    creator = entry.responsible or actor
    dossier = Dossier.objects.create(
        organ_code=entry.plan.organ.organ_id, year=entry.plan.year, notation=entry.notation, plan_entry=entry,
        unit=entry.unit, title=entry.title, retention_years=entry.retention_years,
        retention_permanent=entry.retention_permanent, creator=creator, creator_name=creator.full_name[:30],
        start_date=start_date or today(), description=entry.note,
    )
    audit.record(actor=actor, action="records.dossier_opened", target=dossier, data={"code": dossier.code},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return dossier


EDITABLE_FIELDS: dict[str, tuple[str, int]] = {
    "title": ("tiêu đề hồ sơ", 500),
    "rights": ("chế độ sử dụng", 30),
    "creator_name": ("người lập hồ sơ", 30),
    "language": ("ngôn ngữ", 50),
    "info_symbol": ("ký hiệu thông tin", 30),
    "keywords": ("từ khóa", 300),
    "physical_state": ("tình trạng vật lý", 50),
    "description": ("ghi chú", 500),
}
REQUIRED_FIELDS = {"title", "rights", "language"}


@transaction.atomic
def update_dossier(*, actor: Any, dossier: Dossier, changes: dict[str, Any]) -> Dossier:
    """Change the record fields of an open file (closing re-assesses them too)."""
    dossier, authority = _managed_open(actor, dossier)
    before, after = {}, {}
    for name, value in changes.items():
        if name in EDITABLE_FIELDS:
            label, limit = EDITABLE_FIELDS[name]
            value = _text(value, field=name, label=label, limit=limit, required=name in REQUIRED_FIELDS)
        elif name == "retention":
            years, permanent = parse_retention(value)
            before["retention"] = dossier.retention_label
            dossier.retention_years, dossier.retention_permanent = years, permanent
            after["retention"] = dossier.retention_label
            continue
        elif name in ("start_date", "end_date"):
            if value is not None and not isinstance(value, dt.date):
                raise ValidationFailed("date_invalid", "Ngày không hợp lệ.", name)
        else:
            raise ValidationFailed("field_unknown", f"Không sửa được trường «{name}».", name)
        before[name], after[name] = str(getattr(dossier, name) or ""), str(value or "")
        setattr(dossier, name, value)
    if dossier.start_date and dossier.end_date and dossier.end_date < dossier.start_date:
        raise ValidationFailed("dates_reversed", "Thời gian kết thúc phải sau thời gian bắt đầu.", "end_date")
    dossier.save()
    audit.record(actor=actor, action="records.dossier_updated", target=dossier,
                 data={"before": before, "after": after}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return dossier


def _next_position(dossier: Dossier) -> int:
    return (dossier.items.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def file_document(
    *, actor: Any, dossier: Dossier, incoming: IncomingDocument | None = None, outgoing: OutgoingDocument | None = None
) -> DossierItem:
    """Put an incoming or outgoing document the actor may read into an open file. The
    document is linked, not copied: it may sit in several files."""
    dossier, authority = _managed_open(actor, dossier)
    if (incoming is None) == (outgoing is None):
        raise ValidationFailed("document_required", "Chọn một văn bản đến hoặc một văn bản đi.", "document")
    if incoming is not None:
        if not incoming_visible_to(actor).filter(pk=incoming.pk).exists():
            raise NotFound("Không tìm thấy văn bản đến.")
        if dossier.items.filter(incoming=incoming).exists():
            raise Conflict("already_filed", "Văn bản này đã có trong hồ sơ.", "document")
        item = DossierItem(kind=DossierItem.Kind.INCOMING, incoming=incoming,
                           title=f"{incoming.number_symbol} {incoming.subject}".strip()[:500])  # fmt: skip
    else:
        assert outgoing is not None
        if not outgoing_visible_to(actor).filter(pk=outgoing.pk).exists():
            raise NotFound("Không tìm thấy văn bản đi.")
        if outgoing.status not in (OutgoingDocument.Status.ISSUED, OutgoingDocument.Status.RECALLED):
            raise Conflict("outgoing_not_issued", "Chỉ đưa vào hồ sơ văn bản đi đã ban hành.", "document")
        if dossier.items.filter(outgoing=outgoing).exists():
            raise Conflict("already_filed", "Văn bản này đã có trong hồ sơ.", "document")
        item = DossierItem(kind=DossierItem.Kind.OUTGOING, outgoing=outgoing,
                           title=f"{outgoing.number or ''}/{outgoing.code_notation} {outgoing.subject}"[:500])  # fmt: skip
    item.dossier, item.position, item.added_by = dossier, _next_position(dossier), actor
    item.save()
    audit.record(actor=actor, action="records.document_filed", target=dossier,
                 data={"item": item.pk, "kind": item.kind, "title": item.title},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return item


@transaction.atomic
def add_material(*, actor: Any, dossier: Dossier, title: str, name: str, data: Any, description: str = "") -> DossierItem:
    """Another material (photo, record, note...) as an uploaded file with a title."""
    dossier, authority = _managed_open(actor, dossier)
    title = _text(title, field="title", label="tiêu đề tài liệu", limit=500)
    description = _text(description, field="description", label="ghi chú", limit=500, required=False)
    stored = store_file(actor=actor, name=name, data=data)
    item = DossierItem.objects.create(
        dossier=dossier, position=_next_position(dossier), kind=DossierItem.Kind.MATERIAL, file=stored, title=title,
        metadata={"Description": description} if description else {}, added_by=actor,
    )
    audit.record(actor=actor, action="records.material_added", target=dossier,
                 data={"item": item.pk, "title": title, "sha256": stored.sha256},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return item


def _renumber(dossier: Dossier, ordered: list[DossierItem]) -> None:
    # Two passes keep any unique ordering check happy and the numbers gapless.
    for n, item in enumerate(ordered, start=1):
        if item.position != n:
            item.position = n
            item.save(update_fields=["position"])


@transaction.atomic
def move_item(*, actor: Any, item: DossierItem, position: int) -> DossierItem:
    dossier, authority = _managed_open(actor, item.dossier)
    items = list(dossier.items.order_by("position", "pk"))
    current = next((i for i in items if i.pk == item.pk), None)
    if current is None:
        raise NotFound("Không tìm thấy văn bản trong hồ sơ.")
    if not isinstance(position, int) or not 1 <= position <= len(items):
        raise ValidationFailed("position_invalid", f"Vị trí phải từ 1 đến {len(items)}.", "position")
    old = current.position
    items.remove(current)
    items.insert(position - 1, current)
    _renumber(dossier, items)
    audit.record(actor=actor, action="records.item_moved", target=dossier,
                 data={"item": item.pk, "from": old, "to": position}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return current


@transaction.atomic
def remove_item(*, actor: Any, item: DossierItem) -> None:
    dossier, authority = _managed_open(actor, item.dossier)
    item = dossier.items.filter(pk=item.pk).first()
    if item is None:
        raise NotFound("Không tìm thấy văn bản trong hồ sơ.")
    audit.record(actor=actor, action="records.item_removed", target=dossier,
                 data={"item": item.pk, "title": item.title}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    item.delete()
    _renumber(dossier, list(dossier.items.order_by("position", "pk")))


@transaction.atomic
def close_dossier(*, actor: Any, dossier: Dossier) -> Dossier:
    """Close: counts and dates fixed from the contents; the file becomes immutable."""
    dossier, authority = _managed_open(actor, dossier)
    items = list(dossier.items.select_related("incoming", "outgoing", "file"))
    if not items:
        raise dossier_empty()
    dossier.doc_total = len(items)
    dossier.page_total = sum(content.item_pages(i) for i in items)
    dates = [d for d in (content.item_date(i) for i in items) if d]
    if dates and (dossier.start_date is None or min(dates) < dossier.start_date):
        dossier.start_date = min(dates)
    dossier.end_date = dossier.end_date or max([today(), *dates])
    dossier.state, dossier.closed_at, dossier.closed_by = Dossier.State.CLOSED, timezone.now(), actor
    dossier.save()
    for item in items:
        content.freeze(item)
    audit.record(actor=actor, action="records.dossier_closed", target=dossier,
                 data={"doc_total": dossier.doc_total, "page_total": dossier.page_total},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return dossier


@transaction.atomic
def reopen_dossier(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    dossier = _lock_dossier(dossier)
    authority = permissions.authorize_leader_of(actor, dossier.unit)
    reason = _text(reason, field="reason", label="lý do mở lại hồ sơ", limit=1000)
    if dossier.state != Dossier.State.CLOSED:
        raise Conflict("dossier_not_closed", "Chỉ mở lại hồ sơ đã đóng và chưa nộp lưu.")
    if dossier.transfers.exclude(state=Transfer.State.DRAFT).exists():
        raise Conflict("dossier_in_transfer", "Hồ sơ đã nằm trong danh sách nộp lưu đã duyệt: không mở lại được.")
    DossierReopening.objects.create(dossier=dossier, reason=reason, by=actor)
    for item in dossier.items.all():
        content.thaw(item)
    dossier.state, dossier.closed_at, dossier.closed_by = Dossier.State.OPEN, None, None
    dossier.save(update_fields=["state", "closed_at", "closed_by"])
    audit.record(actor=actor, action="records.dossier_reopened", target=dossier, data={"reason": reason},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return dossier


@transaction.atomic
def set_legal_hold(*, actor: Any, dossier: Dossier, hold: bool, reason: str) -> Dossier:
    dossier = _lock_dossier(dossier)
    authority = permissions.authorize_legal_hold(actor)
    reason = _text(reason, field="reason", label="lý do", limit=1000)
    if dossier.legal_hold == hold:
        raise Conflict("legal_hold_unchanged",
                       "Hồ sơ đang bị phong tỏa." if hold else "Hồ sơ không bị phong tỏa.")  # fmt: skip
    dossier.legal_hold, dossier.legal_hold_reason = hold, reason if hold else ""
    dossier.save(update_fields=["legal_hold", "legal_hold_reason"])
    audit.record(actor=actor, action="records.legal_hold_set" if hold else "records.legal_hold_released",
                 target=dossier, data={"reason": reason}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return dossier


def transfer_due(dossier: Dossier) -> dt.date | None:
    if dossier.end_date is None:
        return None
    return _add_years(dossier.end_date, TRANSFER_WITHIN_YEARS)


def appraisal_due(dossier: Dossier) -> dt.date | None:
    """When the retention period ends and the file is appraised (none for permanent)."""
    if dossier.retention_permanent or dossier.end_date is None or dossier.retention_years is None:
        return None
    return _add_years(dossier.end_date, dossier.retention_years)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def dispose_dossier(*, actor: Any, dossier: Dossier, reason: str) -> None:
    """Tiêu hủy after appraisal. Refused under legal hold, for permanent files and before
    the retention period ends. (Only the check and the record are built: nothing is yet
    disposed of physically.)"""
    dossier = _lock_dossier(dossier)
    authority = permissions.authorize_leader_of(actor, None)
    reason = _text(reason, field="reason", label="lý do tiêu hủy", limit=1000)
    if dossier.legal_hold:
        raise Conflict("legal_hold", "Hồ sơ đang bị phong tỏa pháp lý: không được tiêu hủy.")
    due = appraisal_due(dossier)
    if dossier.state == Dossier.State.OPEN or due is None or due > today():
        raise Conflict("not_due", "Hồ sơ chưa hết thời hạn bảo quản (hoặc bảo quản vĩnh viễn): không được tiêu hủy.")
    audit.record(actor=actor, action="records.dossier_disposal_approved", target=dossier, data={"reason": reason},
                 on_behalf_of=authority.on_behalf_of)  # fmt: skip


# --- Transfer lists --------------------------------------------------------------------------


def _transfer_dossiers(actor: Any, dossiers: list[Dossier]) -> list[Dossier]:
    if not dossiers:
        raise ValidationFailed("transfer_empty", "Chọn ít nhất một hồ sơ đã đóng để nộp lưu.", "dossiers")
    locked = list(Dossier.objects.select_for_update(of=("self",)).filter(pk__in=[d.pk for d in dossiers]).select_related("unit"))
    for dossier in locked:
        permissions.authorize_dossier_manager(actor, dossier.unit)
        if dossier.state != Dossier.State.CLOSED:
            raise Conflict("dossier_not_closed",
                           f"Hồ sơ «{dossier.notation}» chưa đóng hoặc đã nộp lưu: không đưa vào danh sách.",
                           "dossiers")  # fmt: skip
        if dossier.transfers.exclude(state=Transfer.State.DRAFT).exists():
            raise Conflict("dossier_in_transfer", f"Hồ sơ «{dossier.notation}» đã ở danh sách nộp lưu khác.",
                           "dossiers")  # fmt: skip
    return locked


def _common_unit(dossiers: list[Dossier]) -> Unit | None:
    units = {d.unit_id for d in dossiers}
    return dossiers[0].unit if len(units) == 1 else None


@transaction.atomic
def create_transfer(*, actor: Any, title: str, dossiers: list[Dossier]) -> Transfer:
    title = _text(title, field="title", label="tên danh sách nộp lưu", limit=300)
    locked = _transfer_dossiers(actor, dossiers)
    transfer = Transfer.objects.create(organ=own_organ(), unit=_common_unit(locked), title=title, created_by=actor)
    transfer.dossiers.set(locked)
    audit.record(actor=actor, action="records.transfer_created", target=transfer,
                 data={"dossiers": [d.code for d in locked]})  # fmt: skip
    return transfer


@transaction.atomic
def approve_transfer(*, actor: Any, transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    authority = permissions.authorize_leader_of(actor, transfer.unit)
    if transfer.state != Transfer.State.DRAFT:
        raise Conflict("transfer_not_draft", "Danh sách nộp lưu đã được duyệt.")
    dossiers = list(transfer.dossiers.select_for_update())
    if any(d.state != Dossier.State.CLOSED for d in dossiers):
        raise Conflict("dossier_not_closed", "Có hồ sơ trong danh sách không còn ở trạng thái đã đóng.")
    transfer.state, transfer.approved_by, transfer.approved_at = Transfer.State.APPROVED, actor, timezone.now()
    transfer.save(update_fields=["state", "approved_by", "approved_at"])
    audit.record(actor=actor, action="records.transfer_approved", target=transfer,
                 data={"dossiers": [d.code for d in dossiers]}, on_behalf_of=authority.on_behalf_of)  # fmt: skip
    return transfer


@transaction.atomic
def start_export(*, actor: Any, transfer: Transfer) -> Any:
    """Queue the package export (a background job); the files become transferred when
    the package is written."""
    from vanban.jobs.services import start_job

    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.created_by_id != actor.pk:
        permissions.authorize_archivist(actor)
    if transfer.state != Transfer.State.APPROVED:
        raise Conflict("transfer_not_approved", "Danh sách nộp lưu phải được lãnh đạo duyệt trước khi xuất gói.")
    job = start_job(owner=actor, kind="records.export_package", title=f"Xuất gói nộp lưu: {transfer.title}",
                    params={"transfer": transfer.pk}, total=transfer.dossiers.count())  # fmt: skip
    transfer.state, transfer.job = Transfer.State.EXPORTING, job
    transfer.save(update_fields=["state", "job"])
    audit.record(actor=actor, action="records.transfer_export_started", target=transfer, data={"job": str(job.pk)})
    return job
