"""Outgoing documents: draft, versions, review chain, opinions, sign, number, issue,
circulate, recall (ND30 Art 10–16; issue 4).

Each function checks who acts, validates everything, then writes the change, the
document's event and the audit event in one transaction, with the document row locked
so that two people cannot both move it on (the second gets WrongState, 409)."""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import NotFound, PermissionDenied
from vanban.core.timeutil import format_date
from vanban.documents.catalogue import ReceiptMethod, Urgency, ensure_admissible
from vanban.documents.files import prepare_upload
from vanban.documents.models import DocumentType, Register, StoredFile
from vanban.documents.numbering import register_for, take_next_number
from vanban.documents.services import store_upload
from vanban.documents.text import guard_text
from vanban.notifications import events as notices
from vanban.organisation.models import Organ, Unit
from vanban.organisation.permissions import Authority, has_role
from vanban.organisation.roles import Role, SigningAuthority
from vanban.organisation.selectors import own_organ, primary_unit_id
from vanban.outgoing.errors import OutgoingError, WrongState
from vanban.outgoing.models import (
    Event,
    OpinionRequest,
    OutgoingDocument,
    Recipient,
    ReviewRoute,
    ReviewTask,
    Submission,
    Version,
)
from vanban.outgoing.permissions import authorize_drafting, authorize_issuing
from vanban.workflow.permissions import authorize_as_person, leads_unit

User = get_user_model()

DRAFT_KINDS = {StoredFile.Kind.DOCX, StoredFile.Kind.PDF, StoredFile.Kind.ODT}
DEFAULT_STEPS = [ReviewTask.Step.DEPARTMENT_HEAD, ReviewTask.Step.UNIT_LEADER, ReviewTask.Step.SIGNER]
EDITABLE = (OutgoingDocument.Status.DRAFT, OutgoingDocument.Status.RETURNED)


@dataclass
class DraftData:
    document_type: DocumentType | int | None = None
    subject: str = ""
    signer: Any | int | None = None
    signer_position: str = ""
    signing_authority: str = ""
    to_places: str = ""
    urgency: str = Urgency.NORMAL
    restricted: bool = False
    reply_to: Any = None
    for_assignment: Any = None
    # ("unit"|"user"|"organ", id) or ("email", address)
    recipients: list[tuple[str, Any]] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------------


def _text(value: Any, *, field: str, label: str, limit: int, required: bool = False) -> str:
    text, _ = guard_text(str(value or ""))
    text = text.strip()
    if required and not text:
        raise OutgoingError("required", f"Vui lòng nhập {label}.", field)
    if len(text) > limit:
        raise OutgoingError("too_long", f"{label[:1].upper()}{label[1:]} dài quá {limit} ký tự.", field)
    return text


def _event(doc: OutgoingDocument, kind: str, authority: Authority, text: str = "") -> Event:
    return Event.objects.create(document=doc, kind=kind, text=text, actor=authority.actor,
                                on_behalf_of=authority.on_behalf_of)  # fmt: skip


def _lock(doc: OutgoingDocument) -> OutgoingDocument:
    return OutgoingDocument.objects.select_for_update(of=("self",)).select_related(
        "document_type", "drafting_unit", "organ"
    ).get(pk=doc.pk)


def _user(value: Any, field: str) -> Any:
    from vanban.accounts.selectors import active_user

    return None if value in (None, "") else active_user(value, field=field)


def _type(value: Any) -> DocumentType:
    if isinstance(value, DocumentType):
        doc_type = value
    else:
        try:
            doc_type = DocumentType.objects.get(pk=int(value))
        except (DocumentType.DoesNotExist, TypeError, ValueError):
            raise OutgoingError("invalid_document_type", "Vui lòng chọn loại văn bản.", "document_type") from None
    ensure_admissible(secrecy="none", document_type=doc_type)
    if not doc_type.is_active:
        raise OutgoingError("invalid_document_type", "Loại văn bản này đã ngừng sử dụng.", "document_type")
    return doc_type


def _clean(data: DraftData) -> dict[str, Any]:
    if data.urgency not in Urgency.values:
        raise OutgoingError("invalid_urgency", "Độ khẩn không hợp lệ.", "urgency")
    if data.signing_authority and data.signing_authority not in SigningAuthority.values:
        raise OutgoingError("invalid_signing_authority", "Quyền hạn ký không hợp lệ.", "signing_authority")
    signer = _user(data.signer, "signer")
    if signer is not None and not has_role(signer, Role.MINISTRY_LEADER, Role.UNIT_LEADER):
        raise OutgoingError("not_a_signer", f"«{signer.full_name or signer.username}» không phải lãnh đạo có thẩm quyền ký.",
                            "signer")  # fmt: skip
    return {
        "document_type": _type(data.document_type),
        "subject": _text(data.subject, field="subject", label="trích yếu", limit=500, required=True),
        "signer": signer,
        "signer_position": _text(data.signer_position, field="signer_position", label="chức vụ người ký", limit=100),
        "signing_authority": data.signing_authority or "",
        "to_places": _text(data.to_places, field="to_places", label="nơi nhận", limit=2000),
        "urgency": data.urgency,
        "restricted": bool(data.restricted),
    }


def _recipients(values: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for i, (kind, ident) in enumerate(values or []):
        if kind == "email":
            from django.core.exceptions import ValidationError
            from django.core.validators import validate_email

            address = str(ident or "").strip().lower()
            try:
                validate_email(address)
            except ValidationError:
                raise OutgoingError("invalid_email", f"Địa chỉ thư điện tử «{address}» không hợp lệ.",
                                    f"recipients[{i}]") from None  # fmt: skip
            if ("email", address) not in seen:
                seen.add(("email", address))  # type: ignore[arg-type]
                out.append({"email": address})
            continue
        model = {"unit": Unit, "user": User, "organ": Organ}.get(kind)
        if model is None:
            raise OutgoingError("invalid_recipient", "Nơi nhận phải là đơn vị, cá nhân hoặc cơ quan.", f"recipients[{i}]")
        try:
            obj = model.objects.get(pk=int(ident))
        except (model.DoesNotExist, TypeError, ValueError):
            raise OutgoingError("invalid_recipient", "Nơi nhận không tồn tại.", f"recipients[{i}]") from None
        if (kind, obj.pk) in seen:
            continue
        seen.add((kind, obj.pk))
        if kind == "organ" and obj.is_own:
            raise OutgoingError("invalid_recipient", "Gửi trong Bộ: hãy chọn đơn vị hoặc cá nhân.", f"recipients[{i}]")
        out.append({kind: obj})
    return out


def _drafter_unit(actor: Any) -> Unit:
    unit_id = primary_unit_id(actor)
    if unit_id is None:
        raise PermissionDenied("Bạn chưa được bổ nhiệm vào đơn vị nào nên chưa soạn được văn bản đi.")
    return Unit.objects.get(pk=unit_id)


def _add_version(doc: OutgoingDocument, authority: Authority, upload: Any, kind: str, comment: str) -> Version:
    from vanban.documents.signature_reports import schedule_checks

    stored = store_upload(actor=authority.actor, upload=upload)
    schedule_checks([stored])  # signed versions show their signature check, as received PDFs do
    last = doc.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return Version.objects.create(document=doc, number=last + 1, kind=kind, file=stored, file_name=upload.name,
                                  comment=comment, created_by=authority.actor,
                                  on_behalf_of=authority.on_behalf_of)  # fmt: skip


def _prepared(stack: ExitStack, file: tuple[str, Any], *, kinds: set[str] = DRAFT_KINDS) -> Any:
    name, content = file
    upload = stack.enter_context(prepare_upload(name, content))
    if upload.kind not in kinds:
        raise OutgoingError("unsupported_draft_type", "Dự thảo phải là tệp DOCX, ODT hoặc PDF.", "file")
    return upload


# --- draft ------------------------------------------------------------------------------


def create_draft(*, actor: Any, data: DraftData, file: tuple[str, Any], comment: str = "") -> OutgoingDocument:
    """A specialist's draft (dự thảo) with its first version."""
    authority = authorize_drafting(actor)
    values = _clean(data)
    recipients = _recipients(data.recipients)
    unit = _drafter_unit(actor)
    reply_to, assignment = _reply_links(actor, data)
    comment = _text(comment, field="comment", label="ghi chú phiên bản", limit=2000)
    with ExitStack() as stack:
        upload = _prepared(stack, file)
        with transaction.atomic():
            doc = OutgoingDocument.objects.create(organ=own_organ(), drafting_unit=unit, created_by=actor,
                                                  reply_to=reply_to, for_assignment=assignment, **values)  # fmt: skip
            for r in recipients:
                Recipient.objects.create(document=doc, **r)
            version = _add_version(doc, authority, upload, Version.Kind.DRAFT, comment or "Dự thảo lần đầu")
            _event(doc, "created", authority, f"Tạo dự thảo, phiên bản {version.number}")
            audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.drafted", target=doc,
                         data={"version": version.number, "sha256": version.file.sha256,
                               "reply_to": reply_to.pk if reply_to else None})  # fmt: skip
    return doc


def _reply_links(actor: Any, data: DraftData) -> tuple[Any, Any]:
    from vanban.incoming.selectors import get_incoming_for
    from vanban.workflow.selectors import get_assignment_for

    reply_to = assignment = None
    if data.for_assignment not in (None, ""):
        try:
            assignment = get_assignment_for(actor, data.for_assignment)
        except NotFound:
            raise OutgoingError("invalid_assignment", "Không tìm thấy việc được giao.", "for_assignment") from None
        reply_to = assignment.document
    if data.reply_to not in (None, ""):
        try:
            doc = get_incoming_for(actor, data.reply_to)
        except NotFound:
            raise OutgoingError("invalid_reply_to", "Không tìm thấy văn bản đến được trả lời.", "reply_to") from None
        if reply_to is not None and reply_to.pk != doc.pk:
            raise OutgoingError("invalid_reply_to", "Văn bản trả lời không khớp việc được giao.", "reply_to")
        reply_to = doc
    return reply_to, assignment


def _authorize_drafter(actor: Any, doc: OutgoingDocument) -> Authority:
    try:
        return authorize_as_person(actor, doc.created_by_id)
    except PermissionDenied:
        raise PermissionDenied("Chỉ người soạn thảo được sửa dự thảo.") from None


def update_draft(*, actor: Any, document: OutgoingDocument, data: DraftData) -> OutgoingDocument:
    authority = _authorize_drafter(actor, document)
    values = _clean(data)
    recipients = _recipients(data.recipients)
    with transaction.atomic():
        doc = _lock(document)
        if doc.status not in EDITABLE:
            raise WrongState("not_editable", "Chỉ sửa được dự thảo chưa trình hoặc bị trả lại.")
        for key, value in values.items():
            setattr(doc, key, value)
        doc.save()
        doc.recipients.all().delete()
        for r in recipients:
            Recipient.objects.create(document=doc, **r)
        _event(doc, "updated", authority, "Sửa thông tin dự thảo")
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.updated", target=doc,
                     data={"fields": sorted(values)})  # fmt: skip
    return doc


def add_version(*, actor: Any, document: OutgoingDocument, file: tuple[str, Any], comment: str = "") -> Version:
    """A new version by the drafter (draft or returned), or an edited version by the
    reviewer whose turn it is (edit and forward)."""
    comment = _text(comment, field="comment", label="ghi chú phiên bản", limit=2000)
    with ExitStack() as stack:
        upload = _prepared(stack, file)
        with transaction.atomic():
            doc = _lock(document)
            task = _pending_task(doc)
            if doc.status in EDITABLE:
                authority = _authorize_drafter(actor, doc)
                kind = Version.Kind.DRAFT
            elif doc.status == OutgoingDocument.Status.IN_REVIEW and task is not None:
                authority = _authorize_reviewer(actor, task)
                kind = Version.Kind.EDITED
            elif doc.status == OutgoingDocument.Status.APPROVED:
                authority = _authorize_drafter(actor, doc)
                if upload.kind != StoredFile.Kind.PDF:
                    raise OutgoingError("final_pdf_required", "Bản cuối để ký phải là tệp PDF.", "file")
                kind = Version.Kind.FINAL
            else:
                raise WrongState("not_editable", "Văn bản đã ký hoặc đã ban hành: không thêm phiên bản được.")
            version = _add_version(doc, authority, upload, kind, comment)
            _event(doc, "version", authority, f"Phiên bản {version.number} ({version.get_kind_display().lower()})"
                   + (f": {comment}" if comment else ""))  # fmt: skip
            audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.version_added",
                         target=doc, data={"version": version.number, "kind": kind, "sha256": version.file.sha256})  # fmt: skip
    return version


# --- review chain -------------------------------------------------------------------------


def route_for(doc: OutgoingDocument) -> list[str]:
    """The configured review steps for the document's type and drafting unit (the most
    specific route wins); the signer always comes last."""
    unit_ids = [int(p) for p in doc.drafting_unit.path.strip("/").split("/") if p]
    routes = {(r.document_type_id, r.unit_id): r.steps for r in ReviewRoute.objects.all()}
    steps = None
    for unit_id in reversed(unit_ids):
        steps = steps or routes.get((doc.document_type_id, unit_id))
    for unit_id in reversed(unit_ids):
        steps = steps or routes.get((None, unit_id))
    steps = steps or routes.get((doc.document_type_id, None)) or routes.get((None, None)) or DEFAULT_STEPS
    steps = [s for s in steps if s in ReviewTask.Step.values and s != ReviewTask.Step.SIGNER]
    return [*steps, ReviewTask.Step.SIGNER]


def suggested_reviewers(doc: OutgoingDocument) -> list[tuple[str, list[Any]]]:
    """For each step, who can take it: the drafting unit's leaders nearest first, the
    Văn phòng's leaders for the form check, the chosen signer."""
    from vanban.organisation.models import RoleGrant

    path_ids = [int(p) for p in doc.drafting_unit.path.strip("/").split("/") if p]
    result = []
    for step in route_for(doc):
        if step == ReviewTask.Step.SIGNER:
            people = [doc.signer] if doc.signer else []
        elif step == ReviewTask.Step.DEPARTMENT_HEAD:
            if len(path_ids) == 1:  # drafted in a Vụ/Cục itself: no department above the drafter
                result.append((step, []))
                continue
            ids = RoleGrant.objects.filter(role=Role.UNIT_LEADER, unit_id=path_ids[-1]).values("user_id")
            people = list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name"))
        elif step == ReviewTask.Step.UNIT_LEADER:
            ids = RoleGrant.objects.filter(role=Role.UNIT_LEADER, unit_id=path_ids[0]).values("user_id")
            people = list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name"))
        else:
            grants = RoleGrant.objects.filter(role=Role.UNIT_LEADER, unit__kind=Unit.Kind.VAN_PHONG)
            people = list(User.objects.filter(pk__in=grants.values("user_id"), is_active=True).order_by("full_name"))
        result.append((step, people))
    return result


def submit(*, actor: Any, document: OutgoingDocument, note: str, reviewers: list[tuple[str, Any]]) -> Submission:
    """Trình duyệt with a submission sheet (phiếu trình): the reviewers in order, the
    signer last. A step with nobody to take it (a drafter who is the department head)
    is simply left out of `reviewers`."""
    authority = _authorize_drafter(actor, document)
    note = _text(note, field="note", label="nội dung trình", limit=4000, required=True)
    chain: list[tuple[str, Any]] = []
    for i, (step, who) in enumerate(reviewers or []):
        if step not in ReviewTask.Step.values:
            raise OutgoingError("invalid_step", "Bước duyệt không hợp lệ.", f"reviewers[{i}]")
        user = _user(who, f"reviewers[{i}]")
        if user is None:
            raise OutgoingError("required", "Vui lòng chọn người duyệt.", f"reviewers[{i}]")
        if user.pk == actor.pk:
            raise OutgoingError("self_review", "Không tự duyệt dự thảo của mình.", f"reviewers[{i}]")
        chain.append((step, user))
    with transaction.atomic():
        doc = _lock(document)
        if doc.status not in EDITABLE:
            raise WrongState("not_editable", "Dự thảo đang được duyệt hoặc đã ký.")
        if doc.signer is None:
            raise OutgoingError("signer_required", "Vui lòng chọn người ký trước khi trình.", "signer")
        chain = [c for c in chain if c[0] != ReviewTask.Step.SIGNER] + [(ReviewTask.Step.SIGNER, doc.signer)]
        # One person holding two steps (the head of a Vụ with no departments, a signer
        # who is also the unit's leader) reviews once, at their last step.
        last_step = {user.pk: i for i, (_, user) in enumerate(chain)}
        chain = [c for i, c in enumerate(chain) if last_step[c[1].pk] == i]
        version = doc.versions.order_by("-number").first()
        round_ = (doc.submissions.order_by("-round").values_list("round", flat=True).first() or 0) + 1
        submission = Submission.objects.create(document=doc, round=round_, note=note, version=version,
                                               submitted_by=actor)  # fmt: skip
        for order, (step, user) in enumerate(chain, start=1):
            task = ReviewTask.objects.create(document=doc, round=round_, order=order, step=step, reviewer=user,
                                             status=ReviewTask.Status.PENDING if order == 1 else ReviewTask.Status.WAITING)  # fmt: skip
            if order == 1:
                notices.review_pending(task, actor=actor, note=note)
        doc.status = OutgoingDocument.Status.IN_REVIEW
        doc.save(update_fields=["status"])
        names = " → ".join(u.full_name or u.username for _, u in chain)
        _event(doc, "submitted", authority, f"Trình duyệt (lần {round_}): {names}. {note}")
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.submitted", target=doc,
                     data={"round": round_, "reviewers": [u.pk for _, u in chain], "version": version.number})  # fmt: skip
    return submission


def _pending_task(doc: OutgoingDocument) -> ReviewTask | None:
    return doc.reviews.filter(status=ReviewTask.Status.PENDING).select_related("reviewer").first()


def _authorize_reviewer(actor: Any, task: ReviewTask) -> Authority:
    return authorize_as_person(actor, task.reviewer_id)


def approve(*, actor: Any, document: OutgoingDocument, comment: str = "",
            file: tuple[str, Any] | None = None) -> ReviewTask:  # fmt: skip
    """The reviewer whose turn it is approves (optionally with an edited version, "sửa
    và chuyển tiếp"); the last approval (the signer's) approves the document."""
    comment = _text(comment, field="comment", label="ý kiến", limit=4000)
    with ExitStack() as stack:
        upload = _prepared(stack, file) if file else None
        with transaction.atomic():
            doc = _lock(document)
            task = _pending_task(doc)
            if doc.status != OutgoingDocument.Status.IN_REVIEW or task is None:
                raise WrongState("not_in_review", "Văn bản không ở bước chờ duyệt.")
            authority = _authorize_reviewer(actor, task)
            version = _add_version(doc, authority, upload, Version.Kind.EDITED, comment) if upload else None
            task.status = ReviewTask.Status.APPROVED
            task.comment = comment
            task.version = version
            task.decided_by = actor
            task.on_behalf_of = authority.on_behalf_of
            task.decided_at = timezone.now()
            task.save()
            following = doc.reviews.filter(round=task.round, order=task.order + 1).first()
            if following is not None:
                following.status = ReviewTask.Status.PENDING
                following.save(update_fields=["status"])
                notices.review_pending(following, actor=actor)
                text = f"{task.get_step_display()} đồng ý, chuyển {following.reviewer.full_name}"
            else:
                doc.status = OutgoingDocument.Status.APPROVED
                doc.approved_at = timezone.now()
                doc.save(update_fields=["status", "approved_at"])
                text = "Người ký duyệt: văn bản sẵn sàng để ký"
            _event(doc, "approved", authority, text + (f". Ý kiến: {comment}" if comment else ""))
            audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.approved", target=doc,
                         data={"round": task.round, "step": task.step, "edited_version": version.number if version else None})  # fmt: skip
    return task


def return_for_changes(*, actor: Any, document: OutgoingDocument, comment: str) -> ReviewTask:
    comment = _text(comment, field="comment", label="ý kiến trả lại", limit=4000, required=True)
    with transaction.atomic():
        doc = _lock(document)
        task = _pending_task(doc)
        if doc.status != OutgoingDocument.Status.IN_REVIEW or task is None:
            raise WrongState("not_in_review", "Văn bản không ở bước chờ duyệt.")
        authority = _authorize_reviewer(actor, task)
        task.status = ReviewTask.Status.RETURNED
        task.comment = comment
        task.decided_by = actor
        task.on_behalf_of = authority.on_behalf_of
        task.decided_at = timezone.now()
        task.save()
        doc.reviews.filter(round=task.round, status=ReviewTask.Status.WAITING).update(status=ReviewTask.Status.CANCELLED)
        doc.status = OutgoingDocument.Status.RETURNED
        doc.save(update_fields=["status"])
        _event(doc, "returned", authority, f"{task.get_step_display()} trả lại: {comment}")
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.returned", target=doc,
                     data={"round": task.round, "step": task.step})  # fmt: skip
    return task


# --- opinions -------------------------------------------------------------------------------


def request_opinion(*, actor: Any, document: OutgoingDocument, question: str, deadline: dt.date | None,
                    unit: Any = None, user: Any = None) -> OpinionRequest:  # fmt: skip
    """Xin ý kiến: by the drafter or the reviewer whose turn it is."""
    question = _text(question, field="question", label="nội dung xin ý kiến", limit=2000, required=True)
    if deadline is None:
        raise OutgoingError("required", "Vui lòng nhập hạn góp ý.", "deadline")
    if deadline < timezone.localdate():
        raise OutgoingError("deadline_in_past", "Hạn góp ý đã qua.", "deadline")
    if (unit in (None, "")) == (user in (None, "")):
        raise OutgoingError("one_addressee", "Chọn một đơn vị hoặc một người được xin ý kiến.", "unit")
    target_user = _user(user, "user")
    target_unit = None
    if unit not in (None, ""):
        try:
            target_unit = unit if isinstance(unit, Unit) else Unit.objects.get(pk=int(unit))
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise OutgoingError("invalid_unit", "Đơn vị được chọn không tồn tại.", "unit") from None
    with transaction.atomic():
        doc = _lock(document)
        if doc.is_issued or doc.status == OutgoingDocument.Status.SIGNED:
            raise WrongState("not_editable", "Văn bản đã ký: không xin ý kiến nữa.")
        task = _pending_task(doc)
        try:
            authority = _authorize_drafter(actor, doc)
        except PermissionDenied:
            if task is None:
                raise
            authority = _authorize_reviewer(actor, task)
        opinion = OpinionRequest.objects.create(document=doc, unit=target_unit, user=target_user, question=question,
                                                deadline=deadline, requested_by=actor)  # fmt: skip
        who = target_unit.name if target_unit else (target_user.full_name or target_user.username)
        _event(doc, "opinion_requested", authority, f"Xin ý kiến {who}, hạn {format_date(deadline)}: {question}")
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.opinion_requested",
                     target=doc, data={"opinion": opinion.pk, "unit": target_unit.pk if target_unit else None,
                                       "user": target_user.pk if target_user else None})  # fmt: skip
    return opinion


def answer_opinion(*, actor: Any, opinion: OpinionRequest, answer: str) -> OpinionRequest:
    if opinion.user_id is not None:
        authority = authorize_as_person(actor, opinion.user_id)
    else:
        found = leads_unit(actor, opinion.unit)
        if found is None:
            raise PermissionDenied("Chỉ lãnh đạo đơn vị được xin ý kiến mới trả lời.")
        authority = found
    answer = _text(answer, field="answer", label="ý kiến góp ý", limit=4000, required=True)
    with transaction.atomic():
        locked = OpinionRequest.objects.select_for_update().get(pk=opinion.pk)
        if locked.status != OpinionRequest.Status.PENDING:
            raise WrongState("already_answered", "Đã góp ý cho yêu cầu này.")
        locked.status = OpinionRequest.Status.ANSWERED
        locked.answer = answer
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.save()
        _event(locked.document, "opinion_answered", authority, f"Góp ý: {answer}")
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.opinion_answered",
                     target=locked.document, data={"opinion": locked.pk})  # fmt: skip
    return locked


# --- sign, issue -------------------------------------------------------------------------------


def final_version(doc: OutgoingDocument) -> Version | None:
    """The PDF to sign: the latest PDF version after approval, else the latest PDF."""
    return doc.versions.filter(file__kind=StoredFile.Kind.PDF).order_by("-number").first()


def notation_for(doc: OutgoingDocument) -> str:
    """The symbol after the number (ND30 App II): "QĐ-BCT" for a typed document of the
    ministry, "BCT-TMĐT" for a công văn drafted by a unit (the unit's abbreviation is
    that of its top-level unit)."""
    organ_abbr = doc.organ.short_name or "BCT"
    if doc.document_type.code == "cong-van" or not doc.document_type.abbreviation:
        top_id = int(doc.drafting_unit.path.strip("/").split("/")[0])
        top = Unit.objects.get(pk=top_id)
        unit_abbr = (top.short_name or "").split("-")[0]
        return f"{organ_abbr}-{unit_abbr}" if unit_abbr else organ_abbr
    return f"{doc.document_type.abbreviation}-{organ_abbr}"


def issue(*, actor: Any, document: OutgoingDocument, seal_secret: str | None = None) -> OutgoingDocument:
    """Ban hành (ND30 Art 15): take the number in the organ's outgoing register, write
    number and date onto the signed PDF, apply the organ signature, then circulate:
    internal recipients at once, external ones to the exchange outbox; a restricted
    document ("hạn chế công bố") is issued but held."""
    authority = authorize_issuing(actor)
    with transaction.atomic():
        doc = _lock(document)
        if doc.is_issued:
            raise WrongState("already_issued", "Văn bản đã được ban hành.")
        if doc.status != OutgoingDocument.Status.SIGNED:
            raise WrongState("not_signed", "Văn bản chưa được người có thẩm quyền ký số: chưa ban hành được.")
        signed = doc.versions.filter(kind=Version.Kind.SIGNED).order_by("-number").first()
        register = register_for(doc.organ, Register.Kind.OUTGOING, actor=actor)
        number = take_next_number(register)
        doc.register = register
        doc.number = number
        doc.code_notation = notation_for(doc)
        doc.issued_date = timezone.localdate()
        from vanban.outgoing import signing

        pdf = signing.number_and_seal(actor=actor, doc=doc, signed=signed, seal_secret=seal_secret)
        with ExitStack() as stack:
            upload = stack.enter_context(prepare_upload(f"{doc.number:02d}-{doc.code_notation}.pdf", pdf))
            version = _add_version(doc, authority, upload, Version.Kind.ISSUED, "Bản ban hành")
        doc.status = OutgoingDocument.Status.ISSUED
        doc.issued_at = timezone.now()
        doc.issued_by = actor
        doc.save()
        _event(doc, "issued", authority, f"Ban hành số {doc.number_symbol} ngày {format_date(doc.issued_date)}")
        delivered = _circulate(doc, authority)
        _to_exchange(doc)
        _advance_assignment(doc)
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.issued", target=doc,
                     data={"register": register.pk, "number": number, "notation": doc.code_notation,
                           "sha256": version.file.sha256, "delivered": delivered})  # fmt: skip
    return doc


def _circulate(doc: OutgoingDocument, authority: Authority) -> int:
    """Internal recipients get the document in their incoming flow at once (registered
    in their unit's register, electronically); external organs wait in the outbox."""
    from vanban.incoming.models import IncomingDocument, IncomingEvent, IncomingFile

    delivered = 0
    issued_version = doc.versions.filter(kind=Version.Kind.ISSUED).order_by("-number").first()
    for r in doc.recipients.select_related("unit", "user", "organ"):
        if doc.restricted:
            r.delivery = Recipient.Delivery.HELD
            r.save(update_fields=["delivery"])
            continue
        if r.organ_id is not None:
            r.delivery = Recipient.Delivery.QUEUED
            r.save(update_fields=["delivery"])
            continue
        if r.email:
            from vanban.outgoing.tasks import send_issued_email

            r.delivery = Recipient.Delivery.SENDING
            r.save(update_fields=["delivery"])
            transaction.on_commit(functools.partial(send_issued_email.enqueue, r.pk))
            continue
        unit = r.unit or (Unit.objects.get(pk=primary_unit_id(r.user)) if r.user and primary_unit_id(r.user) else None)
        owner = unit or doc.organ
        register = register_for(owner, Register.Kind.INCOMING, actor=authority.actor)
        incoming = IncomingDocument.objects.create(
            register=register, arrival_number=take_next_number(register), arrival_date=timezone.now(),
            document_type=doc.document_type, code_number=f"{doc.number:02d}", code_notation=doc.code_notation,
            issued_date=doc.issued_date, issuing_organ=doc.organ, subject=doc.subject, urgency=doc.urgency,
            signer_name=(doc.signer.full_name if doc.signer else ""), signer_position=doc.signer_position,
            receipt_method=ReceiptMethod.INTERNAL, to_places=r.label, registered_by=authority.actor,
            number_key=doc.number, notation_key=doc.code_notation.casefold(),
        )  # fmt: skip
        if issued_version is not None:
            IncomingFile.objects.create(document=incoming, file=issued_version.file, role="main", position=1,
                                        name=issued_version.file_name, added_by=authority.actor)  # fmt: skip
        IncomingEvent.objects.create(document=incoming, kind=IncomingEvent.Kind.RECEIVED, actor=authority.actor)
        IncomingEvent.objects.create(document=incoming, kind=IncomingEvent.Kind.REGISTERED, actor=authority.actor)
        r.incoming = incoming
        r.delivery = Recipient.Delivery.DELIVERED
        r.delivered_at = timezone.now()
        r.save(update_fields=["incoming", "delivery", "delivered_at"])
        delivered += 1
    return delivered


def _to_exchange(doc: OutgoingDocument) -> None:
    """External organs get the edXML message (business type 0, 2 or 3; 1 on recall)
    through the exchange outbox, queued in this same transaction."""
    from vanban.exchange.outbox import enqueue_for_outgoing

    enqueue_for_outgoing(doc=doc)


def _advance_assignment(doc: OutgoingDocument) -> None:
    """A reply closes the assignment it answers when its drafter works that assignment;
    otherwise (a unit's assignment with work still open below it) it is noted on it."""
    from vanban.core.errors import VanbanError
    from vanban.workflow import services as workflow
    from vanban.workflow.permissions import authorize_work

    a = doc.for_assignment
    if a is None or not a.is_open or a.role == "info":
        return
    try:
        authorize_work(doc.created_by, a)
    except PermissionDenied:
        return
    text = f"Đã ban hành văn bản trả lời số {doc.number_symbol} ngày {format_date(doc.issued_date)}"
    try:
        with transaction.atomic():
            workflow.complete(actor=doc.created_by, assignment=a, result=text)
    except VanbanError:
        workflow.add_note(actor=doc.created_by, assignment=a, text=text)


def sign(*, actor: Any, document: OutgoingDocument, secret: str) -> Version:
    """The signer signs the final PDF with their own certificate (ND30 App I)."""
    with transaction.atomic():
        doc = _lock(document)
        if doc.signer_id is None:
            raise OutgoingError("signer_required", "Văn bản chưa có người ký.", "signer")
        authority = authorize_as_person(actor, doc.signer_id)
        if authority.on_behalf_of is not None:
            raise PermissionDenied("Chữ ký số là của chính người ký: không ký thay bằng ủy quyền.")
        if doc.status != OutgoingDocument.Status.APPROVED:
            raise WrongState("not_approved", "Văn bản chưa được duyệt xong: chưa ký được.")
        final = final_version(doc)
        if final is None:
            raise OutgoingError("final_pdf_required", "Chưa có bản PDF cuối để ký: hãy tải lên bản PDF.", "file")
        from vanban.outgoing import signing

        pdf = signing.sign_by_signer(actor=actor, doc=doc, version=final, secret=secret)
        with ExitStack() as stack:
            upload = stack.enter_context(prepare_upload(f"da-ky-{final.file_name.rsplit('.', 1)[0]}.pdf", pdf))
            version = _add_version(doc, authority, upload, Version.Kind.SIGNED, "Đã ký số")
        doc.status = OutgoingDocument.Status.SIGNED
        doc.save(update_fields=["status"])
        _event(doc, "signed", authority, f"{actor.full_name} ký số phiên bản {final.number}")
        audit.record(actor=actor, action="outgoing.signed", target=doc,
                     data={"version": version.number, "sha256": version.file.sha256})  # fmt: skip
    return version


def recall(*, actor: Any, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Thu hồi: the issued document is withdrawn; internal recipients see it marked."""
    authority = authorize_issuing(actor)
    reason = _text(reason, field="reason", label="lý do thu hồi", limit=2000, required=True)
    with transaction.atomic():
        doc = _lock(document)
        if doc.status != OutgoingDocument.Status.ISSUED:
            raise WrongState("not_issued", "Chỉ thu hồi được văn bản đã ban hành.")
        doc.status = OutgoingDocument.Status.RECALLED
        doc.recalled_at = timezone.now()
        doc.recall_reason = reason
        doc.save(update_fields=["status", "recalled_at", "recall_reason"])
        _event(doc, "recalled", authority, f"Thu hồi: {reason}")
        notices.outgoing_recalled(doc, actor=actor, reason=reason)
        _to_exchange(doc)
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.recalled", target=doc,
                     data={"reason": reason, "recipients": doc.recipients.count()})  # fmt: skip
    return doc


def start_correction(*, actor: Any, document: OutgoingDocument, relation: str, file: tuple[str, Any],
                     comment: str = "") -> OutgoingDocument:  # fmt: skip
    """Cập nhật / thay thế: a new draft that, once issued, updates or replaces the issued
    document (which itself never changes)."""
    if relation not in (OutgoingDocument.Relation.UPDATE, OutgoingDocument.Relation.REPLACE):
        raise OutgoingError("invalid_relation", "Chọn cập nhật hoặc thay thế.", "relation")
    document.refresh_from_db()
    if not document.is_issued:
        raise WrongState("not_issued", "Chỉ cập nhật, thay thế văn bản đã ban hành.")
    data = DraftData(document_type=document.document_type, subject=document.subject, signer=document.signer,
                     signer_position=document.signer_position, signing_authority=document.signing_authority,
                     to_places=document.to_places, urgency=document.urgency, restricted=document.restricted,
                     recipients=[(k, getattr(r, f"{k}_id")) for r in document.recipients.all()
                                 for k in ("unit", "user", "organ") if getattr(r, f"{k}_id")]
                     + [("email", r.email) for r in document.recipients.all() if r.email])  # fmt: skip
    new = create_draft(actor=actor, data=data, file=file, comment=comment)
    OutgoingDocument.objects.filter(pk=new.pk).update(relation=relation, relates_to=document)
    new.refresh_from_db()
    return new


@transaction.atomic
def record_version_download(*, actor: Any, document: OutgoingDocument, version: Version) -> None:
    audit.record(actor=actor, action="outgoing.file_downloaded", target=document,
                 data={"version": version.number, "sha256": version.file.sha256})  # fmt: skip


COPIES_REGISTER = "Sổ bản sao năm {year}"


def _copies_register(doc: OutgoingDocument, actor: Any) -> Register:
    """The yearly series of copies, shared by sao y, trích sao and sao lục. Created
    under the lock of the year's outgoing counter, so two clerks making the year's first
    copy at once get one register."""
    main = register_for(doc.organ, Register.Kind.OUTGOING, actor=actor)
    from vanban.documents.models import RegisterCounter

    RegisterCounter.objects.select_for_update().filter(register_id=main.pk).first()
    register, created = Register.objects.get_or_create(
        organ=doc.organ, unit=None, kind=Register.Kind.OUTGOING, year=main.year, is_default=False,
        name=COPIES_REGISTER.format(year=main.year), defaults={"created_by": actor},
    )  # fmt: skip
    if created:
        RegisterCounter.objects.get_or_create(register=register)
    return register


def make_copy(*, actor: Any, document: OutgoingDocument, kind: str, seal_secret: str | None = None,
              excerpt: tuple[str, Any] | None = None, note: str = "") -> Any:  # fmt: skip
    """The clerk makes an electronic copy of an issued document: the issued PDF (or, for
    a trích sao, the excerpt re-created in full form) with the organ's signature and the
    copy's own number in the SY/TrS/SL series."""
    from vanban.documents import storage
    from vanban.outgoing.models import Copy
    from vanban.signatures import services as signatures

    authority = authorize_issuing(actor)
    if kind not in Copy.Kind.values:
        raise OutgoingError("invalid_copy_kind", "Hình thức sao phải là sao y, trích sao hoặc sao lục.", "kind")
    note = _text(note, field="note", label="ghi chú", limit=2000)
    if kind == Copy.Kind.TRICH_SAO and excerpt is None:
        raise OutgoingError("excerpt_required", "Trích sao cần tệp PDF phần trích.", "file")
    with ExitStack() as stack:
        upload = _prepared(stack, excerpt, kinds={StoredFile.Kind.PDF}) if excerpt else None
        with transaction.atomic():
            doc = _lock(document)
            if doc.status != OutgoingDocument.Status.ISSUED:
                raise WrongState("not_issued", "Chỉ sao văn bản đã ban hành (chưa bị thu hồi).")
            if upload is not None:
                source = upload.path.read_bytes()
            else:
                issued = doc.versions.filter(kind=Version.Kind.ISSUED).order_by("-number").first()
                with storage.open_blob(issued.file.sha256) as fh:
                    source = fh.read()
            register = _copies_register(doc, actor)
            number = take_next_number(register)
            notation = f"{Copy.ABBREVIATIONS[kind]}-{doc.organ.short_name or 'BCT'}"
            name = f"{number:02d}-{Copy.ABBREVIATIONS[kind]}-{doc.number:02d}-{doc.code_notation}.pdf"
            sealed = signatures.seal_as_organ(actor=actor, pdf=source, secret=seal_secret, attachment=True,
                                              number_symbol=f"{number:02d}/{notation}", filename=name)  # fmt: skip
            copy = Copy.objects.create(document=doc, kind=kind, register=register, number=number,
                                       code_notation=notation, file=sealed.file, file_name=name, note=note,
                                       created_by=actor)  # fmt: skip
            _event(doc, "copied", authority, f"{copy.get_kind_display()} số {copy.number_symbol}")
            audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.copied", target=doc,
                         data={"copy": copy.pk, "kind": kind, "number": number, "sha256": sealed.file.sha256})  # fmt: skip
    return copy


@transaction.atomic
def record_copy_download(*, actor: Any, document: OutgoingDocument, copy: Any) -> None:
    audit.record(actor=actor, action="outgoing.file_downloaded", target=document,
                 data={"copy": copy.number_symbol, "sha256": copy.file.sha256})  # fmt: skip


# --- review routes (administration) -------------------------------------------------------------


def set_review_route(*, actor: Any, document_type: Any = None, unit: Any = None, steps: list[str]) -> ReviewRoute:
    """Which steps drafts of a type and/or unit go through before the signer. A system
    administrator sets any route; a unit administrator only their units'."""
    from vanban.organisation.permissions import authorize_unit_admin

    doc_type = _type(document_type) if document_type not in (None, "") else None
    target_unit = None
    if unit not in (None, ""):
        try:
            target_unit = unit if isinstance(unit, Unit) else Unit.objects.get(pk=int(unit))
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise OutgoingError("invalid_unit", "Đơn vị được chọn không tồn tại.", "unit") from None
    authority = authorize_unit_admin(actor, target_unit)
    allowed = [s for s in ReviewTask.Step.values if s != ReviewTask.Step.SIGNER]
    clean_steps: list[str] = []
    for step in steps or []:
        if step not in allowed:
            raise OutgoingError("invalid_step", f"Bước duyệt «{step}» không hợp lệ.", "steps")
        if step not in clean_steps:
            clean_steps.append(step)
    with transaction.atomic():
        route, _ = ReviewRoute.objects.update_or_create(document_type=doc_type, unit=target_unit,
                                                        defaults={"steps": clean_steps})  # fmt: skip
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.route_set", target=route,
                     data={"document_type": doc_type.pk if doc_type else None,
                           "unit": target_unit.pk if target_unit else None, "steps": clean_steps})  # fmt: skip
    return route


def delete_review_route(*, actor: Any, route: ReviewRoute) -> None:
    from vanban.organisation.permissions import authorize_unit_admin

    authority = authorize_unit_admin(actor, route.unit)
    with transaction.atomic():
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="outgoing.route_deleted", target=route,
                     data={"steps": route.steps})  # fmt: skip
        route.delete()
