"""Delegations (ủy quyền): what a leader gave and received, and, for administrators,
those of the people they administer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vanban.accounts.models import User
from vanban.core.timeutil import today
from vanban.organisation import services as org
from vanban.organisation.models import Delegation
from vanban.organisation.permissions import has_role, is_admin
from vanban.organisation.roles import Role
from vanban.organisation.selectors import delegations_visible_to, own_grants, users_administered_by
from vanban.web.admin_forms import DelegationForm
from vanban.web.navigation import LEADERS_AND_CLERKS
from vanban.web.views._admin import run_action, run_with_form

ADMINISTERED_PAGE_SIZE = 25


def _status(delegation: Delegation, day: dt.date) -> tuple[str, str]:
    if delegation.revoked_at is not None:
        return "Đã thu hồi", "secondary"
    if delegation.end_date < day:
        return "Đã hết hạn", "light"
    if delegation.start_date > day:
        return "Sắp hiệu lực", "info"
    return "Đang hiệu lực", "success"


def _decorate(delegations: Any, day: dt.date) -> list[Delegation]:
    rows = list(delegations)
    for d in rows:
        d.status_label, d.status_class = _status(d, day)
        d.role_labels = [Role(r).label for r in d.roles if r in Role.values]
        d.can_revoke = d.revoked_at is None and d.end_date >= day
    return rows


def _can_delegate(user: Any) -> bool:
    return has_role(user, *LEADERS_AND_CLERKS)


def _form(request: HttpRequest, data: Any = None) -> DelegationForm:
    user = request.user
    admin = is_admin(user)
    own_roles = sorted({g.role for g in own_grants(user)})
    role_choices = list(Role.choices) if admin else [(r, Role(r).label) for r in own_roles]
    people = User.objects.filter(is_active=True).order_by("full_name", "username")
    principals = users_administered_by(user).filter(is_active=True).order_by("full_name", "username") if admin else None
    return DelegationForm(data, people=people, principals=principals, role_choices=role_choices)


def _page(request: HttpRequest, form: DelegationForm) -> HttpResponse:
    user = request.user
    day = today()

    def visible(direction: str) -> Any:
        return (
            delegations_visible_to(user, direction=direction)
            .select_related("created_by")
            .order_by("-start_date", "-pk")
        )

    context: dict[str, Any] = {
        "page_title": "Ủy quyền",
        "form": form,
        "can_delegate": _can_delegate(user),
        "given": _decorate(visible("given"), day),
        "received": _decorate(visible("received"), day),
    }
    if is_admin(user):
        page = Paginator(visible("administered"), ADMINISTERED_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = _decorate(page.object_list, day)
        context["administered"] = page
    return render(request, "web/delegations/list.html", context)


@login_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, _form(request))
    if not _can_delegate(request.user):
        raise PermissionDenied
    form = _form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        principal = data.get("principal") or request.user
        ok, delegation = run_with_form(
            form,
            org.create_delegation,
            actor=request.user,
            principal=principal,
            delegate=data["delegate"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            authority=data["authority"],
            roles=data["roles"],
            reason=data["reason"],
        )
        if ok:
            messages.success(
                request,
                f"Đã ủy quyền cho {delegation.delegate} từ {delegation.start_date:%d/%m/%Y} "
                f"đến {delegation.end_date:%d/%m/%Y}.",
            )
            return redirect("web:delegations")
    return _page(request, form)


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    # A delegate sees what they received but may not revoke it: the service refuses (403).
    delegation = get_object_or_404(delegations_visible_to(user), pk=pk)
    run_action(request, org.revoke_delegation, "Đã thu hồi ủy quyền.", actor=user, delegation=delegation)
    return redirect("web:delegations")
