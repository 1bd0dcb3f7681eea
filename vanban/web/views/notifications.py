"""The bell in the top bar, the "Thông báo" page and the person's e-mail preferences.

Only the person's own notifications are ever read or marked (selectors filter by
recipient); another person's notification id is a 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from vanban.core.errors import VanbanError
from vanban.notifications import kinds, selectors, services
from vanban.notifications.models import EmailDelivery, EmailMode
from vanban.web.views._admin import run_action, sysadmin_required

PAGE_SIZE = 20
# htmx stops polling when it gets this status: a signed-out tab stops asking.
HTMX_STOP_POLLING = 286


def _safe_next(request: HttpRequest, url: str | None, fallback: str = "/thong-bao/") -> str:
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return url
    return fallback


def _own(request: HttpRequest, pk: int) -> Any:
    notification = selectors.for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


@require_GET
def bell_count(request: HttpRequest) -> HttpResponse:
    """The unread badge, polled by htmx from every page.

    The poll must not count as activity: sessions expire after a period without
    requests (SESSION_SAVE_EVERY_REQUEST), and a tab left open would otherwise keep the
    session alive for ever. So the session is not saved on this request."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    request.session.save = lambda *args, **kwargs: None  # type: ignore[method-assign]
    count = selectors.unread_count(request.user)
    return render(
        request,
        "web/notifications/_bell_count.html",
        {
            "count": count,
            "poll_seconds": settings.VANBAN_BELL_POLL_SECONDS,
        },
    )


@login_required
@require_GET
def bell_recent(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown: the latest notifications, loaded when it is opened."""
    # Marking all read from the dropdown returns to the page the person is on.
    here = request.htmx.current_url_abs_path if getattr(request, "htmx", None) else None
    return render(
        request,
        "web/notifications/_bell_menu.html",
        {
            "items": selectors.recent(request.user),
            "unread": selectors.unread_count(request.user),
            "next": _safe_next(request, here),
        },
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.for_user(request.user, unread=unread_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for n in page.object_list:
        n.kind_label = kinds.label(n.kind)
        n.mail = selectors.email_state(n)
    return render(
        request,
        "web/notifications/list.html",
        {
            "page_title": "Thông báo",
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "query": "unread=1" if unread_only else "",
        },
    )


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification (from the bell, the list or an e-mail) marks it read and
    goes to what it is about. A GET, because e-mail links are GETs; marking one's own
    notification read is harmless if a third party triggers it."""
    notification = _own(request, pk)
    if notification.read_at is None:
        services.mark_read(user=request.user, ids=[notification.pk])
    return redirect(_safe_next(request, notification.url))


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("all") == "1":
            count = services.mark_read(user=request.user)
        else:
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            if not ids:
                messages.warning(request, "Hãy chọn ít nhất một thông báo.")
                return redirect(_safe_next(request, request.POST.get("next")))
            count = services.mark_read(user=request.user, ids=ids)
    except VanbanError as exc:
        messages.error(request, exc.message)
        return redirect(_safe_next(request, request.POST.get("next")))
    messages.success(request, f"Đã đánh dấu {count} thông báo là đã đọc." if count else "Không có thông báo chưa đọc.")
    return redirect(_safe_next(request, request.POST.get("next")))


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        chosen = {kind: request.POST.get(f"email_{kind}", "") for kind in kinds.KINDS}
        try:
            services.set_preferences(actor=user, user=user, email=chosen)
            messages.success(request, "Đã lưu cách nhận thông báo.")
            return redirect("web:notification_preferences")
        except VanbanError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "web/notifications/preferences.html",
        {
            "page_title": "Cách nhận thông báo",
            "rows": services.preferences_of(user),
            "modes": EmailMode.choices,
            "digest_time": settings.VANBAN_NOTIFICATIONS_DIGEST_TIME,
            "has_email": bool(user.email),
        },
    )


# --- Quản trị: e-mails that could not be sent -----------------------------------------------


@sysadmin_required
def email_failures(request: HttpRequest) -> HttpResponse:
    """Thư điện tử gửi lỗi: the failed, still-retrying and abandoned notification e-mails,
    with «Gửi lại» and «Bỏ qua»."""
    state = request.GET.get("trang_thai", "failed")
    if state not in selectors.EMAIL_PROBLEMS:
        state = "failed"
    page = Paginator(selectors.email_problems(state), PAGE_SIZE * 2).get_page(request.GET.get("page"))
    return render(request, "web/notifications/email_failures.html", {
        "page_title": "Thư điện tử gửi lỗi", "page": page, "state": state, "filters": selectors.EMAIL_PROBLEMS,
        "query": f"trang_thai={state}",
    })  # fmt: skip


def _delivery(pk: int) -> EmailDelivery:
    row = EmailDelivery.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request, request.POST.get("next"), fallback=reverse("web:email_failures")))


@sysadmin_required
@require_POST
def email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run_action(request, services.retry_email, "Đã đưa thư vào hàng đợi gửi lại.", actor=request.user,
               delivery=_delivery(pk))  # fmt: skip
    return _back(request)


@sysadmin_required
@require_POST
def email_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    run_action(request, services.abandon_email, "Đã bỏ qua thư này.", actor=request.user, delivery=_delivery(pk),
               reason=request.POST.get("reason", ""))  # fmt: skip
    return _back(request)
