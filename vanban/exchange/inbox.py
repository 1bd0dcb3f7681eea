"""Taking in what partners send: the HTTP inbox and the watched folder both call
`take_in`, which checks the sender against the partner, stores the message once
(`services.receive_message`) and, for a status about one of OUR outgoing documents,
moves that recipient's delivery state forward (never back: a late 03 after 06 is kept
in the history but does not change the state)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from vanban.exchange import edxml
from vanban.exchange.errors import EdxmlError, SenderMismatch
from vanban.exchange.messages import StatusMessage
from vanban.exchange.models import Partner, ReceivedMessage, RecipientStatus
from vanban.exchange.services import Received, receive_message

log = logging.getLogger(__name__)


def take_in(*, partner: Partner, data: bytes, channel: str) -> Received:
    """Raises EdxmlError (damaged), SenderMismatch (From is not this partner) or
    ExchangeError (addressed to another organ); nothing is stored then."""
    message = edxml.parse(data)
    if message.from_organ.organ_id != partner.organ_id:
        raise SenderMismatch(
            "sender_mismatch",
            f"Thông điệp ghi cơ quan gửi {message.from_organ.organ_id or '(trống)'}, không phải cơ quan đã xác thực "
            f"{partner.organ_id}: không nhận.",
            "From/OrganId",
        )
    received = receive_message(actor=None, data=data, channel=channel)
    if isinstance(received.message, StatusMessage):
        # Also for a repeat: a receiver killed after storing the status but before
        # applying it answered nothing, so the sender sends it again; apply_status
        # applies each stored status once.
        apply_status(received.row, received.message)
    return received


@transaction.atomic
def apply_status(row: ReceivedMessage, message: StatusMessage) -> RecipientStatus | None:
    """A status from a recipient of our document: record it on that recipient."""
    from vanban.outgoing.models import Recipient

    key = message.response_for.document_id
    state = (RecipientStatus.objects.select_for_update()
             .filter(document_key=key, organ_id=message.from_organ.organ_id).first())  # fmt: skip
    if state is None:
        log.info("status %s from %s about unknown document %r", message.status_code, message.from_organ.organ_id, key)
        return None
    if any(h.get("received") == row.pk for h in state.history):
        return state  # applied already (a repeat of the same stored message)
    at = message.timestamp or row.received_at
    code = message.status_code
    state.history = [*state.history, {"code": code, "at": timezone.localtime(at).isoformat(),
                                      "description": message.description[:500], "received": row.pk}]  # fmt: skip
    state.history.sort(key=lambda h: (h["at"], RecipientStatus.RANK.get(h["code"], 0)))
    rank = RecipientStatus.RANK.get(code)
    current = RecipientStatus.RANK.get(state.status_code, 0)
    if rank is not None and (rank > current or (rank == current and state.status_at and at > state.status_at)):
        state.status_code = code
        state.status_at = at
        state.description = message.description[:2000]
        recipient = state.recipient
        if code == "02":
            recipient.delivery = Recipient.Delivery.FAILED
            recipient.error = f"Bên nhận từ chối: {message.description}"[:500]
            recipient.save(update_fields=["delivery", "error"])
        elif rank >= 3 and recipient.delivery != Recipient.Delivery.READ:
            recipient.delivery = Recipient.Delivery.READ
            recipient.read_at = at
            recipient.save(update_fields=["delivery", "read_at"])
        elif recipient.delivery in (Recipient.Delivery.QUEUED, Recipient.Delivery.SENDING, Recipient.Delivery.FAILED):
            recipient.delivery = Recipient.Delivery.DELIVERED
            recipient.delivered_at = recipient.delivered_at or at
            recipient.save(update_fields=["delivery", "delivered_at"])
    elif code in ("15", "16"):
        state.change_code = code
    state.save()
    return state


# --- Watched folders --------------------------------------------------------------------------


@dataclass
class FolderRun:
    taken: int = 0
    duplicates: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"taken": self.taken, "duplicates": self.duplicates, "errors": self.errors}


def _move(path: Path, target_dir: Path) -> Path:
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        target = target_dir / f"{path.stem}-{stamp}{path.suffix}"
    shutil.move(str(path), target)
    return target


def scan_folders(*, min_age: float = 1.0) -> FolderRun:
    """Every active folder partner's `in/*.edxml`: taken in, then moved to `done/`, or
    to `error/` beside a `<name>.error.txt` saying why. Files changed in the last
    `min_age` seconds are left for the next pass (the writer may not have finished;
    writers should write a temporary name and rename, as we do in out/)."""
    run = FolderRun()
    now = timezone.now().timestamp()
    for partner in Partner.objects.filter(transport=Partner.Transport.FOLDER, is_active=True).order_by("pk"):
        root = Path(partner.endpoint or "")
        inbox = root / "in"
        if not partner.endpoint or not inbox.is_dir():
            continue
        for path in sorted(inbox.glob("*.edxml")):
            try:
                if not path.is_file() or now - path.stat().st_mtime < min_age:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            try:
                received = take_in(partner=partner, data=data, channel="folder")
            except EdxmlError as exc:
                reason = f"{exc.code}: {exc.message}" + (f" ({exc.field})" if exc.field else "")
                _fail(path, root, reason)
                run.errors += 1
                continue
            except Exception as exc:
                code = getattr(exc, "code", type(exc).__name__)
                _fail(path, root, f"{code}: {getattr(exc, 'message', str(exc))}")
                run.errors += 1
                continue
            _move(path, root / "done")
            if received.created:
                run.taken += 1
            else:
                run.duplicates += 1
    return run


def _fail(path: Path, root: Path, reason: str) -> None:
    moved = _move(path, root / "error")
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    moved.with_name(moved.name + ".error.txt").write_text(f"{stamp}\n{reason}\n", encoding="utf-8")
