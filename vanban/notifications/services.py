"""`notify` is the one way any app tells people something. It only writes rows (inside
the caller's transaction); e-mail delivery is decided here from each person's
preferences but sent by background work once the caller commits, so a failing mail
server never blocks or rolls back the action that caused the notification."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import NotFound, ValidationFailed
from vanban.core.text import clean_text
from vanban.notifications import kinds
from vanban.notifications.errors import WrongEmailState
from vanban.notifications.models import EmailDelivery, EmailMode, Notification, Preference
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role

logger = logging.getLogger(__name__)


def email_modes(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's e-mail mode for `kind` (their preference, else the default)."""
    ids = list(user_ids)
    chosen = dict(Preference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "email"))
    default = kinds.default_email(kind)
    return {pk: chosen.get(pk, default) for pk in ids}


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
    their own action). With `dedupe_key`, a person gets that notification once.

    People whose preference for `kind` is "immediate" get an e-mail queued; it is sent
    after the caller's transaction commits (nothing is queued if it rolls back)."""
    people: list[Any] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        people.append(user)
    if not people:
        return []
    modes = email_modes((u.pk for u in people), kind)
    # Addresses as stored now, not as the caller's (possibly stale) user objects say.
    mailable = set(
        get_user_model()
        .objects.filter(pk__in=[u.pk for u in people], is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    created: list[Notification] = []
    deliveries: list[int] = []
    for user in people:
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
            email_mode=modes[user.pk] if user.pk in mailable else "",
        )
        try:
            with transaction.atomic():
                row.save()
                if row.email_mode == EmailMode.IMMEDIATE:
                    delivery = EmailDelivery.objects.create(
                        recipient=user,
                        kind=EmailDelivery.Kind.IMMEDIATE,
                        notification=row,
                        next_attempt_at=timezone.now(),
                    )
                    deliveries.append(delivery.pk)
        except IntegrityError:
            # Another transaction created the same de-duplicated notification first.
            continue
        created.append(row)
    if deliveries:
        transaction.on_commit(lambda: enqueue_deliveries(deliveries), robust=True)
    return created


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Hand the e-mails to the background queue. If the queue itself is unreachable the
    rows stay pending and the worker's periodic sweep sends them later."""
    from vanban.notifications.tasks import send_emails

    try:
        send_emails.enqueue(delivery_ids)
    except Exception:
        logger.warning("could not enqueue notification e-mails %s; the periodic sweep will send them", delivery_ids,
                       exc_info=True)  # fmt: skip


@transaction.atomic
def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when `ids` is None).

    Ids that are not the person's own are refused as not found (nothing is marked), so
    nobody learns whether another person's notification exists."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        wanted = {int(i) for i in ids}
        own = set(Notification.objects.filter(recipient=user, pk__in=wanted).values_list("pk", flat=True))
        if wanted - own:
            raise NotFound("Không tìm thấy thông báo.")
        qs = qs.filter(pk__in=wanted)
    return qs.update(read_at=timezone.now())


def preferences_of(user: Any) -> list[dict[str, Any]]:
    """Every kind with the person's e-mail mode and the default, in the order of KINDS."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
    return [
        {
            "kind": kind,
            "label": label,
            "email": chosen.get(kind, kinds.default_email(kind)),
            "default_email": kinds.default_email(kind),
        }
        for kind, label in kinds.KINDS.items()
    ]


@transaction.atomic
def set_preferences(*, actor: Any, user: Any, email: Mapping[str, str]) -> list[dict[str, Any]]:
    """Set the e-mail mode of some kinds (kinds not given keep theirs). A mode equal to
    the default is stored too, so a later change of defaults does not surprise anyone
    who chose explicitly."""
    if actor is None or actor.pk != user.pk:
        # Preferences are personal: nobody, administrators included, sets another's.
        raise NotFound("Không tìm thấy tài khoản.")
    for kind, mode in email.items():
        if kind not in kinds.KINDS:
            raise ValidationFailed("unknown_kind", f"Loại thông báo «{kind}» không tồn tại.", "kind")
        if mode not in EmailMode.values:
            raise ValidationFailed(
                "invalid_email_mode", "Cách gửi thư phải là: gửi ngay, gộp vào thư tổng hợp hoặc không gửi.", kind
            )
    before = {p["kind"]: p["email"] for p in preferences_of(user)}
    changes = {k: m for k, m in email.items() if before.get(k) != m}
    for kind, mode in email.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"email": mode})
    if changes:
        audit.record(
            actor=actor,
            action="notifications.preferences_changed",
            target=user,
            data={"before": {k: before[k] for k in changes}, "after": changes},
        )
    return preferences_of(user)


# --- E-mails that could not be sent: the system administrator's actions ----------------------

ABANDON_REASON_LIMIT = 1000


def _locked_delivery(delivery: EmailDelivery, allowed: tuple[str, ...], message: str) -> EmailDelivery:
    fresh = EmailDelivery.objects.select_for_update().select_related("recipient").get(pk=delivery.pk)
    if fresh.state not in allowed:
        raise WrongEmailState("wrong_email_state", message)
    return fresh


def _audit_line(row: EmailDelivery, previous: str) -> dict[str, Any]:
    return {"recipient": row.recipient_id, "kind": row.kind, "previous": previous, "attempts": row.attempts,
            "error": row.last_error[:500]}  # fmt: skip


@transaction.atomic
def retry_email(*, actor: Any, delivery: EmailDelivery) -> EmailDelivery:
    """Gửi lại: an e-mail that was given up (or abandoned) is sent again now, by the
    background queue after this commits, with a fresh count of attempts. A pending one is
    left to its own retries (an attempt may be under way: sending it twice is worse)."""
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    row = _locked_delivery(delivery, (EmailDelivery.State.FAILED, EmailDelivery.State.ABANDONED),
                           "Chỉ gửi lại được thư đã gửi không thành công hoặc đã bỏ qua.")  # fmt: skip
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="notifications.email_retried", target=row,
                 data=_audit_line(row, row.state))  # fmt: skip
    row.state = EmailDelivery.State.PENDING
    row.attempts = 0
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["state", "attempts", "next_attempt_at"])
    pk = row.pk
    transaction.on_commit(lambda: enqueue_deliveries([pk]), robust=True)
    return row


@transaction.atomic
def abandon_email(*, actor: Any, delivery: EmailDelivery, reason: str = "") -> EmailDelivery:
    """Bỏ qua: stop trying an e-mail (failed, or still being retried). It stays in the list
    as abandoned; the notification itself is still under the person's bell."""
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    reason = clean_text(reason or "").strip()
    if len(reason) > ABANDON_REASON_LIMIT:
        raise ValidationFailed("too_long", f"Lý do dài quá {ABANDON_REASON_LIMIT} ký tự.", "reason")
    row = _locked_delivery(delivery, (EmailDelivery.State.FAILED, EmailDelivery.State.PENDING),
                           "Thư này đã gửi hoặc đã bỏ qua.")  # fmt: skip
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="notifications.email_abandoned",
                 target=row, data={**_audit_line(row, row.state), "reason": reason})  # fmt: skip
    row.state = EmailDelivery.State.ABANDONED
    row.save(update_fields=["state"])
    return row
