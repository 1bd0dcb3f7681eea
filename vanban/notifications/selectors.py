"""Reads of a person's own notifications (nobody reads another person's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.notifications.models import Notification


def for_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
