"""The audit log's only writer: `record`, called by every service inside its own
transaction, so the event and the change commit or roll back together."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from vanban.audit.models import AuditChainHead, AuditEvent
from vanban.core import context

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def compute_hash(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "actor_unit": event.actor_unit_id,
        "on_behalf_of": event.on_behalf_of_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "data": event.data,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "channel": event.channel,
        "prev_hash": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_canonical)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the stored value equals what was hashed.
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=_canonical))


def record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_repr: str = "",
    data: dict[str, Any] | None = None,
    on_behalf_of: Any | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    ctx = context.current()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)
    actor_unit_id = None
    if actor is not None and getattr(actor, "pk", None):
        actor_unit_id = getattr(actor, "primary_unit_id_cached", None)
        if actor_unit_id is None:
            from vanban.organisation.selectors import primary_unit_id

            actor_unit_id = primary_unit_id(actor)
        actor_username = actor_username or actor.get_username()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor if actor is not None and getattr(actor, "pk", None) else None,
            actor_username=actor_username[:150],
            actor_unit_id=actor_unit_id,
            on_behalf_of=on_behalf_of,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            target_repr=str(target_repr)[:300],
            data=_jsonable(data),
            ip_address=ctx.ip_address,
            user_agent=ctx.user_agent,
            channel=ctx.channel,
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_event_id = event.pk
        head.last_hash = event.hash
        head.save(update_fields=["last_event_id", "last_hash"])
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {"before": {...}, "after": {...}}."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {
        "before": {k: before.get(k) for k in changed},
        "after": {k: after.get(k) for k in changed},
    }


def verify_log(*, actor: Any) -> Any:
    """A system administrator checks the chain from the web or API; the check itself is
    logged, so the log shows who verified it, when, and what they saw."""
    from vanban.audit.selectors import require_log_reader
    from vanban.audit.verify import verify_chain

    authority = require_log_reader(actor)
    report = verify_chain()
    with transaction.atomic():
        record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="audit.verified",
            data={"ok": report.ok, "checked": report.checked, "broken_at": report.broken_at, "reason": report.reason},
        )
    return report
