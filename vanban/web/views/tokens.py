"""API tokens (mã truy cập): a person's own, and those an administrator made for unit
software. The secret is shown once, right after creation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken
from vanban.web.admin_forms import TokenCreateForm
from vanban.web.views._admin import label_scopes, pop_secret, run_action, run_with_form, stash_secret

RECENT_USES = 50


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, result = run_with_form(
            form,
            accounts.create_api_token,
            actor=request.user,
            user=request.user,
            name=data["name"],
            scopes=data["scopes"],
            expires_at=timezone.now() + dt.timedelta(days=data["expires_in_days"]),
        )
        if ok:
            token, secret = result
            stash_secret(request, f"token:{token.pk}", secret)
            messages.success(request, f"Đã tạo mã truy cập «{token.name}».")
            return redirect("web:token_detail", pk=token.pk)
    return render(
        request,
        "web/tokens/list.html",
        {
            "page_title": "Mã truy cập API",
            "form": form,
            "tokens": label_scopes(ApiToken.objects.filter(user=request.user).order_by("-created_at")),
        },
    )


def _token_for(request: HttpRequest, pk: int) -> ApiToken:
    # The owner, and administrators of the owner, may see a token; nobody else learns it exists.
    return get_object_or_404(accounts.tokens_visible_to(request.user).select_related("user", "created_by"), pk=pk)


@login_required
def token_detail(request: HttpRequest, pk: int) -> HttpResponse:
    token = _token_for(request, pk)
    label_scopes([token])
    return render(
        request,
        "web/tokens/detail.html",
        {
            "page_title": f"Mã truy cập «{token.name}»",
            "token": token,
            "secret": pop_secret(request, f"token:{token.pk}"),
            "uses": token.uses.order_by("-used_at")[:RECENT_USES],
            "is_own": token.user_id == request.user.pk,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _token_for(request, pk)
    run_action(
        request,
        accounts.revoke_api_token,
        "Đã thu hồi mã truy cập. Mọi yêu cầu dùng mã này từ nay bị từ chối.",
        actor=request.user,
        token=token,
    )
    return redirect("web:token_detail", pk=token.pk)
