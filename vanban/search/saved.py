"""Tìm kiếm đã lưu: a person names the current query, filters and sort, and runs them
again later. Only the question is stored; every run goes through `selectors.search`
with the person's permissions of the moment, so a saved search never shows what they
may no longer open. Each write and each run is in the audit log.

Services and selectors of saved searches live here, beside the search app's own, so
the query layer (`selectors.py`) stays untouched by this feature."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import NotFound, ValidationFailed
from vanban.core.text import clean_text
from vanban.search.forms import SearchForm
from vanban.search.models import SavedSearch
from vanban.search.selectors import SearchParams, SearchResult, search

# The form fields a saved search keeps: the question, not the page being looked at.
SAVED_FIELDS = ("q", "kind", "document_type", "organ", "unit", "register", "status", "urgency", "signer",
                "date_from", "date_to", "sort")  # fmt: skip
NAME_MAX = 100
# Enough for any clerk's standing questions; keeps the list on the search page short.
MAX_PER_PERSON = 100
NOT_FOUND = "Không tìm thấy tìm kiếm đã lưu."


# --- Parameters ------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def params_from_form(form: SearchForm) -> dict[str, str]:
    """The saved form of a valid SearchForm: non-empty fields as query-string text."""
    data = {name: _as_text(form.cleaned_data.get(name)) for name in SAVED_FIELDS}
    return {k: v for k, v in data.items() if v}


def clean_params(raw: Mapping[str, Any]) -> dict[str, str]:
    """Validate parameters as the search form does (unknown organ, bad dates, ...) and
    return their saved form. Raises ValidationFailed with the form's message."""
    unknown = sorted(set(raw) - set(SAVED_FIELDS) - {"page", "page_size"})
    if unknown:
        raise ValidationFailed("invalid_params", f"Điều kiện tìm kiếm không hợp lệ: «{unknown[0][:40]}».", "params")
    form = SearchForm({k: _as_text(v) for k, v in raw.items() if k in SAVED_FIELDS})
    if not form.is_valid():
        field, message = form.first_error()
        raise ValidationFailed(f"invalid_{field or 'params'}", message, field or "params")
    return params_from_form(form)


def describe(params: Mapping[str, str]) -> str:
    """A short Vietnamese line saying what the saved search looks for."""
    form = SearchForm(dict(params))
    if not form.is_valid():
        return "Điều kiện không còn hợp lệ"
    parts = []
    for name in SAVED_FIELDS:
        value = form.cleaned_data.get(name)
        if value in (None, "") or (name == "sort" and value == "relevance"):
            continue
        field = form.fields[name]
        if hasattr(field, "choices") and not isinstance(value, Model):
            value = dict(field.choices).get(value, value)
        elif isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        parts.append(f"{field.label}: {value}")
    return "; ".join(parts) or "Mọi văn bản"


# --- Reads -----------------------------------------------------------------------------------


def saved_searches_of(user: Any) -> QuerySet[SavedSearch]:
    if user is None or not getattr(user, "is_authenticated", False):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(owner_id=user.pk).order_by("name", "pk")


def get_saved_search_for(user: Any, pk: Any) -> SavedSearch:
    """One of the user's own saved searches; anyone else's answers NotFound (404)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(NOT_FOUND) from None
    saved = saved_searches_of(user).filter(pk=key).first()
    if saved is None:
        raise NotFound(NOT_FOUND)
    return saved


# --- Writes ----------------------------------------------------------------------------------


def _clean_name(actor: Any, name: Any, *, exclude: int | None = None) -> str:
    text = clean_text(str(name or "")).strip()
    text = " ".join(text.split())
    if not text:
        raise ValidationFailed("name_required", "Hãy đặt tên cho tìm kiếm cần lưu.", "name")
    if len(text) > NAME_MAX:
        raise ValidationFailed("name_too_long", f"Tên tìm kiếm dài tối đa {NAME_MAX} ký tự.", "name")
    # Names are unique per person regardless of case ("Công văn khẩn" = "công văn KHẨN"):
    # checked in Python because SQLite's lower() leaves Vietnamese letters as they are.
    key = text.casefold()
    others = saved_searches_of(actor).exclude(pk=exclude) if exclude else saved_searches_of(actor)
    if any(n.casefold() == key for n in others.values_list("name", flat=True)):
        raise ValidationFailed(
            "duplicate_name", f"Bạn đã có một tìm kiếm đã lưu tên «{text}». Hãy chọn tên khác.", "name"
        )
    return text


def _insert(saved: SavedSearch, **kwargs: Any) -> None:
    """The unique constraint is the last defence against two tabs saving one name at once."""
    try:
        with transaction.atomic():
            saved.save(**kwargs)
    except IntegrityError:
        raise ValidationFailed(
            "duplicate_name", f"Bạn đã có một tìm kiếm đã lưu tên «{saved.name}». Hãy chọn tên khác.", "name"
        ) from None


@transaction.atomic
def save_search(*, actor: Any, name: Any, params: Mapping[str, Any]) -> SavedSearch:
    """Save the query, filters and sort under a name of the actor's choosing."""
    cleaned = clean_params(params)
    if not any(k != "sort" for k in cleaned):
        raise ValidationFailed(
            "empty_search", "Hãy nhập từ khóa hoặc chọn ít nhất một điều kiện lọc trước khi lưu tìm kiếm.", "q"
        )
    text = _clean_name(actor, name)
    if saved_searches_of(actor).count() >= MAX_PER_PERSON:
        raise ValidationFailed(
            "too_many_saved", f"Mỗi người lưu được tối đa {MAX_PER_PERSON} tìm kiếm: hãy xóa bớt tìm kiếm cũ.", "name"
        )
    saved = SavedSearch(owner=actor, name=text, params=cleaned)
    _insert(saved)
    audit.record(actor=actor, action="search.saved", target=saved, data={"name": text, "params": cleaned})
    return saved


@transaction.atomic
def rename_saved_search(*, actor: Any, saved: SavedSearch, name: Any) -> SavedSearch:
    saved = get_saved_search_for(actor, saved.pk)
    text = _clean_name(actor, name, exclude=saved.pk)
    if text == saved.name:
        return saved
    before = saved.name
    saved.name, saved.updated_at = text, timezone.now()
    _insert(saved, update_fields=["name", "updated_at"])
    audit.record(actor=actor, action="search.saved_renamed", target=saved, data={"before": before, "after": text})
    return saved


@transaction.atomic
def delete_saved_search(*, actor: Any, saved: SavedSearch) -> None:
    saved = get_saved_search_for(actor, saved.pk)
    audit.record(actor=actor, action="search.saved_deleted", target=saved,
                 data={"name": saved.name, "params": saved.params})  # fmt: skip
    saved.delete()


def form_for(saved: SavedSearch, *, page: Any = None, page_size: Any = None) -> SearchForm:
    data = dict(saved.params)
    if page:
        data["page"] = str(page)
    if page_size:
        data["page_size"] = str(page_size)
    return SearchForm(data)


def params_for(saved: SavedSearch, *, page: Any = None, page_size: Any = None) -> SearchParams:
    """The SearchParams of a saved search today; a filter that no longer exists (a
    deleted organ) or a bad page is a ValidationFailed, not a silently wider search."""
    form = form_for(saved, page=page, page_size=page_size)
    if not form.is_valid():
        field, message = form.first_error()
        if field in ("page", "page_size"):
            raise ValidationFailed(f"invalid_{field}", message, field)
        raise ValidationFailed(
            "saved_search_outdated",
            f"Tìm kiếm đã lưu «{saved.name}» có điều kiện không còn hợp lệ ({message}): "
            "hãy tìm lại rồi lưu với điều kiện mới.",
            field or "params",
        )
    return form.params()


@transaction.atomic
def run_saved_search(*, actor: Any, saved: SavedSearch, page: Any = None, page_size: Any = None) -> SearchResult:
    """Search again with the saved question and the actor's permissions of now."""
    saved = get_saved_search_for(actor, saved.pk)
    result = search(actor, params_for(saved, page=page, page_size=page_size))
    SavedSearch.objects.filter(pk=saved.pk).update(last_run_at=timezone.now())
    audit.record(actor=actor, action="search.searched", target=saved,
                 data={"params": saved.params, "total": result.total, "saved_search": saved.pk})  # fmt: skip
    return result
