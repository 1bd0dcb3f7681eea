"""Plumbing shared by the administration pages: role gates, calling a service from a
form, showing a secret once, the unit tree and diacritic-insensitive name matching."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from vanban.accounts.selectors import search_people  # noqa: F401  (re-exported for the pages)
from vanban.core import errors
from vanban.core.text import fold
from vanban.organisation.models import Unit
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role

ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.UNIT_ADMIN)
View = TypeVar("View", bound=Callable[..., HttpResponse])


def roles_required(*roles: str) -> Callable[[View], View]:
    """Admin-only pages answer 403 to everyone else (objects outside scope answer 404)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


admin_required = roles_required(*ADMIN_ROLES)
sysadmin_required = roles_required(Role.SYSTEM_ADMIN)


def is_sysadmin(user: Any) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def run_with_form(form: Any, service: Callable[..., Any], **kwargs: Any) -> tuple[bool, Any]:
    """Call a service; a domain error lands beside the form field it names. A refusal
    by the service is a 403, never a message: the page should not have offered it."""
    try:
        return True, service(**kwargs)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except errors.VanbanError as exc:
        form.add_vanban_error(exc)
        return False, None


def run_action(request: HttpRequest, service: Callable[..., Any], success: str, **kwargs: Any) -> tuple[bool, Any]:
    """Call a service behind a button without fields; the outcome is a flash message."""
    try:
        result = service(**kwargs)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success)
    return True, result


# A generated password or token secret is carried to the next page in the session and
# removed on first display, so a reload or the back button never shows it again.
_SECRET_KEY = "vanban_show_once"


def stash_secret(request: HttpRequest, scope: str, value: str) -> None:
    request.session[_SECRET_KEY] = {"scope": scope, "value": value}


def pop_secret(request: HttpRequest, scope: str) -> str:
    stored = request.session.get(_SECRET_KEY)
    if not stored or stored.get("scope") != scope:
        return ""
    del request.session[_SECRET_KEY]
    return str(stored.get("value", ""))


def active_units_of(user: Any) -> QuerySet[Unit]:
    """The active units an administrator may choose in a form, in tree order."""
    from vanban.organisation.selectors import units_administered_by

    return units_administered_by(user).filter(status=Unit.Status.ACTIVE).order_by("path")


def tree_rows(units: Iterable[Unit]) -> list[tuple[Unit, int]]:
    """Depth-first order with depth, siblings by sort order then name. A unit whose
    parent is not in the list starts a tree of its own (a unit admin's subtree)."""
    units = list(units)
    present = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in present else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, fold(u.name)))
    rows: list[tuple[Unit, int]] = []
    stack = [(u, 0) for u in reversed(children[None])]
    while stack:
        unit, depth = stack.pop()
        rows.append((unit, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(unit.pk, [])))
    return rows


def matches(needle: str, *values: str | None) -> bool:
    """Case- and diacritic-blind: «nguyen van» finds «Nguyễn Văn», and so does «NGUYỄN
    VĂN»; people type names in a search box without their tone marks."""
    folded = fold(needle).strip()
    return not folded or any(folded in fold(v or "") for v in values)


def label_scopes(tokens: Iterable[Any]) -> list[Any]:
    """Attach the Vietnamese names of each token's scopes for display."""
    from vanban.accounts.services import TOKEN_SCOPES

    tokens = list(tokens)
    for token in tokens:
        token.scope_names = [TOKEN_SCOPES.get(s, s) for s in token.scopes]
    return tokens
