"""Reads of a person's own notifications (nobody reads another person's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.notifications.models import Notification

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
