"""Present, direct, assign and process incoming documents (ND30 Art 22–24).

Every function checks who acts (workflow.permissions), validates everything before
writing, then writes the state change, its timeline step, its lifecycle event (for the
edXML status messages of the exchange issue) and its audit event in one transaction.
Rows are locked (select_for_update) so that two people acting on the same assignment at
once cannot both succeed: the second sees the new state and gets WrongState."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import NotFound, PermissionDenied
from vanban.core.timeutil import format_date
from vanban.documents.files import PreparedUpload, prepare_upload
from vanban.documents.services import store_upload
from vanban.documents.text import guard_text
from vanban.incoming.models import IncomingDocument, IncomingEvent
from vanban.incoming.permissions import authorize_registration
from vanban.notifications import events as notices
from vanban.organisation.models import Unit
from vanban.organisation.permissions import Authority, effective_roles
from vanban.organisation.roles import Role
from vanban.workflow.errors import WorkflowError, WrongState
from vanban.workflow.models import Assignment, Direction, ExtensionRequest, Presentation, Step, Task
from vanban.workflow.permissions import (
    authorize_as_person,
    authorize_reassign,
    authorize_work,
    identity,
    leads_unit,
)

User = get_user_model()

MAX_FILES = 20
MAX_ASSIGNEES = 50


@dataclass
class AssigneeSpec:
    """One line of a direction: a unit or a person, a role, a deadline."""

    role: str
    unit: Unit | int | None = None
    user: Any | int | None = None
    deadline: dt.date | None = None


# --- helpers -----------------------------------------------------------------------


def _text(value: str | None, *, field: str, label: str, limit: int, required: bool = False) -> str:
    text, _ = guard_text(str(value or ""))
    text = text.strip()
    if required and not text:
        raise WorkflowError("required", f"Vui lòng nhập {label}.", field)
    if len(text) > limit:
        raise WorkflowError("too_long", f"{label[:1].upper()}{label[1:]} dài quá {limit} ký tự.", field)
    return text


def _lock_document(document: IncomingDocument) -> IncomingDocument:
    return IncomingDocument.objects.select_for_update().get(pk=document.pk)


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("document", "task", "assignee_unit", "assignee_user", "direction")
        .get(pk=assignment.pk)
    )


def _on(subject: IncomingDocument | Task) -> dict[str, Any]:
    """The foreign key a direction, assignment or step sets for its subject."""
    return {"task": subject} if isinstance(subject, Task) else {"document": subject}


def _step(
    subject: IncomingDocument | Task,
    kind: str,
    authority: Authority,
    *,
    assignment: Assignment | None = None,
    text: str = "",
    progress: int | None = None,
    file: Any = None,
    file_name: str = "",
) -> Step:
    return Step.objects.create(
        **_on(subject),
        assignment=assignment,
        kind=kind,
        actor=authority.actor,
        on_behalf_of=authority.on_behalf_of,
        text=text,
        progress=progress,
        file=file,
        file_name=file_name,
    )


def _lifecycle(document: IncomingDocument, kind: str, actor: Any) -> None:
    """The edXML statuses are milestones of the document: each is sent once."""
    if not IncomingEvent.objects.filter(document=document, kind=kind).exists():
        IncomingEvent.objects.create(document=document, kind=kind, actor=actor)


def _set_document_status(document: IncomingDocument, status: str) -> None:
    if document.status != status:
        document.status = status
        document.save(update_fields=["status"])


def _resolve_user(value: Any, *, field: str) -> Any:
    from vanban.accounts.selectors import active_user

    if value is None or value == "":
        raise WorkflowError("required", "Vui lòng chọn người nhận.", field)
    return active_user(value, field=field)


def _resolve_unit(value: Any, *, field: str) -> Unit:
    if isinstance(value, Unit):
        unit = value
    else:
        try:
            unit = Unit.objects.get(pk=int(value))
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise WorkflowError("invalid_unit", "Đơn vị được chọn không tồn tại.", field) from None
    if not unit.is_active:
        raise WorkflowError("inactive_unit", f"Đơn vị «{unit.name}» không còn hoạt động.", field)
    return unit


def is_leader_for(user: Any, document: IncomingDocument) -> bool:
    """Who may receive a presentation: a ministry leader, or a leader of the unit whose
    register holds the document."""
    for r in effective_roles(user):
        if r.delegation is not None:
            continue  # the principal is the one presented to
        if r.role == Role.MINISTRY_LEADER:
            return True
        if r.role == Role.UNIT_LEADER and document.register.unit_id and r.covers(document.register.unit):
            return True
    return False


def _uploads(stack: ExitStack, files: Iterable[tuple[str, Any]] | None) -> list[PreparedUpload]:
    items = list(files or [])
    if len(items) > MAX_FILES:
        raise WorkflowError("too_many_files", f"Mỗi lần chỉ đính kèm tối đa {MAX_FILES} tệp.", "files")
    return [stack.enter_context(prepare_upload(name, content)) for name, content in items]


# --- present, forward ----------------------------------------------------------------


def present(*, actor: Any, document: IncomingDocument, leader: Any, proposal: str = "") -> Presentation:
    """Trình: the clerk puts the document in a leader's queue, with a proposal."""
    authority = authorize_registration(actor, document.register)
    leader = _resolve_user(leader, field="leader")
    if not is_leader_for(leader, document):
        raise WorkflowError(
            "not_a_leader", f"«{leader.full_name or leader.username}» không phải lãnh đạo nhận trình văn bản này.", "leader"
        )
    proposal = _text(proposal, field="proposal", label="đề xuất", limit=2000)
    with transaction.atomic():
        doc = _lock_document(document)
        if doc.status == IncomingDocument.Status.COMPLETED:
            raise WrongState("document_completed", "Văn bản đã được xử lý xong, không trình lại.")
        if doc.presentations.filter(status=Presentation.Status.PENDING).exists():
            raise WrongState("already_presented", "Văn bản đang chờ lãnh đạo cho ý kiến.")
        if doc.assignments.filter(parent__isnull=True, role=Assignment.Role.LEAD,
                                  status__in=Assignment.OPEN_STATUSES).exists():  # fmt: skip
            raise WrongState("already_directed", "Văn bản đã được giao xử lý.")
        presentation = Presentation.objects.create(
            document=doc, leader=leader, proposal=proposal, presented_by=actor, on_behalf_of=authority.on_behalf_of
        )
        _set_document_status(doc, IncomingDocument.Status.PRESENTED)
        who = leader.full_name or leader.username
        _step(doc, Step.Kind.PRESENTED, authority, text=f"Trình {who}" + (f": {proposal}" if proposal else ""))
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.presented",
            target=doc,
            data={"presentation": presentation.pk, "leader": leader.pk},
        )
        notices.presentation_received(presentation, actor=actor)
    return presentation


def _authorize_presentation(actor: Any, presentation: Presentation) -> Authority:
    try:
        return authorize_as_person(actor, presentation.leader_id)
    except PermissionDenied:
        raise NotFound("Không tìm thấy văn bản trình.") from None


def _lock_pending(presentation: Presentation) -> Presentation:
    locked = Presentation.objects.select_for_update(of=("self",)).select_related("document").get(pk=presentation.pk)
    if locked.status != Presentation.Status.PENDING:
        raise WrongState(
            "presentation_closed", f"Văn bản trình này đã được xử lý ({locked.get_status_display().lower()})."
        )
    return locked


def forward(*, actor: Any, presentation: Presentation, leader: Any, note: str = "") -> Presentation:
    """Chuyển: the leader hands the presentation to another leader."""
    authority = _authorize_presentation(actor, presentation)
    leader = _resolve_user(leader, field="leader")
    if leader.pk == presentation.leader_id:
        raise WorkflowError("same_leader", "Hãy chọn một lãnh đạo khác.", "leader")
    if not is_leader_for(leader, presentation.document):
        raise WorkflowError(
            "not_a_leader", f"«{leader.full_name or leader.username}» không phải lãnh đạo nhận trình văn bản này.", "leader"
        )
    note = _text(note, field="note", label="ý kiến", limit=2000)
    with transaction.atomic():
        old = _lock_pending(presentation)
        old.status = Presentation.Status.FORWARDED
        old.closed_at = timezone.now()
        old.save(update_fields=["status", "closed_at"])
        new = Presentation.objects.create(
            document=old.document,
            leader=leader,
            proposal=note or old.proposal,
            presented_by=actor,
            on_behalf_of=authority.on_behalf_of,
            forwarded_from=old,
        )
        who = leader.full_name or leader.username
        _step(old.document, Step.Kind.FORWARDED, authority, text=f"Chuyển {who}" + (f": {note}" if note else ""))
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.forwarded",
            target=old.document,
            data={"from": old.pk, "to": new.pk, "leader": leader.pk},
        )
        notices.presentation_received(new, actor=actor)
    return new


# --- direct, re-assign ---------------------------------------------------------------


@dataclass
class _Resolved:
    role: str
    unit: Unit | None
    user: Any | None
    deadline: dt.date | None

    @property
    def key(self) -> tuple[str, int]:
        return ("u", self.unit.pk) if self.unit is not None else ("p", self.user.pk)

    @property
    def label(self) -> str:
        if self.unit is not None:
            return self.unit.name
        return self.user.full_name or self.user.username


def _resolve_specs(
    specs: list[AssigneeSpec],
    *,
    existing_open_leads: int,
    allowed_unit: Unit | None = None,
    allowed_roles: set[str] | None = None,
    max_deadline: dt.date | None = None,
    default_deadline: dt.date | None = None,
) -> list[_Resolved]:
    """`default_deadline` is given to lines without one (the rules by document type and
    urgency); without it a deadline is required."""
    if not specs:
        raise WorkflowError("assignees_required", "Vui lòng chọn ít nhất một đơn vị hoặc người xử lý.", "assignees")
    if len(specs) > MAX_ASSIGNEES:
        raise WorkflowError("too_many_assignees", f"Mỗi lần giao tối đa {MAX_ASSIGNEES} đơn vị, cá nhân.", "assignees")
    today = timezone.localdate()
    resolved: list[_Resolved] = []
    seen: set[tuple[str, int]] = set()
    for i, spec in enumerate(specs):
        field = f"assignees[{i}]"
        if spec.role not in Assignment.Role.values:
            raise WorkflowError("invalid_role", "Vai trò phải là chủ trì, phối hợp hoặc để biết.", field)
        if allowed_roles is not None and spec.role not in allowed_roles:
            raise WorkflowError("invalid_role", "Việc để biết chỉ được chuyển tiếp để biết.", field)
        if (spec.unit in (None, "")) == (spec.user in (None, "")):
            raise WorkflowError("one_assignee", "Mỗi dòng giao việc chọn một đơn vị hoặc một người.", field)
        unit = _resolve_unit(spec.unit, field=field) if spec.unit not in (None, "") else None
        user = _resolve_user(spec.user, field=field) if spec.user not in (None, "") else None
        item = _Resolved(spec.role, unit, user, spec.deadline if spec.role != Assignment.Role.INFO else None)
        if allowed_unit is not None:
            _check_within(item, allowed_unit, field)
        if item.key in seen:
            raise WorkflowError("duplicate_assignee", f"«{item.label}» được chọn hai lần.", field)
        seen.add(item.key)
        if item.role != Assignment.Role.INFO:
            if item.deadline is None and default_deadline is not None:
                item.deadline = min(default_deadline, max_deadline) if max_deadline else default_deadline
            if item.deadline is None:
                raise WorkflowError("deadline_required", f"Vui lòng nhập hạn xử lý cho «{item.label}».", field)
            if item.deadline < today:
                raise WorkflowError("deadline_in_past", f"Hạn xử lý của «{item.label}» đã qua.", field)
            if max_deadline is not None and item.deadline > max_deadline:
                raise WorkflowError(
                    "deadline_after_parent",
                    f"Hạn xử lý của «{item.label}» không được sau hạn đơn vị được giao ({format_date(max_deadline)}).",
                    field,
                )
        resolved.append(item)
    leads = sum(1 for r in resolved if r.role == Assignment.Role.LEAD)
    if allowed_roles is None or Assignment.Role.LEAD in allowed_roles:
        if leads + existing_open_leads > 1:
            raise WorkflowError(
                "multiple_leads",
                "Chỉ được giao một đơn vị hoặc cá nhân chủ trì." if not existing_open_leads
                else "Đã có đơn vị hoặc cá nhân chủ trì đang xử lý.",
                "assignees",
            )
        if leads + existing_open_leads == 0:
            raise WorkflowError("lead_required", "Vui lòng chọn một đơn vị hoặc cá nhân chủ trì.", "assignees")
    return resolved


def _check_within(item: _Resolved, unit: Unit, field: str) -> None:
    """A unit leader assigns only inside the unit: a sub-unit or a person posted there."""
    from vanban.organisation.selectors import current_appointments

    if item.unit is not None:
        if item.unit.pk == unit.pk or not item.unit.path.startswith(unit.path):
            raise WorkflowError("outside_unit", f"«{item.label}» không thuộc {unit.name}.", field)
        return
    posts = current_appointments(item.user).filter(unit__path__startswith=unit.path)
    if not posts.exists():
        raise WorkflowError("outside_unit", f"«{item.label}» không công tác tại {unit.name}.", field)


def _rule_deadline(document: IncomingDocument | None) -> dt.date:
    """The default deadline from today by the rules (document type, urgency)."""
    from vanban.workcalendar.deadlines import default_deadline

    if document is None:
        return default_deadline(document_type_id=None, urgency="", start=timezone.localdate())
    return default_deadline(
        document_type_id=document.document_type_id, urgency=document.urgency, start=timezone.localdate()
    )


def deadline_warnings(assignments: Iterable[Assignment]) -> list[str]:
    """Deadlines that fall on a day off: allowed, but the leader is told."""
    from vanban.workcalendar.deadlines import deadline_warning

    warnings = []
    for deadline in sorted({a.deadline for a in assignments if a.deadline}):
        message = deadline_warning(deadline)
        if message:
            warnings.append(message)
    return warnings


def _create_assignments(
    doc: IncomingDocument | Task,
    direction: Direction,
    resolved: list[_Resolved],
    authority: Authority,
    *,
    parent: Assignment | None,
) -> list[Assignment]:
    created = []
    kind = Step.Kind.REASSIGNED if parent is not None else Step.Kind.ASSIGNED
    for item in resolved:
        a = Assignment.objects.create(
            **_on(doc),
            direction=direction,
            parent=parent,
            role=item.role,
            assignee_unit=item.unit,
            assignee_user=item.user,
            deadline=item.deadline,
            assigned_by=authority.actor,
        )
        deadline = f", hạn {format_date(item.deadline)}" if item.deadline else ""
        _step(doc, kind, authority, assignment=a, text=f"{a.get_role_display()}: {item.label}{deadline}")
        created.append(a)
    return created


def direct(
    *, actor: Any, presentation: Presentation, text: str, assignees: list[AssigneeSpec]
) -> Direction:
    """Bút phê: the leader's direction, with the assignments it orders."""
    authority = _authorize_presentation(actor, presentation)
    text = _text(text, field="text", label="ý kiến chỉ đạo", limit=4000, required=True)
    # A unit's own register goes to the unit's leaders, who assign inside their unit;
    # a ministry leader assigns anywhere.
    from vanban.workflow.selectors import direction_scope

    resolved = _resolve_specs(
        assignees,
        existing_open_leads=0,
        allowed_unit=direction_scope(presentation),
        default_deadline=_rule_deadline(presentation.document),
    )
    with transaction.atomic():
        pres = _lock_pending(presentation)
        doc = _lock_document(pres.document)
        open_leads = doc.assignments.filter(
            parent__isnull=True, role=Assignment.Role.LEAD, status__in=Assignment.OPEN_STATUSES
        ).count()
        if open_leads and any(r.role == Assignment.Role.LEAD for r in resolved):
            raise WorkflowError("multiple_leads", "Đã có đơn vị hoặc cá nhân chủ trì đang xử lý.", "assignees")
        direction = Direction.objects.create(
            document=doc, presentation=pres, author=actor, on_behalf_of=authority.on_behalf_of, text=text
        )
        _step(doc, Step.Kind.DIRECTED, authority, text=text)
        created = _create_assignments(doc, direction, resolved, authority, parent=None)
        pres.status = Presentation.Status.DIRECTED
        pres.closed_at = timezone.now()
        pres.save(update_fields=["status", "closed_at"])
        _set_document_status(doc, IncomingDocument.Status.IN_PROGRESS)
        _lifecycle(doc, IncomingEvent.Kind.ASSIGNED, actor)
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.directed",
            target=doc,
            data={"direction": direction.pk, "assignments": [_audit_line(a) for a in created]},
        )
        notices.assignments_created(created, actor=actor, direction_text=text)
    return direction


def _audit_line(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "role": a.role,
        "unit": a.assignee_unit_id,
        "user": a.assignee_user_id,
        "deadline": a.deadline.isoformat() if a.deadline else None,
    }


def reassign(*, actor: Any, assignment: Assignment, text: str, assignees: list[AssigneeSpec]) -> Direction:
    """A unit leader passes the unit's assignment down to sub-units and specialists.
    The parent stays open: the unit answers for it until its leader completes it."""
    authority = authorize_reassign(actor, assignment)
    text = _text(text, field="text", label="ý kiến giao việc", limit=4000, required=True)
    with transaction.atomic():
        parent = _lock_assignment(assignment)
        _ensure_open(parent, "giao tiếp")
        if parent.role == Assignment.Role.INFO:
            allowed_roles: set[str] | None = {Assignment.Role.INFO}
        else:
            allowed_roles = None
        open_leads = parent.children.filter(role=Assignment.Role.LEAD, status__in=Assignment.OPEN_STATUSES).count()
        resolved = _resolve_specs(
            assignees,
            existing_open_leads=open_leads,
            allowed_unit=parent.assignee_unit,
            allowed_roles=allowed_roles,
            max_deadline=parent.deadline,
            default_deadline=parent.deadline or _rule_deadline(parent.document),
        )
        taken = {("u", c.assignee_unit_id) if c.assignee_unit_id else ("p", c.assignee_user_id)
                 for c in parent.children.filter(status__in=Assignment.OPEN_STATUSES)}  # fmt: skip
        for i, item in enumerate(resolved):
            if item.key in taken:
                raise WorkflowError("duplicate_assignee", f"«{item.label}» đang được giao việc này.", f"assignees[{i}]")
        doc = parent.subject
        if parent.role == Assignment.Role.INFO:
            _mark_read(parent, authority)
        else:
            _start(parent, authority)
        direction = Direction.objects.create(
            **_on(doc), parent_assignment=parent, author=actor, on_behalf_of=authority.on_behalf_of, text=text
        )
        _step(doc, Step.Kind.DIRECTED, authority, assignment=parent, text=text)
        created = _create_assignments(doc, direction, resolved, authority, parent=parent)
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.reassigned",
            target=doc,
            data={"parent": parent.pk, "direction": direction.pk, "assignments": [_audit_line(a) for a in created]},
        )
        notices.assignments_created(created, actor=actor, direction_text=text)
    return direction


# --- processing ------------------------------------------------------------------------


def _ensure_open(assignment: Assignment, what: str) -> None:
    if assignment.status == Assignment.Status.COMPLETED:
        raise WrongState("assignment_completed", f"Việc này đã hoàn thành, không thể {what}.")
    if assignment.status == Assignment.Status.RETURNED:
        raise WrongState("assignment_returned", f"Việc này đã được trả lại, không thể {what}.")
    if assignment.status == Assignment.Status.READ and assignment.role == Assignment.Role.INFO and what != "giao tiếp":
        raise WrongState("info_only", "Văn bản gửi để biết: chỉ xem, không xử lý.")


def _ensure_workable(assignment: Assignment, what: str) -> None:
    _ensure_open(assignment, what)
    if assignment.role == Assignment.Role.INFO:
        raise WorkflowError("info_only", "Văn bản gửi để biết: chỉ xem, không xử lý.")


def _start(assignment: Assignment, authority: Authority) -> None:
    if assignment.status == Assignment.Status.ASSIGNED:
        assignment.status = Assignment.Status.IN_PROGRESS
        assignment.started_at = timezone.now()
        assignment.save(update_fields=["status", "started_at"])
        _step(assignment.subject, Step.Kind.STARTED, authority, assignment=assignment)
        if assignment.document_id:
            _lifecycle(assignment.document, IncomingEvent.Kind.IN_PROGRESS, authority.actor)


def _attach(
    assignment: Assignment, authority: Authority, uploads: list[PreparedUpload], kind: str = Step.Kind.FILE
) -> list[Step]:
    steps = []
    for upload in uploads:
        stored = store_upload(actor=authority.actor, upload=upload)
        steps.append(
            _step(assignment.subject, kind, authority, assignment=assignment, file=stored, file_name=upload.name)
        )
    return steps


def add_note(
    *, actor: Any, assignment: Assignment, text: str = "", files: Iterable[tuple[str, Any]] | None = None
) -> list[Step]:
    """A working note and/or intermediate files (dự thảo, tài liệu tham khảo)."""
    authority = authorize_work(actor, assignment)
    text = _text(text, field="text", label="nội dung ghi chú", limit=4000)
    with ExitStack() as stack:
        uploads = _uploads(stack, files)
        if not text and not uploads:
            raise WorkflowError("required", "Vui lòng nhập ghi chú hoặc chọn tệp.", "text")
        with transaction.atomic():
            locked = _lock_assignment(assignment)
            _ensure_workable(locked, "ghi chú")
            _start(locked, authority)
            steps = [_step(locked.subject, Step.Kind.NOTE, authority, assignment=locked, text=text)] if text else []
            steps += _attach(locked, authority, uploads)
            audit.record(
                actor=actor,
                on_behalf_of=authority.on_behalf_of,
                action="workflow.note_added",
                target=locked.subject,
                data={"assignment": locked.pk, "files": [u.sha256 for u in uploads]},
            )
    return steps


def report_progress(*, actor: Any, assignment: Assignment, progress: Any, text: str = "") -> Assignment:
    authority = authorize_work(actor, assignment)
    try:
        value = int(progress)
    except (TypeError, ValueError):
        raise WorkflowError("invalid_progress", "Tiến độ phải là số từ 0 đến 100.", "progress") from None
    if not 0 <= value <= 100:
        raise WorkflowError("invalid_progress", "Tiến độ phải là số từ 0 đến 100.", "progress")
    text = _text(text, field="text", label="nội dung", limit=4000)
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        _ensure_workable(locked, "cập nhật tiến độ")
        _start(locked, authority)
        locked.progress = value
        locked.save(update_fields=["progress"])
        _step(locked.subject, Step.Kind.PROGRESS, authority, assignment=locked, text=text, progress=value)
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.progress",
            target=locked.subject,
            data={"assignment": locked.pk, "progress": value},
        )
    return locked


def contribute(
    *, actor: Any, assignment: Assignment, text: str, files: Iterable[tuple[str, Any]] | None = None
) -> list[Step]:
    """Ý kiến phối hợp: a cooperating unit's contribution, shown to the lead."""
    authority = authorize_work(actor, assignment)
    if assignment.role != Assignment.Role.COOPERATE:
        raise WorkflowError("not_cooperating", "Chỉ đơn vị, cá nhân phối hợp mới gửi ý kiến phối hợp.")
    text = _text(text, field="text", label="ý kiến phối hợp", limit=4000)
    with ExitStack() as stack:
        uploads = _uploads(stack, files)
        if not text and not uploads:
            raise WorkflowError("required", "Vui lòng nhập ý kiến phối hợp hoặc chọn tệp.", "text")
        with transaction.atomic():
            locked = _lock_assignment(assignment)
            _ensure_workable(locked, "gửi ý kiến phối hợp")
            _start(locked, authority)
            steps = [_step(locked.subject, Step.Kind.CONTRIBUTION, authority, assignment=locked, text=text)]
            steps += _attach(locked, authority, uploads, Step.Kind.CONTRIBUTION)
            audit.record(
                actor=actor,
                on_behalf_of=authority.on_behalf_of,
                action="workflow.contributed",
                target=locked.subject,
                data={"assignment": locked.pk, "files": [u.sha256 for u in uploads]},
            )
    return steps


def request_extension(*, actor: Any, assignment: Assignment, new_deadline: dt.date | None, reason: str) -> ExtensionRequest:
    authority = authorize_work(actor, assignment)
    reason = _text(reason, field="reason", label="lý do xin gia hạn", limit=2000, required=True)
    if new_deadline is None:
        raise WorkflowError("required", "Vui lòng nhập hạn đề nghị.", "new_deadline")
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        _ensure_workable(locked, "xin gia hạn")
        if locked.deadline and new_deadline <= locked.deadline:
            raise WorkflowError(
                "deadline_not_later",
                f"Hạn đề nghị phải sau hạn hiện tại ({format_date(locked.deadline)}).",
                "new_deadline",
            )
        if new_deadline < timezone.localdate():
            raise WorkflowError("deadline_in_past", "Hạn đề nghị đã qua.", "new_deadline")
        if locked.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise WrongState("extension_pending", "Đã có đề nghị gia hạn đang chờ duyệt.")
        request = ExtensionRequest.objects.create(
            assignment=locked, requested_by=actor, old_deadline=locked.deadline, new_deadline=new_deadline, reason=reason
        )
        _step(locked.subject, Step.Kind.EXTENSION_REQUESTED, authority, assignment=locked,
              text=f"Xin gia hạn đến {format_date(new_deadline)}: {reason}")  # fmt: skip
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.extension_requested",
            target=locked.subject,
            data={"assignment": locked.pk, "request": request.pk, "new_deadline": new_deadline.isoformat()},
        )
    return request


def decide_extension(*, actor: Any, request: ExtensionRequest, approve: bool, note: str = "") -> ExtensionRequest:
    """The assigner (or their delegate) approves or refuses."""
    assignment = request.assignment
    authority = authorize_as_person(actor, assignment.assigned_by_id)
    note = _text(note, field="note", label="ý kiến", limit=2000)
    with transaction.atomic():
        locked = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ExtensionRequest.Status.PENDING:
            raise WrongState("extension_decided", "Đề nghị gia hạn này đã được xử lý.")
        a = _lock_assignment(assignment)
        _ensure_open(a, "gia hạn")
        locked.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            a.deadline = locked.new_deadline
            a.save(update_fields=["deadline"])
            kind, text = Step.Kind.EXTENSION_APPROVED, f"Gia hạn đến {format_date(locked.new_deadline)}"
        else:
            kind, text = Step.Kind.EXTENSION_REFUSED, "Giữ hạn " + (format_date(a.deadline) if a.deadline else "cũ")
        _step(a.subject, kind, authority, assignment=a, text=text + (f": {note}" if note else ""))
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.extension_approved" if approve else "workflow.extension_refused",
            target=a.subject,
            data={"assignment": a.pk, "request": locked.pk},
        )
    return locked


def return_assignment(*, actor: Any, assignment: Assignment, reason: str) -> Assignment:
    """Trả lại: the assignment goes back to whoever gave it. A returned lead of the
    leader's own direction puts the document back in that leader's queue."""
    authority = authorize_work(actor, assignment)
    reason = _text(reason, field="reason", label="lý do trả lại", limit=2000, required=True)
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        _ensure_workable(locked, "trả lại")
        if locked.children.filter(status__in=Assignment.OPEN_STATUSES).exists():
            raise WrongState("open_children", "Việc đã giao tiếp trong đơn vị chưa xong: hãy xử lý trước khi trả lại.")
        locked.status = Assignment.Status.RETURNED
        locked.return_reason = reason
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "return_reason", "closed_at"])
        _step(locked.subject, Step.Kind.RETURNED, authority, assignment=locked, text=reason)
        pres = locked.direction.presentation
        if locked.parent_id is None and locked.role == Assignment.Role.LEAD and pres is not None:
            pres = Presentation.objects.select_for_update().get(pk=pres.pk)
            pending = Presentation.objects.filter(document=locked.document, status=Presentation.Status.PENDING)
            if not pending.exists():
                pres.status = Presentation.Status.PENDING
                pres.closed_at = None
                pres.save(update_fields=["status", "closed_at"])
                _set_document_status(locked.document, IncomingDocument.Status.PRESENTED)
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.returned",
            target=locked.subject,
            data={"assignment": locked.pk},
        )
    return locked


def complete(
    *, actor: Any, assignment: Assignment, result: str, files: Iterable[tuple[str, Any]] | None = None
) -> Assignment:
    """Hoàn thành: with a result (text and/or files). The lead at the top completes the
    document."""
    authority = authorize_work(actor, assignment)
    result = _text(result, field="result", label="kết quả xử lý", limit=4000)
    with ExitStack() as stack:
        uploads = _uploads(stack, files)
        if not result and not uploads:
            raise WorkflowError("required", "Vui lòng nhập kết quả xử lý hoặc chọn tệp kết quả.", "result")
        with transaction.atomic():
            locked = _lock_assignment(assignment)
            _ensure_workable(locked, "hoàn thành")
            if locked.children.filter(role=Assignment.Role.LEAD, status__in=Assignment.OPEN_STATUSES).exists():
                raise WrongState(
                    "open_children", "Người chủ trì trong đơn vị chưa hoàn thành: chờ kết quả hoặc thu hồi trước."
                )
            _start(locked, authority)
            locked.status = Assignment.Status.COMPLETED
            locked.progress = 100
            locked.result = result
            locked.closed_at = timezone.now()
            locked.save(update_fields=["status", "progress", "result", "closed_at"])
            kind = Step.Kind.CONTRIBUTION if locked.role == Assignment.Role.COOPERATE else Step.Kind.FILE
            _attach(locked, authority, uploads, kind)
            _step(locked.subject, Step.Kind.COMPLETED, authority, assignment=locked, text=result, progress=100)
            doc = locked.subject
            if locked.parent_id is None and locked.role == Assignment.Role.LEAD:
                if isinstance(doc, Task):
                    doc = Task.objects.select_for_update().get(pk=doc.pk)
                    doc.status = Task.Status.COMPLETED
                    doc.completed_at = timezone.now()
                    doc.save(update_fields=["status", "completed_at"])
                else:
                    doc = _lock_document(doc)
                    _set_document_status(doc, IncomingDocument.Status.COMPLETED)
                    _lifecycle(doc, IncomingEvent.Kind.COMPLETED, actor)
            audit.record(
                actor=actor,
                on_behalf_of=authority.on_behalf_of,
                action="workflow.completed",
                target=doc,
                data={"assignment": locked.pk, "files": [u.sha256 for u in uploads]},
            )
    return locked


def _mark_read(assignment: Assignment, authority: Authority) -> None:
    if assignment.role == Assignment.Role.INFO and assignment.status == Assignment.Status.ASSIGNED:
        assignment.status = Assignment.Status.READ
        assignment.read_at = timezone.now()
        assignment.save(update_fields=["status", "read_at"])
        _step(assignment.subject, Step.Kind.READ, authority, assignment=assignment)


def record_reading(*, actor: Any, document: IncomingDocument) -> int:
    """Opening a document sent "để biết" to the reader (or a unit they lead) records
    that it was read. Returns how many were marked."""
    ident = identity(actor)
    candidates = Assignment.objects.filter(
        document=document, role=Assignment.Role.INFO, status=Assignment.Status.ASSIGNED
    ).select_related("assignee_unit", "document")
    marked = 0
    with transaction.atomic():
        for a in candidates.select_for_update(of=("self",)):
            if a.assignee_user_id is not None:
                if a.assignee_user_id not in ident.user_ids:
                    continue
                authority = authorize_as_person(actor, a.assignee_user_id)
            else:
                found = leads_unit(actor, a.assignee_unit)
                if found is None:
                    continue
                authority = found
            _mark_read(a, authority)
            audit.record(
                actor=actor,
                on_behalf_of=authority.on_behalf_of,
                action="workflow.read",
                target=document,
                data={"assignment": a.pk},
            )
            marked += 1
    return marked


@transaction.atomic
def record_step_file_download(*, actor: Any, step: Step) -> None:
    audit.record(
        actor=actor,
        action="workflow.file_downloaded",
        target=step.document or step.task,
        data={"step": step.pk, "sha256": step.file.sha256 if step.file else None},
    )


# --- people around an assignment ----------------------------------------------------------


def unit_leaders(unit: Unit) -> list[Any]:
    """Active leaders of the unit (a UNIT_LEADER grant on it); when it has none, those of
    the nearest ancestor that has some."""
    from vanban.organisation.models import RoleGrant

    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    grants = (
        RoleGrant.objects.filter(role=Role.UNIT_LEADER, unit_id__in=ids, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    by_unit: dict[int, list[Any]] = {}
    for g in grants:
        by_unit.setdefault(g.unit_id, []).append(g.user)
    for unit_id in reversed(ids):
        if by_unit.get(unit_id):
            return by_unit[unit_id]
    return []


def handlers_of(assignment: Assignment) -> list[Any]:
    """Who works the assignment: its person, or the leaders of its unit."""
    if assignment.assignee_user_id is not None:
        return [assignment.assignee_user] if assignment.assignee_user.is_active else []
    return unit_leaders(assignment.assignee_unit)


def supervisors_of(assignment: Assignment) -> list[Any]:
    """Whom an overdue assignment is escalated to: whoever gave it, and the leader of the
    unit answering for it (the person's own unit for a person)."""
    from vanban.organisation.selectors import current_appointments

    people: list[Any] = [assignment.assigned_by]
    if assignment.assignee_unit_id is not None:
        people += unit_leaders(assignment.assignee_unit)
    else:
        for post in current_appointments(assignment.assignee_user).select_related("unit"):
            people += [u for u in unit_leaders(post.unit) if u.pk != assignment.assignee_user_id]
    return people


def assignment_url(assignment: Assignment) -> str:
    from django.urls import reverse

    return reverse("web:assignment", args=[assignment.pk])


def subject_label(assignment: Assignment) -> str:
    if assignment.document_id:
        doc = assignment.document
        return f"văn bản đến số {doc.arrival_number}: {doc.subject}"
    return f"công việc «{assignment.task.title}»"


def _notify_assigned(assignments: list[Assignment], actor: Any) -> None:
    from vanban.notifications.services import notify

    for a in assignments:
        notify(
            recipients=handlers_of(a),
            kind="assignment.assigned",
            title=f"{a.get_role_display()}: {subject_label(a)}"[:300],
            body=f"Hạn xử lý: {format_date(a.deadline)}" if a.deadline else "",
            url=assignment_url(a),
            actor=actor,
            target=a,
            dedupe_key=f"assigned:{a.pk}",
        )


# --- direct tasks (giao việc trực tiếp) ---------------------------------------------------


def authorize_task_giver(actor: Any) -> tuple[Authority, Unit | None]:
    """A ministry leader gives tasks to anyone; a unit leader inside their unit."""
    roles = effective_roles(actor)
    for r in roles:
        if r.role == Role.MINISTRY_LEADER:
            return Authority(actor=actor, on_behalf_of=r.on_behalf_of), None
    for r in roles:
        if r.role == Role.UNIT_LEADER and r.unit_id:
            return Authority(actor=actor, on_behalf_of=r.on_behalf_of), Unit.objects.get(pk=r.unit_id)
    raise PermissionDenied("Chỉ lãnh đạo mới giao việc trực tiếp.")


def create_task(
    *,
    actor: Any,
    title: str,
    content: str = "",
    assignees: list[AssigneeSpec],
    files: Iterable[tuple[str, Any]] | None = None,
) -> Task:
    """Giao việc: a leader gives work that does not come from a document, with one lead,
    cooperating and informed units or people, and deadlines (the normal rule when a line
    has none)."""
    authority, scope = authorize_task_giver(actor)
    title = _text(title, field="title", label="tên công việc", limit=500, required=True)
    content = _text(content, field="content", label="nội dung", limit=4000)
    resolved = _resolve_specs(
        assignees, existing_open_leads=0, allowed_unit=scope, default_deadline=_rule_deadline(None)
    )
    with ExitStack() as stack:
        uploads = _uploads(stack, files)
        with transaction.atomic():
            task = Task.objects.create(
                title=title, content=content, created_by=actor, on_behalf_of=authority.on_behalf_of
            )
            _step(task, Step.Kind.CREATED, authority, text=title)
            for upload in uploads:
                stored = store_upload(actor=actor, upload=upload)
                _step(task, Step.Kind.FILE, authority, file=stored, file_name=upload.name)
            direction = Direction.objects.create(
                task=task, author=actor, on_behalf_of=authority.on_behalf_of, text=content or title
            )
            created = _create_assignments(task, direction, resolved, authority, parent=None)
            audit.record(
                actor=actor,
                on_behalf_of=authority.on_behalf_of,
                action="workflow.task_created",
                target=task,
                data={"direction": direction.pk, "assignments": [_audit_line(a) for a in created],
                      "files": [u.sha256 for u in uploads]},
            )
            _notify_assigned(created, actor)
    return task


# --- đôn đốc ----------------------------------------------------------------------------


def authorize_urge(actor: Any, assignment: Assignment) -> Authority:
    """Who may urge: whoever gave the assignment (or their delegate), a leader or clerk
    of the unit answering for it (the person's unit for a person), and the ministry's
    leaders and clerks."""
    from vanban.organisation.selectors import current_appointments

    ident = identity(actor)
    if assignment.assigned_by_id in ident.user_ids:
        return authorize_as_person(actor, assignment.assigned_by_id)
    try:
        authorize_work(actor, assignment)
    except PermissionDenied:
        pass
    else:  # whoever works the assignment does not urge it
        raise PermissionDenied("Người đang xử lý việc không tự đôn đốc.")
    if assignment.assignee_unit_id is not None:
        units = [assignment.assignee_unit]
    else:
        units = [p.unit for p in current_appointments(assignment.assignee_user).select_related("unit")]
    for r in effective_roles(actor):
        if r.role in (Role.MINISTRY_LEADER, Role.MINISTRY_CLERK):
            return Authority(actor=actor, on_behalf_of=r.on_behalf_of)
        if r.role in (Role.UNIT_LEADER, Role.UNIT_CLERK) and any(r.covers(u) for u in units):
            return Authority(actor=actor, on_behalf_of=r.on_behalf_of)
    raise PermissionDenied("Bạn không có quyền đôn đốc việc này.")


def urge(*, actor: Any, assignment: Assignment, message: str = "") -> Step:
    """Đôn đốc: a step in the timeline, an audit event and a notification to whoever
    works the assignment."""
    from vanban.notifications.services import notify

    authority = authorize_urge(actor, assignment)
    message = _text(message, field="message", label="nội dung đôn đốc", limit=2000)
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        _ensure_workable(locked, "đôn đốc")
        step = _step(locked.subject, Step.Kind.URGED, authority, assignment=locked, text=message)
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="workflow.urged",
            target=locked.subject,
            data={"assignment": locked.pk, "step": step.pk},
        )
        who = actor.full_name or actor.username
        deadline = f" Hạn xử lý: {format_date(locked.deadline)}." if locked.deadline else ""
        notify(
            recipients=handlers_of(locked),
            kind="assignment.urged",
            title=f"{who} đôn đốc xử lý {subject_label(locked)}"[:300],
            body=(message + deadline).strip(),
            url=assignment_url(locked),
            actor=actor,
            target=locked,
            dedupe_key=f"urged:{step.pk}",
        )
    return step
