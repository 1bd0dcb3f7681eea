"""Refuse to run with a database configuration that would break gapless numbering."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.db import connections


@register("database")
def sqlite_transactions_are_immediate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """On SQLite, register counters rely on BEGIN IMMEDIATE: a deferred transaction
    reads the counter under a shared lock and fails ("database is locked") instead of
    waiting when two clerks register at once."""
    problems = []
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"] != "django.db.backends.sqlite3":
            continue
        if settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
            problems.append(
                Error(
                    f"Database {alias!r}: SQLite needs OPTIONS['transaction_mode'] = 'IMMEDIATE'.",
                    hint="Register numbers are taken under the write lock taken at BEGIN IMMEDIATE.",
                    id="documents.E001",
                )
            )
    return problems
