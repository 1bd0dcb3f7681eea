"""Exchange administration pages (system administrator): the partner directory with
CSV/Excel import, and the dead-letter list with retry and abandon."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vanban.core import errors
from vanban.exchange import outbox, partners
from vanban.exchange.models import OutboxMessage, Partner
from vanban.organisation.roles import Role
from vanban.web.forms import VanbanForm
from vanban.web.views._admin import roles_required, run_action, run_with_form, sysadmin_required


class PartnerForm(VanbanForm):
    organ_id = forms.CharField(label="Mã định danh cơ quan", max_length=64, help_text="Dạng 000.00.00.H41")
    name = forms.CharField(label="Tên cơ quan", max_length=500)
    transport = forms.ChoiceField(label="Cách truyền", choices=Partner.Transport.choices)
    endpoint = forms.CharField(label="Địa chỉ nhận", max_length=1000, required=False,
                               help_text="URL của hệ thống bên nhận (https://…) hoặc thư mục trao đổi (/srv/…)")  # fmt: skip
    inbound_token = forms.CharField(label="Mã xác thực đến (đối tác dùng khi gửi cho mình)", required=False,
                                    max_length=500, widget=forms.PasswordInput(render_value=False),
                                    help_text="Chỉ lưu mã băm. Để trống: giữ nguyên.")  # fmt: skip
    outbound_token = forms.CharField(label="Mã xác thực gửi đi (mình dùng khi gửi cho đối tác)", required=False,
                                     max_length=500, widget=forms.PasswordInput(render_value=False),
                                     help_text="Lưu mã hóa. Để trống: giữ nguyên.")  # fmt: skip
    cert_fingerprint = forms.CharField(label="Vân tay chứng thư máy khách (SHA-256)", required=False, max_length=120)
    is_active = forms.BooleanField(label="Đang hoạt động", required=False, initial=True)


class ImportForm(VanbanForm):
    file = forms.FileField(label="Tệp CSV hoặc Excel (.xlsx)")


def _data(cleaned: dict[str, Any]) -> partners.PartnerData:
    return partners.PartnerData(
        organ_id=cleaned["organ_id"], name=cleaned["name"], transport=cleaned["transport"],
        endpoint=cleaned["endpoint"], inbound_token=cleaned["inbound_token"] or None,
        outbound_token=cleaned["outbound_token"] or None, cert_fingerprint=cleaned["cert_fingerprint"],
        is_active=cleaned["is_active"],
    )  # fmt: skip


@sysadmin_required
def partner_list(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        ok, partner = run_with_form(form, partners.create_partner, actor=request.user, data=_data(form.cleaned_data))
        if ok:
            messages.success(request, f"Đã thêm cơ quan liên thông «{partner.name}».")
            return redirect("web:exchange_partners")
    rows = Partner.objects.order_by("-is_active", "name", "pk")
    return render(request, "web/exchange/partners.html", {
        "page_title": "Danh bạ liên thông", "partners": rows, "form": form, "import_form": ImportForm(),
        "columns": partners.IMPORT_COLUMNS, "tls": partners.outbound_tls(),
    })  # fmt: skip


@sysadmin_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    initial = {"organ_id": partner.organ_id, "name": partner.name, "transport": partner.transport,
               "endpoint": partner.endpoint, "cert_fingerprint": partner.cert_fingerprint,
               "is_active": partner.is_active}  # fmt: skip
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, saved = run_with_form(form, partners.update_partner, actor=request.user, partner=partner,
                                  data=_data(form.cleaned_data))  # fmt: skip
        if ok:
            messages.success(request, f"Đã lưu cơ quan liên thông «{saved.name}».")
            return redirect("web:exchange_partners")
    return render(request, "web/exchange/partner_edit.html",
                  {"page_title": f"Sửa cơ quan liên thông {partner.organ_id}", "partner": partner, "form": form})  # fmt: skip


@sysadmin_required
@require_POST
def partner_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    active = not partner.is_active
    run_action(request, partners.set_partner_active,
               f"Đã {'kích hoạt lại' if active else 'ngừng'} liên thông với «{partner.name}».",
               actor=request.user, partner=partner, active=active)  # fmt: skip
    return redirect("web:exchange_partners")


@sysadmin_required
def partner_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", "Tệp danh bạ quá 5 MB.")
        else:
            try:
                report = partners.import_partners(actor=request.user, name=upload.name, content=upload.read())
            except errors.VanbanError as exc:
                form.add_vanban_error(exc)
            else:
                if report.ok:
                    messages.success(request, f"Đã nhập danh bạ: thêm {report.created}, cập nhật {report.updated}.")
                    return redirect("web:exchange_partners")
    return render(request, "web/exchange/partner_import.html", {
        "page_title": "Nhập danh bạ liên thông", "form": form, "report": report, "columns": partners.IMPORT_COLUMNS,
    })  # fmt: skip


STATE_FILTERS = [("problems", "Lỗi và không gửi được"), *OutboxMessage.State.choices]


@sysadmin_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "problems")
    rows = OutboxMessage.objects.select_related("partner").order_by("-created_at", "-pk")
    if state == "problems":
        rows = rows.filter(state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.DEAD])
    elif state in OutboxMessage.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "web/exchange/outbox.html", {
        "page_title": "Thông điệp liên thông gửi lỗi", "page": page, "state": state, "filters": STATE_FILTERS,
    })  # fmt: skip


@sysadmin_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(OutboxMessage, pk=pk)
    run_action(request, outbox.retry, "Đã đưa thông điệp vào hàng đợi gửi lại.", actor=request.user, message=row)
    return redirect(request.POST.get("next") or "web:exchange_outbox")


@sysadmin_required
@require_POST
def outbox_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(OutboxMessage, pk=pk)
    run_action(request, outbox.abandon, "Đã hủy gửi thông điệp.", actor=request.user, message=row,
               reason=request.POST.get("reason", ""))  # fmt: skip
    return redirect("web:exchange_outbox")


# --- Received documents: the clerk accepts (03) or refuses (02) -------------------------------


RECEIVED_FILTERS = [("waiting", "Chờ xử lý"), ("received", "Chờ tiếp nhận"),
                    ("change", "Yêu cầu thu hồi, cập nhật, thay thế"), ("registered", "Đã tiếp nhận"),
                    ("refused", "Đã từ chối"), ("revoked", "Đã bị bên gửi thu hồi"),
                    ("superseded", "Đã có phiên bản mới"), ("all", "Tất cả")]  # fmt: skip


@roles_required(Role.MINISTRY_CLERK)
def received_list(request: HttpRequest) -> HttpResponse:
    from vanban.exchange.selectors import received_rows

    state = request.GET.get("status", "waiting")
    page = Paginator(received_rows(state), 50).get_page(request.GET.get("page"))
    return render(request, "web/exchange/received.html", {
        "page_title": "Văn bản liên thông đến", "page": page, "state": state, "filters": RECEIVED_FILTERS,
    })  # fmt: skip


@roles_required(Role.MINISTRY_CLERK)
@require_POST
def received_accept(request: HttpRequest, pk: int) -> HttpResponse:
    from vanban.exchange.models import ReceivedMessage
    from vanban.exchange.services import accept_received

    row = get_object_or_404(ReceivedMessage, pk=pk)
    ok, doc = run_action(request, accept_received, "Đã tiếp nhận, vào sổ văn bản đến và báo trạng thái 03 cho bên gửi.",
                         actor=request.user, message=row,
                         confirm_duplicate=request.POST.get("confirm_duplicate") == "1")  # fmt: skip
    if ok:
        return redirect("web:incoming_detail", pk=doc.pk)
    return redirect("web:exchange_received")


@roles_required(Role.MINISTRY_CLERK)
@require_POST
def received_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    from vanban.exchange.models import ReceivedMessage
    from vanban.exchange.services import refuse_received

    row = get_object_or_404(ReceivedMessage, pk=pk)
    run_action(request, refuse_received, "Đã từ chối và báo trạng thái 02 kèm lý do cho bên gửi.",
               actor=request.user, message=row, reason=request.POST.get("reason", ""))  # fmt: skip
    return redirect("web:exchange_received")


# --- Change requests (revocation, update, replacement, take-back): accept (15) or refuse (16) ---


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("web:exchange_received")


@roles_required(Role.MINISTRY_CLERK)
@require_POST
def change_accept(request: HttpRequest, pk: int) -> HttpResponse:
    from vanban.exchange.changes import accept_change
    from vanban.exchange.models import ChangeRequest

    row = get_object_or_404(ChangeRequest, pk=pk)
    run_action(request, accept_change, "Đã đồng ý yêu cầu và báo trạng thái 15 cho bên gửi.", actor=request.user,
               change=row)  # fmt: skip
    return _back(request)


@roles_required(Role.MINISTRY_CLERK)
@require_POST
def change_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    from vanban.exchange.changes import refuse_change
    from vanban.exchange.models import ChangeRequest

    row = get_object_or_404(ChangeRequest, pk=pk)
    run_action(request, refuse_change, "Đã từ chối yêu cầu và báo trạng thái 16 kèm lý do cho bên gửi.",
               actor=request.user, change=row, reason=request.POST.get("reason", ""))  # fmt: skip
    return _back(request)
