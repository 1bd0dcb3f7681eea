"""How an edXML message reaches a partner: the `Transport` protocol and its two
implementations here (HTTPS POST to another vanban or to unit software; a watched folder).
A national-platform adapter implements the same protocol (docs/exchange.md).

A transport only moves bytes. It never raises for a delivery problem: it returns a
`DeliveryResult` saying whether the message arrived, and if not, whether trying again
later can help (`permanent` False) — the outbox decides about retries and dead letters.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

INBOX_PATH = "/api/v1/exchange/inbox"
MESSAGE_ID_HEADER = "X-Edxml-Message-Id"


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    detail: str = ""  # the receiver's reply or the error, for the dead-letter list
    permanent: bool = False  # retrying cannot help (e.g. the receiver refused the message)
    remote_id: str = ""  # the receiver's id for the stored message, when it says


class Transport(Protocol):
    """What a carrier of edXML messages implements.

    `send` delivers one message (the exact bytes) to `partner` (an exchange.Partner:
    organ_id, endpoint, credentials). `message_id` is the idempotency key: the receiver
    may see the same id twice after a timeout and must store the message once."""

    def send(self, partner: Any, message_bytes: bytes, *, message_id: str) -> DeliveryResult: ...


class HttpTransport:
    """POST application/xml to the partner's inbox URL, `Authorization: Bearer <token>`
    with the token the directory holds for them. 2xx is delivered; 4xx (but 408/429) is
    a refusal retrying cannot fix; anything else (5xx, refused connection, timeout) is
    tried again later."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout if timeout is not None else float(getattr(settings, "VANBAN_EXCHANGE_HTTP_TIMEOUT", 30))

    @staticmethod
    def url_for(partner: Any) -> str:
        url = (partner.endpoint or "").rstrip("/")
        return url if url.endswith(INBOX_PATH) else url + INBOX_PATH

    def send(self, partner: Any, message_bytes: bytes, *, message_id: str) -> DeliveryResult:
        import requests

        from vanban.exchange.partners import outbound_token

        if not partner.endpoint:
            return DeliveryResult(False, "Cơ quan liên thông chưa khai báo địa chỉ nhận.", permanent=True)
        headers = {"Content-Type": "application/xml; charset=utf-8", MESSAGE_ID_HEADER: message_id}
        token = outbound_token(partner)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        cert = getattr(settings, "VANBAN_EXCHANGE_CLIENT_CERT", "") or None
        verify: Any = getattr(settings, "VANBAN_EXCHANGE_CA_BUNDLE", "") or True
        try:
            response = requests.post(self.url_for(partner), data=message_bytes, headers=headers, timeout=self.timeout,
                                     cert=cert, verify=verify, allow_redirects=False)  # fmt: skip
        except requests.RequestException as exc:
            return DeliveryResult(False, f"{type(exc).__name__}: {exc}"[:2000])
        text = response.text[:1500]
        if 200 <= response.status_code < 300:
            remote = ""
            with contextlib.suppress(ValueError):
                remote = str(response.json().get("id", ""))
            return DeliveryResult(True, f"HTTP {response.status_code}", remote_id=remote)
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 425, 429)
        return DeliveryResult(False, f"HTTP {response.status_code}: {text}", permanent=permanent)


def _safe_name(message_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in message_id)[:150] or "message"


class FolderTransport:
    """Writes `<endpoint>/out/<message id>.edxml` for unit software to pick up: to a
    temporary name in the same directory first, fsync, then rename, so a reader never
    sees half a file. Writing the same id again replaces the file with the same bytes."""

    def send(self, partner: Any, message_bytes: bytes, *, message_id: str) -> DeliveryResult:
        if not partner.endpoint:
            return DeliveryResult(False, "Cơ quan liên thông chưa khai báo thư mục trao đổi.", permanent=True)
        out = Path(partner.endpoint) / "out"
        try:
            out.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=out)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(message_bytes)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, out / f"{_safe_name(message_id)}.edxml")
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            return DeliveryResult(False, f"{type(exc).__name__}: {exc}"[:2000])
        return DeliveryResult(True, str(out))


def transport_for(partner: Any) -> Transport:
    """The carrier for `partner`. VANBAN_EXCHANGE_TRANSPORTS may map a transport kind to
    a dotted class path (a national-platform adapter); otherwise http and folder."""
    overrides: dict[str, str] = getattr(settings, "VANBAN_EXCHANGE_TRANSPORTS", {}) or {}
    path = overrides.get(partner.transport)
    if path:
        from django.utils.module_loading import import_string

        return import_string(path)()
    if partner.transport == "folder":
        return FolderTransport()
    return HttpTransport()
