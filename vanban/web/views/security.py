"""Security policy: which roles must use two-factor sign-in (system administrators only)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts import services as accounts
from vanban.accounts.models import TwoFactorPolicy
from vanban.organisation.models import RoleGrant
from vanban.organisation.roles import Role
from vanban.web.admin_forms import TwoFactorPolicyForm
from vanban.web.views._admin import run_action, sysadmin_required


@sysadmin_required
def security_policy(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TwoFactorPolicyForm(request.POST)
        if form.is_valid():
            role, required = form.cleaned_data["role"], form.cleaned_data["required"]
            label = Role(role).label
            done = (
                f"Đã bắt buộc xác thực hai lớp cho vai trò {label}."
                if required
                else f"Đã bỏ bắt buộc xác thực hai lớp cho vai trò {label}."
            )
            run_action(request, accounts.set_two_factor_policy, done, actor=request.user, role=role, required=required)
        else:
            messages.error(request, "Vai trò không hợp lệ.")
        return redirect("web:security_policy")
    required = set(TwoFactorPolicy.objects.filter(required=True).values_list("role", flat=True))
    active_grants = RoleGrant.objects.filter(user__is_active=True)
    holders = dict(active_grants.values("role").annotate(n=Count("user", distinct=True)).values_list("role", "n"))
    with_totp = TOTPDevice.objects.filter(confirmed=True).values("user")
    without = dict(
        active_grants.exclude(user__in=with_totp)
        .values("role")
        .annotate(n=Count("user", distinct=True))
        .values_list("role", "n")
    )
    rows = [
        {
            "role": value,
            "label": label,
            "required": value in required,
            "holders": holders.get(value, 0),
            "without_totp": without.get(value, 0),
        }
        for value, label in Role.choices
    ]
    return render(request, "web/security/policy.html", {"page_title": "Chính sách bảo mật", "rows": rows})
