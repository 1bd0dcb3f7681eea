"""Hồ sơ: the file plan, files, the retention report, transfer lists and the archive.
Thin: the rules are in vanban.records.services and .selectors. Each page posts an
`action`; a domain error is shown beside its field or at the top of the page."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.core import errors
from vanban.incoming.selectors import incoming_visible_to
from vanban.organisation.models import Unit
from vanban.organisation.permissions import has_role, role_codes
from vanban.organisation.roles import Role
from vanban.outgoing.models import OutgoingDocument
from vanban.outgoing.selectors import outgoing_visible_to
from vanban.records import package, permissions, selectors, services
from vanban.records.models import Dossier, DossierItem, DossierPlan, Transfer
from vanban.web.forms import VanbanForm, date_field

User = get_user_model()


# --- Forms ------------------------------------------------------------------------------------


class PlanForm(VanbanForm):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    title = forms.CharField(label="Tên danh mục (để trống: «Danh mục hồ sơ năm …»)", max_length=300, required=False)


class HeadingForm(VanbanForm):
    code = forms.CharField(label="Số thứ tự đề mục (I, II… hoặc 1, 2…)", max_length=10)
    title = forms.CharField(label="Tên đề mục", max_length=300)
    abbreviation = forms.CharField(label="Chữ viết tắt", max_length=20, required=False)


class EntryForm(VanbanForm):
    heading = forms.ModelChoiceField(label="Đề mục", queryset=None)  # type: ignore[arg-type]
    notation = forms.CharField(label="Số và ký hiệu hồ sơ", max_length=20, help_text="Ví dụ 01.TCCB")
    title = forms.CharField(label="Tiêu đề hồ sơ", max_length=500)
    retention = forms.CharField(label="Thời hạn bảo quản", max_length=30, help_text="Số năm (10, «10 năm») hoặc «Vĩnh viễn»")
    unit = forms.ModelChoiceField(label="Đơn vị lập hồ sơ", queryset=Unit.objects.filter(status="active"))
    responsible = forms.ModelChoiceField(label="Người lập hồ sơ", queryset=User.objects.filter(is_active=True),
                                         required=False)  # fmt: skip
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def __init__(self, *args: Any, plan: DossierPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["heading"].queryset = plan.headings.all()
        self.fields["responsible"].queryset = User.objects.filter(is_active=True).order_by("full_name")


class DossierForm(VanbanForm):
    title = forms.CharField(label="Tiêu đề hồ sơ", max_length=500)
    retention = forms.CharField(label="Thời hạn bảo quản", max_length=30, help_text="Số năm hoặc «Vĩnh viễn»")
    rights = forms.CharField(label="Chế độ sử dụng", max_length=30)
    creator_name = forms.CharField(label="Người lập hồ sơ", max_length=30, required=False)
    language = forms.CharField(label="Ngôn ngữ", max_length=50)
    start_date = date_field("Thời gian bắt đầu", required=False)
    end_date = date_field("Thời gian kết thúc", required=False)
    info_symbol = forms.CharField(label="Ký hiệu thông tin", max_length=30, required=False)
    keywords = forms.CharField(label="Từ khóa", max_length=300, required=False)
    physical_state = forms.CharField(label="Tình trạng vật lý", max_length=50, required=False)
    description = forms.CharField(label="Ghi chú", max_length=500, required=False)


class FileForm(VanbanForm):
    document = forms.ChoiceField(label="Văn bản", choices=[])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incoming = [(f"in:{d.pk}", f"Đến số {d.arrival_number}/{d.register.year} – {d.number_symbol} – "
                     f"{d.subject[:90]}") for d in incoming_visible_to(user)[:300]]  # fmt: skip
        issued = outgoing_visible_to(user).filter(status=OutgoingDocument.Status.ISSUED).order_by("-issued_at")[:300]
        outgoing = [(f"out:{d.pk}", f"Đi số {d.number}/{d.code_notation} – {d.subject[:90]}") for d in issued]
        self.fields["document"].choices = [("Văn bản đến", incoming), ("Văn bản đi đã ban hành", outgoing)]


class MaterialForm(VanbanForm):
    title = forms.CharField(label="Tiêu đề tài liệu", max_length=500)
    file = forms.FileField(label="Tệp (PDF, ảnh, văn bản…)")
    description = forms.CharField(label="Ghi chú", max_length=500, required=False)


class ReasonForm(VanbanForm):
    reason = forms.CharField(label="Lý do", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(VanbanForm):
    title = forms.CharField(label="Tên danh sách nộp lưu", max_length=300)
    dossiers = forms.MultipleChoiceField(label="Hồ sơ đã đóng", widget=forms.CheckboxSelectMultiple, choices=[])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].choices = [
            (str(d.pk), f"{d.code} – {d.title} ({d.retention_label})") for d in selectors.transferable_for(user)[:500]
        ]


class PackageForm(VanbanForm):
    package = forms.FileField(label="Gói nộp lưu (.zip)")


# --- Helpers ----------------------------------------------------------------------------------


def _attempt(request: HttpRequest, form: Any, call: Callable[[], Any]) -> Any:
    """Run a service; a domain error goes beside its field (or on top), nothing saved."""
    try:
        return call()
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except errors.NotFound:
        raise Http404 from None
    except errors.VanbanError as exc:
        if form is not None:
            form.add_vanban_error(exc)
        else:
            messages.error(request, exc.message)
        return None


def _get(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except errors.NotFound:
        raise Http404 from None


# --- File plan --------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    may_keep = has_role(request.user, Role.MINISTRY_CLERK)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = _attempt(request, form, lambda: services.create_plan(actor=request.user, year=d["year"],
                                                                    title=d["title"]))  # fmt: skip
        if plan:
            messages.success(request, f"Đã lập {plan.title}.")
            return redirect("web:records_plan", plan.pk)
    return render(request, "web/records/plans.html", {
        "page_title": "Danh mục hồ sơ", "plans": selectors.plans(), "form": form, "may_keep": may_keep,
    })


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(lambda: selectors.get_plan(pk))
    user = request.user
    heading_form = HeadingForm(request.POST if request.POST.get("action") == "heading" else None, prefix="h")
    entry_form = EntryForm(request.POST if request.POST.get("action") == "entry" else None, plan=plan, prefix="e")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "heading":
            if heading_form.is_valid() and _attempt(request, heading_form, lambda: services.add_heading(
                    actor=user, plan=plan, **heading_form.cleaned_data)):
                return redirect("web:records_plan", plan.pk)
        elif action == "entry":
            if entry_form.is_valid() and _attempt(request, entry_form, lambda: services.add_entry(
                    actor=user, plan=plan, **entry_form.cleaned_data)):
                messages.success(request, "Đã thêm hồ sơ vào danh mục.")
                return redirect("web:records_plan", plan.pk)
        else:
            # Plain actions: an error is shown as a message on the page we come back to.
            if action == "remove_entry":
                entry = _get(lambda: plan.entries.get(pk=int(request.POST.get("entry", 0))))
                _attempt(request, None, lambda: services.remove_entry(actor=user, entry=entry))
            elif action in ("approve", "publish"):
                call = services.approve_plan if action == "approve" else services.publish_plan
                if _attempt(request, None, lambda: call(actor=user, plan=plan)):
                    messages.success(request, "Đã duyệt danh mục hồ sơ." if action == "approve"
                                     else "Đã ban hành danh mục hồ sơ.")  # fmt: skip
            elif action == "copy":
                new = _attempt(request, None, lambda: services.copy_plan_forward(actor=user, plan=plan))
                if new:
                    messages.success(request, f"Đã sao danh mục sang năm {new.year}: kiểm tra, chỉnh sửa rồi trình duyệt.")
                    return redirect("web:records_plan", new.pk)
            elif action == "open":
                entry = _get(lambda: plan.entries.get(pk=int(request.POST.get("entry", 0))))
                dossier = _attempt(request, None, lambda: services.open_dossier(actor=user, entry=entry))
                if dossier:
                    messages.success(request, f"Đã mở hồ sơ {dossier.notation}.")
                    return redirect("web:records_dossier", dossier.pk)
            return redirect("web:records_plan", plan.pk)
    opened = dict(Dossier.objects.filter(plan_entry__plan=plan).exclude(state=Dossier.State.ARCHIVED)
                  .values_list("plan_entry_id", "pk"))  # fmt: skip
    headings = []
    entries = list(plan.entries.select_related("unit", "responsible"))
    for heading in plan.headings.all():
        rows = [e for e in entries if e.heading_id == heading.pk]
        for e in rows:
            e.dossier_id = opened.get(e.pk)  # type: ignore[attr-defined]
            e.may_open = permissions.may_manage(user, e.unit, e.responsible_id)  # type: ignore[attr-defined]
        headings.append((heading, rows))
    roles = role_codes(user)
    return render(request, "web/records/plan.html", {
        "page_title": plan.title, "plan": plan, "headings": headings, "heading_form": heading_form,
        "entry_form": entry_form, "may_keep": Role.MINISTRY_CLERK in roles,
        "may_approve": Role.MINISTRY_LEADER in roles,
    })


# --- Files ------------------------------------------------------------------------------------


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("trang-thai", "")
    state = state if state in Dossier.State.values else ""
    q = request.GET.get("q", "")[:200]
    dossiers = selectors.search_dossiers(request.user, state=state, text=q)[:500]
    return render(request, "web/records/dossiers.html", {
        "page_title": "Hồ sơ", "dossiers": dossiers, "states": Dossier.State.choices, "state": state, "q": q,
    })


def _dossier_initial(d: Dossier) -> dict[str, Any]:
    return {"title": d.title, "retention": d.retention_label, "rights": d.rights, "creator_name": d.creator_name,
            "language": d.language, "start_date": d.start_date, "end_date": d.end_date, "info_symbol": d.info_symbol,
            "keywords": d.keywords, "physical_state": d.physical_state, "description": d.description}  # fmt: skip


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    dossier = _get(lambda: selectors.get_dossier_for(user, pk))
    action = request.POST.get("action", "")
    fields_form = DossierForm(request.POST if action == "update" else None, initial=_dossier_initial(dossier))
    file_form = FileForm(request.POST if action == "file" else None, user=user)
    material_form = MaterialForm(request.POST if action == "material" else None,
                                 request.FILES if action == "material" else None)  # fmt: skip
    reason_form = ReasonForm(request.POST if action in ("reopen", "hold", "release") else None)
    if request.method == "POST":
        form_actions = {"update": fields_form, "file": file_form, "material": material_form, "reopen": reason_form,
                        "hold": reason_form, "release": reason_form}  # fmt: skip
        form = form_actions.get(action)
        if form is not None:
            if form.is_valid() and _attempt(request, form, lambda: _dossier_form_action(user, dossier, action, form)):
                return redirect("web:records_dossier", dossier.pk)
        else:
            if action in ("up", "down", "remove"):
                item = _get(lambda: dossier.items.get(pk=int(request.POST.get("item", 0))))
                if action == "remove":
                    _attempt(request, None, lambda: services.remove_item(actor=user, item=item))
                else:
                    target = item.position - 1 if action == "up" else item.position + 1
                    _attempt(request, None, lambda: services.move_item(actor=user, item=item, position=target))
            elif action == "close" and _attempt(request, None, lambda: services.close_dossier(actor=user, dossier=dossier)):
                messages.success(request, "Đã đóng hồ sơ: hồ sơ và các văn bản trong đó không sửa được nữa.")
            return redirect("web:records_dossier", dossier.pk)
    from vanban.records import content

    items = list(dossier.items.select_related("incoming", "outgoing", "file"))
    for item in items:
        item.pages = content.item_pages(item)  # type: ignore[attr-defined]
    is_open = dossier.state == Dossier.State.OPEN
    may_manage = permissions.may_manage(user, dossier.unit, dossier.creator_id)
    return render(request, "web/records/dossier.html", {
        "page_title": f"Hồ sơ {dossier.notation}", "dossier": dossier, "items": items, "is_open": is_open,
        "may_manage": may_manage and is_open, "fields_form": fields_form, "file_form": file_form,
        "material_form": material_form, "reason_form": reason_form,
        "may_reopen": dossier.state == Dossier.State.CLOSED and _can(lambda: permissions.authorize_leader_of(user, dossier.unit)),
        "may_hold": _can(lambda: permissions.authorize_legal_hold(user)) and dossier.state != Dossier.State.OPEN,
        "reopenings": dossier.reopenings.select_related("by"),
        "transfer_due": services.transfer_due(dossier), "appraisal_due": services.appraisal_due(dossier),
    })


def _dossier_form_action(user: Any, dossier: Dossier, action: str, form: Any) -> Any:
    d = form.cleaned_data
    if action == "update":
        return services.update_dossier(actor=user, dossier=dossier, changes=d)
    if action == "file":
        kind, _, doc_pk = d["document"].partition(":")
        if kind == "in":
            doc = incoming_visible_to(user).filter(pk=int(doc_pk)).first()
            return services.file_document(actor=user, dossier=dossier, incoming=doc) if doc else None
        doc = outgoing_visible_to(user).filter(pk=int(doc_pk)).first()
        return services.file_document(actor=user, dossier=dossier, outgoing=doc) if doc else None
    if action == "material":
        return services.add_material(actor=user, dossier=dossier, title=d["title"], name=d["file"].name,
                                     data=d["file"], description=d["description"])  # fmt: skip
    if action == "reopen":
        return services.reopen_dossier(actor=user, dossier=dossier, reason=d["reason"])
    return services.set_legal_hold(actor=user, dossier=dossier, hold=action == "hold", reason=d["reason"])


def _can(check: Callable[[], Any]) -> bool:
    try:
        check()
    except errors.PermissionDenied:
        return False
    return True


@login_required
def dossier_contents(request: HttpRequest, pk: int) -> HttpResponse:
    """Mục lục văn bản as a PDF, ready to print."""
    from vanban.records.printing import contents_pdf

    dossier = _get(lambda: selectors.get_dossier_for(request.user, pk))
    response = HttpResponse(contents_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="muc-luc-van-ban-{dossier.year}-{dossier.pk}.pdf"'
    return response


@login_required
def item_file(request: HttpRequest, pk: int, item_id: int) -> FileResponse:
    from vanban.documents import storage
    from vanban.records import content

    dossier = _get(lambda: selectors.get_dossier_for(request.user, pk))
    item = _get(lambda: dossier.items.get(pk=item_id))
    files = content.item_files(item) if item.kind != DossierItem.Kind.INCOMING else []
    if item.kind == DossierItem.Kind.INCOMING or not files:
        raise Http404
    name, stored = files[0]
    return FileResponse(storage.open_blob(stored.sha256), as_attachment=True, filename=name,
                        content_type=stored.content_type)  # fmt: skip


@login_required
def retention_report(request: HttpRequest) -> HttpResponse:
    return render(request, "web/records/retention.html", {
        "page_title": "Báo cáo thời hạn bảo quản", "rows": selectors.retention_report(request.user)[:2000],
    })


# --- Transfers and the archive -----------------------------------------------------------------


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TransferForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        chosen = [_get(lambda pk=pk: selectors.get_dossier_for(user, pk)) for pk in form.cleaned_data["dossiers"]]
        transfer = _attempt(request, form, lambda: services.create_transfer(
            actor=user, title=form.cleaned_data["title"], dossiers=chosen))
        if transfer:
            messages.success(request, "Đã lập danh sách nộp lưu; chờ lãnh đạo duyệt.")
            return redirect("web:records_transfer", transfer.pk)
    return render(request, "web/records/transfers.html", {
        "page_title": "Nộp lưu hồ sơ", "transfers": selectors.transfers_visible_to(user), "form": form,
        "may_prepare": bool(role_codes(user) & {Role.MINISTRY_CLERK, Role.UNIT_CLERK}),
    })


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    transfer = _get(lambda: selectors.get_transfer_for(user, pk))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "approve":
            if _attempt(request, None, lambda: services.approve_transfer(actor=user, transfer=transfer)):
                messages.success(request, "Đã duyệt danh sách nộp lưu.")
        elif action == "export":
            job = _attempt(request, None, lambda: services.start_export(actor=user, transfer=transfer))
            if job:
                messages.success(request, "Đang xuất gói nộp lưu trong nền; trang này cho biết khi xong.")
                return redirect("web:job_detail", job.pk)
        return redirect("web:records_transfer", transfer.pk)
    return render(request, "web/records/transfer.html", {
        "page_title": transfer.title, "transfer": transfer, "dossiers": transfer.dossiers.select_related("unit"),
        "may_approve": transfer.state == Transfer.State.DRAFT
        and _can(lambda: permissions.authorize_leader_of(user, transfer.unit)),
    })


@login_required
def transfer_package(request: HttpRequest, pk: int) -> FileResponse:
    transfer = _get(lambda: selectors.get_transfer_for(request.user, pk))
    if not transfer.package_path:
        raise Http404
    return FileResponse(default_storage.open(transfer.package_path, "rb"), as_attachment=True,
                        filename=f"goi-nop-luu-{transfer.pk}.zip", content_type="application/zip")  # fmt: skip


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    """The archive: files received from transfer packages, read-only; verify or import a package."""
    user = request.user
    form = PackageForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "package.zip"
            with open(path, "wb") as out:
                for chunk in form.cleaned_data["package"].chunks():
                    out.write(chunk)
            if request.POST.get("action") == "import":
                imported = _attempt(request, form, lambda: package.import_package(actor=user, path=path))
                if imported:
                    messages.success(request, f"Đã tiếp nhận {len(imported)} hồ sơ vào lưu trữ cơ quan.")
                    return redirect("web:records_archive")
            else:
                report = _attempt(request, form, lambda: package.verify_package(path))
    return render(request, "web/records/archive.html", {
        "page_title": "Lưu trữ cơ quan", "form": form, "report": report,
        "dossiers": selectors.dossiers_visible_to(user).filter(state=Dossier.State.ARCHIVED)[:500],
        "may_import": has_role(user, Role.MINISTRY_CLERK),
    })
