"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) on a free local
port, Django's SMTP backend pointed at it, and the workflow and outgoing worlds (so
events come from the real services)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from vanban.outgoing.tests.conftest import desk  # noqa: F401
from vanban.workflow.tests.conftest import (  # noqa: F401
    flow,
    isolated_storage,
    ministry_leader,
    register_doc,
    world,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received: parsed messages with their envelope."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


class SmtpServer:
    """A real SMTP server that can be stopped and started again on the same port, to
    play a mail server that is down for a while."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Message]:
        return self.mailbox.messages


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A running SMTP server and the settings that send to it."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server.start()
    try:
        yield server
    finally:
        server.stop()


def text_and_html(message: Message) -> tuple[str, str]:
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return text, html


def subject(message: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))
