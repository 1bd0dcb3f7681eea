"""E-mail delivery of notifications: immediate e-mails and the daily digest.

Runs in the background (the `send_emails` task after the causing transaction commits,
and the worker's periodic sweep for retries and digests), never inside a user's
action. Each e-mail is an `EmailDelivery` row that is claimed before sending (a lease
on `next_attempt_at`, so two workers never send the same one), and on failure keeps the
error and waits with backoff for the next attempt."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vanban.core.timeutil import format_date
from vanban.notifications import kinds
from vanban.notifications.models import DigestRun, EmailDelivery, EmailMode, Notification, Preference

logger = logging.getLogger(__name__)

# Wait after the n-th failed attempt; after MAX_ATTEMPTS the e-mail is given up (failed).
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claimed e-mail is not picked up again for this long; longer than any SMTP timeout,
# short enough that a worker killed mid-send delays the e-mail only a little.
LEASE = dt.timedelta(minutes=10)
# The digest carries unread notifications of at most this many past days, so a person
# who has been away does not get months of history at once.
DIGEST_LOOKBACK = dt.timedelta(days=7)
DIGEST_MAX_ITEMS = 200
SWEEP_BATCH = 100
SUBJECT_PREFIX = "[Văn bản điện tử] "


def backoff_after(attempts: int) -> dt.timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _absolute(path: str) -> str:
    return settings.VANBAN_PUBLIC_URL.rstrip("/") + path


def _open_url(notification: Notification) -> str:
    return _absolute(reverse("web:notification_open", args=[notification.pk]))


def _context(delivery: EmailDelivery, user: Any) -> dict[str, Any]:
    base = {
        "user": user,
        "name": user.get_full_name() or user.get_username(),
        "site_url": _absolute("/"),
        "list_url": _absolute(reverse("web:notifications")),
        "preferences_url": _absolute(reverse("web:notification_preferences")),
    }
    if delivery.kind == EmailDelivery.Kind.IMMEDIATE:
        n = delivery.notification
        assert n is not None
        return {**base, "n": n, "kind_label": kinds.label(n.kind), "open_url": _open_url(n),
                "created": format_date(n.created_at)}  # fmt: skip
    items = list(delivery.digest_items.order_by("kind", "created_at", "pk")[:DIGEST_MAX_ITEMS])
    groups: dict[str, list[dict[str, Any]]] = {}
    for n in items:
        groups.setdefault(kinds.label(n.kind), []).append(
            {"n": n, "open_url": _open_url(n), "created": format_date(n.created_at)}
        )
    return {**base, "groups": list(groups.items()), "count": len(items), "day": format_date(delivery.digest_date)}


def build_message(delivery: EmailDelivery, user: Any, connection: Any = None) -> EmailMultiAlternatives:
    """The e-mail in Vietnamese, as plain text with an HTML alternative."""
    context = _context(delivery, user)
    if delivery.kind == EmailDelivery.Kind.IMMEDIATE:
        subject = SUBJECT_PREFIX + context["n"].title
        name = "notification"
    else:
        subject = SUBJECT_PREFIX + f"Tổng hợp thông báo ngày {context['day']} ({context['count']} thông báo chưa đọc)"
        name = "digest"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:250],
        body=render_to_string(f"notifications/email/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"notifications/email/{name}.html", context), "text/html")
    return message


def _claim(ids: Iterable[int], now: dt.datetime) -> list[EmailDelivery]:
    """Take the due, pending deliveries among `ids` for this attempt (one UPDATE per row,
    so a delivery another worker took in the meantime is skipped)."""
    claimed = []
    for pk in ids:
        taken = EmailDelivery.objects.filter(pk=pk, state=EmailDelivery.State.PENDING, next_attempt_at__lte=now).update(
            next_attempt_at=now + LEASE, attempts=F("attempts") + 1
        )
        if taken:
            claimed.append(pk)
    return list(EmailDelivery.objects.filter(pk__in=claimed).select_related("recipient", "notification").order_by("pk"))


def _failed(delivery: EmailDelivery, error: str, now: dt.datetime, *, final: bool = False) -> None:
    give_up = final or delivery.attempts >= MAX_ATTEMPTS
    # Only while still pending: an administrator may have abandoned it during the attempt.
    EmailDelivery.objects.filter(pk=delivery.pk, state=EmailDelivery.State.PENDING).update(
        state=EmailDelivery.State.FAILED if give_up else EmailDelivery.State.PENDING,
        next_attempt_at=now if give_up else now + backoff_after(delivery.attempts),
        last_error=error[:500],
    )
    logger.warning("notification e-mail %s failed (attempt %s%s): %s", delivery.pk, delivery.attempts,
                   ", giving up" if give_up else "", error)  # fmt: skip


def send_deliveries(ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the given deliveries that are due; returns counts by outcome."""
    now = now or timezone.now()
    deliveries = _claim(ids, now)
    result = {"sent": 0, "failed": 0}
    if not deliveries:
        return result
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        # The server is unreachable: every claimed e-mail waits for its next attempt,
        # without trying each one against a dead server.
        for delivery in deliveries:
            _failed(delivery, f"{type(exc).__name__}: {exc}", now)
        result["failed"] = len(deliveries)
        return result
    try:
        for delivery in deliveries:
            user = delivery.recipient
            if not user.email or not user.is_active:
                _failed(delivery, "Tài khoản không có địa chỉ thư điện tử hoặc đã bị vô hiệu hóa.", now, final=True)
                result["failed"] += 1
                continue
            try:
                build_message(delivery, user, connection).send(fail_silently=False)
            except Exception as exc:
                _failed(delivery, f"{type(exc).__name__}: {exc}", now)
                result["failed"] += 1
                continue
            EmailDelivery.objects.filter(pk=delivery.pk).update(
                state=EmailDelivery.State.SENT, sent_at=timezone.now(), to_address=user.email[:254], last_error=""
            )
            result["sent"] += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP session must not hide what was sent
            logger.debug("closing the mail connection failed", exc_info=True)
    return result


def deliver_due(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """The sweep: pending e-mails whose time has come (retries, and any whose queued task
    was lost), oldest first."""
    now = now or timezone.now()
    due = list(
        EmailDelivery.objects.filter(state=EmailDelivery.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return send_deliveries(due, now=now)


def build_digests(*, day: dt.date | None = None, now: dt.datetime | None = None) -> list[int]:
    """Create today's digest rows: one per person with unread notifications waiting for
    a digest. A person who already has the day's digest gets no second one (the unique
    constraint settles races between two workers)."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    waiting = Notification.objects.filter(
        email_mode=EmailMode.DIGEST,
        digest__isnull=True,
        read_at__isnull=True,
        created_at__gte=now - DIGEST_LOOKBACK,
        created_at__lte=now,
    )
    people = sorted(set(waiting.values_list("recipient_id", flat=True)))
    created: list[int] = []
    for user_id in people:
        if EmailDelivery.objects.filter(kind=EmailDelivery.Kind.DIGEST, recipient_id=user_id, digest_date=day).exists():
            continue
        # A kind switched off since the notification was made is no longer e-mailed.
        off = set(Preference.objects.filter(user_id=user_id, email=EmailMode.OFF).values_list("kind", flat=True))
        items = list(
            waiting.filter(recipient_id=user_id)
            .exclude(kind__in=off)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:DIGEST_MAX_ITEMS]
        )
        if not items:
            continue
        try:
            with transaction.atomic():
                delivery = EmailDelivery.objects.create(
                    recipient_id=user_id, kind=EmailDelivery.Kind.DIGEST, digest_date=day, next_attempt_at=now
                )
                Notification.objects.filter(pk__in=items, digest__isnull=True).update(digest=delivery)
        except IntegrityError:
            continue
        created.append(delivery.pk)
    return created


def send_daily_digests(*, day: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    created = build_digests(day=day, now=now)
    result = send_deliveries(created, now=now)
    return {"digests": len(created), **result}


def digest_time() -> dt.time:
    hour, _, minute = settings.VANBAN_NOTIFICATIONS_DIGEST_TIME.partition(":")
    return dt.time(int(hour), int(minute or 0))


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's periodic hook: send due e-mails, and once a day, from the digest
    time on (Vietnam time), the daily digests."""
    now = now or timezone.now()
    result = deliver_due(now=now)
    local = timezone.localtime(now)
    if local.time() >= digest_time() and not DigestRun.objects.filter(day=local.date()).exists():
        try:
            with transaction.atomic():
                run = DigestRun.objects.create(day=local.date())
        except IntegrityError:
            return result  # another worker started today's digests
        digests = send_daily_digests(day=local.date(), now=now)
        DigestRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), sent=digests["sent"])
        result = {"digests": digests["digests"], "sent": result["sent"] + digests["sent"],
                  "failed": result["failed"] + digests["failed"]}  # fmt: skip
    return result
