"""Signing in and out, the second factor, the person's own password and profile."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from vanban.accounts import services as accounts
from vanban.core.errors import VanbanError
from vanban.organisation.permissions import effective_roles
from vanban.organisation.selectors import current_appointments
from vanban.web.forms import LoginForm, OtpForm, PasswordChangeForm, ProfileForm


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            from vanban.accounts.lockout import lockout_response

            return lockout_response(request)
        if user is None:
            form.add_error(None, "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: đăng nhập sai nhiều lần sẽ bị khóa tài khoản.")
        else:
            login(request, user)
            return redirect(_next_url(request))
    return render(request, "web/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("web:login")


@login_required
@require_POST
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    accounts.logout_everywhere(user=request.user)
    logout(request)
    messages.info(request, "Bạn đã đăng xuất khỏi mọi thiết bị và trình duyệt.")
    return redirect("web:login")


@login_required
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    device = accounts.confirmed_totp(request.user)
    if device is None:
        return redirect("web:otp_setup")
    if request.user.is_verified():
        return redirect("web:home")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip().replace(" ", "")):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "Mã xác thực không đúng hoặc đã hết hạn.")
    return render(request, "web/otp_verify.html", {"form": form})


@login_required
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    confirmed = accounts.confirmed_totp(user)
    required = accounts.two_factor_required(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "disable":
        try:
            accounts.disable_totp(actor=user, user=user)
            messages.success(request, "Đã tắt xác thực hai lớp.")
        except VanbanError as exc:
            messages.error(request, exc.message)
        return redirect("web:otp_setup")
    if request.method == "POST" and request.POST.get("action") == "confirm" and form.is_valid():
        try:
            device = accounts.confirm_totp_setup(user=user, token=form.cleaned_data["token"])
            otp_login(request, device)
            messages.success(request, "Đã bật xác thực hai lớp. Từ lần đăng nhập sau, hệ thống sẽ hỏi mã từ ứng dụng xác thực.")
            return redirect("web:home")
        except VanbanError as exc:
            form.add_vanban_error(exc)
    pending = None
    qr_svg = ""
    if (request.method == "GET" and request.GET.get("start")) or (request.method == "POST" and request.POST.get("action") == "confirm"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is None:
            pending = accounts.begin_totp_setup(user=user)
    elif required and confirmed is None:
        pending = accounts.begin_totp_setup(user=user)
    if pending is not None:
        buf = io.BytesIO()
        segno.make(pending.config_url, error="m").save(buf, kind="svg", scale=5, xmldecl=False, svgns=True)
        qr_svg = buf.getvalue().decode()
    return render(request, "web/otp_setup.html", {
        "form": form, "confirmed": confirmed, "required": required, "pending": pending, "qr_svg": qr_svg,
        "secret_b32": _b32(pending.bin_key) if pending else "",
    })


def _b32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.change_own_password(user=request.user, old_password=form.cleaned_data["old_password"],
                                         new_password=form.cleaned_data["new_password"])
            update_session_auth_hash(request, request.user)
            messages.success(request, "Đã đổi mật khẩu.")
            return redirect("web:home")
        except VanbanError as exc:
            form.add_vanban_error(exc)
    return render(request, "web/password_change.html", {"form": form, "forced": request.user.must_change_password})


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "email": user.email, "phone": user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            accounts.update_account(actor=user, user=user, **form.cleaned_data)
            messages.success(request, "Đã lưu thông tin cá nhân.")
            return redirect("web:profile")
        except VanbanError as exc:
            form.add_vanban_error(exc)
    return render(request, "web/profile.html", {
        "form": form, "appointments": current_appointments(user), "roles": effective_roles(user),
    })
