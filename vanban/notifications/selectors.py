"""Reads of a person's own notifications (nobody reads another person's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.notifications.models import EmailDelivery, Notification

RECENT = 8


def for_user(user: Any, *, unread: bool = False) -> QuerySet[Notification]:
    """The person's notifications, newest first, with what the list shows (the actor's
    name, the e-mail state) fetched in the same query."""
    qs = Notification.objects.filter(recipient=user).select_related("actor", "email_delivery")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def recent(user: Any, limit: int = RECENT) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).select_related("actor")[:limit])


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_state(notification: Notification) -> str:
    """ "sent", "pending", "failed", "digest" (waiting for or carried by the digest) or ""."""
    delivery = getattr(notification, "email_delivery", None)
    if delivery is not None:
        return delivery.state
    if notification.email_mode == "digest":
        return "digest"
    return ""


EMAIL_PROBLEMS = {
    "failed": "Gửi không thành công",
    "retrying": "Đang chờ gửi lại",
    "abandoned": "Đã bỏ qua",
}


def email_problems(state: str = "failed") -> QuerySet[EmailDelivery]:
    """E-mails that could not be sent, for the system administrator: given up after the
    last attempt ("failed"), failing and waiting for their next attempt ("retrying"), or
    abandoned. Newest failure first."""
    from vanban.core.errors import NotFound

    qs = EmailDelivery.objects.select_related("recipient", "notification")
    if state == "failed":
        qs = qs.filter(state=EmailDelivery.State.FAILED)
    elif state == "retrying":
        qs = qs.filter(state=EmailDelivery.State.PENDING, attempts__gt=0).exclude(last_error="")
    elif state == "abandoned":
        qs = qs.filter(state=EmailDelivery.State.ABANDONED)
    else:
        raise NotFound("Không có bộ lọc này.")
    return qs.order_by("-next_attempt_at", "-pk")
