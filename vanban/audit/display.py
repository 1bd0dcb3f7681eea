"""How an event reads to a person: the same wording on the page, in Excel and in the API."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from vanban.audit.actions import label as action_label
from vanban.audit.models import AuditEvent

CHANNEL_LABELS = {
    "web": "Web",
    "api": "API",
    "cli": "Dòng lệnh",
    "worker": "Tác vụ nền",
    "system": "Hệ thống",
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel or "")


def local_time(event: AuditEvent) -> str:
    return timezone.localtime(event.occurred_at).strftime("%d/%m/%Y %H:%M:%S")


def person_name(user: Any | None, username: str = "") -> str:
    if user is None:
        return username
    full = getattr(user, "full_name", "") or ""
    return f"{full} ({user.username})" if full else user.username


def actor_label(event: AuditEvent) -> str:
    if event.actor_id is None:
        return f"{event.actor_username} (không xác định)" if event.actor_username else "Hệ thống"
    return person_name(event.actor, event.actor_username)


def on_behalf_label(event: AuditEvent) -> str:
    return f"thay mặt {person_name(event.on_behalf_of)}" if event.on_behalf_of_id else ""


def unit_label(event: AuditEvent) -> str:
    return event.actor_unit.name if event.actor_unit_id else ""


def target_label(event: AuditEvent) -> str:
    if event.target_repr:
        return event.target_repr
    if event.target_type:
        return f"{event.target_type} #{event.target_id}"
    return ""


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def data_rows(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, before, after) rows: a before/after diff side by side, other keys as
    (key, "", value)."""
    data = event.data if isinstance(event.data, dict) else {"data": event.data}
    rows: list[tuple[str, str, str]] = []
    before = data.get("before") if isinstance(data.get("before"), dict) else None
    after = data.get("after") if isinstance(data.get("after"), dict) else None
    if before is not None or after is not None:
        keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
        for key in keys:
            rows.append(
                (
                    key,
                    _value_text((before or {}).get(key)) if before is not None else "",
                    _value_text((after or {}).get(key)) if after is not None else "",
                )
            )
    for key, value in data.items():
        if key in ("before", "after") and isinstance(value, dict):
            continue
        rows.append((key, "", _value_text(value)))
    return rows


def data_text(event: AuditEvent) -> str:
    return json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else ""


def has_diff(event: AuditEvent) -> bool:
    return isinstance(event.data, dict) and ("before" in event.data or "after" in event.data)


def row(event: AuditEvent) -> dict[str, Any]:
    """Everything a table row shows, precomputed so templates stay simple."""
    return {
        "event": event,
        "time": local_time(event),
        "actor": actor_label(event),
        "on_behalf": on_behalf_label(event),
        "unit": unit_label(event),
        "action": action_label(event.action),
        "target": target_label(event),
        "channel": channel_label(event.channel),
        "data_rows": data_rows(event),
        "has_diff": has_diff(event),
    }
