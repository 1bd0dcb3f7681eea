"""Trình, chỉ đạo, giao việc, xử lý: the pages. Thin: the rules are in
vanban.workflow.services and .selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from vanban.core import errors
from vanban.documents.catalogue import Urgency
from vanban.incoming import selectors as incoming_selectors
from vanban.web.forms import VanbanForm, date_field
from vanban.workflow import selectors, services
from vanban.workflow.models import Assignment
from vanban.workflow.permissions import identity, leads_unit, may_give_tasks
from vanban.workflow.services import AssigneeSpec

PAGE_SIZE = 25
DIRECTION_ROWS = 8
ROLE_CHOICES = [("", "—"), *Assignment.Role.choices]
STATUS_FILTERS = [
    ("", "Đang xử lý"),
    ("overdue", "Quá hạn"),
    ("due_soon", "Sắp đến hạn (3 ngày)"),
    ("completed", "Đã hoàn thành"),
    ("returned", "Đã trả lại"),
    ("all", "Tất cả"),
]
SORTS = [("", "Mới giao trước"), ("deadline", "Hạn xử lý gần nhất"), ("urgency", "Độ khẩn")]
BOX_TITLES = {**selectors.BOXES, "unit": "Việc của đơn vị"}


class BoxFilterForm(VanbanForm):
    trang_thai = forms.ChoiceField(label="Trạng thái", required=False, choices=STATUS_FILTERS)
    do_khan = forms.ChoiceField(label="Độ khẩn", required=False, choices=[("", "Tất cả"), *Urgency.choices])
    co_quan = forms.CharField(label="Cơ quan ban hành", required=False, max_length=200)
    tu_ngay = date_field("Từ ngày", required=False)
    den_ngay = date_field("Đến ngày", required=False)
    sap_xep = forms.ChoiceField(label="Sắp xếp", required=False, choices=SORTS)

    def filters(self) -> selectors.Filters:
        if not self.is_bound or not self.is_valid():
            return selectors.Filters()
        d = self.cleaned_data
        return selectors.Filters(
            status=d["trang_thai"], urgency=d["do_khan"], organ=d["co_quan"], date_from=d["tu_ngay"],
            date_to=d["den_ngay"], sort=d["sap_xep"],
        )


def _page(request: HttpRequest, items: Any) -> tuple[Any, str]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@login_required
def box(request: HttpRequest, name: str) -> HttpResponse:
    """One box of "Việc của tôi" (or the unit's inbox), with filters, sort and paging."""
    if name not in BOX_TITLES:
        raise Http404
    form = BoxFilterForm(request.GET or None)
    f = form.filters()
    if name == "direct":
        items: Any = selectors.presentations_to_direct(request.user, f)
    elif name == "extensions":
        items = selectors.extensions_to_decide(request.user)
    else:
        items = selectors.assignments_in_box(request.user, name, f)
    page, query = _page(request, items)
    return render(request, "web/workflow/box.html", {
        "page_title": BOX_TITLES[name],
        "box": name,
        "boxes": BOX_TITLES,
        "form": form,
        "page": page,
        "query": query,
        "counts": selectors.counts(request.user),
    })


@login_required
def awaiting(request: HttpRequest) -> HttpResponse:
    """The clerk's "chờ trình" list."""
    form = BoxFilterForm(request.GET or None)
    form.fields.pop("trang_thai")
    docs = selectors.awaiting_presentation(request.user, form.filters())
    page, query = _page(request, docs)
    return render(request, "web/workflow/awaiting.html", {
        "page_title": "Văn bản chờ trình", "form": form, "page": page, "query": query,
    })


# --- present, direct, forward --------------------------------------------------------------


class PresentForm(VanbanForm):
    leader = forms.TypedChoiceField(label="Trình lãnh đạo", coerce=int)
    proposal = forms.CharField(label="Đề xuất của văn thư", required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="Ví dụ: Đề nghị giao Cục Xuất nhập khẩu chủ trì.")

    def __init__(self, *args: Any, leaders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "— Chọn lãnh đạo —")] + [
            (u.pk, u.full_name or u.username) for u in leaders
        ]


def _document(request: HttpRequest, pk: int) -> Any:
    try:
        return incoming_selectors.get_incoming_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


def _warn(request: HttpRequest, assignments: Any) -> None:
    """Deadlines on a day off were accepted; say so, so a slip can be corrected."""
    for warning in services.deadline_warnings(assignments):
        messages.warning(request, warning)


def _run(request: HttpRequest, form: forms.Form, action: Any) -> Any:
    """Call a service; a domain error goes beside its field and returns None."""
    try:
        return action()
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except errors.NotFound:
        raise Http404 from None
    except errors.VanbanError as exc:
        form.add_vanban_error(exc)  # type: ignore[attr-defined]
        return None


@login_required
def present(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    leaders = selectors.leaders_for(doc)
    form = PresentForm(request.POST or None, leaders=leaders)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _run(request, form, lambda: services.present(
            actor=request.user, document=doc, leader=d["leader"], proposal=d["proposal"]))
        if done is not None:
            messages.success(request, f"Đã trình {done.leader.full_name or done.leader.username}.")
            return redirect("web:incoming_detail", pk=doc.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/workflow/present.html", {
        "page_title": "Trình lãnh đạo", "doc": doc, "form": form,
    }, status=status)


class DirectionForm(VanbanForm):
    text = forms.CharField(label="Ý kiến chỉ đạo", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, choices: dict[str, list[Any]], rows: int = DIRECTION_ROWS,
                 default_deadline: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignees = [("", "— Chọn đơn vị hoặc người —"),
                     ("Đơn vị", [(f"u:{u.pk}", ("— " * max(u.depth, 0)) + u.name) for u in choices["units"]]),
                     ("Cá nhân", [(f"p:{p.pk}", p.full_name or p.username) for p in choices["people"]])]
        self.rows = []
        for i in range(rows):
            role = forms.ChoiceField(label="Vai trò", choices=ROLE_CHOICES, required=False,
                                     initial="lead" if i == 0 else "")
            who = forms.ChoiceField(label="Đơn vị, cá nhân", choices=assignees, required=False)
            deadline = date_field("Hạn xử lý", required=False, initial=default_deadline if i == 0 else None)
            self.fields[f"role_{i}"] = role
            self.fields[f"who_{i}"] = who
            self.fields[f"deadline_{i}"] = deadline
            self.rows.append(i)
        # The mixin styled the fields that existed before; these rows came after.
        for name, field in self.fields.items():
            if name.startswith(("role_", "who_")):
                field.widget.attrs.setdefault("class", "form-select form-select-sm")
            elif name.startswith("deadline_"):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def row_fields(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"role_{i}"], self[f"who_{i}"], self[f"deadline_{i}"]) for i in self.rows]

    def specs(self) -> list[AssigneeSpec]:
        specs = []
        for i in self.rows:
            role = self.cleaned_data.get(f"role_{i}")
            who = self.cleaned_data.get(f"who_{i}") or ""
            if not role and not who:
                continue
            if not who:
                self.add_error(f"who_{i}", "Vui lòng chọn đơn vị hoặc người.")
                continue
            if not role:
                self.add_error(f"role_{i}", "Vui lòng chọn vai trò.")
                continue
            kind, _, ident = who.partition(":")
            spec = AssigneeSpec(role=role, deadline=self.cleaned_data.get(f"deadline_{i}"))
            if kind == "u":
                spec.unit = ident
            else:
                spec.user = ident
            specs.append(spec)
        return specs

    def add_vanban_error(self, exc: errors.VanbanError) -> None:
        field = exc.field or ""
        if field.startswith("assignees["):
            index = field[len("assignees["):-1]
            self.add_error(f"who_{index}" if f"who_{index}" in self.fields else None, exc.message)
            return
        if field == "assignees":
            self.add_error(None, exc.message)
            return
        super().add_vanban_error(exc)


class ForwardForm(VanbanForm):
    leader = forms.TypedChoiceField(label="Chuyển lãnh đạo", coerce=int)
    note = forms.CharField(label="Ý kiến", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, leaders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "— Chọn lãnh đạo —")] + [
            (u.pk, u.full_name or u.username) for u in leaders
        ]


def _presentation(request: HttpRequest, pk: int) -> Any:
    try:
        pres = selectors.get_presentation_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None
    if pres.leader_id not in identity(request.user).user_ids:
        raise Http404
    return pres


@login_required
def direct(request: HttpRequest, pk: int) -> HttpResponse:
    pres = _presentation(request, pk)
    doc = pres.document
    choices = selectors.assignable_within(selectors.direction_scope(pres))
    leaders = [u for u in selectors.leaders_for(doc) if u.pk != pres.leader_id]
    form = DirectionForm(request.POST if "direct" in request.POST else None, choices=choices,
                         default_deadline=doc.due_date)
    forward_form = ForwardForm(request.POST if "forward" in request.POST else None, leaders=leaders)
    status = 200
    if request.method == "POST" and "direct" in request.POST:
        if form.is_valid():
            specs = form.specs()
            if not form.errors:
                done = _run(request, form, lambda: services.direct(
                    actor=request.user, presentation=pres, text=form.cleaned_data["text"], assignees=specs))
                if done is not None:
                    messages.success(request, "Đã cho ý kiến chỉ đạo và giao xử lý.")
                    _warn(request, done.assignments.all())
                    return redirect("web:incoming_detail", pk=doc.pk)
        status = 400
    elif request.method == "POST" and "forward" in request.POST:
        if forward_form.is_valid():
            d = forward_form.cleaned_data
            done = _run(request, forward_form, lambda: services.forward(
                actor=request.user, presentation=pres, leader=d["leader"], note=d["note"]))
            if done is not None:
                messages.success(request, f"Đã chuyển {done.leader.full_name or done.leader.username}.")
                return redirect("web:box", name="direct")
        status = 400
    return render(request, "web/workflow/direct.html", {
        "page_title": "Cho ý kiến chỉ đạo", "pres": pres, "doc": doc, "form": form, "forward_form": forward_form,
    }, status=status)


# --- the assignment page -----------------------------------------------------------------


class NoteForm(VanbanForm):
    text = forms.CharField(label="Ghi chú", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(VanbanForm):
    progress = forms.IntegerField(label="Tiến độ (%)", min_value=0, max_value=100)
    text = forms.CharField(label="Nội dung", required=False, max_length=4000)


class ExtensionForm(VanbanForm):
    new_deadline = date_field("Hạn đề nghị")
    reason = forms.CharField(label="Lý do", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(VanbanForm):
    reason = forms.CharField(label="Lý do trả lại", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(VanbanForm):
    result = forms.CharField(label="Kết quả xử lý", required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ContributionForm(VanbanForm):
    text = forms.CharField(label="Ý kiến phối hợp", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class UrgeForm(VanbanForm):
    message = forms.CharField(label="Nội dung đôn đốc", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Ví dụ: Đề nghị khẩn trương hoàn thành, báo cáo trước ngày …")


class DecisionForm(VanbanForm):
    note = forms.CharField(label="Ý kiến", required=False, max_length=2000)


ACTIONS = {
    "note": NoteForm,
    "progress": ProgressForm,
    "extension": ExtensionForm,
    "return": ReturnForm,
    "complete": CompleteForm,
    "contribute": ContributionForm,
    "urge": UrgeForm,
}


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    try:
        return selectors.get_assignment_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


def _may_work(user: Any, a: Assignment) -> bool:
    if a.assignee_user_id is not None:
        return a.assignee_user_id in identity(user).user_ids
    return leads_unit(user, a.assignee_unit) is not None


def _may_urge(user: Any, a: Assignment) -> bool:
    try:
        services.authorize_urge(user, a)
    except errors.PermissionDenied:
        return False
    return True


def _files(request: HttpRequest) -> list[tuple[str, Any]]:
    return [(f.name, f) for f in request.FILES.getlist("files")]


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    forms_by_action = {name: cls(prefix=name) for name, cls in ACTIONS.items()}
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST":
        if action not in ACTIONS:
            raise Http404
        form = ACTIONS[action](request.POST, prefix=action)
        forms_by_action[action] = form
        done = None
        if form.is_valid():
            d = form.cleaned_data
            user = request.user
            calls = {
                "note": lambda: services.add_note(actor=user, assignment=a, text=d["text"], files=_files(request)),
                "progress": lambda: services.report_progress(actor=user, assignment=a, progress=d["progress"],
                                                             text=d["text"]),
                "extension": lambda: services.request_extension(actor=user, assignment=a,
                                                                new_deadline=d["new_deadline"], reason=d["reason"]),
                "return": lambda: services.return_assignment(actor=user, assignment=a, reason=d["reason"]),
                "complete": lambda: services.complete(actor=user, assignment=a, result=d["result"],
                                                      files=_files(request)),
                "contribute": lambda: services.contribute(actor=user, assignment=a, text=d["text"],
                                                          files=_files(request)),
                "urge": lambda: services.urge(actor=user, assignment=a, message=d["message"]),
            }
            done = _run(request, form, calls[action])
        if done is not None:
            messages.success(request, {
                "note": "Đã lưu ghi chú.", "progress": "Đã cập nhật tiến độ.", "extension": "Đã gửi đề nghị gia hạn.",
                "return": "Đã trả lại việc.", "complete": "Đã hoàn thành việc được giao.",
                "contribute": "Đã gửi ý kiến phối hợp.", "urge": "Đã đôn đốc, người xử lý đã được thông báo.",
            }[action])
            return redirect("web:assignment", pk=a.pk)
        status = 400
        a.refresh_from_db()
    may_work = _may_work(request.user, a)
    may_reassign = a.assignee_unit_id is not None and leads_unit(request.user, a.assignee_unit) is not None
    children = [c for c in selectors.assignment_tree(a.subject) if c.parent_id == a.pk]
    pending = a.extension_requests.filter(status="pending").first()
    if a.document_id:
        page_title = f"{a.get_role_display()}: văn bản đến số {a.document.arrival_number}"
    else:
        page_title = f"{a.get_role_display()}: {a.task.title}"
    return render(request, "web/workflow/assignment.html", {
        "page_title": page_title,
        "a": a,
        "doc": a.document,
        "task": a.task,
        "may_urge": a.is_open and a.role != Assignment.Role.INFO and _may_urge(request.user, a),
        "forms": forms_by_action,
        "open_action": action,
        "may_work": may_work and a.is_open and a.role != Assignment.Role.INFO,
        "may_reassign": may_reassign and a.is_open,
        "children": children,
        "steps": list(selectors.assignment_timeline(a)),
        "pending_extension": pending,
        "may_decide": pending is not None and a.assigned_by_id in identity(request.user).user_ids,
        "decision_form": DecisionForm(),
    }, status=status)


@login_required
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    if a.assignee_unit_id is None or leads_unit(request.user, a.assignee_unit) is None:
        raise DjangoPermissionDenied
    form = DirectionForm(request.POST or None, choices=selectors.assignable_within(a.assignee_unit), default_deadline=a.deadline)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            specs = form.specs()
            if not form.errors:
                done = _run(request, form, lambda: services.reassign(
                    actor=request.user, assignment=a, text=form.cleaned_data["text"], assignees=specs))
                if done is not None:
                    messages.success(request, "Đã giao việc trong đơn vị.")
                    _warn(request, done.assignments.all())
                    return redirect("web:assignment", pk=a.pk)
        status = 400
    return render(request, "web/workflow/reassign.html", {
        "page_title": "Giao việc trong đơn vị", "a": a, "doc": a.document, "form": form,
    }, status=status)


@login_required
@require_POST
def decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = selectors.get_extension_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        done = _run(request, form, lambda: services.decide_extension(
            actor=request.user, request=req, approve=approve, note=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, "Đã đồng ý gia hạn." if approve else "Đã không đồng ý gia hạn.")
        else:
            for error in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
                messages.error(request, error)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:assignment", args=[req.assignment_id])
    return redirect(back)


@login_required
def step_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An intermediate or result file of a step, to whoever may read the document."""
    from django.http import FileResponse

    from vanban.documents import storage
    from vanban.workflow.models import Step

    step = Step.objects.select_related("file", "document", "task").filter(pk=pk, file__isnull=False).first()
    if step is None or not selectors.subject_visible(request.user, step):
        raise Http404
    services.record_step_file_download(actor=request.user, step=step)
    response = FileResponse(storage.open_blob(step.file.sha256), as_attachment=True, filename=step.file_name,
                            content_type=step.file.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- direct tasks (giao việc trực tiếp) ------------------------------------------------------


class TaskForm(DirectionForm):
    title = forms.CharField(label="Tên công việc", max_length=500)
    content = forms.CharField(label="Nội dung, yêu cầu", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("text")
        for name in ("title", "content"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        self.order_fields(["title", "content"])


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    """Giao việc: a leader's task without a document. A line without a deadline gets the
    normal rule's default; a deadline on a day off is accepted with a warning."""
    try:
        _, scope = services.authorize_task_giver(request.user)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    form = TaskForm(request.POST or None, choices=selectors.assignable_within(scope))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            specs = form.specs()
            if not form.errors:
                d = form.cleaned_data
                task = _run(request, form, lambda: services.create_task(
                    actor=request.user, title=d["title"], content=d["content"], assignees=specs,
                    files=_files(request)))
                if task is not None:
                    messages.success(request, "Đã giao việc.")
                    _warn(request, task.assignments.all())
                    return redirect("web:task", pk=task.pk)
        status = 400
    return render(request, "web/workflow/task_form.html", {"page_title": "Giao việc", "form": form}, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        task = selectors.get_task_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None
    tree = selectors.assignment_tree(task)
    steps = list(selectors.timeline(task))
    return render(request, "web/workflow/task.html", {
        "page_title": task.title,
        "task": task,
        "tree": tree,
        "files": [s for s in steps if s.file_id and s.assignment_id is None],
        "steps": steps,
    })


class TaskListForm(VanbanForm):
    trang_thai = forms.ChoiceField(label="Trạng thái", required=False, choices=list(selectors.TASK_STATUSES.items()))
    vai_tro = forms.ChoiceField(
        label="Vai trò của tôi", required=False, choices=[("", "Tất cả"), *selectors.TASK_RELATIONS.items()]
    )

    def filters(self) -> selectors.TaskFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.TaskFilters()
        return selectors.TaskFilters(status=self.cleaned_data["trang_thai"] or "open",
                                     relation=self.cleaned_data["vai_tro"])  # fmt: skip


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Công việc được giao: the direct tasks the reader gave or takes part in, by state
    (tabs with counts), by the reader's role in them, with paging."""
    form = TaskListForm(request.GET or None)
    f = form.filters()
    page, query = _page(request, selectors.task_list(request.user, f))
    tab_query = request.GET.copy()
    for key in ("page", "trang_thai"):
        tab_query.pop(key, None)
    return render(request, "web/workflow/task_list.html", {
        "page_title": "Công việc được giao",
        "form": form,
        "filters": f,
        "statuses": selectors.TASK_STATUSES,
        "counts": selectors.task_counts(request.user, f.relation),
        "tab_query": tab_query.urlencode(),
        "page": page,
        "query": query,
        "may_give": may_give_tasks(request.user),
    })
