"""Logins, logouts and failures go to the audit log (usage monitoring reads them)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from vanban.audit import services as audit


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(actor=user, action="auth.login", target=user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit.record(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor=None,
            actor_username=str(credentials.get("username", ""))[:150],
            action="auth.login_failed",
            data={"username": str(credentials.get("username", ""))[:150]},
        )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(actor=None, actor_username=(username or "")[:150], action="auth.locked_out",
                     data={"username": username or ""})
