from __future__ import annotations

from dataclasses import dataclass

from vanban.audit.models import AuditChainHead, AuditEvent
from vanban.audit.services import GENESIS_HASH, compute_hash


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in id order and report the first broken link."""
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != prev:
                return ChainReport(False, checked, event.pk, "liên kết với sự kiện trước bị đứt (có sự kiện bị xóa hoặc sửa)")
            if compute_hash(event) != event.hash:
                return ChainReport(False, checked, event.pk, "nội dung sự kiện đã bị sửa")
            prev = event.hash
            checked += 1
            last_id = event.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainReport(False, checked, head.last_event_id, "các sự kiện cuối chuỗi đã bị xóa")
    return ChainReport(True, checked)
