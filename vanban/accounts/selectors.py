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


def active_user(value: Any, *, field: str) -> Any:
    """The active account chosen in a form or an API body (a User or its id), for the
    services that name a person: ValidationFailed invalid_user / inactive_user."""
    from django.contrib.auth import get_user_model

    from vanban.core.errors import ValidationFailed

    User = get_user_model()
    if isinstance(value, User):
        user = value
    else:
        try:
            user = User.objects.get(pk=int(value))
        except (User.DoesNotExist, TypeError, ValueError):
            raise ValidationFailed("invalid_user", "Người được chọn không tồn tại.", field) from None
    if not user.is_active:
        raise ValidationFailed("inactive_user", f"Tài khoản «{user.full_name or user.username}» đã bị khóa.", field)
    return user
