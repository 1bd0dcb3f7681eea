"""Accounts (tài khoản): the list, creation and the page where an administrator manages
one person's profile, positions, roles, sign-in state and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken, User
from vanban.organisation import services as org
from vanban.organisation.models import Appointment, RoleGrant
from vanban.organisation.selectors import units_administered_by, users_administered_by
from vanban.web.admin_forms import (
    AccountCreateForm,
    AccountFilterForm,
    AccountProfileForm,
    AppointForm,
    DeactivateForm,
    GrantRoleForm,
    TokenCreateForm,
)
from vanban.web.views._admin import (
    active_units_of,
    admin_required,
    is_sysadmin,
    label_scopes,
    pop_secret,
    run_action,
    run_with_form,
    search_people,
    stash_secret,
)

PAGE_SIZE = 50


def _with_positions_and_roles(users: QuerySet[User]) -> QuerySet[User]:
    return users.prefetch_related(
        Prefetch(
            "appointments",
            queryset=Appointment.objects.filter(end_date__isnull=True).select_related("unit", "position"),
            to_attr="current_appointments",
        ),
        Prefetch("role_grants", queryset=RoleGrant.objects.select_related("unit").order_by("role"), to_attr="grants"),
    )


@admin_required
def account_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountFilterForm(request.GET or None, units=units_administered_by(user).order_by("path"))
    users = users_administered_by(user)
    locked = accounts.locked_usernames()
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            users = users.filter(
                appointments__unit__path__startswith=data["unit"].path, appointments__end_date__isnull=True
            ).distinct()
        if data["role"]:
            users = users.filter(role_grants__role=data["role"]).distinct()
        if data["status"] == "active":
            users = users.filter(is_active=True)
        elif data["status"] == "inactive":
            users = users.filter(is_active=False)
        elif data["status"] == "locked":
            users = users.annotate(username_lower=Lower("username")).filter(username_lower__in=locked)
        users = search_people(users, data["q"])
    page = Paginator(_with_positions_and_roles(users.order_by("full_name", "username")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for account in page.object_list:
        account.is_locked = account.username.lower() in locked
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/accounts/list.html",
        {
            "page_title": "Tài khoản",
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


@admin_required
def account_create(request: HttpRequest) -> HttpResponse:
    sysadmin = is_sysadmin(request.user)
    form = AccountCreateForm(
        request.POST or None,
        units=active_units_of(request.user),
        sysadmin=sysadmin,
        initial={"unit": request.GET.get("unit")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, result = run_with_form(
            form,
            accounts.create_account,
            actor=request.user,
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            unit=data["unit"],
            position=data["position"],
            roles=data["roles"],
        )
        if ok:
            account, password = result
            stash_secret(request, f"password:{account.pk}", password)
            messages.success(request, f"Đã tạo tài khoản «{account.username}».")
            return redirect("web:account_detail", pk=account.pk)
    return render(request, "web/accounts/create.html", {"page_title": "Thêm tài khoản", "form": form})


def _account_for(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(users_administered_by(request.user), pk=pk)


def _detail(request: HttpRequest, account: User, **forms: Any) -> HttpResponse:
    user = request.user
    sysadmin = is_sysadmin(user)
    units = active_units_of(user)
    forms.setdefault(
        "profile_form",
        AccountProfileForm(initial={"full_name": account.full_name, "email": account.email, "phone": account.phone}),
    )
    forms.setdefault("deactivate_form", DeactivateForm())
    forms.setdefault("appoint_form", AppointForm(units=units, initial={"is_primary": False}))
    forms.setdefault("role_form", GrantRoleForm(units=units, sysadmin=sysadmin))
    forms.setdefault("token_form", TokenCreateForm(initial={"name": "", "scopes": ["read", "exchange"]}))
    appointments = (
        Appointment.objects.filter(user=account)
        .select_related("unit", "position")
        .order_by("end_date", "-is_primary", "position__rank")
    )
    now = timezone.now()
    return render(
        request,
        "web/accounts/detail.html",
        {
            "page_title": account.full_name or account.username,
            "account": account,
            "new_password": pop_secret(request, f"password:{account.pk}"),
            "is_locked": accounts.is_locked(account),
            "has_totp": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
            "two_factor_required": accounts.two_factor_required(account),
            "current_appointments": [a for a in appointments if a.end_date is None],
            "past_appointments": [a for a in appointments if a.end_date is not None],
            "grants": RoleGrant.objects.filter(user=account).select_related("unit", "granted_by").order_by("role"),
            "tokens": label_scopes(ApiToken.objects.filter(user=account).order_by("-created_at")),
            "now": now,
            **forms,
        },
    )


@admin_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _account_for(request, pk))


@admin_required
@require_POST
def account_update(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    form = AccountProfileForm(request.POST)
    if form.is_valid():
        ok, _ = run_with_form(form, accounts.update_account, actor=request.user, user=account, **form.cleaned_data)
        if ok:
            messages.success(request, "Đã lưu thông tin tài khoản.")
            return redirect("web:account_detail", pk=account.pk)
    return _detail(request, account, profile_form=form)


@admin_required
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_action(
        request,
        accounts.deactivate_account,
        "Đã vô hiệu hóa tài khoản. Mọi phiên đăng nhập của người này đã kết thúc.",
        actor=request.user,
        user=account,
        reason=reason,
    )
    return redirect("web:account_detail", pk=account.pk)


@admin_required
@require_POST
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    run_action(request, accounts.reactivate_account, "Đã kích hoạt lại tài khoản.", actor=request.user, user=account)
    return redirect("web:account_detail", pk=account.pk)


@admin_required
@require_POST
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    ok, password = run_action(
        request,
        accounts.reset_password,
        "Đã đặt lại mật khẩu. Người dùng phải đổi mật khẩu ở lần đăng nhập tới.",
        actor=request.user,
        user=account,
    )
    if ok:
        stash_secret(request, f"password:{account.pk}", password)
    return redirect("web:account_detail", pk=account.pk)


@admin_required
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    run_action(request, accounts.unlock_account, "Đã mở khóa tài khoản.", actor=request.user, user=account)
    return redirect("web:account_detail", pk=account.pk)


@admin_required
@require_POST
def account_disable_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    run_action(
        request,
        accounts.disable_totp,
        "Đã tắt xác thực hai lớp. Nếu vai trò của người này bắt buộc, họ sẽ phải thiết lập lại khi đăng nhập.",
        actor=request.user,
        user=account,
    )
    return redirect("web:account_detail", pk=account.pk)


@admin_required
@require_POST
def account_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    form = AppointForm(request.POST, units=active_units_of(request.user))
    if form.is_valid():
        data = form.cleaned_data
        ok, _ = run_with_form(
            form,
            org.appoint,
            actor=request.user,
            user=account,
            unit=data["unit"],
            position=data["position"],
            is_primary=data["is_primary"],
            start_date=data["start_date"],
        )
        if ok:
            messages.success(request, f"Đã bổ nhiệm {data['position'].name} – {data['unit'].name}.")
            return redirect("web:account_detail", pk=account.pk)
    return _detail(request, account, appoint_form=form)


@admin_required
@require_POST
def account_end_appointment(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    appointment = get_object_or_404(Appointment, pk=appointment_pk, user=account)
    end_date = _posted_date(request.POST.get("end_date"))
    run_action(
        request,
        org.end_appointment,
        f"Đã kết thúc chức vụ {appointment.position.name} – {appointment.unit.name}.",
        actor=request.user,
        appointment=appointment,
        end_date=end_date,
    )
    return redirect("web:account_detail", pk=account.pk)


def _posted_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@admin_required
@require_POST
def account_grant_role(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    form = GrantRoleForm(request.POST, units=active_units_of(request.user), sysadmin=is_sysadmin(request.user))
    if form.is_valid():
        data = form.cleaned_data
        ok, grant = run_with_form(
            form, org.grant_role, actor=request.user, user=account, role=data["role"], unit=data["unit"]
        )
        if ok:
            messages.success(request, f"Đã cấp vai trò {grant}.")
            return redirect("web:account_detail", pk=account.pk)
    return _detail(request, account, role_form=form)


@admin_required
@require_POST
def account_revoke_role(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    grant = get_object_or_404(RoleGrant.objects.select_related("unit"), pk=grant_pk, user=account)
    run_action(request, org.revoke_role, f"Đã thu hồi vai trò {grant}.", actor=request.user, grant=grant)
    return redirect("web:account_detail", pk=account.pk)


@admin_required
@require_POST
def account_token_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A token for the unit's connected software, held by this account."""
    account = _account_for(request, pk)
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, result = run_with_form(
            form,
            accounts.create_api_token,
            actor=request.user,
            user=account,
            name=data["name"],
            scopes=data["scopes"],
            expires_at=timezone.now() + dt.timedelta(days=data["expires_in_days"]),
            kind=ApiToken.Kind.SOFTWARE,
        )
        if ok:
            token, secret = result
            stash_secret(request, f"token:{token.pk}", secret)
            messages.success(request, f"Đã tạo mã truy cập «{token.name}» cho phần mềm đơn vị.")
            return redirect("web:token_detail", pk=token.pk)
    return _detail(request, account, token_form=form)
