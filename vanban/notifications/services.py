"""`notify` is the one way any app tells people something. It only writes rows (inside
the caller's transaction); e-mail delivery is decided and sent by background work, so a
failing mail server never blocks the action that caused the notification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from vanban.core.text import clean_text
from vanban.notifications.models import Notification


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any | None = None,
    target: Model | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Create one notification per distinct recipient (the actor is never told about
    their own action). With `dedupe_key`, a person gets that notification once."""
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
            continue
        row = Notification(
            recipient=user,
            kind=kind,
            title=clean_text(title)[:300],
            body=clean_text(body),
            url=url,
            actor=actor if actor is not None and actor.pk else None,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            dedupe_key=dedupe_key,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Another transaction created the same de-duplicated notification first.
            continue
        created.append(row)
    return created


@transaction.atomic
def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
