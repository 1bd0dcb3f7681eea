"""Văn bản đến: the register list, the registration form, the document page and its
files. Thin: the rules are in vanban.incoming.services and .selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from vanban.core import errors
from vanban.documents import preview, signature_reports, storage
from vanban.documents.catalogue import ReceiptMethod, Secrecy, Urgency
from vanban.documents.errors import DocumentError
from vanban.documents.models import DocumentType, StoredFile
from vanban.documents.selectors import document_types
from vanban.extraction.prefill import PROPOSED_NOTE, prefill_for
from vanban.extraction.selectors import get_proposal_for
from vanban.extraction.services import discard_file, file_for_registration, kept_file
from vanban.incoming import selectors, services
from vanban.incoming.errors import DuplicateSuspected
from vanban.incoming.permissions import may_register
from vanban.organisation.models import Organ
from vanban.web.forms import VanbanForm, date_field

PAGE_SIZE = 25
# What text-guard.js shows under a field (kept here so every user-facing word is in Python
# or the templates). {source}, {before} and {after} are filled in by the script.
TEXT_GUARD_MESSAGES = {
    "converted": "Đã chuyển từ mã {source} sang Unicode: «{before}» → «{after}».",
    "nfc": "Đã chuyển chữ Unicode tổ hợp sang Unicode dựng sẵn (NFC).",
    "kept": "Giữ nguyên như đã gõ, không chuyển mã.",
    "undo": "Hoàn tác",
    "redo": "Chuyển mã lại",
    "sources": {"tcvn3": "TCVN3", "vni": "VNI", "viqr": "VIQR"},
}
INLINE_KINDS = {StoredFile.Kind.PDF, StoredFile.Kind.PNG, StoredFile.Kind.JPEG}
URGENCY_BADGES = {
    Urgency.NORMAL: "text-bg-light",
    Urgency.KHAN: "text-bg-warning",
    Urgency.THUONG_KHAN: "text-bg-danger",
    Urgency.HOA_TOC: "text-bg-danger",
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class IncomingForm(VanbanForm):
    document_type = forms.ModelChoiceField(label="Loại văn bản", queryset=DocumentType.objects.none())
    issuing_organ_name = forms.CharField(
        label="Cơ quan ban hành",
        max_length=200,
        widget=forms.TextInput(attrs={"list": "organ-list", "autocomplete": "off"}),
        help_text="Chọn trong danh bạ hoặc gõ tên; cơ quan chưa có sẽ được thêm vào danh bạ.",
    )
    code_number = forms.CharField(label="Số", max_length=11, required=False)
    code_notation = forms.CharField(label="Ký hiệu", max_length=30, required=False, help_text="Ví dụ: QĐ-BCT, UBND-KT")
    issued_date = date_field("Ngày tháng văn bản")
    arrival_date = forms.DateTimeField(
        label="Ngày giờ đến", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
    )
    subject = forms.CharField(label="Trích yếu nội dung", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(
        label="Người ký", max_length=50, required=False,
        widget=forms.TextInput(attrs={"list": "signer-list", "autocomplete": "off"}),
    )
    signer_position = forms.CharField(
        label="Chức vụ người ký", max_length=100, required=False,
        widget=forms.TextInput(attrs={"list": "position-list", "autocomplete": "off"}),
    )
    page_amount = forms.IntegerField(
        label="Số trang", min_value=1, max_value=999, required=False, help_text="Bỏ trống để lấy theo tệp PDF."
    )
    urgency = forms.ChoiceField(label="Độ khẩn", choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(
        label="Độ mật",
        choices=Secrecy.choices,
        initial=Secrecy.NONE,
        help_text="Văn bản mật không được đưa vào hệ thống (Quyết định 2226/QĐ-BCT).",
    )
    # "internal" is how the system itself delivers a document issued inside the ministry.
    receipt_method = forms.ChoiceField(
        label="Phương thức nhận", choices=[c for c in ReceiptMethod.choices if c[0] != ReceiptMethod.INTERNAL]
    )
    due_date = date_field("Thời hạn giải quyết", required=False)
    to_places = forms.CharField(label="Đơn vị hoặc người nhận", max_length=1000, required=False)
    language = forms.CharField(label="Ngôn ngữ", max_length=30, initial="Tiếng Việt")
    description = forms.CharField(label="Ghi chú", max_length=500, required=False)
    confirm_duplicate = forms.BooleanField(label="Vẫn đăng ký (tôi đã kiểm tra, đây là văn bản khác)", required=False)
    confirm_not_secret = forms.BooleanField(
        label="Văn bản không mật (tôi đã kiểm tra dấu độ mật trên văn bản)", required=False
    )
    # Filled by text-guard.js when the clerk undoes a conversion ("subject,signer_name").
    keep_as_typed = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    # The auto-fill proposal whose file is registered when no other file is chosen.
    proposal = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = document_types()
        for name in services.TEXT_LIMITS:
            if name in self.fields:
                self.fields[name].widget.attrs["data-text-guard"] = name

    def clean_keep_as_typed(self) -> set[str]:
        return {name.strip() for name in self.cleaned_data["keep_as_typed"].split(",") if name.strip()}


class FilterForm(VanbanForm):
    tu_ngay = date_field("Từ ngày", required=False)
    den_ngay = date_field("Đến ngày", required=False)
    do_khan = forms.ChoiceField(label="Độ khẩn", required=False, choices=[("", "Tất cả"), *Urgency.choices])
    loai = forms.ModelChoiceField(
        label="Loại văn bản", required=False, queryset=DocumentType.objects.none(), empty_label="Tất cả"
    )
    q = forms.CharField(label="Tìm", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loai"].queryset = document_types(include_inactive=True)


def _incoming_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.get_incoming_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


@login_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "date_from": data["tu_ngay"],
            "date_to": data["den_ngay"],
            "urgency": data["do_khan"],
            "document_type": data["loai"].pk if data["loai"] else None,
            "text": data["q"],
        }
    docs = selectors.search_incoming(request.user, **filters)
    page = Paginator(docs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/incoming/list.html",
        {
            "page_title": "Văn bản đến",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_register": may_register(request.user),
            "badges": URGENCY_BADGES,
            "today": timezone.localdate(),
        },
    )


def _mark_proposed(form: IncomingForm, names: set[str]) -> None:
    """Each field filled from the page says so, so the clerk checks it."""
    for name in names:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["data-proposed"] = "1"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " border-warning").strip()
            base = form.fields[name].help_text
            form.fields[name].help_text = f"{PROPOSED_NOTE} {base}".strip()


def _proposal_of(request: HttpRequest, value: Any) -> Any:
    if not value:
        return None
    try:
        return get_proposal_for(request.user, value)
    except errors.NotFound:
        return None


def _form_page(request: HttpRequest, form: IncomingForm, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "page_title": "Đăng ký văn bản đến",
        "form": form,
        "defaults": selectors.registration_defaults(request.user),
        "organs": Organ.objects.order_by("name").values_list("name", flat=True)[:2000],
        **selectors.signer_suggestions(request.user),
        "text_guard_messages": TEXT_GUARD_MESSAGES,
        **extra,
    }
    return render(request, "web/incoming/register.html", context, status=status)


@login_required
def incoming_register(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise DjangoPermissionDenied
    if request.method != "POST":
        initial: dict[str, Any] = {"arrival_date": timezone.localtime().replace(second=0, microsecond=0)}
        proposal = _proposal_of(request, request.GET.get("de_xuat"))
        prefill = prefill_for(proposal) if proposal is not None else None
        if prefill is not None:
            initial.update(prefill.initial)
            if kept_file(proposal) is not None:
                initial["proposal"] = proposal.pk
        form = IncomingForm(initial=initial)
        if prefill is not None:
            _mark_proposed(form, prefill.proposed)
        return _form_page(
            request,
            form,
            proposal=proposal,
            refusal=prefill.refusal if prefill else "",
            refusal_code="secret_document" if prefill and prefill.refusal else "",
        )
    form = IncomingForm(request.POST, request.FILES)
    proposal = _proposal_of(request, request.POST.get("proposal"))
    if not form.is_valid():
        return _form_page(request, form, status=400, proposal=proposal)
    data = form.cleaned_data
    incoming_data = services.IncomingData(
        document_type=data["document_type"],
        issuing_organ_name=data["issuing_organ_name"],
        code_number=data["code_number"],
        code_notation=data["code_notation"],
        issued_date=data["issued_date"],
        arrival_date=data["arrival_date"],
        subject=data["subject"],
        signer_name=data["signer_name"],
        signer_position=data["signer_position"],
        page_amount=data["page_amount"],
        urgency=data["urgency"],
        secrecy=data["secrecy"],
        receipt_method=data["receipt_method"],
        due_date=data["due_date"],
        to_places=data["to_places"],
        language=data["language"],
        description=data["description"],
        keep_as_typed=data["keep_as_typed"],
    )
    files: list[tuple[str, Any]] = [(f.name, f) for f in request.FILES.getlist("files")]
    if not files and proposal is not None:
        # The file read by «Đọc tự động» is registered; the same check as the API's
        # `proposal` (own, still kept, not secret), so an expired copy is said, not skipped.
        try:
            proposal, kept_name, kept = file_for_registration(actor=request.user, proposal_id=proposal.pk)
        except errors.VanbanError as exc:
            form.add_error(None, exc.message)
            return _form_page(request, form, status=400, proposal=proposal)
        files = [(kept_name, kept)]
    try:
        doc = services.register_incoming(
            actor=request.user,
            data=incoming_data,
            files=files,
            confirm_duplicate=data["confirm_duplicate"],
            confirm_not_secret=data["confirm_not_secret"],
        )
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except DuplicateSuspected as exc:
        form.add_vanban_error(exc)
        return _form_page(request, form, status=409, duplicates=exc.matches, proposal=proposal)
    except errors.VanbanError as exc:
        form.add_vanban_error(exc)
        refusal = exc.message if exc.code in ("secret_document", "forbidden_kind") else ""
        return _form_page(request, form, status=400, refusal=refusal, refusal_code=exc.code, proposal=proposal)
    if proposal is not None:
        discard_file(proposal)
    messages.success(request, f"Đã đăng ký văn bản đến số {doc.arrival_number} vào «{doc.register.name}».")
    for name, conversion in doc.text_conversions.items():
        label = form.fields[name].label if name in form.fields else name
        messages.info(
            request,
            f"{label}: đã chuyển từ mã {conversion.source.upper()} sang Unicode: "
            f"«{conversion.original}» → «{conversion.converted}».",
        )
    for name in sorted(data["keep_as_typed"]):
        label = form.fields[name].label if name in form.fields else name
        messages.info(request, f"{label}: giữ nguyên như đã gõ, không chuyển mã (theo lựa chọn «Hoàn tác»).")
    return redirect("web:incoming_detail", pk=doc.pk)


@login_required
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _incoming_or_404(request, pk)
    services.record_view(actor=request.user, document=doc)
    # Opening a document sent "để biết" is its reading (issue 3); recorded once.
    from vanban.workflow.services import record_reading

    record_reading(actor=request.user, document=doc)
    files = selectors.files_of(doc)
    reports = signature_reports.reports_for([link.file for link in files])
    for link in files:
        link.inline = link.file.kind in INLINE_KINDS  # type: ignore[attr-defined]
        link.previewable = link.file.kind in preview.PREVIEW_KINDS  # type: ignore[attr-defined]
        link.signature_report = reports.get(link.file_id)  # type: ignore[attr-defined]
    return render(
        request,
        "web/incoming/detail.html",
        {
            "page_title": f"Văn bản đến số {doc.arrival_number}",
            "doc": doc,
            "files": files,
            "events": list(doc.events.select_related("actor")),
            "badges": URGENCY_BADGES,
            **_exchange_changes(request, doc),
        },
    )


def _exchange_changes(request: HttpRequest, doc: Any) -> dict[str, Any]:
    """The sender's revocation/update/replacement requests about a document received by
    exchange, and the one that ended its validity, for the banner and the clerk's buttons."""
    from vanban.exchange.changes import changes_of, marking
    from vanban.organisation.permissions import has_role
    from vanban.organisation.roles import Role

    return {"exchange_changes": changes_of(doc), "exchange_marking": marking(doc),
            "may_decide_change": has_role(request.user, Role.MINISTRY_CLERK)}  # fmt: skip


@login_required
@xframe_options_sameorigin
def incoming_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """The stored bytes unchanged (a signed PDF stays verifiable), inline for the
    preview or as a download."""
    doc = _incoming_or_404(request, pk)
    try:
        link = selectors.get_file_of(doc, file_id)
    except errors.NotFound:
        raise Http404 from None
    inline = request.GET.get("xem") == "1" and link.file.kind in INLINE_KINDS
    services.record_file_download(actor=request.user, document=doc, link=link, inline=inline)
    response = FileResponse(
        storage.open_blob(link.file.sha256),
        as_attachment=not inline,
        filename=link.name,
        content_type=link.file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(link.file.size)
    response["ETag"] = f'"{link.file.sha256}"'
    return response


def _file_link_or_404(request: HttpRequest, pk: int, file_id: int) -> tuple[Any, Any]:
    doc = _incoming_or_404(request, pk)
    try:
        return doc, selectors.get_file_of(doc, file_id)
    except errors.NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def incoming_file_signatures(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """The signature report of one file: GET is the fragment htmx polls while the check
    is pending; POST checks the signatures again now."""
    doc, link = _file_link_or_404(request, pk, file_id)
    error = ""
    if request.method == "POST":
        try:
            signature_reports.check_file(actor=request.user, stored=link.file)
        except errors.VanbanError as exc:
            error = exc.message
        if not getattr(request, "htmx", False):
            if error:
                messages.error(request, error)
            return redirect("web:incoming_detail", pk=doc.pk)
    link.signature_report = signature_reports.report_of(link.file)  # type: ignore[attr-defined]
    return render(request, "web/documents/_signature_report.html", {"doc": doc, "link": link, "error": error})


@login_required
@xframe_options_sameorigin
def incoming_file_preview(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """A readable preview of a file the browser cannot show (DOCX, ODT, XLSX as text;
    TIFF as a PNG of its first page, loaded by the page from incoming_file_preview_image).
    `?nhung=1` is the bare page the document page embeds for its main file. Viewing the
    text is on record like opening the file; the TIFF page records when its image loads."""
    doc, link = _file_link_or_404(request, pk, file_id)
    kind = link.file.kind
    if kind not in preview.PREVIEW_KINDS:
        if kind in INLINE_KINDS:  # the browser shows the original itself
            return redirect(reverse("web:incoming_file", args=[doc.pk, link.pk]) + "?xem=1")
        raise Http404
    context: dict[str, Any] = {"page_title": f"Xem trước {link.name}", "doc": doc, "link": link}
    if kind in preview.IMAGE_KINDS:
        context["image_url"] = reverse("web:incoming_file_preview_image", args=[doc.pk, link.pk])
    else:
        try:
            context["preview"] = preview.preview_text_of(link.file)
        except DocumentError as exc:  # too large or unreadable: the page says so and offers the download
            context["preview_error"] = exc.message
        else:
            services.record_file_download(actor=request.user, document=doc, link=link, inline=True)
    template = "web/incoming/preview_embed.html" if request.GET.get("nhung") == "1" else "web/incoming/preview.html"
    return render(request, template, context)


@login_required
@xframe_options_sameorigin
def incoming_file_preview_image(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """The first page of a TIFF scan as PNG (browsers do not show TIFF). The stored
    original is not touched."""
    doc, link = _file_link_or_404(request, pk, file_id)
    if link.file.kind not in preview.IMAGE_KINDS:
        raise Http404
    try:
        image = preview.preview_image_of(link.file)
    except DocumentError as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    services.record_file_download(actor=request.user, document=doc, link=link, inline=True)
    response = HttpResponse(image.png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
