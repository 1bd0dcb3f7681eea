"""Reads of accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.core.text import fold


def search_people(users: QuerySet[Any], q: str) -> QuerySet[Any]:
    """Narrow an already permission-filtered queryset of users by name, username or
    e-mail, ignoring case and diacritics: every word must occur in User.search_text,
    the folded form, so the match runs in SQL on SQLite and PostgreSQL alike."""
    folded = fold(q).strip()
    for word in folded.split():
        users = users.filter(search_text__contains=word)
    return users
