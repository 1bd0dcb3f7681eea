"""Văn bản đi: boxes, drafting, the document page with its review chain and actions.
Thin: the rules are in vanban.outgoing.services and .selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.core import errors
from vanban.documents import storage
from vanban.documents.catalogue import Urgency
from vanban.documents.models import DocumentType
from vanban.documents.selectors import document_types
from vanban.organisation.models import Organ, RoleGrant, Unit
from vanban.organisation.roles import Role, SigningAuthority
from vanban.outgoing import selectors, services
from vanban.outgoing.models import OutgoingDocument, ReviewTask, Version
from vanban.outgoing.permissions import DRAFTER_ROLES
from vanban.web.forms import VanbanForm, date_field
from vanban.workflow.permissions import identity

PAGE_SIZE = 25
User = get_user_model()


def _leaders() -> Any:
    ids = RoleGrant.objects.filter(role__in=[Role.MINISTRY_LEADER, Role.UNIT_LEADER]).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")


def _recipient_choices() -> list[Any]:
    units = [(f"unit:{u.pk}", ("— " * max(u.depth, 0)) + u.name) for u in Unit.objects.filter(status="active")]
    organs = [(f"organ:{o.pk}", o.name) for o in Organ.objects.filter(is_own=False).order_by("name")[:2000]]
    return [("Đơn vị trong Bộ", units), ("Cơ quan bên ngoài", organs)]


class DraftForm(VanbanForm):
    document_type = forms.ModelChoiceField(label="Loại văn bản", queryset=DocumentType.objects.none())
    subject = forms.CharField(label="Trích yếu nội dung", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    signer = forms.ModelChoiceField(label="Người ký", queryset=User.objects.none(), required=False)
    signer_position = forms.CharField(label="Chức vụ người ký", max_length=100, required=False)
    signing_authority = forms.ChoiceField(label="Quyền hạn ký", required=False,
                                          choices=[("", "Ký trực tiếp"), *SigningAuthority.choices])
    urgency = forms.ChoiceField(label="Độ khẩn", choices=Urgency.choices, initial=Urgency.NORMAL)
    recipients = forms.MultipleChoiceField(label="Gửi đến (trong Bộ và bên ngoài)", required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    to_places = forms.CharField(label="Nơi nhận (như in trên văn bản)", max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    emails = forms.CharField(label="Gửi thư điện tử đến (các địa chỉ, cách nhau bởi dấu phẩy)", required=False,
                             max_length=2000)
    restricted = forms.BooleanField(label="Hạn chế công bố (ban hành nhưng không phát hành, không gửi điện tử)",
                                    required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = document_types()
        self.fields["signer"].queryset = _leaders()
        self.fields["recipients"].choices = _recipient_choices()

    def draft_data(self, **extra: Any) -> services.DraftData:
        d = self.cleaned_data
        recipients: list[tuple[str, Any]] = [(v.split(":")[0], int(v.split(":")[1])) for v in d["recipients"]]
        recipients += [("email", e.strip()) for e in d["emails"].replace(";", ",").split(",") if e.strip()]
        return services.DraftData(
            document_type=d["document_type"], subject=d["subject"], signer=d["signer"],
            signer_position=d["signer_position"], signing_authority=d["signing_authority"], urgency=d["urgency"],
            to_places=d["to_places"], restricted=d["restricted"], recipients=recipients, **extra,
        )


class NewDraftForm(DraftForm):
    file = forms.FileField(label="Tệp dự thảo (DOCX, ODT hoặc PDF)")
    comment = forms.CharField(label="Ghi chú phiên bản", max_length=2000, required=False)


def _run(form: forms.Form, action: Any) -> Any:
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
def outgoing_list(request: HttpRequest, box: str = "drafts") -> HttpResponse:
    if box not in selectors.BOXES:
        raise Http404
    q = request.GET.get("q", "")[:200]
    page = Paginator(selectors.in_box(request.user, box, q), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    from vanban.organisation.permissions import role_codes

    return render(request, "web/outgoing/list.html", {
        "page_title": "Văn bản đi", "box": box, "boxes": selectors.BOXES, "page": page, "q": q,
        "query": query.urlencode(), "counts": selectors.counts(request.user),
        "may_draft": bool(role_codes(request.user) & DRAFTER_ROLES),
    })


@login_required
def outgoing_new(request: HttpRequest) -> HttpResponse:
    reply_to = request.GET.get("tra-loi") or request.POST.get("reply_to") or None
    assignment = request.GET.get("viec") or request.POST.get("for_assignment") or None
    form = NewDraftForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        doc = _run(form, lambda: services.create_draft(
            actor=request.user, data=form.draft_data(reply_to=reply_to, for_assignment=assignment),
            file=(d["file"].name, d["file"]), comment=d["comment"]))
        if doc is not None:
            messages.success(request, "Đã tạo dự thảo.")
            return redirect("web:outgoing_detail", pk=doc.pk)
    return render(request, "web/outgoing/new.html", {
        "page_title": "Soạn thảo văn bản đi", "form": form, "reply_to": reply_to, "assignment": assignment,
    }, status=400 if request.method == "POST" else 200)


class VersionForm(VanbanForm):
    file = forms.FileField(label="Tệp")
    comment = forms.CharField(label="Ghi chú phiên bản", max_length=2000, required=False)


class ReviewForm(VanbanForm):
    comment = forms.CharField(label="Ý kiến", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label="Bản đã sửa (nếu có)", required=False)


class OpinionForm(VanbanForm):
    target = forms.ChoiceField(label="Đơn vị hoặc người được xin ý kiến")
    question = forms.CharField(label="Nội dung xin ý kiến", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field("Hạn góp ý")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = [(f"unit:{u.pk}", u.name) for u in Unit.objects.filter(status="active")]
        people = [(f"user:{p.pk}", p.full_name or p.username) for p in _leaders()]
        self.fields["target"].choices = [("", "— Chọn —"), ("Đơn vị", units), ("Lãnh đạo", people)]


class AnswerForm(VanbanForm):
    opinion = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label="Ý kiến góp ý", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class SecretForm(VanbanForm):
    secret = forms.CharField(label="Mật khẩu (PIN) chứng thư số", strip=False, max_length=200,
                             widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class SealForm(VanbanForm):
    secret = forms.CharField(label="Mật khẩu khóa con dấu số của cơ quan", strip=False, max_length=200,
                             required=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class ReasonForm(VanbanForm):
    reason = forms.CharField(label="Lý do thu hồi", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(VanbanForm):
    relation = forms.ChoiceField(label="Loại", choices=[("update", "Cập nhật văn bản này"),
                                                        ("replace", "Thay thế văn bản này")])
    file = forms.FileField(label="Tệp dự thảo mới (DOCX, ODT hoặc PDF)")
    comment = forms.CharField(label="Lý do", max_length=2000, required=False)


class CopyForm(VanbanForm):
    kind = forms.ChoiceField(label="Hình thức sao", choices=[("sao_y", "Sao y"), ("sao_luc", "Sao lục"),
                                                              ("trich_sao", "Trích sao")])
    file = forms.FileField(label="Phần trích (PDF, chỉ với trích sao)", required=False)
    note = forms.CharField(label="Ghi chú", max_length=2000, required=False)
    secret = forms.CharField(label="Mật khẩu khóa con dấu số của cơ quan", strip=False, max_length=200,
                             required=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class SubmitForm(VanbanForm):
    note = forms.CharField(label="Nội dung trình (phiếu trình)", max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, suggested: list[tuple[str, list[Any]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = []
        labels = dict(ReviewTask.Step.choices)
        for i, (step, people) in enumerate(suggested):
            if step == ReviewTask.Step.SIGNER:
                continue
            name = f"step_{i}_{step}"
            choices = [("", "— Bỏ qua bước này —")] + [(p.pk, p.full_name or p.username) for p in people]
            if not people and step != ReviewTask.Step.DEPARTMENT_HEAD:
                choices += [(p.pk, p.full_name or p.username) for p in _leaders()]
            self.fields[name] = forms.ChoiceField(label=labels[step], choices=choices, required=False,
                                                  initial=people[0].pk if people else "")
            self.fields[name].widget.attrs["class"] = "form-select"
            self.steps.append((name, step))

    def reviewers(self) -> list[tuple[str, Any]]:
        return [(step, self.cleaned_data[name]) for name, step in self.steps if self.cleaned_data.get(name)]


ACTIONS = ("version", "submit", "approve", "return", "opinion", "answer", "sign", "issue", "recall", "correction", "copy")


def _document(request: HttpRequest, pk: int) -> OutgoingDocument:
    try:
        return selectors.get_outgoing_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


@login_required
def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    user = request.user
    ident = identity(user)
    suggested = services.suggested_reviewers(doc)
    forms_: dict[str, Any] = {
        "version": VersionForm(prefix="version"), "submit": SubmitForm(prefix="submit", suggested=suggested),
        "approve": ReviewForm(prefix="approve"), "return": ReviewForm(prefix="return"),
        "opinion": OpinionForm(prefix="opinion"), "answer": AnswerForm(prefix="answer"),
        "sign": SecretForm(prefix="sign"), "issue": SealForm(prefix="issue"), "recall": ReasonForm(prefix="recall"),
        "correction": CorrectionForm(prefix="correction"), "copy": CopyForm(prefix="copy"),
    }
    action = request.POST.get("action", "")
    status = 200
    if request.method == "POST":
        if action not in ACTIONS:
            raise Http404
        form = {
            "submit": lambda: SubmitForm(request.POST, prefix="submit", suggested=suggested),
        }.get(action, lambda: type(forms_[action])(request.POST, request.FILES, prefix=action))()
        forms_[action] = form
        done = None
        if form.is_valid():
            d = form.cleaned_data
            upload = (d["file"].name, d["file"]) if d.get("file") else None
            calls = {
                "version": lambda: services.add_version(actor=user, document=doc, file=upload, comment=d["comment"]),
                "submit": lambda: services.submit(actor=user, document=doc, note=d["note"], reviewers=form.reviewers()),
                "approve": lambda: services.approve(actor=user, document=doc, comment=d["comment"], file=upload),
                "return": lambda: services.return_for_changes(actor=user, document=doc, comment=d["comment"]),
                "opinion": lambda: services.request_opinion(
                    actor=user, document=doc, question=d["question"], deadline=d["deadline"],
                    **{d["target"].split(":")[0]: int(d["target"].split(":")[1])}),
                "answer": lambda: services.answer_opinion(
                    actor=user, opinion=selectors.get_opinion_for(user, d["opinion"]), answer=d["answer"]),
                "sign": lambda: services.sign(actor=user, document=doc, secret=d["secret"]),
                "issue": lambda: services.issue(actor=user, document=doc, seal_secret=d["secret"] or None),
                "recall": lambda: services.recall(actor=user, document=doc, reason=d["reason"]),
                "copy": lambda: services.make_copy(actor=user, document=doc, kind=d["kind"], excerpt=upload,
                                                   seal_secret=d["secret"] or None, note=d["note"]),
                "correction": lambda: services.start_correction(actor=user, document=doc, relation=d["relation"],
                                                                file=upload, comment=d["comment"]),
            }
            done = _run(form, calls[action])
        if done is not None and action == "correction":
            messages.success(request, "Đã tạo dự thảo mới để cập nhật, thay thế văn bản.")
            return redirect("web:outgoing_detail", pk=done.pk)
        if done is not None:
            messages.success(request, {
                "version": "Đã thêm phiên bản.", "submit": "Đã trình duyệt.", "approve": "Đã duyệt.",
                "return": "Đã trả lại người soạn thảo.", "opinion": "Đã gửi xin ý kiến.", "answer": "Đã gửi góp ý.",
                "sign": "Đã ký số.", "issue": "Đã ban hành văn bản.", "recall": "Đã thu hồi văn bản.",
                "copy": "Đã tạo bản sao.",
            }[action])
            return redirect("web:outgoing_detail", pk=doc.pk)
        status = 400
        doc.refresh_from_db()
    from vanban.organisation.permissions import has_role, role_codes

    pending = doc.reviews.filter(status=ReviewTask.Status.PENDING).first()
    is_drafter = doc.created_by_id in ident.user_ids
    return render(request, "web/outgoing/detail.html", {
        "page_title": str(doc), "doc": doc, "forms": forms_, "open_action": action,
        "versions": _with_reports(list(doc.versions.select_related("file", "created_by"))),
        "copies": list(doc.copies.select_related("file", "created_by")),
        "reviews": list(doc.reviews.select_related("reviewer", "decided_by", "version")),
        "submissions": list(doc.submissions.select_related("submitted_by", "version")),
        "events": list(doc.events.select_related("actor", "on_behalf_of")),
        "opinions": selectors.opinions_for(user, doc),
        "recipients": list(doc.recipients.select_related("unit", "user", "organ", "incoming", "exchange")),
        "is_drafter": is_drafter,
        "editable": is_drafter and doc.status in services.EDITABLE,
        "may_review": pending is not None and pending.reviewer_id in ident.user_ids,
        "may_sign": doc.status == OutgoingDocument.Status.APPROVED and doc.signer_id == user.pk,
        "may_issue": doc.status == OutgoingDocument.Status.SIGNED and has_role(user, Role.MINISTRY_CLERK),
        "may_recall": doc.status == OutgoingDocument.Status.ISSUED and has_role(user, Role.MINISTRY_CLERK),
        "may_add_final": is_drafter and doc.status == OutgoingDocument.Status.APPROVED,
        "may_correct": doc.status == OutgoingDocument.Status.ISSUED and bool(role_codes(user) & DRAFTER_ROLES),
    }, status=status)


def _with_reports(versions: list[Version]) -> list[Version]:
    from vanban.documents.signature_reports import reports_for

    reports = reports_for([v.file for v in versions])
    for v in versions:
        v.signature_report = reports.get(v.file_id)  # type: ignore[attr-defined]
    return versions


@login_required
def outgoing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    initial = {
        "document_type": doc.document_type_id, "subject": doc.subject, "signer": doc.signer_id,
        "signer_position": doc.signer_position, "signing_authority": doc.signing_authority, "urgency": doc.urgency,
        "to_places": doc.to_places, "restricted": doc.restricted,
        "emails": ", ".join(r.email for r in doc.recipients.all() if r.email),
        "recipients": [f"{k}:{getattr(r, f'{k}_id')}" for r in doc.recipients.all() for k in ("unit", "organ")
                       if getattr(r, f"{k}_id")],
    }  # fmt: skip
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.update_draft(actor=request.user, document=doc, data=form.draft_data()))
        if done is not None:
            messages.success(request, "Đã lưu dự thảo.")
            return redirect("web:outgoing_detail", pk=doc.pk)
    return render(request, "web/outgoing/edit.html", {"page_title": "Sửa dự thảo", "doc": doc, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def outgoing_version_file(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    doc = _document(request, pk)
    version = Version.objects.select_related("file").filter(document=doc, pk=version_id).first()
    if version is None:
        raise Http404
    services.record_version_download(actor=request.user, document=doc, version=version)
    inline = request.GET.get("xem") == "1" and version.file.kind == "pdf"
    response = FileResponse(storage.open_blob(version.file.sha256), as_attachment=not inline,
                            filename=version.file_name, content_type=version.file.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def outgoing_copy_file(request: HttpRequest, pk: int, copy_id: int) -> HttpResponse:
    doc = _document(request, pk)
    copy = doc.copies.select_related("file").filter(pk=copy_id).first()
    if copy is None:
        raise Http404
    services.record_copy_download(actor=request.user, document=doc, copy=copy)
    response = FileResponse(storage.open_blob(copy.file.sha256), as_attachment=True, filename=copy.file_name,
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RouteForm(VanbanForm):
    document_type = forms.ModelChoiceField(label="Loại văn bản", queryset=DocumentType.objects.none(),
                                           required=False, empty_label="Mọi loại")
    unit = forms.ModelChoiceField(label="Đơn vị soạn thảo", queryset=Unit.objects.none(), required=False,
                                  empty_label="Mọi đơn vị")
    steps = forms.MultipleChoiceField(
        label="Các bước duyệt trước người ký (theo thứ tự)", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[c for c in ReviewTask.Step.choices if c[0] != ReviewTask.Step.SIGNER],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from vanban.organisation.selectors import units_administered_by

        self.fields["document_type"].queryset = document_types()
        self.fields["unit"].queryset = units_administered_by(user)


@login_required
def review_routes(request: HttpRequest) -> HttpResponse:
    from vanban.organisation.permissions import is_admin
    from vanban.outgoing.models import ReviewRoute

    if not is_admin(request.user):
        raise DjangoPermissionDenied
    form = RouteForm(request.POST or None, user=request.user)
    if request.method == "POST" and "delete" in request.POST:
        route = selectors.review_routes_for(request.user).filter(pk=request.POST.get("delete")).first()
        if route is None:
            raise Http404
        _run(form, lambda: services.delete_review_route(actor=request.user, route=route))
        messages.success(request, "Đã xóa quy trình duyệt.")
        return redirect("web:review_routes")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _run(form, lambda: services.set_review_route(actor=request.user, document_type=d["document_type"],
                                                            unit=d["unit"], steps=d["steps"]))
        if done is not None:
            messages.success(request, "Đã lưu quy trình duyệt.")
            return redirect("web:review_routes")
    return render(request, "web/outgoing/routes.html", {
        "page_title": "Quy trình duyệt văn bản đi", "form": form,
        "routes": selectors.review_routes_for(request.user), "step_labels": dict(ReviewTask.Step.choices),
        "default_steps": [dict(ReviewTask.Step.choices)[s] for s in services.DEFAULT_STEPS],
        "total": ReviewRoute.objects.count(),
    }, status=400 if request.method == "POST" else 200)
