"""Notifications: one row per person per event, shown under the bell and, by the
person's preferences, sent by e-mail (immediately or in the daily digest)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EmailMode(models.TextChoices):
    """How a person wants one kind of notification by e-mail (in the application they
    always see it under the bell)."""

    IMMEDIATE = "immediate", "Gửi thư ngay"
    DIGEST = "digest", "Gộp vào thư tổng hợp hằng ngày"
    OFF = "off", "Không gửi thư"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # A stable machine name such as "assignment.reminder"; the label comes from kinds.KINDS.
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Where the bell links to: a page of the web UI (relative URL).
    url = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the notification is about, for de-duplication ("one reminder per assignment per day").
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail decision taken when the notification was created, from the person's
    # preference then; blank when no e-mail applies (no address, inactive account).
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, blank=True)
    # The daily digest that carried this notification (each goes in at most one).
    digest = models.ForeignKey(
        "EmailDelivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="digest_items"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            # What the daily digest scans: notifications waiting for a digest.
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(email_mode="digest", digest__isnull=True),
                name="notif_digest_waiting_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_dedupe_once"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A person's choice for one kind; kinds without a row follow kinds.default_email()."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    email = models.CharField(max_length=10, choices=EmailMode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.email}"


class EmailDelivery(models.Model):
    """One e-mail to send: a single notification (immediate) or a person's daily digest.

    Sent by background work after the causing transaction commits; a failure is kept
    here (attempts, last error) and retried with backoff until MAX_ATTEMPTS."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", "Thư ngay"
        DIGEST = "digest", "Thư tổng hợp hằng ngày"

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi không thành công"
        # The system administrator gave up on it (never deleted: the failure stays visible).
        ABANDONED = "abandoned", "Đã bỏ qua"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="email_delivery"
    )
    # The Vietnam-time day a digest summarises; one digest per person per day.
    digest_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may start; also the claim lease while an attempt runs.
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    to_address = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notif_delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_date"],
                condition=models.Q(kind="digest"),
                name="notification_digest_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address or self.recipient_id} ({self.state})"


class DigestRun(models.Model):
    """Marks that the day's digests were started, so the worker's periodic hook starts
    them once a day (each person's digest is also unique per day)."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    sent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.day)
