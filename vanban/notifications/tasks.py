"""Background work of notifications: sending the e-mails queued by `notify()`."""

from __future__ import annotations

from django_tasks import task

from vanban.notifications import delivery


@task()
def send_emails(delivery_ids: list[int]) -> dict[str, int]:
    """Send immediate notification e-mails; a failure stays pending for the worker's
    periodic sweep to retry with backoff."""
    return delivery.send_deliveries(delivery_ids)
